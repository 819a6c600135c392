/* pvctl and xenstore: connecting (starting pvstored), waiting for a new
 * domain's introduction, and the xenstore-* inspection commands. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvctl.h"

#define INTRODUCE_TIMEOUT_S 10

struct pvstore *pvctl_store(void)
{
	struct pvstore *xs;
	char err[512], path[256], rundir[256] = "";
	int rc = pvstore_open(NULL, 0, &xs, err, sizeof(err));

	pvstore_socket_path(path, sizeof(path), rundir, sizeof(rundir));
	if ((rc == -ENOENT || rc == -ECONNREFUSED) && rundir[0]) {
		/* Start the platform: pvhv first (pvstored follows its
		 * domains), then pvstored. */
		pvctrl_close(pvctl_connect());
		rc = pvstore_open(NULL, PVSTORE_AUTOSTART, &xs, err,
				  sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "pvctl: xenstore: %s\n",
			err[0] ? err : strerror(-rc));
		return NULL;
	}
	/* An operator command: never hang on a wedged daemon. */
	pvstore_set_timeouts(xs, 30000, 5000);
	return xs;
}

/* PVCTL_XENSTORE_TIMEOUT (seconds) or the default. */
static int introduce_timeout_ms(void)
{
	const char *e = getenv("PVCTL_XENSTORE_TIMEOUT");
	char *end;
	long s = e ? strtol(e, &end, 10) : -1;

	if (!e || *end || s <= 0 || s > 3600)
		s = INTRODUCE_TIMEOUT_S;
	return (int)s * 1000;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Introduced: XS_IS_DOMAIN_INTRODUCED says so or, for a daemon that does
 * not answer it, /local/domain/<id>/domid exists (written before the
 * introduction). 1 yes, 0 not yet, -errno.
 */
static int introduced(struct pvstore *xs, uint32_t domid, const char *node)
{
	bool yes = false;
	int rc = pvstore_is_domain_introduced(xs, domid, &yes);

	if (rc == 0)
		return yes;
	if (rc == -ENOTCONN || rc == -ETIMEDOUT)
		return rc;
	rc = pvstore_exists(xs, PVSTORE_NO_TX, node);
	return rc == 0 ? 1 : rc == -ENOENT ? 0 : rc;
}

int pvctl_wait_introduced(struct pvstore *xs, uint32_t domid, char *err,
			  size_t errlen)
{
	long long deadline = now_ms() + introduce_timeout_ms();
	char node[64];
	int rc;

	snprintf(node, sizeof(node), "/local/domain/%u/domid", domid);
	/* Watch first, then look: an introduction in between still wakes
	 * us. */
	rc = pvstore_watch(xs, "@introduceDomain", "pvctl-introduce");
	if (rc == 0)
		rc = pvstore_watch(xs, node, "pvctl-introduce");
	while (rc == 0) {
		struct pvstore_event *ev;
		long long left = deadline - now_ms();

		rc = introduced(xs, domid, node);
		if (rc != 0)
			break;
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		rc = pvstore_next_watch_event(xs, &ev, (int)left);
		if (rc == 0)
			free(ev);
		else if (rc == -ETIMEDOUT)
			rc = 0; /* one last look */
	}
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen,
			 "xenstore did not introduce domain %u within %d s "
			 "(is pvstored running and connected to pvhv? "
			 "PVCTL_XENSTORE_TIMEOUT sets the wait)",
			 domid, introduce_timeout_ms() / 1000);
	else if (rc < 0)
		snprintf(err, errlen, "xenstore: waiting for domain %u: %s",
			 domid, strerror(-rc));
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------- xenstore-* commands */

struct ls {
	bool full, perms;
};

static int ls_visit(void *ctx, const struct pvstore_node *n, bool leaving)
{
	struct ls *l = ctx;
	char *line;

	if (leaving || n->depth == 0)
		return 0;
	line = pvstore_ls_line(n, (l->full ? PVSTORE_LS_FULL : 0) |
				      (l->perms ? PVSTORE_LS_PERMS : 0));
	if (!line)
		return -ENOMEM;
	puts(line);
	free(line);
	return 0;
}

int cmd_xenstore_ls(int argc, char **argv)
{
	struct ls l = {0};
	struct pvstore *xs;
	const char *path;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+fp")) != -1) {
		if (opt == 'f')
			l.full = true;
		else if (opt == 'p')
			l.perms = true;
		else
			return 2;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "usage: pvctl xenstore-ls [-f] [-p] [PATH]\n");
		return 2;
	}
	path = optind < argc ? argv[optind] : "/";
	xs = pvctl_store();
	if (!xs)
		return 2;
	rc = pvstore_walk(xs, PVSTORE_NO_TX, path, -1,
			  l.perms ? PVSTORE_WALK_PERMS : 0, ls_visit, &l);
	pvstore_close(xs);
	if (rc < 0) {
		fprintf(stderr, "pvctl: xenstore-ls %s: %s\n", path,
			strerror(-rc));
		return 1;
	}
	return 0;
}

int cmd_xenstore_read(int argc, char **argv)
{
	struct pvstore *xs;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pvctl xenstore-read PATH...\n");
		return 2;
	}
	xs = pvctl_store();
	if (!xs)
		return 2;
	for (int i = 1; i < argc && rc == 0; i++) {
		char *v, *e;
		size_t len;

		rc = pvstore_read(xs, PVSTORE_NO_TX, argv[i], &v, &len);
		if (rc < 0) {
			fprintf(stderr, "pvctl: xenstore-read %s: %s\n",
				argv[i], strerror(-rc));
			break;
		}
		e = pvstore_escape(v, len);
		printf("%s\n", e ? e : "");
		free(e);
		free(v);
	}
	pvstore_close(xs);
	return rc < 0 ? 1 : 0;
}

int cmd_xenstore_write(int argc, char **argv)
{
	struct pvstore *xs;
	int rc = 0;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: pvctl xenstore-write PATH VALUE "
				"[PATH VALUE...]\n");
		return 2;
	}
	xs = pvctl_store();
	if (!xs)
		return 2;
	for (int i = 1; i + 1 < argc && rc == 0; i += 2) {
		rc = pvstore_write(xs, PVSTORE_NO_TX, argv[i], argv[i + 1],
				   strlen(argv[i + 1]));
		if (rc < 0)
			fprintf(stderr, "pvctl: xenstore-write %s: %s\n",
				argv[i], strerror(-rc));
	}
	pvstore_close(xs);
	return rc < 0 ? 1 : 0;
}

int cmd_xenstore_rm(int argc, char **argv)
{
	struct pvstore *xs;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pvctl xenstore-rm PATH...\n");
		return 2;
	}
	xs = pvctl_store();
	if (!xs)
		return 2;
	for (int i = 1; i < argc && rc == 0; i++) {
		rc = pvstore_rm(xs, PVSTORE_NO_TX, argv[i]);
		if (rc < 0)
			fprintf(stderr, "pvctl: xenstore-rm %s: %s\n", argv[i],
				strerror(-rc));
	}
	pvstore_close(xs);
	return rc < 0 ? 1 : 0;
}
