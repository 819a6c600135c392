/* Framed control messages over SOCK_SEQPACKET with fd passing. */
#ifndef PVHV_MSG_H
#define PVHV_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <pvctrl/proto.h>

struct pv_msg {
	struct pv_ctl_hdr hdr;
	char *payload; /* NUL-terminated (len + 1 bytes) */
	int fds[PV_CTL_MAX_FDS];
	int nfds;
};

/* Sends one message (payload may contain NULs for console data).
 * Returns 0, -EAGAIN on a full non-blocking socket, or -errno. */
int msg_send(int sock, uint16_t kind, uint32_t id, const void *payload,
	     size_t len, const int *fds, int nfds);
/*
 * Receives one message into m (payload malloc'ed, caller frees with
 * msg_free). Returns 0, -EAGAIN (non-blocking, nothing there), -EPIPE on
 * orderly close, -EPROTO for a malformed packet (bad size, truncated,
 * too many fds: all received fds are closed), or -errno.
 */
int msg_recv(int sock, struct pv_msg *m);
void msg_free(struct pv_msg *m);

#endif
