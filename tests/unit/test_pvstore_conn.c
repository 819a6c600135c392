/*
 * Unit tests for libpvstore's connection logic against a fake daemon (a
 * thread with a tiny in-memory store on a unix socket): requests and
 * replies, events interleaved with replies, DIRECTORY_PART, reconnection
 * with watches and transactions, timeouts, threads, autostart. The same
 * program is the fake pvstored for the autostart test (--rundir DIR
 * --daemon --ready-fd N).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <pvstore/wire.h>

#include "pvstore_fake.h"
#include "unit.h"

static struct pvstore *open_fake(unsigned flags)
{
	struct pvstore *h = NULL;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(pvstore_open(F.sock, flags, &h, err, sizeof(err)),
			      0);
	return h;
}

/* ---------------------------------------------------------------- tests */

static void test_basic_ops(void)
{
	struct pvstore_perm set[2] = {{0, PVSTORE_PERM_NONE},
				      {3, PVSTORE_PERM_READ}},
			    *perms;
	struct pvstore *h;
	char *v, **names;
	size_t len;
	unsigned n;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a/b", "hello", 5), 0);
	CU_ASSERT(memcmp(F.last_payload, "/a/b\0hello", 10) == 0);
	CU_ASSERT_EQUAL(F.last.len, 10); /* no NUL after the value */
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/a/b", &v, &len), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(v, "hello"); /* NUL-terminated for us */
	free(v);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/nope", &v, &len), -ENOENT);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/a"), 0);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/nope"), -ENOENT);
	CU_ASSERT_EQUAL(pvstore_mkdir(h, 0, "/a/c"), 0);
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/a", &names, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(names[0], "b");
	CU_ASSERT_STRING_EQUAL(names[1], "c");
	CU_ASSERT_PTR_NULL(names[2]);
	free(names);
	CU_ASSERT_EQUAL(pvstore_set_perms(h, 0, "/a/b", set, 2), 0);
	CU_ASSERT(memcmp(F.last_payload, "/a/b\0n0\0r3\0", 11) == 0);
	CU_ASSERT_EQUAL(pvstore_get_perms(h, 0, "/a/b", &perms, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(perms[1].domid, 3);
	CU_ASSERT_EQUAL(perms[1].access, PVSTORE_PERM_READ);
	free(perms);
	CU_ASSERT_EQUAL(pvstore_set_perms(h, 0, "/a/b", set, 0), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_rm(h, 0, "/a"), 0);
	CU_ASSERT_EQUAL(pvstore_exists(h, 0, "/a/b"), -ENOENT);
	pvstore_close(h);
	fake_stop();
}

/* Bad arguments never reach the daemon. */
static void test_checked_locally(void)
{
	static char big[XENSTORE_PAYLOAD_MAX];
	struct pvstore *h;
	char *v;
	int before;

	fake_start();
	h = open_fake(0);
	before = F.requests;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/a//b", &v, NULL), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a/", "x", 1), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a", big, sizeof(big)), -E2BIG);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/a b", "t"), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_rm(h, 0, "@introduceDomain"), -EINVAL);
	CU_ASSERT_EQUAL(pvstore_read(h, 99, "/a", &v, NULL), -EINVAL); /* tx */
	CU_ASSERT_EQUAL(pvstore_get_quota(h, 70000, "nodes", NULL), -EINVAL);
	CU_ASSERT_EQUAL(F.requests, before);
	/* The biggest write that fits does go. */
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/a", big, sizeof(big) - 3), 0);
	pvstore_close(h);
	fake_stop();
}

static void test_events_and_replies(void)
{
	struct pvstore_event *ev;
	struct pollfd p;
	struct pvstore *h;
	char *v;

	fake_start();
	h = open_fake(0);
	p = (struct pollfd){.fd = pvstore_fd(h), .events = POLLIN};
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/w", "tok1"), 0);
	CU_ASSERT(memcmp(F.last_payload, "/w\0tok1\0", 8) == 0);
	/* The initial event: the fd says so, and it is delivered. */
	CU_ASSERT_EQUAL(poll(&p, 1, 1000), 1);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/w");
	CU_ASSERT_STRING_EQUAL(ev->token, "tok1");
	free(ev);
	/* An event that arrives before a reply is kept for later, and a
	 * reply to someone else's request is skipped. */
	F.event_first = 1;
	F.stray = 1;
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/x", "1", 1), 0);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/x", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "1");
	free(v);
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 1); /* queued: the fd is readable */
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/ev");
	free(ev);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 0), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 50), -ETIMEDOUT);
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	CU_ASSERT_EQUAL(pvstore_unwatch(h, "/w", "tok1"), 0);
	CU_ASSERT_EQUAL(pvstore_reset_watches(h), 0);
	pvstore_close(h);
	fake_stop();
}

static void test_directory_part(void)
{
	struct pvstore *h;
	char path[96], **names;
	unsigned n;

	fake_start();
	for (int i = 0; i < 400; i++) {
		snprintf(path, sizeof(path), "/big/a-long-child-name-%04d", i);
		fake_create(path);
	}
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), 0);
	CU_ASSERT_EQUAL(F.last.type, XS_DIRECTORY_PART);
	CU_ASSERT_EQUAL(n, 400);
	CU_ASSERT_STRING_EQUAL(names[0], "a-long-child-name-0000");
	CU_ASSERT_STRING_EQUAL(names[399], "a-long-child-name-0399");
	CU_ASSERT_PTR_NULL(names[400]);
	free(names);
	/* The node changes during the listing: it is listed again. */
	F.bump_gen = 2;
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), 0);
	CU_ASSERT_EQUAL(n, 400);
	CU_ASSERT_STRING_EQUAL(names[399], "a-long-child-name-0399");
	free(names);
	/* ... and gives up when it keeps changing. */
	F.bump_gen = 1000;
	CU_ASSERT_EQUAL(pvstore_directory(h, 0, "/big", &names, &n), -EAGAIN);
	F.bump_gen = 0;
	pvstore_close(h);
	fake_stop();
}

static void test_reconnect(void)
{
	struct pvstore_event *ev;
	struct pvstore *h;
	char *v;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/k", "v", 1), 0);
	CU_ASSERT_EQUAL(pvstore_watch(h, "/k", "t"), 0);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	free(ev);
	/* The daemon drops the connection instead of answering: the read
	 * reconnects, the watch is registered again, the read is retried. */
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "v");
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 1);
	CU_ASSERT_EQUAL(F.conns, 2);
	CU_ASSERT_EQUAL(F.watch_reqs, 2);
	CU_ASSERT_EQUAL(pvstore_next_watch_event(h, &ev, 1000), 0);
	CU_ASSERT_STRING_EQUAL(ev->path, "/k"); /* fired again: re-check */
	free(ev);
	/* Away for 300 ms: the retries wait for it. */
	F.drop_at = F.requests + 1;
	F.down_ms = 300;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 2);
	/* Away for longer than the reconnect timeout: a clear error, and
	 * the handle recovers once the daemon is back. */
	pvstore_set_timeouts(h, -1, 100);
	F.drop_at = F.requests + 1;
	F.down_ms = 500;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -ENOTCONN);
	usleep(600000);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), 0);
	free(v);
	pvstore_close(h);
	/* Without reconnection, the error is the connection's. */
	h = open_fake(PVSTORE_NO_RECONNECT);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -EPIPE);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/k", &v, NULL), -ENOTCONN);
	pvstore_close(h);
	fake_stop();
}

static void test_transactions(void)
{
	struct pvstore *h;
	pvstore_tx_t tx, tx2;
	char *v;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_NOT_EQUAL(tx, PVSTORE_NO_TX);
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "1", 1), 0);
	CU_ASSERT_EQUAL(F.last.tx_id, 1); /* the daemon's id on the wire */
	F.tx_conflict = 1;
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EINVAL);

	/* The daemon goes away inside a transaction: every request in it
	 * fails with EAGAIN, so does its commit; a new one works. */
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "2", 1), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_read(h, tx, "/t", &v, NULL), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), -EAGAIN);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_EQUAL(pvstore_write(h, tx, "/t", "3", 1), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, true), 0);
	/* An abort of a transaction lost that way is fine. */
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_start(h, &tx2), 0);
	CU_ASSERT_NOT_EQUAL(tx, tx2);
	F.drop_at = F.requests + 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/t", &v, NULL), 0); /* retried */
	free(v);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx, false), 0);
	CU_ASSERT_EQUAL(pvstore_transaction_end(h, tx2, true), -EAGAIN);
	pvstore_close(h);
	fake_stop();
}

static void test_protocol_errors(void)
{
	struct pvstore *h;
	char *v;

	fake_start();
	/* An oversized reply header ends the connection: an error without
	 * reconnection, a retried request with it. */
	h = open_fake(PVSTORE_NO_RECONNECT);
	F.oversize = 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), -EPROTO);
	pvstore_close(h);
	h = open_fake(0);
	F.oversize = 1;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), 0);
	free(v);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 1);
	/* A reply that does not come: ETIMEDOUT, then the next call works. */
	pvstore_set_timeouts(h, 100, 1000);
	F.delay_ms = 400;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), -ETIMEDOUT);
	F.delay_ms = 0;
	pvstore_set_timeouts(h, 2000, 1000); /* the fake serves one at a time */
	v = NULL;
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/", &v, NULL), 0);
	CU_ASSERT_EQUAL(pvstore_reconnects(h), 2);
	free(v);
	pvstore_close(h);
	fake_stop();
}

static void test_dom0_ops(void)
{
	struct pvstore *h;
	const char *args[] = {"print", "hello"};
	char *s;
	size_t len;
	uint32_t val;
	bool yes;

	fake_start();
	h = open_fake(0);
	CU_ASSERT_EQUAL(pvstore_introduce(h, 3, 0xfeffc, 1), 0);
	CU_ASSERT_EQUAL(F.last.type, XS_INTRODUCE);
	CU_ASSERT(memcmp(F.last_payload, "3\0001044476\0001\0", 12) == 0);
	CU_ASSERT_EQUAL(pvstore_is_domain_introduced(h, 1, &yes), 0);
	CU_ASSERT(yes);
	CU_ASSERT_EQUAL(pvstore_is_domain_introduced(h, 2, &yes), 0);
	CU_ASSERT(!yes);
	CU_ASSERT_EQUAL(pvstore_get_domain_path(h, 7, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "/local/domain/7");
	free(s);
	CU_ASSERT_EQUAL(pvstore_release(h, 3), 0);
	CU_ASSERT_EQUAL(pvstore_resume(h, 3), 0);
	CU_ASSERT_EQUAL(pvstore_set_target(h, 4, 3), 0);
	CU_ASSERT(memcmp(F.last_payload, "4\0003\0", 4) == 0);
	CU_ASSERT_EQUAL(pvstore_control(h, args, 2, &s, &len), 0);
	CU_ASSERT(memcmp(F.last_payload, "print\0hello\0", 12) == 0);
	CU_ASSERT_STRING_EQUAL(s, "done\n");
	free(s);
	CU_ASSERT_EQUAL(pvstore_get_quota(h, PVSTORE_GLOBAL, "nodes", &val), 0);
	CU_ASSERT_EQUAL(val, 42);
	CU_ASSERT(memcmp(F.last_payload, "nodes\0", 6) == 0);
	CU_ASSERT_EQUAL(pvstore_get_quota(h, 5, "nodes", &val), 0);
	CU_ASSERT(memcmp(F.last_payload, "5\0nodes\0", 8) == 0);
	CU_ASSERT_EQUAL(pvstore_set_quota(h, 5, "nodes", 9), 0);
	CU_ASSERT(memcmp(F.last_payload, "5\0nodes\0009\0", 10) == 0);
	CU_ASSERT_EQUAL(pvstore_quota_names(h, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "nodes watches");
	free(s);
	CU_ASSERT_EQUAL(pvstore_get_features(h, PVSTORE_GLOBAL, &val), 0);
	CU_ASSERT_EQUAL(F.last.len, 0);
	CU_ASSERT_EQUAL(val, 1);
	CU_ASSERT_EQUAL(pvstore_set_features(h, 3, 1), 0);
	pvstore_close(h);
	fake_stop();
}

static struct pvstore *shared;

static void *writer(void *arg)
{
	char path[32], *v;
	long id = (long)arg, bad = 0;

	for (int i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/th/%ld", id);
		if (pvstore_write(shared, 0, path, path, strlen(path)) < 0 ||
		    pvstore_read(shared, 0, path, &v, NULL) < 0) {
			bad++;
			continue;
		}
		bad += strcmp(v, path) != 0;
		free(v);
	}
	return (void *)bad;
}

static void *waiter(void *arg)
{
	struct pvstore_event *ev;
	long got = 0;

	(void)arg;
	while (pvstore_next_watch_event(shared, &ev, 2000) == 0) {
		got += !strcmp(ev->token, "threads");
		free(ev);
		if (got)
			break;
	}
	return (void *)got;
}

/* One handle, several threads: replies reach the right caller and an
 * event reaches the thread waiting for it. */
static void test_threads(void)
{
	pthread_t t[5];
	void *r;

	fake_start();
	shared = open_fake(0);
	pthread_create(&t[4], NULL, waiter, NULL);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	usleep(20000);
	CU_ASSERT_EQUAL(pvstore_watch(shared, "/th", "threads"), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &r);
		CU_ASSERT_PTR_NULL(r);
	}
	pthread_join(t[4], &r);
	CU_ASSERT_PTR_EQUAL(r, (void *)1);
	pvstore_close(shared);
	fake_stop();
}

static void test_autostart(void)
{
	char dir[64] = "/tmp/pvstore-auto.XXXXXX", rundir[128], self[PATH_MAX];
	char err[512], *v;
	struct pvstore *h = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int rc;

	CU_ASSERT_FATAL(n > 0 && mkdtemp(dir));
	self[n] = 0;
	snprintf(rundir, sizeof(rundir), "%s/run/xenstored", dir);
	setenv("XENSTORED_RUNDIR", rundir, 1);
	/* Nothing answers and nothing can be started: a clear error. */
	setenv("PVSTORED_BIN", "/nonexistent/pvstored", 1);
	rc = pvstore_open(NULL, PVSTORE_AUTOSTART, &h, err, sizeof(err));
	CU_ASSERT_EQUAL(rc, -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err, "/nonexistent/pvstored: No such file"));
	/* Without autostart: no attempt. */
	rc = pvstore_open(NULL, 0, &h, err, sizeof(err));
	CU_ASSERT(rc == -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot connect to xenstore at"));
	/* This program plays pvstored (see main). */
	setenv("PVSTORED_BIN", self, 1);
	rc = pvstore_open(NULL, PVSTORE_AUTOSTART, &h, err, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(pvstore_write(h, 0, "/auto", "yes", 3), 0);
	CU_ASSERT_EQUAL(pvstore_read(h, 0, "/auto", &v, NULL), 0);
	CU_ASSERT_STRING_EQUAL(v, "yes");
	free(v);
	pvstore_close(h); /* the fake pvstored exits with its client */
	unsetenv("XENSTORED_RUNDIR");
	unsetenv("PVSTORED_BIN");
	for (int i = 0; i < 100 && access(rundir, F_OK) == 0; i++) {
		char sock[160];

		snprintf(sock, sizeof(sock), "%s/socket", rundir);
		if (access(sock, F_OK) < 0 && rmdir(rundir) == 0)
			break;
		usleep(10000);
	}
	snprintf(rundir, sizeof(rundir), "%s/run", dir);
	rmdir(rundir);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static CU_TestInfo tests[] = {
    {"read, write, mkdir, rm, directory, perms", test_basic_ops},
    {"bad arguments checked locally", test_checked_locally},
    {"watch events between replies", test_events_and_replies},
    {"DIRECTORY_PART", test_directory_part},
    {"reconnection and watches", test_reconnect},
    {"transactions across a reconnection", test_transactions},
    {"oversized replies, timeouts", test_protocol_errors},
    {"dom0 operations", test_dom0_ops},
    {"threads sharing a handle", test_threads},
    {"autostart", test_autostart},
    CU_TEST_INFO_NULL,
};

int main(int argc, char **argv)
{
	/* Started by libpvstore's autostart as pvstored would be. */
	if (argc == 6 && !strcmp(argv[1], "--rundir") &&
	    !strcmp(argv[3], "--daemon") && !strcmp(argv[4], "--ready-fd"))
		return fake_pvstored(argv[2], atoi(argv[5]));
	return unit_run("pvstore_conn", tests);
}
