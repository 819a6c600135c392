/*
 * The KVM interface: the only module that issues KVM ioctls. Everything
 * else sees file descriptors, the shared kvm_run page and plain structs.
 */
#ifndef PVHV_KVM_H
#define PVHV_KVM_H

#include <linux/kvm.h>
#include <signal.h>

#include <pvhv/types.h>

struct kvm_host {
	int fd;
	int run_size;
	int max_vcpus;
	uint32_t tsc_khz;
	bool emulating;		  /* kvm_pvm: guest code is emulated */
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
};

extern struct kvm_host kvm_host;

/* Opens /dev/kvm, checks the capabilities pvhv needs (naming any missing
 * one in *why) and reads the supported CPUID. */
int kvm_host_init(const char **why);

/* A VM with a split irqchip (in-kernel LAPICs, no PIC/IOAPIC/PIT) and the
 * hypercall-page MSR routed to user space. */
int kvm_vm_create(int *vmfd);
int kvm_vm_set_slot(int vmfd, int slot, gpa_t gpa, uint64_t size, void *hva);
/* Fixed, edge-triggered, physical-destination MSI to an x2APIC id. */
int kvm_vm_signal_msi(int vmfd, uint32_t apic_id, uint8_t vector);

int kvm_vcpu_create(int vmfd, uint32_t id, int *fd, struct kvm_run **run);
void kvm_vcpu_close(int fd, struct kvm_run *run);
int kvm_vcpu_set_cpuid(int fd, const struct kvm_cpuid2 *cpuid);
/* Unblocks `sig` only while the vCPU runs guest code. */
int kvm_vcpu_set_signal_mask(int fd, const sigset_t *mask);
int kvm_vcpu_run(int fd);
int kvm_vcpu_set_mp_state(int fd, uint32_t state);
int kvm_vcpu_get_mp_state(int fd, uint32_t *state);
int kvm_vcpu_interrupt(int fd, uint8_t vector);
uint32_t kvm_vcpu_get_tsc_khz(int fd);
int kvm_vcpu_get_tsc_offset(int fd, int64_t *offset);
int kvm_vcpu_set_tsc_offset(int fd, int64_t offset);
/* Guest TSC read through the MSR, bracketed by host TSC reads. */
int kvm_vcpu_read_tsc(int fd, uint64_t *guest, uint64_t *host_mid);
/* Routes LINT0 as ExtINT so legacy callback vectors reach every vCPU. */
int kvm_vcpu_lint0_extint(int fd);

/* Register state for starting a vCPU (PVH entry or VCPUOP_initialise). */
struct vcpu_start_regs {
	uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
	uint64_t rip, rflags;
	uint64_t cr0, cr3, cr4, efer;
	bool long_mode; /* 64-bit code segment */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint64_t cs_base, ds_base, ss_base, es_base, tr_base;
	uint32_t cs_limit, ds_limit, ss_limit, es_limit, tr_limit;
	uint16_t cs_ar, ds_ar, ss_ar, es_ar, tr_ar; /* Xen's attribute bytes */
};
int kvm_vcpu_set_start_regs(int fd, const struct vcpu_start_regs *r);

#endif
