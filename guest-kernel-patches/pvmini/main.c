/*
 * pvmini main: bring the PV platform up, run the tests named on the
 * command line (test=a,b,c), report, power off (crash if anything failed).
 */
#include <pvabi/hvm/start_info.h>
#include <pvabi/sched.h>

#include "pvmini.h"
#include "tests/tests.h"

static const struct hvm_start_info *start_info;
static unsigned int failures, passes;

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
    {"hello", test_hello},
    {"version", test_version},
    {"time", test_time},
    {"badptr", test_badptr},
    {"hostile", test_hostile},
    {"bench-null", test_bench_null},
    {"idle", test_idle},
    {"ud2", test_ud2},
    {"triple", test_triple},
    {"reboot", test_reboot},
    {"spin", test_spin},
    {"last-down", test_last_down},
    {"cpuid", test_cpuid},
    {"legacy-io", test_legacy_io},
    {"evtchn", test_evtchn},
    {"evtchn-dom0", test_evtchn_dom0},
    {"hostile-evtchn", test_hostile_evtchn},
    {"gnttab", test_gnttab},
    {"hostile-gnttab", test_hostile_gnttab},
    {"ipi", test_ipi},
    {"timer", test_timer},
    {"smp", test_smp},
    {"smp-native", test_smp_native},
    {"bench-evtchn", test_bench_evtchn},
    {"bench-evtchn-dom0", test_bench_evtchn_dom0},
    {"bench-gntcopy", test_bench_gntcopy},
};

void test_pass(const char *name)
{
	passes++;
	printf("PASS %s\n", name);
}

void test_fail(const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	failures++;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("FAIL %s: %s\n", name, buf);
}

const char *cmdline_opt(const char *key, char *buf, size_t len)
{
	const char *cl =
	    start_info && start_info->cmdline_paddr
		? (const char *)(uintptr_t)start_info->cmdline_paddr
		: "";
	size_t kl = strlen(key);

	buf[0] = 0;
	for (const char *p = cl; *p;) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = 0;

			p += kl + 1;
			while (p[n] && p[n] != ' ' && n + 1 < len) {
				buf[n] = p[n];
				n++;
			}
			buf[n] = 0;
			return buf;
		}
		while (*p && *p != ' ')
			p++;
	}
	return buf;
}

unsigned long cmdline_num(const char *key, unsigned long def)
{
	char buf[32];
	unsigned long v = 0;

	if (!cmdline_opt(key, buf, sizeof(buf))[0])
		return def;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	return v;
}

static void run_test(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!strcmp(tests[i].name, name)) {
			tests[i].fn();
			return;
		}
	}
	test_fail(name, "no such test");
}

static void run_tests(void)
{
	char list[512], name[64];
	const char *p = cmdline_opt("test", list, sizeof(list));

	while (*p) {
		size_t n = 0;

		while (*p && *p != ',' && n + 1 < sizeof(name))
			name[n++] = *p++;
		name[n] = 0;
		if (*p == ',')
			p++;
		if (n)
			run_test(name);
	}
}

static uint64_t ram_mib(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *m =
	    (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t ram = 0;

	for (uint32_t i = 0; m && i < si->memmap_entries && i < 32; i++)
		if (m[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			ram += m[i].size;
	return ram >> 20;
}

void pvmini_main(const struct hvm_start_info *si);
void pvmini_main(const struct hvm_start_info *si)
{
	traps_init();
	if (xen_init() < 0)
		for (;;)
			__asm__ __volatile__("cli; hlt");
	if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
		printf("pvmini: bad start info magic 0x%x\n", si->magic);
		xen_shutdown(SHUTDOWN_crash);
	}
	start_info = si;
	events_init();
	printf("pvmini: booted on pvhv, %lu MiB RAM, cmdline \"%s\"\n",
	       ram_mib(si),
	       si->cmdline_paddr ? (const char *)(uintptr_t)si->cmdline_paddr
				 : "");
	run_tests();
	printf("pvmini: done (%u passed, %u failed)\n", passes, failures);
	xen_shutdown(failures ? SHUTDOWN_crash : SHUTDOWN_poweroff);
}

const struct hvm_start_info *pvmini_start_info(void)
{
	return start_info;
}
