/* Shared CUnit runner for pvhv unit tests: one program per module. */
#ifndef PVHV_TESTS_UNIT_H
#define PVHV_TESTS_UNIT_H

#include <CUnit/CUnit.h>

/* Runs one suite (NULL-terminated test table); returns the exit status. */
int unit_run(const char *suite, CU_TestInfo *tests);

#endif
