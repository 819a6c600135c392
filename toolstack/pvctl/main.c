/*
 * pvctl: the pvhv toolstack CLI, in the spirit of xl.
 *   pvctl create [-c] [-p] FILE.cfg [KEY=VALUE...]
 *   pvctl list [-l] | console DOMAIN | destroy DOMAIN | pause DOMAIN |
 *   unpause DOMAIN | info DOMAIN
 *   pvctl xenstore-ls [-f] [-p] [PATH] | xenstore-read PATH... |
 *   xenstore-write PATH VALUE... | xenstore-rm PATH...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/json.h>

#include "pvctl.h"

static const struct pvctl_cmd cmds[] = {
    {"create", cmd_create, "[-c] [-p] FILE.cfg [KEY=VALUE...]",
     "build and start a domain (-c: attach its console; -p: leave it "
     "paused)"},
    {"list", cmd_list, "[-l]", "list domains (-l: JSON)"},
    {"console", cmd_console, "DOMAIN", "show a domain's console"},
    {"destroy", cmd_destroy, "DOMAIN", "stop a domain at once"},
    {"pause", cmd_pause, "DOMAIN", "pause a domain"},
    {"unpause", cmd_unpause, "DOMAIN", "unpause a domain"},
    {"info", cmd_info, "DOMAIN", "details of one domain (JSON)"},
    {"xenstore-ls", cmd_xenstore_ls, "[-f] [-p] [PATH]",
     "xenstore subtree (-f: full paths, -p: permissions)"},
    {"xenstore-read", cmd_xenstore_read, "PATH...", "xenstore values"},
    {"xenstore-write", cmd_xenstore_write, "PATH VALUE [PATH VALUE...]",
     "write xenstore values"},
    {"xenstore-rm", cmd_xenstore_rm, "PATH...", "remove xenstore subtrees"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: pvctl COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-14s %-34s %s\n", cmds[i].name, cmds[i].args,
			cmds[i].help);
	fprintf(f, "\nDOMAIN is a domain id or name. The runtime directory is "
		   "$PVHV_RUNDIR (default /run/pvhv);\npvctl starts pvhv "
		   "and the xenstore daemon pvstored there when none is "
		   "running.\nxenstore's socket is "
		   "$PVHV_RUNDIR/xenstored/socket (XENSTORED_PATH overrides "
		   "it).\n");
}

struct pvctrl *pvctl_connect(void)
{
	struct pvctrl *c;
	char err[512];

	if (pvctrl_open(NULL, true, &c, err, sizeof(err)) < 0) {
		fprintf(stderr, "pvctl: %s\n", err);
		exit(2);
	}
	return c;
}

yajl_val pvctl_call(struct pvctrl *c, const char *json, const int *fds,
		    int nfds)
{
	yajl_val r;
	char err[512];

	if (pvctrl_call(c, json, fds, nfds, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "pvctl: %s\n", err);
		return NULL;
	}
	return r;
}

char *pvctl_dom_request(const char *op, const char *dom)
{
	yajl_gen g = jg_new();
	const unsigned char *buf;
	size_t len;
	char *end, *out;
	unsigned long id = strtoul(dom, &end, 10);

	jg_str(g, "op", op);
	if (*dom && !*end && id < 0x7ff0)
		jg_u64(g, "domid", id);
	else
		jg_str(g, "name", dom);
	jg_text(g, &len);
	yajl_gen_get_buf(g, &buf, &len);
	out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pvctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
