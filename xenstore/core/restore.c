/*
 * Restoring the state from a snapshot and the journal after it (see
 * journal.c for the format). Everything read here is checked: a
 * damaged file must fail cleanly, never crash the daemon.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define BATCH_MAGIC 0x424a5358u

struct rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static uint32_t rd_u32(struct rd *r)
{
	uint32_t v = 0;

	if (r->len - r->off < 4) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)r->p[r->off + i] << (8 * i);
	r->off += 4;
	return v;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t lo = rd_u32(r);

	return lo | (uint64_t)rd_u32(r) << 32;
}

static const uint8_t *rd_blob(struct rd *r, uint32_t *n)
{
	const uint8_t *p;

	*n = rd_u32(r);
	if (r->bad || r->len - r->off < *n) {
		r->bad = true;
		*n = 0;
		return NULL;
	}
	p = r->p + r->off;
	r->off += *n;
	return p;
}

static char *rd_str(struct rd *r)
{
	uint32_t n;
	const uint8_t *p = rd_blob(r, &n);

	if (r->bad || memchr(p, 0, n))
		return NULL;
	return strndup((const char *)p, n);
}

static struct xs_perm *rd_perms(struct rd *r, uint32_t *n)
{
	struct xs_perm *p;

	*n = rd_u32(r);
	if (r->bad || *n == 0 || *n > (r->len - r->off) / 8) {
		r->bad = true;
		return NULL;
	}
	p = calloc(*n, sizeof(*p));
	for (uint32_t i = 0; p && i < *n; i++) {
		p[i].domid = rd_u32(r);
		p[i].perm = rd_u32(r);
	}
	return p;
}

static bool path_ok(const uint8_t *p, uint32_t n)
{
	return n && n <= XS_ABS_PATH_MAX && (p[0] == '/' || p[0] == '@') &&
	       !memchr(p, 0, n);
}

/* ------------------------------------------------------- records */

static int rec_node(struct xs_store *st, struct rd *r)
{
	uint32_t plen, vlen, clen, np;
	const uint8_t *path = rd_blob(r, &plen), *v, *c;
	struct xs_node *n;
	struct xs_perm *p;
	uint64_t gen = rd_u64(r);

	p = rd_perms(r, &np);
	v = rd_blob(r, &vlen);
	c = rd_blob(r, &clen);
	if (r->bad || !p || !path_ok(path, plen) || vlen > 65536 ||
	    (clen && c[clen - 1])) {
		free(p);
		return -EINVAL;
	}
	n = node_new((const char *)path, plen);
	if (!n || node_set_value(n, v, vlen)) {
		node_free(n);
		free(p);
		return -ENOMEM;
	}
	n->perms = p;
	n->nperms = np;
	if (clen) {
		n->children = malloc(clen);
		if (!n->children) {
			node_free(n);
			return -ENOMEM;
		}
		memcpy(n->children, c, clen);
		n->clen = clen;
	}
	n->gen = gen;
	return tree_restore(st, n);
}

/* A child added to (at the end) or removed from a node's list. */
static int rec_child(struct xs_store *st, struct rd *r)
{
	uint32_t plen, llen, add;
	const uint8_t *path = rd_blob(r, &plen), *leaf;
	uint64_t gen = rd_u64(r);
	const struct xs_node *o;
	struct xs_node *n;

	leaf = rd_blob(r, &llen);
	add = rd_u32(r);
	if (r->bad || !path_ok(path, plen) || !llen || memchr(leaf, 0, llen))
		return -EINVAL;
	o = tree_get(st, (const char *)path, plen);
	if (!o || !(n = node_dup(o)))
		return o ? -ENOMEM : -EINVAL;
	if (add ? node_add_child(n, (const char *)leaf, llen) != 0
		: !node_del_child(n, (const char *)leaf, llen)) {
		node_free(n);
		return -EINVAL;
	}
	n->gen = gen;
	return tree_restore(st, n);
}

static int rec_del(struct xs_store *st, struct rd *r)
{
	uint32_t plen;
	const uint8_t *path = rd_blob(r, &plen);

	if (r->bad || !path_ok(path, plen))
		return -EINVAL;
	tree_restore_del(st, (const char *)path, plen);
	return 0;
}

static struct xs_domain *raw_domain(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d;

	if (domid >= st->ndomains)
		return NULL;
	if (st->domains[domid])
		return st->domains[domid];
	d = calloc(1, sizeof(*d));
	if (d) {
		d->domid = domid;
		d->st = st;
		st->domains[domid] = d;
		st->stats.domains++;
	}
	return d;
}

static int rec_domain(struct xs_store *st, struct rd *r)
{
	uint32_t domid = rd_u32(r), flags, ulen;
	uint64_t gen = rd_u64(r);
	struct xs_domain *d;
	const uint8_t *uuid;

	flags = rd_u32(r);
	if (r->bad || !(d = raw_domain(st, domid)))
		return r->bad ? -EINVAL : -ENOMEM;
	d->gen = gen;
	if (gen > st->gen)
		st->gen = gen;
	d->introduced = flags & 1;
	d->shutdown = flags & 2;
	d->has_target = flags & 4;
	d->gfn = rd_u64(r);
	d->port = rd_u32(r);
	d->target = rd_u32(r);
	uuid = rd_blob(r, &ulen);
	if (r->bad || ulen >= sizeof(d->uuid))
		return -EINVAL;
	memcpy(d->uuid, uuid, ulen);
	d->uuid[ulen] = 0;
	d->quota_set = rd_u32(r);
	for (int q = 0; q < XSQ_COUNT; q++)
		d->quota[q] = rd_u32(r);
	if ((flags & 8) && !d->conn && domid) {
		d->conn = conn_new(st, domid, true);
		if (!d->conn)
			return -ENOMEM;
		d->conn->priv = false;
		d->conn->dom = d;
	} else if (!(flags & 8) && d->conn) {
		xs_conn_free(d->conn);
		d->conn = NULL;
	}
	return r->bad ? -EINVAL : 0;
}

static int rec_domain_del(struct xs_store *st, struct rd *r)
{
	uint32_t domid = rd_u32(r);
	struct xs_domain *d;

	if (r->bad || domid >= st->ndomains)
		return -EINVAL;
	d = st->domains[domid];
	if (d && domid) {
		xs_conn_free(d->conn);
		st->domains[domid] = NULL;
		st->stats.domains--;
		free(d);
	}
	return 0;
}

static struct xs_conn *ring_conn(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = domid < st->ndomains ? st->domains[domid] : NULL;

	return d ? d->conn : NULL;
}

static int rec_watch(struct xs_store *st, struct rd *r, bool add)
{
	uint32_t domid = rd_u32(r), rel = rd_u32(r), plen;
	const uint8_t *path = rd_blob(r, &plen);
	char *token = rd_str(r);
	struct xs_conn *c = ring_conn(st, domid);
	struct xs_watch *w;
	int rc = 0;

	if (r->bad || !token || !path_ok(path, plen)) {
		free(token);
		return -EINVAL;
	}
	if (c) {
		char *p = strndup((const char *)path, plen);

		w = p ? watch_find(c, p, token) : NULL;
		if (add && !w && p)
			rc = watch_add(c, p, plen, token, rel, &w);
		else if (!add && w)
			watch_del(w);
		free(p);
	}
	free(token);
	return rc;
}

static int rec_txn(struct xs_store *st, struct rd *r)
{
	uint32_t domid = rd_u32(r), id = rd_u32(r), open = rd_u32(r);
	struct xs_conn *c = ring_conn(st, domid);
	uint32_t *p;

	if (r->bad)
		return -EINVAL;
	if (!c)
		return 0;
	for (uint32_t i = 0; i < c->nstale; i++) {
		if (c->stale_tx[i] == id) {
			if (!open)
				c->stale_tx[i] = c->stale_tx[--c->nstale];
			return 0;
		}
	}
	if (!open || c->nstale >= 4096)
		return 0;
	p = realloc(c->stale_tx, (c->nstale + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->stale_tx = p;
	c->stale_tx[c->nstale++] = id;
	if (id >= c->next_txid)
		c->next_txid = id + 1;
	return 0;
}

static int rec_cursor(struct xs_store *st, struct rd *r, bool partial)
{
	uint32_t domid = rd_u32(r), cursor = rd_u32(r), start = 0, n;
	const uint8_t *p;
	struct xs_conn *c;
	struct xs_ring_restore *rr;
	uint8_t *copy;

	if (!partial)
		start = rd_u32(r);
	p = rd_blob(r, &n);
	if (r->bad || n > 16 + XENSTORE_PAYLOAD_MAX + 1024 * 1024)
		return -EINVAL;
	c = ring_conn(st, domid);
	if (!c)
		return 0;
	rr = ring_restore_of(c, true);
	if (!rr)
		return -ENOMEM;
	copy = malloc(n ? n : 1);
	if (!copy)
		return -ENOMEM;
	if (n)
		memcpy(copy, p, n);
	if (partial) {
		free(rr->pbuf);
		rr->have_partial = n > 0;
		rr->pcursor = cursor;
		rr->pbuf = copy;
		rr->plen = n;
	} else {
		free(rr->out);
		rr->have_cursor = true;
		rr->cursor = cursor;
		rr->rsp_start = start;
		rr->out = copy;
		rr->outlen = n;
		/* A completed request ends any partial one. */
		free(rr->pbuf);
		rr->pbuf = NULL;
		rr->have_partial = false;
	}
	return 0;
}

static int rec_quota(struct xs_store *st, struct rd *r)
{
	uint32_t domid = rd_u32(r), q = rd_u32(r), v = rd_u32(r);
	uint32_t set = rd_u32(r);
	struct xs_domain *d;

	if (r->bad || q >= XSQ_COUNT)
		return -EINVAL;
	if (domid == UINT32_MAX) {
		st->quota[q] = v;
		return 0;
	}
	d = domid < st->ndomains ? st->domains[domid] : NULL;
	if (d) {
		d->quota[q] = v;
		d->quota_set =
		    set ? d->quota_set | (1u << q) : d->quota_set & ~(1u << q);
	}
	return 0;
}

static int rec_special(struct xs_store *st, struct rd *r)
{
	uint32_t which = rd_u32(r), n;
	struct xs_perm *p = rd_perms(r, &n);

	if (r->bad || !p || which > 1 || n > ARRAY_LEN(st->special_perms[0])) {
		free(p);
		return -EINVAL;
	}
	memcpy(st->special_perms[which], p, n * sizeof(*p));
	st->nspecial[which] = n;
	free(p);
	return 0;
}

static int rec_meta(struct xs_store *st, struct rd *r)
{
	char *k = rd_str(r), *v = rd_str(r);
	int rc = k && v ? 0 : -EINVAL;

	if (rc == 0)
		xs_store_set_meta(st, k, v);
	free(k);
	free(v);
	return rc;
}

static int rec_connreset(struct xs_store *st, struct rd *r)
{
	struct xs_conn *c = ring_conn(st, rd_u32(r));

	if (r->bad)
		return -EINVAL;
	if (c) {
		conn_reset(c);
		ring_free(c);
	}
	return 0;
}

static int apply(struct xs_store *st, uint32_t type, struct rd *r, bool *end)
{
	switch (type) {
	case JR_NODE:
		return rec_node(st, r);
	case JR_DEL:
		return rec_del(st, r);
	case JR_CHILD:
		return rec_child(st, r);

	case JR_DOMAIN:
		return rec_domain(st, r);
	case JR_DOMAIN_DEL:
		return rec_domain_del(st, r);
	case JR_WATCH:
	case JR_UNWATCH:
		return rec_watch(st, r, type == JR_WATCH);
	case JR_TXN:
		return rec_txn(st, r);
	case JR_CURSOR:
	case JR_PARTIAL:
		return rec_cursor(st, r, type == JR_PARTIAL);
	case JR_QUOTA:
		return rec_quota(st, r);
	case JR_META:
		return rec_meta(st, r);
	case JR_SPECIAL:
		return rec_special(st, r);
	case JR_GEN: {
		uint64_t g = rd_u64(r);

		if (g > st->gen)
			st->gen = g;
		return r->bad ? -EINVAL : 0;
	}
	case JR_CONNRESET:
		return rec_connreset(st, r);
	case JR_END:
		*end = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Applies one batch's records; -EINVAL on a malformed record. */
static int apply_batch(struct xs_store *st, const uint8_t *p, size_t len,
		       bool *end)
{
	struct rd r = {p, len, 0, false};

	while (r.off < len) {
		uint32_t type = rd_u32(&r), n = rd_u32(&r);
		struct rd sub;
		int rc;

		if (r.bad || len - r.off < n)
			return -EINVAL;
		sub = (struct rd){p + r.off, n, 0, false};
		rc = apply(st, type, &sub, end);
		if (rc)
			return rc;
		r.off += n;
	}
	return 0;
}

/* Checks a batch at p; its total length or 0 if torn/corrupt. */
static size_t batch_at(const uint8_t *p, size_t left)
{
	struct rd r = {p, left, 0, false};
	uint32_t magic = rd_u32(&r), len = rd_u32(&r), crc = rd_u32(&r);

	if (r.bad || magic != BATCH_MAGIC || left - 12 < len ||
	    xs_crc32(0, p + 12, len) != crc)
		return 0;
	return 12 + (size_t)len;
}

static int header(const uint8_t *p, size_t len, const char *magic,
		  uint64_t *gen)
{
	struct rd r = {p, len, 8, false};
	uint32_t ver;

	if (len < XS_JOURNAL_HDR_LEN || memcmp(p, magic, 8))
		return -EINVAL;
	ver = rd_u32(&r);
	rd_u32(&r);
	*gen = rd_u64(&r);
	return ver == 1 ? 0 : -EPROTONOSUPPORT;
}

static void clear_state(struct xs_store *st)
{
	/* Ring connections (restored ones) and domains go; dom0 stays. */
	for (uint32_t i = 1; i < st->ndomains; i++) {
		struct xs_domain *d = st->domains[i];

		if (!d)
			continue;
		xs_conn_free(d->conn);
		free(d);
		st->domains[i] = NULL;
	}
	st->stats.domains = 1;
	tree_fini(st);
	map_init(&st->nodes);
	st->domains[0]->nodes = 0;
	st->domains[0]->memory = 0;
}

int xs_restore(struct xs_store *st, const void *snap, size_t snaplen,
	       const void *journal, size_t jlen, size_t *journal_good,
	       uint64_t *generation, char *err, size_t errlen)
{
	const uint8_t *s = snap, *j = journal;
	uint64_t sgen = 0, jgen;
	bool was = st->journaling, end = false;
	size_t off, n;
	int rc;

	*journal_good = 0;
	if (!snap)
		return 0;
	st->journaling = false;
	rc = header(s, snaplen, "PVXSSNAP", &sgen);
	if (rc) {
		snprintf(err, errlen, "snapshot: %s",
			 rc == -EINVAL ? "not a pvstored snapshot"
				       : "unsupported version");
		goto fail;
	}
	n = batch_at(s + XS_JOURNAL_HDR_LEN, snaplen - XS_JOURNAL_HDR_LEN);
	clear_state(st);
	if (!n || apply_batch(st, s + XS_JOURNAL_HDR_LEN + 12, n - 12, &end) ||
	    !end) {
		snprintf(err, errlen, "snapshot: damaged (checksum or record)");
		rc = -EINVAL;
		goto fail;
	}
	*generation = sgen;
	if (journal && header(j, jlen, "PVXSJRNL", &jgen) == 0 &&
	    jgen == sgen) {
		for (off = XS_JOURNAL_HDR_LEN;
		     (n = batch_at(j + off, jlen - off)) != 0; off += n) {
			bool e = false;

			if (apply_batch(st, j + off + 12, n - 12, &e))
				break;
		}
		*journal_good = off;
	}
	st->journaling = was;
	return 0;
fail:
	clear_state(st);
	tree_fini(st);
	tree_init(st);
	st->journaling = was;
	return rc;
}
