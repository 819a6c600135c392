/* pvstore: write, mkdir, rm, chmod, watch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pvstore.h"

struct pairs {
	char **argv; /* PATH VALUE PATH VALUE ... (or PATH PATH ...) */
	int n;	     /* entries in argv */
	int *lens;   /* value lengths (write) */
	int (*op)(struct pvstore *h, pvstore_tx_t tx, const char *path);
	const char *failed; /* the failing path, for the message */
};

static int write_tx(struct cli *c, pvstore_tx_t tx, void *arg)
{
	struct pairs *p = arg;

	for (int i = 0; i < p->n; i += 2) {
		int rc = pvstore_write(c->h, tx, p->argv[i], p->argv[i + 1],
				       (size_t)p->lens[i / 2]);

		if (rc < 0) {
			p->failed = p->argv[i];
			return rc;
		}
	}
	return 0;
}

int cmd_write(struct cli *c, int argc, char **argv)
{
	struct pairs p = {0};
	bool escapes = false;
	int opt, rc;

	while ((opt = cli_opt(c, argc, argv, "e")) != -1) {
		if (opt != 'e')
			return EXIT_USAGE;
		escapes = true;
	}
	p.argv = argv + optind;
	p.n = argc - optind;
	if (p.n == 0 || p.n % 2)
		return cli_usage(argv[0]);
	p.lens = calloc((size_t)p.n / 2, sizeof(int));
	if (!p.lens)
		return EXIT_OP_FAILED;
	for (int i = 0; i < p.n; i += 2) {
		char *v = p.argv[i + 1];

		p.lens[i / 2] =
		    escapes ? pvstore_unescape(v, v) : (int)strlen(v);
		if (p.lens[i / 2] < 0) {
			fprintf(stderr,
				"pvstore: write %s: bad escape in '%s'\n",
				p.argv[i], v);
			free(p.lens);
			return EXIT_USAGE;
		}
	}
	cli_store(c);
	rc = cli_in_tx(c, write_tx, &p);
	free(p.lens);
	if (rc < 0)
		return cli_fail("write", p.failed ? p.failed : p.argv[0], rc);
	return 0;
}

static int each_tx(struct cli *c, pvstore_tx_t tx, void *arg)
{
	struct pairs *p = arg;

	for (int i = 0; i < p->n; i++) {
		int rc = p->op(c->h, tx, p->argv[i]);

		if (rc < 0) {
			p->failed = p->argv[i];
			return rc;
		}
	}
	return 0;
}

/* The same operation on every PATH, in one transaction. */
static int each(struct cli *c, int argc, char **argv,
		int (*op)(struct pvstore *h, pvstore_tx_t tx, const char *path))
{
	struct pairs p = {.op = op};
	int rc;

	if (cli_opt(c, argc, argv, "") != -1)
		return EXIT_USAGE;
	p.argv = argv + optind;
	p.n = argc - optind;
	if (p.n == 0)
		return cli_usage(argv[0]);
	cli_store(c);
	rc = cli_in_tx(c, each_tx, &p);
	if (rc < 0)
		return cli_fail(argv[0], p.failed ? p.failed : p.argv[0], rc);
	return 0;
}

int cmd_mkdir(struct cli *c, int argc, char **argv)
{
	return each(c, argc, argv, pvstore_mkdir);
}

int cmd_rm(struct cli *c, int argc, char **argv)
{
	return each(c, argc, argv, pvstore_rm);
}

/* --------------------------------------------------------------- chmod */

struct chmod {
	struct cli *c;
	struct pvstore_perm *perms;
	unsigned n;
};

static int chmod_visit(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct chmod *m = ctx;
	int rc;

	if (leaving)
		return 0;
	rc = pvstore_set_perms(m->c->h, PVSTORE_NO_TX, n->path, m->perms, m->n);
	if (rc < 0 && rc != -ENOENT)
		return cli_fail("chmod", n->path, rc);
	return 0;
}

int cmd_chmod(struct cli *c, int argc, char **argv)
{
	struct chmod m = {.c = c};
	bool recursive = false;
	int opt, rc;
	const char *path;

	while ((opt = cli_opt(c, argc, argv, "R")) != -1) {
		if (opt != 'R')
			return EXIT_USAGE;
		recursive = true;
	}
	if (argc - optind < 2)
		return cli_usage(argv[0]);
	path = argv[optind++];
	m.n = (unsigned)(argc - optind);
	m.perms = calloc(m.n, sizeof(*m.perms));
	if (!m.perms)
		return EXIT_OP_FAILED;
	for (unsigned i = 0; i < m.n; i++) {
		if (pvstore_perm_parse(argv[optind + (int)i], &m.perms[i]) <
		    0) {
			fprintf(stderr,
				"pvstore: chmod: bad permission '%s' (a "
				"letter n, r, w or b and a domain id, e.g. "
				"r1)\n",
				argv[optind + (int)i]);
			free(m.perms);
			return EXIT_USAGE;
		}
	}
	if (recursive) {
		rc = pvstore_walk(cli_store(c), PVSTORE_NO_TX, path, -1,
				  PVSTORE_WALK_NO_VALUES, chmod_visit, &m);
		if (rc > 0) {
			free(m.perms);
			return rc; /* chmod_visit said why */
		}
	} else {
		rc = pvstore_set_perms(cli_store(c), PVSTORE_NO_TX, path,
				       m.perms, m.n);
	}
	free(m.perms);
	return rc < 0 ? cli_fail("chmod", path, rc) : 0;
}

/* --------------------------------------------------------------- watch */

static void print_event(struct cli *c, const struct pvstore_event *ev)
{
	yajl_gen g;
	const unsigned char *buf;
	size_t len;

	if (!c->json) {
		printf("%s\n", ev->path);
		fflush(stdout);
		return;
	}
	g = yajl_gen_alloc(NULL); /* one compact document per line */
	if (!g)
		return;
	yajl_gen_map_open(g);
	cli_json_str(g, "path");
	cli_json_str(g, ev->path);
	cli_json_str(g, "token");
	cli_json_str(g, ev->token);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	printf("%.*s\n", (int)len, (const char *)buf);
	fflush(stdout);
	yajl_gen_free(g);
}

int cmd_watch(struct cli *c, int argc, char **argv)
{
	long max = -1, seen = 0;
	char *end;
	int opt, rc;

	while ((opt = cli_opt(c, argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return EXIT_USAGE;
		max = strtol(optarg, &end, 10);
		if (*end || max < 1)
			return cli_usage(argv[0]);
	}
	if (optind >= argc)
		return cli_usage(argv[0]);
	for (int i = optind; i < argc; i++) {
		rc = pvstore_watch(cli_store(c), argv[i], argv[i]);
		if (rc < 0)
			return cli_fail("watch", argv[i], rc);
	}
	while (max < 0 || seen < max) {
		struct pvstore_event *ev;

		rc = pvstore_next_watch_event(c->h, &ev, -1);
		if (rc < 0) {
			fprintf(stderr, "pvstore: watch: %s\n", strerror(-rc));
			return rc == -ENOTCONN ? EXIT_NO_STORE : EXIT_OP_FAILED;
		}
		print_event(c, ev);
		free(ev);
		seen++;
	}
	return 0;
}
