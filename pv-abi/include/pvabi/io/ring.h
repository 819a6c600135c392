/*
 * Shared request/response rings of split drivers (block, net, ...), and
 * the byte-stream "flex" rings. Mirrors Xen's public/io/ring.h: same
 * macro names, same shared layout.
 *
 * A shared ring (NAME_sring) lives in a granted page: four indexes, 48
 * bytes of private/pad space, then a power-of-two array of entries, each
 * a union of one request and one response. Indexes run freely and are
 * masked with the ring size. The front end produces requests and consumes
 * responses; the back end the reverse. Each end keeps its private copies
 * of the indexes in NAME_front_ring / NAME_back_ring, which are local
 * memory (they hold a pointer to the shared ring and are not ABI).
 *
 * Memory barriers: define xen_mb(), xen_rmb() and xen_wmb() before
 * including this header to use your own; the defaults are C11 fences.
 */
#ifndef PVABI_IO_RING_H
#define PVABI_IO_RING_H

#include <stdint.h>

#include "../grant_table.h"

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

typedef uint32_t RING_IDX;

/* Largest power of two <= a 32-bit constant (0 stays 0). */
#define __RD2(_x)  (((_x)&0x00000002) ? 0x2 : ((_x)&0x1))
#define __RD4(_x)  (((_x)&0x0000000c) ? __RD2((_x) >> 2) << 2 : __RD2(_x))
#define __RD8(_x)  (((_x)&0x000000f0) ? __RD4((_x) >> 4) << 4 : __RD4(_x))
#define __RD16(_x) (((_x)&0x0000ff00) ? __RD8((_x) >> 8) << 8 : __RD8(_x))
#define __RD32(_x) (((_x)&0xffff0000) ? __RD16((_x) >> 16) << 16 : __RD16(_x))

/* Entries of a ring of type tag _s that fit in _sz bytes (a constant). */
#define __CONST_RING_SIZE(_s, _sz)                                             \
	(__RD32(((_sz) - __builtin_offsetof(struct _s##_sring, ring)) /        \
		sizeof(((struct _s##_sring *)0)->ring[0])))

/* The same, from a pointer to the shared ring. */
#define __RING_SIZE(_s, _sz)                                                   \
	(__RD32(((_sz) - (uintptr_t)((_s)->ring) + (uintptr_t)(_s)) /          \
		sizeof((_s)->ring[0])))

/*
 * DEFINE_RING_TYPES(name, req_t, rsp_t); declares union name_sring_entry,
 * struct name_sring (shared) and struct name_front_ring /
 * name_back_ring (private), with _t typedefs.
 */
#define DEFINE_RING_TYPES(__name, __req_t, __rsp_t)                            \
	union __name##_sring_entry {                                           \
		__req_t req;                                                   \
		__rsp_t rsp;                                                   \
	};                                                                     \
                                                                               \
	struct __name##_sring {                                                \
		RING_IDX req_prod;                                             \
		RING_IDX req_event;                                            \
		RING_IDX rsp_prod;                                             \
		RING_IDX rsp_event;                                            \
		union {                                                        \
			struct {                                               \
				uint8_t smartpoll_active;                      \
			} netif;                                               \
			struct {                                               \
				uint8_t msg;                                   \
			} tapif_user;                                          \
			uint8_t pvt_pad[4];                                    \
		} pvt;                                                         \
		uint8_t __pad[44];                                             \
		union __name##_sring_entry                                     \
		    ring[1]; /* really: as many as fit */                      \
	};                                                                     \
	_Static_assert(__builtin_offsetof(struct __name##_sring, ring) == 64,  \
		       #__name "_sring");                                      \
                                                                               \
	struct __name##_front_ring {                                           \
		RING_IDX req_prod_pvt; /* requests made, not yet pushed */     \
		RING_IDX rsp_cons;     /* responses consumed */                \
		uint32_t nr_ents;                                              \
		uint32_t _pad0;                                                \
		struct __name##_sring *sring;                                  \
	};                                                                     \
                                                                               \
	struct __name##_back_ring {                                            \
		RING_IDX rsp_prod_pvt; /* responses made, not yet pushed */    \
		RING_IDX req_cons;     /* requests consumed */                 \
		uint32_t nr_ents;                                              \
		uint32_t _pad0;                                                \
		struct __name##_sring *sring;                                  \
	};                                                                     \
                                                                               \
	typedef struct __name##_sring __name##_sring_t;                        \
	typedef struct __name##_front_ring __name##_front_ring_t;              \
	typedef struct __name##_back_ring __name##_back_ring_t

/* Reset a shared ring (the front end does this once). */
#define SHARED_RING_INIT(_s)                                                   \
	do {                                                                   \
		(_s)->req_prod = (_s)->rsp_prod = 0;                           \
		(_s)->req_event = (_s)->rsp_event = 1;                         \
		__builtin_memset((_s)->pvt.pvt_pad, 0,                         \
				 sizeof((_s)->pvt.pvt_pad));                   \
		__builtin_memset((_s)->__pad, 0, sizeof((_s)->__pad));         \
	} while (0)

/* Attach an end to a shared ring of __size bytes, at index _i. */
#define FRONT_RING_ATTACH(_r, _s, _i, __size)                                  \
	do {                                                                   \
		(_r)->req_prod_pvt = (_i);                                     \
		(_r)->rsp_cons = (_i);                                         \
		(_r)->nr_ents = __RING_SIZE(_s, __size);                       \
		(_r)->sring = (_s);                                            \
	} while (0)

#define FRONT_RING_INIT(_r, _s, __size) FRONT_RING_ATTACH(_r, _s, 0, __size)

#define XEN_FRONT_RING_INIT(r, s, size)                                        \
	do {                                                                   \
		SHARED_RING_INIT(s);                                           \
		FRONT_RING_INIT(r, s, size);                                   \
	} while (0)

#define BACK_RING_ATTACH(_r, _s, _i, __size)                                   \
	do {                                                                   \
		(_r)->rsp_prod_pvt = (_i);                                     \
		(_r)->req_cons = (_i);                                         \
		(_r)->nr_ents = __RING_SIZE(_s, __size);                       \
		(_r)->sring = (_s);                                            \
	} while (0)

#define BACK_RING_INIT(_r, _s, __size) BACK_RING_ATTACH(_r, _s, 0, __size)

#define RING_SIZE(_r) ((_r)->nr_ents)

/* Front end: request slots still free, and whether none are. */
#define RING_FREE_REQUESTS(_r)                                                 \
	(RING_SIZE(_r) - ((_r)->req_prod_pvt - (_r)->rsp_cons))
#define RING_FULL(_r) (RING_FREE_REQUESTS(_r) == 0)

/* Messages the peer produced that this end has not consumed yet. */
#define XEN_RING_NR_UNCONSUMED_RESPONSES(_r)                                   \
	((_r)->sring->rsp_prod - (_r)->rsp_cons)

/* Capped by the free response slots, so a hostile front end cannot
 * make the back end overrun its responses. */
#define XEN_RING_NR_UNCONSUMED_REQUESTS(_r)                                    \
	({                                                                     \
		uint32_t req_ = (_r)->sring->req_prod - (_r)->req_cons;        \
		uint32_t rsp_ =                                                \
		    RING_SIZE(_r) - ((_r)->req_cons - (_r)->rsp_prod_pvt);     \
		req_ < rsp_ ? req_ : rsp_;                                     \
	})

#ifdef XEN_RING_HAS_UNCONSUMED_IS_BOOL
#define RING_HAS_UNCONSUMED_RESPONSES(_r)                                      \
	(!!XEN_RING_NR_UNCONSUMED_RESPONSES(_r))
#define RING_HAS_UNCONSUMED_REQUESTS(_r) (!!XEN_RING_NR_UNCONSUMED_REQUESTS(_r))
#else
#define RING_HAS_UNCONSUMED_RESPONSES(_r) XEN_RING_NR_UNCONSUMED_RESPONSES(_r)
#define RING_HAS_UNCONSUMED_REQUESTS(_r)  XEN_RING_NR_UNCONSUMED_REQUESTS(_r)
#endif

/* Pointer to the entry at index _idx (in shared memory). */
#define RING_GET_REQUEST(_r, _idx)                                             \
	(&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].req))
#define RING_GET_RESPONSE(_r, _idx)                                            \
	(&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].rsp))

/*
 * Copy an entry out of shared memory in one go (volatile read), so the
 * peer cannot change it under us; prefer these to RING_GET_*.
 */
#define RING_COPY_(type, r, idx, dest)                                         \
	do {                                                                   \
		*(dest) = *(volatile __typeof__(dest))RING_GET_##type(r, idx); \
	} while (0)
#define RING_COPY_REQUEST(r, idx, req)	RING_COPY_(REQUEST, r, idx, req)
#define RING_COPY_RESPONSE(r, idx, rsp) RING_COPY_(RESPONSE, r, idx, rsp)

/* Back end: would consuming request _cons overflow our responses? */
#define RING_REQUEST_CONS_OVERFLOW(_r, _cons)                                  \
	(((_cons) - (_r)->rsp_prod_pvt) >= RING_SIZE(_r))

/* Sanity checks of a peer's producer index. */
#define RING_REQUEST_PROD_OVERFLOW(_r, _prod)                                  \
	(((_prod) - (_r)->rsp_prod_pvt) > RING_SIZE(_r))
#define RING_RESPONSE_PROD_OVERFLOW(_r, _prod)                                 \
	(((_prod) - (_r)->rsp_cons) > RING_SIZE(_r))

/* Publish produced entries: data first, then the index. */
#define RING_PUSH_REQUESTS(_r)                                                 \
	do {                                                                   \
		xen_wmb();                                                     \
		(_r)->sring->req_prod = (_r)->req_prod_pvt;                    \
	} while (0)

#define RING_PUSH_RESPONSES(_r)                                                \
	do {                                                                   \
		xen_wmb();                                                     \
		(_r)->sring->rsp_prod = (_r)->rsp_prod_pvt;                    \
	} while (0)

/*
 * Event hold-off: each end sets *_event to the index at which it wants
 * the next notification. Publish and set _notify when the peer asked to
 * be told about one of the entries just published.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(_r, _notify)                       \
	do {                                                                   \
		RING_IDX old_ = (_r)->sring->req_prod;                         \
		RING_IDX new_ = (_r)->req_prod_pvt;                            \
		xen_wmb();                                                     \
		(_r)->sring->req_prod = new_;                                  \
		xen_mb();                                                      \
		(_notify) = ((RING_IDX)(new_ - (_r)->sring->req_event) <       \
			     (RING_IDX)(new_ - old_));                         \
	} while (0)

#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(_r, _notify)                      \
	do {                                                                   \
		RING_IDX old_ = (_r)->sring->rsp_prod;                         \
		RING_IDX new_ = (_r)->rsp_prod_pvt;                            \
		xen_wmb();                                                     \
		(_r)->sring->rsp_prod = new_;                                  \
		xen_mb();                                                      \
		(_notify) = ((RING_IDX)(new_ - (_r)->sring->rsp_event) <       \
			     (RING_IDX)(new_ - old_));                         \
	} while (0)

/*
 * Before going idle: ask to be notified of the next entry, then look
 * again, so an entry published in between is not missed.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(_r, _work_to_do)                         \
	do {                                                                   \
		(_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r);              \
		if (_work_to_do)                                               \
			break;                                                 \
		(_r)->sring->req_event = (_r)->req_cons + 1;                   \
		xen_mb();                                                      \
		(_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r);              \
	} while (0)

#define RING_FINAL_CHECK_FOR_RESPONSES(_r, _work_to_do)                        \
	do {                                                                   \
		(_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r);             \
		if (_work_to_do)                                               \
			break;                                                 \
		(_r)->sring->rsp_event = (_r)->rsp_cons + 1;                   \
		xen_mb();                                                      \
		(_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r);             \
	} while (0)

/*
 * Flex rings: two byte rings (in, out), each half of a 2^order-page
 * allocation, with indexes in a separate shared page.
 * DEFINE_XEN_FLEX_RING(name) declares name_mask(), name_get_ring_ptr(),
 * name_read_packet(), name_write_packet(), name_queued() and the local
 * struct name_data; DEFINE_XEN_FLEX_RING_AND_INTF(name) adds the shared
 * index page struct name_data_intf. These use __builtin_memcpy.
 */
#ifndef XEN_PAGE_SHIFT
#define XEN_PAGE_SHIFT 12 /* rings always use 4 KiB pages */
#endif
#define XEN_FLEX_RING_SIZE(order) (1UL << ((order) + XEN_PAGE_SHIFT - 1))

#define DEFINE_XEN_FLEX_RING(name)                                             \
	static inline __attribute__((unused))                                  \
	RING_IDX name##_mask(RING_IDX idx, RING_IDX ring_size)                 \
	{                                                                      \
		return idx & (ring_size - 1);                                  \
	}                                                                      \
                                                                               \
	static inline                                                          \
	    __attribute__((unused)) unsigned char *name##_get_ring_ptr(        \
		unsigned char *buf, RING_IDX idx, RING_IDX ring_size)          \
	{                                                                      \
		return buf + name##_mask(idx, ring_size);                      \
	}                                                                      \
                                                                               \
	static inline __attribute__((unused)) void name##_read_packet(         \
	    void *opaque, const unsigned char *buf, __SIZE_TYPE__ size,        \
	    RING_IDX masked_prod, RING_IDX *masked_cons, RING_IDX ring_size)   \
	{                                                                      \
		RING_IDX tail = ring_size - *masked_cons;                      \
                                                                               \
		if (*masked_cons < masked_prod || size <= tail) {              \
			__builtin_memcpy(opaque, buf + *masked_cons, size);    \
		} else {                                                       \
			__builtin_memcpy(opaque, buf + *masked_cons, tail);    \
			__builtin_memcpy((unsigned char *)opaque + tail, buf,  \
					 size - tail);                         \
		}                                                              \
		*masked_cons = name##_mask(*masked_cons + size, ring_size);    \
	}                                                                      \
                                                                               \
	static inline __attribute__((unused)) void name##_write_packet(        \
	    unsigned char *buf, const void *opaque, __SIZE_TYPE__ size,        \
	    RING_IDX *masked_prod, RING_IDX masked_cons, RING_IDX ring_size)   \
	{                                                                      \
		RING_IDX tail = ring_size - *masked_prod;                      \
                                                                               \
		if (*masked_prod < masked_cons || size <= tail) {              \
			__builtin_memcpy(buf + *masked_prod, opaque, size);    \
		} else {                                                       \
			__builtin_memcpy(buf + *masked_prod, opaque, tail);    \
			__builtin_memcpy(buf,                                  \
					 (const unsigned char *)opaque + tail, \
					 size - tail);                         \
		}                                                              \
		*masked_prod = name##_mask(*masked_prod + size, ring_size);    \
	}                                                                      \
                                                                               \
	static inline __attribute__((unused)) RING_IDX name##_queued(          \
	    RING_IDX prod, RING_IDX cons, RING_IDX ring_size)                  \
	{                                                                      \
		if (prod == cons)                                              \
			return 0;                                              \
		prod = name##_mask(prod, ring_size);                           \
		cons = name##_mask(cons, ring_size);                           \
		if (prod == cons)                                              \
			return ring_size;                                      \
		if (prod > cons)                                               \
			return prod - cons;                                    \
		return ring_size - (cons - prod);                              \
	}                                                                      \
                                                                               \
	struct name##_data {                                                   \
		unsigned char *in;  /* first half of the allocation */         \
		unsigned char *out; /* second half */                          \
	}

#define DEFINE_XEN_FLEX_RING_AND_INTF(name)                                    \
	struct name##_data_intf {                                              \
		RING_IDX in_cons;                                              \
		RING_IDX in_prod;                                              \
		uint8_t pad1[56];                                              \
		RING_IDX out_cons;                                             \
		RING_IDX out_prod;                                             \
		uint8_t pad2[56];                                              \
		RING_IDX ring_order;                                           \
		grant_ref_t ref[];                                             \
	};                                                                     \
	_Static_assert(sizeof(struct name##_data_intf) == 132,                 \
		       #name "_data_intf");                                    \
	DEFINE_XEN_FLEX_RING(name)

#endif
