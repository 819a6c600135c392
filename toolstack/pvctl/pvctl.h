/* pvctl internals: the command table and shared helpers. */
#ifndef PVCTL_H
#define PVCTL_H

#include <stdbool.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include <pvctrl/pvctrl.h>
#include <pvstore/pvstore.h>

struct pvctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

/* Connects (starting pvhv if needed); exits with a message on failure. */
struct pvctrl *pvctl_connect(void);
/* One request; prints pvhv's error and returns NULL on failure. */
yajl_val pvctl_call(struct pvctrl *c, const char *json, const int *fds,
		    int nfds);
/* JSON {"op": op, "domid"/"name": dom} for a DOMAIN argument. */
char *pvctl_dom_request(const char *op, const char *dom);
/* Streams a domain's console to stdout until it ends (unpausing it first
 * for create -c). Returns the exit
 * status pvctl should use: 0 after poweroff, 1 after a crash or other
 * shutdown, 2 when pvhv went away. */
int pvctl_follow(struct pvctrl *c, uint32_t domid, bool history, bool unpause);

/*
 * Connects to xenstore; when nothing answers, starts pvhv (if needed) and
 * pvstored. Prints why and returns NULL on failure.
 */
struct pvstore *pvctl_store(void);
/* Waits (bounded: PVCTL_XENSTORE_TIMEOUT seconds, default 10) until
 * xenstore has introduced domid; -ETIMEDOUT etc. with a message in err. */
int pvctl_wait_introduced(struct pvstore *xs, uint32_t domid, char *err,
			  size_t errlen);

int cmd_create(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_xenstore_ls(int argc, char **argv);
int cmd_xenstore_read(int argc, char **argv);
int cmd_xenstore_write(int argc, char **argv);
int cmd_xenstore_rm(int argc, char **argv);

#endif
