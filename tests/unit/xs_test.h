/*
 * Helpers for the libpvxs unit tests: a store, dom0 and guest
 * connections, and requests written as strings. Replies come back as
 * text with NULs shown as '|' ("a|b|"), errors as "!ENOENT".
 */
#ifndef PVHV_TESTS_XS_TEST_H
#define PVHV_TESTS_XS_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvxs/xs.h>

#include "unit.h"

#define XT_UNUSED __attribute__((unused))

static struct xs_store *st;

/* Watch events met while waiting for replies, per connection. */
static struct xt_event {
	struct xs_conn *c;
	char text[512];
} xt_events[256];
static unsigned int xt_nevents;

static XT_UNUSED void xt_new_store(void)
{
	if (st)
		xs_store_free(st);
	xt_nevents = 0;
	CU_ASSERT_FATAL(xs_store_new(NULL, &st) == 0);
}

static XT_UNUSED struct xs_conn *xt_dom0(void)
{
	return xs_conn_new_socket(st);
}

/* A guest connection (no ring page: requests go in directly). */
static XT_UNUSED struct xs_conn *xt_guest(uint32_t domid)
{
	struct xs_domain *d;

	CU_ASSERT_FATAL(xs_domain_introduce(st, domid, 0, 1, true, &d) == 0);
	return xs_domain_conn(d);
}

/* Payload bytes as text: NUL -> '|'. */
static XT_UNUSED void xt_text(const uint8_t *p, size_t n, char *out,
			      size_t outlen)
{
	size_t i;

	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = p[i] ? (char)p[i] : '|';
	out[i] = 0;
}

/* Next queued message of c: 0 and its header, or -1 if none. */
static XT_UNUSED int xt_next(struct xs_conn *c, struct xsd_sockmsg *h,
			     char *text, size_t tlen)
{
	uint8_t msg[16 + XENSTORE_PAYLOAD_MAX];
	size_t have = 0;

	while (have < 16 || have < 16 + ((struct xsd_sockmsg *)msg)->len) {
		size_t len, want;
		const uint8_t *p = xs_conn_out_peek(c, &len);

		if (!p)
			return -1;
		want = have < 16 ? 16 - have
				 : 16 + ((struct xsd_sockmsg *)msg)->len - have;
		if (len > want)
			len = want;
		memcpy(msg + have, p, len);
		have += len;
		xs_conn_out_advance(c, len);
	}
	memcpy(h, msg, 16);
	if (h->type == XS_ERROR)
		snprintf(text, tlen, "!%s", (char *)msg + 16);
	else
		xt_text(msg + 16, h->len, text, tlen);
	return 0;
}

/* Moves queued events of c to the event list, stops at a reply. */
static XT_UNUSED const char *xt_reply(struct xs_conn *c)
{
	static char text[XENSTORE_PAYLOAD_MAX + 2];
	struct xsd_sockmsg h;

	while (xt_next(c, &h, text, sizeof(text)) == 0) {
		if (h.type != XS_WATCH_EVENT)
			return text;
		if (xt_nevents < 256) {
			xt_events[xt_nevents].c = c;
			size_t n = strlen(text);

			if (n >= sizeof(xt_events[0].text))
				n = sizeof(xt_events[0].text) - 1;
			memcpy(xt_events[xt_nevents].text, text, n);
			xt_events[xt_nevents].text[n] = 0;

			xt_nevents++;
		}
	}
	return "(no reply)";
}

/* Oldest event of c ("path|token|"), or "" if none. */
static XT_UNUSED const char *xt_event(struct xs_conn *c)
{
	static char text[512];

	xt_reply(c); /* collect what is queued */
	for (unsigned int i = 0; i < xt_nevents; i++) {
		if (xt_events[i].c != c)
			continue;
		snprintf(text, sizeof(text), "%s", xt_events[i].text);
		memmove(&xt_events[i], &xt_events[i + 1],
			(xt_nevents - i - 1) * sizeof(xt_events[0]));
		xt_nevents--;
		return text;
	}
	return "";
}

/* Request with a raw payload. */
static XT_UNUSED const char *xt_raw(struct xs_conn *c, uint32_t type,
				    uint32_t tx, const void *p, size_t len)
{
	static uint32_t rid;
	struct xsd_sockmsg h = {type, ++rid, tx, (uint32_t)len};

	xs_conn_handle(c, &h, p);
	return xt_reply(c);
}

/* Request whose payload is the given strings, each NUL-terminated. */
static XT_UNUSED const char *xt_req(struct xs_conn *c, uint32_t type,
				    uint32_t tx, int n, ...)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 64];
	size_t len = 0;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *s = va_arg(ap, const char *);
		size_t l = strlen(s) + 1;

		if (len + l <= sizeof(buf)) {
			memcpy(buf + len, s, l);
			len += l;
		}
	}
	va_end(ap);
	return xt_raw(c, type, tx, buf, len);
}

/* WRITE path value (value without its NUL, as clients send it). */
static XT_UNUSED const char *xt_write(struct xs_conn *c, uint32_t tx,
				      const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	return xt_raw(c, XS_WRITE, tx, buf, pl + vl);
}

#define READ(c, path)	    xt_req(c, XS_READ, 0, 1, path)
#define WRITE(c, path, val) xt_write(c, 0, path, val)
#define PERMS(c, path)	    xt_req(c, XS_GET_PERMS, 0, 1, path)
#define EXPECT(got, want)   CU_ASSERT_STRING_EQUAL(got, want)

/* SET_PERMS path p1 [p2 [p3]] */
static XT_UNUSED const char *xt_chmod(struct xs_conn *c, const char *path,
				      const char *p1, const char *p2,
				      const char *p3)
{
	if (!p2)
		return xt_req(c, XS_SET_PERMS, 0, 2, path, p1);
	if (!p3)
		return xt_req(c, XS_SET_PERMS, 0, 3, path, p1, p2);
	return xt_req(c, XS_SET_PERMS, 0, 4, path, p1, p2, p3);
}

#endif
