/*
 * rawkvm pingpong / rawkvm dom0: the floors of the event-channel
 * ping-pong benchmarks (see rawkvm.c and tests/bench/README).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rawkvm.h"

/* Guest layout of the ping-pong VMs (the stubs are pvmini's). */
#define PP_CODE_GPA   0x102000ull
#define PP_SEND_GPA   0x104000ull /* struct evtchn_send */
#define PP_POLL_GPA   0x104010ull /* struct sched_poll */
#define PP_PORTS_GPA  0x104040ull /* its port list */
#define PP_PEND_GPA   0x105000ull /* the port's evtchn_pending word */
#define PP_PORT	      5u
#define PP_BIT	      (1ull << PP_PORT)
#define NR_SCHED_OP   29u /* __HYPERVISOR_sched_op */
#define NR_EVTCHN_OP  32u /* __HYPERVISOR_event_channel_op */
#define SCHEDOP_POLL  3u
#define EVTCHNOP_SEND 4u

/* One ping-pong VM: its vCPU thread and what its exits act on. */
struct pp {
	struct vm m;
	pthread_t thread;
	struct pp *peer;	  /* two-VM mode: whom a send signals */
	int efd;		  /* dom0 mode: a send writes it */
	int polling;		  /* parked (or about to) in a poll */
	uint64_t *pend;		  /* host view of the guest's pending word */
	uint64_t rounds;	  /* per timed pass */
	int passes;		  /* timed passes, after one warm-up round */
	int sregs;		  /* -s: sync SREGS too */
	int every;		  /* -w: every poll parks and is kicked */
	pthread_barrier_t *start; /* two-VM mode: passes start together */
	uint64_t ns[MAX_REPS];
	uint64_t kicks, waits, eintr; /* over the timed passes */
	int rc;
};

/*
 * pvmini's pp_client / pp_server loops (tests/bench.c in pvmini), byte for
 * byte: client send; poll; clear, server poll; clear; send (rcx rounds;
 * r12/r14 the send and poll arguments, r13/r15 the stubs, rbp the pending
 * word, rbx the mask that clears the port's bit). run.sh checks them
 * against pvmini.elf (rawkvm loops).
 */
size_t pp_loop_bytes(uint8_t *buf, int server)
{
	/* One instruction per line. */
	/* clang-format off */
	static const uint8_t send[] = {
	    0xbf, EVTCHNOP_SEND, 0, 0, 0,	/* mov $4,%edi */
	    0x4c, 0x89, 0xe6,			/* mov %r12,%rsi */
	    0x41, 0xff, 0xd5,			/* call *%r13 */
	};
	static const uint8_t poll[] = {
	    0xbf, SCHEDOP_POLL, 0, 0, 0,	/* mov $3,%edi */
	    0x4c, 0x89, 0xf6,			/* mov %r14,%rsi */
	    0x41, 0xff, 0xd7,			/* call *%r15 */
	    0xf0, 0x48, 0x21, 0x5d, 0x00,	/* lock and %rbx,0(%rbp) */
	};
	static const uint8_t tail[] = {
	    0x48, 0xff, 0xc9,			/* dec %rcx */
	    0x75, (uint8_t)-(int)(sizeof(send) + sizeof(poll) + 5),
						/* jnz 1b */
	};
	/* clang-format on */
	const uint8_t *first = server ? poll : send,
		      *second = server ? send : poll;
	size_t n1 = server ? sizeof(poll) : sizeof(send);
	size_t n2 = server ? sizeof(send) : sizeof(poll);

	memcpy(buf, first, n1);
	memcpy(buf + n1, second, n2);
	memcpy(buf + n1 + n2, tail, sizeof(tail));
	return n1 + n2 + sizeof(tail);
}

/* The loop between a start and an end marker, then a jump back to the
 * start; the stubs; the poll and send arguments. */
static void pp_guest_write(struct vm *m, int server)
{
	struct {
		uint64_t ports;
		uint32_t nr_ports, pad;
		uint64_t timeout;
	} sp = {PP_PORTS_GPA, 1, 0, 0};
	uint32_t port = PP_PORT;
	uint8_t code[64];
	size_t n = 0;

	ptables_write(m);
	stub_write(m, NR_EVTCHN_OP);
	stub_write(m, NR_SCHED_OP);
	code[n++] = 0xe6; /* out %al,$0xe5 */
	code[n++] = START_PORT;
	n += pp_loop_bytes(code + n, server);
	code[n++] = 0xe6; /* out %al,$0xe6 */
	code[n++] = END_PORT;
	code[n] = 0xeb; /* jmp back to the start marker */
	code[n + 1] = (uint8_t) - (int)(n + 2);
	put(m, PP_CODE_GPA, code, n + 2);
	put(m, PP_SEND_GPA, &port, sizeof(port));
	put(m, PP_POLL_GPA, &sp, sizeof(sp));
	put(m, PP_PORTS_GPA, &port, sizeof(port));
}

static void pp_eat_kicks(void)
{
	static const struct timespec zero = {0, 0};
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/* KVM_RUN; a kick that arrives while the guest runs (or a stale one)
 * makes it return EINTR: consume it and re-enter, as pvhv does. */
static int pp_run(struct pp *p)
{
	while (ioctl(p->m.vcpu, KVM_RUN, 0) < 0) {
		if (errno != EINTR)
			return fail("KVM_RUN");
		p->eintr++;
		pp_eat_kicks();
	}
	return 0;
}

/*
 * What pvhv's EVTCHNOP_send does to a polling receiver: set the port's
 * pending bit in its memory, kick its thread if it polls. -w: first wait
 * until the receiver polls, so that every poll parks and is kicked (the
 * wait is off the round trip's path: the sender's own poll needs the
 * receiver's answer anyway).
 */
static void pp_signal(struct pp *to, struct pp *from)
{
	for (unsigned int i = 1;
	     to->every && !__atomic_load_n(&to->polling, __ATOMIC_SEQ_CST); i++)
		if (i % 64)
			__builtin_ia32_pause();
		else
			sched_yield(); /* leave the CPU to the receiver */
	__atomic_fetch_or(to->pend, PP_BIT, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&to->polling, __ATOMIC_SEQ_CST)) {
		pthread_kill(to->thread, SIG_KICK);
		__atomic_fetch_add(&from->kicks, 1, __ATOMIC_RELAXED);
	}
}

/* SCHEDOP_poll: park in sigwaitinfo until the port is pending. */
static void pp_poll(struct pp *p)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	__atomic_store_n(&p->polling, 1, __ATOMIC_SEQ_CST);
	while (!(__atomic_load_n(p->pend, __ATOMIC_SEQ_CST) & PP_BIT)) {
		sigwaitinfo(&set, NULL);
		p->waits++;
	}
	__atomic_store_n(&p->polling, 0, __ATOMIC_SEQ_CST);
}

static int pp_hypercall(struct pp *p)
{
	struct kvm_run *run = p->m.run;
	struct kvm_regs *r = &run->s.regs.regs;
	uint64_t one = 1;

	if (!(run->exit_reason == KVM_EXIT_IO && run->io.port == HCALL_PORT &&
	      run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
	      run->io.count == 1))
		return bad_exit(run);
	if ((uint32_t)r->rax == NR_EVTCHN_OP && r->rdi == EVTCHNOP_SEND) {
		if (p->peer)
			pp_signal(p->peer, p);
		else if (write(p->efd, &one, sizeof(one)) != sizeof(one))
			return fail("eventfd write");
	} else if ((uint32_t)r->rax == NR_SCHED_OP && r->rdi == SCHEDOP_POLL) {
		pp_poll(p);
	} else {
		return bad_exit(run);
	}
	r->rax = 0;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return 0;
}

/* One pass of n rounds from marker to marker; *ns from the (shared)
 * start to the end marker. */
static int pp_pass(struct pp *p, uint64_t n, uint64_t *ns)
{
	struct kvm_run *run = p->m.run;
	struct kvm_regs *r = &run->s.regs.regs;
	uint64_t t0;

	if (pp_run(p) < 0)
		return -1;
	if (!is_out(run, START_PORT))
		return bad_exit(run);
	r->rcx = n;
	r->r12 = PP_SEND_GPA;
	r->r13 = HPAGE_GPA + NR_EVTCHN_OP * STUB_SIZE;
	r->r14 = PP_POLL_GPA;
	r->r15 = HPAGE_GPA + NR_SCHED_OP * STUB_SIZE;
	r->rbp = PP_PEND_GPA;
	r->rbx = ~PP_BIT;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	if (p->start)
		pthread_barrier_wait(p->start);
	t0 = now_ns();
	for (;;) {
		if (pp_run(p) < 0)
			return -1;
		if (is_out(run, END_PORT))
			break;
		if (pp_hypercall(p) < 0)
			return -1;
	}
	*ns = now_ns() - t0;
	return 0;
}

static void *pp_thread(void *arg)
{
	struct pp *p = arg;
	uint64_t warm;

	p->rc = -1;
	p->thread = pthread_self();
	if (vcpu_block_kick_signal(&p->m) < 0)
		return NULL;
	p->m.run->kvm_valid_regs =
	    KVM_SYNC_X86_REGS | (p->sregs ? KVM_SYNC_X86_SREGS : 0);
	if (pp_pass(p, 1, &warm) < 0)
		return NULL;
	__atomic_store_n(&p->kicks, 0, __ATOMIC_RELAXED);
	p->waits = p->eintr = 0;
	for (int i = 0; i < p->passes; i++)
		if (pp_pass(p, p->rounds, &p->ns[i]) < 0)
			return NULL;
	p->rc = 0;
	return NULL;
}

static void pp_clear(struct pp *p)
{
	memset(p, 0, sizeof(*p));
	p->m = (struct vm){.vm = -1, .vcpu = -1, .memfd = -1};
	p->efd = -1;
}

static int pp_init(struct pp *p, int kvm, const struct opts *o, int server)
{
	pp_clear(p);
	p->sregs = o->sregs;
	p->every = o->every;
	if (vm_create(&p->m, kvm, 32 * MIB, o->split) < 0)
		return -1;
	pp_guest_write(&p->m, server);
	p->pend = (uint64_t *)(p->m.mem + PP_PEND_GPA);
	return vcpu_set_mode(&p->m, 1, PP_CODE_GPA);
}

static void pp_print(const char *key, const struct opts *o, const uint64_t *ns,
		     int reps, uint64_t rounds, const struct pp *a,
		     const struct pp *b, const char *what)
{
	uint64_t per[MAX_REPS], total = rounds * (uint64_t)reps;
	char runs[64];

	for (int i = 0; i < reps; i++)
		per[i] = ns[i] / rounds;
	printf("%s_rtt_ns=%llu\n", key, (unsigned long long)median(per, reps));
	snprintf(runs, sizeof(runs), "%s_runs_ns", key);
	print_list(runs, per, reps);
	printf("%s_rounds=%llu\n%s_reps=%d\n", key, (unsigned long long)rounds,
	       key, reps);
	/* Per round trip: what the floor did (pvhv does the same). */
	printf("%s_per_rtt=kicks:%.2f,sigwaits:%.2f,kvm_run_eintr:%.2f\n", key,
	       (double)(a->kicks + (b ? b->kicks : 0)) / (double)total,
	       (double)(a->waits + (b ? b->waits : 0)) / (double)total,
	       (double)(a->eintr + (b ? b->eintr : 0)) / (double)total);
	printf("%s_config=%s,%s,signal-mask,%s%s\n", key,
	       o->split ? "split-irqchip" : "no-irqchip",
	       o->sregs ? "sync-regs+sregs" : "sync-regs", what,
	       o->every ? ",kick-every-event" : "");
}

/* Two VMs, one thread each: pvmini's bench-evtchn client and server. */
int cmd_pingpong(int kvm, const struct opts *o, uint64_t n, int reps)
{
	struct pp a, b;
	pthread_barrier_t start;
	int rc = -1;

	pp_clear(&a);
	pp_clear(&b);
	pthread_barrier_init(&start, NULL, 2);
	if (pp_init(&a, kvm, o, 0) < 0 || pp_init(&b, kvm, o, 1) < 0)
		goto out;
	a.peer = &b;
	b.peer = &a;
	a.start = b.start = &start;
	a.rounds = b.rounds = n;
	a.passes = b.passes = reps;
	if (pthread_create(&a.thread, NULL, pp_thread, &a) ||
	    pthread_create(&b.thread, NULL, pp_thread, &b))
		goto out;
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	if (a.rc < 0 || b.rc < 0)
		goto out;
	pp_print("pingpong", o, a.ns, reps, n, &a, &b,
		 "two-vms-tgkill-sigwaitinfo");
	rc = 0;
out:
	vm_destroy(&a.m);
	vm_destroy(&b.m);
	pthread_barrier_destroy(&start);
	return rc;
}

/* The dom0 process: pvtest evtchn-pingpong's loop (libpvctrl's notify
 * and wait), one warm-up round, then reps timed passes of n rounds. */
static int dom0_client(int efd, int bell, uint64_t n, int reps, int out)
{
	struct pollfd pfd = {.fd = efd, .events = POLLIN};
	uint64_t one = 1, cnt, ns[MAX_REPS];

	for (int i = -1; i < reps; i++) {
		uint64_t rounds = i < 0 ? 1 : n, t0 = now_ns();

		for (uint64_t k = 0; k < rounds; k++) {
			if (write(bell, &one, sizeof(one)) != sizeof(one))
				return fail("doorbell write");
			for (;;) {
				int rc = poll(&pfd, 1, 20000);

				if (rc == 0 || (rc < 0 && errno != EINTR))
					return fail("no answer");
				if (rc > 0 &&
				    read(efd, &cnt, sizeof(cnt)) == sizeof(cnt))
					break;
			}
		}
		if (i >= 0)
			ns[i] = now_ns() - t0;
	}
	return write(out, ns, (size_t)reps * sizeof(ns[0])) ==
		       (ssize_t)((size_t)reps * sizeof(ns[0]))
		   ? 0
		   : -1;
}

struct doorbell {
	int epfd, bell;
	struct pp *to;
};

/* pvhv's doorbell thread: epoll on the doorbell eventfd, read it, send
 * the event (set the guest's pending bit, kick its vCPU thread). */
static void *doorbell_thread(void *arg)
{
	struct doorbell *d = arg;
	struct epoll_event evs[64];
	uint64_t cnt;

	for (;;) {
		int n = epoll_wait(d->epfd, evs, 64, -1);

		for (int i = 0; i < n; i++)
			if (read(d->bell, &cnt, sizeof(cnt)) == sizeof(cnt))
				pp_signal(d->to, d->to);
	}
	return NULL;
}

/* One VM (bench-evtchn-dom0's server loop), pvhv's doorbell thread, and
 * a dom0 process (forked) pinging it through eventfds. */
int cmd_dom0(int kvm, const struct opts *o, uint64_t n, int reps)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct doorbell d = {.epfd = -1};
	size_t want = (size_t)reps * sizeof(uint64_t);
	uint64_t ns[MAX_REPS];
	int efd, pipefd[2], status = 1, rc = -1;
	pthread_t bt;
	struct pp a;
	pid_t pid;

	pp_clear(&a);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d.bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0 || d.bell < 0 || pipe(pipefd) < 0)
		return fail("eventfd/pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(pipefd[0]);
		_exit(dom0_client(efd, d.bell, n, reps, pipefd[1]) ? 1 : 0);
	}
	close(pipefd[1]);
	if (pp_init(&a, kvm, o, 1) < 0)
		goto out;
	a.efd = efd;
	a.rounds = n * (uint64_t)reps; /* the dom0 process times passes */
	a.passes = 1;
	d.to = &a;
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d.epfd < 0 || epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.bell, &ev) < 0) {
		fail("epoll");
		goto out;
	}
	if (pthread_create(&bt, NULL, doorbell_thread, &d) ||
	    pthread_create(&a.thread, NULL, pp_thread, &a))
		goto out;
	pthread_join(a.thread, NULL);
	if (a.rc < 0 || read(pipefd[0], ns, want) != (ssize_t)want)
		goto out;
	pp_print("dom0pp", o, ns, reps, n, &a, NULL,
		 "one-vm,doorbell-thread-epoll,tgkill-sigwaitinfo,"
		 "dom0-process-eventfd-poll");
	rc = 0;
out:
	if (rc < 0)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	vm_destroy(&a.m);
	return rc < 0 || !WIFEXITED(status) || WEXITSTATUS(status) ? -1 : 0;
}
