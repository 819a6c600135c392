/*
 * Views and transactions. Outside a transaction a view is the tree
 * itself. Inside one, a view records every node it touches with the
 * generation it saw (or that it did not exist), and keeps modified
 * nodes in a private copy; commit fails with EAGAIN when any touched
 * node changed meanwhile (Xen's per-node conflict detection), otherwise
 * applies the copies and fires the watch events the transaction
 * collected.
 */
#include <stdlib.h>

#include "core.h"

static struct xs_tent *tent_get(struct xs_txn *t, const char *path, size_t plen)
{
	return map_get(&t->ents, path, plen);
}

/* Records a first access to a base node. */
static int tent_add(struct xs_txn *t, struct xs_conn *c, const char *path,
		    size_t plen, struct xs_tent **out)
{
	struct xs_store *st = t->conn->st;
	const struct xs_node *base = tree_get(st, path, plen);
	uint32_t q = c->dom ? domain_quota(st, c->dom, XSQ_TRANSACTION_NODES)
			    : xs_store_quota(st, XSQ_TRANSACTION_NODES);
	struct xs_tent *e;

	if (!c->priv && q && t->nents >= q)
		return -ENOSPC;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->path = malloc(plen + 1);
	if (!e->path) {
		free(e);
		return -ENOMEM;
	}
	memcpy(e->path, path, plen);
	e->path[plen] = 0;
	e->plen = (uint32_t)plen;
	e->base_gen = base ? base->gen : XS_NO_GEN;
	dlist_init(&e->order);
	if (map_put(&t->ents, e->path, plen, e)) {
		free(e->path);
		free(e);
		return -ENOMEM;
	}
	t->nents++;
	*out = e;
	return 0;
}

int view_get(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen, const struct xs_node **out)
{
	struct xs_tent *e;
	int rc;

	if (!v->tx) {
		*out = tree_get(v->st, path, plen);
		return 0;
	}
	e = tent_get(v->tx, path, plen);
	if (!e) {
		rc = tent_add(v->tx, c, path, plen, &e);
		if (rc)
			return rc;
	}
	*out = e->modified ? e->node : tree_get(v->st, path, plen);
	return 0;
}

static void delta_add(struct xs_txn *t, uint32_t domid, int32_t d)
{
	struct xs_tdelta *p;

	for (uint32_t i = 0; i < t->ndeltas; i++) {
		if (t->deltas[i].domid == domid) {
			t->deltas[i].delta += d;
			return;
		}
	}
	p = realloc(t->deltas, (t->ndeltas + 1) * sizeof(*p));
	if (!p) {
		t->failed = true;
		return;
	}
	t->deltas = p;
	t->deltas[t->ndeltas++] = (struct xs_tdelta){domid, d};
}

/* Node count of a domain in this view. */
uint32_t view_nodes_of(struct xs_view *v, uint32_t domid)
{
	struct xs_domain *d = domain_get(v->st, domid, false);
	int64_t n = d ? d->nodes : 0;

	for (uint32_t i = 0; v->tx && i < v->tx->ndeltas; i++)
		if (v->tx->deltas[i].domid == domid)
			n += v->tx->deltas[i].delta;
	return n < 0 ? 0 : (uint32_t)n;
}

static int tent_modify(struct xs_view *v, struct xs_conn *c, const char *path,
		       size_t plen, struct xs_node *n)
{
	const struct xs_node *cur;
	struct xs_tent *e;
	int rc = view_get(v, c, path, plen, &cur);

	if (rc) {
		node_free(n);
		return rc;
	}
	e = tent_get(v->tx, path, plen);
	if (cur)
		delta_add(v->tx, node_owner(cur), -1);
	if (n)
		delta_add(v->tx, node_owner(n), 1);
	if (e->modified)
		node_free(e->node);
	else
		dlist_add_tail(&v->tx->modified, &e->order);
	e->modified = true;
	e->node = n;
	return 0;
}

int view_set(struct xs_view *v, struct xs_conn *c, struct xs_node *n)
{
	if (!v->tx)
		return tree_set(v->st, n);
	/* A generation for DIRECTORY_PART inside the transaction. */
	n->gen = v->st->gen + 1;
	return tent_modify(v, c, n->path, n->plen, n);
}

int view_del(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen)
{
	if (!v->tx) {
		tree_del(v->st, path, plen);
		return 0;
	}
	return tent_modify(v, c, path, plen, NULL);
}

void view_fire(struct xs_view *v, const char *path, size_t plen, bool exact,
	       const struct xs_oldperms *old)
{
	struct xs_txn *t = v->tx;
	struct xs_tevent *ev;

	if (!t) {
		fire_watches(v->st, path, plen, exact,
			     tree_get(v->st, path, plen), old,
			     v->st->cur_charge);
		return;
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev || !(ev->path = strndup(path, plen))) {
		free(ev);
		t->failed = true;
		return;
	}
	ev->exact = exact;
	if (old && old->n) {
		ev->old = malloc(old->n * sizeof(*old->p));
		if (!ev->old) {
			free(ev->path);
			free(ev);
			t->failed = true;
			return;
		}
		memcpy(ev->old, old->p, old->n * sizeof(*old->p));
		ev->nold = old->n;
		ev->oldgen = old->gen;
	}
	*t->ev_tail = ev;
	t->ev_tail = &ev->next;
}

/* ------------------------------------------------------- transactions */

struct xs_txn *txn_new(struct xs_conn *c)
{
	struct xs_txn *t = calloc(1, sizeof(*t));

	if (!t || map_init(&t->ents)) {
		free(t);
		return NULL;
	}
	t->conn = c;
	dlist_init(&t->modified);
	t->ev_tail = &t->ev_head;
	/* Xen: ids count up per connection and skip 0 and ids in use. */
	do {
		t->id = c->next_txid++;
	} while (t->id == 0 || txn_find(c, t->id));
	dlist_add_tail(&c->txns, &t->link);
	c->ntxns++;
	if (c->dom)
		c->dom->txns++;
	return t;
}

struct xs_txn *txn_find(struct xs_conn *c, uint32_t id)
{
	for (struct dlist *l = c->txns.next; l != &c->txns; l = l->next) {
		struct xs_txn *t = container_of(l, struct xs_txn, link);

		if (t->id == id)
			return t;
	}
	return NULL;
}

static bool free_tent(void *val, void *arg)
{
	struct xs_tent *e = val;

	(void)arg;
	if (e->modified)
		node_free(e->node);
	free(e->path);
	free(e);
	return true;
}

void txn_free(struct xs_txn *t)
{
	struct xs_conn *c = t->conn;

	dlist_del(&t->link);
	c->ntxns--;
	if (c->dom && c->dom->txns)
		c->dom->txns--;
	map_foreach(&t->ents, free_tent, NULL);
	map_fini(&t->ents);
	while (t->ev_head) {
		struct xs_tevent *ev = t->ev_head;

		t->ev_head = ev->next;
		free(ev->path);
		free(ev->old);
		free(ev);
	}
	free(t->deltas);
	if (c->is_ring && journal_on(c->st))
		journal_txn(c->st, c->id, t->id, false);
	free(t);
}

static bool check_one(void *val, void *arg)
{
	struct xs_tent *e = val;
	struct xs_store *st = arg;
	const struct xs_node *n = tree_get(st, e->path, e->plen);

	return (n ? n->gen : XS_NO_GEN) == e->base_gen;
}

struct conflict {
	struct xs_store *st;
	bool ok;
};

static bool check_conflict(void *val, void *arg)
{
	struct conflict *cf = arg;

	cf->ok = check_one(val, cf->st);
	return cf->ok;
}

static int check_quota(struct xs_txn *t)
{
	struct xs_conn *c = t->conn;
	struct xs_store *st = c->st;

	if (c->priv)
		return 0;
	for (uint32_t i = 0; i < t->ndeltas; i++) {
		struct xs_domain *d = domain_get(st, t->deltas[i].domid, false);
		uint32_t q = d ? domain_quota(st, d, XSQ_NODES)
			       : xs_store_quota(st, XSQ_NODES);
		int64_t n = (d ? d->nodes : 0) + (int64_t)t->deltas[i].delta;

		if (t->deltas[i].delta > 0 && q && n > q)
			return -ENOSPC;
	}
	return 0;
}

int txn_commit(struct xs_txn *t)
{
	struct xs_store *st = t->conn->st;
	struct conflict cf = {st, true};
	int rc = t->failed ? -ENOMEM : 0;

	if (rc == 0)
		map_foreach(&t->ents, check_conflict, &cf);
	if (rc == 0 && !cf.ok)
		rc = -EAGAIN;
	if (rc == 0)
		rc = check_quota(t);
	if (rc) {
		txn_free(t);
		return rc;
	}
	for (struct dlist *l = t->modified.next; l != &t->modified;
	     l = l->next) {
		struct xs_tent *e = container_of(l, struct xs_tent, order);

		if (e->node) {
			tree_set(st, e->node);
			e->node = NULL;
			e->modified = false; /* owned by the tree now */
		} else {
			tree_del(st, e->path, e->plen);
		}
	}
	for (struct xs_tevent *ev = t->ev_head; ev; ev = ev->next) {
		size_t len = strlen(ev->path);
		struct xs_oldperms old = {ev->old, ev->nold, ev->oldgen};
		const struct xs_node *n = tree_get(st, ev->path, len);
		struct xs_tent *e = tent_get(t, ev->path, len);

		/* Xen: a node that came and went inside the transaction
		 * never existed for anyone else, so nobody hears of it. */
		if (!n && e && e->base_gen == XS_NO_GEN)
			continue;
		fire_watches(st, ev->path, len, ev->exact, n,
			     ev->nold ? &old : NULL, st->cur_charge);
	}

	txn_free(t);
	return 0;
}
