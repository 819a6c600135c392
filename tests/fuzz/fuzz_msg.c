// fuzz-sources: xen-core/util/msg.c xen-core/util/json.c
// fuzz-libs: -lyajl
/*
 * libFuzzer target for the control protocol's untrusted input: packets
 * fed to msg_recv() through a real SOCK_SEQPACKET pair (with fds attached,
 * oversized, truncated, with lying headers), and their payloads, or the
 * raw input, parsed with json_parse_object() and read with the typed
 * helpers. A packet must be accepted exactly when it is well formed, its
 * payload must come back intact, and no fd may stay open after a
 * rejected packet or msg_free().
 *
 * Input, first byte odd: JSON text. Even: packets, each as
 *   flags (bits 0-3: fds to attach, bit 4: pad past the packet limit,
 *   bit 5: send with msg_send), length (2 bytes LE), bytes.
 * tests/fuzz/run.sh builds and runs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pvhv/json.h>
#include <pvhv/msg.h>
#include <pvhv/types.h>

#define MAX_ATTACH 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sp[2] = {-1, -1}, spare[2];

/* Aborts (a finding) naming the line of the failed check. */
#define check(cond) check_at((cond), __LINE__)

static void check_at(bool cond, int line)
{
	if (!cond) {
		fprintf(stderr, "%s:%d: check failed\n", __FILE__, line);
		abort();
	}
}

static int lowest_fd(void)
{
	int fd = dup(spare[0]);

	check(fd >= 0);
	close(fd);
	return fd;
}

static void setup(void)
{
	check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == 0);
	check(fcntl(sp[1], F_SETFL, O_NONBLOCK) == 0);
	check(pipe(spare) == 0);
}

static void use_json(const char *text, size_t errlen)
{
	static const char *const keys[] = {"op", "domid", "name", "ok", ""};
	char err[64];
	yajl_val v;

	memset(err, 'x', sizeof(err));
	v = json_parse_object(text, errlen ? err : NULL, errlen);
	if (!v) {
		check(!errlen || memchr(err, 0, errlen) != NULL);
		return;
	}
	check(YAJL_IS_OBJECT(v));
	for (size_t i = 0; i < v->u.object.len + ARRAY_SIZE(keys); i++) {
		const char *k = i < v->u.object.len ? v->u.object.keys[i]
						    : keys[i - v->u.object.len];
		const char *s = json_str(v, k);
		uint64_t u;
		bool b;
		int rc = json_u64(v, k, &u);

		check(rc == 0 || rc == -ENOENT || rc == -EINVAL);
		check(!s || json_get(v, k) != NULL);
		rc = json_bool(v, k, &b);
		check(rc == 0 || rc == -ENOENT || rc == -EINVAL);
		check(i >= v->u.object.len || json_get(v, k) != NULL);
	}
	yajl_tree_free(v);
}

static int send_raw(const uint8_t *buf, size_t len, int nfds)
{
	int fds[MAX_ATTACH];
	struct iovec iov = {(void *)buf, len};
	union {
		char b[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} c;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	for (int i = 0; i < nfds; i++)
		fds[i] = spare[i % 2];
	if (nfds) {
		struct cmsghdr *cm;

		memset(&c, 0, sizeof(c));
		mh.msg_control = c.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(sp[0], &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* One packet through the socket pair, and what msg_recv makes of it. */
static void one_packet(uint8_t flags, const uint8_t *body, size_t len)
{
	static uint8_t pkt[PV_CTL_MAX_PACKET + 1];
	int nfds = MIN(flags & 15, MAX_ATTACH);
	struct pv_ctl_hdr h;
	struct pv_msg m;
	bool valid;
	int rc;

	if (flags & 32) {
		/* The well-formed way: msg_send frames it. */
		len = MIN(len, PV_CTL_MAX_PAYLOAD);
		nfds = MIN(nfds, 2);
		h = (struct pv_ctl_hdr){PV_CTL_MAGIC, PV_CTL_VERSION,
					PV_CTL_REQUEST, (uint32_t)len,
					(uint32_t)len};
		check(msg_send(sp[0], h.kind, h.id, body, len, spare, nfds) ==
		      0);
		memcpy(pkt, &h, sizeof(h));
		memcpy(pkt + sizeof(h), body, len);
		len += sizeof(h);
	} else {
		memcpy(pkt, body, len);
		if (flags & 16) {
			memset(pkt + len, 0, sizeof(pkt) - len);
			len = sizeof(pkt);
		}
		if (send_raw(pkt, len, nfds) < 0)
			return;
	}
	memcpy(&h, pkt, MIN(len, sizeof(h)));
	valid = len >= sizeof(h) && len <= PV_CTL_MAX_PACKET &&
		h.len == len - sizeof(h) && nfds <= PV_CTL_MAX_FDS;

	rc = msg_recv(sp[1], &m);
	if (len == 0 && nfds == 0) {
		check(rc == -EPIPE); /* an empty packet reads as a close */
		return;
	}
	if (!valid) {
		check(rc == -EPROTO && m.nfds == 0 && !m.payload);
		return;
	}
	check(rc == 0);
	check(!memcmp(&m.hdr, &h, sizeof(h)));
	check(!memcmp(m.payload, pkt + sizeof(h), h.len));
	check(m.payload[h.len] == 0);
	check(m.nfds == nfds);
	for (int i = 0; i < m.nfds; i++)
		check(fcntl(m.fds[i], F_GETFD) == FD_CLOEXEC);
	use_json(m.payload, h.len % 40);
	msg_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int lowest;

	if (sp[0] < 0)
		setup();
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		char *text = malloc(size);

		check(text != NULL);
		memcpy(text, data + 1, size - 1);
		text[size - 1] = 0;
		use_json(text, size > 1 ? data[1] % 64 : 0);
		free(text);
		return 0;
	}
	/* A leaked fd would take the lowest free number. */
	lowest = lowest_fd();
	for (size_t i = 1; i + 3 <= size;) {
		uint8_t flags = data[i];
		size_t len = data[i + 1] | (size_t)data[i + 2] << 8;

		i += 3;
		len = MIN(len, size - i);
		one_packet(flags, data + i, len);
		i += len;
	}
	check(lowest_fd() == lowest);
	return 0;
}
