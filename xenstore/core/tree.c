/*
 * The tree: nodes in one hash map keyed by their absolute path; each
 * node lists its children's leaf names in creation order, as Xen's
 * xenstored keeps them. Every change goes through tree_set / tree_del,
 * which keep the per-owner node counts and write the journal.
 */
#include <stdlib.h>

#include "core.h"

const struct xs_node *tree_get(struct xs_store *st, const char *path,
			       size_t plen)
{
	return map_get(&st->nodes, path, plen);
}

/* Bytes Xen accounts for a node: its record and its name. */
static int64_t node_mem(const struct xs_node *n)
{
	return node_acc_size(n->nperms, n->vlen, n->clen) + n->plen;
}

static void count_owner(struct xs_store *st, const struct xs_node *n, int delta)
{
	struct xs_domain *d = domain_get(st, node_owner(n), delta > 0);
	int64_t mem = delta * node_mem(n);

	if (!d)
		return;
	if (delta < 0 && d->nodes < (uint32_t)-delta)
		d->nodes = 0;
	else
		d->nodes = (uint32_t)((int64_t)d->nodes + delta);
	d->memory = mem < 0 && d->memory < (uint64_t)-mem
			? 0
			: (uint64_t)((int64_t)d->memory + mem);
}

/* Stores n with its generation as given (restore) or a new one. */
static int tree_store(struct xs_store *st, struct xs_node *n, bool new_gen)
{
	struct xs_node *old = map_get(&st->nodes, n->path, n->plen);

	if (new_gen)
		n->gen = ++st->gen;
	else if (n->gen > st->gen)
		st->gen = n->gen;
	if (old) {
		count_owner(st, old, -1);
		count_owner(st, n, 1);
		map_rekey(&st->nodes, n->path, n->plen, n);
		node_free(old);
	} else {
		int rc = map_put(&st->nodes, n->path, n->plen, n);

		if (rc) {
			node_free(n);
			return rc;
		}
		count_owner(st, n, 1);
		st->stats.nodes++;
	}
	return 0;
}

/*
 * Did only the children change, by one name added at the end or one
 * removed? Then the journal gets that change, not the whole list: a
 * directory with thousands of entries must not cost its size in journal
 * bytes per new child.
 */
static bool same(const void *a, const void *b, size_t n)
{
	return !n || !memcmp(a, b, n);
}

static int child_delta(const struct xs_node *o, const struct xs_node *n,
		       const char **leaf, uint32_t *llen)
{
	const struct xs_node *big = n->clen > o->clen ? n : o;
	const struct xs_node *small = big == n ? o : n;
	uint32_t off = 0;

	if (o->vlen != n->vlen || o->nperms != n->nperms ||
	    !same(o->value, n->value, o->vlen) ||
	    !same(o->perms, n->perms, o->nperms * sizeof(*o->perms)) ||
	    big->clen == small->clen)
		return 0;
	/* the first differing entry of the longer list */
	while (off < small->clen &&
	       !strcmp(big->children + off, small->children + off))
		off += (uint32_t)strlen(small->children + off) + 1;
	*leaf = big->children + off;
	*llen = (uint32_t)strlen(*leaf);
	if (big->clen - small->clen != *llen + 1 ||
	    !same(big->children + off + *llen + 1, small->children + off,
		  small->clen - off))
		return 0;

	return big == n ? 1 : -1;
}

int tree_set(struct xs_store *st, struct xs_node *n)
{
	const struct xs_node *old = map_get(&st->nodes, n->path, n->plen);
	const char *leaf = NULL;
	uint32_t llen = 0;
	int delta =
	    old && st->journaling ? child_delta(old, n, &leaf, &llen) : 0;
	char *name = NULL;
	int rc;

	if (delta && !(name = strndup(leaf, llen)))
		delta = 0;
	rc = tree_store(st, n, true);
	if (rc == 0 && delta)
		journal_child(st, n, name, delta > 0);
	else if (rc == 0)
		journal_node(st, n);
	free(name);
	return rc;
}

/* Restore: the node as it was, generation included. */
int tree_restore(struct xs_store *st, struct xs_node *n)
{
	return tree_store(st, n, false);
}

static void tree_unlink(struct xs_store *st, const char *path, size_t plen)
{
	struct xs_node *n = map_del(&st->nodes, path, plen);

	if (!n)
		return;
	count_owner(st, n, -1);
	st->stats.nodes--;

	node_free(n);
}

void tree_del(struct xs_store *st, const char *path, size_t plen)
{
	if (!map_get(&st->nodes, path, plen))
		return;
	journal_del(st, path, plen);
	tree_unlink(st, path, plen);
}

void tree_restore_del(struct xs_store *st, const char *path, size_t plen)
{
	tree_unlink(st, path, plen);
}

static bool free_one(void *val, void *arg)
{
	(void)arg;
	node_free(val);
	return true;
}

void tree_fini(struct xs_store *st)
{
	if (st->nodes.b)
		map_foreach(&st->nodes, free_one, NULL);
	map_fini(&st->nodes);
	st->stats.nodes = 0;
}

/* Xen's initial tree: "/", "/tool", "/tool/xenstored", owned by dom0
 * with no access for others. */
static int manual_node(struct xs_store *st, const char *path, const char *child)
{
	struct xs_node *n = node_new(path, strlen(path));
	struct xs_perm p = {0, XS_PERM_NONE};

	if (!n || node_set_perms(n, &p, 1) ||
	    (child && node_add_child(n, child, strlen(child)))) {
		node_free(n);
		return -ENOMEM;
	}
	return tree_store(st, n, true);
}

int tree_init(struct xs_store *st)
{
	int rc = map_init(&st->nodes);

	if (rc == 0)
		rc = manual_node(st, "/", "tool");
	if (rc == 0)
		rc = manual_node(st, "/tool", "xenstored");
	if (rc == 0)
		rc = manual_node(st, "/tool/xenstored", NULL);
	return rc;
}

/* ------------------------------------------------ removal of a domain */

struct owned {
	uint32_t domid;
	char **paths;
	size_t n, cap;
};

static bool collect_owned(void *val, void *arg)
{
	struct xs_node *n = val;
	struct owned *o = arg;

	if (node_owner(n) != o->domid || n->plen == 1)
		return true;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		char **p = realloc(o->paths, cap * sizeof(*p));

		if (!p)
			return false;
		o->paths = p;
		o->cap = cap;
	}
	o->paths[o->n] = strdup(n->path);
	if (o->paths[o->n])
		o->n++;
	return true;
}

static int by_length(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? -1 : la > lb;
}

/*
 * Xen deletes every node a dead domain owns, with its subtree (whoever
 * owns the children), firing watches as for XS_RM. Shallowest first, so
 * a removed subtree's other owned nodes are already gone.
 */
void nodes_remove_owned(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = domain_get(st, domid, false);
	struct owned o = {domid, NULL, 0, 0};
	struct xs_view v = {st, NULL};

	if (!d || !d->nodes)
		return;
	map_foreach(&st->nodes, collect_owned, &o);
	qsort(o.paths, o.n, sizeof(*o.paths), by_length);
	for (size_t i = 0; i < o.n; i++) {
		const struct xs_node *n =
		    tree_get(st, o.paths[i], strlen(o.paths[i]));

		if (n && node_owner(n) == domid)
			node_rm(&v, store_sys_conn(st), o.paths[i],
				strlen(o.paths[i]));
		free(o.paths[i]);
	}
	free(o.paths);
}
