/*
 * All KVM ioctls live here (system, VM and vCPU). Functions return 0 or
 * -errno and never log: callers know the context (domain, vCPU).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#include <pvabi/pvhv.h>
#include <pvhv/kvm.h>

struct kvm_host kvm_host = {.fd = -1};

#define MSR_IA32_TSC 0x10

static int xioctl(int fd, unsigned long req, void *arg)
{
	int rc;

	do {
		rc = ioctl(fd, req, arg);
	} while (rc < 0 && errno == EINTR && req != KVM_RUN);
	return rc < 0 ? -errno : rc;
}

static int kvm_read_supported_cpuid(void)
{
	for (int n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c =
		    calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		int rc;

		if (!c)
			return -ENOMEM;
		c->nent = (uint32_t)n;
		rc = xioctl(kvm_host.fd, KVM_GET_SUPPORTED_CPUID, c);
		if (rc == 0) {
			kvm_host.cpuid = c;
			return 0;
		}
		free(c);
		if (rc != -E2BIG)
			return rc;
	}
	return -E2BIG;
}

int kvm_host_init(const char **why)
{
	static const struct {
		int cap;
		const char *name;
	} need[] = {
	    {KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS"},
	    {KVM_CAP_SPLIT_IRQCHIP, "KVM_CAP_SPLIT_IRQCHIP"},
	    {KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI"},
	    {KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"},
	    {KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER"},
	    {KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE"},
	    {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
	};
	int rc;

	kvm_host.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_host.fd < 0) {
		*why = "cannot open /dev/kvm";
		return -errno;
	}
	if (ioctl(kvm_host.fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		*why = "unexpected KVM API version";
		return -ENOTSUP;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (ioctl(kvm_host.fd, KVM_CHECK_EXTENSION, need[i].cap) <= 0) {
			*why = need[i].name;
			return -ENOTSUP;
		}
	}
	kvm_host.run_size = ioctl(kvm_host.fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	kvm_host.max_vcpus =
	    ioctl(kvm_host.fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (kvm_host.max_vcpus <= 0)
		kvm_host.max_vcpus = 1;
	/* The module name tells an emulating host (guest code interpreted by
	 * KVM's instruction emulator) from VMX/SVM. */
	kvm_host.emulating = access("/sys/module/kvm_pvm", F_OK) == 0;
	rc = kvm_read_supported_cpuid();
	if (rc < 0)
		*why = "KVM_GET_SUPPORTED_CPUID";
	return rc;
}

int kvm_vm_create(int *vmfd)
{
	struct kvm_enable_cap split = {.cap = KVM_CAP_SPLIT_IRQCHIP,
				       .args = {0}};
	struct kvm_enable_cap umsr = {
	    .cap = KVM_CAP_X86_USER_SPACE_MSR,
	    .args = {KVM_MSR_EXIT_REASON_FILTER},
	};
	uint8_t deny = 0; /* bit clear: access denied -> user-space exit */
	struct kvm_msr_filter filter = {
	    .flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
	    .ranges = {{.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.nmsrs = 1,
			.base = PV_HYPERCALL_MSR,
			.bitmap = &deny}},
	};
	int fd, rc;

	fd = ioctl(kvm_host.fd, KVM_CREATE_VM, 0);
	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* No IOAPIC routes: pvhv models no IOAPIC; MSIs need none. */
	if ((rc = xioctl(fd, KVM_ENABLE_CAP, &split)) < 0 ||
	    (rc = xioctl(fd, KVM_ENABLE_CAP, &umsr)) < 0 ||
	    (rc = xioctl(fd, KVM_X86_SET_MSR_FILTER, &filter)) < 0) {
		close(fd);
		return rc;
	}
	*vmfd = fd;
	return 0;
}

int kvm_vm_set_slot(int vmfd, int slot, gpa_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
	    .slot = (uint32_t)slot,
	    .guest_phys_addr = gpa,
	    .memory_size = size,
	    .userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return xioctl(vmfd, KVM_SET_USER_MEMORY_REGION, &r);
}

int kvm_vm_signal_msi(int vmfd, uint32_t apic_id, uint8_t vector)
{
	struct kvm_msi msi = {
	    .address_lo = 0xfee00000u | ((apic_id & 0xff) << 12),
	    .address_hi = apic_id & 0xffffff00u, /* x2APIC extended id */
	    .data = vector,
	};
	int rc = xioctl(vmfd, KVM_SIGNAL_MSI, &msi);

	/* 0 means the interrupt was blocked (e.g. APIC software-disabled). */
	return rc < 0 ? rc : (rc == 0 ? -EAGAIN : 0);
}

int kvm_vcpu_create(int vmfd, uint32_t id, int *fd, struct kvm_run **run)
{
	void *p;
	int f;

	f = ioctl(vmfd, KVM_CREATE_VCPU, (unsigned long)id);
	if (f < 0)
		return -errno;
	fcntl(f, F_SETFD, FD_CLOEXEC);
	p = mmap(NULL, (size_t)kvm_host.run_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, f, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		close(f);
		return err;
	}
	*fd = f;
	*run = p;
	return 0;
}

void kvm_vcpu_close(int fd, struct kvm_run *run)
{
	if (run)
		munmap(run, (size_t)kvm_host.run_size);
	if (fd >= 0)
		close(fd);
}

int kvm_vcpu_set_cpuid(int fd, const struct kvm_cpuid2 *cpuid)
{
	return xioctl(fd, KVM_SET_CPUID2, (void *)cpuid);
}

int kvm_vcpu_set_signal_mask(int fd, const sigset_t *mask)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];
	} s = {.m.len = 8};

	memcpy(s.set, mask, 8);
	return xioctl(fd, KVM_SET_SIGNAL_MASK, &s);
}

int kvm_vcpu_run(int fd)
{
	return ioctl(fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

int kvm_vcpu_set_mp_state(int fd, uint32_t state)
{
	struct kvm_mp_state mp = {.mp_state = state};

	return xioctl(fd, KVM_SET_MP_STATE, &mp);
}

int kvm_vcpu_get_mp_state(int fd, uint32_t *state)
{
	struct kvm_mp_state mp;
	int rc = xioctl(fd, KVM_GET_MP_STATE, &mp);

	if (rc == 0)
		*state = mp.mp_state;
	return rc;
}

int kvm_vcpu_interrupt(int fd, uint8_t vector)
{
	struct kvm_interrupt irq = {.irq = vector};

	return xioctl(fd, KVM_INTERRUPT, &irq);
}

uint32_t kvm_vcpu_get_tsc_khz(int fd)
{
	int khz = ioctl(fd, KVM_GET_TSC_KHZ, 0);

	return khz > 0 ? (uint32_t)khz : 0;
}

int kvm_vcpu_get_tsc_offset(int fd, int64_t *offset)
{
	struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL,
				    .attr = KVM_VCPU_TSC_OFFSET,
				    .addr = (uint64_t)(uintptr_t)offset};

	return xioctl(fd, KVM_GET_DEVICE_ATTR, &a);
}

int kvm_vcpu_set_tsc_offset(int fd, int64_t offset)
{
	struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL,
				    .attr = KVM_VCPU_TSC_OFFSET,
				    .addr = (uint64_t)(uintptr_t)&offset};

	return xioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

int kvm_vcpu_read_tsc(int fd, uint64_t *guest, uint64_t *host_mid)
{
	struct {
		struct kvm_msrs m;
		struct kvm_msr_entry e;
	} msr = {.m.nmsrs = 1, .e.index = MSR_IA32_TSC};
	uint64_t h0, h1;
	int rc;

	h0 = __rdtsc();
	rc = xioctl(fd, KVM_GET_MSRS, &msr);
	h1 = __rdtsc();
	if (rc < 0)
		return rc;
	if (rc != 1)
		return -EIO;
	*guest = msr.e.data;
	*host_mid = h0 + (h1 - h0) / 2;
	return 0;
}

#define APIC_LVT0      0x350
#define APIC_DM_EXTINT 0x700

int kvm_vcpu_lint0_extint(int fd)
{
	struct kvm_lapic_state la;
	uint32_t v = APIC_DM_EXTINT;
	int rc = xioctl(fd, KVM_GET_LAPIC, &la);

	if (rc < 0)
		return rc;
	memcpy(&la.regs[APIC_LVT0], &v, sizeof(v));
	return xioctl(fd, KVM_SET_LAPIC, &la);
}

/* Xen's segment attribute layout: type:4 s:1 dpl:2 p:1 avl:1 l:1 db:1 g:1. */
static struct kvm_segment seg_from_ar(uint16_t sel, uint64_t base,
				      uint32_t limit, uint16_t ar)
{
	return (struct kvm_segment){
	    .base = base,
	    .limit = limit,
	    .selector = sel,
	    .type = ar & 0xf,
	    .s = (ar >> 4) & 1,
	    .dpl = (ar >> 5) & 3,
	    .present = (ar >> 7) & 1,
	    .avl = (ar >> 8) & 1,
	    .l = (ar >> 9) & 1,
	    .db = (ar >> 10) & 1,
	    .g = (ar >> 11) & 1,
	    .unusable = !((ar >> 7) & 1),
	};
}

int kvm_vcpu_set_start_regs(int fd, const struct vcpu_start_regs *r)
{
	struct kvm_sregs s;
	struct kvm_regs g;
	int rc;

	rc = xioctl(fd, KVM_GET_SREGS, &s);
	if (rc < 0)
		return rc;
	s.cs = seg_from_ar(0x08, r->cs_base, r->cs_limit, r->cs_ar);
	s.ds = seg_from_ar(0x10, r->ds_base, r->ds_limit, r->ds_ar);
	s.es = seg_from_ar(0x10, r->es_base, r->es_limit, r->es_ar);
	s.ss = seg_from_ar(0x10, r->ss_base, r->ss_limit, r->ss_ar);
	s.fs = s.ds;
	s.gs = s.ds;
	s.tr = seg_from_ar(0x18, r->tr_base, r->tr_limit, r->tr_ar);
	s.ldt = (struct kvm_segment){.unusable = 1, .type = 2, .present = 0};
	s.gdt.base = r->gdt_base;
	s.gdt.limit = r->gdt_limit;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = r->cr0;
	s.cr3 = r->cr3;
	s.cr4 = r->cr4;
	s.efer = r->efer;
	rc = xioctl(fd, KVM_SET_SREGS, &s);
	if (rc < 0)
		return rc;
	memset(&g, 0, sizeof(g));
	g.rax = r->rax;
	g.rcx = r->rcx;
	g.rdx = r->rdx;
	g.rbx = r->rbx;
	g.rsp = r->rsp;
	g.rbp = r->rbp;
	g.rsi = r->rsi;
	g.rdi = r->rdi;
	g.rip = r->rip;
	g.rflags = r->rflags | 2;
	return xioctl(fd, KVM_SET_REGS, &g);
}
