/*
 * Xenstore wire protocol: the messages between a client (guest kernel or
 * dom0 tool) and the store daemon, and the shared ring page a guest uses.
 * Mirrors Xen's public/io/xs_wire.h; message types are constants instead
 * of Xen's enum xsd_sockmsg_type.
 *
 * Every message is a struct xsd_sockmsg header followed by len bytes,
 * usually NUL-terminated strings. A reply echoes type, req_id and tx_id,
 * or has type XS_ERROR with an error name ("EINVAL") as its payload.
 */
#ifndef PVABI_IO_XS_WIRE_H
#define PVABI_IO_XS_WIRE_H

#include <stdint.h>

/* Message types. Those marked dom0 are for privileged clients only. */
#define XS_CONTROL		0 /* dom0: daemon control commands */
#define XS_DEBUG		XS_CONTROL
#define XS_DIRECTORY		1  /* list children of a node */
#define XS_READ			2  /* read a node */
#define XS_GET_PERMS		3  /* read a node's permissions */
#define XS_WATCH		4  /* watch a path, with a token */
#define XS_UNWATCH		5  /* drop a watch */
#define XS_TRANSACTION_START	6  /* returns a transaction id */
#define XS_TRANSACTION_END	7  /* "T" commits, "F" aborts */
#define XS_INTRODUCE		8  /* dom0: connect a domain's ring */
#define XS_RELEASE		9  /* dom0: forget a domain */
#define XS_GET_DOMAIN_PATH	10 /* "/local/domain/<id>" */
#define XS_WRITE		11 /* write a node */
#define XS_MKDIR		12 /* create a node */
#define XS_RM			13 /* remove a subtree */
#define XS_SET_PERMS		14 /* set a node's permissions */
#define XS_WATCH_EVENT		15 /* daemon -> client: a watch fired */
#define XS_ERROR		16 /* daemon -> client: request failed */
#define XS_IS_DOMAIN_INTRODUCED 17 /* dom0: is a domain connected? */
#define XS_RESUME		18 /* dom0: domain resumed, clear shutdown */
#define XS_SET_TARGET		19 /* dom0: let a domain act for another */
/* 20 was XS_RESTRICT, removed. */
#define XS_RESET_WATCHES  21 /* drop all of the client's watches */
#define XS_DIRECTORY_PART 22 /* list children from an offset */
/*
 * 23..26 were added to Xen's header after 4.17, by commit "xen/public: add
 * missing Xenstore commands to xs_wire.h" (J. Gross, March 2025); they are
 * specified in Xen's docs/misc/xenstore.txt. All four are dom0-only.
 */
#define XS_GET_FEATURE 23 /* read server/domain feature bits */
#define XS_SET_FEATURE 24 /* set a domain's feature bits */
#define XS_GET_QUOTA   25 /* read global or per-domain quota */
#define XS_SET_QUOTA   26 /* set global or per-domain quota */

#define XS_TYPE_COUNT 27     /* number of types, including removed 20 */
#define XS_INVALID    0xffff /* never a valid type */

/* Write modes of the old XS_WRITE protocol. */
#define XS_WRITE_NONE	     "NONE"
#define XS_WRITE_CREATE	     "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as their errno names. PV_XSD_ERROR_LIST(X) (a pvhv
 * addition) applies X to each name in Xen's order; new names are only
 * ever appended.
 */
#define PV_XSD_ERROR_LIST(X)                                                   \
	X(EINVAL)                                                              \
	X(EACCES)                                                              \
	X(EEXIST)                                                              \
	X(EISDIR)                                                              \
	X(ENOENT)                                                              \
	X(ENOMEM)                                                              \
	X(ENOSPC)                                                              \
	X(EIO)                                                                 \
	X(ENOTEMPTY)                                                           \
	X(ENOSYS)                                                              \
	X(EROFS)                                                               \
	X(EBUSY)                                                               \
	X(EAGAIN)                                                              \
	X(EISCONN)                                                             \
	X(E2BIG)                                                               \
	X(EPERM)

/* Host-side lookup table (not shared memory, so it may hold a pointer). */
struct xsd_errors {
	int32_t errnum;
	uint32_t _pad0;
	const char *errstring;
};
_Static_assert(sizeof(struct xsd_errors) == 16, "xsd_errors");

/* As in Xen, the table exists only where <errno.h> was included first. */
#ifdef EINVAL
#define XSD_ERROR(x)                                                           \
	{                                                                      \
		.errnum = x, .errstring = #x                                   \
	}
/* Stringifies here: going through XSD_ERROR would expand the name first. */
#define PV_XSD_ERROR_ITEM(x) {.errnum = x, .errstring = #x},
static const struct xsd_errors xsd_errors[]
    __attribute__((unused)) = {PV_XSD_ERROR_LIST(PV_XSD_ERROR_ITEM)};
#undef PV_XSD_ERROR_ITEM
#endif

struct xsd_sockmsg {
	uint32_t type;	 /* XS_* */
	uint32_t req_id; /* chosen by the client, echoed in the reply */
	uint32_t tx_id;	 /* transaction, 0 for none */
	uint32_t len;	 /* payload bytes that follow */
};
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg");

/* Strings of an XS_WATCH_EVENT payload. */
#define XS_WATCH_PATH  0
#define XS_WATCH_TOKEN 1

/*
 * The ring page shared by a guest and the store daemon: one ring each way,
 * free-running indexes (mask with MASK_XENSTORE_IDX). A producer writes
 * data before its prod index; a consumer reads prod, checks it, then data.
 */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* guest -> daemon */
	char rsp[XENSTORE_RING_SIZE]; /* daemon -> guest (replies, events) */
	XENSTORE_RING_IDX req_cons;
	XENSTORE_RING_IDX req_prod;
	XENSTORE_RING_IDX rsp_cons;
	XENSTORE_RING_IDX rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_*, by daemon */
	uint32_t connection;	  /* XENSTORE_CONNECTED / _RECONNECT */
	uint32_t error;		  /* XENSTORE_ERROR_*, by daemon */
};
_Static_assert(sizeof(struct xenstore_domain_interface) == 2076,
	       "xenstore_domain_interface");

/* Largest payload of one message. */
#define XENSTORE_PAYLOAD_MAX 4096

/* Longest absolute and relative paths. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1 /* connection field works */
#define XENSTORE_SERVER_FEATURE_ERROR	     2 /* error field works */

#define XENSTORE_CONNECTED 0 /* normal operation */
#define XENSTORE_RECONNECT 1 /* guest asked to reset the ring */

#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1 /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2 /* bad ring index */
#define XENSTORE_ERROR_PROTO   3 /* protocol violation (e.g. too long) */

#endif
