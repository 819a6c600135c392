/* pvmini: the reference pvhv guest kernel. */
#ifndef PVMINI_H
#define PVMINI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvabi/errno.h>
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/xen.h>

#define PAGE_SIZE     4096ul
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define barrier()     __asm__ __volatile__("" ::: "memory")
#define mb()	      __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t rand64(void);
void srand64(uint64_t seed);

/* xen.c: hypercalls and the PV platform. */
extern uint8_t hypercall_page[4096];
extern struct shared_info *shared;
extern uint32_t xen_cpuid_base;

long hypercall(unsigned int nr, unsigned long a1, unsigned long a2,
	       unsigned long a3, unsigned long a4, unsigned long a5);
/* The same, issuing the port write inline (any 32-bit number). */
long hypercall_raw(unsigned long nr, unsigned long a1, unsigned long a2,
		   unsigned long a3, unsigned long a4, unsigned long a5);
#define HYPERCALL1(nr, a) hypercall(nr, (unsigned long)(a), 0, 0, 0, 0)
#define HYPERCALL2(nr, a, b)                                                   \
	hypercall(nr, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define HYPERCALL3(nr, a, b, c)                                                \
	hypercall(nr, (unsigned long)(a), (unsigned long)(b),                  \
		  (unsigned long)(c), 0, 0)

int xen_init(void);
void console_write(const char *s, size_t n);
void xen_shutdown(unsigned int reason) __attribute__((noreturn));
uint64_t xen_now(void); /* system time, ns */
struct vcpu_info *this_vcpu_info(void);
unsigned int smp_id(void);

/* events.c */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);
void events_init(void);
/* vCPU 0's VIRQ_TIMER port (bound at boot) and what it runs. */
extern evtchn_port_t timer_port;
extern void (*timer_hook)(void);
void evtchn_bind(evtchn_port_t port, evtchn_handler_t h, void *arg);
void evtchn_unbind(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
int evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
bool evtchn_pending(evtchn_port_t port);
int bind_virq(unsigned int virq, unsigned int vcpu, evtchn_port_t *port);
int evtchn_send(evtchn_port_t port);
int evtchn_close(evtchn_port_t port);
/* Runs the 2-level upcall loop: dispatches every pending, unmasked port. */
void evtchn_do_upcall(void);
/* Blocks (SCHEDOP_block) until an event is handled or the deadline. */
void block_until(uint64_t deadline_ns);
/* Delivery mode of event upcalls. */
enum upcall_mode { UPCALL_POLL, UPCALL_CALLBACK, UPCALL_LAPIC };
int events_set_mode(enum upcall_mode mode);
void lapic_eoi(void);
extern enum upcall_mode upcall_mode;

/* gnttab.c */
struct gnttab_copy;
extern struct grant_entry_v1 *gnt_table;
int gnttab_init(unsigned int frames);
int gnttab_map_frame(unsigned int idx, unsigned long gfn);
void gnttab_grant(grant_ref_t ref, domid_t domid, unsigned long gfn, bool ro);
int gnttab_end(grant_ref_t ref);
int gnttab_copy(struct gnttab_copy *ops, unsigned int n);

/* traps.c */
struct trap_frame {
	uint64_t rbp, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
void traps_init(void);
void trap_dispatch(struct trap_frame *f);
static inline void irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}
/* Waits for an interrupt with interrupts enabled, atomically (sti; hlt). */
static inline void safe_halt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}
/* A test expecting a fault sets trap_expected = vector + 1 and
 * trap_resume = where to continue; trap_seen = vector + 1 afterwards. */
extern volatile uint64_t trap_expected, trap_seen, trap_resume;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ __volatile__("cpuid"
			     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			     : "a"(leaf), "c"(sub));
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32))
			     : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* main.c: test reporting. */
void test_pass(const char *name);
void test_fail(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Value of a key=value option on the command line ("" if absent). */
const char *cmdline_opt(const char *key, char *buf, size_t len);
/* Decimal option value, or def. */
unsigned long cmdline_num(const char *key, unsigned long def);
/* This domain's id (CPUID leaf base+4). */
domid_t xen_domid(void);

/* Spin for roughly `ns` of guest system time. */
void delay_ns(uint64_t ns);

#endif
