/*
 * vCPU exits: hypercalls (port I/O on PV_HYPERCALL_IOPORT), the
 * hypercall-page MSR, stray port I/O and MMIO (logged with the guest RIP,
 * reads return all-ones), and fatal exits (crash the domain, never pvhv).
 */
#include <stdio.h>
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/pvhv.h>
#include <pvabi/vcpu.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>
#include <pvhv/kvm.h>

#define CR0_PE	 (1ull << 0)
#define CR0_PG	 (1ull << 31)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

static uint64_t vcpu_rip(struct vcpu *v)
{
	return v->run->s.regs.regs.rip;
}

/* ------------------------------------------------------- hypercall page */

static void hypercall_page_fill(uint8_t *page)
{
	for (unsigned int i = 0; i < PV_HYPERCALL_NR_STUBS; i++) {
		uint8_t *s = page + i * PV_HYPERCALL_STUB_SIZE;
		unsigned int n = 0;

		s[n++] = 0xf3; /* endbr64 */
		s[n++] = 0x0f;
		s[n++] = 0x1e;
		s[n++] = 0xfa;
		s[n++] = 0xb8; /* mov $i, %eax */
		s[n++] = (uint8_t)i;
		s[n++] = (uint8_t)(i >> 8);
		s[n++] = 0;
		s[n++] = 0;
		s[n++] = 0xe7; /* out %eax, $port */
		s[n++] = PV_HYPERCALL_IOPORT;
		s[n++] = 0xc3; /* ret */
		while (n + 1 < PV_HYPERCALL_STUB_SIZE) {
			s[n++] = 0x0f; /* ud2 */
			s[n++] = 0x0b;
		}
	}
}

static void exit_wrmsr(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t val = run->msr.data;
	gpa_t gpa = val & PAGE_MASK;
	uint8_t *page;

	run->msr.error = 1; /* #GP unless accepted below */
	if (run->msr.index != PV_HYPERCALL_MSR)
		return;
	/* Low 12 bits: page index; pvhv has one hypercall page. */
	page = (val & ~PAGE_MASK)
		   ? NULL
		   : gpa_to_hva(&v->d->mem, gpa, PAGE_SIZE, GM_KIND(GM_RAM));
	if (!page) {
		vlog_ratelimited(v, LOG_WARN, "hcall",
				 "hypercall page at %#llx refused (not a RAM "
				 "page), rip %#llx",
				 (unsigned long long)val,
				 (unsigned long long)vcpu_rip(v));
		return;
	}
	hypercall_page_fill(page);
	v->d->hypercall_page = gpa;
	run->msr.error = 0;
}

static void exit_rdmsr(struct vcpu *v)
{
	/* The hypercall MSR is write-only, as in Xen. */
	v->run->msr.error = 1;
	v->run->msr.data = 0;
}

/* ------------------------------------------------------------ hypercalls */

static int vcpu_cpl(struct vcpu *v)
{
	const struct kvm_sregs *s = &v->run->s.regs.sregs;

	return (s->cr0 & CR0_PE) ? s->ss.dpl : 0;
}

int64_t hypercall_unimplemented(struct vcpu *v, const char *call,
				uint64_t subop)
{
	vlog_ratelimited(v, LOG_WARN, "hcall",
			 "%s sub-op %llu not implemented: -ENOSYS", call,
			 (unsigned long long)subop);
	return -XEN_ENOSYS;
}

void hypercall_dispatch(struct vcpu *v)
{
	struct kvm_regs *r = &v->run->s.regs.regs;
	uint64_t args[5] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8};
	uint32_t nr = (uint32_t)r->rax;
	int64_t ret;

	v->nr_hypercalls++;
	if (unlikely(vcpu_cpl(v) != 0)) {
		ret = -XEN_EPERM;
	} else if (unlikely(nr >= HYPERCALL_TABLE_SIZE ||
			    !hypercall_table[nr].fn)) {
		vlog_ratelimited(v, LOG_WARN, "hcall",
				 "hypercall %u not implemented: -ENOSYS "
				 "(rip %#llx)",
				 nr, (unsigned long long)r->rip);
		ret = -XEN_ENOSYS;
	} else {
		ret = hypercall_table[nr].fn(v, args);
	}
	r->rax = (uint64_t)ret;
	v->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

/* ------------------------------------------------------- port I/O, MMIO */

static void exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;

	if (run->io.port == PV_HYPERCALL_IOPORT &&
	    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
	    run->io.count == 1) {
		hypercall_dispatch(v);
		return;
	}
	if (v->d->cfg.strict_io) {
		char why[96];

		snprintf(why, sizeof(why),
			 "strict_io: %s port %#x at rip %#llx",
			 run->io.direction == KVM_EXIT_IO_OUT ? "write to"
							      : "read from",
			 run->io.port, (unsigned long long)vcpu_rip(v));
		domain_crash(v, why);
		return;
	}
	vlog_ratelimited(v, LOG_WARN, "io",
			 "%s port %#x size %u count %u ignored (no device), "
			 "rip %#llx",
			 run->io.direction == KVM_EXIT_IO_OUT ? "write to"
							      : "read from",
			 run->io.port, run->io.size, run->io.count,
			 (unsigned long long)vcpu_rip(v));
	if (run->io.direction == KVM_EXIT_IO_IN &&
	    run->io.data_offset + bytes <= (uint64_t)kvm_host.run_size)
		memset(data, 0xff, bytes);
}

static void exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	if (v->d->cfg.strict_io) {
		char why[96];

		snprintf(why, sizeof(why), "strict_io: %s %#llx at rip %#llx",
			 run->mmio.is_write ? "write to" : "read from",
			 (unsigned long long)run->mmio.phys_addr,
			 (unsigned long long)vcpu_rip(v));
		domain_crash(v, why);
		return;
	}
	vlog_ratelimited(v, LOG_WARN, "mmio",
			 "%s %#llx (%u bytes) ignored (no device), rip %#llx",
			 run->mmio.is_write ? "write to" : "read from",
			 (unsigned long long)run->mmio.phys_addr, run->mmio.len,
			 (unsigned long long)vcpu_rip(v));
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
}

/* ------------------------------------------------------------ fatal */

static const char *vcpu_mode_name(const struct kvm_sregs *s)
{
	if (!(s->cr0 & CR0_PE))
		return "real mode";
	if (s->efer & EFER_LMA)
		return s->cs.l ? "64-bit mode" : "compatibility mode";
	return s->cs.db ? "32-bit protected mode" : "16-bit protected mode";
}

static void exit_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	const struct kvm_sregs *s = &run->s.regs.sregs;
	char why[192];
	int n;

	/* The mode and CS say where rip is (an AP's real-mode trampoline
	 * runs at CS:IP with a small rip). */
	n = snprintf(why, sizeof(why),
		     "KVM internal error %u in %s at %04x:%#llx",
		     run->internal.suberror, vcpu_mode_name(s), s->cs.selector,
		     (unsigned long long)vcpu_rip(v));
	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    (run->emulation_failure.flags &
	     KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)) {
		unsigned int len = run->emulation_failure.insn_size;

		if (len > sizeof(run->emulation_failure.insn_bytes))
			len = sizeof(run->emulation_failure.insn_bytes);
		n += snprintf(why + n, sizeof(why) - (size_t)n,
			      " (cannot emulate:");
		for (unsigned int i = 0; i < len && i < 8 && n < 180; i++)
			n += snprintf(why + n, sizeof(why) - (size_t)n, " %02x",
				      run->emulation_failure.insn_bytes[i]);
		snprintf(why + n, sizeof(why) - (size_t)n, ")");
	}
	domain_crash(v, why);
}

void vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	const struct kvm_sregs *s = &run->s.regs.sregs;
	char why[96];

	v->pw = (struct pw_regs){s->cr0, s->cr3, s->cr4, s->efer};
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		exit_io(v);
		break;
	case KVM_EXIT_MMIO:
		exit_mmio(v);
		break;
	case KVM_EXIT_X86_WRMSR:
		exit_wrmsr(v);
		break;
	case KVM_EXIT_X86_RDMSR:
		exit_rdmsr(v);
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC, which pvhv always has. */
		break;
	case KVM_EXIT_SHUTDOWN:
		snprintf(why, sizeof(why), "triple fault at rip %#llx",
			 (unsigned long long)vcpu_rip(v));
		domain_crash(v, why);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		exit_internal_error(v);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why), "VM entry failed (reason %#llx)",
			 (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason);
		domain_crash(v, why);
		break;
	default:
		snprintf(why, sizeof(why),
			 "unexpected KVM exit %u at rip %#llx",
			 run->exit_reason, (unsigned long long)vcpu_rip(v));
		domain_crash(v, why);
		break;
	}
}

/* ------------------------------------------------------ vCPU contexts */

#define AR_CODE64 0xa9b /* P, S, code exec/read accessed, L, G */
#define AR_DATA	  0xc93 /* P, S, data r/w accessed, DB, G */
#define AR_TSS	  0x08b /* P, busy 64/32-bit TSS */

int vcpu_apply_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *c)
{
	struct vcpu_start_regs r = {0};

	if (c->mode == VCPU_HVM_MODE_32B) {
		const struct vcpu_hvm_x86_32 *x = &c->cpu_regs.x86_32;

		r = (struct vcpu_start_regs){
		    .rax = x->eax,
		    .rcx = x->ecx,
		    .rdx = x->edx,
		    .rbx = x->ebx,
		    .rsp = x->esp,
		    .rbp = x->ebp,
		    .rsi = x->esi,
		    .rdi = x->edi,
		    .rip = x->eip,
		    .rflags = x->eflags,
		    .cr0 = x->cr0,
		    .cr3 = x->cr3,
		    .cr4 = x->cr4,
		    .efer = x->efer,
		    .cs_base = x->cs_base,
		    .ds_base = x->ds_base,
		    .ss_base = x->ss_base,
		    .es_base = x->es_base,
		    .tr_base = x->tr_base,
		    .cs_limit = x->cs_limit,
		    .ds_limit = x->ds_limit,
		    .ss_limit = x->ss_limit,
		    .es_limit = x->es_limit,
		    .tr_limit = x->tr_limit,
		    .cs_ar = x->cs_ar,
		    .ds_ar = x->ds_ar,
		    .ss_ar = x->ss_ar,
		    .es_ar = x->es_ar,
		    .tr_ar = x->tr_ar ? x->tr_ar : AR_TSS,
		};
	} else {
		const struct vcpu_hvm_x86_64 *x = &c->cpu_regs.x86_64;

		r = (struct vcpu_start_regs){
		    .rax = x->rax,
		    .rcx = x->rcx,
		    .rdx = x->rdx,
		    .rbx = x->rbx,
		    .rsp = x->rsp,
		    .rbp = x->rbp,
		    .rsi = x->rsi,
		    .rdi = x->rdi,
		    .rip = x->rip,
		    .rflags = x->rflags,
		    .cr0 = x->cr0,
		    .cr3 = x->cr3,
		    .cr4 = x->cr4,
		    .efer = x->efer,
		    .long_mode = true,
		    .cs_limit = 0xffffffff,
		    .ds_limit = 0xffffffff,
		    .ss_limit = 0xffffffff,
		    .es_limit = 0xffffffff,
		    .tr_limit = 0x67,
		    .cs_ar = AR_CODE64,
		    .ds_ar = AR_DATA,
		    .ss_ar = AR_DATA,
		    .es_ar = AR_DATA,
		    .tr_ar = AR_TSS,
		};
	}
	/* As Xen's arch_set_info_hvm_guest(): long mode is active when
	 * enabled with paging on; guests may leave LMA out. */
	if ((r.efer & EFER_LME) && (r.cr0 & CR0_PG))
		r.efer |= EFER_LMA;
	return kvm_vcpu_set_start_regs(v->fd, &r);
}

/* ------------------------------------------------------------ runstate */

void vcpu_runstate_publish(struct vcpu *v)
{
	struct vcpu_runstate_info info;
	bool flag =
	    __atomic_load_n(&v->d->runstate_update_flag, __ATOMIC_ACQUIRE);
	gva_t gva = __atomic_load_n(&v->runstate_gva, __ATOMIC_ACQUIRE);
	uint64_t t;
	const size_t at =
	    __builtin_offsetof(struct vcpu_runstate_info, state_entry_time);

	if (!gva || vcpu_current() != v)
		return;
	info.state = (uint32_t)v->runstate;
	info._pad0 = 0;
	info.state_entry_time = v->runstate_entry;
	memcpy(info.time, v->runstate_time, sizeof(info.time));
	/* With the update flag, readers see XEN_RUNSTATE_UPDATE while the
	 * area changes. Best effort, as in Xen: a bad address stops updates. */
	t = v->runstate_entry;
	if (flag)
		info.state_entry_time |= XEN_RUNSTATE_UPDATE;
	if (copy_to_guest(v, gva, &info, sizeof(info)) ||
	    (flag && (__atomic_thread_fence(__ATOMIC_SEQ_CST),
		      copy_to_guest(v, gva + at, &t, sizeof(t)))))
		__atomic_compare_exchange_n(&v->runstate_gva, &gva, 0, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
