/*
 * Benchmark tests (tests/bench/run.sh drives them; see tests/bench/README).
 *
 *   bench-evtchn peer=D role=client|server rounds=N
 *       event-channel ping-pong with domain D over a masked interdomain
 *       port: send, then SCHEDOP_poll until the port is pending, clear it.
 *       The client prints BENCH evtchn_rtt rounds=N total_ns=T.
 *   bench-evtchn-dom0 rounds=N
 *       the server side of the same loop against a dom0 process
 *       (pvtest evtchn-pingpong); prints EVTCHN-DOM0 port=P first.
 *   bench-gntcopy pages=N bench_ms=M batches=B1,B2,...
 *       grants N pages to itself and copies them, source by grant and
 *       destination by frame, with GNTTABOP_copy in batches of B ops per
 *       hypercall: after one checked pass and one that sizes the run,
 *       as many passes over the N pages as fill about M ms (default 50),
 *       the clock read only around them; per batch size prints
 *       BENCH gntcopy batch=B pages=N passes=P src_pfn=S dst_pfn=D
 *       total_ns=T.
 *
 * Guest instructions are emulated at ~1 us each on this project's test
 * host, so the timed loops are a handful of instructions in fixed
 * registers: the raw-KVM floor (tests/bench/rawkvm.c) runs the ping-pong
 * loops byte for byte. Change one, change the other.
 */
#include <pvabi/grant_table.h>
#include <pvabi/hvm/start_info.h>
#include <pvabi/sched.h>

#include "../pvmini.h"
#include "tests.h"

/* ------------------------------------------------------ event channels */

/* The loops' registers, loaded by pp_client()/pp_server(). */
struct pp_regs {
	uint64_t rounds;    /* rcx */
	uint64_t send_arg;  /* r12: struct evtchn_send * */
	uint64_t send_stub; /* r13: event_channel_op stub */
	uint64_t poll_arg;  /* r14: struct sched_poll * */
	uint64_t poll_stub; /* r15: sched_op stub */
	uint64_t pend_word; /* rbp: &shared->evtchn_pending[port / 64] */
	uint64_t keep_mask; /* rbx: ~(1 << port % 64) */
};

void pp_client(const struct pp_regs *r);
void pp_server(const struct pp_regs *r);

/*
 * One round, client:  send; poll; clear.   server:  poll; clear; send.
 * Per round trip: four hypercalls (two sends, two polls), two wake-ups.
 * The loop bytes (from `1:` to the jnz) are what rawkvm's ping-pong
 * guests run.
 */
__asm__(".pushsection .text\n"
	".macro PP_ENTER\n"
	"	push %rbx\n	push %rbp\n	push %r12\n"
	"	push %r13\n	push %r14\n	push %r15\n"
	"	mov 0(%rdi), %rcx\n	mov 8(%rdi), %r12\n"
	"	mov 16(%rdi), %r13\n	mov 24(%rdi), %r14\n"
	"	mov 32(%rdi), %r15\n	mov 40(%rdi), %rbp\n"
	"	mov 48(%rdi), %rbx\n"
	"	test %rcx, %rcx\n	jz 2f\n"
	".endm\n"
	".macro PP_LEAVE\n"
	"2:	pop %r15\n	pop %r14\n	pop %r13\n"
	"	pop %r12\n	pop %rbp\n	pop %rbx\n	ret\n"
	".endm\n"
	".macro PP_SEND\n"
	"	mov $4, %edi\n" /* EVTCHNOP_send */
	"	mov %r12, %rsi\n"
	"	call *%r13\n"
	".endm\n"
	".macro PP_POLL\n"
	"	mov $3, %edi\n" /* SCHEDOP_poll */
	"	mov %r14, %rsi\n"
	"	call *%r15\n"
	"	lock and %rbx, (%rbp)\n"
	".endm\n"
	".globl pp_client\n"
	"pp_client:\n"
	"	PP_ENTER\n"
	"1:	PP_SEND\n"
	"	PP_POLL\n"
	"	dec %rcx\n"
	"	jnz 1b\n"
	"	PP_LEAVE\n"
	".globl pp_server\n"
	"pp_server:\n"
	"	PP_ENTER\n"
	"1:	PP_POLL\n"
	"	PP_SEND\n"
	"	dec %rcx\n"
	"	jnz 1b\n"
	"	PP_LEAVE\n"
	".popsection\n");

static int alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
					 .remote_dom = remote};
	int rc = (int)HYPERCALL2(__HYPERVISOR_event_channel_op,
				 EVTCHNOP_alloc_unbound, &a);

	*port = a.port;
	return rc;
}

static struct evtchn_send pp_send;
static evtchn_port_t pp_port;
static struct sched_poll pp_poll;

/*
 * Port p stays masked (events_init masks all): no upcalls, poll only. Its
 * pending bit is left alone: a new port is not pending, the client's
 * bind_peer() clears the bind's event, and clearing it here could eat the
 * peer's first event.
 */
static void pp_setup(struct pp_regs *r, evtchn_port_t p, unsigned long n)
{
	evtchn_mask(p);
	pp_send.port = p;
	pp_port = p;
	set_xen_guest_handle(pp_poll.ports, &pp_port);
	pp_poll.nr_ports = 1;
	pp_poll.timeout = 0; /* none: the harness's timeout guards a hang */
	*r = (struct pp_regs){
	    .rounds = n,
	    .send_arg = (uintptr_t)&pp_send,
	    .send_stub = (uintptr_t)(hypercall_page +
				     __HYPERVISOR_event_channel_op * 32),
	    .poll_arg = (uintptr_t)&pp_poll,
	    .poll_stub =
		(uintptr_t)(hypercall_page + __HYPERVISOR_sched_op * 32),
	    .pend_word = (uintptr_t)&shared->evtchn_pending[p / 64],
	    .keep_mask = ~(1ull << (p % 64)),
	};
}

#define T "bench-evtchn"

void test_bench_evtchn(void)
{
	unsigned long peer = cmdline_num("peer", 0);
	unsigned long rounds = cmdline_num("rounds", 1000);
	struct pp_regs r;
	evtchn_port_t p;
	char role[16];
	uint64_t t0, t1;
	int rc;

	cmdline_opt("role", role, sizeof(role));
	if (!peer || !rounds)
		return test_fail(T, "needs peer=D and rounds=N > 0");
	if (!strcmp(role, "server")) {
		if (alloc_unbound((domid_t)peer, &p))
			return test_fail(T, "alloc_unbound for d%lu", peer);
		printf("pvmini: bench-evtchn server port %u for d%lu\n", p,
		       peer);
		/* One untimed round first: the client's warm-up. */
		pp_setup(&r, p, rounds + 1);
		pp_server(&r);
	} else {
		rc = bind_peer((domid_t)peer, &p);
		if (rc)
			return test_fail(T, "bind to d%lu: %d", peer, rc);
		pp_setup(&r, p, 1);
		pp_client(&r);
		r.rounds = rounds;
		t0 = xen_now();
		pp_client(&r);
		t1 = xen_now();
		printf("BENCH evtchn_rtt rounds=%lu total_ns=%lu\n", rounds,
		       t1 - t0);
	}
	evtchn_close(p);
	test_pass(T);
}

#undef T
#define T "bench-evtchn-dom0"

void test_bench_evtchn_dom0(void)
{
	unsigned long rounds = cmdline_num("rounds", 1000);
	struct pp_regs r;
	evtchn_port_t p;

	if (alloc_unbound(0, &p))
		return test_fail(T, "alloc_unbound for dom0");
	pp_setup(&r, p, rounds);
	printf("EVTCHN-DOM0 port=%u\n", p);
	if (rounds)
		pp_server(&r);
	evtchn_close(p);
	test_pass(T);
}

#undef T

/* ---------------------------------------------------------- grant copy */

#define T "bench-gntcopy"

#define GC_MAX_PAGES 4096
#define GC_FIRST_REF 16 /* below: refs the other tests use */
#define GC_MAX_BATCH 4096
#define GC_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))

extern uint8_t __image_end[];

static struct gnttab_copy gc_ops[GC_MAX_PAGES];

/* Copies all pages once, `batch` ops per hypercall; returns the OR of
 * the hypercalls' return values (0: all accepted). */
static long gc_pass(unsigned long pages, unsigned long batch)
{
	unsigned long calls = pages / batch;
	struct gnttab_copy *ops = gc_ops;
	long err = 0;

	__asm__ __volatile__(
	    "1:	mov %[cmd], %%edi\n\t"
	    "mov %[ops], %%rsi\n\t"
	    "call *%[stub]\n\t"
	    "or %%rax, %[err]\n\t"
	    "add %[stride], %[ops]\n\t"
	    "dec %[n]\n\t"
	    "jnz 1b"
	    : [n] "+r"(calls), [err] "+r"(err), [ops] "+r"(ops)
	    : [cmd] "i"(GNTTABOP_copy),
	      "d"(batch), [stride] "r"(batch * sizeof(gc_ops[0])),
	      [stub] "r"(hypercall_page + __HYPERVISOR_grant_table_op * 32)
	    : "rax", "rdi", "rsi", "memory", "cc");
	return err;
}

static uint64_t *page_qword(unsigned long pfn, unsigned int i)
{
	return (uint64_t *)(pfn * PAGE_SIZE) + i;
}

/* Every op done, every destination page holds its source's markers. */
static int gc_check(unsigned long pages, unsigned long src, unsigned long dst)
{
	for (unsigned long i = 0; i < pages; i++) {
		if (gc_ops[i].status != GNTST_okay)
			return test_fail(T, "op %lu: status %d", i,
					 gc_ops[i].status),
			       -1;
		if (*page_qword(dst + i, 0) != *page_qword(src + i, 0) ||
		    *page_qword(dst + i, 511) != *page_qword(src + i, 511))
			return test_fail(T, "page %lu not copied", i), -1;
	}
	return 0;
}

static int gc_batch(unsigned long pages, uint64_t ns, unsigned long batch,
		    unsigned long src, unsigned long dst)
{
	unsigned long passes;
	uint64_t t0, t1;
	long err;

	if (!batch || batch > GC_MAX_BATCH || pages % batch)
		return test_fail(T, "batch %lu must divide pages=%lu", batch,
				 pages),
		       -1;
	for (unsigned long i = 0; i < pages; i++) {
		*page_qword(dst + i, 0) = 0;
		*page_qword(dst + i, 511) = 0;
		gc_ops[i].status = 1;
	}
	err = gc_pass(pages, batch); /* warm-up */
	if (err == 0 && gc_check(pages, src, dst) < 0)
		return -1;
	/* One more pass sizes the timed run, read the clock only around it
	 * (a PV clock read is tens of emulated instructions). */
	t0 = xen_now();
	err = gc_pass(pages, batch);
	t1 = xen_now();
	passes = t1 > t0 ? (unsigned long)(ns / (t1 - t0)) + 1 : 1;
	t0 = xen_now();
	for (unsigned long p = 0; p < passes && err == 0; p++)
		err = gc_pass(pages, batch);
	t1 = xen_now();
	if (err)
		return test_fail(T, "batch %lu: GNTTABOP_copy rc %ld", batch,
				 err),
		       -1;
	if (gc_check(pages, src, dst) < 0)
		return -1;
	printf("BENCH gntcopy batch=%lu pages=%lu passes=%lu src_pfn=%lu "
	       "dst_pfn=%lu total_ns=%lu\n",
	       batch, pages, passes, src, dst, t1 - t0);
	return 0;
}

/* End (pfn) of the RAM region holding pfn, 0 if none. */
static unsigned long ram_end_pfn(unsigned long pfn)
{
	const struct hvm_start_info *si = pvmini_start_info();
	const struct hvm_memmap_table_entry *m =
	    (const void *)(uintptr_t)si->memmap_paddr;

	for (uint32_t i = 0; m && i < si->memmap_entries; i++) {
		uint64_t a = m[i].addr >> 12, e = (m[i].addr + m[i].size) >> 12;

		if (m[i].type == XEN_HVM_MEMMAP_TYPE_RAM && a <= pfn && pfn < e)
			return (unsigned long)e;
	}
	return 0;
}

void test_bench_gntcopy(void)
{
	unsigned long pages = cmdline_num("pages", 1024);
	uint64_t ns = cmdline_num("bench_ms", 50) * 1000000ull;
	unsigned long src = (((uintptr_t)__image_end >> 20) + 1) << 8;
	unsigned long dst = src + pages, frames;
	domid_t self = xen_domid();
	char list[64];
	const char *s;

	if (!pages || pages > GC_MAX_PAGES || !ns)
		return test_fail(T, "pages=1..%u, bench_ms > 0", GC_MAX_PAGES);
	if (dst + pages > ram_end_pfn(src))
		return test_fail(T, "%lu + %lu pages from pfn %lu: not RAM",
				 pages, pages, src);
	frames = (GC_FIRST_REF + pages + GC_PER_FRAME - 1) / GC_PER_FRAME;
	if (gnttab_init((unsigned int)frames))
		return test_fail(T, "%lu grant frames", frames);
	for (unsigned long i = 0; i < pages; i++) {
		*page_qword(src + i, 0) = 0x6763000000000000ull | i;
		*page_qword(src + i, 511) = ~i;
		gnttab_grant((grant_ref_t)(GC_FIRST_REF + i), self, src + i,
			     true);
		gc_ops[i] = (struct gnttab_copy){
		    .source = {.u.ref = (grant_ref_t)(GC_FIRST_REF + i),
			       .domid = DOMID_SELF},
		    .dest = {.u.gmfn = dst + i, .domid = DOMID_SELF},
		    .len = PAGE_SIZE,
		    .flags = GNTCOPY_source_gref,
		};
	}
	s = cmdline_opt("batches", list, sizeof(list));
	if (!*s)
		s = "1,16,64,256";
	while (*s) {
		unsigned long b = 0;

		while (*s >= '0' && *s <= '9')
			b = b * 10 + (unsigned long)(*s++ - '0');
		if (*s == ',')
			s++;
		else if (*s)
			return test_fail(T, "batches: numbers and commas");
		if (gc_batch(pages, ns, b, src, dst) < 0)
			return;
	}
	for (unsigned long i = 0; i < pages; i++)
		if (gnttab_end((grant_ref_t)(GC_FIRST_REF + i)))
			return test_fail(T, "grant %lu still in use", i);
	test_pass(T);
}
