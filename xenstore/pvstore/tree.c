/* pvstore: ls, list, read, exists, getperms. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvstore.h"

static const char *err_name(int rc)
{
	const char *n = pvstore_errno_name(-rc);

	return n ? n : "EIO";
}

static void print_perms(const struct pvstore_node *n)
{
	char buf[16];

	for (unsigned i = 0; i < n->nperms; i++)
		if (pvstore_perm_format(&n->perms[i], buf, sizeof(buf)) > 0)
			printf("%s%s", i ? " " : "", buf);
}

static void json_perms(yajl_gen g, const struct pvstore_perm *p, unsigned n)
{
	char buf[16];

	yajl_gen_array_open(g);
	for (unsigned i = 0; i < n; i++)
		if (pvstore_perm_format(&p[i], buf, sizeof(buf)) > 0)
			cli_json_str(g, buf);
	yajl_gen_array_close(g);
}

/* ------------------------------------------------------------------ ls */

struct ls {
	struct cli *c;
	bool full, perms;
	int max_depth; /* -1: all */
};

/* Will the walk visit this node's children? */
static bool expanded(const struct ls *l, const struct pvstore_node *n)
{
	return n->nchildren &&
	       (l->max_depth < 0 || n->depth < (unsigned)l->max_depth);
}

/* xenstore-ls's layout (pvstore_ls_line). */
static int ls_text(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct ls *l = ctx;
	char *line;

	if (leaving || n->depth == 0)
		return 0;
	line = pvstore_ls_line(n, (l->full ? PVSTORE_LS_FULL : 0) |
				      (l->perms ? PVSTORE_LS_PERMS : 0));
	if (!line)
		return -ENOMEM;
	puts(line);
	free(line);
	return 0;
}

/* {"value": ..., "perms": [...], "children": {"name": {...}}} */
static int ls_json(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct ls *l = ctx;
	yajl_gen g = l->c->g;

	if (leaving) {
		if (expanded(l, n))
			yajl_gen_map_close(g); /* children */
		yajl_gen_map_close(g);
		return 0;
	}
	if (n->depth > 0)
		cli_json_str(g, n->name);
	yajl_gen_map_open(g);
	if (n->value) {
		cli_json_str(g, "value");
		cli_json_value(g, n->value, n->len);
	} else if (n->read_err) {
		cli_json_str(g, "error");
		cli_json_str(g, err_name(n->read_err));
	}
	if (l->perms && n->perms) {
		cli_json_str(g, "perms");
		json_perms(g, n->perms, n->nperms);
	}
	if (expanded(l, n)) {
		cli_json_str(g, "children");
		yajl_gen_map_open(g);
	}
	return 0;
}

int cmd_ls(struct cli *c, int argc, char **argv)
{
	struct ls l = {.c = c};
	bool recursive = false;
	char *root[] = {"/", NULL}, **paths;
	int opt, rc = 0;

	while ((opt = cli_opt(c, argc, argv, "Rfp")) != -1) {
		if (opt == 'R')
			recursive = true;
		else if (opt == 'f')
			l.full = true;
		else if (opt == 'p')
			l.perms = true;
		else
			return EXIT_USAGE;
	}
	paths = optind < argc ? argv + optind : root;
	l.max_depth = recursive ? -1 : 1;
	if (c->json)
		yajl_gen_map_open(cli_gen(c));
	for (; *paths && rc == 0; paths++) {
		if (c->json)
			cli_json_str(c->g, *paths);
		rc = pvstore_walk(cli_store(c), PVSTORE_NO_TX, *paths,
				  l.max_depth, l.perms ? PVSTORE_WALK_PERMS : 0,
				  c->json ? ls_json : ls_text, &l);
		if (rc < 0)
			return cli_fail("ls", *paths, rc);
	}
	if (c->json) {
		yajl_gen_map_close(c->g);
		cli_json_flush(c);
	}
	return 0;
}

/* ---------------------------------------------------------------- list */

static int list_visit(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct cli *c = ctx;

	if (leaving || n->depth == 0)
		return 0;
	if (c->json)
		cli_json_str(c->g, n->path);
	else
		printf("%s\n", n->path);
	return 0;
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	bool recursive = false;
	int opt, rc;

	while ((opt = cli_opt(c, argc, argv, "R")) != -1) {
		if (opt != 'R')
			return EXIT_USAGE;
		recursive = true;
	}
	if (optind >= argc)
		return cli_usage(argv[0]);
	if (c->json)
		yajl_gen_map_open(cli_gen(c));
	for (int i = optind; i < argc; i++) {
		char **names;
		unsigned n;

		if (c->json) {
			cli_json_str(c->g, argv[i]);
			yajl_gen_array_open(c->g);
		}
		if (recursive) {
			rc = pvstore_walk(cli_store(c), PVSTORE_NO_TX, argv[i],
					  -1, PVSTORE_WALK_NO_VALUES,
					  list_visit, c);
		} else {
			rc = pvstore_directory(cli_store(c), PVSTORE_NO_TX,
					       argv[i], &names, &n);
			for (unsigned j = 0; rc == 0 && j < n; j++) {
				if (c->json)
					cli_json_str(c->g, names[j]);
				else
					printf("%s\n", names[j]);
			}
			if (rc == 0)
				free(names);
		}
		if (rc < 0)
			return cli_fail("list", argv[i], rc);
		if (c->json)
			yajl_gen_array_close(c->g);
	}
	if (c->json) {
		yajl_gen_map_close(c->g);
		cli_json_flush(c);
	}
	return 0;
}

/* ---------------------------------------------------------------- read */

int cmd_read(struct cli *c, int argc, char **argv)
{
	bool raw = false;
	int opt;

	while ((opt = cli_opt(c, argc, argv, "r")) != -1) {
		if (opt != 'r')
			return EXIT_USAGE;
		raw = true;
	}
	if (optind >= argc)
		return cli_usage(argv[0]);
	if (c->json)
		yajl_gen_map_open(cli_gen(c));
	for (int i = optind; i < argc; i++) {
		char *v;
		size_t len;
		int rc = pvstore_read(cli_store(c), PVSTORE_NO_TX, argv[i], &v,
				      &len);

		if (rc < 0)
			return cli_fail("read", argv[i], rc);
		if (c->json) {
			cli_json_str(c->g, argv[i]);
			cli_json_value(c->g, v, len);
		} else if (raw) {
			fwrite(v, 1, len, stdout);
		} else {
			cli_print_escaped(stdout, v, len);
			putchar('\n');
		}
		free(v);
	}
	if (c->json) {
		yajl_gen_map_close(c->g);
		cli_json_flush(c);
	}
	return 0;
}

/* -------------------------------------------------------------- exists */

int cmd_exists(struct cli *c, int argc, char **argv)
{
	int status = 0;

	if (cli_opt(c, argc, argv, "") != -1)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage(argv[0]);
	if (c->json)
		yajl_gen_map_open(cli_gen(c));
	for (int i = optind; i < argc; i++) {
		int rc = pvstore_exists(cli_store(c), PVSTORE_NO_TX, argv[i]);

		if (rc < 0 && rc != -ENOENT)
			return cli_fail("exists", argv[i], rc);
		if (rc < 0)
			status = EXIT_OP_FAILED;
		if (c->json) {
			cli_json_str(c->g, argv[i]);
			yajl_gen_bool(c->g, rc == 0);
		}
	}
	if (c->json) {
		yajl_gen_map_close(c->g);
		cli_json_flush(c);
	}
	return status;
}

/* ------------------------------------------------------------ getperms */

static int perms_visit(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct cli *c = ctx;

	if (leaving || !n->perms)
		return 0;
	if (c->json) {
		cli_json_str(c->g, n->path);
		json_perms(c->g, n->perms, n->nperms);
	} else {
		printf("%s: ", n->path);
		print_perms(n);
		printf("\n");
	}
	return 0;
}

int cmd_getperms(struct cli *c, int argc, char **argv)
{
	bool recursive = false;
	int opt, rc;

	while ((opt = cli_opt(c, argc, argv, "R")) != -1) {
		if (opt != 'R')
			return EXIT_USAGE;
		recursive = true;
	}
	if (optind >= argc)
		return cli_usage(argv[0]);
	if (c->json)
		yajl_gen_map_open(cli_gen(c));
	for (int i = optind; i < argc; i++) {
		struct pvstore_node n = {.path = argv[i]};
		struct pvstore_perm *p = NULL;

		if (recursive) {
			rc = pvstore_walk(
			    cli_store(c), PVSTORE_NO_TX, argv[i], -1,
			    PVSTORE_WALK_PERMS | PVSTORE_WALK_NO_VALUES,
			    perms_visit, c);
		} else {
			rc = pvstore_get_perms(cli_store(c), PVSTORE_NO_TX,
					       argv[i], &p, &n.nperms);
			n.perms = p;
			if (rc == 0 && c->json) {
				perms_visit(c, &n, false);
			} else if (rc == 0) {
				print_perms(&n);
				printf("\n");
			}
			free(p);
		}
		if (rc < 0)
			return cli_fail("getperms", argv[i], rc);
	}
	if (c->json) {
		yajl_gen_map_close(c->g);
		cli_json_flush(c);
	}
	return 0;
}
