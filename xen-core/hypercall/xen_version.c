/* __HYPERVISOR_xen_version(cmd, arg): version and feature queries. */
#include <string.h>

#include <pvabi/errno.h>
#include <pvabi/features.h>
#include <pvabi/version.h>
#include <pvhv/cpuid.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

#include "pvhv_build.h"

#define PVHV_EXTRAVERSION ".0-pvhv"

/* Features every pvhv (PVH) guest has, submap 0. */
static uint32_t xen_features_submap0(void)
{
	return (1u << XENFEAT_writable_page_tables) |
	       (1u << XENFEAT_auto_translated_physmap) |
	       (1u << XENFEAT_hvm_callback_vector) |
	       (1u << XENFEAT_hvm_safe_pvclock);
}

static int64_t copy_string(struct vcpu *v, uint64_t arg, const char *s,
			   size_t size)
{
	char buf[1024];

	memset(buf, 0, size);
	strncpy(buf, s, size - 1);
	return copy_to_guest(v, arg, buf, size);
}

int64_t do_xen_version(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0], arg = a[1];

	switch (cmd) {
	case XENVER_version:
		return (PVHV_XEN_MAJOR << 16) | PVHV_XEN_MINOR;
	case XENVER_extraversion:
		return copy_string(v, arg, PVHV_EXTRAVERSION,
				   sizeof(xen_extraversion_t));
	case XENVER_compile_info: {
		struct xen_compile_info ci;

		memset(&ci, 0, sizeof(ci));
		strncpy(ci.compiler, "gcc " __VERSION__,
			sizeof(ci.compiler) - 1);
		strncpy(ci.compile_by, "pvhv", sizeof(ci.compile_by) - 1);
		strncpy(ci.compile_date, PVHV_COMMIT_DATE,
			sizeof(ci.compile_date) - 1);
		return copy_to_guest(v, arg, &ci, sizeof(ci));
	}
	case XENVER_capabilities:
		return copy_string(v, arg, "hvm-3.0-x86_64",
				   sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return copy_string(v, arg, "pvhv " PVHV_CHANGESET,
				   sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters: {
		/* No hypervisor hole in a PVH guest's address space. */
		struct xen_platform_parameters pp = {.virt_start = 0};

		return copy_to_guest(v, arg, &pp, sizeof(pp));
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;
		int rc = copy_from_guest(v, &fi, arg, sizeof(fi));

		if (rc)
			return rc;
		fi.submap = fi.submap_idx == 0 ? xen_features_submap0() : 0;
		return copy_to_guest(v, arg, &fi, sizeof(fi));
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle: {
		/* The domain handle: its UUID, 16 bytes. */
		uint8_t h[16] = {0};
		const char *u = v->d->cfg.uuid;

		for (int i = 0, j = 0; u[i] && j < 32; i++) {
			int c = u[i], x;

			if (c == '-')
				continue;
			x = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
			h[j / 2] |= (uint8_t)(x << (j % 2 ? 0 : 4));
			j++;
		}
		return copy_to_guest(v, arg, h, sizeof(h));
	}
	case XENVER_commandline:
	case XENVER_build_id:
		return -XEN_EPERM; /* hypervisor internals: dom0 only */
	default:
		return hypercall_unimplemented(v, "xen_version", cmd);
	}
}
