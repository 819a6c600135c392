/* pvmini tests: each prints PASS <name> or FAIL <name>: why. */
#ifndef PVMINI_TESTS_H
#define PVMINI_TESTS_H

#include <pvabi/event_channel.h>

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
void test_last_down(void);
void test_cpuid(void);
void test_legacy_io(void);
void test_evtchn(void);
/* Binds the port domain `peer` allocated for us (evtchn.c). */
int bind_peer(domid_t peer, evtchn_port_t *port);
void test_evtchn_dom0(void);
void test_hostile_evtchn(void);
void test_gnttab(void);
void test_hostile_gnttab(void);
void test_ipi(void);
void test_timer(void);
void test_smp(void);
void test_smp_native(void);
void test_bench_evtchn(void);
void test_bench_evtchn_dom0(void);
void test_bench_gntcopy(void);

#endif
