/*
 * Shared by the two halves of test_abi: each translation unit expands the
 * X-macro list abi_list.h with its own headers into rows of {name, value},
 * test_abi.c with pvabi's, test_abi-xen.c with Debian's Xen headers.
 */
#ifndef PVHV_TESTS_UNIT_ABI_TABLE_H
#define PVHV_TESTS_UNIT_ABI_TABLE_H

#include <stddef.h>
#include <stdint.h>

struct abi_row {
	const char *name; /* what was measured, e.g. "sizeof(struct x)" */
	uint64_t value;	  /* the number, for numeric rows */
	const char *str;  /* the string, for string rows; else NULL */
};

/*
 * Fill rows[0..max) and return how many rows the list has (may exceed
 * max, then only max were written).
 */
size_t abi_rows_pvabi(struct abi_row *rows, size_t max);
size_t abi_rows_xen(struct abi_row *rows, size_t max);

/* XEN_E* names and values as Xen's errno.h lists them; NULL-terminated. */
extern const struct abi_row abi_xen_errnos[];

/*
 * Run the same ring-macro scenario with each side's io/ring.h; returns
 * the number of values written to out (at most max).
 */
size_t abi_ring_trace_pvabi(uint64_t *out, size_t max);
size_t abi_ring_trace_xen(uint64_t *out, size_t max);

/*
 * Expands abi_list.h into ROW()s. A TU defines ROW(name, value) and
 * ROW_STR(name, string) and then includes this block through
 * ABI_EXPAND_LIST.
 */
#define ABI_RECORD(kind, tag)                                                  \
	ROW("sizeof(" #kind " " #tag ")", sizeof(kind tag));                   \
	ROW("alignof(" #kind " " #tag ")", _Alignof(kind tag));
#define ABI_FIELD(kind, tag, path)                                             \
	ROW("offsetof(" #kind " " #tag ", " #path ")",                         \
	    __builtin_offsetof(kind tag, path));                               \
	ROW("sizeof(" #kind " " #tag "." #path ")",                            \
	    sizeof(((kind tag *)0)->path));
#define ABI_FLEXFIELD(kind, tag, path)                                         \
	ROW("offsetof(" #kind " " #tag ", " #path ")",                         \
	    __builtin_offsetof(kind tag, path));
#define ABI_SFIELD(kind, tag, path)                                            \
	ABI_FIELD(kind, tag, path)                                             \
	ROW("signed(" #kind " " #tag "." #path ")",                            \
	    (__typeof__(((kind tag *)0)->path))-1 / 2 == 0);
#define ABI_TYPE(name)                                                         \
	ROW("sizeof(" #name ")", sizeof(name));                                \
	ROW("alignof(" #name ")", _Alignof(name));
#define ABI_STYPE(name)                                                        \
	ABI_TYPE(name)                                                         \
	ROW("signed(" #name ")", (name)-1 / 2 == 0);
/* A sample UUID for XEN_DEFINE_UUID. */
#define ABI_UUID                                                               \
	XEN_DEFINE_UUID(0x00112233, 0x4455, 0x6677, 0x8899, 0xaa, 0xbb, 0xcc,  \
			0xdd, 0xee, 0xff)

#define ABI_CONST(name)	   ROW(#name, (name));
#define ABI_STR(name)	   ROW_STR(#name, (name));
#define ABI_EXPR(expr)	   ROW(#expr, (expr));
#define ABI_EXPR_STR(expr) ROW_STR(#expr, (expr));

#endif
