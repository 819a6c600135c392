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
 * Output: key=value lines. Exit status 1 on any unexpected exit or error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024ull * 1024)

/* Guest layout: pvmini's addresses for the loop and the stub. */
#define PML4_GPA  0x1000ull
#define PDPT_GPA  0x2000ull
#define PD_GPA	  0x3000ull
#define STACK_GPA 0x80000ull
#define ENTRY_GPA 0x100000ull /* PVH kernels load at 1 MiB */
#define LOOP_GPA  0x101f3cull /* start marker; pvmini's loop at +2 */
#define HPAGE_GPA 0x10b000ull /* pvmini's hypercall page */
#define STUB_NR	  17u	      /* __HYPERVISOR_xen_version */
#define STUB_SIZE 32u

#define HCALL_PORT 0xe4 /* PV_HYPERCALL_IOPORT */
#define START_PORT 0xe5
#define END_PORT   0xe6

#define MAX_REPS 100

#define SIG_KICK SIGUSR1 /* pvhv's SIG_VCPU_KICK */

#define XENVER_RET ((4u << 16) | 17u) /* what pvhv's XENVER_version says */

struct opts {
	int split;     /* KVM_CAP_SPLIT_IRQCHIP */
	int write_rax; /* hypercall result through sync regs */
	int sregs;     /* KVM_SYNC_X86_SREGS on every exit */
	int sigmask;   /* KVM_SET_SIGNAL_MASK */
};

struct vm {
	int vm, vcpu, memfd;
	uint8_t *mem;
	size_t mem_size;
	struct kvm_run *run;
	size_t run_size;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "rawkvm: %s: %s\n", what, strerror(errno));
	return -1;
}

static void vm_destroy(struct vm *m)
{
	if (m->run)
		munmap(m->run, m->run_size);
	if (m->vcpu >= 0)
		close(m->vcpu);
	if (m->mem)
		munmap(m->mem, m->mem_size);
	if (m->memfd >= 0)
		close(m->memfd);
	if (m->vm >= 0)
		close(m->vm);
}

/* VM, guest memory (a memfd, like pvhv), one vCPU with its kvm_run. */
static int vm_create(struct vm *m, int kvm, size_t mem_size, int split)
{
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP};
	struct kvm_userspace_memory_region r = {0};
	int sz;

	*m = (struct vm){.vm = -1, .vcpu = -1, .memfd = -1};
	m->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (m->vm < 0)
		return fail("KVM_CREATE_VM");
	if (split && ioctl(m->vm, KVM_ENABLE_CAP, &cap) < 0)
		return fail("KVM_CAP_SPLIT_IRQCHIP");
	m->memfd = memfd_create("rawkvm", MFD_CLOEXEC);
	if (m->memfd < 0 || ftruncate(m->memfd, (off_t)mem_size) < 0)
		return fail("memfd");
	m->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->memfd, 0);
	if (m->mem == MAP_FAILED) {
		m->mem = NULL;
		return fail("mmap guest memory");
	}
	m->mem_size = mem_size;
	r.memory_size = mem_size;
	r.userspace_addr = (uint64_t)(uintptr_t)m->mem;
	if (ioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	m->vcpu = ioctl(m->vm, KVM_CREATE_VCPU, 0);
	if (m->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz <= 0)
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	m->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m->vcpu, 0);
	if (m->run == MAP_FAILED) {
		m->run = NULL;
		return fail("mmap kvm_run");
	}
	m->run_size = (size_t)sz;
	return 0;
}

static struct kvm_segment flat_seg(uint16_t sel, uint8_t type, int l)
{
	return (struct kvm_segment){
	    .base = 0,
	    .limit = 0xffffffff,
	    .selector = sel,
	    .type = type,
	    .present = 1,
	    .s = 1,
	    .db = !l,
	    .l = (uint8_t)l,
	    .g = 1,
	};
}

/* Flat segments; long mode with m's page tables, or 32-bit protected
 * mode with paging off (PVH entry). */
static int vcpu_set_mode(struct vm *m, int long_mode, uint64_t rip)
{
	struct kvm_sregs s;
	struct kvm_regs g = {.rip = rip, .rsp = STACK_GPA, .rflags = 2};

	if (ioctl(m->vcpu, KVM_GET_SREGS, &s) < 0)
		return fail("KVM_GET_SREGS");
	s.cs = flat_seg(0x08, 0xb, long_mode);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_seg(0x10, 0x3, 0);
	s.tr = (struct kvm_segment){
	    .limit = 0x67, .selector = 0x18, .type = 0xb, .present = 1};
	s.cr0 = 0x11; /* PE, ET */
	if (long_mode) {
		s.cr0 |= (1u << 31) | (1u << 16); /* PG, WP: pvmini's */
		s.cr3 = PML4_GPA;
		s.cr4 = 1u << 5;		 /* PAE */
		s.efer = (1u << 8) | (1u << 10); /* LME, LMA */
	}
	if (ioctl(m->vcpu, KVM_SET_SREGS, &s) < 0)
		return fail("KVM_SET_SREGS");
	if (ioctl(m->vcpu, KVM_SET_REGS, &g) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

static void put(struct vm *m, uint64_t gpa, const void *p, size_t n)
{
	memcpy(m->mem + gpa, p, n);
}

/* Identity map of the first 1 GiB with 2 MiB pages, the bench loop with
 * its markers, and the hypercall stub. */
static void null_guest_write(struct vm *m)
{
	/* One instruction per line. */
	/* clang-format off */
	static const uint8_t loop[] = {
	    0xe6, START_PORT,		/* out %al,$0xe5 */
	    0x31, 0xff,			/* 1: xor %edi,%edi */
	    0xff, 0xd2,			/* call *%rdx */
	    0x48, 0xff, 0xc9,		/* dec %rcx */
	    0x75, 0xf7,			/* jnz 1b */
	    0xe6, END_PORT,		/* out %al,$0xe6 */
	    0xeb, (uint8_t)(-15),	/* jmp back to the start marker */
	};
	static const uint8_t stub[] = {
	    0xf3, 0x0f, 0x1e, 0xfa,		/* endbr64 */
	    0xb8, STUB_NR, 0x00, 0x00, 0x00,	/* mov $17,%eax */
	    0xe7, HCALL_PORT,			/* out %eax,$0xe4 */
	    0xc3,				/* ret */
	};
	/* clang-format on */
	uint64_t e;

	e = PDPT_GPA | 3;
	put(m, PML4_GPA, &e, 8);
	e = PD_GPA | 3;
	put(m, PDPT_GPA, &e, 8);
	for (uint64_t i = 0; i < 512; i++) {
		e = (i << 21) | 0x83; /* P, RW, PS */
		put(m, PD_GPA + i * 8, &e, 8);
	}
	put(m, LOOP_GPA, loop, sizeof(loop));
	for (uint64_t o = sizeof(stub); o + 1 < STUB_SIZE; o += 2)
		put(m, HPAGE_GPA + STUB_NR * STUB_SIZE + o, "\x0f\x0b", 2);
	put(m, HPAGE_GPA + STUB_NR * STUB_SIZE, stub, sizeof(stub));
}

static int is_out(const struct kvm_run *run, uint16_t port)
{
	return run->exit_reason == KVM_EXIT_IO &&
	       run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port;
}

static int bad_exit(const struct kvm_run *run)
{
	fprintf(stderr, "rawkvm: unexpected exit %u (port %#x) at rip %#llx\n",
		run->exit_reason,
		run->exit_reason == KVM_EXIT_IO ? run->io.port : 0,
		(unsigned long long)run->s.regs.regs.rip);
	return -1;
}

static int vcpu_run(struct vm *m)
{
	int rc;

	do {
		rc = ioctl(m->vcpu, KVM_RUN, 0);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? fail("KVM_RUN") : 0;
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

static void print_list(const char *key, const uint64_t *v, int n)
{
	printf("%s=", key);
	for (int i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)v[i]);
	printf("\n");
}

static int vcpu_block_kick_signal(struct vm *m)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} s = {.m.len = 8};
	sigset_t blocked, run_mask;

	/* pvhv: the kick signal is blocked except inside KVM_RUN. */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIG_KICK);
	pthread_sigmask(SIG_BLOCK, &blocked, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &run_mask);
	sigdelset(&run_mask, SIG_KICK);
	memcpy(s.set, &run_mask, 8);
	if (ioctl(m->vcpu, KVM_SET_SIGNAL_MASK, &s) < 0)
		return fail("KVM_SET_SIGNAL_MASK");
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

static int usage(void)
{
	fprintf(stderr, "usage: rawkvm [-n] [-k] [-s] [-m] null N [R]\n"
			"       rawkvm [-n] boot [R] [MiB]\n");
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

	while ((c = getopt(argc, argv, "nksm")) != -1) {
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
