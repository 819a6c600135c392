/* The fake xenstore daemon of test_pvstore_conn (test_pvstore_conn-extra.c):
 * a thread with a tiny in-memory store on a unix socket, with knobs to
 * misbehave. */
#ifndef PVSTORE_FAKE_H
#define PVSTORE_FAKE_H

#include <pthread.h>
#include <stdbool.h>

#include <pvstore/wire.h>

#define MAXN 1024

struct node {
	char path[96];
	char val[128];
	size_t len;
	char perms[64];
	size_t plen;
};

struct fake {
	char dir[64], sock[128];
	int lsock, conn;
	pthread_t thr;
	volatile int stop;
	/* Knobs, each used once unless said otherwise. */
	volatile int drop_at;	  /* close instead of answering request N */
	volatile int down_ms;	  /* ... and stop listening for that long */
	volatile int event_first; /* an event before the next reply */
	volatile int stray;	  /* a reply to another request first */
	volatile int oversize;	  /* a header with len > 4096 */
	volatile int delay_ms;	  /* every reply (sticky) */
	volatile int bump_gen;	  /* DIRECTORY_PART: the node changes */
	volatile int tx_conflict; /* TRANSACTION_END answers EAGAIN */
	/* What happened. */
	volatile int requests, conns, watch_reqs;
	struct xsd_sockmsg last;
	char last_payload[XENSTORE_PAYLOAD_MAX];
	/* The store. */
	struct node n[MAXN];
	int nn, gen;
	uint32_t next_tx;
};

extern struct fake F;

/* Starts the fake on a fresh socket (F.sock) in its own thread. */
void fake_start(void);
void fake_stop(void);
/* Creates a node (and its parents) in the fake's store. */
struct node *fake_create(const char *path);
/* As pvstored --rundir DIR --daemon --ready-fd N: serves one client, then
 * exits. */
int fake_pvstored(const char *rundir, int ready);

#endif
