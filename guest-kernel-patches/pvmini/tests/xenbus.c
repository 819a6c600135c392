/*
 * xenstore from a guest, over its ring (xenbus.c).
 *   xenbus          every operation: read, write, mkdir, rm, directory,
 *                   perms, transactions (commit, abort), a message
 *                   longer than the ring, errors; then a watch that dom0
 *                   fires (prints XENBUS-WATCH-READY, waits for dom0 to
 *                   write data/watched)
 *   xenbus-perms    role=noisy: exhausts its quotas (nodes, watches,
 *                   transactions) and gets the right errors; role=victim
 *                   (with peer=D): cannot touch domain D's nodes, and
 *                   keeps working after D hit its quota (dom0 writes
 *                   data/go once it did)
 *   xenbus-restart  rounds=N of writes, reads and transactions while
 *                   dom0 restarts pvstored; then waits for data/final
 */
#include "../pvmini.h"
#include "../xenbus.h"
#include "tests.h"

static char buf[XENSTORE_PAYLOAD_MAX + 1];

#define CHECK(name, cond, ...)                                                 \
	do {                                                                   \
		if (!(cond)) {                                                 \
			test_fail(name, __VA_ARGS__);                          \
			return -1;                                             \
		}                                                              \
	} while (0)

static int read_is(uint32_t tx, const char *path, const char *want)
{
	int n = xenbus_read(tx, path, buf, sizeof(buf));

	return n >= 0 && (size_t)n == strlen(want) && !strcmp(buf, want);
}

/* Is name one of the NUL-separated entries in list? */
static bool listed(const char *list, int len, const char *name)
{
	for (int off = 0; off < len; off += (int)strlen(list + off) + 1)
		if (!strcmp(list + off, name))
			return true;
	return false;
}

#define T "xenbus"

static int basics(domid_t me)
{
	char want[16], path[64];
	int n;

	snprintf(want, sizeof(want), "%u", me);
	CHECK(T, read_is(XBT_NIL, "domid", want), "domid is not %s", want);
	n = xenbus_read(XBT_NIL, "name", buf, sizeof(buf));
	CHECK(T, n > 0, "no name: %d", n);
	snprintf(path, sizeof(path), "/local/domain/%u/name", me);
	CHECK(T, read_is(XBT_NIL, path, buf), "absolute path differs");
	CHECK(T, xenbus_write(XBT_NIL, "data/hello", "world") == 0, "write");
	CHECK(T, read_is(XBT_NIL, "data/hello", "world"), "read back");
	CHECK(T, xenbus_mkdir(XBT_NIL, "data/dir/sub") == 0, "mkdir");
	CHECK(T, xenbus_mkdir(XBT_NIL, "data/dir/sub") == 0, "mkdir again");
	n = xenbus_directory(XBT_NIL, "data", buf, sizeof(buf));
	CHECK(T, n > 0 && listed(buf, n, "hello") && listed(buf, n, "dir"),
	      "directory data: %d", n);
	snprintf(want, sizeof(want), "n%u", me);
	n = xenbus_get_perms(XBT_NIL, "data/hello", buf, sizeof(buf));
	CHECK(T, xenbus_is(buf, n, want), "perms of data/hello: %s", buf);
	CHECK(T, xenbus_rm(XBT_NIL, "data/dir") == 0, "rm");
	CHECK(T, xenbus_read(XBT_NIL, "data/dir/sub", buf, 8) == -XEN_ENOENT,
	      "removed node still there");
	CHECK(T, xenbus_rm(XBT_NIL, "data/dir") == 0, "rm of nothing");
	CHECK(T, xenbus_read(XBT_NIL, "", buf, 8) == -XEN_EINVAL,
	      "empty path not EINVAL");
	CHECK(T, xenbus_read(XBT_NIL, "data//x", buf, 8) == -XEN_EINVAL,
	      "bad path not EINVAL");
	CHECK(T, xenbus_write(XBT_NIL, "/tool/x", "y") == -XEN_EACCES,
	      "wrote dom0's node");
	CHECK(T, xenbus_write(XBT_NIL, "name", "y") == -XEN_EACCES,
	      "renamed itself");
	CHECK(T,
	      xenbus_request(XS_INTRODUCE, XBT_NIL, "9\0000\0001", 6, NULL,
			     0) == -XEN_EACCES,
	      "INTRODUCE from a guest not EACCES");
	CHECK(T, xenbus_request(99, XBT_NIL, "", 0, NULL, 0) == -XEN_ENOSYS,
	      "unknown type not ENOSYS");
	return 0;
}

static int transactions(void)
{
	uint32_t tx;

	CHECK(T, xenbus_transaction_start(&tx) == 0 && tx, "start");
	CHECK(T, xenbus_write(tx, "data/tx", "1") == 0, "write in tx");
	CHECK(T, read_is(tx, "data/tx", "1"), "read in tx");
	CHECK(T, xenbus_read(XBT_NIL, "data/tx", buf, 8) == -XEN_ENOENT,
	      "uncommitted write visible");
	CHECK(T, xenbus_transaction_end(tx, 0) == 0, "commit");
	CHECK(T, read_is(XBT_NIL, "data/tx", "1"), "committed write lost");
	CHECK(T, xenbus_transaction_start(&tx) == 0, "start 2");
	CHECK(T, xenbus_write(tx, "data/tx2", "2") == 0, "write in tx 2");
	CHECK(T, xenbus_transaction_end(tx, 1) == 0, "abort");
	CHECK(T, xenbus_read(XBT_NIL, "data/tx2", buf, 8) == -XEN_ENOENT,
	      "aborted write visible");
	CHECK(T, xenbus_transaction_end(tx, 0) == -XEN_ENOENT,
	      "ended transaction still known");
	return 0;
}

/* 2000 bytes each way: both rings are only 1024 bytes. */
static int long_messages(void)
{
	static char big[2001];
	int n;

	for (int i = 0; i < 2000; i++)
		big[i] = (char)('a' + i % 26);
	big[2000] = 0;
	CHECK(T, xenbus_write(XBT_NIL, "data/big", big) == 0, "long write");
	n = xenbus_read(XBT_NIL, "data/big", buf, sizeof(buf));
	CHECK(T, n == 2000 && !memcmp(buf, big, 2000), "long read: %d", n);
	n = xenbus_request(XS_DIRECTORY_PART, XBT_NIL,
			   "data\0"
			   "0",
			   7, buf, sizeof(buf));
	CHECK(T, n > 2 && buf[n - 1] == 0 && buf[n - 2] == 0,
	      "DIRECTORY_PART: %d", n);
	return 0;
}

static int dom0_watch(void)
{
	char path[128], tok[32];
	uint64_t t0;
	int rc;

	CHECK(T, xenbus_watch("data/watched", "tok") == 0, "watch");
	CHECK(T, xenbus_watch("data/watched", "tok") == -XEN_EEXIST,
	      "same watch twice");
	rc = xenbus_wait_event(path, sizeof(path), tok, sizeof(tok),
			       5000000000ull);
	CHECK(T,
	      rc == 0 && !strcmp(path, "data/watched") && !strcmp(tok, "tok"),
	      "initial event: %d %s %s", rc, path, tok);
	printf("XENBUS-WATCH-READY\n");
	t0 = xen_now();
	do {
		rc = xenbus_wait_event(path, sizeof(path), tok, sizeof(tok),
				       60000000000ull);
	} while (rc == 0 && !read_is(XBT_NIL, "data/watched", "from-dom0") &&
		 xen_now() - t0 < 60000000000ull);
	CHECK(T, rc == 0 && !strcmp(path, "data/watched"),
	      "no event for dom0's write: %d", rc);
	CHECK(T, xenbus_unwatch("data/watched", "tok") == 0, "unwatch");
	CHECK(T, xenbus_unwatch("data/watched", "tok") == -XEN_ENOENT,
	      "unwatch twice");
	return 0;
}

void test_xenbus(void)
{
	domid_t me = xen_domid();
	uint64_t t0;
	int rc = xenbus_init();

	if (rc)
		return test_fail(T, "no xenstore ring: %d", rc);
	if (basics(me) || transactions() || long_messages())
		return;
	t0 = xen_now();
	for (int i = 0; i < 20; i++)
		xenbus_read(XBT_NIL, "data/hello", buf, sizeof(buf));
	printf("BENCH xenbus_read rounds=20 total_ns=%lu\n",
	       (unsigned long)(xen_now() - t0));
	if (dom0_watch())
		return;
	test_pass(T);
}

#undef T
#define T "xenbus-perms"

/* A domain may not see or touch another's nodes, nor dom0's. */
static int isolation(domid_t peer)
{
	char path[96], vm[128];
	int n;

	snprintf(path, sizeof(path), "/local/domain/%u/name", peer);
	CHECK(T, xenbus_read(XBT_NIL, path, buf, 8) == -XEN_EACCES, "read %s",
	      path);
	snprintf(path, sizeof(path), "/local/domain/%u/data/x", peer);
	CHECK(T, xenbus_write(XBT_NIL, path, "x") == -XEN_EACCES, "wrote %s",
	      path);
	CHECK(T, xenbus_read(XBT_NIL, path, buf, 8) == -XEN_EACCES,
	      "learnt whether %s exists", path);
	snprintf(path, sizeof(path), "/local/domain/%u", peer);
	CHECK(T, xenbus_directory(XBT_NIL, path, buf, 8) == -XEN_EACCES,
	      "listed %s", path);
	CHECK(T, xenbus_rm(XBT_NIL, path) == -XEN_EACCES, "removed %s", path);
	CHECK(T, xenbus_set_perms(XBT_NIL, "data", "n0\0", 3) == -XEN_EPERM,
	      "gave its node away");
	n = xenbus_read(XBT_NIL, "vm", vm, sizeof(vm));
	CHECK(T, n > 4, "no vm path");
	snprintf(path, sizeof(path), "%s/name", vm);
	CHECK(T, xenbus_read(XBT_NIL, path, buf, sizeof(buf)) > 0,
	      "cannot read its own %s", path);
	CHECK(T, xenbus_directory(XBT_NIL, "/vm", buf, 8) == -XEN_EACCES,
	      "listed /vm");
	CHECK(T,
	      xenbus_request(XS_CONTROL, XBT_NIL, "check", 6, NULL, 0) ==
		  -XEN_EACCES,
	      "CONTROL from a guest");
	CHECK(T,
	      xenbus_request(XS_SET_QUOTA, XBT_NIL,
			     "nodes\0"
			     "0",
			     8, NULL, 0) == -XEN_EACCES,
	      "SET_QUOTA from a guest");
	return 0;
}

static int exhaust(void)
{
	char path[64];
	uint32_t tx[16];
	int n, rc = 0, i;

	for (n = 0; n < 2000 && rc == 0; n++) {
		snprintf(path, sizeof(path), "data/q%d", n);
		rc = xenbus_write(XBT_NIL, path, "x");
	}
	CHECK(T, rc == -XEN_ENOSPC, "node quota: %d after %d nodes", rc, n);
	printf("XENBUS-QUOTA-HIT nodes=%d\n", n - 1);
	CHECK(T, xenbus_rm(XBT_NIL, "data/q0") == 0, "rm at quota");
	CHECK(T, xenbus_write(XBT_NIL, "data/again", "x") == 0,
	      "no room after rm");
	for (i = 0, rc = 0; i < 200 && rc == 0; i++) {
		snprintf(path, sizeof(path), "data/w%d", i);
		rc = xenbus_watch(path, "q");
	}
	CHECK(T, rc == -XEN_E2BIG, "watch quota: %d after %d", rc, i);
	xenbus_request(XS_RESET_WATCHES, XBT_NIL, "", 1, NULL, 0);
	xenbus_flush_events();
	for (i = 0, rc = 0; i < 16 && rc == 0; i++)
		rc = xenbus_transaction_start(&tx[i]);
	CHECK(T, rc == -XEN_ENOSPC, "transaction quota: %d after %d", rc, i);
	for (int k = 0; k < i - 1; k++)
		xenbus_transaction_end(tx[k], 1);

	printf("XENBUS-QUOTAS-DONE\n");
	return 0;
}

static int victim(void)
{
	char path[128], tok[32], node[32];
	uint64_t t0 = xen_now();
	int rc;

	CHECK(T, xenbus_watch("data/go", "go") == 0, "watch data/go");
	printf("XENBUS-PERMS-READY\n");
	do {
		rc = xenbus_wait_event(path, sizeof(path), tok, sizeof(tok),
				       60000000000ull);
	} while (rc == 0 && !read_is(XBT_NIL, "data/go", "1") &&
		 xen_now() - t0 < 60000000000ull);
	CHECK(T, rc == 0, "dom0 never said go: %d", rc);
	for (int i = 0; i < 20; i++) {
		snprintf(node, sizeof(node), "data/v%d", i);
		rc = xenbus_write(XBT_NIL, node, "ok");
		CHECK(T, rc == 0, "write %s after the peer's quota: %d", node,
		      rc);
	}
	return 0;
}

void test_xenbus_perms(void)
{
	unsigned long peer = cmdline_num("peer", 0);
	char role[16];

	cmdline_opt("role", role, sizeof(role));
	if (xenbus_init())
		return test_fail(T, "no xenstore ring");
	if (peer && isolation((domid_t)peer))
		return;
	if (!strcmp(role, "noisy") && exhaust())
		return;
	if (!strcmp(role, "victim") && victim())
		return;
	test_pass(T);
}

#undef T
#define T "xenbus-restart"

void test_xenbus_restart(void)
{
	unsigned long rounds = cmdline_num("rounds", 300);
	char path[64], val[24], tok[32];
	uint32_t tx;
	int rc;

	if (xenbus_init() || xenbus_watch("data/final", "fin"))
		return test_fail(T, "no xenstore");
	for (unsigned long i = 0; i < rounds; i++) {
		snprintf(path, sizeof(path), "data/r%lu/%lu", i / 40, i);
		snprintf(val, sizeof(val), "%lu", i);
		rc = xenbus_write(XBT_NIL, path, val);
		if (rc || !read_is(XBT_NIL, path, val))
			return test_fail(T, "round %lu: %d", i, rc);
		if (i % 10 == 0) {
			do {
				rc = xenbus_transaction_start(&tx);
				if (!rc)
					rc = xenbus_write(tx, "data/tx", val);
				if (!rc || rc == -XEN_EAGAIN)
					rc = xenbus_transaction_end(tx, 0);
			} while (rc == -XEN_EAGAIN);
			if (rc || !read_is(XBT_NIL, "data/tx", val))
				return test_fail(T, "transaction %lu: %d", i,
						 rc);
		}
		if (i % 50 == 0)
			printf("XENBUS-ROUND %lu\n", i);
	}
	printf("XENBUS-ROUNDS-DONE requests=%lu stray=%lu\n", xenbus_requests,
	       xenbus_stray_replies);
	do {
		rc = xenbus_wait_event(path, sizeof(path), tok, sizeof(tok),
				       60000000000ull);
	} while (rc == 0 && !read_is(XBT_NIL, "data/final", "1"));
	if (rc)
		return test_fail(T, "watch lost across restarts: %d", rc);
	test_pass(T);
}
