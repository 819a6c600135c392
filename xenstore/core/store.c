/* The store: creation, quotas, statistics, privileged helpers. */
#include <stdlib.h>

#include "core.h"

int xs_store_new(const struct xs_hooks *hooks, struct xs_store **out)
{
	struct xs_store *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	if (hooks)
		st->hooks = *hooks;
	dlist_init(&st->conns);
	st->kick_tail = &st->kick_head;
	for (int q = 0; q < XSQ_COUNT; q++)
		st->quota[q] = xs_quota_default((enum xs_quota)q);
	/* Special watches: only dom0 hears them until it grants more. */
	st->special_perms[0][0] = (struct xs_perm){0, XS_PERM_NONE};
	st->special_perms[1][0] = (struct xs_perm){0, XS_PERM_NONE};
	st->nspecial[0] = st->nspecial[1] = 1;
	st->ndomains = XS_DOMID_FIRST_RESERVED;
	st->domains = calloc(st->ndomains, sizeof(*st->domains));
	if (!st->domains || map_init(&st->wbuckets) ||
	    !domain_get(st, 0, true) || tree_init(st)) {
		xs_store_free(st);
		return -ENOMEM;
	}
	*out = st;
	return 0;
}

static bool free_bucket(void *val, void *arg)
{
	struct xs_wbucket *b = val;

	(void)arg;
	free(b->path);
	free(b);
	return true;
}

void xs_store_free(struct xs_store *st)
{
	if (!st)
		return;
	while (!dlist_empty(&st->conns)) {
		struct xs_conn *c =
		    container_of(st->conns.next, struct xs_conn, link);

		xs_conn_free(c);
	}
	tree_fini(st);
	for (uint32_t i = 0; st->domains && i < st->ndomains; i++)
		free(st->domains[i]);
	free(st->domains);
	if (st->wbuckets.b)
		map_foreach(&st->wbuckets, free_bucket, NULL);
	map_fini(&st->wbuckets);
	while (st->meta) {
		struct xs_meta *m = st->meta;

		st->meta = m->next;
		free(m->key);
		free(m->value);
		free(m);
	}
	buf_free(&st->jbuf);
	buf_free(&st->jout);
	free(st);
}

uint32_t xs_store_quota(const struct xs_store *st, enum xs_quota q)
{
	return st->quota[q];
}

void xs_store_set_quota(struct xs_store *st, enum xs_quota q, uint32_t v)
{
	st->quota[q] = v;
	journal_quota(st, UINT32_MAX, q, v, true);
	journal_batch(st);
}

uint64_t xs_store_nodes(const struct xs_store *st)
{
	return st->nodes.count;
}

uint64_t xs_store_generation(const struct xs_store *st)
{
	return st->gen;
}

void xs_store_stats(const struct xs_store *st, struct xs_stats *out)
{
	*out = st->stats;
	out->nodes = st->nodes.count;
}

/* ------------------------------------------------- privileged helpers */

struct xs_conn *store_sys_conn(struct xs_store *st)
{
	static struct xs_conn sys; /* never queued to: no I/O, no list */

	sys.st = st;
	sys.id = 0;
	sys.priv = true;
	return &sys;
}

static int sys_perms(struct xs_store *st, const char *path, size_t plen,
		     const char *perms, size_t permslen)
{
	struct xs_view v = {st, NULL};
	struct xs_perm *p;
	uint32_t n = 0;
	int rc;

	for (size_t i = 0; i < permslen; i++)
		n += perms[i] == 0;
	if (!n || perms[permslen - 1])
		return -EINVAL;
	p = calloc(n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = perms_parse(perms, permslen, n, p);
	if (rc == 0)
		rc = perms_refs(st, p, n);
	if (rc == 0)
		rc =
		    node_set_perms_op(&v, store_sys_conn(st), path, plen, p, n);
	free(p);
	return rc;
}

static int sys_node(struct xs_store *st, const char *path, const void *val,
		    size_t len, const char *perms, size_t permslen, bool mkdir)
{
	struct xs_view v = {st, NULL};
	size_t plen = strlen(path);
	int rc;

	if (path[0] != '/' || !path_valid_chars(path, plen))
		return -EINVAL;
	st->cur_charge = 0;
	rc = node_write(&v, store_sys_conn(st), path, plen, val, len, mkdir);
	if (rc == 0 && perms)
		rc = sys_perms(st, path, plen, perms, permslen);
	journal_batch(st);
	return rc;
}

int xs_sys_write(struct xs_store *st, const char *path, const void *val,
		 size_t len, const char *perms, size_t permslen)
{
	return sys_node(st, path, val, len, perms, permslen, false);
}

int xs_sys_mkdir(struct xs_store *st, const char *path, const char *perms,
		 size_t permslen)
{
	return sys_node(st, path, NULL, 0, perms, permslen, true);
}

int xs_sys_rm(struct xs_store *st, const char *path)
{
	struct xs_view v = {st, NULL};
	int rc;

	st->cur_charge = 0;
	rc = node_rm(&v, store_sys_conn(st), path, strlen(path));
	journal_batch(st);
	return rc;
}

char *xs_sys_read(struct xs_store *st, const char *path, size_t *len)
{
	const struct xs_node *n = tree_get(st, path, strlen(path));
	char *s;

	if (!n)
		return NULL;
	s = malloc(n->vlen + 1);
	if (!s)
		return NULL;
	memcpy(s, n->value, n->vlen);
	s[n->vlen] = 0;
	if (len)
		*len = n->vlen;
	return s;
}

void xs_fire_restored_watches(struct xs_store *st)
{
	for (struct dlist *l = st->conns.next; l != &st->conns; l = l->next) {
		struct xs_conn *c = container_of(l, struct xs_conn, link);

		if (!c->is_ring || c->dead)
			continue;
		for (struct dlist *w = c->watches.next; w != &c->watches;
		     w = w->next) {
			struct xs_watch *x =
			    container_of(w, struct xs_watch, conn_link);

			watch_send(x, x->path, c->id);
		}
	}
}
