/* libpvstore internals shared by its files. */
#ifndef PVSTORE_PRIV_H
#define PVSTORE_PRIV_H

#include <limits.h>
#include <pthread.h>
#include <sys/un.h>

#include <pvstore/wire.h>

#define PVSTORE_RBUF_SIZE 65536

struct pvstore_watch {
	struct pvstore_watch *next;
	char *token; /* in the same allocation */
	char path[];
};

struct pvstore_queued {
	struct pvstore_queued *next;
	struct pvstore_event *ev;
};

/* A transaction of this handle: its id on the wire and the connection
 * (generation) it was opened on. */
struct pvstore_txent {
	pvstore_tx_t id;
	uint32_t wire;
	unsigned gen;
};

struct pvstore {
	pthread_mutex_t lock;
	int sock; /* -1 while disconnected */
	int epfd; /* what pvstore_fd() returns: sock + evfd */
	int evfd; /* readable while events are queued */
	unsigned flags;
	int reply_ms, reconnect_ms;
	unsigned gen, reconnects;
	uint32_t next_req;
	pvstore_tx_t next_tx;
	struct pvstore_txent *tx;
	size_t ntx, captx;
	struct pvstore_watch *watches;
	struct pvstore_queued *qhead, *qtail;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* The last message received: header and payload (NUL-terminated). */
	struct xsd_sockmsg rhdr;
	char rmsg[XENSTORE_PAYLOAD_MAX + 1];
	/* Bytes received but not yet taken as messages. */
	size_t roff, rlen;
	char rbuf[PVSTORE_RBUF_SIZE];
};

/*
 * One request and its reply, under the handle's lock, reconnecting as the
 * header describes. On success the reply is in h->rmsg / h->rhdr.len
 * until the lock is dropped; the caller holds the lock.
 */
int pvstore_call_locked(struct pvstore *h, struct pvstore_req *r,
			pvstore_tx_t tx);
/* The same, taking the lock and copying the reply out (NUL-terminated;
 * reply may be NULL). */
int pvstore_call(struct pvstore *h, struct pvstore_req *r, pvstore_tx_t tx,
		 char **reply, size_t *len);

/* Transactions: record a new one, look one up, forget one. */
int pvstore_tx_add(struct pvstore *h, uint32_t wire, pvstore_tx_t *id);
struct pvstore_txent *pvstore_tx_find(struct pvstore *h, pvstore_tx_t id);
void pvstore_tx_del(struct pvstore *h, pvstore_tx_t id);

/* Watches to register again after a reconnection. */
int pvstore_watch_add(struct pvstore *h, const char *path, const char *token);
void pvstore_watch_del(struct pvstore *h, const char *path, const char *token);
void pvstore_watch_clear(struct pvstore *h);

/* Starting pvstored (autostart.c). */
int pvstore_autostart(const char *rundir, char *err, size_t errlen);

#endif
