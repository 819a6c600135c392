/*
 * Unit tests for xenstore transactions: isolation, per-node conflict
 * detection (EAGAIN), watch events at commit, ids, nesting, aborts,
 * quotas counted inside a transaction.
 */
#include "xs_test.h"

static struct xs_conn *a, *b;

static uint32_t start(struct xs_conn *c)
{
	const char *r = xt_req(c, XS_TRANSACTION_START, 0, 1, "");

	return (uint32_t)strtoul(r, NULL, 10);
}

static const char *end(struct xs_conn *c, uint32_t tx, const char *how)
{
	return xt_req(c, XS_TRANSACTION_END, tx, 1, how);
}

static void setup(void)
{
	xt_new_store();
	a = xt_dom0();
	b = xt_dom0();
	WRITE(a, "/t/x", "1");
	WRITE(a, "/t/y", "2");
}

static void test_isolation(void)
{
	uint32_t t;

	setup();
	t = start(a);
	CU_ASSERT(t != 0);
	EXPECT(xt_write(a, t, "/t/z", "3"), "OK|");
	EXPECT(xt_req(a, XS_READ, t, 1, "/t/z"), "3");
	EXPECT(READ(a, "/t/z"), "!ENOENT");
	EXPECT(READ(b, "/t/z"), "!ENOENT");
	EXPECT(xt_req(a, XS_DIRECTORY, t, 1, "/t"), "x|y|z|");
	EXPECT(xt_req(a, XS_RM, t, 1, "/t/x"), "OK|");
	EXPECT(xt_req(a, XS_READ, t, 1, "/t/x"), "!ENOENT");
	EXPECT(READ(b, "/t/x"), "1");
	EXPECT(end(a, t, "T"), "OK|");
	EXPECT(READ(b, "/t/z"), "3");
	EXPECT(READ(b, "/t/x"), "!ENOENT");
	EXPECT(xt_req(b, XS_DIRECTORY, 0, 1, "/t"), "y|z|");
}

static void test_abort(void)
{
	uint32_t t;

	setup();
	t = start(a);
	xt_write(a, t, "/t/x", "changed");
	xt_req(a, XS_RM, t, 1, "/t/y");
	EXPECT(end(a, t, "F"), "OK|");
	EXPECT(READ(a, "/t/x"), "1");
	EXPECT(READ(a, "/t/y"), "2");
	EXPECT(end(a, t, "F"), "!ENOENT");
}

static void test_conflicts(void)
{
	uint32_t t;

	setup();
	/* a node it read changed */
	t = start(a);
	xt_req(a, XS_READ, t, 1, "/t/x");
	WRITE(b, "/t/x", "b");
	xt_write(a, t, "/t/other", "");
	EXPECT(end(a, t, "T"), "!EAGAIN");
	EXPECT(READ(a, "/t/other"), "!ENOENT");
	/* a node it did not touch changed: fine */
	t = start(a);
	xt_req(a, XS_READ, t, 1, "/t/x");
	WRITE(b, "/t/y", "b");
	EXPECT(end(a, t, "T"), "OK|");
	/* a node it saw absent appeared */
	t = start(a);
	xt_req(a, XS_READ, t, 1, "/t/absent");
	WRITE(b, "/t/absent", "");
	EXPECT(end(a, t, "T"), "!EAGAIN");
	/* both created children of the same parent */
	t = start(a);
	xt_write(a, t, "/t/n1", "");
	WRITE(b, "/t/n2", "");
	EXPECT(end(a, t, "T"), "!EAGAIN");
	/* a node it read was removed */
	t = start(a);
	xt_req(a, XS_READ, t, 1, "/t/n2");
	xt_req(b, XS_RM, 0, 1, "/t/n2");
	EXPECT(end(a, t, "T"), "!EAGAIN");
	/* the transaction is gone after any end */
	EXPECT(end(a, t, "T"), "!ENOENT");
}

static void test_events_at_commit(void)
{
	uint32_t t;

	setup();
	xt_req(b, XS_WATCH, 0, 2, "/t", "w");
	EXPECT(xt_event(b), "/t|w|");
	t = start(a);
	xt_write(a, t, "/t/x", "new");
	xt_req(a, XS_RM, t, 1, "/t/y");
	EXPECT(xt_event(b), "");
	EXPECT(end(a, t, "T"), "OK|");
	EXPECT(xt_event(b), "/t/x|w|");
	EXPECT(xt_event(b), "/t/y|w|");
	EXPECT(xt_event(b), "");
	t = start(a);
	xt_write(a, t, "/t/x", "dropped");
	end(a, t, "F");
	EXPECT(xt_event(b), "");
	/* a node created and removed inside: nobody hears of it (Xen) */
	t = start(a);
	xt_write(a, t, "/t/tmp", "");
	xt_write(a, t, "/t/x", "a");
	xt_write(a, t, "/t/x", "b");
	xt_req(a, XS_RM, t, 1, "/t/tmp");
	EXPECT(end(a, t, "T"), "OK|");
	EXPECT(xt_event(b), "/t/x|w|"); /* once for two writes */
	EXPECT(xt_event(b), "");
}

static void test_protocol(void)
{
	uint32_t t, t2;

	setup();
	t = start(a);
	t2 = start(a);
	CU_ASSERT(t2 == t + 1);
	EXPECT(xt_req(a, XS_TRANSACTION_START, t, 1, ""), "!EBUSY");
	EXPECT(xt_req(a, XS_READ, 999, 1, "/t/x"), "!ENOENT");
	EXPECT(xt_req(b, XS_READ, t, 1, "/t/x"), "!ENOENT"); /* a's */
	EXPECT(end(a, 0, "T"), "!ENOENT");
	EXPECT(end(a, t, "X"), "!EINVAL");
	EXPECT(xt_raw(a, XS_TRANSACTION_END, t, "", 0), "!EINVAL");
	/* watches ignore the transaction id */
	EXPECT(xt_req(a, XS_WATCH, 12345, 2, "/t", "k"), "OK|");
	EXPECT(xt_req(a, XS_UNWATCH, 12345, 2, "/t", "k"), "OK|");
	EXPECT(end(a, t, "T"), "OK|");
	/* RESET_WATCHES ends transactions too */
	EXPECT(xt_req(a, XS_RESET_WATCHES, 0, 0), "OK|");
	EXPECT(end(a, t2, "T"), "!ENOENT");
	/* permissions and directory part inside */
	t = start(a);
	EXPECT(xt_req(a, XS_SET_PERMS, t, 2, "/t/x", "n3"), "OK|");
	EXPECT(xt_req(a, XS_GET_PERMS, t, 1, "/t/x"), "n3|");
	EXPECT(PERMS(a, "/t/x"), "n0|");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(xt_req(a, XS_DIRECTORY_PART, t, 2, "/t", "0"), "|x|y||"));
	EXPECT(end(a, t, "T"), "OK|");
	EXPECT(PERMS(a, "/t/x"), "n3|");
}

/* A guest's node quota counts what its open transaction created. */
static void test_quota_in_transaction(void)
{
	struct xs_conn *g;
	char path[32];
	uint32_t t;

	setup();
	WRITE(a, "/local/domain/5", "");
	xt_chmod(a, "/local/domain/5", "n5", NULL, NULL);
	xs_store_set_quota(st, XSQ_NODES, 5);
	g = xt_guest(5); /* owns /local/domain/5 already: 1 node */
	t = start(g);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		EXPECT(xt_write(g, t, path, ""), "OK|");
	}
	EXPECT(xt_write(g, t, "n4", ""), "!ENOSPC");
	/* meanwhile it uses its quota outside the transaction */
	xt_req(g, XS_RM, t, 1, "n3");
	EXPECT(WRITE(g, "out", ""), "OK|");
	EXPECT(end(g, t, "T"), "!EAGAIN"); /* the parent changed */
	xs_store_set_quota(st, XSQ_TRANSACTIONS, 1);
	t = start(g);
	CU_ASSERT(t != 0);
	start(g);
	EXPECT(xt_req(g, XS_TRANSACTION_START, 0, 1, ""), "!ENOSPC");
	xs_store_set_quota(st, XSQ_TRANSACTION_NODES, 3);
	xs_store_set_quota(st, XSQ_TRANSACTIONS, 10);
	t = start(g);
	xt_req(g, XS_READ, t, 1, "/local/domain/5/out");
	/* /a and, to check its parent, /local/domain/5: 3 nodes touched */
	EXPECT(xt_req(g, XS_READ, t, 1, "/local/domain/5/a"), "!ENOENT");
	EXPECT(xt_req(g, XS_READ, t, 1, "/local/domain/5/b"), "!ENOSPC");
}

static CU_TestInfo tests[] = {
    {"isolation", test_isolation},
    {"abort", test_abort},
    {"conflicts", test_conflicts},
    {"events at commit", test_events_at_commit},
    {"protocol", test_protocol},
    {"quotas inside", test_quota_in_transaction},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_txn", tests);

	xs_store_free(st);
	return rc;
}
