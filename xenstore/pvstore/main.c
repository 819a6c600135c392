/*
 * pvstore: inspect and edit xenstore, in the spirit of xenstore-utils.
 *   pvstore [--json] [--socket PATH] COMMAND [OPTIONS] ARGS
 * See docs/man/pvstore.1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvstore.h"

static const struct cli_cmd cmds[] = {
    {"ls", cmd_ls, "[-R] [-f] [-p] [PATH...]",
     "children of PATH (default /) with values; -R: the whole subtree"},
    {"list", cmd_list, "[-R] PATH...",
     "names of PATH's children; -R: every path below it"},
    {"read", cmd_read, "[--raw] PATH...", "print values"},
    {"exists", cmd_exists, "PATH...", "exit 0 if every PATH exists, else 1"},
    {"write", cmd_write, "[-e] PATH VALUE [PATH VALUE...]",
     "write values in one transaction (-e: expand \\ escapes)"},
    {"mkdir", cmd_mkdir, "PATH...", "create nodes with empty values"},
    {"rm", cmd_rm, "PATH...", "remove subtrees, in one transaction"},
    {"watch", cmd_watch, "[-n N] PATH...",
     "print each changed path (-n: stop after N events)"},
    {"chmod", cmd_chmod, "[-R] PATH PERM...",
     "set permissions (e.g. n0 r1 b2); -R: the whole subtree"},
    {"getperms", cmd_getperms, "[-R] PATH...",
     "print permissions; -R: of the whole subtree"},
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	char sock[256];

	fprintf(f, "usage: pvstore [--json] [--socket PATH] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (size_t i = 0; i < N_CMDS; i++)
		fprintf(f, "  %-9s %-32s %s\n", cmds[i].name, cmds[i].args,
			cmds[i].help);
	if (pvstore_socket_path(sock, sizeof(sock), NULL, 0) < 0)
		snprintf(sock, sizeof(sock), "(too long)");
	fprintf(f,
		"\nPERM is a letter and a domain id: n (none), r (read), w "
		"(write), b (both);\nthe first names the owner and what "
		"other domains may do.\n--json prints JSON. The socket is "
		"$XENSTORED_PATH, else $XENSTORED_RUNDIR/socket,\nelse "
		"$PVHV_RUNDIR/xenstored/socket; here: %s\n"
		"Exit status: 0 ok, 1 failed (exists: missing), 2 usage, 3 "
		"xenstore unreachable.\n",
		sock);
}

struct pvstore *cli_store(struct cli *c)
{
	char err[512];
	int rc;

	if (c->h)
		return c->h;
	rc = pvstore_open(c->socket, 0, &c->h, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pvstore: %s\n", err[0] ? err : strerror(-rc));
		exit(EXIT_NO_STORE);
	}
	return c->h;
}

int cli_fail(const char *what, const char *path, int rc)
{
	fprintf(stderr, "pvstore: %s %s: %s\n", what, path, strerror(-rc));
	return EXIT_OP_FAILED;
}

int cli_in_tx(struct cli *c,
	      int (*fn)(struct cli *c, pvstore_tx_t tx, void *arg), void *arg)
{
	struct pvstore *h = cli_store(c);
	int rc = -EAGAIN;

	for (int i = 0; i < 20 && rc == -EAGAIN; i++) {
		pvstore_tx_t tx;

		rc = pvstore_transaction_start(h, &tx);
		if (rc < 0)
			return rc;
		rc = fn(c, tx, arg);
		if (rc == 0)
			rc = pvstore_transaction_end(h, tx, true);
		else
			pvstore_transaction_end(h, tx, false);
	}
	return rc;
}

int cli_opt(struct cli *c, int argc, char **argv, const char *shortopts)
{
	static const struct option lo[] = {
	    {"json", no_argument, NULL, 'J'},
	    {"raw", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char so[32];
	int opt;

	snprintf(so, sizeof(so), "+h%s", shortopts);
	for (;;) {
		opt = getopt_long(argc, argv, so, lo, NULL);
		if (opt == 'J') {
			c->json = true;
			continue;
		}
		if (opt == 'r' && !strchr(shortopts, 'r'))
			opt = '?'; /* --raw belongs to read only */
		break;
	}
	if (opt == 'h' || opt == '?') {
		cli_usage(argv[0]);
		return '?';
	}
	return opt;
}

int cli_usage(const char *name)
{
	for (size_t i = 0; i < N_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			fprintf(stderr, "usage: pvstore %s %s\n", cmds[i].name,
				cmds[i].args);
	return EXIT_USAGE;
}

static int global_opts(struct cli *c, int argc, char **argv)
{
	static const struct option lo[] = {
	    {"json", no_argument, NULL, 'J'},
	    {"socket", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		if (opt == 'J') {
			c->json = true;
		} else if (opt == 'S') {
			c->socket = optarg;
		} else if (opt == 'h') {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	int first = global_opts(&c, argc, argv), rc;

	if (first >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < N_CMDS; i++) {
		if (strcmp(argv[first], cmds[i].name))
			continue;
		optind = 1;
		rc = cmds[i].fn(&c, argc - first, argv + first);
		if (c.g)
			yajl_gen_free(c.g);
		pvstore_close(c.h);
		if (fflush(stdout) != 0 && rc == 0) {
			fprintf(stderr, "pvstore: writing output: %s\n",
				strerror(errno));
			rc = EXIT_OP_FAILED;
		}
		return rc;
	}
	fprintf(stderr, "pvstore: unknown command '%s'\n", argv[first]);
	usage(stderr);
	return EXIT_USAGE;
}
