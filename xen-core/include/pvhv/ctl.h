/* Internals of the control module (control/). */
#ifndef PVHV_CTL_H
#define PVHV_CTL_H

#include <sys/types.h>

#include <pvhv/json.h>
#include <pvhv/msg.h>
#include <pvhv/types.h>

struct conn {
	int fd;
	uid_t uid;
	pid_t pid;
	bool dead;
	bool want_write;
	/* Console follower: stream of one domain from an offset. */
	bool follow;
	bool follow_live; /* keep streaming new output */
	uint32_t follow_domid;
	uint64_t follow_off;
	/* Lifecycle events subscriber. */
	bool watch;
	struct conn *next;
};

extern bool control_quit;

/* server.c */
void conn_close(struct conn *c);
void conn_want_write(struct conn *c, bool on);
void conn_foreach(void (*fn)(struct conn *c, void *arg), void *arg);

/* One request being handled. */
struct ctl_req {
	struct conn *c;
	struct pv_msg *m;
	yajl_val req;
	yajl_gen out; /* the reply, {"ok": true, ...} */
	char err[256];
	/* fds sent with the reply; pvhv keeps its own copies open */
	int reply_fds[2];
	int reply_nfds;
};

/* create.c */
int ctl_op_create(struct ctl_req *r);

/* dom0.c: the dom0 access interface */
int control_dom0_init(void);
int ctl_op_evtchn_alloc_unbound(struct ctl_req *r);
int ctl_op_evtchn_bind_interdomain(struct ctl_req *r);
int ctl_op_evtchn_bind_virq(struct ctl_req *r);
int ctl_op_evtchn_close(struct ctl_req *r);
int ctl_op_evtchn_notify(struct ctl_req *r);
int ctl_op_evtchn_status(struct ctl_req *r);
int ctl_op_map_magic(struct ctl_req *r);
int ctl_op_map_foreign(struct ctl_req *r);
int ctl_op_grant_map(struct ctl_req *r);
int ctl_op_grant_unmap(struct ctl_req *r);
int ctl_op_grant_copy(struct ctl_req *r);
void dom0_conn_released(struct conn *c);
void dom0_domain_gone(uint32_t domid);

/* ops.c */
void ctl_handle(struct conn *c, struct pv_msg *m);
void ctl_destroy_all(void);

/* events.c */
void ctl_conn_writable(struct conn *c);
void ctl_conn_released(struct conn *c);
/* Sends JSON to one connection (closes it if it cannot keep up);
 * ctl_send_gen finishes g first. */
void ctl_send_text(struct conn *c, uint16_t kind, uint32_t id, const char *text,
		   size_t len);
void ctl_send_gen(struct conn *c, uint16_t kind, uint32_t id, yajl_gen g);
/* Pushes pending console bytes to a follower; false if it must wait. */
bool ctl_console_push(struct conn *c);

#endif
