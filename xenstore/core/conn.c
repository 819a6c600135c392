/*
 * Connections: framing of the byte stream, the output queue, and the
 * kick list through which the daemon learns which connections need
 * service (so it never scans them all).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

struct xs_conn *conn_new(struct xs_store *st, uint32_t domid, bool ring)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->st = st;
	c->id = domid;
	c->seq = ++st->seq;
	c->priv = domid == 0;
	c->is_ring = ring;
	c->out_tail = &c->out_head;
	c->next_txid = 1;
	dlist_init(&c->watches);
	dlist_init(&c->txns);
	dlist_add_tail(&st->conns, &c->link);
	st->stats.conns++;
	return c;
}

struct xs_conn *xs_conn_new_socket(struct xs_store *st)
{
	return conn_new(st, 0, false);
}

void conn_kick(struct xs_conn *c)
{
	struct xs_store *st = c->st;

	if (c->kicked)
		return;
	c->kicked = true;
	c->kick_next = NULL;
	*st->kick_tail = c;
	st->kick_tail = &c->kick_next;
	if (st->hooks.kick)
		st->hooks.kick(st->hooks.arg, c);
}

bool xs_store_kicked(const struct xs_store *st)
{
	return st->kick_head != NULL;
}

struct xs_conn *xs_store_next_kicked(struct xs_store *st)

{
	struct xs_conn *c = st->kick_head;

	if (!c)
		return NULL;
	st->kick_head = c->kick_next;
	if (!st->kick_head)
		st->kick_tail = &st->kick_head;
	c->kicked = false;
	c->kick_next = NULL;
	return c;
}

static void kick_remove(struct xs_conn *c)
{
	struct xs_store *st = c->st;
	struct xs_conn **pp;

	if (!c->kicked)
		return;
	for (pp = &st->kick_head; *pp; pp = &(*pp)->kick_next) {
		if (*pp == c) {
			*pp = c->kick_next;
			break;
		}
	}
	st->kick_tail = &st->kick_head;
	while (*st->kick_tail)
		st->kick_tail = &(*st->kick_tail)->kick_next;
	c->kicked = false;
}

int conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id,
	       uint32_t tx_id, const void *payload, size_t len, bool event,
	       uint32_t charge)
{
	struct xs_out *o = malloc(sizeof(*o) + 16 + len);
	struct xsd_sockmsg h = {type, req_id, tx_id, (uint32_t)len};

	if (!o)
		return -ENOMEM;
	o->next = NULL;
	o->len = (uint32_t)(16 + len);
	o->off = 0;
	o->charge = charge;
	o->event = event;
	memcpy(o->data, &h, 16);
	if (len)
		memcpy(o->data + 16, payload, len);
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->out_bytes += o->len;
	if (event)
		c->out_events++;
	domain_outstanding(c->st, charge, 1);
	conn_kick(c);
	return 0;
}

int conn_queue_raw(struct xs_conn *c, const void *p, size_t len)
{
	struct xs_out *o = malloc(sizeof(*o) + len);

	if (!o)
		return -ENOMEM;
	o->next = NULL;
	o->len = (uint32_t)len;
	o->off = 0;
	o->charge = c->id;
	o->event = false;
	memcpy(o->data, p, len);
	*c->out_tail = o;
	c->out_tail = &o->next;
	c->out_bytes += len;
	domain_outstanding(c->st, c->id, 1);
	conn_kick(c);
	return 0;
}

static void out_free(struct xs_conn *c, struct xs_out *o)
{
	c->out_bytes -= o->len - o->off;
	if (o->event)
		c->out_events--;
	domain_outstanding(c->st, o->charge, -1);
	free(o);
}

const void *xs_conn_out_peek(struct xs_conn *c, size_t *len)
{
	struct xs_out *o = c->out_head;

	if (!o) {
		*len = 0;
		return NULL;
	}
	*len = o->len - o->off;
	return o->data + o->off;
}

void xs_conn_out_advance(struct xs_conn *c, size_t n)
{
	while (n && c->out_head) {
		struct xs_out *o = c->out_head;
		size_t left = o->len - o->off;

		if (n < left) {
			o->off += (uint32_t)n;
			c->out_bytes -= n;
			return;
		}
		n -= left;
		c->out_bytes -= left;
		o->off = o->len;
		c->out_head = o->next;
		if (!c->out_head)
			c->out_tail = &c->out_head;
		out_free(c, o);
	}
}

size_t xs_conn_out_bytes(const struct xs_conn *c)
{
	return c->out_bytes;
}

void conn_drop_output(struct xs_conn *c)
{
	while (c->out_head) {
		struct xs_out *o = c->out_head;

		c->out_head = o->next;
		out_free(c, o);
	}
	c->out_tail = &c->out_head;
	c->out_bytes = 0;
}

void conn_reset(struct xs_conn *c)
{
	watch_del_all(c);
	while (!dlist_empty(&c->txns))
		txn_free(container_of(c->txns.next, struct xs_txn, link));
	free(c->stale_tx);
	c->stale_tx = NULL;
	c->nstale = 0;
	conn_drop_output(c);
	free(c->in_buf);
	c->in_buf = NULL;
	c->in_got = 0;
}

void xs_conn_free(struct xs_conn *c)
{
	if (!c)
		return;
	if (c->dom && c->dom->conn == c)
		c->dom->conn = NULL;
	conn_reset(c);
	ring_free(c);
	kick_remove(c);
	dlist_del(&c->link);
	c->st->stats.conns--;
	free(c);
}

void xs_conn_set_data(struct xs_conn *c, void *data)
{
	c->data = data;
}

void *xs_conn_data(const struct xs_conn *c)
{
	return c->data;
}

uint32_t xs_conn_domid(const struct xs_conn *c)
{
	return c->id;
}

bool xs_conn_dead(const struct xs_conn *c)
{
	return c->dead;
}

int xs_conn_input(struct xs_conn *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && !c->dead) {
		size_t n;

		if (c->in_got < 16) {
			n = 16 - c->in_got;
			n = n < len ? n : len;
			memcpy((uint8_t *)&c->in_hdr + c->in_got, p, n);
			c->in_got += (uint32_t)n;
			p += n;
			len -= n;
			if (c->in_got < 16)
				break;
			if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
				/* Xen drops such a client; it is told why. */
				conn_send_error(c, &c->in_hdr, E2BIG);
				c->dead = true;
				c->in_got = 0;
				return -EPROTO;
			}
			if (!c->in_buf) {
				c->in_buf = malloc(XENSTORE_PAYLOAD_MAX);
				if (!c->in_buf) {
					c->dead = true;
					return -ENOMEM;
				}
			}
		}
		n = 16 + c->in_hdr.len - c->in_got;
		n = n < len ? n : len;
		memcpy(c->in_buf + c->in_got - 16, p, n);
		c->in_got += (uint32_t)n;
		p += n;
		len -= n;
		if (c->in_got == 16 + c->in_hdr.len) {
			struct xsd_sockmsg h = c->in_hdr;

			c->in_got = 0;
			xs_conn_handle(c, &h, c->in_buf);
		}
	}
	return c->dead ? -EPROTO : 0;
}
