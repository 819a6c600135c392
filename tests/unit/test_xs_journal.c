/*
 * Unit tests for pvstored's persistence: a snapshot plus the journal
 * after it restore exactly the state (tree, permissions, generations,
 * domains, guest watches, quotas); a torn journal tail is dropped whole;
 * damaged files fail cleanly; a guest request handled just before a
 * crash is not handled twice and its reply still arrives.
 */
#include "xs_test.h"

static uint8_t *jbuf;
static size_t jlen;

static int sink(void *arg, const void *buf, size_t len)
{
	(void)arg;
	jbuf = realloc(jbuf, jlen + len);
	memcpy(jbuf + jlen, buf, len);
	jlen += len;
	return 0;
}

/* Starts journaling st into jbuf after a snapshot of generation 1. */
static void *start_journal(size_t *slen)
{
	void *snap;
	uint8_t hdr[XS_JOURNAL_HDR_LEN];

	free(jbuf);
	jbuf = NULL;
	jlen = 0;
	xs_journal_header(1, hdr);
	sink(NULL, hdr, sizeof(hdr));
	CU_ASSERT_FATAL(xs_snapshot_build(st, 1, &snap, slen) == 0);
	xs_journal_set_sink(st, sink, NULL);
	xs_journal_enable(st, true);
	return snap;
}

/* A text dump of the tree through a dom0 connection. */
static void dump(struct xs_conn *c, const char *path, char *out, size_t len)
{
	char kids[4096], child[8200];
	const char *r;
	size_t n = strlen(out);

	snprintf(out + n, len - n, "%s=%s[", path, READ(c, path));
	n = strlen(out);
	snprintf(out + n, len - n, "%s]\n", PERMS(c, path));
	snprintf(kids, sizeof(kids), "%s", xt_req(c, XS_DIRECTORY, 0, 1, path));
	for (char *k = kids, *bar; *k && (bar = strchr(k, '|')); k = bar + 1) {
		*bar = 0;
		snprintf(child, sizeof(child), "%s/%s",
			 strcmp(path, "/") ? path : "", k);
		dump(c, child, out, len);
	}

	r = xt_req(c, XS_CONTROL, 0, 1, "quota");
	(void)r;
}

static char *state_of(struct xs_store *s)
{
	struct xs_store *saved = st;
	char *out = calloc(1, 1 << 20);
	struct xs_conn *c;

	st = s;
	c = xt_dom0();
	dump(c, "/", out, 1 << 20);
	for (uint32_t d = 1; d < 20; d++) {
		const char *r = xt_req(c, XS_IS_DOMAIN_INTRODUCED, 0, 1,
				       d == 1	? "1"
				       : d == 5 ? "5"
				       : d == 7 ? "7"
						: "9");
		strncat(out, r, 4);
	}
	strncat(out, xt_req(c, XS_GET_QUOTA, 0, 2, "5", "nodes"), 16);
	strncat(out, xt_req(c, XS_GET_QUOTA, 0, 1, "watches"), 16);
	xs_conn_free(c);
	st = saved;
	return out;
}

static struct xs_store *restore(const void *snap, size_t slen, const void *j,
				size_t jl, size_t *good, int *rc)
{
	struct xs_store *s;
	uint64_t gen;
	char err[128];

	CU_ASSERT_FATAL(xs_store_new(NULL, &s) == 0);
	*rc = xs_restore(s, snap, slen, j, jl, good, &gen, err, sizeof(err));
	return s;
}

static void work(void)
{
	struct xs_conn *c = xt_dom0(), *g;
	char p[32];

	WRITE(c, "/local/domain/5", "");
	xt_chmod(c, "/local/domain/5", "n5", "r0", NULL);
	g = xt_guest(5);
	for (int i = 0; i < 50; i++) {
		snprintf(p, sizeof(p), "dir%d/k%d", i % 5, i);
		WRITE(g, p, "value");
	}
	xt_req(g, XS_RM, 0, 1, "dir3");
	xt_req(g, XS_WATCH, 0, 2, "dir1", "tok");
	xt_req(c, XS_SET_QUOTA, 0, 3, "5", "nodes", "321");
	xt_req(c, XS_SET_QUOTA, 0, 2, "watches", "64");
	WRITE(c, "/x/y", "z");
	xt_chmod(c, "/x/y", "n0", "r5", "w7");
	xt_guest(7);
	xs_domain_release(st, 7);
	xs_conn_free(c);
}

static void test_roundtrip(void)
{
	struct xs_store *b;
	size_t slen, good;
	void *snap;
	char *sa, *sb;
	int rc;

	xt_new_store();
	snap = start_journal(&slen);
	work();
	xs_journal_flush(st);
	b = restore(snap, slen, jbuf, jlen, &good, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(good, jlen);
	sa = state_of(st);
	sb = state_of(b);
	CU_ASSERT_STRING_EQUAL(sa, sb);
	CU_ASSERT_EQUAL(xs_store_generation(st), xs_store_generation(b));
	free(sb);
	xs_store_free(b);
	/* a snapshot of it all restores the same */
	free(snap);
	CU_ASSERT_FATAL(xs_snapshot_build(st, 2, &snap, &slen) == 0);
	b = restore(snap, slen, NULL, 0, &good, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	sb = state_of(b);
	CU_ASSERT_STRING_EQUAL(sa, sb);
	free(sa);
	free(sb);
	xs_store_free(b);
	free(snap);
}

/* Any prefix of the journal restores some earlier state, never fails. */
static void test_torn_tail(void)
{
	size_t slen, good, full;
	void *snap;
	int rc, ok = 0;

	xt_new_store();
	snap = start_journal(&slen);
	work();
	xs_journal_flush(st);
	full = jlen;
	for (size_t cut = 0; cut <= full; cut += 7) {
		struct xs_store *b = restore(snap, slen, jbuf, cut, &good, &rc);

		ok += rc == 0 && good <= cut;
		xs_store_free(b);
	}
	CU_ASSERT_EQUAL(ok, (int)(full / 7) + 1);
	free(snap);
}

static void test_damage(void)
{
	size_t slen, good;
	uint8_t *snap;
	struct xs_store *b;
	int rc;
	uint8_t hdr[XS_JOURNAL_HDR_LEN];

	xt_new_store();
	snap = start_journal(&slen);
	work();
	xs_journal_flush(st);
	/* a flipped byte in the snapshot: refused, empty store */
	snap[slen / 2] ^= 0x40;
	b = restore(snap, slen, jbuf, jlen, &good, &rc);
	CU_ASSERT_EQUAL(rc, -EINVAL);
	CU_ASSERT_EQUAL(xs_store_nodes(b), 3);
	xs_store_free(b);
	snap[slen / 2] ^= 0x40;
	/* not a snapshot at all */
	b = restore(jbuf, jlen, NULL, 0, &good, &rc);
	CU_ASSERT(rc < 0);
	xs_store_free(b);
	/* a journal of another generation is ignored */
	xs_journal_header(7, hdr);
	memcpy(jbuf, hdr, sizeof(hdr));
	b = restore(snap, slen, jbuf, jlen, &good, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(good, 0);
	xs_store_free(b);
	/* random damage in the journal never crashes */
	xs_journal_header(1, hdr);
	memcpy(jbuf, hdr, sizeof(hdr));
	srand(7);
	for (int i = 0; i < 300; i++) {
		size_t at = XS_JOURNAL_HDR_LEN +
			    (size_t)rand() % (jlen - XS_JOURNAL_HDR_LEN);
		uint8_t old = jbuf[at];

		jbuf[at] = (uint8_t)rand();
		b = restore(snap, slen, jbuf, jlen, &good, &rc);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT(good <= at + 1 || jbuf[at] == old);
		xs_store_free(b);
		jbuf[at] = old;
	}
	free(snap);
}

/* Puts one message in the ring's request queue. */
static void ring_put(struct xenstore_domain_interface *intf, uint32_t type,
		     uint32_t rid, const void *p, uint32_t len)
{
	struct xsd_sockmsg h = {type, rid, 0, len};
	uint8_t m[64];

	memcpy(m, &h, 16);
	memcpy(m + 16, p, len);
	for (uint32_t i = 0; i < 16 + len; i++)
		intf->req[MASK_XENSTORE_IDX(intf->req_prod + i)] = (char)m[i];
	intf->req_prod += 16 + len;
}

/*
 * The crash window of a guest request: handled and journaled, but the
 * reply not in the ring and the request not consumed. The restarted
 * store must deliver the saved reply, not handle the request again.
 */
static void test_ring_recovery(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct xenstore_domain_interface *intf = (void *)page;
	struct xs_conn *g, *c;
	struct xs_store *b;
	struct xs_domain *d;
	size_t slen, good;
	void *snap;
	uint32_t cons0, rsp0, rid;

	bool notify;
	int rc;

	xt_new_store();
	c = xt_dom0();
	WRITE(c, "/local/domain/5", "");
	xt_chmod(c, "/local/domain/5", "n5", NULL, NULL);
	snap = start_journal(&slen);
	g = xt_guest(5);
	xs_ring_attach(g, page);
	ring_put(intf, XS_TRANSACTION_START, 41, "", 1);
	ring_put(intf, XS_WRITE, 42, "k\0v", 3);
	xs_ring_service(g, 10, &notify);
	CU_ASSERT_EQUAL(intf->req_cons, intf->req_prod);
	CU_ASSERT_EQUAL(intf->rsp_prod, 2 * 16 + 2 + 3);
	xs_journal_flush(st);
	/* crash before the ring saw the write's reply */
	cons0 = intf->req_cons - 19;
	rsp0 = intf->rsp_prod - 19;
	intf->req_cons = cons0;
	intf->rsp_prod = rsp0;
	memset(intf->rsp + MASK_XENSTORE_IDX(rsp0), 0xee, 19);
	b = restore(snap, slen, jbuf, jlen, &good, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	d = xs_domain_find(b, 5);
	CU_ASSERT_FATAL(d && xs_domain_conn(d));
	xs_ring_attach(xs_domain_conn(d), page);
	xs_ring_service(xs_domain_conn(d), 10, &notify);
	CU_ASSERT_EQUAL(intf->req_cons, intf->req_prod);
	CU_ASSERT_EQUAL(intf->rsp_prod, rsp0 + 19);
	CU_ASSERT(!memcmp(intf->rsp + MASK_XENSTORE_IDX(rsp0) + 16, "OK", 3));
	memcpy(&rid, intf->rsp + MASK_XENSTORE_IDX(rsp0) + 4, 4);
	CU_ASSERT_EQUAL(rid, 42);
	/* the open transaction is stale now: EAGAIN, retry works */
	ring_put(intf, XS_WRITE, 43, "k\0w", 3);
	rid = 1; /* the transaction id, in the header just put */
	memcpy(intf->req + MASK_XENSTORE_IDX(intf->req_prod - 19) + 8, &rid, 4);
	xs_ring_service(xs_domain_conn(d), 10, &notify);
	CU_ASSERT(!memcmp(intf->rsp + MASK_XENSTORE_IDX(intf->rsp_prod - 7),
			  "EAGAIN", 7));
	xs_store_free(b);
	free(snap);
}

static CU_TestInfo tests[] = {
    {"roundtrip", test_roundtrip},
    {"torn tail", test_torn_tail},
    {"damaged files", test_damage},
    {"ring recovery", test_ring_recovery},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_journal", tests);

	xs_store_free(st);
	free(jbuf);
	return rc;
}
