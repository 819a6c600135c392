/*
 * A guest's xenstore ring (Xen's docs/misc/xenstore-ring.txt), served in
 * place in the guest's page. The page is hostile memory: every index is
 * read once and checked before use, data is copied out before it is
 * parsed, and a guest that breaks the protocol gets the ring's error
 * field set and is ignored; nothing a guest writes can reach beyond its
 * own connection.
 *
 * Restart safety: a request is consumed (req_cons moved past it) only
 * after it was handled, its changes and its output journaled, and that
 * output written to the response ring. After a crash, the journal's
 * last cursor tells whether the request at req_cons was already handled
 * (then its saved output is delivered, not the request redone). A
 * message longer than the ring must be consumed in pieces; the pieces
 * are journaled before each is consumed.
 */
#include <stdlib.h>

#include "core.h"

#define RING XENSTORE_RING_SIZE

struct xs_ring {
	struct xenstore_domain_interface *intf;
	uint8_t *pbuf; /* a message longer than the ring, in pieces */
	uint32_t plen;
	bool cons_pending; /* output of a handled request not yet out */
	uint32_t cons_target;
	/* last journaled request (kept for snapshots) */
	bool have_last;
	uint32_t last_cursor, last_start, last_outlen;
	uint8_t *last_out;
	struct xs_ring_restore *restore;
};

static struct xs_ring *ring_of(struct xs_conn *c)
{
	if (!c->ring)
		c->ring = calloc(1, sizeof(*c->ring));
	return c->ring;
}

static void restore_free(struct xs_ring_restore *rr)
{
	if (!rr)
		return;
	free(rr->out);
	free(rr->pbuf);
	free(rr);
}

struct xs_ring_restore *ring_restore_of(struct xs_conn *c, bool create)
{
	struct xs_ring *r = create ? ring_of(c) : c->ring;

	if (!r)
		return NULL;
	if (!r->restore && create)
		r->restore = calloc(1, sizeof(*r->restore));
	return r->restore;
}

void ring_free(struct xs_conn *c)
{
	struct xs_ring *r = c->ring;

	if (!r)
		return;
	free(r->pbuf);
	free(r->last_out);
	restore_free(r->restore);
	free(r);
	c->ring = NULL;
}

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void st32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* Copies n bytes of the request ring from stream position pos. */
static void copy_in(struct xenstore_domain_interface *intf, uint32_t pos,
		    void *dst, uint32_t n)
{
	uint32_t off = MASK_XENSTORE_IDX(pos), first = RING - off;

	if (first > n)
		first = n;
	memcpy(dst, intf->req + off, first);
	memcpy((uint8_t *)dst + first, intf->req, n - first);
}

static void ring_error(struct xs_conn *c, uint32_t err)
{
	struct xs_ring *r = c->ring;

	if (r && r->intf)
		st32(&r->intf->error, err);
	c->dead = true;
	c->st->stats.errors++;
	conn_reset(c);
}

/* Writes queued output into the response ring. */
static void flush_output(struct xs_conn *c, bool *notify)
{
	struct xenstore_domain_interface *intf = c->ring->intf;
	uint32_t cons = ld(&intf->rsp_cons), prod = ld(&intf->rsp_prod);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > RING) {
		ring_error(c, XENSTORE_ERROR_RINGIDX);
		return;
	}
	while (c->out_head && prod - cons < RING) {
		size_t len;
		const uint8_t *p = xs_conn_out_peek(c, &len);
		uint32_t off = MASK_XENSTORE_IDX(prod);
		uint32_t n = RING - (prod - cons);

		if (n > RING - off)
			n = RING - off;
		if (n > len)
			n = (uint32_t)len;
		memcpy(intf->rsp + off, p, n);
		prod += n;
		xs_conn_out_advance(c, n);
	}
	if (prod != ld(&intf->rsp_prod)) {
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st32(&intf->rsp_prod, prod);
		*notify = true;
	}
}

static void consume_to(struct xs_conn *c, uint32_t cursor, bool *notify)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	st32(&c->ring->intf->req_cons, cursor);
	*notify = true;
}

/* After handling the request that ends at `cursor`. */
static void finish(struct xs_conn *c, uint32_t cursor, uint32_t rsp_start,
		   bool *notify)
{
	struct xs_store *st = c->st;
	struct xs_ring *r = c->ring;

	r->plen = 0;
	if (st->jbuf.len && st->journaling) {
		uint8_t *copy = malloc(c->out_bytes ? c->out_bytes : 1);
		size_t n = 0;

		journal_cursor(st, c->id, cursor, rsp_start, c);
		xs_journal_flush(st);
		for (struct xs_out *o = c->out_head; copy && o; o = o->next) {
			memcpy(copy + n, o->data + o->off, o->len - o->off);
			n += o->len - o->off;
		}
		free(r->last_out);
		r->last_out = copy;
		r->last_outlen = copy ? (uint32_t)n : 0;
		r->have_last = copy != NULL;
		r->last_cursor = cursor;
		r->last_start = rsp_start;
	} else {
		journal_batch(st);
	}
	flush_output(c, notify);
	if (c->dead)
		return;
	if (c->out_head) {
		r->cons_pending = true;
		r->cons_target = cursor;
	} else {
		consume_to(c, cursor, notify);
	}
}

/* A message longer than the ring: take what is there (journaled). */
static void take_piece(struct xs_conn *c, uint32_t cons, uint32_t n,
		       bool *notify)
{
	struct xs_ring *r = c->ring;

	if (!r->pbuf)
		r->pbuf = malloc(16 + XENSTORE_PAYLOAD_MAX);
	if (!r->pbuf) {
		ring_error(c, XENSTORE_ERROR_COMM);
		return;
	}
	copy_in(r->intf, cons, r->pbuf + r->plen, n);
	r->plen += n;
	journal_partial(c->st, c->id, cons + n, r->pbuf, r->plen);
	xs_journal_flush(c->st);
	consume_to(c, cons + n, notify);
}

static void handle(struct xs_conn *c, const uint8_t *msg)
{
	struct xsd_sockmsg h;

	memcpy(&h, msg, sizeof(h));
	xs_conn_handle(c, &h, msg + 16);
}

/* One step; false when nothing more can be done now. */
static bool step(struct xs_conn *c, bool *notify)
{
	struct xs_ring *r = c->ring;
	struct xenstore_domain_interface *intf = r->intf;
	uint8_t msg[16 + XENSTORE_PAYLOAD_MAX];
	uint32_t cons, prod, avail, total, q;
	struct xsd_sockmsg h;

	if (c->out_head || r->cons_pending)
		return false; /* replies go out in order first */
	q = domain_quota(c->st, c->dom, XSQ_OUTSTANDING);
	if (c->dom && q && c->dom->outstanding >= q)
		return false; /* kicked when it drops */
	cons = ld(&intf->req_cons);
	prod = ld(&intf->req_prod);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	avail = prod - cons;
	if (avail > RING) {
		ring_error(c, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	if (r->plen) {
		memcpy(&h, r->pbuf, sizeof(h));
		total = 16 + h.len;
		if (avail >= total - r->plen) {
			uint32_t rsp = ld(&intf->rsp_prod);

			copy_in(intf, cons, r->pbuf + r->plen, total - r->plen);
			handle(c, r->pbuf);
			finish(c, cons + total - r->plen, rsp, notify);
			return true;
		}
		if (!avail)
			return false;
		take_piece(c, cons, avail, notify);
		return true;
	}
	if (avail < 16)
		return false;
	copy_in(intf, cons, &h, 16);
	if (h.len > XENSTORE_PAYLOAD_MAX) {
		ring_error(c, XENSTORE_ERROR_PROTO);
		return false;
	}
	total = 16 + h.len;
	if (total <= avail) {
		uint32_t rsp = ld(&intf->rsp_prod);

		memcpy(msg, &h, 16);
		copy_in(intf, cons + 16, msg + 16, h.len);
		handle(c, msg);
		finish(c, cons + total, rsp, notify);
		return true;
	}
	if (total > RING) {
		/* Can never be whole in the ring: header and what follows,
		 * as long as it stays short of the message. */
		take_piece(c, cons, avail < total ? avail : total - 1, notify);
		return true;
	}
	return false;
}

static void reconnect(struct xs_conn *c, bool *notify)
{
	struct xs_ring *r = c->ring;
	struct xenstore_domain_interface *intf = r->intf;

	conn_reset(c);
	journal_connreset(c->st, c->id);
	xs_journal_flush(c->st);
	r->plen = 0;
	r->cons_pending = false;
	r->have_last = false;
	c->dead = false;
	st32(&intf->req_cons, 0);
	st32(&intf->req_prod, 0);
	st32(&intf->rsp_cons, 0);
	st32(&intf->rsp_prod, 0);
	st32(&intf->error, XENSTORE_ERROR_NONE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	st32(&intf->connection, XENSTORE_CONNECTED);
	*notify = true;
}

void ring_reset(struct xs_conn *c)
{
	struct xs_ring *r = c->ring;
	bool n = false;

	if (r && r->intf)
		reconnect(c, &n);
}

bool xs_ring_service(struct xs_conn *c, unsigned int budget, bool *notify)
{
	struct xs_ring *r = c->ring;

	*notify = false;
	if (!r || !r->intf)
		return false;
	if (ld(&r->intf->connection) == XENSTORE_RECONNECT) {
		reconnect(c, notify);
		return true; /* look for requests on the fresh ring */
	}
	if (c->dead)
		return false;
	flush_output(c, notify);
	if (r->cons_pending && !c->out_head && !c->dead) {
		r->cons_pending = false;
		consume_to(c, r->cons_target, notify);
	}
	while (budget && !c->dead && step(c, notify))
		budget--;
	return budget == 0 && !c->dead;
}

/* Applies the journal's recovery data to the ring we re-attach to. */
static void recover(struct xs_conn *c, struct xs_ring_restore *rr)
{
	struct xs_ring *r = c->ring;
	uint32_t cons = ld(&r->intf->req_cons);
	int32_t d;

	if (rr->have_cursor) {
		d = (int32_t)(cons - rr->cursor);
		if (d < 0 && (uint32_t)-d <= 16 + XENSTORE_PAYLOAD_MAX) {
			/* Handled, not consumed: deliver what is missing. */
			uint32_t done = ld(&r->intf->rsp_prod) - rr->rsp_start;

			if (done < rr->outlen)
				conn_queue_raw(c, rr->out + done,
					       rr->outlen - done);
			r->cons_pending = true;
			r->cons_target = rr->cursor;
		}
		r->have_last = true;
		r->last_cursor = rr->cursor;
		r->last_start = rr->rsp_start;
		r->last_out = rr->out;
		r->last_outlen = rr->outlen;
		rr->out = NULL;
	}
	if (rr->have_partial && !r->cons_pending) {
		d = (int32_t)(cons - rr->pcursor);
		if (d <= 0 && (uint32_t)-d < rr->plen && rr->plen >= 16) {
			r->pbuf = rr->pbuf;
			r->plen = rr->plen - (uint32_t)-d;
			rr->pbuf = NULL;
			if (r->plen < 16) {
				/* Too little to know the message: start
				 * again where the ring is. */
				r->plen = 0;
			}
		}
	}
}

void xs_ring_attach(struct xs_conn *c, void *page)
{
	struct xs_ring *r = ring_of(c);

	if (!r)
		return;
	r->intf = page;
	if (!page)
		return;
	__atomic_fetch_or(&r->intf->server_features,
			  XENSTORE_SERVER_FEATURE_RECONNECTION |
			      XENSTORE_SERVER_FEATURE_ERROR,
			  __ATOMIC_SEQ_CST);
	if (ld(&r->intf->error) != XENSTORE_ERROR_NONE)
		c->dead = true; /* ignored before the restart: still so */
	if (r->restore) {
		recover(c, r->restore);
		restore_free(r->restore);
		r->restore = NULL;
	}
	conn_kick(c);
}

void ring_snapshot(struct xs_conn *c)
{
	struct xs_ring *r = c->ring;
	struct xs_store *st = c->st;

	if (!r)
		return;
	if (r->restore) {
		/* Not attached again yet: keep what the journal said. */
		struct xs_ring_restore *rr = r->restore;

		if (rr->have_cursor) {
			journal_rec_begin(st, JR_CURSOR);
			jr_u32(st, c->id);
			jr_u32(st, rr->cursor);
			jr_u32(st, rr->rsp_start);
			jr_blob(st, rr->out, rr->outlen);
			journal_rec_end(st);
		}
		if (rr->have_partial)
			journal_partial(st, c->id, rr->pcursor, rr->pbuf,
					rr->plen);
		return;
	}
	if (r->have_last) {
		journal_rec_begin(st, JR_CURSOR);
		jr_u32(st, c->id);
		jr_u32(st, r->last_cursor);
		jr_u32(st, r->last_start);
		jr_blob(st, r->last_out, r->last_outlen);
		journal_rec_end(st);
	}
	if (r->plen)
		journal_partial(st, c->id, r->intf ? ld(&r->intf->req_cons) : 0,
				r->pbuf, r->plen);
}
