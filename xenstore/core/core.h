/* libpvxs internals: shared by the core's files, not installed. */
#ifndef PVXS_CORE_H
#define PVXS_CORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pvxs/xs.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- lists */

struct dlist {
	struct dlist *prev, *next;
};

static inline void dlist_init(struct dlist *l)
{
	l->prev = l->next = l;
}

static inline bool dlist_empty(const struct dlist *l)
{
	return l->next == l;
}

static inline void dlist_add_tail(struct dlist *l, struct dlist *e)
{
	e->prev = l->prev;
	e->next = l;
	l->prev->next = e;
	l->prev = e;
}

static inline void dlist_del(struct dlist *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = e;
}

#define container_of(p, type, member)                                          \
	((type *)(void *)((char *)(p)-offsetof(type, member)))

/* ------------------------------------------------------- hash maps */

/* Keys are byte strings owned by the caller (they must outlive the
 * entry, usually they live in the value). Hashed with SipHash and a
 * per-process random key, so guests cannot pick colliding paths. */
struct xs_hent {
	struct xs_hent *next;
	uint64_t hash;
	const char *key;
	uint32_t klen;
	void *val;
};

struct xs_map {
	struct xs_hent **b;
	uint32_t nb, count;
};

int map_init(struct xs_map *m);
void map_fini(struct xs_map *m);
uint64_t map_hash(const char *key, size_t klen);
void *map_get(const struct xs_map *m, const char *key, size_t klen);
/* Fails with -EEXIST if present, -ENOMEM. */
int map_put(struct xs_map *m, const char *key, size_t klen, void *val);
/* Replaces the value and key pointer of an existing entry. */
void map_rekey(struct xs_map *m, const char *key, size_t klen, void *val);
void *map_del(struct xs_map *m, const char *key, size_t klen);
/* Iteration: fn returns false to stop. Must not modify the map. */
void map_foreach(const struct xs_map *m, bool (*fn)(void *val, void *arg),
		 void *arg);

/* -------------------------------------------------------- strings */

struct xs_buf {
	uint8_t *p;
	size_t len, cap;
};

int buf_put(struct xs_buf *b, const void *d, size_t n);
int buf_u32(struct xs_buf *b, uint32_t v);
int buf_u64(struct xs_buf *b, uint64_t v);
/* u32 length + bytes */
int buf_blob(struct xs_buf *b, const void *d, size_t n);
int buf_str(struct xs_buf *b, const char *s);
void buf_free(struct xs_buf *b);

/* ----------------------------------------------------------- nodes */

#define XS_PERM_NONE   0x0
#define XS_PERM_READ   0x1
#define XS_PERM_WRITE  0x2
#define XS_PERM_OWNER  0x8  /* internal: owner rights */
#define XS_PERM_IGNORE 0x10 /* internal: entry of a vanished domain */

struct xs_perm {
	uint32_t domid;
	uint32_t perm;
};

struct xs_node {
	char *path; /* absolute, NUL-terminated */
	uint32_t plen;
	uint32_t vlen;
	uint8_t *value;
	uint32_t clen; /* bytes of children: NUL-terminated leaf names */
	char *children;
	uint32_t nperms;
	struct xs_perm *perms;
	uint64_t gen;
};

#define XS_NO_GEN UINT64_MAX

/* Size Xen charges for a node (its tdb record): header, perms, value,
 * children. */
static inline uint32_t node_acc_size(uint32_t nperms, uint32_t vlen,
				     uint32_t clen)
{
	return 24 + 8 * nperms + vlen + clen;
}

struct xs_node *node_dup(const struct xs_node *n);
struct xs_node *node_new(const char *path, size_t plen);
void node_free(struct xs_node *n);
int node_set_value(struct xs_node *n, const void *v, size_t len);
int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np);
int node_add_child(struct xs_node *n, const char *leaf, size_t len);
bool node_del_child(struct xs_node *n, const char *leaf, size_t len);
static inline uint32_t node_owner(const struct xs_node *n)
{
	return n->perms[0].domid;
}

/* ----------------------------------------------------------- paths */

#define XS_ABS_PATH_MAX XENSTORE_ABS_PATH_MAX

bool path_valid_chars(const char *s, size_t len);
/* Parent of an absolute path ("/" for "/a"); len of the parent. */
size_t path_parent_len(const char *path, size_t len);
/* Is `child` equal to or below `parent`? */
bool path_is_child(const char *child, size_t clen, const char *parent,
		   size_t plen);

/* --------------------------------------------------------- domains */

struct xs_domain {
	struct xs_store *st;
	uint32_t domid;
	uint64_t gen; /* store generation when this domain appeared */
	bool introduced;
	bool shutdown; /* @releaseDomain sent for its shutdown */
	bool has_target;
	uint32_t target;
	struct xs_conn *conn; /* its ring connection, if any */
	uint64_t gfn;
	uint32_t port;
	char uuid[40];
	/* accounting */
	uint32_t nodes, watches, txns, outstanding;
	uint64_t memory; /* bytes of the nodes it owns */

	uint32_t quota[XSQ_COUNT]; /* per-domain overrides */
	uint32_t quota_set;	   /* bit q: quota[q] overrides global */
	void *data;
};

struct xs_domain *domain_get(struct xs_store *st, uint32_t domid, bool create);
void domain_put_if_unused(struct xs_store *st, struct xs_domain *d);
uint32_t domain_quota(const struct xs_store *st, const struct xs_domain *d,
		      enum xs_quota q);
/* Outstanding accounting for replies and events charged to `domid`. */
void domain_outstanding(struct xs_store *st, uint32_t domid, int delta);

/* ----------------------------------------------------------- conns */

struct xs_out {
	struct xs_out *next;
	uint32_t len, off;
	uint32_t charge; /* domid whose outstanding quota it uses */
	bool event;
	uint8_t data[] __attribute__((aligned(8))); /* header + payload */
};

struct xs_txn;

struct xs_conn {
	struct xs_store *st;
	struct dlist link; /* st->conns */
	uint32_t id;	   /* domid */
	uint64_t seq;	   /* creation order */
	bool priv;
	bool is_ring;
	bool dead;
	struct xs_domain *dom; /* ring connections: their domain */
	/* stream input */
	struct xsd_sockmsg in_hdr;
	uint32_t in_got;
	uint8_t *in_buf;
	/* output */
	struct xs_out *out_head, **out_tail;
	size_t out_bytes;
	uint32_t out_events;
	/* kick list */
	bool kicked;
	struct xs_conn *kick_next;
	/* watches and transactions */
	struct dlist watches;
	uint32_t nwatches;
	struct dlist txns;
	uint32_t ntxns;
	uint32_t next_txid;
	uint32_t *stale_tx; /* restored guest transactions: EAGAIN */
	uint32_t nstale;
	/* the request being handled */
	uint32_t cur_charge;
	/* ring state */
	struct xs_ring *ring;
	void *data;
};

struct xs_conn *conn_new(struct xs_store *st, uint32_t domid, bool ring);
void conn_kick(struct xs_conn *c);
/* Queues a reply or event (header + payload). */
int conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id,
	       uint32_t tx_id, const void *payload, size_t len, bool event,
	       uint32_t charge);
/* Queues raw bytes (the rest of an output interrupted by a restart). */
int conn_queue_raw(struct xs_conn *c, const void *p, size_t len);
void conn_drop_output(struct xs_conn *c);
void conn_reset(struct xs_conn *c); /* watches, transactions, output */
void conn_send_error(struct xs_conn *c, const struct xsd_sockmsg *hdr, int err);

/* ---------------------------------------------------------- watches */

struct xs_watch {
	struct dlist conn_link; /* c->watches */
	struct dlist path_link; /* bucket->watches */
	struct xs_conn *conn;
	char *path; /* absolute or @special */
	uint32_t plen;
	char *token;
	bool relative; /* report paths relative to /local/domain/<id> */
	uint64_t seq;  /* creation order: Xen sends events in this order */
};

struct xs_wbucket {
	char *path;
	uint32_t plen;
	struct dlist watches;
};

int watch_add(struct xs_conn *c, const char *path, size_t plen,
	      const char *token, bool relative, struct xs_watch **out);
void watch_del(struct xs_watch *w);
struct xs_watch *watch_find(struct xs_conn *c, const char *path,
			    const char *token);
void watch_del_all(struct xs_conn *c);
/* Sends the watch's event for `path` to its connection (checks size). */
void watch_send(struct xs_watch *w, const char *path, uint32_t charge);

/*
 * Fires the watches matching a change of `path`: those on it and (unless
 * `exact`) on its ancestors. `node` is the node's state after the change
 * (NULL if removed), `old` its permissions before (or NULL): a watcher
 * sees the event if it may read the node (old or new) or its parent.
 */
struct xs_oldperms {
	const struct xs_perm *p;
	uint32_t n;
	uint64_t gen;
};
void fire_watches(struct xs_store *st, const char *path, size_t plen,
		  bool exact, const struct xs_node *node,
		  const struct xs_oldperms *old, uint32_t charge);
void fire_special(struct xs_store *st, const char *name, uint32_t charge);

/* --------------------------------------------------------- the store */

struct xs_meta {
	struct xs_meta *next;
	char *key, *value;
};

struct xs_store {
	struct xs_hooks hooks;
	struct xs_map nodes;
	struct xs_map wbuckets;
	uint64_t gen;
	uint32_t quota[XSQ_COUNT];
	struct xs_domain **domains; /* indexed by domid */
	uint32_t ndomains;
	struct dlist conns;
	struct xs_conn *kick_head, **kick_tail;
	struct xs_perm special_perms[2][8]; /* @introduceDomain, @release */
	uint32_t nspecial[2];
	/* journal */
	bool journaling;
	struct xs_buf jbuf; /* records of the request being handled */
	size_t jrec;	    /* offset of the record being written */
	struct xs_buf jout; /* batches ready for the file */
	int (*jsink)(void *arg, const void *buf, size_t len);
	void *jsink_arg;
	struct xs_meta *meta;
	struct xs_stats stats;
	/* the current request, for charging events */
	uint32_t cur_charge;
	uint64_t seq; /* for conns and watches */
};

/* ------------------------------------------------------ transactions */

struct xs_tent {
	struct dlist order; /* modified entries, in order */
	char *path;
	uint32_t plen;
	uint64_t base_gen; /* XS_NO_GEN: did not exist */
	bool modified;
	struct xs_node *node; /* modified: new state; NULL = removed */
};

struct xs_tevent {
	struct xs_tevent *next;
	char *path;
	bool exact;
	uint32_t nold;
	struct xs_perm *old;
	uint64_t oldgen;
};

struct xs_txn {
	struct dlist link; /* conn->txns */
	uint32_t id;
	struct xs_conn *conn;
	struct xs_map ents;
	struct dlist modified;
	uint32_t nents;
	struct xs_tevent *ev_head, **ev_tail;
	struct xs_tdelta {
		uint32_t domid;
		int32_t delta;
	} * deltas;
	uint32_t ndeltas;
	bool failed;
};

/* A view of the tree: the base, or a transaction's copy of it. */
struct xs_view {
	struct xs_store *st;
	struct xs_txn *tx;
};

/* Looks a node up (NULL if absent); in a transaction, records the
 * access. 0, or -ENOSPC (transaction-nodes quota), -ENOMEM. */
int view_get(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen, const struct xs_node **out);
/* Stores a node's new state (takes ownership of n). */
int view_set(struct xs_view *v, struct xs_conn *c, struct xs_node *n);
int view_del(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen);
/* Node count of `domid` as this view sees it. */
uint32_t view_nodes_of(struct xs_view *v, uint32_t domid);
/* Queues a watch event (fired at commit in a transaction). */
void view_fire(struct xs_view *v, const char *path, size_t plen, bool exact,
	       const struct xs_oldperms *old);

struct xs_txn *txn_new(struct xs_conn *c);
struct xs_txn *txn_find(struct xs_conn *c, uint32_t id);
void txn_free(struct xs_txn *t);
/* Commits; -EAGAIN on conflict, -ENOSPC on quota. Frees t. */
int txn_commit(struct xs_txn *t);

/* ------------------------------------------------------------- tree */

const struct xs_node *tree_get(struct xs_store *st, const char *path,
			       size_t plen);
/* Stores (takes n; assigns a new generation) and journals. */
int tree_set(struct xs_store *st, struct xs_node *n);
void tree_del(struct xs_store *st, const char *path, size_t plen);
int tree_init(struct xs_store *st);
void tree_fini(struct xs_store *st);
/* Drops (to XS_PERM_IGNORE) ACL entries of domains younger than the
 * node or gone: their domid may be reused by a new domain. */
void perms_adjust(struct xs_store *st, struct xs_node *n, uint64_t gen);

/* ----------------------------------------------------------- perms */

/* Rights (READ|WRITE|OWNER) of connection c on a node with perms. */
uint32_t perm_for_conn(const struct xs_store *st, const struct xs_conn *c,
		       const struct xs_perm *p, uint32_t np, uint64_t gen);
/* Parses "r5\0w0\0..." (n strings); 0 or -EINVAL. */
int perms_parse(const char *s, size_t len, uint32_t n, struct xs_perm *out);
/* Writes the wire form of the perms (skipping ignored entries). */
int perms_format(const struct xs_perm *p, uint32_t np, struct xs_buf *b);

/* ------------------------------------------------------------- ops */

struct xs_req {
	struct xs_conn *c;
	const struct xsd_sockmsg *hdr;
	const uint8_t *payload;
	uint32_t len;
	struct xs_view v;
};

/* Sends the reply of r (type of the request). */
int req_reply(struct xs_req *r, const void *p, size_t len);
int req_ack(struct xs_req *r);
/* Payload strings: count of NUL-terminated strings; vec gets up to n. */
unsigned int req_strings(const struct xs_req *r, const char **vec,
			 unsigned int n);
/* The payload as one string (exactly one NUL, at the end), or NULL. */
const char *req_onearg(const struct xs_req *r);

int op_control(struct xs_req *r);
int op_get_quota(struct xs_req *r);
int op_set_quota(struct xs_req *r);
int op_introduce(struct xs_req *r);
int op_release(struct xs_req *r);
int op_get_domain_path(struct xs_req *r);
int op_is_domain_introduced(struct xs_req *r);
int op_resume(struct xs_req *r);
int op_set_target(struct xs_req *r);
int op_get_feature(struct xs_req *r);
int op_set_feature(struct xs_req *r);
int op_watch(struct xs_req *r);
int op_unwatch(struct xs_req *r);
int op_reset_watches(struct xs_req *r);
int op_transaction_start(struct xs_req *r);
int op_transaction_end(struct xs_req *r);

/* Node operations shared with the privileged helpers. */
int node_write(struct xs_view *v, struct xs_conn *c, const char *path,
	       size_t plen, const void *val, size_t vlen, bool mkdir_only);
int node_rm(struct xs_view *v, struct xs_conn *c, const char *path,
	    size_t plen);
int node_get(struct xs_view *v, struct xs_conn *c, const char *path,
	     size_t plen, uint32_t perm, const struct xs_node **out);
int node_set_perms_op(struct xs_view *v, struct xs_conn *c, const char *path,
		      size_t plen, struct xs_perm *p, uint32_t np);
/* Marks entries of unknown domains ignored; -ENOENT if the owner is
 * unknown (Xen's domain_alloc_permrefs). */
int perms_refs(struct xs_store *st, struct xs_perm *p, uint32_t np);
/* Canonical absolute form of a client path into out (>= 3073+). */
int path_canonical(const struct xs_conn *c, const char *in, char *out,
		   size_t outlen, bool *relative);
/* Removes every node owned by domid (domain death). */
void nodes_remove_owned(struct xs_store *st, uint32_t domid);
/* The system (dom0) connection used by privileged helpers. */
struct xs_conn *store_sys_conn(struct xs_store *st);

/* ------------------------------------------------------------- journal */

enum jrec {
	JR_NODE = 1,	   /* path, gen, perms, value, children */
	JR_DEL = 2,	   /* path */
	JR_DOMAIN = 3,	   /* domid, gen, flags, gfn, port, target, uuid */
	JR_DOMAIN_DEL = 4, /* domid */
	JR_WATCH = 5,	   /* domid, relative, path, token */
	JR_UNWATCH = 6,	   /* domid, path, token */
	JR_TXN = 7,	   /* domid, txid, open(1)/closed(0) */
	JR_CURSOR = 8,	   /* domid, req cursor, rsp start, output bytes */
	JR_PARTIAL = 9,	   /* domid, req cursor, bytes consumed so far */
	JR_QUOTA = 10,	   /* domid (or ~0 global), quota, value, set */
	JR_META = 11,	   /* key, value */
	JR_SPECIAL = 12,   /* which, perms */
	JR_GEN = 13,	   /* store generation */
	JR_CONNRESET = 14, /* domid: watches, txns, cursors dropped */
	JR_END = 15,	   /* end of snapshot */
	JR_CHILD = 16,	   /* path, gen, leaf, added(1)/removed(0) */
};

void journal_rec_begin(struct xs_store *st, enum jrec type);
void jr_u32(struct xs_store *st, uint32_t v);
void jr_u64(struct xs_store *st, uint64_t v);
void jr_blob(struct xs_store *st, const void *p, size_t n);
void journal_rec_end(struct xs_store *st);
/* Closes the request's records into one checksummed batch. */
void journal_batch(struct xs_store *st);

void journal_node(struct xs_store *st, const struct xs_node *n);
void journal_del(struct xs_store *st, const char *path, size_t plen);
void journal_child(struct xs_store *st, const struct xs_node *n,
		   const char *leaf, bool add);

void journal_domain(struct xs_store *st, const struct xs_domain *d);
void journal_domain_del(struct xs_store *st, uint32_t domid);
void journal_watch(struct xs_store *st, const struct xs_watch *w, bool add);
void journal_txn(struct xs_store *st, uint32_t domid, uint32_t id, bool open);
void journal_quota(struct xs_store *st, uint32_t domid, enum xs_quota q,
		   uint32_t v, bool set);
void journal_special(struct xs_store *st, unsigned int which);
void journal_connreset(struct xs_store *st, uint32_t domid);
bool journal_on(const struct xs_store *st);

/* Ring recovery data restored from the journal. */
struct xs_ring_restore {
	bool have_cursor;
	uint32_t cursor, rsp_start;
	uint8_t *out;
	uint32_t outlen;
	bool have_partial;
	uint32_t pcursor;
	uint8_t *pbuf;
	uint32_t plen;
};
struct xs_ring_restore *ring_restore_of(struct xs_conn *c, bool create);
void ring_free(struct xs_conn *c);
/* Xen resets a re-introduced domain's ring to empty. */
void ring_reset(struct xs_conn *c);
void journal_cursor(struct xs_store *st, uint32_t domid, uint32_t cursor,
		    uint32_t rsp_start, const struct xs_conn *c);
void journal_partial(struct xs_store *st, uint32_t domid, uint32_t cursor,
		     const uint8_t *buf, uint32_t len);
/* Snapshot: the ring's recovery data (last cursor, partial input). */
void ring_snapshot(struct xs_conn *c);
/* Restore hooks of tree.c. */
int tree_restore(struct xs_store *st, struct xs_node *n);
void tree_restore_del(struct xs_store *st, const char *path, size_t plen);

#endif
