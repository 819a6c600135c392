/*
 * libpvstore: the dom0 client library of xenstore (pvstored, or any daemon
 * that speaks Xen's xenstore protocol on a unix socket), used by pvstore,
 * pvctl and pvbackd.
 *
 * Conventions
 *   - Every function returns 0 (or a count) on success and -errno on
 *     failure. Errors the daemon sends by name ("ENOENT", ...) come back
 *     as the matching -errno; an unknown name as -EIO. The library never
 *     prints and never exits.
 *   - Results are malloc()ed; each is one allocation the caller frees
 *     with free() (string vectors included).
 *   - Paths: absolute ("/local/domain/1/name"), "@introduceDomain" and
 *     "@releaseDomain" for watches; relative paths are passed through
 *     (the daemon resolves them against /local/domain/0).
 *
 * Threads
 *   A handle may be shared by threads: each call takes the handle's lock
 *   for its request and reply, so calls on one handle are serialised
 *   (open one handle per thread to run requests in parallel). A thread
 *   waiting in pvstore_next_watch_event() does not hold the lock while it
 *   sleeps. pvstore_close() must not race with any other call.
 *
 * Connection and reconnection
 *   The socket is found as Xen's libxenstore finds it: $XENSTORED_PATH,
 *   else $XENSTORED_RUNDIR/socket, else $PVHV_RUNDIR/xenstored/socket
 *   (PVHV_RUNDIR defaults to /run/pvhv). When the daemon goes away (it
 *   was restarted), the next call reconnects, retrying for up to the
 *   reconnect timeout (default 5 s), and registers the handle's watches
 *   again (each fires once, as a new watch does: the caller may have
 *   missed changes). Transactions open on the old connection are gone:
 *   every request in them, and their end, fail with -EAGAIN, the
 *   caller's cue to run the transaction again. A request outside a
 *   transaction whose reply was lost is sent once more on the new
 *   connection (the store operations are idempotent).
 */
#ifndef PVSTORE_PVSTORE_H
#define PVSTORE_PVSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pvstore;

/* A transaction id of this handle; PVSTORE_NO_TX for none. */
typedef uint32_t pvstore_tx_t;
#define PVSTORE_NO_TX 0u

/* pvstore_open() flags. */
#define PVSTORE_AUTOSTART    (1u << 0) /* start pvstored if none answers */
#define PVSTORE_NO_RECONNECT (1u << 1) /* fail with -EPIPE instead */

/* A domain id argument meaning "no domain": the global quota, the
 * caller's own features. */
#define PVSTORE_GLOBAL (-1)

/*
 * The socket path clients use (see above), written to buf. Returns the
 * length, or -ENAMETOOLONG. If rundir is not NULL it receives the runtime
 * directory pvstored would be started with (--rundir), or "" when the
 * path came from $XENSTORED_PATH (no autostart then).
 */
int pvstore_socket_path(char *buf, size_t len, char *rundir, size_t rlen);

/*
 * Connects to the daemon at `path` (NULL: pvstore_socket_path()). With
 * PVSTORE_AUTOSTART and a socket that does not answer, starts
 *   pvstored --rundir DIR --ready-fd N
 * (the pvstored next to the calling program, else $PVSTORED_BIN, else
 * pvstored on PATH) and waits up to 15 s for its ready byte. On failure,
 * err (if not NULL) says what went wrong in words.
 */
int pvstore_open(const char *path, unsigned flags, struct pvstore **out,
		 char *err, size_t errlen);
void pvstore_close(struct pvstore *h);

/*
 * How long a call waits for its reply (ms, -1: forever, the default) and
 * how long it keeps trying to reconnect (ms, 0: not at all; default
 * 5000). A reply that does not come in time fails the call with
 * -ETIMEDOUT and drops the connection (the next call reconnects).
 */
void pvstore_set_timeouts(struct pvstore *h, int reply_ms, int reconnect_ms);

/*
 * A file descriptor for poll()/epoll: readable when a watch event may be
 * ready for pvstore_next_watch_event() (spurious wake-ups are possible).
 * It stays the same across reconnections. Do not read it or close it.
 */
int pvstore_fd(struct pvstore *h);

/* How many times the handle has reconnected (for tests and logs). */
unsigned pvstore_reconnects(struct pvstore *h);

/* ------------------------------------------------------------ the tree */

/* The value (NUL-terminated for convenience; *len excludes the NUL). */
int pvstore_read(struct pvstore *h, pvstore_tx_t tx, const char *path,
		 char **value, size_t *len);
/* Writes len bytes (creating missing parents). */
int pvstore_write(struct pvstore *h, pvstore_tx_t tx, const char *path,
		  const void *value, size_t len);
int pvstore_mkdir(struct pvstore *h, pvstore_tx_t tx, const char *path);
/* Removes a subtree; a missing node whose parent exists is no error. */
int pvstore_rm(struct pvstore *h, pvstore_tx_t tx, const char *path);
/* 0 when the node exists, -ENOENT when not, or another error. */
int pvstore_exists(struct pvstore *h, pvstore_tx_t tx, const char *path);

/*
 * The names of a node's children: *names is a NULL-terminated vector of
 * *n strings in one allocation. Lists too long for one message are
 * fetched with XS_DIRECTORY_PART (outside transactions), restarting if
 * the node changes meanwhile (-EAGAIN after several tries).
 */
int pvstore_directory(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      char ***names, unsigned *n);

/* ---------------------------------------------------------- permissions */

#define PVSTORE_PERM_NONE  0
#define PVSTORE_PERM_READ  1
#define PVSTORE_PERM_WRITE 2
#define PVSTORE_PERM_BOTH  (PVSTORE_PERM_READ | PVSTORE_PERM_WRITE)

/*
 * One entry of a node's permission list. The first entry names the owner
 * (who may always read and write) and what every domain not listed may
 * do; the others grant access to one domain each. Xen's text form is a
 * letter and a domid: "n0" (none), "r1" (read), "w2" (write), "b3" (both).
 */
struct pvstore_perm {
	uint32_t domid;
	uint32_t access; /* PVSTORE_PERM_* */
};

int pvstore_get_perms(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      struct pvstore_perm **perms, unsigned *n);
int pvstore_set_perms(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      const struct pvstore_perm *perms, unsigned n);

/* "b0" -> {0, BOTH}; -EINVAL for anything else (domid up to 65535). */
int pvstore_perm_parse(const char *text, struct pvstore_perm *out);
/* Writes "b0" etc. (at least 8 bytes); returns the length or -EINVAL. */
int pvstore_perm_format(const struct pvstore_perm *p, char *buf, size_t len);

/* -------------------------------------------------------------- watches */

struct pvstore_event {
	char *path;  /* the node that changed */
	char *token; /* the watch's token */
};

/* Registers a watch (it fires once at once, as in Xen). */
int pvstore_watch(struct pvstore *h, const char *path, const char *token);
int pvstore_unwatch(struct pvstore *h, const char *path, const char *token);
/* Drops all of this client's watches (and, in the daemon, transactions). */
int pvstore_reset_watches(struct pvstore *h);
/*
 * The next watch event: waits up to timeout_ms (-1: forever). Returns 0
 * with *ev (free with free()), -EAGAIN when timeout_ms is 0 and none is
 * ready, -ETIMEDOUT when the wait ran out, or a connection error.
 */
int pvstore_next_watch_event(struct pvstore *h, struct pvstore_event **ev,
			     int timeout_ms);

/* --------------------------------------------------------- transactions */

int pvstore_transaction_start(struct pvstore *h, pvstore_tx_t *tx);
/* Commits (or aborts). -EAGAIN: the store changed meanwhile (or the
 * daemon restarted): run the transaction again. */
int pvstore_transaction_end(struct pvstore *h, pvstore_tx_t tx, bool commit);

/* ---------------------------------------------------- domains (dom0 only) */

/* Connects a domain's store ring (its page frame and event channel). */
int pvstore_introduce(struct pvstore *h, uint32_t domid, uint64_t gfn,
		      uint32_t port);
int pvstore_release(struct pvstore *h, uint32_t domid);
int pvstore_resume(struct pvstore *h, uint32_t domid);
int pvstore_set_target(struct pvstore *h, uint32_t domid, uint32_t target);
/* "/local/domain/<domid>" as the daemon says it. */
int pvstore_get_domain_path(struct pvstore *h, uint32_t domid, char **path);
int pvstore_is_domain_introduced(struct pvstore *h, uint32_t domid,
				 bool *introduced);

/* ------------------------------------------- daemon control and quotas */

/* XS_CONTROL: args[0] is the command ("check", "log", "help", ...); the
 * reply (NUL-terminated, *len without it) may be NULL if not wanted. */
int pvstore_control(struct pvstore *h, const char *const *args, unsigned n,
		    char **reply, size_t *len);
/* A quota of a domain, or the global one (domid PVSTORE_GLOBAL). */
int pvstore_get_quota(struct pvstore *h, int domid, const char *name,
		      uint32_t *value);
int pvstore_set_quota(struct pvstore *h, int domid, const char *name,
		      uint32_t value);
/* The names of the quotas the daemon knows, separated by spaces. */
int pvstore_quota_names(struct pvstore *h, char **names);
/* Feature bits of a domain, or of the caller (domid PVSTORE_GLOBAL). */
int pvstore_get_features(struct pvstore *h, int domid, uint32_t *features);
int pvstore_set_features(struct pvstore *h, uint32_t domid, uint32_t features);

/* --------------------------------------------------------------- walks */

/* A node as pvstore_walk() shows it. */
struct pvstore_node {
	const char *path;  /* full path */
	const char *name;  /* its last component ("/" for the root) */
	unsigned depth;	   /* 0 for the node the walk started at */
	const char *value; /* NULL when not read (or unreadable) */
	size_t len;
	int read_err; /* why value is NULL: -EACCES, ...; 0 otherwise */
	const struct pvstore_perm *perms; /* with PVSTORE_WALK_PERMS */
	unsigned nperms;
	char *const *children; /* names (NULL-terminated) */
	unsigned nchildren;
};

#define PVSTORE_WALK_PERMS     (1u << 0) /* fetch permissions */
#define PVSTORE_WALK_NO_VALUES (1u << 1) /* do not read values */

/*
 * Visits `path` and its subtree down to max_depth levels below it (-1:
 * all), depth first, children in the daemon's order: visit(node, false)
 * before a node's children, visit(node, true) after them. Nodes that
 * vanish during the walk are skipped; a missing start node is -ENOENT.
 * A non-zero return from visit stops the walk and is returned.
 */
typedef int (*pvstore_visit_fn)(void *ctx, const struct pvstore_node *node,
				bool leaving);
int pvstore_walk(struct pvstore *h, pvstore_tx_t tx, const char *path,
		 int max_depth, unsigned flags, pvstore_visit_fn visit,
		 void *ctx);

#define PVSTORE_LS_FULL	 (1u << 0) /* the full path, not indented name */
#define PVSTORE_LS_PERMS (1u << 1) /* and the permissions */

/*
 * A node as a line of xenstore-ls: `name = "value"` indented by one space
 * per level below the walk's start (depth 1: none), or the full path;
 * with PVSTORE_LS_PERMS, a dot leader to column 60 (none with the full
 * path) and "  (b0,r2)". Values are escaped (pvstore_escape) and, unlike
 * xenstore-ls's, never truncated; an unreadable one shows as
 * " (unreadable: EACCES)". Returns a malloc()ed line without newline.
 */
char *pvstore_ls_line(const struct pvstore_node *n, unsigned flags);

/* ------------------------------------------------------------- helpers */

/*
 * 0 if `path` is a valid xenstore path: absolute or relative, characters
 * [A-Za-z0-9-/_@], no empty component, no trailing slash (but "/"), at
 * most 3072 bytes absolute or 2048 relative; with `special`, also
 * "@introduceDomain"-style watch names. -EINVAL otherwise.
 */
int pvstore_path_check(const char *path, bool special);

/* The name Xen gives an errno on the wire ("ENOENT"), or NULL. */
const char *pvstore_errno_name(int err);
/* The errno of a wire error name (not NUL-terminated); EIO if unknown. */
int pvstore_errno_from_name(const char *name, size_t len);

/*
 * Escapes a value for display the way xenstore-ls does: printable ASCII
 * as is, backslash as "\\", \t \n \r \a \b \f \v as such, other bytes as
 * three octal digits ("\001"). Returns a malloc()ed string, or NULL.
 */
char *pvstore_escape(const char *value, size_t len);
/*
 * The reverse (and what xenstore-write accepts): \\, \t etc., \ooo,
 * \xHH. Writes at most strlen(text) + 1 bytes into out (which may be
 * text), NUL-terminated; returns the length (the value may contain NUL
 * bytes) or -EINVAL for an unknown or malformed escape.
 */
int pvstore_unescape(const char *text, char *out);

#endif
