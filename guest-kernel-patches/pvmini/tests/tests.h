/* pvmini tests: each prints PASS <name> or FAIL <name>: why. */
#ifndef PVMINI_TESTS_H
#define PVMINI_TESTS_H

struct hvm_start_info;
const struct hvm_start_info *pvmini_start_info(void);

void test_hello(void);
void test_version(void);
void test_time(void);
void test_badptr(void);
void test_hostile(void);
void test_bench_null(void);
void test_idle(void);
void test_ud2(void);
void test_triple(void);
void test_reboot(void);
void test_spin(void);
void test_cpuid(void);
void test_legacy_io(void);
void test_ipi(void);
void test_timer(void);
void test_smp(void);
void test_smp_native(void);

#endif
