/* libpvstore: walking a subtree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

struct walk {
	struct pvstore *h;
	pvstore_tx_t tx;
	int max_depth;
	unsigned flags;
	pvstore_visit_fn visit;
	void *ctx;
};

/* "/a" + "b" -> "/a/b"; "/" + "b" -> "/b". */
static char *child_path(const char *parent, const char *name)
{
	size_t pl = strlen(parent), nl = strlen(name);
	char *p = malloc(pl + nl + 2);

	if (!p)
		return NULL;
	memcpy(p, parent, pl);
	if (pl && parent[pl - 1] != '/')
		p[pl++] = '/';
	memcpy(p + pl, name, nl + 1);
	return p;
}

static int visit_children(struct walk *w, struct pvstore_node *n);

static int walk_node(struct walk *w, const char *path, const char *name,
		     unsigned depth)
{
	struct pvstore_node n = {.path = path, .name = name, .depth = depth};
	struct pvstore_perm *perms = NULL;
	char **children = NULL, *value = NULL;
	int rc;

	rc = pvstore_directory(w->h, w->tx, path, &children, &n.nchildren);
	if (rc == -EACCES && depth > 0) {
		/* Shown, as unreadable, below a node we could list. */
		n.read_err = rc;
		rc = w->visit(w->ctx, &n, false);
		return rc ? rc : w->visit(w->ctx, &n, true);
	}
	if (rc < 0)
		return rc;
	n.children = children;
	if (!(w->flags & PVSTORE_WALK_NO_VALUES)) {
		n.read_err = pvstore_read(w->h, w->tx, path, &value, &n.len);
		n.value = value;
	}
	if (w->flags & PVSTORE_WALK_PERMS) {
		rc = pvstore_get_perms(w->h, w->tx, path, &perms, &n.nperms);
		if (rc < 0 && rc != -EACCES && rc != -ENOENT)
			goto out;
		n.perms = perms;
	}
	if (n.read_err == -ENOENT) {
		rc = -ENOENT; /* vanished between directory and read */
		goto out;
	}
	rc = w->visit(w->ctx, &n, false);
	if (rc == 0)
		rc = visit_children(w, &n);
	if (rc == 0)
		rc = w->visit(w->ctx, &n, true);
out:
	free(value);
	free(perms);
	free(children);
	return rc;
}

static int visit_children(struct walk *w, struct pvstore_node *n)
{
	if (w->max_depth >= 0 && n->depth >= (unsigned)w->max_depth)
		return 0;
	for (unsigned i = 0; i < n->nchildren; i++) {
		char *p = child_path(n->path, n->children[i]);
		int rc;

		if (!p)
			return -ENOMEM;
		rc = walk_node(w, p, n->children[i], n->depth + 1);
		free(p);
		if (rc == -ENOENT)
			continue; /* gone meanwhile */
		if (rc != 0)
			return rc;
	}
	return 0;
}

int pvstore_walk(struct pvstore *h, pvstore_tx_t tx, const char *path,
		 int max_depth, unsigned flags, pvstore_visit_fn visit,
		 void *ctx)
{
	struct walk w = {h, tx, max_depth, flags, visit, ctx};
	const char *name = strrchr(path, '/');

	name = name && name[1] ? name + 1 : path;
	return walk_node(&w, path, name, 0);
}

#define LS_PERMS_COLUMN 60

char *pvstore_ls_line(const struct pvstore_node *n, unsigned flags)
{
	char *val = n->value ? pvstore_escape(n->value, n->len) : NULL;
	char *line = NULL, pbuf[16];
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	int w;

	if (!f) {
		free(val);
		return NULL;
	}
	if (flags & PVSTORE_LS_FULL)
		w = fprintf(f, "%s", n->path);
	else
		w = fprintf(f, "%*s%s", n->depth ? (int)n->depth - 1 : 0, "",
			    n->name);
	if (val)
		w += fprintf(f, " = \"%s\"", val);
	else if (n->read_err)
		w += fprintf(f, " (unreadable: %s)",
			     pvstore_errno_name(-n->read_err)
				 ? pvstore_errno_name(-n->read_err)
				 : "EIO");
	if ((flags & PVSTORE_LS_PERMS) && n->nperms) {
		/* xenstore-ls's leader: " . . ." by column parity. */
		fputc(' ', f);
		for (w++; !(flags & PVSTORE_LS_FULL) && w < LS_PERMS_COLUMN;
		     w++)
			fputc(w & 1 ? '.' : ' ', f);
		fputs("  (", f);
		for (unsigned i = 0; i < n->nperms; i++)
			if (pvstore_perm_format(&n->perms[i], pbuf,
						sizeof(pbuf)) > 0)
				fprintf(f, "%s%s", i ? "," : "", pbuf);
		fputc(')', f);
	}
	free(val);
	if (fclose(f) != 0) {
		free(line);
		return NULL;
	}
	return line;
}
