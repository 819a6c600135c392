/*
 * Domains: accounting and quotas per domid, introduction and release,
 * @introduceDomain / @releaseDomain, and the requests about domains.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

struct xs_domain *domain_get(struct xs_store *st, uint32_t domid, bool create)
{
	struct xs_domain *d;

	if (domid >= st->ndomains)
		return NULL;
	d = st->domains[domid];
	if (d || !create)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->st = st;
	/* Younger than every node written so far (see perm_for_conn). */
	d->gen = ++st->gen;
	st->domains[domid] = d;
	st->stats.domains++;
	journal_domain(st, d);
	return d;
}

static void domain_free(struct xs_store *st, struct xs_domain *d)
{
	if (d->domid == 0)
		return; /* dom0 always exists */
	st->domains[d->domid] = NULL;
	st->stats.domains--;
	journal_domain_del(st, d->domid);
	free(d);
}

void domain_put_if_unused(struct xs_store *st, struct xs_domain *d)
{
	if (d && !d->introduced && !d->conn && !d->nodes && !d->outstanding)
		domain_free(st, d);
}

uint32_t domain_quota(const struct xs_store *st, const struct xs_domain *d,
		      enum xs_quota q)
{
	return d && (d->quota_set & (1u << q)) ? d->quota[q] : st->quota[q];
}

void domain_outstanding(struct xs_store *st, uint32_t domid, int delta)
{
	struct xs_domain *d = domain_get(st, domid, false);
	uint32_t q;

	if (!d)
		return;
	if (delta < 0 && !d->outstanding)
		return;
	d->outstanding = (uint32_t)((int64_t)d->outstanding + delta);
	q = domain_quota(st, d, XSQ_OUTSTANDING);
	/* A ring stalled on its quota may read again. */
	if (delta < 0 && d->conn && q && d->outstanding + 1 == q)
		conn_kick(d->conn);
}

/* ------------------------------------------------------- public API */

struct xs_domain *xs_domain_find(struct xs_store *st, uint32_t domid)
{
	return domain_get(st, domid, false);
}

uint32_t xs_domain_id(const struct xs_domain *d)
{
	return d->domid;
}

bool xs_domain_introduced(const struct xs_domain *d)
{
	return d->introduced;
}

struct xs_conn *xs_domain_conn(const struct xs_domain *d)
{
	return d->conn;
}

void xs_domain_set_data(struct xs_domain *d, void *data)
{
	d->data = data;
}

void *xs_domain_data(const struct xs_domain *d)
{
	return d->data;
}

uint64_t xs_domain_ring_gfn(const struct xs_domain *d)
{
	return d->gfn;
}

uint32_t xs_domain_ring_port(const struct xs_domain *d)
{
	return d->port;
}

void xs_domain_set_uuid(struct xs_domain *d, const char *uuid)
{
	snprintf(d->uuid, sizeof(d->uuid), "%s", uuid ? uuid : "");
	journal_domain(d->st, d);
	journal_batch(d->st);
}

const char *xs_domain_uuid(const struct xs_domain *d)
{
	return d->uuid;
}

void xs_domain_foreach(struct xs_store *st,
		       void (*fn)(struct xs_domain *d, void *arg), void *arg)
{
	for (uint32_t i = 1; i < st->ndomains; i++)
		if (st->domains[i] && st->domains[i]->introduced)
			fn(st->domains[i], arg);
}

/* Makes (or resets) the domain's connection; the hook connects it. */
static int introduce(struct xs_store *st, uint32_t domid, uint64_t gfn,
		     uint32_t port, bool ring, bool call_hook,
		     struct xs_domain **out)
{
	struct xs_domain *d;
	bool fresh;
	int rc = 0;

	if (domid == 0 || domid >= XS_DOMID_FIRST_RESERVED)
		return -EINVAL;
	d = domain_get(st, domid, true);
	if (!d)
		return -ENOMEM;
	fresh = !d->introduced;
	if (ring && !d->conn) {
		d->conn = conn_new(st, domid, true);
		if (!d->conn)
			return -ENOMEM;
		d->conn->priv = false;
		d->conn->dom = d;
	} else if (d->conn) {
		/* Xen: INTRODUCE of a known domain resets its connection. */
		conn_reset(d->conn);
		journal_connreset(st, domid);
	}
	d->gfn = gfn;
	d->port = port;
	if (call_hook && st->hooks.introduce)
		rc = st->hooks.introduce(st->hooks.arg, d, gfn, port);
	if (rc == 0 && !fresh && d->conn)
		ring_reset(d->conn); /* Xen empties a re-introduced ring */

	if (rc) {
		if (fresh) {
			xs_conn_free(d->conn);
			d->conn = NULL;
			domain_put_if_unused(st, d);
		}
		return rc;
	}
	d->introduced = true;
	if (fresh)
		d->shutdown = false;
	journal_domain(st, d);
	if (fresh)
		fire_special(st, "@introduceDomain", 0);
	if (out)
		*out = d;
	return 0;
}

int xs_domain_introduce(struct xs_store *st, uint32_t domid, uint64_t gfn,
			uint32_t port, bool ring, struct xs_domain **out)
{
	int rc = introduce(st, domid, gfn, port, ring, false, out);

	journal_batch(st);
	return rc;
}

static void release(struct xs_store *st, struct xs_domain *d, bool forget)
{
	if (d->introduced) {
		if (d->conn) {
			/* Its own watches must not hear its nodes go. */
			watch_del_all(d->conn);
			if (st->hooks.release)
				st->hooks.release(st->hooks.arg, d);
			xs_conn_free(d->conn);
			d->conn = NULL;
		}
		d->introduced = false;
		nodes_remove_owned(st, d->domid);
		fire_special(st, "@releaseDomain", 0);
		domain_free(st, d);
		return;
	}
	if (forget) {
		nodes_remove_owned(st, d->domid);
		domain_free(st, d);
	}
}

void xs_domain_release(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = domain_get(st, domid, false);

	if (d && domid)
		release(st, d, false);
	journal_batch(st);
}

void xs_domain_destroyed(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = domain_get(st, domid, false);

	if (d && domid)
		release(st, d, true);
	journal_batch(st);
}

void xs_domain_shutdown(struct xs_store *st, uint32_t domid)
{
	struct xs_domain *d = domain_get(st, domid, false);

	if (d && d->introduced && !d->shutdown) {
		d->shutdown = true;
		journal_domain(st, d);
		fire_special(st, "@releaseDomain", 0);
	}
	journal_batch(st);
}

/* ------------------------------------------------------- requests */

int op_introduce(struct xs_req *r)
{
	const char *vec[3];
	long long gfn;
	int domid, port, rc;

	if (req_strings(r, vec, 3) < 3)
		return -EINVAL;
	domid = atoi(vec[0]);
	gfn = atoll(vec[1]);
	port = atoi(vec[2]);
	if (port <= 0 || domid <= 0)
		return -EINVAL;
	rc = introduce(r->c->st, (uint32_t)domid, (uint64_t)gfn, (uint32_t)port,
		       r->c->st->hooks.introduce != NULL, true, NULL);
	return rc ? rc : req_ack(r);
}

/* The introduced domain named by the request's only argument. */
static int onearg_domain(struct xs_req *r, struct xs_domain **out)
{
	const char *arg = req_onearg(r);
	int domid;

	if (!arg)
		return -EINVAL;
	domid = atoi(arg);
	if (domid == 0)
		return -EINVAL;
	*out = domid > 0 ? domain_get(r->c->st, (uint32_t)domid, false) : NULL;
	return *out && (*out)->introduced ? 0 : -ENOENT;
}

int op_release(struct xs_req *r)
{
	struct xs_domain *d;
	int rc = onearg_domain(r, &d);

	if (rc)
		return rc;
	/* Xen acknowledges first; the domain's cleanup events follow. */
	rc = req_ack(r);
	release(r->c->st, d, false);
	return rc;
}

int op_resume(struct xs_req *r)
{
	struct xs_domain *d;
	int rc = onearg_domain(r, &d);

	if (rc)
		return rc;
	d->shutdown = false;
	journal_domain(r->c->st, d);
	return req_ack(r);
}

int op_get_domain_path(struct xs_req *r)
{
	const char *arg = req_onearg(r);
	char path[32];
	int n;

	if (!arg)
		return -EINVAL;
	n = snprintf(path, sizeof(path), "/local/domain/%u",
		     (unsigned int)atoi(arg));
	return req_reply(r, path, (size_t)n + 1);
}

int op_is_domain_introduced(struct xs_req *r)
{
	const char *arg = req_onearg(r);
	struct xs_domain *d;
	int domid;
	bool yes;

	if (!arg)
		return -EINVAL;
	domid = atoi(arg);
	d = domid > 0 ? domain_get(r->c->st, (uint32_t)domid, false) : NULL;
	yes = domid == 0 || (uint32_t)domid == XS_DOMID_SELF ||
	      (d && d->introduced);
	return req_reply(r, yes ? "T" : "F", 2);
}

int op_set_target(struct xs_req *r)
{
	const char *vec[2];
	struct xs_domain *d, *t;
	int domid, tdomid;

	if (req_strings(r, vec, 2) < 2)
		return -EINVAL;
	domid = atoi(vec[0]);
	tdomid = atoi(vec[1]);
	d = domid > 0 ? domain_get(r->c->st, (uint32_t)domid, false) : NULL;
	t = tdomid > 0 ? domain_get(r->c->st, (uint32_t)tdomid, false) : NULL;
	if (!d || !d->introduced || !t || !t->introduced)
		return -ENOENT;
	d->has_target = true;
	d->target = (uint32_t)tdomid;
	journal_domain(r->c->st, d);
	return req_ack(r);
}

/* Features (XS_GET_FEATURE / XS_SET_FEATURE): none are defined, so
 * every domain has the empty set and only 0 can be set, before
 * introduction. */
int op_get_feature(struct xs_req *r)
{
	const char *vec[1];
	unsigned int n = req_strings(r, vec, 1);

	if (n > 1)
		return -EINVAL;
	if (n == 1 && !r->c->priv)
		return -EACCES;
	return req_reply(r, "0", 2);
}

int op_set_feature(struct xs_req *r)
{
	const char *vec[2];
	struct xs_domain *d;
	char *end;
	unsigned long v;

	if (req_strings(r, vec, 2) != 2)
		return -EINVAL;
	d = domain_get(r->c->st, (uint32_t)atoi(vec[0]), false);
	v = strtoul(vec[1], &end, 10);
	if (*end || !vec[1][0] || v)
		return -EINVAL;
	if (d && d->introduced)
		return -EBUSY;
	return req_ack(r);
}
