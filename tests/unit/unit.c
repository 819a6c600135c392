/* Shared CUnit runner: verbose on failure, exit status = failures != 0. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "unit.h"

int unit_run(const char *suite, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
	    {suite, NULL, NULL, NULL, NULL, tests},
	    CU_SUITE_INFO_NULL,
	};
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", suite, CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
