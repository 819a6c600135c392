/*
 * pvmini's xenbus client: the xenstore wire protocol over the store ring
 * (HVM_PARAM_STORE_PFN) and its event channel (HVM_PARAM_STORE_EVTCHN).
 * One request at a time; watch events that arrive meanwhile are queued.
 * Errors are -XEN_E* values (the daemon's error names translated).
 */
#ifndef PVMINI_XENBUS_H
#define PVMINI_XENBUS_H

#include <stddef.h>
#include <stdint.h>

#include <pvabi/io/xs_wire.h>

#define XBT_NIL 0u

int xenbus_init(void);
/* Any request: payload in, reply payload out (NUL added); returns the
 * reply length or -XEN_E*. */
int xenbus_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
		   char *reply, size_t rlen);

int xenbus_read(uint32_t tx, const char *path, char *buf, size_t len);
int xenbus_write(uint32_t tx, const char *path, const char *value);
int xenbus_write_bytes(uint32_t tx, const char *path, const void *value,
		       size_t vlen);
int xenbus_mkdir(uint32_t tx, const char *path);
int xenbus_rm(uint32_t tx, const char *path);
/* Children as NUL-separated names; returns the bytes used. */
int xenbus_directory(uint32_t tx, const char *path, char *buf, size_t len);
int xenbus_get_perms(uint32_t tx, const char *path, char *buf, size_t len);
/* perms: NUL-separated ("n5\0r0\0"), plen bytes. */
int xenbus_set_perms(uint32_t tx, const char *path, const char *perms,
		     size_t plen);
int xenbus_watch(const char *path, const char *token);
int xenbus_unwatch(const char *path, const char *token);
int xenbus_transaction_start(uint32_t *tx);
int xenbus_transaction_end(uint32_t tx, int abort);
/* Next watch event (path, token), waiting up to timeout_ns. */
int xenbus_wait_event(char *path, size_t plen, char *token, size_t tlen,
		      uint64_t timeout_ns);
/* Drops queued watch events. */
void xenbus_flush_events(void);
/* Is a reply string in the buffer equal to s? (reply includes its NUL.) */
int xenbus_is(const char *reply, int len, const char *s);

/* Statistics for tests. */
extern unsigned long xenbus_requests, xenbus_stray_replies;

#endif
