/* Control-message framing (see msg.h and pvctrl/proto.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pvhv/msg.h>

int msg_send(int sock, uint16_t kind, uint32_t id, const void *payload,
	     size_t len, const int *fds, int nfds)
{
	struct pv_ctl_hdr h = {PV_CTL_MAGIC, PV_CTL_VERSION, kind, id,
			       (uint32_t)len};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)payload, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * PV_CTL_MAX_FDS)];
		struct cmsghdr align;
	} c;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};

	if (len > PV_CTL_MAX_PAYLOAD || nfds < 0 || nfds > PV_CTL_MAX_FDS)
		return -EMSGSIZE;
	if (nfds) {
		struct cmsghdr *cm;

		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);

		if (n >= 0)
			return (size_t)n == sizeof(h) + len ? 0 : -EPROTO;
		if (errno == EINTR)
			continue;
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
}

/* Handlers take an fd by setting its slot to -1. */
static void close_fds(const int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Collects SCM_RIGHTS fds; returns -EPROTO if there were too many. */
static int take_fds(struct msghdr *mh, struct pv_msg *m)
{
	int rc = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			       sizeof(fd));
			if (m->nfds < PV_CTL_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else {
				close(fd);
				rc = -EPROTO;
			}
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		rc = -EPROTO;
	return rc;
}

int msg_recv(int sock, struct pv_msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PV_CTL_MAX_FDS)];
		struct cmsghdr align;
	} c;
	char *buf = malloc(PV_CTL_MAX_PACKET + 1);
	struct iovec iov = {buf, PV_CTL_MAX_PACKET};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = c.buf,
			    .msg_controllen = sizeof(c.buf)};
	ssize_t n;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!buf)
		return -ENOMEM;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		free(buf);
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	}
	rc = take_fds(&mh, m);
	/* 0 bytes: the peer closed, or sent an empty packet (the same to
	 * recvmsg); with fds (or truncated ones) it was a packet. */
	if (n == 0 && rc == 0 && m->nfds == 0) {
		free(buf);
		return -EPIPE;
	}
	if (rc == 0 &&
	    ((size_t)n < sizeof(m->hdr) || (mh.msg_flags & MSG_TRUNC)))
		rc = -EPROTO;
	if (rc == 0) {
		memcpy(&m->hdr, buf, sizeof(m->hdr));
		if (m->hdr.len != (size_t)n - sizeof(m->hdr))
			rc = -EPROTO;
	}
	if (rc) {
		close_fds(m->fds, m->nfds);
		m->nfds = 0;
		free(buf);
		return rc;
	}
	memmove(buf, buf + sizeof(m->hdr), m->hdr.len);
	buf[m->hdr.len] = 0;
	m->payload = buf;
	return 0;
}

void msg_free(struct pv_msg *m)
{
	close_fds(m->fds, m->nfds);
	m->nfds = 0;
	free(m->payload);
	m->payload = NULL;
}
