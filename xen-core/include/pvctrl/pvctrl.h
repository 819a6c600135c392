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
 * pvhv is started there when none answers ($PVHV_BIN if set, else the
 * pvhv binary next to the calling program, else pvhv on PATH).
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

/* The same, also returning fds the reply carried (caller closes them). */
int pvctrl_call_fds(struct pvctrl *c, const char *json, const int *fds,
		    int nfds, yajl_val *reply, int *rfds, int *rnfds, char *err,
		    size_t errlen);

/*
 * dom0 event channels. A port comes with two eventfds: `efd` becomes
 * readable when the port is signalled (read it to clear), and writing to
 * `bell` sends on the port (no socket round trip). Ports belong to the
 * connection and close with it.
 */
struct pvctrl_port {
	uint32_t port;
	int efd;
	int bell;
};

int pvctrl_evtchn_bind_interdomain(struct pvctrl *c, uint32_t domid,
				   uint32_t remote_port, struct pvctrl_port *p,
				   char *err, size_t errlen);
/* A dom0 port that `remote` may bind to. */
int pvctrl_evtchn_alloc_unbound(struct pvctrl *c, uint32_t remote,
				struct pvctrl_port *p, char *err,
				size_t errlen);
/* The toolstack's operation: a port in guest `domid` for `remote`. */
int pvctrl_evtchn_alloc_unbound_in(struct pvctrl *c, uint32_t domid,
				   uint32_t remote, uint32_t *port, char *err,
				   size_t errlen);
int pvctrl_evtchn_bind_virq(struct pvctrl *c, uint32_t virq,
			    struct pvctrl_port *p, char *err, size_t errlen);
int pvctrl_evtchn_close(struct pvctrl *c, struct pvctrl_port *p, char *err,
			size_t errlen);
/* Sends on the port (doorbell write). */
int pvctrl_evtchn_notify(const struct pvctrl_port *p);
/* Waits until the port is signalled (timeout_ms < 0: forever); returns 0,
 * -ETIMEDOUT or -errno. */
int pvctrl_evtchn_wait(const struct pvctrl_port *p, int timeout_ms);

/*
 * Guest memory, one page at a time, mapped into the caller: a domain's
 * magic page ("store" or "console"), any frame of a domain, or a page a
 * guest granted to dom0 (pinned until pvctrl_grant_unmap). NULL on error.
 */
void *pvctrl_map_magic(struct pvctrl *c, uint32_t domid, const char *page,
		       char *err, size_t errlen);
void *pvctrl_map_foreign(struct pvctrl *c, uint32_t domid, uint64_t gfn,
			 char *err, size_t errlen);
void *pvctrl_grant_map(struct pvctrl *c, uint32_t domid, uint32_t ref,
		       bool readonly, uint32_t *handle, char *err,
		       size_t errlen);
int pvctrl_grant_unmap(struct pvctrl *c, void *addr, uint32_t handle, char *err,
		       size_t errlen);
void pvctrl_unmap(void *addr);

/* Grant copies between guests' grants and the caller's memory. */
struct pvctrl_grant_copy {
	uint32_t domid, ref;
	uint16_t offset, len;
	void *buf;
	bool to_guest;
	int16_t status; /* OUT: GNTST_* */
};
int pvctrl_grant_copy(struct pvctrl *c, struct pvctrl_grant_copy *ops,
		      unsigned int n, char *err, size_t errlen);

/* Next event or console chunk; timeout_ms < 0 waits forever. Returns 0,
 * -ETIMEDOUT, -EPIPE when pvhv closed the connection, or -errno. */
int pvctrl_next(struct pvctrl *c, struct pvctrl_msg *m, int timeout_ms);
void pvctrl_msg_free(struct pvctrl_msg *m);

#endif
