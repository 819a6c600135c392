/*
 * boot: time from spawning a command (pvctl create -c ...) to the first
 * byte on its standard output (the guest's first console byte), R times.
 *
 *   boot [-c] [-k KEY] [-e TEXT] R CMD [ARG...]
 *
 * Every "%d" in an argument becomes the run number, so each run can name
 * its domain differently. The clock starts just before the spawn and
 * stops when the first byte can be read from the pipe; the command is
 * then read to EOF and reaped (create -c returns when the domain is
 * gone), which is timed too. A run fails (exit status 1) when the command
 * fails, prints nothing, or, with -e, does not print TEXT.
 *
 * -c (cold): every run gets a fresh runtime directory (PVHV_RUNDIR) with no
 * pvhv in it, so the time includes starting the daemons; they are stopped
 * and the directory removed after the run. Without -c the caller's
 * PVHV_RUNDIR (with pvhv already running) is used as is.
 *
 * Output (key=value, KEY defaults to first_byte):
 *   KEY_ns=<median>  KEY_runs_ns=<each run>  KEY_exit_ns=<median to exit>
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPS 100
#define MAX_ARGS 64
#define OUT_MAX	 65536

extern char **environ;

struct run {
	uint64_t first_ns; /* spawn -> first byte */
	uint64_t exit_ns;  /* spawn -> command reaped */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Copies s with every "%d" replaced by n. */
static char *subst_run(const char *s, int n)
{
	char num[16], *out, *o;
	size_t len = strlen(s) + 1;

	snprintf(num, sizeof(num), "%d", n);
	for (const char *p = s; (p = strstr(p, "%d")); p += 2)
		len += strlen(num);
	out = malloc(len);
	if (!out)
		return NULL;
	for (o = out; *s;) {
		if (s[0] == '%' && s[1] == 'd') {
			o = stpcpy(o, num);
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	return out;
}

/* Reads the child's output to EOF; *first is set at the first byte. */
static ssize_t read_all(int fd, char *buf, size_t size, uint64_t *first)
{
	size_t len = 0;
	char scratch[4096];

	for (;;) {
		char *dst = len + 1 < size ? buf + len : scratch;
		size_t room = len + 1 < size ? size - 1 - len : sizeof(scratch);
		ssize_t n = read(fd, dst, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (!*first)
			*first = now_ns();
		if (dst == buf + len)
			len += (size_t)n;
	}
	buf[len] = 0;
	return (ssize_t)len;
}

static int run_once(char **argv, int idx, const char *expect, struct run *r)
{
	static char out[OUT_MAX];
	char *args[MAX_ARGS + 1];
	posix_spawn_file_actions_t fa;
	int pfd[2], status, rc = -1, n = 0;
	uint64_t t0, first = 0;
	pid_t pid;

	for (; argv[n] && n < MAX_ARGS; n++)
		args[n] = subst_run(argv[n], idx);
	args[n] = NULL;
	if (pipe(pfd) < 0) {
		perror("boot: pipe");
		goto out_args;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addclose(&fa, pfd[1]);
	t0 = now_ns();
	errno = posix_spawnp(&pid, args[0], &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (errno) {
		perror("boot: spawn");
		close(pfd[0]);
		goto out_args;
	}
	if (read_all(pfd[0], out, sizeof(out), &first) < 0)
		perror("boot: read");
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->exit_ns = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "boot: run %d: %s failed (status %#x)\n", idx,
			args[0], status);
	else if (!first)
		fprintf(stderr, "boot: run %d: no output\n", idx);
	else if (expect && !strstr(out, expect))
		fprintf(stderr, "boot: run %d: \"%s\" not in output:\n%s\n",
			idx, expect, out);
	else
		rc = 0;
	r->first_ns = first - t0;
out_args:
	while (n--)
		free(args[n]);
	return rc;
}

/* ------------------------------------------------------------- cold runs */

static int rundir_make(char *dir, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, len, "%s/pvhv-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("boot: mkdtemp");
		return -1;
	}
	setenv("PVHV_RUNDIR", dir, 1);
	return 0;
}

/* Stops the daemon whose pid is in file: SIGTERM, SIGKILL after 5 s. */
static void stop_pidfile(const char *file)
{
	long pid = 0;
	FILE *f = fopen(file, "r");

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid <= 0 || kill((pid_t)pid, SIGTERM) < 0)
		return;
	for (int i = 0; i < 500 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
	kill((pid_t)pid, SIGKILL);
}

/* Removes dir's files, then dir. */
static void remove_dir(const char *dir)
{
	char path[1536];
	DIR *dp = opendir(dir);
	struct dirent *e;

	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (dp)
		closedir(dp);
	rmdir(dir);
}

/* Stops the pvstored and pvhv serving dir and removes the directory. */
static void rundir_clean(const char *dir)
{
	char path[1536];

	snprintf(path, sizeof(path), "%s/xenstored/pvstored.pid", dir);
	stop_pidfile(path);
	snprintf(path, sizeof(path), "%s/pvhv.pid", dir);
	stop_pidfile(path);
	snprintf(path, sizeof(path), "%s/xenstored", dir);
	remove_dir(path);
	remove_dir(dir);
}

/* ---------------------------------------------------------------- main */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(const uint64_t *in, int n)
{
	uint64_t v[MAX_REPS];

	memcpy(v, in, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *key, const struct run *r, int n)
{
	uint64_t first[MAX_REPS], exit_[MAX_REPS];

	for (int i = 0; i < n; i++) {
		first[i] = r[i].first_ns;
		exit_[i] = r[i].exit_ns;
	}
	printf("%s_ns=%llu\n%s_runs_ns=", key,
	       (unsigned long long)median(first, n), key);
	for (int i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)first[i]);
	printf("\n%s_exit_ns=%llu\n%s_reps=%d\n", key,
	       (unsigned long long)median(exit_, n), key, n);
}

static int usage(void)
{
	fprintf(stderr, "usage: boot [-c] [-k KEY] [-e TEXT] R CMD [ARG...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct run runs[MAX_REPS];
	const char *key = "first_byte", *expect = NULL;
	char dir[1024];
	int c, cold = 0, reps;

	while ((c = getopt(argc, argv, "+ck:e:")) != -1) {
		switch (c) {
		case 'c':
			cold = 1;
			break;
		case 'k':
			key = optarg;
			break;
		case 'e':
			expect = optarg;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	reps = atoi(argv[optind]);
	if (reps <= 0 || reps > MAX_REPS)
		return usage();
	alarm(300); /* a hung guest fails the benchmark, never hangs it */
	for (int i = 0; i < reps; i++) {
		int rc;

		if (cold && rundir_make(dir, sizeof(dir)) < 0)
			return 1;
		rc = run_once(argv + optind + 1, i + 1, expect, &runs[i]);
		if (cold)
			rundir_clean(dir);
		if (rc < 0)
			return 1;
	}
	report(key, runs, reps);
	return 0;
}
