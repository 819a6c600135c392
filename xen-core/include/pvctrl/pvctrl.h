/*
 * libpvctrl: the dom0 client side of the pvhv control protocol, used by
 * pvctl, pvstored and pvbackd. Library code: returns errors, never prints.
 */
#ifndef PVCTRL_PVCTRL_H
#define PVCTRL_PVCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include <pvctrl/proto.h>

struct pvctrl;

struct pvctrl_msg {
	uint16_t kind; /* PV_CTL_EVENT or PV_CTL_CONSOLE */
	uint32_t id;   /* domid for console data */
	char *data;    /* NUL-terminated; len bytes */
	size_t len;
	yajl_val json; /* parsed event (NULL for console data) */
};

/* The runtime directory: $PVHV_RUNDIR or /run/pvhv. */
const char *pvctrl_default_rundir(void);

/*
 * Connects to pvhv in `rundir` (NULL: the default). With `autostart`, a
 * pvhv is started there when none answers (the pvhv binary next to the
 * calling program, else $PVHV_BIN, else pvhv on PATH).
 */
int pvctrl_open(const char *rundir, bool autostart, struct pvctrl **out,
		char *err, size_t errlen);
void pvctrl_close(struct pvctrl *c);
int pvctrl_fd(struct pvctrl *c);

/* Sends a request (JSON text, optional fds) and waits for its reply.
 * On success *reply is the parsed reply (free with yajl_tree_free); on
 * failure returns -errno with pvhv's message in err. Events and console
 * data that arrive meanwhile are queued for pvctrl_next(). */
int pvctrl_call(struct pvctrl *c, const char *json, const int *fds, int nfds,
		yajl_val *reply, char *err, size_t errlen);

/* Next event or console chunk; timeout_ms < 0 waits forever. Returns 0,
 * -ETIMEDOUT, -EPIPE when pvhv closed the connection, or -errno. */
int pvctrl_next(struct pvctrl *c, struct pvctrl_msg *m, int timeout_ms);
void pvctrl_msg_free(struct pvctrl_msg *m);

#endif
