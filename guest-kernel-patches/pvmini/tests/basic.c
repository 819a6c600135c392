/* Tests: hello, version, idle, bench-null. */
#include <pvabi/features.h>
#include <pvabi/version.h>

#include "../pvmini.h"
#include "tests.h"

void test_hello(void)
{
	printf("hello from pvmini\n");
	test_pass("hello");
}

void test_idle(void)
{
	test_pass("idle");
}

#define T "version"

void test_version(void)
{
	long v = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_version, 0);
	xen_extraversion_t extra = {0};
	xen_capabilities_info_t caps = {0};
	struct xen_feature_info fi = {.submap_idx = 0};
	struct xen_compile_info ci;
	xen_changeset_info_t cs = {0};
	long rc;

	if (v != ((4 << 16) | 17))
		return test_fail(T, "XENVER_version = 0x%lx", v);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_extraversion, extra);
	if (rc || !extra[0] || extra[sizeof(extra) - 1])
		return test_fail(T, "extraversion rc %ld", rc);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_capabilities, caps);
	if (rc || !strstr(caps, "hvm-3.0-x86_64"))
		return test_fail(T, "capabilities rc %ld \"%s\"", rc, caps);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_get_features, &fi);
	if (rc || !(fi.submap & (1u << XENFEAT_hvm_callback_vector)) ||
	    !(fi.submap & (1u << XENFEAT_auto_translated_physmap)))
		return test_fail(T, "get_features rc %ld submap 0x%x", rc,
				 fi.submap);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_compile_info, &ci);
	if (rc || strncmp(ci.compiler, "gcc", 3))
		return test_fail(T, "compile_info rc %ld", rc);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_changeset, cs);
	if (rc || strncmp(cs, "pvhv", 4))
		return test_fail(T, "changeset rc %ld", rc);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_pagesize, 0);
	if (rc != 4096)
		return test_fail(T, "pagesize %ld", rc);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, XENVER_commandline, caps);
	if (rc != -XEN_EPERM)
		return test_fail(T, "commandline gave %ld, want -EPERM", rc);
	rc = HYPERCALL2(__HYPERVISOR_xen_version, 999, 0);
	if (rc != -XEN_ENOSYS)
		return test_fail(T, "sub-op 999 gave %ld, want -ENOSYS", rc);
	printf("pvmini: Xen %ld.%ld%s (%s) on %s\n", v >> 16, v & 0xffff, extra,
	       cs, caps);
	test_pass(T);
}

#undef T

/* The null hypercall: XENVER_version, measured in the guest with pvclock.
 * The host's raw-KVM harness runs the same call/out/ret sequence. */
void test_bench_null(void)
{
	char buf[32];
	unsigned long n = 2000, count;
	uint64_t t0, t1;

	if (cmdline_opt("bench_n", buf, sizeof(buf))[0]) {
		n = 0;
		for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
			n = n * 10 + (unsigned long)(*p - '0');
	}
	count = n;
	t0 = xen_now();
	/* Exactly the loop the raw-KVM floor runs: cmd 0 in edi, call the
	 * stub, count down. */
	__asm__ __volatile__(
	    "1: xor %%edi, %%edi\n\t"
	    "call *%[stub]\n\t"
	    "dec %%rcx\n\t"
	    "jnz 1b"
	    : "+c"(n)
	    : [stub] "r"(hypercall_page + __HYPERVISOR_xen_version * 32)
	    : "rax", "rdi", "memory", "cc");
	t1 = xen_now();
	printf("BENCH null_hypercall n=%lu total_ns=%lu\n", count, t1 - t0);
	test_pass("bench-null");
}
