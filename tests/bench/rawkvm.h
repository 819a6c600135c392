/*
 * rawkvm's shared parts: one VM with one vCPU, its guest memory and
 * page tables, hypercall stubs, exits, and the statistics helpers. See
 * rawkvm.c for what the program measures.
 */
#ifndef RAWKVM_H
#define RAWKVM_H

#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define MIB (1024ull * 1024)

/* Guest layout: pvmini's page tables, entry and hypercall page. */
#define PML4_GPA  0x1000ull
#define PDPT_GPA  0x2000ull
#define PD_GPA	  0x3000ull
#define STACK_GPA 0x80000ull
#define ENTRY_GPA 0x100000ull /* PVH kernels load at 1 MiB */
#define HPAGE_GPA 0x10b000ull /* pvmini's hypercall page */
#define STUB_SIZE 32u

#define HCALL_PORT 0xe4 /* PV_HYPERCALL_IOPORT */
#define START_PORT 0xe5
#define END_PORT   0xe6

#define MAX_REPS 100

#define SIG_KICK SIGUSR1 /* pvhv's SIG_VCPU_KICK */

struct opts {
	int split;     /* KVM_CAP_SPLIT_IRQCHIP */
	int write_rax; /* hypercall result through sync regs */
	int sregs;     /* KVM_SYNC_X86_SREGS on every exit */
	int sigmask;   /* KVM_SET_SIGNAL_MASK */
	int every;     /* ping-pong: every poll parks and is kicked */
};

/* One VM with one vCPU. */
struct vm {
	int vm, vcpu, memfd;
	uint8_t *mem;
	size_t mem_size;
	struct kvm_run *run;
	size_t run_size;
};

uint64_t now_ns(void);
/* Prints "rawkvm: what: strerror(errno)"; returns -1. */
int fail(const char *what);

/* VM, guest memory (a memfd, like pvhv), one vCPU with its kvm_run. */
int vm_create(struct vm *m, int kvm, size_t mem_size, int split);
void vm_destroy(struct vm *m);
/* Flat segments; long mode with the page tables at PML4_GPA, or 32-bit
 * protected mode with paging off (PVH entry). */
int vcpu_set_mode(struct vm *m, int long_mode, uint64_t rip);
/* Blocks SIG_KICK in the calling thread except inside KVM_RUN. */
int vcpu_block_kick_signal(struct vm *m);
/* KVM_RUN, retried on EINTR. */
int vcpu_run(struct vm *m);

void put(struct vm *m, uint64_t gpa, const void *p, size_t n);
/* Identity map of the first 1 GiB with 2 MiB pages (pvmini's kind). */
void ptables_write(struct vm *m);
/* Hypercall stub `nr` of the hypercall page at HPAGE_GPA, as pvhv fills
 * it; returns its address. */
uint64_t stub_write(struct vm *m, uint8_t nr);

int is_out(const struct kvm_run *run, uint16_t port);
/* Prints the unexpected exit; returns -1. */
int bad_exit(const struct kvm_run *run);

uint64_t median(const uint64_t *in, int n);
/* KEY=v1,v2,... */
void print_list(const char *key, const uint64_t *v, int n);

/* rawkvm-evtchn.c: the event-channel floors, and the bytes of their
 * guest loops (pvmini's pp_client / pp_server loops) into buf[64]. */
size_t pp_loop_bytes(uint8_t *buf, int server);
int cmd_pingpong(int kvm, const struct opts *o, uint64_t n, int reps);
int cmd_dom0(int kvm, const struct opts *o, uint64_t n, int reps);

#endif
