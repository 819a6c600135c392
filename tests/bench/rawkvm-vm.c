/* rawkvm: one VM, its memory and vCPU, exits, statistics (rawkvm.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "rawkvm.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int fail(const char *what)
{
	fprintf(stderr, "rawkvm: %s: %s\n", what, strerror(errno));
	return -1;
}

void vm_destroy(struct vm *m)
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

int vm_create(struct vm *m, int kvm, size_t mem_size, int split)
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
int vcpu_set_mode(struct vm *m, int long_mode, uint64_t rip)
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

void put(struct vm *m, uint64_t gpa, const void *p, size_t n)
{
	memcpy(m->mem + gpa, p, n);
}

void ptables_write(struct vm *m)
{
	uint64_t e;

	e = PDPT_GPA | 3;
	put(m, PML4_GPA, &e, 8);
	e = PD_GPA | 3;
	put(m, PDPT_GPA, &e, 8);
	for (uint64_t i = 0; i < 512; i++) {
		e = (i << 21) | 0x83; /* P, RW, PS */
		put(m, PD_GPA + i * 8, &e, 8);
	}
}

uint64_t stub_write(struct vm *m, uint8_t nr)
{
	/* One instruction per line. */
	/* clang-format off */
	const uint8_t stub[] = {
	    0xf3, 0x0f, 0x1e, 0xfa,		/* endbr64 */
	    0xb8, nr, 0x00, 0x00, 0x00,		/* mov $nr,%eax */
	    0xe7, HCALL_PORT,			/* out %eax,$0xe4 */
	    0xc3,				/* ret */
	};
	/* clang-format on */
	uint64_t gpa = HPAGE_GPA + (uint64_t)nr * STUB_SIZE;

	for (uint64_t o = sizeof(stub); o + 1 < STUB_SIZE; o += 2)
		put(m, gpa + o, "\x0f\x0b", 2);
	put(m, gpa, stub, sizeof(stub));
	return gpa;
}

int is_out(const struct kvm_run *run, uint16_t port)
{
	return run->exit_reason == KVM_EXIT_IO &&
	       run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port;
}

int bad_exit(const struct kvm_run *run)
{
	fprintf(stderr, "rawkvm: unexpected exit %u (port %#x) at rip %#llx\n",
		run->exit_reason,
		run->exit_reason == KVM_EXIT_IO ? run->io.port : 0,
		(unsigned long long)run->s.regs.regs.rip);
	return -1;
}

int vcpu_run(struct vm *m)
{
	int rc;

	do {
		rc = ioctl(m->vcpu, KVM_RUN, 0);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? fail("KVM_RUN") : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t median(const uint64_t *in, int n)
{
	uint64_t v[MAX_REPS];

	memcpy(v, in, (size_t)n * sizeof(*v));
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void print_list(const char *key, const uint64_t *v, int n)
{
	printf("%s=", key);
	for (int i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)v[i]);
	printf("\n");
}

int vcpu_block_kick_signal(struct vm *m)
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
