/*
 * pvstored: the xenstore daemon. Serves dom0 clients on
 * RUNDIR/socket and each guest on its xenstore ring; keeps its state in
 * RUNDIR so it can be killed and restarted without losing it.
 *
 *   pvstored [--rundir DIR] [--foreground|--daemon] [--log FILE] [--ready-fd N]
 *            [--pvhv-rundir DIR | --no-pvhv] [--quota NAME=N]... [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/daemon.h>
#include <pvhv/log.h>

#include "pvhv_build.h"
#include "pvstored.h"

struct daemon *dm;

static void usage(FILE *f)
{
	fprintf(
	    f, "usage: pvstored [options]\n"
	       "  --rundir DIR       runtime directory (default: "
	       "$PVHV_RUNDIR/xenstored,\n"
	       "                     $PVHV_RUNDIR defaulting to /run/pvhv)\n"
	       "  --foreground       stay in the foreground, log to stderr "
	       "(default)\n"
	       "  --daemon           detach (what pvctl's autostart asks "
	       "for)\n"
	       "  --log FILE         log file (default: RUNDIR/pvstored.log "
	       "when detached)\n"
	       "  --ready-fd N       write one byte to fd N once serving\n"
	       "  --pvhv-rundir DIR  where pvhv's control socket is (default:\n"
	       "                     $PVHV_RUNDIR, else the parent of "
	       "RUNDIR)\n"
	       "  --no-pvhv          serve the socket only, never contact "
	       "pvhv\n"
	       "  --test-rings DIR   testing without guests: XS_INTRODUCE "
	       "maps the\n"
	       "                     file DIR/ring-<domid> as the domain's "
	       "ring;\n"
	       "                     writing a domid (u32) to the FIFO "
	       "DIR/evtchn\n"
	       "                     signals it (implies --no-pvhv)\n"

	       "  --quota NAME=N     set a quota (nodes, watches, "
	       "transactions,\n"
	       "                     outstanding, transaction-nodes, "
	       "node-size,\n"
	       "                     path-max, permissions); 0 disables it\n"
	       "  -E N, -W N, -t N, -S N, -A N\n"
	       "                     Xen's xenstored spellings of the nodes, "
	       "watches,\n"
	       "                     transactions, node-size and permissions "
	       "quotas\n"
	       "  -v, --verbose      debug logging\n");
}

static int set_quota(struct options *o, const char *name, const char *val)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);
	int q = xs_quota_by_name(name);

	if (q < 0 || !val[0] || *end || v > UINT32_MAX) {
		fprintf(stderr, "pvstored: bad quota %s=%s\n", name, val);
		return -1;
	}
	o->quota[q] = (uint32_t)v;
	o->quota_set |= 1u << q;
	return 0;
}

static int quota_arg(struct options *o, const char *arg)
{
	char name[64];
	const char *eq = strchr(arg, '=');

	if (!eq || (size_t)(eq - arg) >= sizeof(name)) {
		fprintf(stderr, "pvstored: --quota NAME=N, not \"%s\"\n", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = 0;
	return set_quota(o, name, eq + 1);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
	    {"rundir", required_argument, NULL, 'r'},
	    {"foreground", no_argument, NULL, 'F'},
	    {"daemon", no_argument, NULL, 'D'},
	    {"log", required_argument, NULL, 'l'},
	    {"ready-fd", required_argument, NULL, 'R'},
	    {"pvhv-rundir", required_argument, NULL, 'P'},
	    {"no-pvhv", no_argument, NULL, 'N'},
	    {"test-rings", required_argument, NULL, 'T'},
	    {"quota", required_argument, NULL, 'Q'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static const struct {
		char opt;
		const char *name;
	} xen[] = {{'E', "nodes"},
		   {'W', "watches"},
		   {'t', "transactions"},
		   {'S', "node-size"},
		   {'A', "permissions"}};
	int c;

	o->ready_fd = -1;
	o->foreground = true; /* `pvstored --rundir DIR` stays attached */
	while ((c = getopt_long(argc, argv, "FDvhE:W:t:S:A:Q:", lo, NULL)) !=
	       -1) {
		switch (c) {
		case 'r':
			o->rundir = optarg;
			break;
		case 'F':
			o->foreground = true;
			break;
		case 'D':
			o->foreground = false;
			break;
		case 'l':
			o->logfile = optarg;
			break;
		case 'R':
			o->ready_fd = atoi(optarg);
			break;
		case 'P':
			o->pvhv_rundir = optarg;
			break;
		case 'N':
			o->no_pvhv = true;
			break;
		case 'T':
			o->test_rings = optarg;
			o->no_pvhv = true;
			break;
		case 'Q':
			if (quota_arg(o, optarg))
				return -1;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			for (size_t i = 0; i < sizeof(xen) / sizeof(xen[0]);
			     i++)
				if (xen[i].opt == c)
					return set_quota(o, xen[i].name,
							 optarg) ||
					       parse_args(argc, argv, o);
			usage(stderr);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

/* Default directories: RUNDIR = $PVHV_RUNDIR/xenstored. */
static void default_dirs(struct options *o)
{
	static char rundir[4096], pvdir[4096];
	const char *env = getenv("PVHV_RUNDIR");

	if (!env || !env[0])
		env = NULL;
	if (!o->rundir) {
		snprintf(rundir, sizeof(rundir), "%s/xenstored",
			 env ? env : "/run/pvhv");
		o->rundir = rundir;
	}
	if (!o->pvhv_rundir) {
		if (env) {
			snprintf(pvdir, sizeof(pvdir), "%s", env);
		} else {
			snprintf(pvdir, sizeof(pvdir), "%s", o->rundir);
			snprintf(pvdir, sizeof(pvdir), "%s", dirname(pvdir));
		}
		o->pvhv_rundir = pvdir;
	}
}

/* stdin/stdout go to /dev/null when detached; stderr to the log. */
static void detach_stdio(int logfd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	if (logfd != 2)
		dup2(logfd, 2);
}

int main(int argc, char **argv)
{
	static struct daemon d;
	char err[512], path[4096];
	int lockfd, logfd;
	pid_t pid;

	dm = &d;
	if (parse_args(argc, argv, &d.o) < 0)
		return 2;
	default_dirs(&d.o);
	/* One pvstored per runtime directory: a lock held for life. */
	lockfd = daemon_lock(d.o.rundir, "pvstored", path, sizeof(path));
	if (lockfd < 0) {
		fprintf(stderr, "pvstored: %s: %s\n", path,
			lockfd == -EWOULDBLOCK ? "another pvstored is already "
						 "running in this directory"
					       : strerror(-lockfd));
		return 1;
	}
	logfd = daemon_open_log(d.o.rundir, "pvstored", d.o.logfile,
				d.o.foreground);
	log_init("pvstored", logfd, d.o.verbose ? LOG_DEBUG : LOG_INFO);
	signal(SIGPIPE, SIG_IGN);
	if (loop_init(&d, err, sizeof(err)) < 0 ||
	    persist_open(&d, err, sizeof(err)) < 0) {
		log_err("pvstored", "%s", err);
		fprintf(stderr, "pvstored: %s\n", err);
		return 1;
	}
	if (!d.o.foreground) {
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "pvstored: fork: %s\n",
				strerror(errno));
			return 1;
		}
		if (pid > 0)
			_exit(0); /* the lock's flock is shared: still held */
		setsid();
		detach_stdio(logfd);
	}
	if (loop_signals(&d) < 0) {
		log_err("pvstored", "signalfd: %s", strerror(errno));
		return 1;
	}
	daemon_write_pidfile(d.o.rundir, "pvstored");

	guests_init(&d);
	sandbox();

	log_info("pvstored", "pvstored %s serving %s (pid %d)%s",
		 PVHV_CHANGESET, d.sockpath, (int)getpid(),
		 d.pv ? ", domains of pvhv" : ", standalone (no pvhv)");
	if (d.o.ready_fd >= 0) {
		if (write(d.o.ready_fd, "R", 1) < 0)
			log_warn("pvstored", "ready fd: %s", strerror(errno));
		close(d.o.ready_fd);
	}
	loop_run(&d);
	log_info("pvstored", "exiting");
	persist_compact(&d);
	persist_close(&d);
	unlink(d.sockpath);
	daemon_remove_pidfile(d.o.rundir, "pvstored");
	close(lockfd);
	return 0;
}
