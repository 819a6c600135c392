/*
 * libpvstore's pure protocol layer: building requests and taking replies
 * apart, with every length checked. No I/O; used by the library and the
 * unit tests, and by programs that speak the protocol themselves.
 */
#ifndef PVSTORE_WIRE_H
#define PVSTORE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <pvabi/io/xs_wire.h>
#include <pvstore/pvstore.h>

/* One request: the header and its payload, contiguous (one write). */
struct pvstore_req {
	struct xsd_sockmsg hdr;
	char payload[XENSTORE_PAYLOAD_MAX];
	int err; /* first error while building (-E2BIG), sticky */
};

void pvstore_req_init(struct pvstore_req *r, uint32_t type, uint32_t tx_id);
/* Appends a string and its NUL. */
int pvstore_req_str(struct pvstore_req *r, const char *s);
/* Appends bytes as they are (a WRITE's value). */
int pvstore_req_raw(struct pvstore_req *r, const void *p, size_t n);
/* Appends a number in decimal and its NUL. */
int pvstore_req_num(struct pvstore_req *r, uint64_t v);
/* Bytes to send (header included). */
size_t pvstore_req_size(const struct pvstore_req *r);

/*
 * Checks a received header: -EPROTO if the payload is longer than
 * XENSTORE_PAYLOAD_MAX (the stream cannot be trusted after that).
 */
int pvstore_hdr_check(const struct xsd_sockmsg *hdr);
/* 0 for a normal reply, the -errno an XS_ERROR reply carries, or -EPROTO
 * when the reply's type is neither the request's nor XS_ERROR. */
int pvstore_reply_status(const struct xsd_sockmsg *hdr, const char *payload,
			 uint32_t want_type);

/*
 * NUL-separated strings -> a NULL-terminated vector in one allocation.
 * A last string without its NUL is accepted. -ENOMEM only.
 */
int pvstore_split(const char *p, size_t len, char ***vec, unsigned *n);

/*
 * A DIRECTORY_PART reply: "<gen>\0" then children "a\0b\0", with one more
 * NUL after the last chunk. *names and *names_len: the children's bytes of
 * this chunk (each with its NUL); *end: this was the last chunk.
 * -EPROTO if the generation is missing or not terminated.
 */
int pvstore_dirpart_parse(const char *p, size_t len, const char **gen,
			  const char **names, size_t *names_len, int *end);

/* A decimal number up to max, the whole of [s, s+len) (a trailing NUL
 * allowed). -EPROTO otherwise. */
int pvstore_parse_num(const char *s, size_t len, uint64_t max, uint64_t *out);

/* An XS_WATCH_EVENT payload -> an event in one allocation. */
int pvstore_event_parse(const char *p, size_t len, struct pvstore_event **ev);

/* A GET_PERMS reply -> perms (one allocation). -EPROTO on a bad entry. */
int pvstore_perms_parse_list(const char *p, size_t len,
			     struct pvstore_perm **perms, unsigned *n);

#endif
