/* IDT, exceptions (print and crash) and interrupt dispatch. */
#include <pvabi/sched.h>

#include "pvmini.h"

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
volatile uint64_t trap_expected, trap_seen, trap_resume;

/* clang-format off */
#define STUBS(X)                                                               \
	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12)    \
	X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(0xf3)          \
	X(0xf4) X(0xf5)
/* clang-format on */
#define DECL(n) extern char trap_##n[];
STUBS(DECL)

static void set_gate(unsigned int vec, void *fn)
{
	uint64_t a = (uintptr_t)fn;

	idt[vec] = (struct idt_entry){
	    .off_lo = (uint16_t)a,
	    .sel = 0x08,
	    .type = 0x8e, /* present, interrupt gate */
	    .off_mid = (uint16_t)(a >> 16),
	    .off_hi = (uint32_t)(a >> 32),
	};
}

void traps_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) d = {sizeof(idt) - 1, (uintptr_t)idt};

#define SET(n) set_gate(n, trap_##n);
	STUBS(SET)
#undef SET
	__asm__ __volatile__("lidt %0" ::"m"(d));
}

static void exception(struct trap_frame *f)
{
	uint64_t cr2;

	if (trap_expected && f->vector == trap_expected - 1) {
		trap_seen = f->vector + 1;
		trap_expected = 0;
		f->rip = trap_resume;
		return;
	}
	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	printf("\npvmini: exception %lu error 0x%lx at rip %lx (cr2 %lx, rsp "
	       "%lx)\n",
	       f->vector, f->error, f->rip, cr2, f->rsp);
	printf("FAIL exception: vector %lu\n", f->vector);
	xen_shutdown(SHUTDOWN_crash);
}

void trap_dispatch(struct trap_frame *f)
{
	switch (f->vector) {
	case 0xf3: /* legacy callback: no EOI */
		evtchn_do_upcall();
		break;
	case 0xf4: /* LAPIC upcall vector */
		evtchn_do_upcall();
		lapic_eoi();
		break;
	case 0xf5:
		break; /* spurious */
	default:
		exception(f);
		break;
	}
}
