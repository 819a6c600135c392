/*
 * rawkvm: the floor pvhv is measured against. The simplest KVM program
 * that does what a pvhv domain does on its hot paths, with nothing else
 * around it. It issues its own ioctls on purpose (it must not share
 * pvhv's code, or it would share pvhv's overheads).
 *
 *   rawkvm [-n] [-k] [-s] [-m] null N [R]
 *	One vCPU in long mode (identity page tables with 2 MiB pages, as
 *	pvmini builds them) runs pvmini's bench-null loop byte for byte:
 *	    1: xor %edi,%edi; call *%rdx; dec %rcx; jnz 1b
 *	calling the xen_version stub of a hypercall page at the address
 *	pvmini uses (endbr64; mov $17,%eax; out %eax,$0xe4; ret). The exit
 *	handler for port 0xe4 checks the exit like pvhv does, writes the
 *	return value into rax through KVM_CAP_SYNC_REGS (as pvhv does) and
 *	re-enters. N iterations are timed with CLOCK_MONOTONIC between two
 *	marker exits (out to 0xe5 before the loop, 0xe6 after it); R such
 *	runs, median reported as null_exit_ns=<ns per iteration>.
 *	Default configuration (the floor for pvhv): split irqchip (pvhv's),
 *	kvm_valid_regs = REGS, rax written back. Variants, to attribute
 *	pvhv's overhead:
 *	    -n  no split irqchip (the plainest VM)
 *	    -k  keep rax: the handler touches no register (no dirty regs)
 *	    -s  also sync SREGS on every exit (pvhv's kvm_valid_regs)
 *	    -m  KVM_SET_SIGNAL_MASK as pvhv's vCPU threads (kick signal
 *		unblocked only inside KVM_RUN)
 *
 *   rawkvm [-n] boot [R] [MiB]
 *	KVM_CREATE_VM to the first guest instruction, with /dev/kvm already
 *	open (pvhv keeps it open; create_to_first_insn_ns) and including its
 *	open (open_to_first_insn_ns): split irqchip, a MiB-sized memfd
 *	(default 32, pvmini's domain size) mapped as one memory slot, one
 *	vCPU started in 32-bit protected mode with paging off (PVH entry)
 *	at 1 MiB, where the first instruction is `out %al,$0xe5`. R runs
 *	(default 20), medians.
 *
 *   rawkvm [-n] [-s] [-w] pingpong N [R]
 *	The floor of the domU<->domU event-channel ping-pong: two VMs, one
 *	thread and vCPU each, run pvmini's bench-evtchn client and server
 *	loops byte for byte (client: send; poll; clear the pending bit,
 *	server: poll; clear; send; through the event_channel_op and
 *	sched_op stubs). Exit handlers: a send sets the pending bit in the
 *	other VM's memory and, if that VM's thread polls, kicks it with
 *	SIGUSR1 (pthread_kill, as pvhv's vcpu_kick); a poll parks the
 *	thread in sigwaitinfo until its bit is set. The kick signal is
 *	blocked except inside KVM_RUN (KVM_SET_SIGNAL_MASK) and
 *	sigwaitinfo, as in pvhv; a kick that lands while the guest runs
 *	makes KVM_RUN return EINTR and is consumed. One warm-up round,
 *	then R passes of N round trips timed on the client's thread
 *	between the passes' shared start and its end marker.
 *	Prints pingpong_rtt_ns (median ns per round trip), the runs, and
 *	the kicks / sigwaitinfo calls / EINTRs per round trip.
 *
 *   rawkvm [-n] [-s] [-w] dom0 N [R]
 *	The floor of the domU<->dom0 ping-pong: one VM running the server
 *	loop; a forked dom0 process running pvtest evtchn-pingpong's loop
 *	(write the doorbell eventfd; poll and read the event eventfd); a
 *	doorbell thread as pvhv's (epoll_wait on the doorbell, read it,
 *	set the guest's pending bit, kick the vCPU thread if it polls);
 *	the guest's send writes the event eventfd. R passes of N round
 *	trips timed in the dom0 process. Prints dom0pp_rtt_ns and the same
 *	statistics.
 *
 *	Both: split irqchip and kvm_valid_regs = REGS unless -n / -s.
 *	Whether a poll parks is a race (is the answer there before the
 *	poll exits?); -w removes it: a send first waits (spinning) until
 *	its receiver polls, so every poll parks in sigwaitinfo and is
 *	woken by a kick, one wake-up per poll.
 *
 *   rawkvm loops
 *	Prints the bytes of the guest loops (null_loop, pp_client_loop,
 *	pp_server_loop) in hex: run.sh checks that pvmini.elf holds them.
 *
 * Output: key=value lines. Exit status 1 on any unexpected exit or error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rawkvm.h"

#define LOOP_GPA   0x101f3cull	      /* start marker; pvmini's loop at +2 */
#define STUB_NR	   17u		      /* __HYPERVISOR_xen_version */
#define XENVER_RET ((4u << 16) | 17u) /* what pvhv's XENVER_version says */

/* The bench loop with its markers (pvmini's loop: bytes 2 to 10). */
/* One instruction per line. */
/* clang-format off */
static const uint8_t null_loop[] = {
    0xe6, START_PORT,		/* out %al,$0xe5 */
    0x31, 0xff,			/* 1: xor %edi,%edi */
    0xff, 0xd2,			/* call *%rdx */
    0x48, 0xff, 0xc9,		/* dec %rcx */
    0x75, 0xf7,			/* jnz 1b */
    0xe6, END_PORT,		/* out %al,$0xe6 */
    0xeb, (uint8_t)(-15),	/* jmp back to the start marker */
};
/* clang-format on */

/* Page tables, the bench loop, and the stub. */
static void null_guest_write(struct vm *m)
{
	ptables_write(m);
	put(m, LOOP_GPA, null_loop, sizeof(null_loop));
	stub_write(m, STUB_NR);
}

/* One timed pass of the loop: from the start marker to the end marker. */
static int null_pass(struct vm *m, const struct opts *o, uint64_t n,
		     uint64_t *ns)
{
	struct kvm_run *run = m->run;
	struct kvm_regs *r = &run->s.regs.regs;
	uint64_t t0;

	if (vcpu_run(m) < 0)
		return -1;
	if (!is_out(run, START_PORT))
		return bad_exit(run);
	r->rcx = n;
	r->rdx = HPAGE_GPA + STUB_NR * STUB_SIZE;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	t0 = now_ns();
	for (;;) {
		if (vcpu_run(m) < 0)
			return -1;
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.port == HCALL_PORT &&
		    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
		    run->io.count == 1) {
			if (o->write_rax) {
				r->rax = XENVER_RET;
				run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
			}
			continue;
		}
		if (is_out(run, END_PORT))
			break;
		return bad_exit(run);
	}
	*ns = now_ns() - t0;
	return 0;
}

static int cmd_null(int kvm, const struct opts *o, uint64_t n, int reps)
{
	uint64_t ns[MAX_REPS], per[MAX_REPS];
	struct vm m;
	int rc = -1;

	if (vm_create(&m, kvm, 32 * MIB, o->split) < 0)
		goto out;
	null_guest_write(&m);
	if (vcpu_set_mode(&m, 1, LOOP_GPA) < 0)
		goto out;
	if (o->sigmask && vcpu_block_kick_signal(&m) < 0)
		goto out;
	m.run->kvm_valid_regs =
	    KVM_SYNC_X86_REGS | (o->sregs ? KVM_SYNC_X86_SREGS : 0);
	for (int i = 0; i < reps; i++) {
		if (null_pass(&m, o, n, &ns[i]) < 0)
			goto out;
		per[i] = ns[i] / n;
	}
	printf("null_exit_ns=%llu\n", (unsigned long long)median(per, reps));
	print_list("null_exit_runs_ns", per, reps);
	printf("null_n=%llu\nnull_reps=%d\n", (unsigned long long)n, reps);
	printf("null_config=%s,%s,%s,%s\n",
	       o->split ? "split-irqchip" : "no-irqchip",
	       o->write_rax ? "rax-via-sync-regs" : "rax-untouched",
	       o->sregs ? "sync-regs+sregs" : "sync-regs",
	       o->sigmask ? "signal-mask" : "no-signal-mask");
	rc = 0;
out:
	vm_destroy(&m);
	return rc;
}

/* One VM from KVM_CREATE_VM to the first exit of its first instruction;
 * *t1 is taken at that exit, before the (untimed) teardown. */
static int boot_once(int kvm, size_t mem_size, int split, uint64_t *t1)
{
	static const uint8_t entry[] = {0xe6, START_PORT, 0xf4}; /* out; hlt */
	struct vm m;
	int rc = -1;

	if (vm_create(&m, kvm, mem_size, split) < 0)
		goto out;
	put(&m, ENTRY_GPA, entry, sizeof(entry));
	if (vcpu_set_mode(&m, 0, ENTRY_GPA) < 0 || vcpu_run(&m) < 0)
		goto out;
	*t1 = now_ns();
	if (!is_out(m.run, START_PORT)) {
		bad_exit(m.run);
		goto out;
	}
	rc = 0;
out:
	vm_destroy(&m);
	return rc;
}

static int cmd_boot(const struct opts *o, int reps, size_t mem)
{
	uint64_t create[MAX_REPS], open_[MAX_REPS];

	for (int i = 0; i < reps; i++) {
		uint64_t t_open = now_ns(), t0, t1 = 0;
		int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		int rc;

		if (fd < 0)
			return fail("/dev/kvm");
		t0 = now_ns();
		rc = boot_once(fd, mem, o->split, &t1);
		close(fd);
		if (rc < 0)
			return -1;
		create[i] = t1 - t0;
		open_[i] = t1 - t_open;
	}
	printf("create_to_first_insn_ns=%llu\n",
	       (unsigned long long)median(create, reps));
	printf("open_to_first_insn_ns=%llu\n",
	       (unsigned long long)median(open_, reps));
	print_list("create_to_first_insn_runs_ns", create, reps);
	printf("first_insn_reps=%d\nfirst_insn_mem_mib=%zu\n"
	       "first_insn_config=%s\n",
	       reps, (size_t)(mem / MIB),
	       o->split ? "split-irqchip" : "no-irqchip");
	return 0;
}

static void print_hex(const char *key, const uint8_t *b, size_t n)
{
	printf("%s=", key);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

/* The guest loops' bytes, for run.sh to find in pvmini.elf. */
static int cmd_loops(void)
{
	uint8_t b[64];

	print_hex("null_loop", null_loop + 2, 9);
	print_hex("pp_client_loop", b, pp_loop_bytes(b, 0));
	print_hex("pp_server_loop", b, pp_loop_bytes(b, 1));
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rawkvm [-n] [-k] [-s] [-m] null N [R]\n"
			"       rawkvm [-n] boot [R] [MiB]\n"
			"       rawkvm [-n] [-s] [-w] pingpong N [R]\n"
			"       rawkvm [-n] [-s] [-w] dom0 N [R]\n"
			"       rawkvm loops\n");
	return 2;
}

static long arg_num(int argc, char **argv, int i, long dflt, long max)
{
	char *end;
	long v;

	if (i >= argc)
		return dflt;
	v = strtol(argv[i], &end, 10);
	return (*end || v <= 0 || v > max) ? -1 : v;
}

int main(int argc, char **argv)
{
	struct opts o = {.split = 1, .write_rax = 1};
	int c, kvm, rc;

	while ((c = getopt(argc, argv, "nksmw")) != -1) {
		switch (c) {
		case 'n':
			o.split = 0;
			break;
		case 'k':
			o.write_rax = 0;
			break;
		case 's':
			o.sregs = 1;
			break;
		case 'm':
			o.sigmask = 1;
			break;
		case 'w':
			o.every = 1;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	alarm(120); /* a hung guest fails the benchmark, never hangs it */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[0], "null")) {
		long n = arg_num(argc, argv, 1, -1, 1L << 30);
		long reps = arg_num(argc, argv, 2, 5, MAX_REPS);

		if (n < 0 || reps < 0)
			return usage();
		kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (kvm < 0)
			return fail("/dev/kvm"), 1;
		rc = cmd_null(kvm, &o, (uint64_t)n, (int)reps);
		close(kvm);
	} else if (!strcmp(argv[0], "pingpong") || !strcmp(argv[0], "dom0")) {
		long n = arg_num(argc, argv, 1, -1, 1L << 30);
		long reps = arg_num(argc, argv, 2, 3, MAX_REPS);
		sigset_t kick;

		if (n < 0 || reps < 0)
			return usage();
		/* Every thread blocks the kick; vCPU threads take it only
		 * inside KVM_RUN or sigwaitinfo (pvhv's arrangement). */
		sigemptyset(&kick);
		sigaddset(&kick, SIG_KICK);
		pthread_sigmask(SIG_BLOCK, &kick, NULL);
		kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (kvm < 0)
			return fail("/dev/kvm"), 1;
		rc = argv[0][0] == 'p'
			 ? cmd_pingpong(kvm, &o, (uint64_t)n, (int)reps)
			 : cmd_dom0(kvm, &o, (uint64_t)n, (int)reps);
		close(kvm);
	} else if (!strcmp(argv[0], "loops")) {
		rc = cmd_loops();
	} else if (!strcmp(argv[0], "boot")) {
		long reps = arg_num(argc, argv, 1, 20, MAX_REPS);
		long mib = arg_num(argc, argv, 2, 32, 1L << 16);

		if (reps < 0 || mib < 0)
			return usage();
		rc = cmd_boot(&o, (int)reps, (size_t)mib * MIB);
	} else {
		return usage();
	}
	return rc < 0 ? 1 : 0;
}
