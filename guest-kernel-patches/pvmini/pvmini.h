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
#define MAX_VCPUS     16 /* vCPUs pvmini can run (ids 0..15) */
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
long vcpu_op(unsigned int cmd, unsigned int vcpu, void *arg);

/* smp.c: secondary vCPUs. */
unsigned int smp_id(void);
/* Number of vCPUs the domain has (VCPUOP_is_up answers for each id). */
unsigned int smp_nr_vcpus(void);
/* Registers this vCPU's vcpu_info in pvmini's array (once). */
int smp_register_vcpu_info(void);
/* Starts AP `id` the PV way (VCPUOP_initialise + VCPUOP_up), or brings a
 * downed one back up; returns when it runs pvmini's AP loop. */
int smp_start_ap(unsigned int id);
/* A 64-bit VCPUOP_initialise context with the calling vCPU's paging. */
struct vcpu_hvm_context;
void smp_fill_context(struct vcpu_hvm_context *ctx, uintptr_t rip,
		      uintptr_t rsp, unsigned long rdi);
/* Runs fn(id) on AP `id` (which must be online); smp_call_wait() waits
 * for it to return. */
void smp_call(unsigned int id, void (*fn)(unsigned int id));
bool smp_call_wait(unsigned int id, uint64_t timeout_ns);
enum ap_state { AP_NEVER, AP_STARTING, AP_ONLINE };
extern volatile uint32_t ap_state[MAX_VCPUS];
extern volatile uint64_t ap_first_time[MAX_VCPUS]; /* its first xen_now() */
extern volatile uint32_t ap_errors[MAX_VCPUS];
/* Native start (INIT/SIPI): AP entry data the trampoline reads. */
extern volatile uint64_t ap_native_stack;
extern volatile uint32_t ap_native_id;
void ap_main(unsigned int id);

/* events.c */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);
void events_init(void);
void evtchn_bind(evtchn_port_t port, evtchn_handler_t h, void *arg);
void evtchn_unbind(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
int evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);
bool evtchn_pending(evtchn_port_t port);
/* Handlers run on the vCPU pvhv notifies: evtchn_bind() binds on the
 * calling vCPU, evtchn_bind_on() on another. */
void evtchn_bind_on(evtchn_port_t port, unsigned int vcpu, evtchn_handler_t h,
		    void *arg);
int bind_virq(unsigned int virq, unsigned int vcpu, evtchn_port_t *port);
int bind_ipi(unsigned int vcpu, evtchn_port_t *port);
/* The calling vCPU's VIRQ_TIMER port, bound and unmasked on first use;
 * its events count in timer_ticks[vcpu] (timer_wrong_vcpu counts any
 * handled on another vCPU than the one bound). */
evtchn_port_t timer_port(void);
extern volatile uint64_t timer_ticks[MAX_VCPUS];
extern volatile uint32_t timer_wrong_vcpu;
/* Lets timer events already on their way arrive (waits for a singleshot
 * 1 ms ahead): afterwards no singleshot is armed and no stale tick is
 * pending, so a test's next tick is its own. */
void timer_settle(void);
int evtchn_send(evtchn_port_t port);
int evtchn_close(evtchn_port_t port);
/* Runs the 2-level upcall loop: dispatches every pending, unmasked port. */
void evtchn_do_upcall(void);
/* Waits for an event (SCHEDOP_block, or sti; hlt when events interrupt)
 * until one is handled or the deadline (0: none) passes. The deadline
 * uses the singleshot timer, so the caller's VIRQ_TIMER must be bound
 * (timer_port()) for it to end the wait. */
void block_until(uint64_t deadline_ns);
/* Evaluates cond, waiting for events between tries (1 ms steps), until it
 * holds or timeout_ns passes; the value is the last cond. */
#define WAIT_FOR(cond, timeout_ns)                                             \
	({                                                                     \
		uint64_t end_ = xen_now() + (timeout_ns);                      \
		bool ok_;                                                      \
		timer_port();                                                  \
		while (!(ok_ = (cond))) {                                      \
			uint64_t now_ = xen_now();                             \
			if (now_ >= end_)                                      \
				break;                                         \
			block_until(now_ + 1000000 < end_ ? now_ + 1000000     \
							  : end_);             \
		}                                                              \
		ok_;                                                           \
	})
/* Delivery mode of event upcalls, per vCPU. */
enum upcall_mode { UPCALL_POLL, UPCALL_CALLBACK, UPCALL_LAPIC };
/* Sets the calling vCPU's mode. UPCALL_CALLBACK and UPCALL_POLL set the
 * domain-wide HVM_PARAM_CALLBACK_IRQ; UPCALL_LAPIC enables the x2APIC and
 * names this vCPU's upcall vector (for good: Xen has no way back). */
int events_set_mode(enum upcall_mode mode);
enum upcall_mode events_mode(void);
void lapic_enable(void);
void lapic_eoi(void);

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
