/* pvstore CLI internals: the command table and shared helpers. */
#ifndef PVSTORE_CLI_H
#define PVSTORE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <yajl/yajl_gen.h>

#include <pvstore/pvstore.h>

/* Exit statuses (as xenstore-utils where they have one). */
#define EXIT_OP_FAILED 1 /* the operation failed; exists: no such node */
#define EXIT_USAGE     2
#define EXIT_NO_STORE  3 /* xenstore not reachable */

struct cli {
	struct pvstore *h;
	const char *socket; /* --socket, or NULL */
	bool json;
	yajl_gen g; /* with --json: the output document */
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *args;
	const char *help;
};

/* Connects (once); exits with EXIT_NO_STORE and a message on failure. */
struct pvstore *cli_store(struct cli *c);
/* "pvstore: WHAT PATH: strerror" on stderr; returns EXIT_OP_FAILED. */
int cli_fail(const char *what, const char *path, int rc);
/* Runs fn in a transaction, again while it ends with -EAGAIN. */
int cli_in_tx(struct cli *c,
	      int (*fn)(struct cli *c, pvstore_tx_t tx, void *arg), void *arg);
/*
 * Command options: getopt over argv with the short options given plus
 * --json (sets c->json) and -h/--help. Returns the option letter, -1 at
 * the end, or '?' (a usage message was printed).
 */
int cli_opt(struct cli *c, int argc, char **argv, const char *shortopts);

/* "usage: pvstore NAME ARGS" on stderr; returns EXIT_USAGE. */
int cli_usage(const char *name);
/* The JSON generator (created on first use). */
yajl_gen cli_gen(struct cli *c);
/* JSON output: a value (a string, or {"base64": ...} if not UTF-8). */
void cli_json_value(yajl_gen g, const char *v, size_t len);
void cli_json_str(yajl_gen g, const char *s);
/* Prints the finished JSON document and a newline. */
void cli_json_flush(struct cli *c);
/* Prints a value escaped as xenstore-ls does. */
void cli_print_escaped(FILE *f, const char *v, size_t len);

int cmd_ls(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_read(struct cli *c, int argc, char **argv);
int cmd_exists(struct cli *c, int argc, char **argv);
int cmd_getperms(struct cli *c, int argc, char **argv);
int cmd_write(struct cli *c, int argc, char **argv);
int cmd_mkdir(struct cli *c, int argc, char **argv);
int cmd_rm(struct cli *c, int argc, char **argv);
int cmd_chmod(struct cli *c, int argc, char **argv);
int cmd_watch(struct cli *c, int argc, char **argv);

#endif
