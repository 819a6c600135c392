/* libpvstore: building requests and parsing replies (no I/O). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvstore/wire.h>

void pvstore_req_init(struct pvstore_req *r, uint32_t type, uint32_t tx_id)
{
	r->hdr = (struct xsd_sockmsg){.type = type, .tx_id = tx_id};
	r->err = 0;
}

int pvstore_req_raw(struct pvstore_req *r, const void *p, size_t n)
{
	if (r->err)
		return r->err;
	if (n > sizeof(r->payload) - r->hdr.len) {
		r->err = -E2BIG;
		return r->err;
	}
	if (n)
		memcpy(r->payload + r->hdr.len, p, n);
	r->hdr.len += (uint32_t)n;
	return 0;
}

int pvstore_req_str(struct pvstore_req *r, const char *s)
{
	return pvstore_req_raw(r, s, strlen(s) + 1);
}

int pvstore_req_num(struct pvstore_req *r, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return pvstore_req_str(r, buf);
}

size_t pvstore_req_size(const struct pvstore_req *r)
{
	return sizeof(r->hdr) + r->hdr.len;
}

int pvstore_hdr_check(const struct xsd_sockmsg *hdr)
{
	return hdr->len > XENSTORE_PAYLOAD_MAX ? -EPROTO : 0;
}

int pvstore_reply_status(const struct xsd_sockmsg *hdr, const char *payload,
			 uint32_t want_type)
{
	size_t n;

	if (hdr->type == want_type)
		return 0;
	if (hdr->type != XS_ERROR)
		return -EPROTO;
	n = strnlen(payload, hdr->len);
	return -pvstore_errno_from_name(payload, n);
}

int pvstore_split(const char *p, size_t len, char ***vec, unsigned *n)
{
	size_t count = 0, i;
	char **v, *strings;

	for (i = 0; i < len; i++)
		if (p[i] == 0)
			count++;
	if (len && p[len - 1] != 0)
		count++; /* a last string without its NUL */
	if (count > (SIZE_MAX - len - 1) / sizeof(char *) - 1)
		return -ENOMEM;
	v = malloc((count + 1) * sizeof(char *) + len + 1);
	if (!v)
		return -ENOMEM;
	strings = (char *)(v + count + 1);
	if (len)
		memcpy(strings, p, len);
	strings[len] = 0;
	for (i = 0; i < count; i++) {
		v[i] = strings;
		strings += strlen(strings) + 1;
	}
	v[count] = NULL;
	*vec = v;
	*n = (unsigned)count;
	return 0;
}

int pvstore_dirpart_parse(const char *p, size_t len, const char **gen,
			  const char **names, size_t *names_len, int *end)
{
	size_t g = strnlen(p, len);

	if (g == 0 || g == len)
		return -EPROTO;
	*gen = p;
	p += g + 1;
	len -= g + 1;
	/* The last chunk ends with an empty name (a second NUL). */
	if (len == 0) {
		*end = 1; /* nothing at all: treat as the end, never loop */
	} else if (p[len - 1] != 0) {
		return -EPROTO;
	} else if (len == 1 || p[len - 2] == 0) {
		*end = 1;
		len--;
	} else {
		*end = 0;
	}
	*names = p;
	*names_len = len;
	return 0;
}

int pvstore_parse_num(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len && s[len - 1] == 0)
		len--;
	if (len == 0 || len > 20)
		return -EPROTO;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EPROTO;
		v = v * 10 + d;
	}
	if (v > max)
		return -EPROTO;
	*out = v;
	return 0;
}

int pvstore_event_parse(const char *p, size_t len, struct pvstore_event **ev)
{
	size_t plen = strnlen(p, len), tlen;
	struct pvstore_event *e;

	if (plen == len)
		return -EPROTO;
	tlen = strnlen(p + plen + 1, len - plen - 1);
	e = malloc(sizeof(*e) + plen + tlen + 2);
	if (!e)
		return -ENOMEM;
	e->path = (char *)(e + 1);
	memcpy(e->path, p, plen);
	e->path[plen] = 0;
	e->token = e->path + plen + 1;
	memcpy(e->token, p + plen + 1, tlen);
	e->token[tlen] = 0;
	*ev = e;
	return 0;
}

int pvstore_perms_parse_list(const char *p, size_t len,
			     struct pvstore_perm **perms, unsigned *n)
{
	struct pvstore_perm *v;
	char **strs;
	unsigned count;
	int rc = pvstore_split(p, len, &strs, &count);

	if (rc < 0)
		return rc;
	if (count == 0) {
		free(strs);
		return -EPROTO;
	}
	v = calloc(count, sizeof(*v));
	if (!v) {
		free(strs);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < count; i++) {
		if (pvstore_perm_parse(strs[i], &v[i]) < 0) {
			free(strs);
			free(v);
			return -EPROTO;
		}
	}
	free(strs);
	*perms = v;
	*n = count;
	return 0;
}
