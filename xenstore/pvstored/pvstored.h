/* pvstored: the daemon around libpvxs (event loop, files, pvhv). */
#ifndef PVSTORED_H
#define PVSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvctrl/pvctrl.h>
#include <pvxs/xs.h>

#define PVSTORED_SOCKET	 "socket"
#define PVSTORED_SNAP	 "xenstore.snap"
#define PVSTORED_JOURNAL "xenstore.journal"

/* What epoll reports: the first member of every watched object. */
enum src_kind {
	SRC_LISTEN,
	SRC_SIGNAL,
	SRC_SOCK,
	SRC_GUEST,
	SRC_PVHV,
	SRC_TESTFIFO
};

struct src {
	enum src_kind kind;
};

struct options {
	const char *rundir;
	const char *pvhv_rundir;
	const char *logfile;
	bool foreground;
	bool no_pvhv;
	const char *test_rings; /* testing: rings in files, see guest.c */
	int ready_fd;
	int verbose;
	uint32_t quota[XSQ_COUNT];
	uint32_t quota_set; /* bit q: quota[q] given */
};

struct guest;

struct daemon {
	struct options o;
	struct xs_store *st;
	int epfd;
	struct src listen_src, signal_src, pvhv_src, fifo_src;
	int fifo;
	int lsock, sigfd;
	char sockpath[4096];
	bool quit;
	/* persistence */
	int jfd;
	uint64_t jgen;
	size_t jsize, snapsize;
	bool compact_due;
	bool restored; /* state came from the journal: re-attach guests */
	/* pvhv */
	struct pvctrl *pv;
	uint64_t pv_retry_ns;
	bool pv_called; /* pvctrl calls may have queued events */
	uint32_t pvhv_pid;
	uint8_t *known;	       /* domids pvhv reported (bitmap) */
	struct guest **guests; /* by domid */
	/* rings needing another service round */
	uint32_t *again;
	size_t nagain, again_cap;
	unsigned int nsocks;
};

extern struct daemon *dm;

/* loop.c */
int loop_init(struct daemon *d, char *err, size_t errlen);
int loop_signals(struct daemon *d);

void loop_run(struct daemon *d);
int loop_add(struct daemon *d, int fd, struct src *s, uint32_t events);
void loop_del(struct daemon *d, int fd);
void loop_again(struct daemon *d, uint32_t domid);

/* sandbox.c: drops capabilities, forbids exec & co. */
void sandbox(void);

/* persist.c */

int persist_open(struct daemon *d, char *err, size_t errlen);
int persist_sink(void *arg, const void *buf, size_t len);
void persist_compact(struct daemon *d);
void persist_close(struct daemon *d);

/* guest.c: pvhv, guests' rings and event channels, the toolstack role */
void guests_init(struct daemon *d);
void pvhv_try_connect(struct daemon *d);
void pvhv_readable(struct daemon *d);
void pvhv_drain(struct daemon *d);
void guest_event(struct daemon *d, struct src *s);
void guests_reap(void);

void test_fifo_event(struct daemon *d);

void guest_service(struct daemon *d, struct xs_conn *c);
bool guest_domain_exists(void *arg, uint32_t domid);
int guest_introduce(void *arg, struct xs_domain *dom, uint64_t gfn,
		    uint32_t port);
void guest_release(void *arg, struct xs_domain *dom);

#endif
