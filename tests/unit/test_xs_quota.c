/*
 * Unit tests for xenstore quotas, with Xen's defaults and comparisons:
 * nodes, node size, permissions per node, watches, transactions, path
 * length, outstanding replies (a guest stalls, others go on), per-domain
 * overrides, and how CONTROL and GET/SET_QUOTA report them.
 */
#include "xs_test.h"

static struct xs_conn *d0, *g;

static void setup(void)
{
	xt_new_store();
	d0 = xt_dom0();
	WRITE(d0, "/local/domain/5", "");
	xt_chmod(d0, "/local/domain/5", "n5", NULL, NULL);
	g = xt_guest(5);
}

static void test_defaults(void)
{
	static const struct {
		enum xs_quota q;
		const char *name;
		uint32_t v;
	} want[] = {{XSQ_NODES, "nodes", 1000},
		    {XSQ_WATCHES, "watches", 128},
		    {XSQ_TRANSACTIONS, "transactions", 10},
		    {XSQ_OUTSTANDING, "outstanding", 20},
		    {XSQ_NODE_SIZE, "node-size", 2048},
		    {XSQ_PERMISSIONS, "permissions", 5},
		    {XSQ_TRANSACTION_NODES, "transaction-nodes", 1024},
		    {XSQ_PATH_MAX, "path-max", 2048}};

	setup();
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_EQUAL(xs_store_quota(st, want[i].q), want[i].v);
		CU_ASSERT_EQUAL(xs_quota_by_name(want[i].name), want[i].q);
	}
	CU_ASSERT_EQUAL(xs_quota_by_name("node-permissions"), XSQ_PERMISSIONS);
	CU_ASSERT_EQUAL(xs_quota_by_name("bogus"), -1);
}

static void test_nodes(void)
{
	char p[32];
	int i;
	const char *r = "OK|";

	setup();
	xs_store_set_quota(st, XSQ_NODES, 20);
	for (i = 0; i < 40 && !strcmp(r, "OK|"); i++) {
		snprintf(p, sizeof(p), "n%d", i);
		r = WRITE(g, p, "");
	}
	EXPECT(r, "!ENOSPC");
	CU_ASSERT_EQUAL(i, 20); /* 19 new + its home: 20 nodes */
	EXPECT(WRITE(g, "a/b/c", ""), "!ENOSPC");
	EXPECT(WRITE(d0, "/local/domain/5/byd0", ""), "OK|"); /* dom0 may */
	xt_req(g, XS_RM, 0, 1, "n0");
	xt_req(g, XS_RM, 0, 1, "n1");
	EXPECT(WRITE(g, "a/b", ""), "!ENOSPC"); /* byd0 is its too now */
	xt_req(g, XS_RM, 0, 1, "n2");
	EXPECT(WRITE(g, "a/b", ""), "OK|");
	/* a quota of 0 disables it */
	xs_store_set_quota(st, XSQ_NODES, 0);
	EXPECT(WRITE(g, "free/x/y/z", ""), "OK|");
}

static void test_node_size(void)
{
	char big[2100];

	setup();
	memset(big, 'x', sizeof(big));
	big[2015] = 0; /* 24 header + 8 per perm + value < 2048 */
	EXPECT(WRITE(g, "big", big), "OK|");
	big[2015] = 'x';
	big[2016] = 0;
	EXPECT(WRITE(g, "big", big), "!ENOSPC");
	EXPECT(WRITE(d0, "/local/domain/5/big", big), "OK|");
	/* a directory grows with its children's names */
	xs_store_set_quota(st, XSQ_NODE_SIZE, 64);
	EXPECT(WRITE(g, "d/aaaaaaaaaaaaaaa", ""), "OK|");
	EXPECT(WRITE(g, "d/bbbbbbbbbbbbbbb", ""), "!ENOSPC");
}

static void test_permissions(void)
{
	setup();
	WRITE(g, "p", "");
	EXPECT(xt_req(g, XS_SET_PERMS, 0, 6, "p", "n5", "r1", "r2", "r3", "r4"),
	       "OK|");
	EXPECT(xt_req(g, XS_SET_PERMS, 0, 7, "p", "n5", "r1", "r2", "r3", "r4",
		      "r6"),
	       "!ENOSPC");
	EXPECT(xt_req(d0, XS_SET_PERMS, 0, 7, "/local/domain/5/p", "n5", "r1",
		      "r2", "r3", "r4", "r6"),
	       "OK|");
}

static void test_watches(void)
{
	char p[32];
	int i;
	const char *r = "OK|";

	setup();
	xs_store_set_quota(st, XSQ_WATCHES, 4);
	for (i = 0; i < 10 && !strcmp(r, "OK|"); i++) {
		snprintf(p, sizeof(p), "w%d", i);
		r = xt_req(g, XS_WATCH, 0, 2, p, "t");
	}
	EXPECT(r, "!E2BIG");
	CU_ASSERT_EQUAL(i, 6); /* Xen: '>' quota, so quota + 1 watches */
	EXPECT(xt_req(d0, XS_WATCH, 0, 2, "/x", "t"), "OK|");
	xt_req(g, XS_RESET_WATCHES, 0, 0);
	EXPECT(xt_req(g, XS_WATCH, 0, 2, "w0", "t"), "OK|");
}

static void test_transactions(void)
{
	int i;
	const char *r = "1|";

	setup();
	xs_store_set_quota(st, XSQ_TRANSACTIONS, 2);
	for (i = 0; i < 10 && r[0] != '!'; i++)
		r = xt_req(g, XS_TRANSACTION_START, 0, 1, "");
	EXPECT(r, "!ENOSPC");
	CU_ASSERT_EQUAL(i, 4); /* '>' again: quota + 1 */
}

static void test_per_domain(void)
{
	struct xs_conn *g7;

	setup();
	g7 = xt_guest(7);
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 3, "5", "nodes", "1"), "OK|");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 2, "5", "nodes"), "1|");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 2, "7", "nodes"), "1000|");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 1, "nodes"), "1000|");
	EXPECT(WRITE(g, "x", ""), "!ENOSPC");
	EXPECT(WRITE(g7, "/local/domain/5/x", ""), "!EACCES");
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 2, "nodes", "900"), "OK|");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 2, "7", "nodes"), "900|");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 2, "5", "nodes"), "1|");
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 3, "99", "nodes", "1"), "!ENOENT");
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 3, "5", "bogus", "1"), "!EINVAL");
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 3, "5", "nodes", "-1"), "!EINVAL");
	EXPECT(xt_req(d0, XS_SET_QUOTA, 0, 1, "nodes"), "!EINVAL");
	EXPECT(xt_req(d0, XS_GET_QUOTA, 0, 3, "a", "b", "c"), "!EINVAL");
	CU_ASSERT(!strncmp(xt_req(d0, XS_GET_QUOTA, 0, 0),
			   "nodes watches transactions outstanding", 38));
}

static void test_control(void)
{
	const char *r;

	setup();
	WRITE(g, "a", "");
	r = xt_req(d0, XS_CONTROL, 0, 1, "quota");
	CU_ASSERT(!strncmp(r, "Quota settings:\n", 16));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r, "nodes            :     1000 Nodes per domain\n"));
	r = xt_req(d0, XS_CONTROL, 0, 2, "quota", "5");
	CU_ASSERT(!strncmp(r, "Domain 5:\nnodes           :        2\n", 36));
	EXPECT(xt_req(d0, XS_CONTROL, 0, 2, "quota", "77"), "!ENOENT");
	EXPECT(xt_req(d0, XS_CONTROL, 0, 4, "quota", "set", "watches", "7"),
	       "OK|");
	CU_ASSERT_EQUAL(xs_store_quota(st, XSQ_WATCHES), 7);
	EXPECT(xt_req(d0, XS_CONTROL, 0, 4, "quota", "set", "watches", "0"),
	       "!EINVAL");
	EXPECT(xt_req(d0, XS_CONTROL, 0, 3, "quota", "set", "watches"),
	       "!EINVAL");
	EXPECT(xt_req(d0, XS_CONTROL, 0, 1, "quota-soft"),
	       "Quota settings:\n|");
}

/*
 * A guest that does not read its replies stops being served once they
 * fill its response ring; with the outstanding quota, events it causes
 * for others count against it too. Others are served all along.
 */
static void test_outstanding(void)
{
	struct xs_conn *g7;
	struct xsd_sockmsg h = {XS_READ, 1, 0, 5};
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct xenstore_domain_interface *intf = (void *)page;
	char val[101];
	bool notify;
	uint32_t n = 0;

	setup();
	g7 = xt_guest(7);
	memset(val, 'v', 100);
	val[100] = 0;
	WRITE(d0, "/pub", val);
	xt_chmod(d0, "/pub", "r0", NULL, NULL);
	xs_ring_attach(g7, page);
	while (intf->req_prod - intf->req_cons + 21 <= 1024) {
		uint8_t m[21];

		h.req_id = n++;
		memcpy(m, &h, 16);
		memcpy(m + 16, "/pub", 5);
		for (int i = 0; i < 21; i++)
			intf->req[MASK_XENSTORE_IDX(intf->req_prod + i)] =
			    (char)m[i];
		intf->req_prod += 21;
	}
	xs_ring_service(g7, 100, &notify);
	CU_ASSERT(notify);
	CU_ASSERT(intf->req_cons != intf->req_prod); /* stalled */
	CU_ASSERT_EQUAL(intf->req_cons, 8 * 21);     /* 8 replies fit */
	CU_ASSERT_EQUAL(intf->rsp_prod - intf->rsp_cons, 1024); /* full */
	EXPECT(READ(g, "/local/domain/5"), ""); /* others go on */
	EXPECT(READ(d0, "/tool"), "");
	intf->rsp_cons = intf->rsp_prod; /* it reads: served again */
	xs_ring_service(g7, 100, &notify);
	CU_ASSERT_EQUAL(intf->req_cons, 17 * 21);
	/* its writes' events for a dom0 client that does not read count
	 * against it: at the quota it is not served */
	xs_store_set_quota(st, XSQ_OUTSTANDING, 3);
	WRITE(d0, "/local/domain/7", "");
	xt_chmod(d0, "/local/domain/7", "n7", NULL, NULL);
	xt_req(d0, XS_WATCH, 0, 2, "/local/domain/7", "w");
	intf->connection = XENSTORE_RECONNECT; /* a fresh ring */
	xs_ring_service(g7, 100, &notify);
	CU_ASSERT_EQUAL(intf->connection, XENSTORE_CONNECTED);
	CU_ASSERT_EQUAL(intf->req_prod + intf->rsp_prod, 0);
	for (int i = 0; i < 6; i++) {
		char m[40];
		struct xsd_sockmsg w = {XS_WRITE, 100u + (uint32_t)i, 0, 4};

		w.len = 4;
		memcpy(m, &w, 16);
		m[16] = 'x';
		m[17] = (char)('0' + i); /* distinct events: no dedup */
		m[18] = 0;
		m[19] = '1';

		memcpy(intf->req + intf->req_prod, m, 20);
		intf->req_prod += 20;
	}
	xs_ring_service(g7, 100, &notify);

	CU_ASSERT(intf->req_cons < 6 * 20); /* stalled on the quota */
	CU_ASSERT(intf->req_cons >= 2 * 20);
}

static CU_TestInfo tests[] = {
    {"defaults", test_defaults},
    {"nodes", test_nodes},
    {"node size", test_node_size},
    {"permissions per node", test_permissions},
    {"watches", test_watches},
    {"transactions", test_transactions},
    {"per domain", test_per_domain},
    {"control", test_control},
    {"outstanding", test_outstanding},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_quota", tests);

	xs_store_free(st);
	return rc;
}
