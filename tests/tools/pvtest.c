/*
 * pvtest: the dom0 side of integration tests and benchmarks, a real dom0
 * client of pvhv through libpvctrl.
 *
 *   pvtest evtchn-pingpong DOMID PORT ROUNDS
 *       bind to the guest's port, ping it ROUNDS times, wait for each
 *       answer; prints BENCH evtchn_dom0 rounds=N total_ns=T
 *   pvtest gnttab-dom0 DOMID PORT REF
 *       the dom0 half of pvmini's gnttab role=dom0 test
 *   pvtest magic DOMID
 *       map the store and console pages, check they are distinct and
 *       writable; map a foreign frame; refuse bad requests
 *   pvtest virq-dom-exc
 *       bind VIRQ_DOM_EXC and wait for the next domain exception
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pvabi/grant_table.h>
#include <pvabi/xen.h>
#include <pvctrl/pvctrl.h>

static char err[512];

#define DIE(...)                                                               \
	do {                                                                   \
		fprintf(stderr, "pvtest: " __VA_ARGS__);                       \
		fprintf(stderr, "\n");                                         \
		exit(1);                                                       \
	} while (0)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct pvctrl *connect(void)
{
	struct pvctrl *c;

	if (pvctrl_open(NULL, false, &c, err, sizeof(err)) < 0)
		DIE("%s", err);
	return c;
}

static int pingpong(uint32_t dom, uint32_t port, unsigned long rounds)
{
	struct pvctrl *c = connect();
	struct pvctrl_port p;
	uint64_t t0;

	if (pvctrl_evtchn_bind_interdomain(c, dom, port, &p, err, sizeof(err)))
		DIE("bind d%u port %u: %s", dom, port, err);
	/* A new interdomain port starts pending (Xen): drain it. */
	pvctrl_evtchn_wait(&p, 0);
	t0 = mono_ns();
	for (unsigned long i = 0; i < rounds; i++) {
		if (pvctrl_evtchn_notify(&p) < 0)
			DIE("notify: %s", strerror(errno));
		if (pvctrl_evtchn_wait(&p, 20000) < 0)
			DIE("round %lu: no answer from d%u", i, dom);
	}
	printf("BENCH evtchn_dom0 rounds=%lu total_ns=%llu\n", rounds,
	       (unsigned long long)(mono_ns() - t0));
	pvctrl_evtchn_close(c, &p, err, sizeof(err));
	pvctrl_close(c);
	return 0;
}

static void check_page(const uint8_t *p, size_t from, size_t to, uint8_t v,
		       const char *what)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != v)
			DIE("%s: byte %zu is 0x%x, want 0x%x", what, i, p[i],
			    v);
}

static int gnttab_dom0(uint32_t dom, uint32_t port, uint32_t ref)
{
	struct pvctrl *c = connect();
	struct pvctrl_grant_copy cp[2];
	static uint8_t buf[4096], back[4096];
	struct pvctrl_port p;
	uint32_t h;
	uint8_t *m;

	if (pvctrl_evtchn_bind_interdomain(c, dom, port, &p, err, sizeof(err)))
		DIE("bind: %s", err);
	pvctrl_evtchn_wait(&p, 0);
	/* Not granted to us: refused. */
	if (pvctrl_grant_map(c, dom, ref + 1, false, &h, err, sizeof(err)))
		DIE("mapped a grant that does not exist");
	m = pvctrl_grant_map(c, dom, ref, false, &h, err, sizeof(err));
	if (!m)
		DIE("grant_map: %s", err);
	check_page(m, 0, 4096, 0x44, "granted page");
	memset(m, 0x55, 2048);
	if (pvctrl_grant_unmap(c, m, h, err, sizeof(err)))
		DIE("grant_unmap: %s", err);
	memset(buf, 0x66, sizeof(buf));
	cp[0] = (struct pvctrl_grant_copy){dom, ref, 2048, 2048, buf, true, 0};
	cp[1] = (struct pvctrl_grant_copy){dom, ref, 0, 4096, back, false, 0};
	if (pvctrl_grant_copy(c, cp, 2, err, sizeof(err)) || cp[0].status ||
	    cp[1].status)
		DIE("grant_copy: %s %d %d", err, cp[0].status, cp[1].status);
	check_page(back, 0, 2048, 0x55, "copied back, first half");
	check_page(back, 2048, 4096, 0x66, "copied back, second half");
	cp[0] = (struct pvctrl_grant_copy){dom, ref, 4000, 200, buf, true, 0};
	if (pvctrl_grant_copy(c, cp, 1, err, sizeof(err)) ||
	    cp[0].status != GNTST_bad_copy_arg)
		DIE("copy past the page end: status %d", cp[0].status);
	pvctrl_evtchn_notify(&p);
	if (pvctrl_evtchn_wait(&p, 20000) < 0)
		DIE("guest did not confirm");
	printf("pvtest: gnttab-dom0 ok\n");
	pvctrl_close(c);
	return 0;
}

static int magic(uint32_t dom)
{
	struct pvctrl *c = connect();
	uint8_t *store, *cons, *f;

	store = pvctrl_map_magic(c, dom, "store", err, sizeof(err));
	cons = pvctrl_map_magic(c, dom, "console", err, sizeof(err));
	if (!store || !cons)
		DIE("map_magic: %s", err);
	store[0] = 0x7a;
	if (cons[0] == 0x7a)
		DIE("store and console pages are the same page");
	f = pvctrl_map_foreign(c, dom, 0x100, err, sizeof(err)); /* 1 MiB */
	if (!f)
		DIE("map_foreign: %s", err);
	/* pvmini is loaded at 1 MiB: its first instruction is cld (0xfc). */
	if (f[0] != 0xfc)
		DIE("foreign frame 0x100 starts with 0x%x", f[0]);
	if (pvctrl_map_foreign(c, dom, 0xe0000, err, sizeof(err)) ||
	    pvctrl_map_foreign(c, 4000, 0x100, err, sizeof(err)))
		DIE("mapped a hole or a missing domain");
	pvctrl_unmap(store);
	pvctrl_unmap(cons);
	pvctrl_unmap(f);
	printf("pvtest: magic ok\n");
	pvctrl_close(c);
	return 0;
}

static int virq_dom_exc(void)
{
	struct pvctrl *c = connect();
	struct pvctrl_port p;

	if (pvctrl_evtchn_bind_virq(c, VIRQ_DOM_EXC, &p, err, sizeof(err)))
		DIE("bind VIRQ_DOM_EXC: %s", err);
	printf("pvtest: bound VIRQ_DOM_EXC\n");
	fflush(stdout);
	if (pvctrl_evtchn_wait(&p, 60000) < 0)
		DIE("no VIRQ_DOM_EXC");
	printf("pvtest: VIRQ_DOM_EXC fired\n");
	pvctrl_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "evtchn-pingpong"))
		return pingpong((uint32_t)atoi(argv[2]),
				(uint32_t)atoi(argv[3]),
				strtoul(argv[4], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "gnttab-dom0"))
		return gnttab_dom0((uint32_t)atoi(argv[2]),
				   (uint32_t)atoi(argv[3]),
				   (uint32_t)atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "magic"))
		return magic((uint32_t)atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "virq-dom-exc"))
		return virq_dom_exc();
	fprintf(stderr, "usage: see tests/tools/pvtest.c\n");
	return 2;
}
