/* The CPUID a pvhv vCPU sees: the host's, masked, plus Xen's leaves. */
#ifndef PVHV_CPUID_H
#define PVHV_CPUID_H

#include <linux/kvm.h>

#include <pvhv/types.h>

/* Xen interface version pvhv implements (CPUID leaf base+1, XENVER_version). */
#define PVHV_XEN_MAJOR 4
#define PVHV_XEN_MINOR 17

/* Builds the table for one vCPU from the host's supported CPUID; returns a
 * malloc'ed table or NULL. */
struct kvm_cpuid2 *cpuid_build(const struct kvm_cpuid2 *host, uint32_t domid,
			       uint32_t vcpu_id, uint32_t nr_vcpus,
			       uint32_t tsc_khz);

#endif
