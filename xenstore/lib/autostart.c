/* libpvstore: starting pvstored when no daemon answers. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "priv.h"

#define READY_TIMEOUT_MS 15000

/* pvstored next to this program, else $PVSTORED_BIN, else on PATH. */
static void find_pvstored(char *path, size_t len)
{
	const char *env = getenv("PVSTORED_BIN");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash &&
		    (size_t)(slash - self) + sizeof("/pvstored") <= len) {
			memcpy(path, self, (size_t)(slash - self));
			strcpy(path + (slash - self), "/pvstored");
			if (access(path, X_OK) == 0)
				return;
		}
	}
	snprintf(path, len, "%s", env && env[0] ? env : "pvstored");
}

/* mkdir -p for the runtime directory (pvstored would do it too, but its
 * parent must exist before we can say anything useful). */
static void make_dirs(const char *dir)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return;
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
}

/* In the grandchild: the ready pipe as fd 3, then pvstored; if exec fails,
 * 'E' and the errno go to the pipe instead of the ready byte. */
static void exec_pvstored(const char *bin, const char *rundir, int fd)
{
	int e;

	if (fd == 3 ? fcntl(fd, F_SETFD, 0) < 0 : dup2(fd, 3) < 0)
		_exit(127);
	execlp(bin, bin, "--rundir", rundir, "--daemon", "--ready-fd", "3",
	       (char *)NULL);
	e = errno;
	if (write(3, "E", 1) == 1 && write(3, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/*
 * The child forks again and exits, so pvstored is never our child (no
 * zombie, whether it detaches itself or not); it writes one byte to its
 * ready fd once it serves.
 */
int pvstore_autostart(const char *rundir, char *err, size_t errlen)
{
	char bin[PATH_MAX], ok = 0;
	struct pollfd p;
	int pipefd[2], status, exec_err = 0;
	pid_t pid;

	find_pvstored(bin, sizeof(bin));
	make_dirs(rundir);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		exec_pvstored(bin, rundir, pipefd[1]);
	}
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	p = (struct pollfd){.fd = pipefd[0], .events = POLLIN};
	if (poll(&p, 1, READY_TIMEOUT_MS) != 1 || read(pipefd[0], &ok, 1) != 1)
		ok = 0;
	if (ok == 'E' &&
	    read(pipefd[0], &exec_err, sizeof(exec_err)) != sizeof(exec_err))
		exec_err = EIO;
	close(pipefd[0]);
	if (ok == 'E') {
		if (err)
			snprintf(err, errlen,
				 "cannot start the xenstore daemon: %s: %s "
				 "(looked next to this program, then "
				 "$PVSTORED_BIN, then PATH)",
				 bin, strerror(exec_err));
		return -exec_err;
	}
	if (!ok) {
		if (err)
			snprintf(err, errlen,
				 "%s --rundir %s did not start (see its "
				 "messages above, or its log in %s)",
				 bin, rundir, rundir);
		return -EIO;
	}
	return 0;
}
