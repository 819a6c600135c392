/* Basic types shared by the hypervisor modules. */
#ifndef PVHV_TYPES_H
#define PVHV_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest addresses are integers, never host pointers. */
typedef uint64_t gpa_t; /* guest-physical */
typedef uint64_t gva_t; /* guest-virtual (linear) */

/* "Not placed anywhere" for a guest-physical address (0 is a valid one). */
#define GPA_NONE (~(gpa_t)0)

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)     ((a) < (b) ? (a) : (b))
#define MAX(a, b)     ((a) > (b) ? (a) : (b))

/* Maximum vCPUs per domain (Xen's legacy shared_info holds 32; the rest
 * register their vcpu_info). */
#define PV_MAX_VCPUS 64

#define unlikely(x) __builtin_expect(!!(x), 0)
#define likely(x)   __builtin_expect(!!(x), 1)

#endif
