/* __HYPERVISOR_console_io(cmd, count, buffer): the hypervisor console.
 * A domU's writes go to its own console log (Xen gives domUs this only in
 * debug builds; pvhv always does, it is how pvmini talks before any ring
 * exists). Reading the hypervisor console is for dom0. */
#include <pvabi/errno.h>
#include <pvhv/control.h>
#include <pvhv/domain.h>
#include <pvhv/exits.h>
#include <pvhv/guestcopy.h>

int64_t do_console_io(struct vcpu *v, const uint64_t *a)
{
	uint64_t cmd = a[0], count = (uint32_t)a[1], buf = a[2];
	uint8_t chunk[1024];

	switch (cmd) {
	case CONSOLEIO_write:
		while (count) {
			size_t n = MIN(count, sizeof(chunk));
			int rc = copy_from_guest(v, chunk, buf, n);

			if (rc)
				return rc;
			console_write(&v->d->cons, chunk, n);
			domain_request_service(v->d, DOM_SERVICE_CONSOLE);
			control_console_virq();
			buf += n;
			count -= n;
		}
		return 0;
	case CONSOLEIO_read:
		return -XEN_EPERM;
	default:
		return hypercall_unimplemented(v, "console_io", cmd);
	}
}
