/*
 * pvmini entry: Xen ELF notes, the 32-bit PVH entry point, the switch to
 * long mode, and interrupt entry stubs.
 *
 * The page tables are built at assembly time (identity map of the first
 * 4 GiB with 2 MiB pages): on an emulating host every guest instruction
 * costs about half a microsecond, so boot does almost no work.
 */
#include <pvabi/elfnote.h>

#define CR0_PE   (1 << 0)
#define CR0_WP   (1 << 16)
#define CR0_PG   (1 << 31)
#define CR4_PAE  (1 << 5)
#define EFER_MSR 0xc0000080
#define EFER_LME (1 << 8)

#define ELFNOTE(type, desctype, descdata)                                   \
	.pushsection .note.Xen, "a", @note;                                 \
	.align 4;                                                           \
	.long 2f - 1f;                                                      \
	.long 4f - 3f;                                                      \
	.long type;                                                         \
1:	.asciz "Xen";                                                       \
2:	.align 4;                                                           \
3:	desctype descdata;                                                  \
4:	.align 4;                                                           \
	.popsection

	ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "pvmini")
	ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "1")
	ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
	ELFNOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
	ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long, _start32)

	.section .text.entry, "ax"
	.code32
	.globl _start32
_start32:
	/* PVH: flat 32-bit protected mode, paging off, %ebx = start info. */
	cld
	mov %ebx, %esi
	lgdt gdt_desc
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $EFER_MSR, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $0x08, $start64

	.code64
start64:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	lea boot_stack_top(%rip), %rsp
	mov %rsi, %rdi
	call pvmini_main
1:	cli
	hlt
	jmp 1b

/* Secondary vCPUs (VCPUOP_initialise, 64-bit context): rsp is set by the
 * caller, rdi = vCPU id. */
	.globl ap_entry64
ap_entry64:
	lgdt gdt_desc(%rip)
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	pushq $0x08
	lea 2f(%rip), %rax
	pushq %rax
	lretq
2:	call ap_main
1:	cli
	hlt
	jmp 1b

/*
 * Native AP start (INIT/SIPI). tests/smp.c copies ap_tramp_start..end to
 * TRAMP_BASE, below 1 MiB, and names that page in the SIPI; the AP starts
 * there in real mode (CS = TRAMP_BASE >> 4, IP = 0), loads the
 * trampoline's GDT, goes to 32-bit protected mode, turns on long mode and
 * paging with pvmini's page tables and joins ap_entry64 on the stack the
 * sender put in ap_native_stack. Addresses inside the trampoline are
 * absolute: TR(label) is where the label lands after the copy.
 */
#define TRAMP_BASE 0x8000
#define TR(x)      (TRAMP_BASE + ((x) - ap_tramp_start))

	.code16
	.globl ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl TR(tramp_gdt_desc)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $0x18, $TR(tramp32)

	.code32
tramp32:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $EFER_MSR, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	ljmp $0x08, $ap_native64

	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff /* 0x10: data */
	.quad 0x00cf9b000000ffff /* 0x18: 32-bit code */
tramp_gdt_desc:
	.word 4 * 8 - 1
	.long TR(tramp_gdt)
ap_tramp_end:

	.code64
ap_native64:
	mov ap_native_stack(%rip), %rsp
	mov ap_native_id(%rip), %edi
	jmp ap_entry64

/*
 * Interrupt and exception stubs: save the caller-saved registers, call
 * trap_dispatch(frame), restore, iretq. Vectors without an error code
 * push a zero so every frame looks the same.
 */
.macro TRAP vec, has_err
	.globl trap_\vec
trap_\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

	TRAP 0, 0
	TRAP 1, 0
	TRAP 2, 0
	TRAP 3, 0
	TRAP 4, 0
	TRAP 5, 0
	TRAP 6, 0
	TRAP 7, 0
	TRAP 8, 1
	TRAP 9, 0
	TRAP 10, 1
	TRAP 11, 1
	TRAP 12, 1
	TRAP 13, 1
	TRAP 14, 1
	TRAP 15, 0
	TRAP 16, 0
	TRAP 17, 1
	TRAP 18, 0
	TRAP 19, 0
	TRAP 20, 0
	TRAP 21, 1
	TRAP 0xf3, 0 /* legacy callback vector (HVM_PARAM_CALLBACK_IRQ) */
	TRAP 0xf4, 0 /* per-vCPU upcall vector (LAPIC, EOI'd) */
	TRAP 0xf5, 0 /* spurious / unexpected */

trap_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	push %rbp
	mov %rsp, %rbp
	and $-16, %rsp
	mov %rbp, %rdi
	call trap_dispatch
	mov %rbp, %rsp
	pop %rbp
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp /* vector, error code */
	iretq

	.section .data.page_aligned, "aw"
	.align 4096
	.globl pml4
pml4:
	.quad pdpt + 0x3
	.fill 511, 8, 0
	.globl pdpt
pdpt:
	.quad pd + 0x3
	.quad pd + 0x1000 + 0x3
	.quad pd + 0x2000 + 0x3
	.quad pd + 0x3000 + 0x3
	.fill 508, 8, 0
pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) | 0x83 /* present, writable, 2 MiB */
	.set i, i + 1
	.endr

	.align 16
gdt:
	.quad 0
	.quad 0x00af9b000000ffff /* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff /* 0x10: data */
gdt_end:
	.globl gdt_desc
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
	.globl hypercall_page
hypercall_page:
	.skip 4096
	.align 16
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
