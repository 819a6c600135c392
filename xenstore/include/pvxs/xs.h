/*
 * libpvxs: the logic of pvstored, the xenstore daemon. No I/O here: the
 * daemon (xenstore/pvstored) owns sockets, guest pages, event channels
 * and files, and drives this library through the calls below; unit tests
 * and fuzzers drive it the same way without a daemon.
 *
 *   store   the tree, domains, quotas and connections (one per daemon)
 *   conn    one client: a dom0 socket, or a guest's ring
 *   ring    a guest's xenstore page, read and written in place
 *   journal every state change as checksummed records, for restarts
 *
 * Semantics follow Xen's C xenstored (4.17), see docs/xenstore.md.
 */
#ifndef PVXS_XS_H
#define PVXS_XS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvabi/io/xs_wire.h>

#define XS_DOMID_FIRST_RESERVED 0x7ff0u
#define XS_DOMID_SELF		0x7ff0u

/* Quotas: Xen's names and defaults. 0 disables a quota. */
enum xs_quota {
	XSQ_NODES,	       /* nodes owned by a domain */
	XSQ_WATCHES,	       /* watches per domain */
	XSQ_TRANSACTIONS,      /* open transactions per domain */
	XSQ_OUTSTANDING,       /* replies/events not yet read, per domain */
	XSQ_TRANSACTION_NODES, /* nodes one transaction may touch */
	XSQ_NODE_SIZE,	       /* bytes of one node (perms+value+children) */
	XSQ_PATH_MAX,	       /* path length below /local/domain/<id>/ */
	XSQ_PERMISSIONS,       /* permission entries per node */
	XSQ_COUNT
};

/* Index of a quota by its Xen name ("nodes", "node-size"...), or -1. */
int xs_quota_by_name(const char *name);
const char *xs_quota_name(enum xs_quota q);
const char *xs_quota_descr(enum xs_quota q);
uint32_t xs_quota_default(enum xs_quota q);

struct xs_store;
struct xs_conn;
struct xs_domain;

/* What the store asks of the daemon. All optional. */
struct xs_hooks {
	/* Does domain `domid` exist (Xen asks the hypervisor)? NULL: yes. */
	bool (*domain_exists)(void *arg, uint32_t domid);
	/* XS_INTRODUCE from a client: connect to the domain's ring and
	 * port (map, bind, xs_ring_attach). 0 or -errno. NULL: accept
	 * without a ring (standalone mode). */
	int (*introduce)(void *arg, struct xs_domain *d, uint64_t gfn,
			 uint32_t port);
	/* The domain is released: drop its ring and port. */
	void (*release)(void *arg, struct xs_domain *d);
	/* A connection has output queued, or its input may be readable
	 * again (quota freed): the daemon should service it soon. */
	void (*kick)(void *arg, struct xs_conn *c);
	/* CONTROL log|on, log|off, logfile, print. */
	void (*control_log)(void *arg, const char *cmd, const char *val);
	/* Journal bytes ready (see xs_journal_take). */
	void *arg;
};

/* ------------------------------------------------------------- store */

int xs_store_new(const struct xs_hooks *hooks, struct xs_store **out);
void xs_store_free(struct xs_store *st);
/* Global quota value (0 = disabled). */
uint32_t xs_store_quota(const struct xs_store *st, enum xs_quota q);
void xs_store_set_quota(struct xs_store *st, enum xs_quota q, uint32_t v);
uint64_t xs_store_nodes(const struct xs_store *st);
/* Monotonic per-store counter bumped on every node change. */
uint64_t xs_store_generation(const struct xs_store *st);

/*
 * Next connection that wants service (output queued, or input allowed
 * again), each at most once until it is kicked anew; NULL when none.
 */
struct xs_conn *xs_store_next_kicked(struct xs_store *st);
bool xs_store_kicked(const struct xs_store *st);

/* ------------------------------------------------------------- conns */

/* A dom0 client (unix socket): privileged, domain 0. */
struct xs_conn *xs_conn_new_socket(struct xs_store *st);
/* Frees the connection, its watches, transactions and queued output. */
void xs_conn_free(struct xs_conn *c);
void xs_conn_set_data(struct xs_conn *c, void *data);
void *xs_conn_data(const struct xs_conn *c);
uint32_t xs_conn_domid(const struct xs_conn *c);
/* The connection hit a protocol error and is ignored (closed, for a
 * socket); ring connections keep the reason in the ring's error field. */
bool xs_conn_dead(const struct xs_conn *c);

/*
 * Stream input (sockets, fuzzing): feeds bytes, handles every complete
 * message. Returns 0, or -EPROTO after a malformed header (an error
 * reply is queued; the caller flushes it and closes the socket).
 */
int xs_conn_input(struct xs_conn *c, const void *buf, size_t len);
/* Handles one complete message (header already validated). */
void xs_conn_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr,
		    const uint8_t *payload);

/* Output: the first queued bytes not yet sent (NULL, 0 if none). */
const void *xs_conn_out_peek(struct xs_conn *c, size_t *len);
/* `n` bytes of the peeked output were sent. */
void xs_conn_out_advance(struct xs_conn *c, size_t n);
size_t xs_conn_out_bytes(const struct xs_conn *c);

/* --------------------------------------------------------- domains */

struct xs_domain *xs_domain_find(struct xs_store *st, uint32_t domid);
uint32_t xs_domain_id(const struct xs_domain *d);
bool xs_domain_introduced(const struct xs_domain *d);
struct xs_conn *xs_domain_conn(const struct xs_domain *d);
void xs_domain_set_data(struct xs_domain *d, void *data);
void *xs_domain_data(const struct xs_domain *d);
uint64_t xs_domain_ring_gfn(const struct xs_domain *d);
uint32_t xs_domain_ring_port(const struct xs_domain *d);
/* Toolstack metadata (uuid of /vm/<uuid>), journaled with the domain. */
void xs_domain_set_uuid(struct xs_domain *d, const char *uuid);
const char *xs_domain_uuid(const struct xs_domain *d);

/*
 * Introduces domain `domid` (as XS_INTRODUCE does, without the hook):
 * records ring gfn and port, creates its connection (a ring connection
 * when `ring` is true), fires @introduceDomain if new. 0 or -errno.
 */
int xs_domain_introduce(struct xs_store *st, uint32_t domid, uint64_t gfn,
			uint32_t port, bool ring, struct xs_domain **out);
/* Releases it (XS_RELEASE): drops its connection, removes the nodes it
 * owns, fires @releaseDomain. No-op for unknown domains. */
void xs_domain_release(struct xs_store *st, uint32_t domid);
/* The domain shut down: fires @releaseDomain once (until XS_RESUME). */
void xs_domain_shutdown(struct xs_store *st, uint32_t domid);
/* The domain is gone: release, and forget the domain entirely. */
void xs_domain_destroyed(struct xs_store *st, uint32_t domid);
/* Calls fn for every introduced domain. */
void xs_domain_foreach(struct xs_store *st,
		       void (*fn)(struct xs_domain *d, void *arg), void *arg);

/* ------------------------------------------------ privileged helpers */

/* dom0 operations for the toolstack role; `perms` is a perms string list
 * ("n0\0r5\0", as on the wire) or NULL to inherit. 0 or -errno. */
int xs_sys_write(struct xs_store *st, const char *path, const void *val,
		 size_t len, const char *perms, size_t permslen);
int xs_sys_mkdir(struct xs_store *st, const char *path, const char *perms,
		 size_t permslen);
int xs_sys_rm(struct xs_store *st, const char *path);
/* Reads a node's value (NUL-terminated copy, free()) or NULL. */
char *xs_sys_read(struct xs_store *st, const char *path, size_t *len);

/* ------------------------------------------------------------- rings */

/*
 * A guest's connection works on its ring page in place. The page is
 * hostile memory: indexes are read once and checked, lengths bounded.
 * xs_ring_attach hands the page to the connection (NULL detaches);
 * xs_ring_service reads up to `budget` requests and writes output;
 * returns true if more work is pending (call again soon). `notify` is
 * set when the guest must be signalled.
 */
void xs_ring_attach(struct xs_conn *c, void *page);
bool xs_ring_service(struct xs_conn *c, unsigned int budget, bool *notify);

/* ----------------------------------------------------------- journal */

/*
 * Every change of persistent state (nodes, domains, guest watches and
 * transactions, quotas, ring positions) is appended to an internal
 * buffer as one batch per request. The daemon takes the bytes and
 * appends them to its journal file before any reply leaves (ring
 * services call the `journal_commit` step themselves via the hook).
 */
const void *xs_journal_peek(struct xs_store *st, size_t *len);
void xs_journal_clear(struct xs_store *st);
/* Set by the daemon: called with pending journal bytes when they must
 * be made durable now (before a guest reply becomes visible). */
void xs_journal_set_sink(struct xs_store *st,
			 int (*sink)(void *arg, const void *buf, size_t len),
			 void *arg);
/* Flushes pending journal bytes through the sink. */
int xs_journal_flush(struct xs_store *st);
/* Enables journaling (off until restore is done). */
void xs_journal_enable(struct xs_store *st, bool on);

/* A snapshot of the whole state (malloc'd; free()). */
int xs_snapshot_build(struct xs_store *st, uint64_t generation, void **buf,
		      size_t *len);
/* Journal file header for `generation`. */
#define XS_JOURNAL_HDR_LEN 24
void xs_journal_header(uint64_t generation, uint8_t hdr[XS_JOURNAL_HDR_LEN]);

/*
 * Restores state: a snapshot (or NULL) and a journal (or NULL). Stops at
 * the first torn or corrupt journal batch; *journal_good is the length of
 * the valid journal prefix (truncate the file there). Returns 0 or
 * -errno with a reason in err (the store is then empty).
 */
int xs_restore(struct xs_store *st, const void *snap, size_t snaplen,
	       const void *journal, size_t jlen, size_t *journal_good,
	       uint64_t *generation, char *err, size_t errlen);

/* Toolstack bookkeeping persisted in the journal (e.g. pvhv's pid). */
void xs_store_set_meta(struct xs_store *st, const char *key, const char *value);
const char *xs_store_meta(const struct xs_store *st, const char *key);

/* After a restore: fire every guest watch once (events may have been
 * lost in the crash; Xen allows spurious events). */
void xs_fire_restored_watches(struct xs_store *st);

/* ------------------------------------------------------------- misc */

uint32_t xs_crc32(uint32_t crc, const void *buf, size_t len);
/* Xen's name of an errno value ("EINVAL"); unknown ones are EINVAL. */
const char *xs_errname(int err);
/* Counters for CONTROL and logs. */
struct xs_stats {
	uint64_t requests, errors, events, nodes, conns, domains, watches;
	uint64_t journal_bytes;
};
void xs_store_stats(const struct xs_store *st, struct xs_stats *out);

#endif
