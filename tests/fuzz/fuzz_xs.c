// fuzz-sources: xenstore/core/*.c
/*
 * libFuzzer target for pvstored's message parsing and dispatch: the
 * input drives a store through a dom0 socket connection (as a byte
 * stream), two guest connections (as whole messages) and a guest ring
 * page (hostile indexes and data). Whatever the input, the store must
 * neither crash nor leak, and must still answer a plain read afterwards.
 *
 * The first byte picks a starting state; the rest is a sequence of
 * chunks: 1 byte selector, 2 bytes length, then that many bytes.
 * tests/fuzz/run.sh (make fuzz) builds and runs it.
 */
#include <stdlib.h>
#include <string.h>

#include <pvxs/xs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void drain(struct xs_conn *c)
{
	size_t len;

	while (xs_conn_out_peek(c, &len))
		xs_conn_out_advance(c, len);
}

/* A few nodes, permissions and a watch to make requests interesting. */
#define MSG(t, s)                                                              \
	{                                                                      \
		t, s, sizeof(s) - 1                                            \
	}

static void populate(struct xs_conn *d0)
{
	static const struct {
		uint32_t type;
		const char *p;
		uint32_t len;
	} msgs[] = {
	    MSG(XS_WRITE, "/local/domain/5\0"),
	    MSG(XS_SET_PERMS, "/local/domain/5\0n5\0r7\0"),
	    MSG(XS_WRITE, "/local/domain/7/data/x\0v"),
	    MSG(XS_SET_PERMS, "/local/domain/7\0n7\0"),
	    MSG(XS_WATCH, "/local\0tok\0"),
	    MSG(XS_TRANSACTION_START, "\0"),
	};

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct xsd_sockmsg h = {msgs[i].type, 1, 0, msgs[i].len};

		xs_conn_handle(d0, &h, (const uint8_t *)msgs[i].p);
	}
	drain(d0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	struct xs_store *st;
	struct xs_conn *d0, *g[2];
	struct xs_domain *dom;
	size_t off = 1;
	bool notify;

	if (size < 1 || xs_store_new(NULL, &st))
		return 0;
	d0 = xs_conn_new_socket(st);
	if (data[0] & 1)
		populate(d0);

	check(xs_domain_introduce(st, 5, 0, 1, true, &dom) == 0);
	g[0] = xs_domain_conn(dom);
	check(xs_domain_introduce(st, 7, 0, 1, true, &dom) == 0);
	g[1] = xs_domain_conn(dom);
	memset(page, 0, sizeof(page));
	if (data[0] & 2)
		xs_ring_attach(g[1], page);
	while (off + 3 <= size) {
		uint8_t sel = data[off];
		size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
		const uint8_t *p = data + off + 3;

		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		switch (sel % 4) {
		case 0: /* dom0 byte stream */
			xs_conn_input(d0, p, len);
			break;
		case 1: /* a guest's whole message */
			if (len >= 16) {
				struct xsd_sockmsg h;

				memcpy(&h, p, 16);
				if (h.len > len - 16)
					h.len = (uint32_t)(len - 16);
				xs_conn_handle(g[0], &h, p + 16);
			}
			break;
		case 2: /* the guest writes its ring page */
			memcpy(page + (sel >> 2) * 64 % 4096, p,
			       len < 4096 - (sel >> 2) * 64 % 4096
				   ? len
				   : 4096 - (sel >> 2) * 64 % 4096);
			/* fall through */
		default: /* the daemon services the ring */
			xs_ring_service(g[1], 1 + sel % 16, &notify);
			break;
		}
		drain(g[0]);
		drain(g[1]);
		if (xs_conn_dead(d0)) {
			xs_conn_free(d0);
			d0 = xs_conn_new_socket(st);
		} else {
			drain(d0);
		}
	}
	/* still a working store */
	{
		struct xsd_sockmsg h = {XS_READ, 1, 0, 6}, rh;
		size_t len;
		const uint8_t *r;

		drain(d0);
		xs_conn_handle(d0, &h, (const uint8_t *)"/tool");
		r = xs_conn_out_peek(d0, &len);
		check(r && len >= 16);
		memcpy(&rh, r, 16);
		check(rh.type == XS_READ);
	}
	xs_conn_free(d0);
	xs_store_free(st);
	return 0;
}
