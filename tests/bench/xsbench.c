/*
 * xsbench: xenstore operations per second and latency over the unix
 * socket, through libpvstore, against whichever daemon serves SOCKET
 * (pvstored or Debian's C xenstored: the same client for both).
 *
 *   xsbench [-n N] [-i IDLE] [-k KEY] SOCKET
 *   xsbench -F [-n N] [-k KEY]
 *
 * Opens IDLE extra connections to the daemon and holds them (connected,
 * silent) for the whole run, sets up /bench (a 16-byte value and a node
 * with 16 children), warms up, then times N operations of each kind,
 * one after another on one connection, each with CLOCK_MONOTONIC:
 *
 *   read         XS_READ of /bench/key
 *   write        XS_WRITE of 16 bytes to /bench/w
 *   directory    XS_DIRECTORY of /bench/dir (16 children)
 *   transaction  TRANSACTION_START, READ, WRITE, TRANSACTION_END (commit):
 *                four round trips (EAGAIN would retry; counted)
 *
 * -F measures the floor instead: the same client against the smallest
 * possible daemon, forked here - one epoll loop that answers every
 * request with a canned reply of the right shape (the value, 16 names,
 * a transaction id, "OK") without looking at it. What remains is
 * libpvstore and the kernel's unix-socket round trip between two
 * processes.
 *
 * Output, per operation OP (key=value):
 *   KEY_OP_ops_per_s  N / total time
 *   KEY_OP_p50_ns     median latency of one operation
 *   KEY_OP_p99_ns     99th percentile
 * and KEY_tx_retries. Exit status 1 if any operation fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pvabi/io/xs_wire.h>
#include <pvstore/pvstore.h>

#define MAX_IDLE 4096

static const char value16[] = "0123456789abcdef";
static unsigned tx_retries;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int op_read(struct pvstore *h)
{
	char *v;
	size_t len;
	int rc = pvstore_read(h, PVSTORE_NO_TX, "/bench/key", &v, &len);

	if (rc == 0)
		free(v);
	return rc;
}

static int op_write(struct pvstore *h)
{
	return pvstore_write(h, PVSTORE_NO_TX, "/bench/w", value16, 16);
}

static int op_directory(struct pvstore *h)
{
	char **names;
	unsigned n;
	int rc = pvstore_directory(h, PVSTORE_NO_TX, "/bench/dir", &names, &n);

	if (rc == 0)
		free(names);
	return rc == 0 && n != 16 ? -EPROTO : rc;
}

static int op_transaction(struct pvstore *h)
{
	for (int tries = 0; tries < 100; tries++) {
		pvstore_tx_t tx;
		char *v;
		size_t len;
		int rc = pvstore_transaction_start(h, &tx);

		if (rc < 0)
			return rc;
		rc = pvstore_read(h, tx, "/bench/key", &v, &len);
		if (rc == 0) {
			free(v);
			rc = pvstore_write(h, tx, "/bench/t", value16, 16);
		}
		if (rc < 0) {
			pvstore_transaction_end(h, tx, false);
			return rc;
		}
		rc = pvstore_transaction_end(h, tx, true);
		if (rc != -EAGAIN)
			return rc;
		tx_retries++;
	}
	return -EAGAIN;
}

static const struct {
	const char *name;
	int (*fn)(struct pvstore *h);
} ops[] = {
    {"read", op_read},
    {"write", op_write},
    {"directory", op_directory},
    {"transaction", op_transaction},
};

static int setup(struct pvstore *h)
{
	char path[64];
	int rc = pvstore_write(h, PVSTORE_NO_TX, "/bench/key", value16, 16);

	for (int i = 0; rc == 0 && i < 16; i++) {
		snprintf(path, sizeof(path), "/bench/dir/child-%02d", i);
		rc = pvstore_write(h, PVSTORE_NO_TX, path, "x", 1);
	}
	return rc;
}

/* ------------------------------------------------------------ the floor */

static int read_full(int fd, void *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* One request in, its canned reply out; -1 when the client left. */
static int floor_answer(int fd)
{
	static const char names[] =
	    "child-00\0child-01\0child-02\0child-03\0child-04\0child-05\0"
	    "child-06\0child-07\0child-08\0child-09\0child-10\0child-11\0"
	    "child-12\0child-13\0child-14\0child-15";
	struct {
		struct xsd_sockmsg h;
		char p[XENSTORE_PAYLOAD_MAX];
	} m;
	const char *reply = "OK";
	size_t len = 3;

	if (read_full(fd, &m.h, sizeof(m.h)) < 0 ||
	    m.h.len > XENSTORE_PAYLOAD_MAX || read_full(fd, m.p, m.h.len) < 0)
		return -1;
	if (m.h.type == XS_READ) {
		reply = value16;
		len = 16;
	} else if (m.h.type == XS_DIRECTORY) {
		reply = names;
		len = sizeof(names);
	} else if (m.h.type == XS_TRANSACTION_START) {
		reply = "1";
		len = 2;
	}
	m.h.len = (uint32_t)len;
	memcpy(m.p, reply, len);
	return write(fd, &m, sizeof(m.h) + len) < 0 ? -1 : 0;
}

static void floor_server(int lsock)
{
	int ep = epoll_create1(0);
	struct epoll_event e = {.events = EPOLLIN, .data.fd = lsock};

	epoll_ctl(ep, EPOLL_CTL_ADD, lsock, &e);
	for (;;) {
		if (epoll_wait(ep, &e, 1, -1) != 1)
			continue;
		if (e.data.fd == lsock) {
			int c = accept(lsock, NULL, NULL);
			struct epoll_event ce = {.events = EPOLLIN,
						 .data.fd = c};

			if (c >= 0)
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
		} else if (floor_answer(e.data.fd) < 0) {
			close(e.data.fd);
		}
	}
}

/* Starts the floor daemon on a fresh socket (path into buf). */
static pid_t start_floor(char *buf, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/xsbench-XXXXXX";
	int s;
	pid_t pid;

	if (!mkdtemp(dir))
		return -1;
	snprintf(buf, len, "%s/socket", dir);
	memcpy(sa.sun_path, buf, strlen(buf) + 1); /* ~30 bytes */
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s, 64) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		floor_server(s);
	close(s);
	return pid;
}

static void stop_floor(pid_t pid, const char *path)
{
	char dir[128];

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
}

/* IDLE connections that say nothing; -1 on failure. */
static int open_idle(const char *path, int *fds, int n)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur =
		    (rlim_t)n + 64 < rl.rlim_max ? (rlim_t)n + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (int i = 0; i < n; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 ||
		    connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "xsbench: idle connection %d: %s\n", i,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int run_op(struct pvstore *h, int k, long n, uint64_t *lat,
		  const char *key)
{
	uint64_t start = now_ns(), total;

	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int rc = ops[k].fn(h);

		lat[i] = now_ns() - t0;
		if (rc < 0) {
			fprintf(stderr, "xsbench: %s: %s\n", ops[k].name,
				strerror(-rc));
			return -1;
		}
	}
	total = now_ns() - start;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("%s_%s_ops_per_s=%.0f\n", key, ops[k].name,
	       (double)n * 1e9 / (double)total);
	printf("%s_%s_p50_ns=%llu\n", key, ops[k].name,
	       (unsigned long long)lat[n / 2]);
	printf("%s_%s_p99_ns=%llu\n", key, ops[k].name,
	       (unsigned long long)lat[n * 99 / 100]);
	return 0;
}

struct args {
	const char *key, *sock;
	bool floor;
	long n, idle;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int opt;

	*a = (struct args){.key = "xs", .n = 5000};
	while ((opt = getopt(argc, argv, "Fn:i:k:")) != -1) {
		if (opt == 'F')
			a->floor = true;
		else if (opt == 'n')
			a->n = strtol(optarg, NULL, 10);
		else if (opt == 'i')
			a->idle = strtol(optarg, NULL, 10);
		else if (opt == 'k')
			a->key = optarg;
		else
			return -1;
	}
	if (optind != argc - (a->floor ? 0 : 1) || a->n < 10 || a->idle < 0 ||
	    a->idle > MAX_IDLE) {
		fprintf(stderr,
			"usage: xsbench [-n N>=10] [-i IDLE<=%d] [-k KEY] "
			"SOCKET | -F\n",
			MAX_IDLE);
		return -1;
	}
	a->sock = a->floor ? NULL : argv[optind];
	return 0;
}

/* Every operation, warmed up, then timed. */
static int run_all(struct pvstore *h, const struct args *a, uint64_t *lat)
{
	int rc = setup(h);

	if (rc < 0) {
		fprintf(stderr, "xsbench: cannot set up /bench\n");
		return rc;
	}
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]) && rc == 0; k++) {
		for (long i = 0; i < a->n / 10 && rc == 0; i++) /* warm-up */
			rc = ops[k].fn(h);
		if (rc == 0)
			rc = run_op(h, (int)k, a->n, lat, a->key);
	}
	printf("%s_tx_retries=%u\n", a->key, tx_retries);
	printf("%s_idle=%ld\n", a->key, a->idle);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a;
	char floor_path[128], err[256];
	pid_t floor_pid = -1;
	struct pvstore *h;
	uint64_t *lat;
	int *fds, rc;

	if (parse_args(argc, argv, &a) < 0)
		return 2;
	if (a.floor) {
		floor_pid = start_floor(floor_path, sizeof(floor_path));
		if (floor_pid < 0) {
			fprintf(stderr, "xsbench: floor daemon: %s\n",
				strerror(errno));
			return 1;
		}
		a.sock = floor_path;
	}
	fds = calloc((size_t)a.idle + 1, sizeof(int));
	lat = calloc((size_t)a.n, sizeof(*lat));
	if (!fds || !lat || open_idle(a.sock, fds, (int)a.idle) < 0)
		return 1;
	if (pvstore_open(a.sock, PVSTORE_NO_RECONNECT, &h, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "xsbench: %s\n", err);
		return 1;
	}
	rc = run_all(h, &a, lat);
	pvstore_close(h);
	for (long i = 0; i < a.idle; i++)
		close(fds[i]);
	free(fds);
	free(lat);
	if (a.floor)
		stop_floor(floor_pid, floor_path);
	return rc < 0 ? 1 : 0;
}
