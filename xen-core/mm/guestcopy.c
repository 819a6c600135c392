/* Checked copies to and from guest-virtual memory (see guestcopy.h). */
#include <string.h>

#include <pvabi/errno.h>
#include <pvhv/domain.h>
#include <pvhv/guestcopy.h>

void *guest_va_ptr(struct vcpu *v, gva_t va, size_t len, bool write)
{
	gpa_t gpa;

	if (len == 0 || len > PAGE_SIZE - (va & (PAGE_SIZE - 1)))
		return NULL;
	if (gva_to_gpa(&v->d->mem, &v->pw, va, write, &gpa) < 0)
		return NULL;
	return gpa_to_hva(&v->d->mem, gpa, len, GM_ANY);
}

static int guest_copy(struct vcpu *v, gva_t va, void *buf, size_t len,
		      bool write)
{
	uint8_t *b = buf;

	if (len > GUEST_COPY_MAX || va + len < va)
		return -XEN_EFAULT;
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		uint8_t *p = guest_va_ptr(v, va, chunk, write);

		if (!p)
			return -XEN_EFAULT;
		if (write)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		va += chunk;
		b += chunk;
		len -= chunk;
	}
	return 0;
}

int copy_from_guest(struct vcpu *v, void *dst, gva_t src, size_t len)
{
	return guest_copy(v, src, dst, len, false);
}

int copy_to_guest(struct vcpu *v, gva_t dst, const void *src, size_t len)
{
	return guest_copy(v, dst, (void *)src, len, true);
}
