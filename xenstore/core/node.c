/* Nodes, paths and permissions: the small pieces of the tree. */
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

/* ------------------------------------------------------------- nodes */

struct xs_node *node_new(const char *path, size_t plen)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->path = malloc(plen + 1);
	if (!n->path) {
		free(n);
		return NULL;
	}
	memcpy(n->path, path, plen);
	n->path[plen] = 0;
	n->plen = (uint32_t)plen;
	return n;
}

void node_free(struct xs_node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->value);
	free(n->children);
	free(n->perms);
	free(n);
}

static void *dup_bytes(const void *p, size_t n)
{
	void *q;

	if (!n)
		return NULL;
	q = malloc(n);
	if (q)
		memcpy(q, p, n);
	return q;
}

struct xs_node *node_dup(const struct xs_node *o)
{
	struct xs_node *n = node_new(o->path, o->plen);

	if (!n)
		return NULL;
	n->vlen = o->vlen;
	n->clen = o->clen;
	n->nperms = o->nperms;
	n->gen = o->gen;
	n->value = dup_bytes(o->value, o->vlen);
	n->children = dup_bytes(o->children, o->clen);
	n->perms = dup_bytes(o->perms, o->nperms * sizeof(*o->perms));
	if ((o->vlen && !n->value) || (o->clen && !n->children) || !n->perms) {
		node_free(n);
		return NULL;
	}
	return n;
}

int node_set_value(struct xs_node *n, const void *v, size_t len)
{
	void *p = dup_bytes(v, len);

	if (len && !p)
		return -ENOMEM;
	free(n->value);
	n->value = p;
	n->vlen = (uint32_t)len;
	return 0;
}

int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np)
{
	struct xs_perm *q = dup_bytes(p, np * sizeof(*p));

	if (!q)
		return -ENOMEM;
	free(n->perms);
	n->perms = q;
	n->nperms = np;
	return 0;
}

int node_add_child(struct xs_node *n, const char *leaf, size_t len)
{
	char *c = realloc(n->children, n->clen + len + 1);

	if (!c)
		return -ENOMEM;
	memcpy(c + n->clen, leaf, len);
	c[n->clen + len] = 0;
	n->children = c;
	n->clen += (uint32_t)len + 1;
	return 0;
}

bool node_del_child(struct xs_node *n, const char *leaf, size_t len)
{
	for (uint32_t off = 0; off < n->clen;) {
		size_t l = strlen(n->children + off);

		if (l == len && !memcmp(n->children + off, leaf, len)) {
			memmove(n->children + off, n->children + off + l + 1,
				n->clen - off - l - 1);
			n->clen -= (uint32_t)l + 1;
			return true;
		}
		off += (uint32_t)l + 1;
	}
	return false;
}

/* ------------------------------------------------------------- paths */

bool path_valid_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
		      ch == '_' || ch == '@'))
			return false;
	}
	return true;
}

size_t path_parent_len(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

bool path_is_child(const char *child, size_t clen, const char *parent,
		   size_t plen)
{
	if (plen == 1 && parent[0] == '/')
		return child[0] == '/';
	if (clen < plen || memcmp(child, parent, plen))
		return false;
	return clen == plen || child[plen] == '/';
}

/* "/local/domain/<id>/" prefix length, as Xen's %5u scan finds it. */
static size_t local_prefix(const char *p)
{
	size_t i = 14, digits = 0;

	if (strncmp(p, "/local/domain/", 14))
		return 0;
	while (p[i] == ' ' || p[i] == '\t')
		i++;
	while (p[i] >= '0' && p[i] <= '9' && digits < 5) {
		i++;
		digits++;
	}
	return digits && p[i] == '/' ? i + 1 : 0;
}

int path_canonical(const struct xs_conn *c, const char *in, char *out,
		   size_t outlen, bool *relative)
{
	size_t len, plen;
	uint32_t pmax;

	if (!in)
		return -EINVAL;
	len = strlen(in);
	if (len > XS_ABS_PATH_MAX || !path_valid_chars(in, len) || in[0] == '@')
		return -EINVAL;
	if (in[0] == '/') {
		memcpy(out, in, len + 1);
		if (relative)
			*relative = false;
	} else {
		plen =
		    (size_t)snprintf(out, outlen, "/local/domain/%u/", c->id);
		if (plen + len >= outlen || plen + len > XS_ABS_PATH_MAX)
			return -EINVAL;
		memcpy(out + plen, in, len + 1);
		len += plen;
		if (relative)
			*relative = true;
	}
	if ((len > 1 && out[len - 1] == '/') || strstr(out, "//"))
		return -EINVAL;
	pmax = c->dom ? domain_quota(c->st, c->dom, XSQ_PATH_MAX)
		      : xs_store_quota(c->st, XSQ_PATH_MAX);
	/* Xen 4.17 applies path-max to dom0 too. */
	if (pmax && len - local_prefix(out) > pmax)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------- permissions */

/*
 * Xen's domain_adjust_node_perms: an ACL entry counts only while its
 * domain exists and is older than the node's last change, so a new
 * domain reusing a domid does not inherit the old one's rights.
 */
static bool perm_entry_valid(const struct xs_store *st, const struct xs_perm *p,
			     uint64_t gen)
{
	const struct xs_domain *d;

	if (p->perm & XS_PERM_IGNORE)
		return false;
	if (p->domid >= st->ndomains)
		return false;
	d = st->domains[p->domid];
	return d && d->gen <= gen;
}

uint32_t perm_for_conn(const struct xs_store *st, const struct xs_conn *c,
		       const struct xs_perm *p, uint32_t np, uint64_t gen)
{
	const struct xs_domain *d = c->dom;
	bool tgt = d && d->has_target;
	uint32_t all = XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;

	if (c->priv || p[0].domid == c->id || (tgt && p[0].domid == d->target))
		return all;
	for (uint32_t i = 1; i < np; i++)
		if ((p[i].domid == c->id || (tgt && p[i].domid == d->target)) &&
		    perm_entry_valid(st, &p[i], gen))
			return p[i].perm & all;
	return p[0].perm & all;
}

int perms_parse(const char *s, size_t len, uint32_t n, struct xs_perm *out)
{
	const char *end = s + len;

	for (uint32_t i = 0; i < n; i++) {
		const char *nul = memchr(s, 0, (size_t)(end - s));
		char *e;
		long v;

		if (!nul)
			return -EINVAL;
		switch (*s) {
		case 'r':
			out[i].perm = XS_PERM_READ;
			break;
		case 'w':
			out[i].perm = XS_PERM_WRITE;
			break;
		case 'b':
			out[i].perm = XS_PERM_READ | XS_PERM_WRITE;
			break;
		case 'n':
			out[i].perm = XS_PERM_NONE;
			break;
		default:
			return -EINVAL;
		}
		/* Xen: strtol(base 0) over the rest, which must be all of
		 * it and not empty. */
		v = strtol(s + 1, &e, 0);
		if (e != nul || s + 1 == nul)
			return -EINVAL;
		out[i].domid = (uint32_t)v;
		s = nul + 1;
	}
	return 0;
}

int perms_format(const struct xs_perm *p, uint32_t np, struct xs_buf *b)
{
	static const char letter[4] = {'n', 'r', 'w', 'b'};

	for (uint32_t i = 0; i < np; i++) {
		char s[16];
		int n;

		/* Xen prints ignored entries too, and ids as signed. */
		n = snprintf(s, sizeof(s), "%c%d",
			     letter[p[i].perm & (XS_PERM_READ | XS_PERM_WRITE)],
			     (int)p[i].domid);
		if (buf_put(b, s, (size_t)n + 1))
			return -ENOMEM;
	}
	return 0;
}

void perms_adjust(struct xs_store *st, struct xs_node *n, uint64_t gen)
{
	for (uint32_t i = 1; i < n->nperms; i++)
		if (!perm_entry_valid(st, &n->perms[i], gen))
			n->perms[i].perm |= XS_PERM_IGNORE;
}
