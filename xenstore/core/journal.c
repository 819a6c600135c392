/*
 * The journal and snapshots: pvstored's state on disk, so the daemon
 * can be killed and restarted without losing anything its clients were
 * told had happened.
 *
 * Files (little-endian):
 *   header   8 bytes magic ("PVXSJRNL" or "PVXSSNAP"), u32 version,
 *            u32 flags (0), u64 generation (a snapshot and the journal
 *            that continues it share it)
 *   batch    u32 magic "XSJB", u32 length, u32 crc32 of the records,
 *            records: u32 type, u32 length, payload (enum jrec)
 *
 * Every request's changes form one batch, written with one write(2)
 * before its reply leaves; a batch torn by a crash fails its checksum
 * and is dropped whole on restore. A snapshot is one batch holding the
 * whole state, ending with JR_END.
 */
#include <stdlib.h>

#include "core.h"

#define BATCH_MAGIC	   0x424a5358u /* "XSJB" */
#define XS_JOURNAL_VERSION 1
static const char jmagic[8] = {'P', 'V', 'X', 'S', 'J', 'R', 'N', 'L'};
static const char smagic[8] = {'P', 'V', 'X', 'S', 'S', 'N', 'A', 'P'};

bool journal_on(const struct xs_store *st)
{
	return st->journaling;
}

void journal_rec_begin(struct xs_store *st, enum jrec type)
{
	if (!st->journaling)
		return;
	st->jrec = st->jbuf.len;
	buf_u32(&st->jbuf, type);
	buf_u32(&st->jbuf, 0);
}

void jr_u32(struct xs_store *st, uint32_t v)
{
	if (st->journaling)
		buf_u32(&st->jbuf, v);
}

void jr_u64(struct xs_store *st, uint64_t v)
{
	if (st->journaling)
		buf_u64(&st->jbuf, v);
}

void jr_blob(struct xs_store *st, const void *p, size_t n)
{
	if (st->journaling)
		buf_blob(&st->jbuf, p, n);
}

void journal_rec_end(struct xs_store *st)
{
	uint32_t len;

	if (!st->journaling || st->jbuf.len < st->jrec + 8)
		return;
	len = (uint32_t)(st->jbuf.len - st->jrec - 8);
	for (int i = 0; i < 4; i++)
		st->jbuf.p[st->jrec + 4 + i] = (uint8_t)(len >> (8 * i));
}

void journal_batch(struct xs_store *st)
{
	struct xs_buf *b = &st->jbuf;

	if (!b->len)
		return;
	if (st->journaling) {
		buf_u32(&st->jout, BATCH_MAGIC);
		buf_u32(&st->jout, (uint32_t)b->len);
		buf_u32(&st->jout, xs_crc32(0, b->p, b->len));
		buf_put(&st->jout, b->p, b->len);
		st->stats.journal_bytes += b->len + 12;
	}
	b->len = 0;
}

/* ---------------------------------------------------------- records */

static void put_perms(struct xs_store *st, const struct xs_perm *p, uint32_t n)
{
	jr_u32(st, n);
	for (uint32_t i = 0; i < n; i++) {
		jr_u32(st, p[i].domid);
		jr_u32(st, p[i].perm);
	}
}

void journal_node(struct xs_store *st, const struct xs_node *n)
{
	journal_rec_begin(st, JR_NODE);
	jr_blob(st, n->path, n->plen);
	jr_u64(st, n->gen);
	put_perms(st, n->perms, n->nperms);
	jr_blob(st, n->value, n->vlen);
	jr_blob(st, n->children, n->clen);
	journal_rec_end(st);
}

void journal_child(struct xs_store *st, const struct xs_node *n,
		   const char *leaf, bool add)
{
	journal_rec_begin(st, JR_CHILD);
	jr_blob(st, n->path, n->plen);
	jr_u64(st, n->gen);
	jr_blob(st, leaf, strlen(leaf));
	jr_u32(st, add);
	journal_rec_end(st);
}

void journal_del(struct xs_store *st, const char *path, size_t plen)

{
	journal_rec_begin(st, JR_DEL);
	jr_blob(st, path, plen);
	journal_rec_end(st);
}

void journal_domain(struct xs_store *st, const struct xs_domain *d)
{
	uint32_t flags = (d->introduced ? 1 : 0) | (d->shutdown ? 2 : 0) |
			 (d->has_target ? 4 : 0) |
			 (d->conn && d->conn->is_ring ? 8 : 0);

	journal_rec_begin(st, JR_DOMAIN);
	jr_u32(st, d->domid);
	jr_u64(st, d->gen);
	jr_u32(st, flags);
	jr_u64(st, d->gfn);
	jr_u32(st, d->port);
	jr_u32(st, d->target);
	jr_blob(st, d->uuid, strlen(d->uuid));
	jr_u32(st, d->quota_set);
	for (int q = 0; q < XSQ_COUNT; q++)
		jr_u32(st, d->quota[q]);
	journal_rec_end(st);
}

void journal_domain_del(struct xs_store *st, uint32_t domid)
{
	journal_rec_begin(st, JR_DOMAIN_DEL);
	jr_u32(st, domid);
	journal_rec_end(st);
}

void journal_watch(struct xs_store *st, const struct xs_watch *w, bool add)
{
	journal_rec_begin(st, add ? JR_WATCH : JR_UNWATCH);
	jr_u32(st, w->conn->id);
	jr_u32(st, w->relative);
	jr_blob(st, w->path, w->plen);
	jr_blob(st, w->token, strlen(w->token));
	journal_rec_end(st);
}

void journal_txn(struct xs_store *st, uint32_t domid, uint32_t id, bool open)
{
	journal_rec_begin(st, JR_TXN);
	jr_u32(st, domid);
	jr_u32(st, id);
	jr_u32(st, open);
	journal_rec_end(st);
}

void journal_quota(struct xs_store *st, uint32_t domid, enum xs_quota q,
		   uint32_t v, bool set)
{
	journal_rec_begin(st, JR_QUOTA);
	jr_u32(st, domid);
	jr_u32(st, q);
	jr_u32(st, v);
	jr_u32(st, set);
	journal_rec_end(st);
}

void journal_special(struct xs_store *st, unsigned int which)
{
	journal_rec_begin(st, JR_SPECIAL);
	jr_u32(st, which);
	put_perms(st, st->special_perms[which], st->nspecial[which]);
	journal_rec_end(st);
}

void journal_connreset(struct xs_store *st, uint32_t domid)
{
	journal_rec_begin(st, JR_CONNRESET);
	jr_u32(st, domid);
	journal_rec_end(st);
}

void journal_cursor(struct xs_store *st, uint32_t domid, uint32_t cursor,
		    uint32_t rsp_start, const struct xs_conn *c)
{
	journal_rec_begin(st, JR_CURSOR);
	jr_u32(st, domid);
	jr_u32(st, cursor);
	jr_u32(st, rsp_start);
	jr_u32(st, (uint32_t)c->out_bytes);
	for (const struct xs_out *o = c->out_head; o; o = o->next)
		if (st->journaling)
			buf_put(&st->jbuf, o->data + o->off, o->len - o->off);
	journal_rec_end(st);
}

void journal_partial(struct xs_store *st, uint32_t domid, uint32_t cursor,
		     const uint8_t *buf, uint32_t len)
{
	journal_rec_begin(st, JR_PARTIAL);
	jr_u32(st, domid);
	jr_u32(st, cursor);
	jr_blob(st, buf, len);
	journal_rec_end(st);
}

static void journal_meta(struct xs_store *st, const struct xs_meta *m)
{
	journal_rec_begin(st, JR_META);
	jr_blob(st, m->key, strlen(m->key));
	jr_blob(st, m->value, strlen(m->value));
	journal_rec_end(st);
}

void xs_store_set_meta(struct xs_store *st, const char *key, const char *value)
{
	struct xs_meta *m;

	for (m = st->meta; m && strcmp(m->key, key); m = m->next)
		;
	if (!m) {
		m = calloc(1, sizeof(*m));
		if (!m || !(m->key = strdup(key))) {
			free(m);
			return;
		}
		m->next = st->meta;
		st->meta = m;
	}
	free(m->value);
	m->value = strdup(value ? value : "");
	if (!m->value)
		m->value = strdup("");
	journal_meta(st, m);
	journal_batch(st);
}

const char *xs_store_meta(const struct xs_store *st, const char *key)
{
	for (const struct xs_meta *m = st->meta; m; m = m->next)
		if (!strcmp(m->key, key))
			return m->value;
	return NULL;
}

/* ---------------------------------------------------- daemon side */

const void *xs_journal_peek(struct xs_store *st, size_t *len)
{
	journal_batch(st);
	*len = st->jout.len;
	return st->jout.p;
}

void xs_journal_clear(struct xs_store *st)
{
	st->jout.len = 0;
}

void xs_journal_set_sink(struct xs_store *st,
			 int (*sink)(void *arg, const void *buf, size_t len),
			 void *arg)
{
	st->jsink = sink;
	st->jsink_arg = arg;
}

int xs_journal_flush(struct xs_store *st)
{
	int rc = 0;

	journal_batch(st);
	if (st->jout.len && st->jsink)
		rc = st->jsink(st->jsink_arg, st->jout.p, st->jout.len);
	st->jout.len = 0;
	return rc;
}

void xs_journal_enable(struct xs_store *st, bool on)
{
	st->journaling = on;
	if (!on) {
		st->jbuf.len = 0;
		st->jout.len = 0;
	}
}

static void put_header(uint8_t *h, const char magic[8], uint64_t gen)
{
	memcpy(h, magic, 8);
	for (int i = 0; i < 4; i++) {
		h[8 + i] = (uint8_t)(XS_JOURNAL_VERSION >> (8 * i));
		h[12 + i] = 0;
	}
	for (int i = 0; i < 8; i++)
		h[16 + i] = (uint8_t)(gen >> (8 * i));
}

void xs_journal_header(uint64_t generation, uint8_t hdr[XS_JOURNAL_HDR_LEN])
{
	put_header(hdr, jmagic, generation);
}

/* ---------------------------------------------------------- snapshot */

static bool snap_node(void *val, void *arg)
{
	journal_node(arg, val);
	return true;
}

int xs_snapshot_build(struct xs_store *st, uint64_t generation, void **out,
		      size_t *outlen)
{
	struct xs_buf saved = st->jbuf, file = {0};
	bool was = st->journaling;
	uint8_t hdr[XS_JOURNAL_HDR_LEN];
	int rc = 0;

	st->jbuf = (struct xs_buf){0};
	st->journaling = true;
	journal_rec_begin(st, JR_GEN);
	jr_u64(st, st->gen);
	journal_rec_end(st);
	for (int q = 0; q < XSQ_COUNT; q++)
		journal_quota(st, UINT32_MAX, (enum xs_quota)q, st->quota[q],
			      true);
	journal_special(st, 0);
	journal_special(st, 1);
	for (struct xs_meta *m = st->meta; m; m = m->next)
		journal_meta(st, m);
	for (uint32_t i = 0; i < st->ndomains; i++)
		if (st->domains[i])
			journal_domain(st, st->domains[i]);
	map_foreach(&st->nodes, snap_node, st);
	for (struct dlist *l = st->conns.next; l != &st->conns; l = l->next) {
		struct xs_conn *c = container_of(l, struct xs_conn, link);

		if (!c->is_ring)
			continue;
		for (struct dlist *w = c->watches.next; w != &c->watches;
		     w = w->next)
			journal_watch(
			    st, container_of(w, struct xs_watch, conn_link),
			    true);
		for (struct dlist *t = c->txns.next; t != &c->txns; t = t->next)
			journal_txn(st, c->id,
				    container_of(t, struct xs_txn, link)->id,
				    true);
		for (uint32_t i = 0; i < c->nstale; i++)
			journal_txn(st, c->id, c->stale_tx[i], true);
		ring_snapshot(c);
	}
	journal_rec_begin(st, JR_END);
	journal_rec_end(st);

	put_header(hdr, smagic, generation);
	if (buf_put(&file, hdr, sizeof(hdr)) || buf_u32(&file, BATCH_MAGIC) ||
	    buf_u32(&file, (uint32_t)st->jbuf.len) ||
	    buf_u32(&file, xs_crc32(0, st->jbuf.p, st->jbuf.len)) ||
	    buf_put(&file, st->jbuf.p, st->jbuf.len))
		rc = -ENOMEM;
	buf_free(&st->jbuf);
	st->jbuf = saved;
	st->journaling = was;
	if (rc) {
		buf_free(&file);
		return rc;
	}
	*out = file.p;
	*outlen = file.len;
	return 0;
}
