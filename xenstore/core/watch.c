/*
 * Watches, indexed by the path they watch: a change of /a/b/c looks up
 * the buckets of /a/b/c, /a/b, /a and / (one hash lookup each), so the
 * cost of an event depends on the path's depth and the watches that
 * match, never on how many connections or watches exist.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* Pending events per connection beyond which new ones are dropped: a
 * client that does not read must not make the daemon grow forever. */
#define XS_MAX_PENDING_EVENTS 4096

static struct xs_wbucket *bucket_get(struct xs_store *st, const char *path,
				     size_t plen, bool create)
{
	struct xs_wbucket *b = map_get(&st->wbuckets, path, plen);

	if (b || !create)
		return b;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->path = strndup(path, plen))) {
		free(b);
		return NULL;
	}
	b->plen = (uint32_t)plen;
	dlist_init(&b->watches);
	if (map_put(&st->wbuckets, b->path, plen, b)) {
		free(b->path);
		free(b);
		return NULL;
	}
	return b;
}

int watch_add(struct xs_conn *c, const char *path, size_t plen,
	      const char *token, bool relative, struct xs_watch **out)
{
	struct xs_store *st = c->st;
	struct xs_wbucket *b;
	struct xs_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->path = strndup(path, plen);
	w->token = strdup(token);
	b = bucket_get(st, path, plen, true);
	if (!w->path || !w->token || !b) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	w->plen = (uint32_t)plen;
	w->seq = ++st->seq;
	w->conn = c;
	w->relative = relative;
	dlist_add_tail(&c->watches, &w->conn_link);
	dlist_add_tail(&b->watches, &w->path_link);
	c->nwatches++;
	if (c->dom)
		c->dom->watches++;
	st->stats.watches++;
	if (c->is_ring)
		journal_watch(st, w, true);
	*out = w;
	return 0;
}

void watch_del(struct xs_watch *w)
{
	struct xs_conn *c = w->conn;
	struct xs_store *st = c->st;
	struct xs_wbucket *b = map_get(&st->wbuckets, w->path, w->plen);

	if (c->is_ring)
		journal_watch(st, w, false);
	dlist_del(&w->conn_link);
	dlist_del(&w->path_link);
	if (b && dlist_empty(&b->watches)) {
		map_del(&st->wbuckets, b->path, b->plen);
		free(b->path);
		free(b);
	}
	c->nwatches--;
	if (c->dom && c->dom->watches)
		c->dom->watches--;
	st->stats.watches--;
	free(w->path);
	free(w->token);
	free(w);
}

struct xs_watch *watch_find(struct xs_conn *c, const char *path,
			    const char *token)
{
	for (struct dlist *l = c->watches.next; l != &c->watches; l = l->next) {
		struct xs_watch *w =
		    container_of(l, struct xs_watch, conn_link);

		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			return w;
	}
	return NULL;
}

void watch_del_all(struct xs_conn *c)
{
	while (!dlist_empty(&c->watches))
		watch_del(
		    container_of(c->watches.next, struct xs_watch, conn_link));
}

/* Is an identical event queued and not started yet? (Xen drops those.) */
static bool event_pending(struct xs_conn *c, const uint8_t *p, size_t len)
{
	for (struct xs_out *o = c->out_head; o; o = o->next)
		if (o->event && o->off == 0 && o->len == len + 16 &&
		    !memcmp(o->data + 16, p, len))
			return true;
	return false;
}

void watch_send(struct xs_watch *w, const char *path, uint32_t charge)
{
	struct xs_conn *c = w->conn;
	size_t plen = strlen(path), tlen = strlen(w->token), len;
	char buf[XENSTORE_PAYLOAD_MAX + 2];

	if (c->dead)
		return;
	/* Relative watches hear relative paths: strip "/local/domain/N/". */
	if (w->relative && path[0] == '/') {
		char pre[32];
		int n = snprintf(pre, sizeof(pre), "/local/domain/%u/", c->id);

		if (plen > (size_t)n && !strncmp(path, pre, (size_t)n)) {
			path += n;
			plen -= (size_t)n;
		}
	}
	len = plen + 1 + tlen + 1;
	if (len > XENSTORE_PAYLOAD_MAX)
		return; /* Xen does not send over-long events either */
	memcpy(buf, path, plen + 1);
	memcpy(buf + plen + 1, w->token, tlen + 1);
	if (path[0] != '@' && event_pending(c, (uint8_t *)buf, len))
		return;
	if (c->out_events >= XS_MAX_PENDING_EVENTS) {
		c->st->stats.errors++;
		return;
	}
	if (conn_queue(c, XS_WATCH_EVENT, 0, 0, buf, len, true, charge) == 0)
		c->st->stats.events++;
}

/* May c hear about a change of this node? Xen's watch_permitted: it may
 * read the node (before or after the change) or the node's parent. */
static bool permitted(struct xs_store *st, struct xs_conn *c, const char *path,
		      size_t plen, const struct xs_node *n,
		      const struct xs_oldperms *old)
{
	const struct xs_node *parent;

	if (c->priv)
		return true;
	if (old &&
	    (perm_for_conn(st, c, old->p, old->n, old->gen) & XS_PERM_READ))
		return true;
	if (n &&
	    (perm_for_conn(st, c, n->perms, n->nperms, n->gen) & XS_PERM_READ))
		return true;
	parent = tree_get(st, path, path_parent_len(path, plen));
	return parent && (perm_for_conn(st, c, parent->perms, parent->nperms,
					parent->gen) &
			  XS_PERM_READ);
}

struct matches {
	struct xs_watch **w;
	size_t n, cap;
	struct xs_watch *small[32];
};

static void match_add(struct matches *m, struct xs_watch *w)
{
	if (m->n == m->cap) {
		size_t cap = m->cap * 2;
		struct xs_watch **p = m->w == m->small
					  ? malloc(cap * sizeof(*p))
					  : realloc(m->w, cap * sizeof(*p));

		if (!p)
			return;
		if (m->w == m->small)
			memcpy(p, m->small, sizeof(m->small));
		m->w = p;
		m->cap = cap;
	}
	m->w[m->n++] = w;
}

/* Xen's order: connections as they came, each one's watches as set. */
static int by_seq(const void *a, const void *b)
{
	const struct xs_watch *x = *(struct xs_watch *const *)a;
	const struct xs_watch *y = *(struct xs_watch *const *)b;

	if (x->conn != y->conn)
		return x->conn->seq < y->conn->seq ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void fire_watches(struct xs_store *st, const char *path, size_t plen,
		  bool exact, const struct xs_node *node,
		  const struct xs_oldperms *old, uint32_t charge)
{
	struct matches m = {NULL, 0, 32, {0}};
	size_t len = plen;

	m.w = m.small;
	for (;;) {
		struct xs_wbucket *b = bucket_get(st, path, len, false);

		for (struct dlist *l = b ? b->watches.next : NULL;
		     b && l != &b->watches; l = l->next)
			match_add(&m,
				  container_of(l, struct xs_watch, path_link));
		if (exact || len == 1)
			break;
		len = path_parent_len(path, len);
	}
	if (m.n > 1)
		qsort(m.w, m.n, sizeof(*m.w), by_seq);
	for (size_t i = 0; i < m.n; i++)
		if (permitted(st, m.w[i]->conn, path, plen, node, old))
			watch_send(m.w[i], path, charge);
	if (m.w != m.small)
		free(m.w);
}

void fire_special(struct xs_store *st, const char *name, uint32_t charge)
{
	unsigned int which = !strcmp(name, "@releaseDomain");
	struct xs_wbucket *b = bucket_get(st, name, strlen(name), false);
	struct dlist *l;

	if (!b)
		return;
	for (l = b->watches.next; l != &b->watches;) {
		struct xs_watch *w =
		    container_of(l, struct xs_watch, path_link);

		l = l->next;
		if (w->conn->priv ||
		    (perm_for_conn(st, w->conn, st->special_perms[which],
				   st->nspecial[which], XS_NO_GEN - 1) &
		     XS_PERM_READ))
			watch_send(w, name, charge);
	}
}
