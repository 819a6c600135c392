/* libpvctrl: connecting, autostart, request/reply, events. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvctrl/pvctrl.h>
#include <pvhv/json.h>
#include <pvhv/msg.h>

struct queued {
	struct pvctrl_msg m;
	struct queued *next;
};

struct pvctrl {
	int fd;
	uint32_t next_id;
	struct queued *head, *tail;
};

const char *pvctrl_default_rundir(void)
{
	const char *d = getenv("PVHV_RUNDIR");

	return d && d[0] ? d : "/run/pvhv";
}

static int try_connect(const char *rundir, int *fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir,
			     PV_CTL_SOCKET) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

/* $PVHV_BIN if set, else pvhv next to this program, else "pvhv" (PATH). */
static void find_pvhv(char *path, size_t len)
{
	const char *env = getenv("PVHV_BIN");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (env && env[0]) {
		snprintf(path, len, "%s", env);
		return;
	}
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + 6 <= len) {
			memcpy(path, self, (size_t)(slash - self) + 1);
			memcpy(path + (slash - self) + 1, "pvhv", 5);
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, len, "pvhv");
}

/* Starts pvhv and waits until it says it is serving. */
static int start_pvhv(const char *rundir, char *err, size_t errlen)
{
	char bin[PATH_MAX], fdarg[16], ok = 0;
	struct pollfd p;
	int pipefd[2], status;
	pid_t pid;

	find_pvhv(bin, sizeof(bin));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(pipefd[1], 3);
		snprintf(fdarg, sizeof(fdarg), "%d", 3);
		execlp(bin, bin, "--rundir", rundir, "--ready-fd", fdarg,
		       (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	p = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
	if (poll(&p, 1, 15000) == 1 && read(pipefd[0], &ok, 1) != 1)
		ok = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0); /* pvhv forks to detach; reap the parent */
	if (ok != 'R') {
		snprintf(err, errlen,
			 "could not start %s in %s (see its messages above, "
			 "or %s/pvhv.log)",
			 bin, rundir, rundir);
		return -EIO;
	}
	return 0;
}

int pvctrl_open(const char *rundir, bool autostart, struct pvctrl **out,
		char *err, size_t errlen)
{
	struct pvctrl *c;
	int fd = -1, rc;

	if (!rundir)
		rundir = pvctrl_default_rundir();
	rc = try_connect(rundir, &fd);
	if (rc < 0 && autostart && (rc == -ENOENT || rc == -ECONNREFUSED)) {
		int rc2 = start_pvhv(rundir, err, errlen);

		/* Another pvctl may have started one at the same time. */
		for (int i = 0; i < 50; i++) {
			rc = try_connect(rundir, &fd);
			if (rc == 0 || rc2 == 0)
				break;
			usleep(20000);
		}
		if (rc < 0 && rc2 < 0)
			return rc2;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot connect to pvhv in %s: %s%s",
			 rundir, strerror(-rc),
			 rc == -EACCES ? " (run as root?)" : "");
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->next_id = 1;
	*out = c;
	return 0;
}

int pvctrl_fd(struct pvctrl *c)
{
	return c->fd;
}

void pvctrl_msg_free(struct pvctrl_msg *m)
{
	free(m->data);
	if (m->json)
		yajl_tree_free(m->json);
	memset(m, 0, sizeof(*m));
}

void pvctrl_close(struct pvctrl *c)
{
	if (!c)
		return;
	while (c->head) {
		struct queued *q = c->head;

		c->head = q->next;
		pvctrl_msg_free(&q->m);
		free(q);
	}
	close(c->fd);
	free(c);
}

/* Turns a received message into a pvctrl_msg (takes its payload). */
static void to_msg(struct pv_msg *in, struct pvctrl_msg *m)
{
	char e[64];

	m->kind = in->hdr.kind;
	m->id = in->hdr.id;
	m->data = in->payload;
	m->len = in->hdr.len;
	m->json = in->hdr.kind == PV_CTL_CONSOLE
		      ? NULL
		      : json_parse_object(in->payload, e, sizeof(e));
	in->payload = NULL;
}

static void enqueue(struct pvctrl *c, struct pv_msg *in)
{
	struct queued *q = calloc(1, sizeof(*q));

	if (!q)
		return;
	to_msg(in, &q->m);
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
}

static int reply_result(yajl_val r, char *err, size_t errlen)
{
	yajl_val ok = json_get(r, "ok");
	uint64_t e = EIO;
	const char *msg;

	if (ok && YAJL_IS_TRUE(ok))
		return 0;
	json_u64(r, "errno", &e);
	msg = json_str(r, "error");
	snprintf(err, errlen, "%s", msg ? msg : strerror((int)e));
	return -(int)(e ? e : EIO);
}

int pvctrl_call(struct pvctrl *c, const char *json, const int *fds, int nfds,
		yajl_val *reply, char *err, size_t errlen)
{
	return pvctrl_call_fds(c, json, fds, nfds, reply, NULL, NULL, err,
			       errlen);
}

int pvctrl_call_fds(struct pvctrl *c, const char *json, const int *fds,
		    int nfds, yajl_val *reply, int *rfds, int *rnfds, char *err,
		    size_t errlen)
{
	uint32_t id = c->next_id++;
	int rc =
	    msg_send(c->fd, PV_CTL_REQUEST, id, json, strlen(json), fds, nfds);

	if (rc < 0) {
		snprintf(err, errlen, "pvhv: %s", strerror(-rc));
		return rc;
	}
	for (;;) {
		struct pv_msg m;

		rc = msg_recv(c->fd, &m);
		if (rc < 0) {
			snprintf(err, errlen, "pvhv: %s",
				 rc == -EPIPE ? "connection closed"
					      : strerror(-rc));
			return rc;
		}
		if (m.hdr.kind != PV_CTL_REPLY || m.hdr.id != id) {
			enqueue(c, &m);
			msg_free(&m);
			continue;
		}
		*reply = json_parse_object(m.payload, err, errlen);
		if (rfds && *reply) {
			*rnfds = m.nfds;
			for (int i = 0; i < m.nfds; i++) {
				rfds[i] = m.fds[i];
				m.fds[i] = -1; /* the caller owns them now */
			}
		}
		msg_free(&m);
		if (!*reply)
			return -EPROTO;
		rc = reply_result(*reply, err, errlen);
		if (rc < 0) {
			yajl_tree_free(*reply);
			*reply = NULL;
		}
		return rc;
	}
}

int pvctrl_next(struct pvctrl *c, struct pvctrl_msg *out, int timeout_ms)
{
	struct pv_msg m;
	int rc;

	if (c->head) {
		struct queued *q = c->head;

		c->head = q->next;
		if (!c->head)
			c->tail = NULL;
		*out = q->m;
		free(q);
		return 0;
	}
	if (timeout_ms >= 0) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};

		rc = poll(&p, 1, timeout_ms);
		if (rc == 0)
			return -ETIMEDOUT;
		if (rc < 0)
			return -errno;
	}
	rc = msg_recv(c->fd, &m);
	if (rc < 0)
		return rc;
	to_msg(&m, out);
	msg_free(&m);
	return 0;
}
