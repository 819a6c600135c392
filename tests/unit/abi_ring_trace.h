/*
 * One scenario for the io/ring.h macros, included by both halves of
 * test_abi after their own ring.h: the same calls must give the same
 * trace with pvabi's macros as with Xen's. Also instantiates the ring
 * types whose layout abi_list.h compares.
 */
#ifndef PVHV_TESTS_UNIT_ABI_RING_TRACE_H
#define PVHV_TESTS_UNIT_ABI_RING_TRACE_H

struct abitest_req {
	uint64_t id;
	uint32_t op;
	uint32_t pad;
};

struct abitest_rsp {
	uint64_t id;
	int16_t status;
	uint16_t pad[3];
};

DEFINE_RING_TYPES(abitest, struct abitest_req, struct abitest_rsp);
DEFINE_XEN_FLEX_RING_AND_INTF(abitest);

#define TRACE(v)                                                               \
	do {                                                                   \
		if (n < max)                                                   \
			out[n] = (uint64_t)(v);                                \
		n++;                                                           \
	} while (0)

/* Front queues nreq requests, back answers them, both go idle. */
static size_t abi_ring_round(abitest_front_ring_t *f, abitest_back_ring_t *b,
			     unsigned int nreq, uint64_t *out, size_t n,
			     size_t max)
{
	struct abitest_req req;
	int notify, more;
	unsigned int i;

	TRACE(RING_FREE_REQUESTS(f));
	for (i = 0; i < nreq; i++) {
		struct abitest_req *r = RING_GET_REQUEST(f, f->req_prod_pvt);

		r->id = 100 + i + f->req_prod_pvt;
		r->op = i;
		f->req_prod_pvt++;
	}
	TRACE(RING_FULL(f));
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(f, notify);
	TRACE(notify);
	TRACE(f->sring->req_prod);
	TRACE(RING_HAS_UNCONSUMED_REQUESTS(b));
	TRACE(RING_REQUEST_PROD_OVERFLOW(b, f->sring->req_prod));
	do {
		while (RING_HAS_UNCONSUMED_REQUESTS(b)) {
			struct abitest_rsp *rsp;

			TRACE(RING_REQUEST_CONS_OVERFLOW(b, b->req_cons));
			RING_COPY_REQUEST(b, b->req_cons, &req);
			b->req_cons++;
			TRACE(req.id);
			rsp = RING_GET_RESPONSE(b, b->rsp_prod_pvt);
			rsp->id = req.id * 2;
			rsp->status = (int16_t)-req.op;
			b->rsp_prod_pvt++;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(b, more);
	} while (more);
	TRACE(f->sring->req_event);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(b, notify);
	TRACE(notify);
	TRACE(RING_RESPONSE_PROD_OVERFLOW(f, f->sring->rsp_prod));
	do {
		while (RING_HAS_UNCONSUMED_RESPONSES(f)) {
			struct abitest_rsp rsp;

			RING_COPY_RESPONSE(f, f->rsp_cons, &rsp);
			f->rsp_cons++;
			TRACE(rsp.id);
			TRACE((uint16_t)rsp.status);
		}
		RING_FINAL_CHECK_FOR_RESPONSES(f, more);
	} while (more);
	TRACE(f->sring->rsp_event);
	TRACE(RING_FREE_REQUESTS(f));
	return n;
}

static size_t abi_ring_trace(uint64_t *out, size_t max)
{
	static uint64_t page[4096 / sizeof(uint64_t)];
	abitest_sring_t *s = (abitest_sring_t *)page;
	abitest_front_ring_t f;
	abitest_back_ring_t b;
	unsigned char buf[16], data[12], back[12];
	RING_IDX prod = 0, cons = 0;
	size_t n = 0;
	unsigned int i;

	memset(page, 0xa5, sizeof(page));
	XEN_FRONT_RING_INIT(&f, s, sizeof(page));
	BACK_RING_INIT(&b, s, sizeof(page));
	TRACE(RING_SIZE(&f));
	TRACE(RING_SIZE(&b));
	TRACE(__CONST_RING_SIZE(abitest, 4096));
	TRACE(__CONST_RING_SIZE(abitest, 1000));
	TRACE(s->req_prod);
	TRACE(s->req_event);
	TRACE(s->rsp_prod);
	TRACE(s->rsp_event);
	TRACE(s->pvt.pvt_pad[3]);
	TRACE(s->__pad[43]);

	n = abi_ring_round(&f, &b, 3, out, n, max);
	n = abi_ring_round(&f, &b, 1, out, n, max);
	n = abi_ring_round(&f, &b, (unsigned int)RING_SIZE(&f), out, n, max);

	/* Indexes that wrap around 2^32. */
	SHARED_RING_INIT(s);
	s->req_prod = s->rsp_prod = 0xfffffffeu;
	s->req_event = s->rsp_event = 0xffffffffu;
	FRONT_RING_ATTACH(&f, s, 0xfffffffeu, sizeof(page));
	BACK_RING_ATTACH(&b, s, 0xfffffffeu, sizeof(page));
	n = abi_ring_round(&f, &b, 5, out, n, max);
	n = abi_ring_round(&f, &b, 200, out, n, max);

	/* Flex ring helpers on a 16-byte ring. */
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i + 1);
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 4; i++) {
		RING_IDX mprod = abitest_mask(prod, sizeof(buf));
		RING_IDX mcons = abitest_mask(cons, sizeof(buf));

		abitest_write_packet(buf, data, sizeof(data), &mprod, mcons,
				     sizeof(buf));
		prod += sizeof(data);
		TRACE(mprod);
		TRACE(abitest_queued(prod, cons, sizeof(buf)));
		abitest_read_packet(back, buf, sizeof(back), mprod, &mcons,
				    sizeof(buf));
		cons += sizeof(back);
		TRACE(mcons);
		TRACE(memcmp(back, data, sizeof(data)) == 0);
		TRACE(abitest_queued(prod, cons, sizeof(buf)));
		TRACE(*abitest_get_ring_ptr(buf, prod + 3, sizeof(buf)));
	}
	TRACE(abitest_queued(16, 0, 16));
	TRACE(XEN_FLEX_RING_SIZE(1));
	TRACE(XEN_PAGE_SHIFT);
	return n;
}

#undef TRACE

#endif
