/* Requests about watches and transactions. */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define PATHBUF (XS_ABS_PATH_MAX + 64)

/* Xen's check_watch_path: "@..." as given, else a canonical path. */
static int watch_path(struct xs_conn *c, const char *in, char *out,
		      bool *relative)
{
	if (in[0] == '@') {
		size_t len = strlen(in);

		if (len > XENSTORE_REL_PATH_MAX)
			return -EINVAL;
		memcpy(out, in, len + 1);
		*relative = false;
		return 0;
	}
	return path_canonical(c, in, out, PATHBUF, relative);
}

int op_watch(struct xs_req *r)
{
	struct xs_conn *c = r->c;
	const char *vec[2];
	char path[PATHBUF];
	struct xs_watch *w;
	bool rel;
	uint32_t q;
	int rc;

	if (req_strings(r, vec, 2) != 2)
		return -EINVAL;
	rc = watch_path(c, vec[0], path, &rel);
	if (rc)
		return rc;
	if (watch_find(c, path, vec[1]))
		return -EEXIST;
	q = c->dom ? domain_quota(c->st, c->dom, XSQ_WATCHES)
		   : xs_store_quota(c->st, XSQ_WATCHES);
	/* Xen compares with '>', so a domain may hold quota + 1 watches. */
	if (!c->priv && q && c->nwatches > q)
		return -E2BIG;
	rc = watch_add(c, path, strlen(path), vec[1], rel, &w);
	if (rc == 0)
		rc = req_ack(r);
	/* Fired once up front, with the path as the watch was given. */
	if (rc == 0)
		watch_send(w, w->path, c->id);
	return rc;
}

int op_unwatch(struct xs_req *r)
{
	const char *vec[2];
	char path[PATHBUF];
	struct xs_watch *w;
	bool rel;
	int rc;

	if (req_strings(r, vec, 2) != 2)
		return -EINVAL;
	rc = watch_path(r->c, vec[0], path, &rel);
	if (rc)
		return rc;
	w = watch_find(r->c, path, vec[1]);
	if (!w)
		return -ENOENT;
	watch_del(w);
	return req_ack(r);
}

int op_reset_watches(struct xs_req *r)
{
	struct xs_conn *c = r->c;

	watch_del_all(c);
	while (!dlist_empty(&c->txns))
		txn_free(container_of(c->txns.next, struct xs_txn, link));
	while (c->nstale) {
		journal_txn(c->st, c->id, c->stale_tx[c->nstale - 1], false);
		c->nstale--;
	}
	return req_ack(r);
}

int op_transaction_start(struct xs_req *r)
{
	struct xs_conn *c = r->c;
	struct xs_txn *t;
	char id[16];
	uint32_t q;
	int n;

	if (r->v.tx)
		return -EBUSY; /* no nesting */
	q = c->dom ? domain_quota(c->st, c->dom, XSQ_TRANSACTIONS)
		   : xs_store_quota(c->st, XSQ_TRANSACTIONS);
	if (!c->priv && q && c->ntxns + c->nstale > q)
		return -ENOSPC;
	t = txn_new(c);
	if (!t)
		return -ENOMEM;
	for (uint32_t i = 0; i < c->nstale; i++) {
		/* Never reuse an id a guest may still be retrying. */
		if (c->stale_tx[i] == t->id) {
			txn_free(t);
			t = txn_new(c);
			if (!t)
				return -ENOMEM;
			i = (uint32_t)-1;
		}
	}
	if (c->is_ring)
		journal_txn(c->st, c->id, t->id, true);
	n = snprintf(id, sizeof(id), "%u", t->id);
	return req_reply(r, id, (size_t)n + 1);
}

int op_transaction_end(struct xs_req *r)
{
	const char *arg = req_onearg(r);
	struct xs_txn *t = r->v.tx;
	int rc;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	if (!t)
		return -ENOENT;
	r->v.tx = NULL;
	if (!strcmp(arg, "F")) {
		txn_free(t);
		return req_ack(r);
	}
	rc = txn_commit(t);
	return rc ? rc : req_ack(r);
}
