/*
 * Unit tests for the guest ring (Xen's xenstore-ring.txt) on a page in
 * memory: messages arriving in pieces or longer than the ring, indexes
 * wrapping, a bounded amount of work per call, the reconnection and
 * error fields, and hostile indexes and lengths.
 */
#include "xs_test.h"

static uint8_t page[4096] __attribute__((aligned(4096)));
static struct xenstore_domain_interface *intf = (void *)page;
static struct xs_conn *g, *d0;

static void setup(uint32_t start)
{
	xt_new_store();
	d0 = xt_dom0();
	WRITE(d0, "/local/domain/5", "");
	xt_chmod(d0, "/local/domain/5", "n5", NULL, NULL);
	memset(page, 0, sizeof(page));
	/* guests must not assume indexes start at 0 */
	intf->req_cons = intf->req_prod = start;
	intf->rsp_cons = intf->rsp_prod = start;
	g = xt_guest(5);
	xs_ring_attach(g, page);
}

static void put(const void *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		intf->req[MASK_XENSTORE_IDX(intf->req_prod + i)] =
		    ((const char *)p)[i];
	intf->req_prod += n;
}

static void put_msg(uint32_t type, uint32_t rid, const void *p, uint32_t n)
{
	struct xsd_sockmsg h = {type, rid, 0, n};

	put(&h, 16);
	put(p, n);
}

/* Reads one reply from the response ring: its text, like xt_reply. */
static const char *take(uint32_t *rid)
{
	static char text[XENSTORE_PAYLOAD_MAX + 2];
	uint8_t m[16 + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h;

	if (intf->rsp_prod - intf->rsp_cons < 16)
		return "(none)";
	for (uint32_t i = 0; i < 16; i++)
		m[i] =
		    (uint8_t)intf->rsp[MASK_XENSTORE_IDX(intf->rsp_cons + i)];
	memcpy(&h, m, 16);
	if (intf->rsp_prod - intf->rsp_cons < 16 + h.len)
		return "(partial)";
	for (uint32_t i = 0; i < h.len; i++)
		m[16 + i] =
		    (uint8_t)
			intf->rsp[MASK_XENSTORE_IDX(intf->rsp_cons + 16 + i)];
	intf->rsp_cons += 16 + h.len;
	if (rid)
		*rid = h.req_id;
	if (h.type == XS_ERROR)
		snprintf(text, sizeof(text), "!%s", (char *)m + 16);
	else
		xt_text(m + 16, h.len, text, sizeof(text));
	return text;
}

static bool service(unsigned int budget)
{
	bool notify;

	return xs_ring_service(g, budget, &notify);
}

static void test_attach(void)
{
	setup(0);
	CU_ASSERT_EQUAL(intf->server_features, 3); /* reconnect, error */
	put_msg(XS_READ, 1, "/local/domain/5", 16);
	service(8);
	EXPECT(take(NULL), "");
	EXPECT(take(NULL), "(none)");
}

static void test_pieces(void)
{
	struct xsd_sockmsg h = {XS_WRITE, 9, 0, 5};
	uint32_t rid;

	setup(0xfffffff0u); /* wraps at 2^32 */
	put(&h, 10);
	service(8);
	CU_ASSERT_EQUAL(intf->req_cons, 0xfffffff0u); /* not consumed */
	put((char *)&h + 10, 6);
	put("a\0", 2);
	service(8);
	CU_ASSERT_EQUAL(intf->req_cons, 0xfffffff0u);
	put("bc", 3);
	service(8);
	CU_ASSERT_EQUAL(intf->req_cons, intf->req_prod);
	EXPECT(take(&rid), "OK|");
	CU_ASSERT_EQUAL(rid, 9);
	EXPECT(READ(d0, "/local/domain/5/a"), "bc|");
}

/* 16 + 3000 bytes through a 1024-byte ring, and the reply back. */
static void test_longer_than_ring(void)
{
	static char msg[3100], got[3100];
	struct xsd_sockmsg h = {XS_WRITE, 3, 0, 2 + 2998};
	uint32_t sent = 0, total = 16 + 3000, n;
	const char *r = "(none)";

	setup(100);
	xs_store_set_quota(st, XSQ_NODE_SIZE, 0);
	memcpy(msg, &h, 16);
	memcpy(msg + 16, "b", 2);
	for (int i = 0; i < 2998; i++)
		msg[18 + i] = (char)('A' + i % 26);
	while (sent < total) {
		n = 1024 - (intf->req_prod - intf->req_cons);
		n = n < total - sent ? n : total - sent;
		put(msg + sent, n);
		sent += n;
		service(8);
	}
	CU_ASSERT_EQUAL(intf->req_cons, intf->req_prod);
	r = take(NULL);
	EXPECT(r, "OK|");
	put_msg(XS_READ, 4, "b", 2);
	service(8);
	for (sent = 0; sent < 16 + 2998;) {
		/* read what is there, let the daemon write the rest */
		while (intf->rsp_cons != intf->rsp_prod)
			got[sent++] =
			    intf->rsp[MASK_XENSTORE_IDX(intf->rsp_cons++)];
		service(8);
	}
	CU_ASSERT(!memcmp(got + 16, msg + 18, 2998));
}

static void test_budget(void)
{
	setup(0);
	for (uint32_t i = 0; i < 30; i++) /* 960 of the ring's 1024 */
		put_msg(XS_READ, i, "/local/domain/5", 16);

	CU_ASSERT(service(5)); /* more to do */
	CU_ASSERT_EQUAL(intf->req_cons, 5 * 32);
	while (intf->rsp_cons != intf->rsp_prod)
		take(NULL);
	while (service(5))
		while (intf->rsp_cons != intf->rsp_prod)
			take(NULL);
	CU_ASSERT_EQUAL(intf->req_cons, intf->req_prod);
}

static void test_hostile_indexes(void)
{
	struct xs_conn *g7;
	static uint8_t page7[4096] __attribute__((aligned(4096)));
	bool notify;

	setup(0);
	g7 = xt_guest(7);
	xs_ring_attach(g7, page7);
	intf->req_prod = intf->req_cons + 5000; /* more than a ring */
	service(8);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_RINGIDX);
	CU_ASSERT(xs_conn_dead(g));
	put_msg(XS_READ, 1, "/", 2); /* ignored now */
	service(8);
	EXPECT(take(NULL), "(none)");
	/* the other guest and dom0 are fine */
	EXPECT(READ(d0, "/tool"), "");
	xs_ring_service(g7, 8, &notify);
	/* the response side is checked too */
	setup(0);
	intf->rsp_cons = intf->rsp_prod + 2000;
	put_msg(XS_READ, 1, "/", 2);
	service(8);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_RINGIDX);
}

static void test_oversize(void)
{
	struct xsd_sockmsg h = {XS_READ, 1, 0, 4097};

	setup(0);
	put(&h, 16);
	service(8);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_PROTO);
	EXPECT(READ(d0, "/tool"), "");
}

static void test_reconnect(void)
{
	setup(77);
	xt_req(g, XS_WATCH, 0, 2, "w", "t");
	xt_req(g, XS_TRANSACTION_START, 0, 1, "");
	intf->req_prod = intf->req_cons + 5000;
	service(8);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_RINGIDX);
	intf->connection = XENSTORE_RECONNECT;
	service(8);
	CU_ASSERT_EQUAL(intf->connection, XENSTORE_CONNECTED);
	CU_ASSERT_EQUAL(intf->error, XENSTORE_ERROR_NONE);
	CU_ASSERT_EQUAL(intf->req_cons + intf->req_prod + intf->rsp_cons +
			    intf->rsp_prod,
			0);
	CU_ASSERT(!xs_conn_dead(g));
	put_msg(XS_UNWATCH, 2, "w\0t", 4); /* watches were dropped */
	service(8);
	EXPECT(take(NULL), "!ENOENT");
	put_msg(XS_TRANSACTION_END, 3, "F", 2); /* and transactions */
	((struct xsd_sockmsg *)(void *)(intf->req + 20))->tx_id = 1;
	service(8);
	EXPECT(take(NULL), "!ENOENT");
}

/* Xen: introducing a domain again resets its connection and ring. */
static void test_reintroduce(void)
{
	struct xs_domain *d;

	setup(500);
	xt_req(g, XS_WATCH, 0, 2, "w", "t");
	put("partial", 7);
	CU_ASSERT_EQUAL(xs_domain_introduce(st, 5, 0, 1, true, &d), 0);
	CU_ASSERT_PTR_EQUAL(xs_domain_conn(d), g);
	CU_ASSERT_EQUAL(intf->req_cons + intf->req_prod + intf->rsp_cons +
			    intf->rsp_prod,
			0);
	put_msg(XS_UNWATCH, 2, "w\0t", 4);
	service(8);
	EXPECT(take(NULL), "!ENOENT");
}

/* A random guest: whatever it writes, the daemon stays sane. */
static void test_garbage(void)
{
	srand(3);
	for (int round = 0; round < 200; round++) {
		setup((uint32_t)rand());
		for (int i = 0; i < 3; i++) {
			uint32_t n = (uint32_t)rand() % 1024, off;

			for (off = 0; off < n; off++)
				intf->req[MASK_XENSTORE_IDX(intf->req_prod +
							    off)] =
				    (char)(rand() % 4 ? rand() % 32 : rand());
			intf->req_prod += n;
			if (rand() % 8 == 0)
				intf->rsp_cons += (uint32_t)rand();
			service(16);
			intf->rsp_cons = intf->rsp_prod;
		}
		EXPECT(READ(d0, "/tool"), "");
	}
}

static CU_TestInfo tests[] = {
    {"attach", test_attach},
    {"messages in pieces", test_pieces},
    {"longer than the ring", test_longer_than_ring},
    {"budget per call", test_budget},
    {"hostile indexes", test_hostile_indexes},
    {"oversize message", test_oversize},
    {"reconnection", test_reconnect},
    {"introduced again", test_reintroduce},

    {"garbage", test_garbage},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int rc = unit_run("xs_ring", tests);

	xs_store_free(st);
	return rc;
}
