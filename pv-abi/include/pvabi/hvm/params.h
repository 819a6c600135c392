/*
 * HVM parameters, read and set with HVMOP_get_param/HVMOP_set_param.
 * The toolstack sets most of them; a guest reads the ones that describe
 * its magic pages and sets its event callback. Mirrors Xen's
 * public/hvm/params.h (x86 definitions).
 */
#ifndef PVABI_HVM_PARAMS_H
#define PVABI_HVM_PARAMS_H

#include "hvm_op.h"

/*
 * How event-channel upcalls reach the guest (vCPU 0 without a per-vCPU
 * vector). 0 disables them; otherwise bits 63:56 hold the type and the
 * rest its argument.
 */
#define HVM_PARAM_CALLBACK_IRQ		 0
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK 0xFF00000000000000ULL
/* pvhv extension: Xen has only the mask; the type is value >> 56. */
#define PV_HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT 56

#define HVM_PARAM_CALLBACK_TYPE_GSI 0 /* bits 55:0: GSI (not 0) */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX                                       \
	1 /* seg 47:32 bus 31:16 devfn 15:8 pin 1:0 */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR 2 /* bits 7:0: IDT vector, no EOI */

/* Magic pages and their event channels, filled in by the toolstack. */
#define HVM_PARAM_STORE_PFN    1 /* xenstore ring frame */
#define HVM_PARAM_STORE_EVTCHN 2 /* its port */
#define HVM_PARAM_IOREQ_PFN    5
#define HVM_PARAM_BUFIOREQ_PFN 6

/* Retired numbers (meaning undefined); Xen shows them to tools only. */
#define HVM_PARAM_PAE_ENABLED		   4
#define HVM_PARAM_DM_DOMAIN		   13
#define HVM_PARAM_MEMORY_EVENT_CR0	   20
#define HVM_PARAM_MEMORY_EVENT_CR3	   21
#define HVM_PARAM_MEMORY_EVENT_CR4	   22
#define HVM_PARAM_MEMORY_EVENT_INT3	   23
#define HVM_PARAM_NESTEDHVM		   24
#define HVM_PARAM_MEMORY_EVENT_SINGLE_STEP 25
#define HVM_PARAM_BUFIOREQ_EVTCHN	   26
#define HVM_PARAM_MEMORY_EVENT_MSR	   30

/* Hyper-V enlightenments offered to the guest: a mask of HVMPV_*. */
#define HVM_PARAM_VIRIDIAN 9

#define _HVMPV_base_freq	      0
#define HVMPV_base_freq		      (1 << _HVMPV_base_freq)
#define _HVMPV_no_freq		      1
#define HVMPV_no_freq		      (1 << _HVMPV_no_freq)
#define _HVMPV_time_ref_count	      2
#define HVMPV_time_ref_count	      (1 << _HVMPV_time_ref_count)
#define _HVMPV_reference_tsc	      3
#define HVMPV_reference_tsc	      (1 << _HVMPV_reference_tsc)
#define _HVMPV_hcall_remote_tlb_flush 4
#define HVMPV_hcall_remote_tlb_flush  (1 << _HVMPV_hcall_remote_tlb_flush)
#define _HVMPV_apic_assist	      5
#define HVMPV_apic_assist	      (1 << _HVMPV_apic_assist)
#define _HVMPV_crash_ctl	      6
#define HVMPV_crash_ctl		      (1 << _HVMPV_crash_ctl)
#define _HVMPV_synic		      7
#define HVMPV_synic		      (1 << _HVMPV_synic)
#define _HVMPV_stimer		      8
#define HVMPV_stimer		      (1 << _HVMPV_stimer)
#define _HVMPV_hcall_ipi	      9
#define HVMPV_hcall_ipi		      (1 << _HVMPV_hcall_ipi)
#define _HVMPV_ex_processor_masks     10
#define HVMPV_ex_processor_masks      (1 << _HVMPV_ex_processor_masks)
#define _HVMPV_no_vp_limit	      11
#define HVMPV_no_vp_limit	      (1 << _HVMPV_no_vp_limit)
#define _HVMPV_cpu_hotplug	      12
#define HVMPV_cpu_hotplug	      (1 << _HVMPV_cpu_hotplug)
#define HVMPV_feature_mask	      ((1 << 13) - 1) /* all of the above */

/* Virtual timer behaviour when ticks are missed: HVMPTM_*. */
#define HVM_PARAM_TIMER_MODE	      10
#define HVMPTM_delay_for_missed_ticks 0 /* deliver late, time stepwise */
#define HVMPTM_no_delay_for_missed_ticks                                       \
	1 /* deliver late, time tracks wallclock */
#define HVMPTM_no_missed_ticks_pending 2 /* drop missed ticks */
#define HVMPTM_one_missed_tick_pending 3 /* fold missed ticks into one */

#define HVM_PARAM_HPET_ENABLED 11 /* boolean: emulate an HPET */
#define HVM_PARAM_IDENT_PT     12 /* identity page table (EPT, paging off) */
#define HVM_PARAM_ACPI_S_STATE 14 /* ACPI sleep state (S0, S3) */
#define HVM_PARAM_VM86_TSS     15 /* TSS for real mode (Intel) */
#define HVM_PARAM_VPT_ALIGN    16 /* boolean: align periodic timers */

/* Console ring frame and its port, filled in by the toolstack. */
#define HVM_PARAM_CONSOLE_PFN	 17
#define HVM_PARAM_CONSOLE_EVTCHN 18

/* ACPI PM1a/TMR block location: 0 at 0x1f40, 1 at 0xb000. */
#define HVM_PARAM_ACPI_IOPORTS_LOCATION 19

/* Rings of the paging, monitor and sharing vm_event interfaces. */
#define HVM_PARAM_PAGING_RING_PFN  27
#define HVM_PARAM_MONITOR_RING_PFN 28
#define HVM_PARAM_SHARING_RING_PFN 29

#define HVM_PARAM_TRIPLE_FAULT_REASON	31 /* SHUTDOWN_* on triple fault */
#define HVM_PARAM_IOREQ_SERVER_PFN	32
#define HVM_PARAM_NR_IOREQ_SERVER_PAGES 33
#define HVM_PARAM_VM_GENERATION_ID_ADDR 34 /* guest address of the VM gen id */

/* Who may use altp2m (HVMOP_altp2m): XEN_ALTP2M_*. */
#define HVM_PARAM_ALTP2M    35
#define XEN_ALTP2M_disabled 0
#define XEN_ALTP2M_mixed    1 /* guest and tools */
#define XEN_ALTP2M_external 2 /* tools only */
#define XEN_ALTP2M_limited  3 /* guest: VMFUNC and #VE only */

/* Width of the saved x87 FIP/FDP: 0 (choose), 4 or 8 bytes. */
#define HVM_PARAM_X87_FIP_WIDTH 36

/* Real-mode TSS: address in bits 31:0, size in 63:32. */
#define HVM_PARAM_VM86_TSS_SIZED 37

/* Machine-check capabilities: XEN_HVM_MCA_CAP_*. */
#define HVM_PARAM_MCA_CAP    38
#define XEN_HVM_MCA_CAP_LMCE (1ULL << 0)
#define XEN_HVM_MCA_CAP_MASK XEN_HVM_MCA_CAP_LMCE

#define HVM_NR_PARAMS 39

#endif
