/*
 * xsclient: the libpvstore side of xenstore integration tests, for what
 * the pvstore CLI cannot show from outside.
 *
 *   xsclient restart DIR
 *       Registers a watch on /interop/restart, opens a transaction and
 *       writes in it, then creates DIR/ready and waits (up to 60 s) for
 *       DIR/restarted: meanwhile the test kills and restarts the daemon.
 *       Then checks that the transaction fails with EAGAIN (a request in
 *       it, and its commit), that a new transaction commits, that the
 *       handle reconnected, and that the watch was registered again: its
 *       initial event comes again, and one for a write by another client
 *       (the test writes /interop/restart/x after DIR/restarted2 appears).
 *   xsclient directory PATH N
 *       Checks that PATH has N children (through DIRECTORY_PART when the
 *       list is long) and that they are c0..c<N-1> in some order.
 *
 * Prints "PASS <check>" or "FAIL <check>: why"; exit status 1 on failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvstore/pvstore.h>

static int failed;

/* PASS, or FAIL with the value that was wrong (a -errno, a count). */
static void check(bool ok, const char *name, int got)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: got %d%s%s\n", name, got, got < 0 ? " " : "",
		       got < 0 ? strerror(-got) : "");
		failed = 1;
	}
	fflush(stdout);
}

static int wait_file(const char *dir, const char *name)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	for (int i = 0; i < 6000; i++) {
		if (access(p, F_OK) == 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void touch(const char *dir, const char *name)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f)
		fclose(f);
}

/* The next event for token "r", skipping others; its path or "". */
static void next_event(struct pvstore *h, char *path, size_t len)
{
	struct pvstore_event *ev;

	path[0] = 0;
	while (pvstore_next_watch_event(h, &ev, 10000) == 0) {
		int mine = !strcmp(ev->token, "r");

		if (mine)
			snprintf(path, len, "%s", ev->path);
		free(ev);
		if (mine)
			return;
	}
}

static int restart(const char *dir)
{
	struct pvstore *h;
	pvstore_tx_t tx;
	char err[512], path[256], *v;
	int rc;

	if (pvstore_open(NULL, 0, &h, err, sizeof(err)) < 0) {
		printf("FAIL open: %s\n", err);
		return 1;
	}
	pvstore_set_timeouts(h, 10000, 20000);
	rc = pvstore_mkdir(h, PVSTORE_NO_TX, "/interop/restart");
	check(rc == 0, "mkdir", rc);
	rc = pvstore_watch(h, "/interop/restart", "r");
	next_event(h, path, sizeof(path));
	check(rc == 0 && !strcmp(path, "/interop/restart"), "watch", rc);
	rc = pvstore_transaction_start(h, &tx);
	if (rc == 0)
		rc = pvstore_write(h, tx, "/interop/restart/tx", "1", 1);
	check(rc == 0, "write in a transaction", rc);

	touch(dir, "ready");
	if (wait_file(dir, "restarted") < 0) {
		printf("FAIL the daemon was not restarted\n");
		return 1;
	}
	rc = pvstore_read(h, tx, "/interop/restart/tx", &v, NULL);
	check(rc == -EAGAIN, "request in a lost transaction: EAGAIN", rc);
	rc = pvstore_transaction_end(h, tx, true);
	check(rc == -EAGAIN, "commit of a lost transaction: EAGAIN", rc);
	check(pvstore_reconnects(h) >= 1, "reconnected",
	      (int)pvstore_reconnects(h));
	rc = pvstore_transaction_start(h, &tx);
	if (rc == 0)
		rc = pvstore_mkdir(h, tx, "/interop/restart");
	if (rc == 0)
		rc = pvstore_transaction_end(h, tx, true);
	check(rc == 0, "new transaction commits", rc);
	next_event(h, path, sizeof(path));
	check(!strcmp(path, "/interop/restart"), "watch registered again", 0);
	touch(dir, "watching");
	if (wait_file(dir, "written") < 0) {
		printf("FAIL nothing was written\n");
		return 1;
	}
	next_event(h, path, sizeof(path));
	while (!strcmp(path, "/interop/restart")) /* a spurious one */
		next_event(h, path, sizeof(path));
	check(!strcmp(path, "/interop/restart/x"), "event after the restart",
	      0);
	pvstore_close(h);
	return failed;
}

static int directory(const char *path, int n)
{
	struct pvstore *h;
	char err[512], **names;
	unsigned count;
	char *seen = calloc((size_t)n + 1, 1);
	int rc, ok = 1;

	if (!seen || pvstore_open(NULL, 0, &h, err, sizeof(err)) < 0) {
		printf("FAIL open: %s\n", err);
		return 1;
	}
	rc = pvstore_directory(h, PVSTORE_NO_TX, path, &names, &count);
	check(rc == 0 && count == (unsigned)n, "directory count",
	      rc < 0 ? rc : (int)count);
	for (unsigned i = 0; rc == 0 && i < count; i++) {
		int k = names[i][0] == 'c' ? atoi(names[i] + 1) : -1;

		if (k < 0 || k >= n || seen[k]++)
			ok = 0;
	}
	check(rc == 0 && ok, "directory names", 0);
	if (rc == 0)
		free(names);
	free(seen);
	pvstore_close(h);
	return failed;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "restart"))
		return restart(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "directory"))
		return directory(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: xsclient restart DIR | directory PATH N\n");
	return 2;
}
