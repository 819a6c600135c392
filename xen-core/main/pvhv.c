/*
 * pvhv: the hypervisor daemon. Owns /dev/kvm, runs every domain, serves
 * the control socket in the runtime directory.
 *
 *   pvhv [--rundir DIR] [--foreground] [--log FILE] [--ready-fd N] [-v]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvctrl/proto.h>
#include <pvhv/control.h>
#include <pvhv/daemon.h>
#include <pvhv/domain.h>
#include <pvhv/kvm.h>
#include <pvhv/log.h>

#include "pvhv_build.h"

struct options {
	const char *rundir;
	const char *logfile;
	bool foreground;
	int ready_fd;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pvhv [options]\n"
		"  --rundir DIR   runtime directory (default: $PVHV_RUNDIR or "
		"/run/pvhv)\n"
		"  --foreground   stay in the foreground, log to stderr\n"
		"  --log FILE     log file (default: RUNDIR/pvhv.log when "
		"detached)\n"
		"  --ready-fd N   write one byte to fd N once serving\n"
		"  -v, --verbose  debug logging\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
	    {"rundir", required_argument, NULL, 'r'},
	    {"foreground", no_argument, NULL, 'F'},
	    {"log", required_argument, NULL, 'l'},
	    {"ready-fd", required_argument, NULL, 'R'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->rundir = getenv("PVHV_RUNDIR");
	if (!o->rundir || !o->rundir[0])
		o->rundir = "/run/pvhv";
	o->ready_fd = -1;
	while ((c = getopt_long(argc, argv, "Fvh", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->rundir = optarg;
			break;
		case 'F':
			o->foreground = true;
			break;
		case 'l':
			o->logfile = optarg;
			break;
		case 'R':
			o->ready_fd = atoi(optarg);
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static void kick_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN; the vCPU loop re-checks */
}

/* Signals: kicks are blocked everywhere except inside KVM_RUN; the
 * termination signals are read from a signalfd by the main loop. */
static void setup_signals(void)
{
	struct sigaction sa = {.sa_handler = kick_handler};
	sigset_t set;

	sigaction(SIG_VCPU_KICK, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIG_VCPU_KICK);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	struct options o = {0};
	const char *why = "";
	char buf[256];
	int lockfd, rc;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	/* One pvhv per runtime directory: a lock held for the process life. */
	lockfd = daemon_lock(o.rundir, "pvhv", buf, sizeof(buf));
	if (lockfd < 0) {
		fprintf(stderr, "pvhv: %s: %s\n", buf,
			lockfd == -EWOULDBLOCK ? "another pvhv serves this "
						 "runtime directory"
					       : strerror(-lockfd));
		return 1;
	}
	log_init("pvhv",
		 daemon_open_log(o.rundir, "pvhv", o.logfile, o.foreground),
		 o.verbose ? LOG_DEBUG : LOG_INFO);
	setup_signals();
	domain_service_fd();
	/* Fail on the terminal, before detaching, if KVM or the socket is
	 * unusable. */
	rc = kvm_host_init(&why);
	if (rc < 0) {
		log_err("pvhv", "KVM unusable: %s: %s", why, strerror(-rc));
		fprintf(stderr, "pvhv: KVM unusable: %s: %s\n", why,
			strerror(-rc));
		return 1;
	}
	if (control_init(o.rundir, buf, sizeof(buf)) < 0) {
		log_err("pvhv", "%s", buf);
		fprintf(stderr, "pvhv: %s\n", buf);
		return 1;
	}
	if (!o.foreground && daemon(1, 0) < 0) {
		log_err("pvhv", "daemon: %s", strerror(errno));
		return 1;
	}
	if (kvm_host.emulating)
		log_info("pvhv",
			 "host KVM is kvm_pvm: guest code is emulated "
			 "(~2M instructions/s); CPUID leaves 1/7/0xD keep "
			 "the host's XSAVE/AVX/POPCNT/SMAP bits whatever "
			 "pvhv masks, and the emulator cannot run them: "
			 "guests must avoid those instructions");
	daemon_write_pidfile(o.rundir, "pvhv");
	log_info("pvhv", "pvhv %s serving %s/%s (pid %d)", PVHV_CHANGESET,
		 o.rundir, PV_CTL_SOCKET, (int)getpid());
	if (o.ready_fd >= 0) {
		if (write(o.ready_fd, "R", 1) < 0)
			log_warn("pvhv", "ready fd: %s", strerror(errno));
		close(o.ready_fd);
	}
	control_run();
	log_info("pvhv", "exiting");
	snprintf(buf, sizeof(buf), "%s/%s", o.rundir, PV_CTL_SOCKET);
	unlink(buf);
	daemon_remove_pidfile(o.rundir, "pvhv");
	close(lockfd);
	return 0;
}
