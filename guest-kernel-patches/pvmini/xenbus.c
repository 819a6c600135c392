/*
 * xenbus: pvmini's xenstore client over the ring page (Xen's
 * docs/misc/xenstore-ring.txt). The ring indexes are free-running; the
 * guest produces requests and consumes responses, reading each index
 * once per pass and publishing data before the index.
 */
#include <pvabi/hvm/hvm_op.h>
#include <pvabi/hvm/params.h>

#include "pvmini.h"
#include "xenbus.h"

#define RING	   XENSTORE_RING_SIZE
#define TIMEOUT_NS 30000000000ull /* a reply never takes this long */
#define NEVENTS	   16

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static uint32_t next_id = 1;
static volatile unsigned int kicks;
unsigned long xenbus_requests, xenbus_stray_replies;

static struct {
	char path[256];
	char token[64];
} events[NEVENTS];
static unsigned int ev_head, ev_count;

static const struct {
	const char *name;
	int err;
} errs[] = {
    {"EINVAL", XEN_EINVAL},	  {"EACCES", XEN_EACCES},
    {"EEXIST", XEN_EEXIST},	  {"EISDIR", XEN_EISDIR},
    {"ENOENT", XEN_ENOENT},	  {"ENOMEM", XEN_ENOMEM},
    {"ENOSPC", XEN_ENOSPC},	  {"EIO", XEN_EIO},
    {"ENOTEMPTY", XEN_ENOTEMPTY}, {"ENOSYS", XEN_ENOSYS},
    {"EROFS", XEN_EROFS},	  {"EBUSY", XEN_EBUSY},
    {"EAGAIN", XEN_EAGAIN},	  {"E2BIG", XEN_E2BIG},
    {"EPERM", XEN_EPERM},
};

static int err_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
		if (!strcmp(name, errs[i].name))
			return -errs[i].err;
	return -XEN_EIO;
}

static void on_store_event(evtchn_port_t p, void *arg)
{
	(void)p;
	(void)arg;
	kicks++;
}

static long get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
	long rc = HYPERCALL2(__HYPERVISOR_hvm_op, HVMOP_get_param, &p);

	*value = p.value;
	return rc;
}

int xenbus_init(void)
{
	uint64_t pfn, evt;

	if (intf)
		return 0;
	if (get_param(HVM_PARAM_STORE_PFN, &pfn) ||
	    get_param(HVM_PARAM_STORE_EVTCHN, &evt) || !pfn || !evt)
		return -XEN_ENODEV;
	intf = (struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
	port = (evtchn_port_t)evt;
	evtchn_bind(port, on_store_event, NULL);
	evtchn_unmask(port);
	return 0;
}

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void wait_a_bit(unsigned int seen)
{
	/* The event handler counts kicks; block until one or 1 ms. */
	if (kicks == seen)
		block_until(xen_now() + 1000000);
}

static int ring_write(const void *data, size_t len, uint64_t deadline)
{
	const uint8_t *p = data;

	while (len) {
		uint32_t cons = ld(&intf->req_cons), prod = ld(&intf->req_prod);
		uint32_t space = RING - (prod - cons), off, n;
		unsigned int seen = kicks;

		if (prod - cons > RING)
			return -XEN_EIO;
		if (!space) {
			if (xen_now() > deadline)
				return -XEN_EIO;
			evtchn_send(port);
			wait_a_bit(seen);
			continue;
		}
		off = MASK_XENSTORE_IDX(prod);
		n = RING - off < space ? RING - off : space;
		n = n < len ? n : (uint32_t)len;
		memcpy(intf->req + off, p, n);
		__atomic_store_n(&intf->req_prod, prod + n, __ATOMIC_RELEASE);
		p += n;
		len -= n;
	}
	evtchn_send(port);
	return 0;
}

static int ring_read(void *data, size_t len, uint64_t deadline)
{
	uint8_t *p = data;

	while (len) {
		uint32_t cons = ld(&intf->rsp_cons), prod = ld(&intf->rsp_prod);
		uint32_t avail = prod - cons, off, n;
		unsigned int seen = kicks;

		if (avail > RING)
			return -XEN_EIO;
		if (!avail) {
			if (xen_now() > deadline)
				return -XEN_ETIME;
			wait_a_bit(seen);
			continue;
		}
		off = MASK_XENSTORE_IDX(cons);
		n = RING - off < avail ? RING - off : avail;
		n = n < len ? n : (uint32_t)len;
		memcpy(p, intf->rsp + off, n);
		__atomic_store_n(&intf->rsp_cons, cons + n, __ATOMIC_RELEASE);
		evtchn_send(port); /* room for the daemon's next output */
		p += n;
		len -= n;
	}
	return 0;
}

static void queue_event(const char *payload, uint32_t len)
{
	unsigned int slot = (ev_head + ev_count) % NEVENTS;
	size_t plen = strlen(payload);

	/* payload is NUL-terminated by read_msg: "path\0token\0" */
	if (plen >= len || ev_count == NEVENTS)
		return; /* malformed or full: watches may fire spuriously */
	snprintf(events[slot].path, sizeof(events[slot].path), "%s", payload);
	snprintf(events[slot].token, sizeof(events[slot].token), "%s",
		 payload + plen + 1);
	ev_count++;
}

/* The payload of the last message read (NUL-terminated). */
static char scratch[XENSTORE_PAYLOAD_MAX + 1];

/* Reads one message into h and scratch; events are queued (returns 1). */
static int read_msg(struct xsd_sockmsg *h, uint64_t deadline)
{
	int rc = ring_read(h, sizeof(*h), deadline);

	if (rc)
		return rc;
	if (h->len > XENSTORE_PAYLOAD_MAX)
		return -XEN_EIO;
	rc = ring_read(scratch, h->len, deadline);
	if (rc)
		return rc;
	scratch[h->len] = 0;
	if (h->type == XS_WATCH_EVENT) {
		queue_event(scratch, h->len);
		return 1;
	}
	return 0;
}

int xenbus_request(uint32_t type, uint32_t tx, const void *payload, size_t len,
		   char *reply, size_t rlen)
{
	uint64_t deadline = xen_now() + TIMEOUT_NS;
	struct xsd_sockmsg h = {type, next_id++, tx, (uint32_t)len}, r;
	int rc;

	if (!intf && (rc = xenbus_init()) < 0)
		return rc;
	if (len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;
	xenbus_requests++;
	rc = ring_write(&h, sizeof(h), deadline);
	if (!rc)
		rc = ring_write(payload, len, deadline);
	while (!rc) {
		rc = read_msg(&r, deadline);
		if (rc == 1 || (rc == 0 && r.req_id != h.req_id)) {
			/* An event, or a reply repeated after a daemon
			 * restart: keep waiting for ours. */
			if (rc == 0)
				xenbus_stray_replies++;
			rc = 0;
			continue;
		}
		if (rc)
			return rc;
		if (r.type == XS_ERROR)
			return err_of(scratch);
		if (reply && rlen) {
			size_t n = r.len < rlen - 1 ? r.len : rlen - 1;

			memcpy(reply, scratch, n);
			reply[n] = 0;
		}
		return (int)r.len;
	}
	return rc;
}

/* path + NUL + more (the payload of most requests) */
static int req_path(uint32_t type, uint32_t tx, const char *path,
		    const void *more, size_t mlen, char *reply, size_t rlen)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	size_t plen = strlen(path) + 1;

	if (plen + mlen > sizeof(buf))
		return -XEN_E2BIG;
	memcpy(buf, path, plen);
	if (mlen)
		memcpy(buf + plen, more, mlen);
	return xenbus_request(type, tx, buf, plen + mlen, reply, rlen);
}

static int ok(int rc)
{
	return rc < 0 ? rc : 0;
}

int xenbus_read(uint32_t tx, const char *path, char *buf, size_t len)
{
	return req_path(XS_READ, tx, path, NULL, 0, buf, len);
}

int xenbus_write_bytes(uint32_t tx, const char *path, const void *value,
		       size_t vlen)
{
	return ok(req_path(XS_WRITE, tx, path, value, vlen, NULL, 0));
}

int xenbus_write(uint32_t tx, const char *path, const char *value)
{
	return xenbus_write_bytes(tx, path, value, strlen(value));
}

int xenbus_mkdir(uint32_t tx, const char *path)
{
	return ok(req_path(XS_MKDIR, tx, path, NULL, 0, NULL, 0));
}

int xenbus_rm(uint32_t tx, const char *path)
{
	return ok(req_path(XS_RM, tx, path, NULL, 0, NULL, 0));
}

int xenbus_directory(uint32_t tx, const char *path, char *buf, size_t len)
{
	return req_path(XS_DIRECTORY, tx, path, NULL, 0, buf, len);
}

int xenbus_get_perms(uint32_t tx, const char *path, char *buf, size_t len)
{
	return req_path(XS_GET_PERMS, tx, path, NULL, 0, buf, len);
}

int xenbus_set_perms(uint32_t tx, const char *path, const char *perms,
		     size_t plen)
{
	return ok(req_path(XS_SET_PERMS, tx, path, perms, plen, NULL, 0));
}

int xenbus_watch(const char *path, const char *token)
{
	return ok(req_path(XS_WATCH, XBT_NIL, path, token, strlen(token) + 1,
			   NULL, 0));
}

int xenbus_unwatch(const char *path, const char *token)
{
	return ok(req_path(XS_UNWATCH, XBT_NIL, path, token, strlen(token) + 1,
			   NULL, 0));
}

int xenbus_transaction_start(uint32_t *tx)
{
	char id[16];
	int rc = xenbus_request(XS_TRANSACTION_START, XBT_NIL, "", 1, id,
				sizeof(id));
	uint32_t v = 0;

	if (rc < 0)
		return rc;
	for (const char *p = id; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	*tx = v;
	return 0;
}

int xenbus_transaction_end(uint32_t tx, int abort)
{
	return ok(xenbus_request(XS_TRANSACTION_END, tx, abort ? "F" : "T", 2,
				 NULL, 0));
}

int xenbus_wait_event(char *path, size_t plen, char *token, size_t tlen,
		      uint64_t timeout_ns)
{
	uint64_t deadline = xen_now() + timeout_ns;
	struct xsd_sockmsg r;

	while (!ev_count) {
		int rc;

		if (!intf)
			return -XEN_ENODEV;
		/* Nothing queued: read what the daemon sends. */
		if (ld(&intf->rsp_cons) == ld(&intf->rsp_prod)) {
			unsigned int seen = kicks;

			if (xen_now() > deadline)
				return -XEN_ETIME;
			wait_a_bit(seen);
			continue;
		}
		rc = read_msg(&r, deadline);
		if (rc < 0)
			return rc;
		if (rc == 0)
			xenbus_stray_replies++;
	}
	snprintf(path, plen, "%s", events[ev_head].path);
	snprintf(token, tlen, "%s", events[ev_head].token);
	ev_head = (ev_head + 1) % NEVENTS;
	ev_count--;
	return 0;
}

void xenbus_flush_events(void)
{
	ev_count = 0;
}

int xenbus_is(const char *reply, int len, const char *s)
{
	return len >= 0 && (size_t)len == strlen(s) + 1 && !strcmp(reply, s);
}
