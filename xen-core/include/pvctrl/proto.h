/*
 * pvhv control protocol, version 1.
 *
 * Transport: a SOCK_SEQPACKET unix socket, $PVHV_RUNDIR/pvhv.sock (mode
 * 0600; only root or the socket's owner may connect, checked again with
 * SO_PEERCRED). Every message is one packet: a 16-byte header and up to
 * PV_CTL_MAX_PAYLOAD bytes of payload. File descriptors travel with a
 * message as SCM_RIGHTS (kernel/ramdisk images on create; memory and event
 * fds for dom0 access).
 *
 * Payloads: requests, replies and events are JSON objects; console data is
 * raw bytes. A request carries an id the reply echoes. Replies are
 * {"ok": true, ...} or {"ok": false, "errno": N, "error": "text"}.
 * A header with another magic or version gets an error reply naming the
 * version the server speaks, then the connection is closed.
 */
#ifndef PVCTRL_PROTO_H
#define PVCTRL_PROTO_H

#include <stdint.h>

#define PV_CTL_MAGIC	   0x54435650u /* "PVCT" little-endian */
#define PV_CTL_VERSION	   1
#define PV_CTL_MAX_PACKET  65536
#define PV_CTL_MAX_PAYLOAD (PV_CTL_MAX_PACKET - 16)
#define PV_CTL_MAX_FDS	   4
#define PV_CTL_SOCKET	   "pvhv.sock"

/* Message kinds. */
#define PV_CTL_REQUEST 1 /* client -> pvhv, JSON */
#define PV_CTL_REPLY   2 /* pvhv -> client, JSON, id = request id */
#define PV_CTL_EVENT   3 /* pvhv -> client, JSON, unsolicited */
#define PV_CTL_CONSOLE 4 /* pvhv -> client, raw bytes, id = domid */

struct pv_ctl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t kind;
	uint32_t id;
	uint32_t len; /* payload bytes */
};
_Static_assert(sizeof(struct pv_ctl_hdr) == 16, "pv_ctl_hdr");

#endif
