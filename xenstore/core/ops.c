/*
 * Request dispatch (one table, privilege and transaction handling in
 * one place, as in Xen's xenstored) and the node operations: READ,
 * WRITE, MKDIR, RM, DIRECTORY, DIRECTORY_PART, GET_PERMS, SET_PERMS.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

#define F_NOTID 1 /* the header's tx_id is ignored */
#define F_PRIV	2 /* dom0 only */

/* ----------------------------------------------------------- replies */

const char *xs_errname(int err)
{
#define NAME(x)                                                                \
	if (err == x)                                                          \
		return #x;
	PV_XSD_ERROR_LIST(NAME)
#undef NAME
	return "EINVAL"; /* Xen: untranslatable errors become EINVAL */
}

void conn_send_error(struct xs_conn *c, const struct xsd_sockmsg *hdr, int err)
{
	const char *name = xs_errname(err < 0 ? -err : err);

	c->st->stats.errors++;
	conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, strlen(name) + 1,
		   false, c->id);
}

int req_reply(struct xs_req *r, const void *p, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	return conn_queue(r->c, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, p,
			  len, false, r->c->id)
		   ? -ENOMEM
		   : 0;
}

int req_ack(struct xs_req *r)
{
	return req_reply(r, "OK", 3);
}

unsigned int req_strings(const struct xs_req *r, const char **vec,
			 unsigned int n)
{
	unsigned int i = 0;
	uint32_t off = 0;

	while (off < r->len) {
		const uint8_t *nul = memchr(r->payload + off, 0, r->len - off);

		if (!nul)
			break;
		if (i < n)
			vec[i] = (const char *)r->payload + off;
		i++;
		off = (uint32_t)(nul - r->payload) + 1;
	}
	return i;
}

const char *req_onearg(const struct xs_req *r)
{
	if (!r->len || memchr(r->payload, 0, r->len) !=
			   (const void *)(r->payload + r->len - 1))
		return NULL;
	return (const char *)r->payload;
}

/* ------------------------------------------------------ node lookups */

static uint32_t conn_rights(struct xs_conn *c, const struct xs_node *n)
{
	return perm_for_conn(c->st, c, n->perms, n->nperms, n->gen);
}

/* Xen's ask_parents: rights on the nearest existing ancestor. */
static int ask_parents(struct xs_view *v, struct xs_conn *c, const char *path,
		       size_t plen, uint32_t *rights)
{
	const struct xs_node *n = NULL;
	size_t len = plen;
	int rc;

	do {
		len = path_parent_len(path, len);
		rc = view_get(v, c, path, len, &n);
		if (rc)
			return rc;
	} while (!n && len > 1);
	*rights = n ? conn_rights(c, n) : 0;
	return 0;
}

int node_get(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen, uint32_t perm, const struct xs_node **out)
{
	const struct xs_node *n;
	uint32_t prights;
	int rc = view_get(v, c, path, plen, &n);

	*out = NULL;
	if (rc)
		return rc;
	if (n && (conn_rights(c, n) & perm) == perm) {
		*out = n;
		return 0;
	}
	/* Do not tell a domain whether a node it may not see exists. */
	rc = n ? -EACCES : -ENOENT;
	if (ask_parents(v, c, path, plen, &prights) == 0 && !(prights & perm))
		rc = -EACCES;
	return rc;
}

static bool size_ok(struct xs_conn *c, const struct xs_node *n)
{
	uint32_t q = c->dom ? domain_quota(c->st, c->dom, XSQ_NODE_SIZE)
			    : xs_store_quota(c->st, XSQ_NODE_SIZE);

	return c->priv || !q || node_acc_size(n->nperms, n->vlen, n->clen) < q;
}

/* ------------------------------------------------- creating nodes */

/* A new node below `parent` (already adjusted, see create_node),
 * inheriting its permissions; unprivileged creators own what they
 * create. */
static struct xs_node *node_child(struct xs_conn *c,
				  const struct xs_node *parent,
				  const char *path, size_t len)
{
	struct xs_node *n = node_new(path, len);

	if (!n || node_set_perms(n, parent->perms, parent->nperms)) {
		node_free(n);
		return NULL;
	}
	if (!c->priv)
		n->perms[0].domid = c->id;
	return n;
}

static int create_node(struct xs_view *v, struct xs_conn *c, const char *path,
		       size_t plen, const void *val, size_t vlen)
{
	struct xs_store *st = v->st;
	const struct xs_node *top = NULL;
	struct xs_node **made = NULL, *parent = NULL;
	size_t *ends = NULL, len = plen;
	uint32_t levels = 0, q;
	int rc = -ENOMEM;

	/* ends[i]: length of the i-th missing node's path, deepest first */
	while (!top) {
		size_t *e = realloc(ends, (levels + 1) * sizeof(*e));

		if (!e)
			goto out;
		ends = e;
		ends[levels++] = len;
		len = path_parent_len(path, len);
		rc = view_get(v, c, path, len, &top);
		if (rc)
			goto out;
		if (!top && len == 1) {
			rc = -EINVAL;
			goto out;
		}
	}
	q = c->dom ? domain_quota(st, c->dom, XSQ_NODES)
		   : xs_store_quota(st, XSQ_NODES);
	rc = -ENOSPC;
	if (!c->priv && q && view_nodes_of(v, c->id) + levels > q)
		goto out;
	rc = -ENOMEM;
	made = calloc(levels, sizeof(*made));
	parent = node_dup(top);
	if (!made || !parent)
		goto out;
	perms_adjust(st, parent, top->gen);
	for (uint32_t i = levels; i-- > 0;) {
		const struct xs_node *up =
		    i + 1 < levels ? made[i + 1] : parent;
		size_t leaf = (i + 1 < levels ? ends[i + 1] : len) + 1;

		if (len == 1 && i + 1 == levels)
			leaf = 1; /* child of "/" */
		made[i] = node_child(c, up, path, ends[i]);
		if (!made[i] || node_add_child((struct xs_node *)up,
					       path + leaf, ends[i] - leaf))
			goto out;
	}
	if (node_set_value(made[0], val, vlen))
		goto out;
	rc = -ENOSPC;
	for (uint32_t i = 0; i < levels; i++)
		if (!size_ok(c, made[i]))
			goto out;
	if (!size_ok(c, parent))
		goto out;
	/* All checks passed: store, top down. */
	rc = view_set(v, c, parent);
	parent = NULL;
	for (uint32_t i = levels; rc == 0 && i-- > 0;) {
		rc = view_set(v, c, made[i]);
		made[i] = NULL;
	}
out:
	for (uint32_t i = 0; made && i < levels; i++)
		node_free(made[i]);
	node_free(parent);
	free(made);
	free(ends);
	return rc;
}

int node_write(struct xs_view *v, struct xs_conn *c, const char *path,
	       size_t plen, const void *val, size_t vlen, bool mkdir_only)
{
	const struct xs_node *n;
	struct xs_node *nn;
	int rc = node_get(v, c, path, plen, XS_PERM_WRITE, &n);

	if (rc == 0) {
		if (mkdir_only)
			return 0; /* exists: fine, and no event */
		nn = node_dup(n);
		if (!nn || node_set_value(nn, val, vlen)) {
			node_free(nn);
			return -ENOMEM;
		}
		perms_adjust(v->st, nn, n->gen);
		if (!size_ok(c, nn)) {
			node_free(nn);
			return -ENOSPC;
		}
		rc = view_set(v, c, nn);
	} else if (rc == -ENOENT) {
		rc = create_node(v, c, path, plen, val, vlen);
	}
	if (rc == 0)
		view_fire(v, path, plen, false, NULL);
	return rc;
}

/* ------------------------------------------------------- removing */

/* Removes path and its subtree, children first, firing each node's
 * watches exactly and the top's on its ancestors too (Xen's rm). */
static int rm_subtree(struct xs_view *v, struct xs_conn *c, const char *path,
		      size_t plen, bool top)
{
	const struct xs_node *n;
	struct xs_perm *old;
	struct xs_oldperms op;
	char *kids = NULL, *child;
	uint32_t clen, nperm;
	uint64_t gen;
	int rc = view_get(v, c, path, plen, &n);

	if (rc || !n)
		return rc;
	clen = n->clen;
	if (clen && !(kids = malloc(clen)))
		return -ENOMEM;
	if (clen)
		memcpy(kids, n->children, clen);
	for (uint32_t off = 0; rc == 0 && off < clen;) {
		size_t l = strlen(kids + off);

		child = malloc(plen + l + 2);
		if (!child) {
			rc = -ENOMEM;
			break;
		}
		memcpy(child, path, plen);
		child[plen == 1 ? 0 : plen] = '/';
		memcpy(child + (plen == 1 ? 1 : plen + 1), kids + off, l + 1);
		rc = rm_subtree(v, c, child, strlen(child), false);
		free(child);
		off += (uint32_t)l + 1;
	}
	free(kids);
	if (rc)
		return rc;
	rc = view_get(v, c, path, plen, &n);
	if (rc || !n)
		return rc;
	nperm = n->nperms;
	gen = n->gen;
	old = malloc(nperm * sizeof(*old));
	if (!old)
		return -ENOMEM;
	memcpy(old, n->perms, nperm * sizeof(*old));
	rc = view_del(v, c, path, plen);
	op = (struct xs_oldperms){old, nperm, gen};
	if (rc == 0)
		view_fire(v, path, plen, !top, &op);
	free(old);
	return rc;
}

int node_rm(struct xs_view *v, struct xs_conn *c, const char *path, size_t plen)
{
	const struct xs_node *n, *parent;
	struct xs_node *np;
	size_t pl = path_parent_len(path, plen);
	int rc = node_get(v, c, path, plen, XS_PERM_WRITE, &n);

	if (rc == -ENOENT) {
		/* Not there: fine if its parent is. */
		rc = view_get(v, c, path, pl, &parent);
		return rc ? rc : parent ? 0 : -ENOENT;
	}
	if (rc)
		return rc;
	if (plen == 1)
		return -EINVAL;
	rc = view_get(v, c, path, pl, &parent);
	if (rc || !parent)
		return rc ? rc : -EINVAL;
	np = node_dup(parent);
	if (!np)
		return -ENOMEM;
	perms_adjust(v->st, np, parent->gen);
	node_del_child(np, path + (pl == 1 ? 1 : pl + 1),
		       plen - (pl == 1 ? 1 : pl + 1));
	rc = rm_subtree(v, c, path, plen, true);
	if (rc) {
		node_free(np);
		return rc;
	}
	return view_set(v, c, np);
}

/* --------------------------------------------------------- perms */

int node_set_perms_op(struct xs_view *v, struct xs_conn *c, const char *path,
		      size_t plen, struct xs_perm *p, uint32_t np)
{
	const struct xs_node *n;
	struct xs_node *nn;
	struct xs_oldperms old;
	int rc = node_get(v, c, path, plen, XS_PERM_WRITE | XS_PERM_OWNER, &n);

	if (rc)
		return rc;
	if (!c->priv && p[0].domid != node_owner(n))
		return -EPERM;
	nn = node_dup(n);
	if (!nn || node_set_perms(nn, p, np)) {
		node_free(nn);
		return -ENOMEM;
	}
	old = (struct xs_oldperms){n->perms, n->nperms, n->gen};
	/* The old permissions must outlive n, which view_set replaces. */
	old.p = malloc(n->nperms * sizeof(*n->perms));
	if (!old.p) {
		node_free(nn);
		return -ENOMEM;
	}
	memcpy((void *)old.p, n->perms, n->nperms * sizeof(*n->perms));
	if (!size_ok(c, nn)) {
		node_free(nn);
		free((void *)old.p);
		return -ENOSPC;
	}
	rc = view_set(v, c, nn);
	if (rc == 0)
		view_fire(v, path, plen, false, &old);
	free((void *)old.p);
	return rc;
}

/* ------------------------------------------------------------ ops */

#define PATHBUF (XS_ABS_PATH_MAX + 64)

static int op_read(struct xs_req *r)
{
	char path[PATHBUF];
	const struct xs_node *n;
	int rc = path_canonical(r->c, req_onearg(r), path, sizeof(path), NULL);

	if (rc == 0)
		rc =
		    node_get(&r->v, r->c, path, strlen(path), XS_PERM_READ, &n);
	return rc ? rc : req_reply(r, n->value, n->vlen);
}

static int op_write(struct xs_req *r)
{
	const char *vec[1];
	char path[PATHBUF];
	size_t off;
	int rc;

	if (req_strings(r, vec, 1) < 1)
		return -EINVAL;
	rc = path_canonical(r->c, vec[0], path, sizeof(path), NULL);
	if (rc)
		return rc;
	off = strlen(vec[0]) + 1;
	rc = node_write(&r->v, r->c, path, strlen(path), r->payload + off,
			r->len - off, false);
	return rc ? rc : req_ack(r);
}

static int op_mkdir(struct xs_req *r)
{
	char path[PATHBUF];
	int rc = path_canonical(r->c, req_onearg(r), path, sizeof(path), NULL);

	if (rc == 0)
		rc = node_write(&r->v, r->c, path, strlen(path), NULL, 0, true);
	return rc ? rc : req_ack(r);
}

static int op_rm(struct xs_req *r)
{
	char path[PATHBUF];
	int rc = path_canonical(r->c, req_onearg(r), path, sizeof(path), NULL);

	if (rc == 0)
		rc = node_rm(&r->v, r->c, path, strlen(path));
	return rc ? rc : req_ack(r);
}

static int op_directory(struct xs_req *r)
{
	char path[PATHBUF];
	const struct xs_node *n;
	int rc = path_canonical(r->c, req_onearg(r), path, sizeof(path), NULL);

	if (rc == 0)
		rc =
		    node_get(&r->v, r->c, path, strlen(path), XS_PERM_READ, &n);
	return rc ? rc : req_reply(r, n->children, n->clen);
}

static int op_directory_part(struct xs_req *r)
{
	const char *vec[2];
	char path[PATHBUF], *out;
	const struct xs_node *n;
	uint32_t off, len = 0, maxlen;
	int genlen, rc;

	if (req_strings(r, vec, 2) != 2)
		return -EINVAL;
	rc = path_canonical(r->c, vec[0], path, sizeof(path), NULL);
	if (rc == 0)
		rc =
		    node_get(&r->v, r->c, path, strlen(path), XS_PERM_READ, &n);
	if (rc)
		return rc;
	off = (uint32_t)atoi(vec[1]);
	out = malloc(XENSTORE_PAYLOAD_MAX + 32);
	if (!out)
		return -ENOMEM;
	genlen = snprintf(out, 32, "%llu", (unsigned long long)n->gen) + 1;
	if (off >= n->clen) {
		/* Past the end: the generation and an empty string. */
		out[genlen] = 0;
		rc = req_reply(r, out, (size_t)genlen + 1);
		free(out);
		return rc;
	}
	maxlen = XENSTORE_PAYLOAD_MAX - (uint32_t)genlen - 1;
	while (off + len < n->clen) {
		uint32_t l = (uint32_t)strnlen(n->children + off + len,
					       n->clen - off - len);

		if (len + l >= maxlen)
			break;
		len += l + 1;
	}
	memcpy(out + genlen, n->children + off, len);
	if (off + len == n->clen)
		out[genlen + len++] = 0; /* complete: end marker */
	rc = req_reply(r, out, (size_t)genlen + len);
	free(out);
	return rc;
}

static int op_get_perms(struct xs_req *r)
{
	char path[PATHBUF];
	const struct xs_node *n;
	struct xs_buf b = {0};
	int rc = path_canonical(r->c, req_onearg(r), path, sizeof(path), NULL);

	if (rc == 0)
		rc =
		    node_get(&r->v, r->c, path, strlen(path), XS_PERM_READ, &n);
	if (rc == 0)
		rc = perms_format(n->perms, n->nperms, &b);
	if (rc == 0)
		rc = req_reply(r, b.p, b.len);
	buf_free(&b);
	return rc;
}

static bool domain_exists(struct xs_store *st, uint32_t domid)
{
	if (domid >= XS_DOMID_FIRST_RESERVED)
		return false;
	if (domid == 0 || (domid < st->ndomains && st->domains[domid]))
		return true;
	return !st->hooks.domain_exists ||
	       st->hooks.domain_exists(st->hooks.arg, domid);
}

/* Xen's domain_alloc_permrefs: entries for domains that do not exist
 * are kept but ignored; known domains get their accounting entry. */
int perms_refs(struct xs_store *st, struct xs_perm *p, uint32_t np)
{
	for (uint32_t i = 0; i < np; i++) {
		if (!domain_exists(st, p[i].domid))
			p[i].perm |= XS_PERM_IGNORE;
		else if (!domain_get(st, p[i].domid, true))
			return -ENOMEM;
	}
	return p[0].perm & XS_PERM_IGNORE ? -ENOENT : 0;
}

static int set_special_perms(struct xs_req *r, const char *name,
			     struct xs_perm *p, uint32_t np)
{
	struct xs_store *st = r->c->st;
	unsigned int w;

	if (!strcmp(name, "@introduceDomain"))
		w = 0;
	else if (!strcmp(name, "@releaseDomain"))
		w = 1;
	else
		return -EINVAL;
	if ((perm_for_conn(st, r->c, st->special_perms[w], st->nspecial[w],
			   XS_NO_GEN - 1) &
	     (XS_PERM_WRITE | XS_PERM_OWNER)) !=
	    (XS_PERM_WRITE | XS_PERM_OWNER))
		return -EACCES;
	if (np > ARRAY_LEN(st->special_perms[w]))
		return -ENOSPC;
	memcpy(st->special_perms[w], p, np * sizeof(*p));
	st->nspecial[w] = np;
	journal_special(st, w);
	return req_ack(r);
}

static int op_set_perms(struct xs_req *r)
{
	struct xs_conn *c = r->c;
	const char *vec[1];
	char path[PATHBUF];
	struct xs_perm *p;
	uint32_t np = req_strings(r, vec, 1), q;
	size_t off;
	int rc;

	if (np < 2)
		return -EINVAL;
	np--;
	q = c->dom ? domain_quota(c->st, c->dom, XSQ_PERMISSIONS)
		   : xs_store_quota(c->st, XSQ_PERMISSIONS);
	if (!c->priv && q && np > q)
		return -ENOSPC;
	off = strlen(vec[0]) + 1;
	p = calloc(np, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rc = perms_parse((const char *)r->payload + off, r->len - off, np, p);
	if (rc == 0)
		rc = perms_refs(c->st, p, np);
	if (rc == 0 && vec[0][0] == '@')
		rc = set_special_perms(r, vec[0], p, np);
	else if (rc == 0) {
		rc = path_canonical(c, vec[0], path, sizeof(path), NULL);
		if (rc == 0)
			rc = node_set_perms_op(&r->v, c, path, strlen(path), p,
					       np);
		if (rc == 0)
			rc = req_ack(r);
	}
	free(p);
	return rc;
}

/* ------------------------------------------------------- dispatch */

typedef int op_fn(struct xs_req *r);

static const struct {
	op_fn *fn;
	uint8_t flags;
} ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {op_control, F_PRIV},
    [XS_DIRECTORY] = {op_directory, 0},
    [XS_READ] = {op_read, 0},
    [XS_GET_PERMS] = {op_get_perms, 0},
    [XS_WATCH] = {op_watch, F_NOTID},
    [XS_UNWATCH] = {op_unwatch, F_NOTID},
    [XS_TRANSACTION_START] = {op_transaction_start, 0},
    [XS_TRANSACTION_END] = {op_transaction_end, 0},
    [XS_INTRODUCE] = {op_introduce, F_PRIV},
    [XS_RELEASE] = {op_release, F_PRIV},
    [XS_GET_DOMAIN_PATH] = {op_get_domain_path, 0},
    [XS_WRITE] = {op_write, 0},
    [XS_MKDIR] = {op_mkdir, 0},
    [XS_RM] = {op_rm, 0},
    [XS_SET_PERMS] = {op_set_perms, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {op_is_domain_introduced, F_PRIV},
    [XS_RESUME] = {op_resume, F_PRIV},
    [XS_SET_TARGET] = {op_set_target, F_PRIV},
    [XS_RESET_WATCHES] = {op_reset_watches, 0},
    [XS_DIRECTORY_PART] = {op_directory_part, 0},
    [XS_GET_FEATURE] = {op_get_feature, F_NOTID},
    [XS_SET_FEATURE] = {op_set_feature, F_PRIV | F_NOTID},
    [XS_GET_QUOTA] = {op_get_quota, F_PRIV | F_NOTID},
    [XS_SET_QUOTA] = {op_set_quota, F_PRIV | F_NOTID},
};

static bool stale_txn(struct xs_conn *c, uint32_t id, bool drop)
{
	for (uint32_t i = 0; i < c->nstale; i++) {
		if (c->stale_tx[i] != id)
			continue;
		if (drop) {
			c->stale_tx[i] = c->stale_tx[--c->nstale];
			journal_txn(c->st, c->id, id, false);
		}
		return true;
	}
	return false;
}

/* A transaction from before a restart: its content is gone, so every
 * use fails with EAGAIN and the guest retries; "F" just forgets it. */
static int stale_request(struct xs_req *r)
{
	uint32_t type = r->hdr->type;
	const char *arg = req_onearg(r);

	if (type != XS_TRANSACTION_END)
		return -EAGAIN;
	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return -EINVAL;
	stale_txn(r->c, r->hdr->tx_id, true);
	return strcmp(arg, "F") ? -EAGAIN : req_ack(r);
}

void xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr,
		    const uint8_t *payload)
{
	struct xs_store *st = c->st;
	struct xs_req r = {c, hdr, payload, hdr->len, {st, NULL}};
	uint32_t type = hdr->type;
	int rc;

	st->stats.requests++;
	st->cur_charge = c->id;
	if (type >= XS_TYPE_COUNT || !ops[type].fn) {
		rc = -ENOSYS;
	} else if ((ops[type].flags & F_PRIV) && !c->priv) {
		rc = -EACCES;
	} else if (!(ops[type].flags & F_NOTID) && hdr->tx_id &&
		   !(r.v.tx = txn_find(c, hdr->tx_id))) {
		rc = stale_txn(c, hdr->tx_id, false) ? stale_request(&r)
						     : -ENOENT;
	} else {
		rc = ops[type].fn(&r);
	}
	if (rc)
		conn_send_error(c, hdr, rc);
}
