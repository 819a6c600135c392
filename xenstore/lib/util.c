/* libpvstore: permissions text, path checks, error names, escapes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvstore/wire.h>

static const char perm_letters[] = "nrwb"; /* indexed by PVSTORE_PERM_* */

int pvstore_perm_parse(const char *text, struct pvstore_perm *out)
{
	const char *l = text[0] ? strchr(perm_letters, text[0]) : NULL;
	uint64_t domid;

	if (!l ||
	    pvstore_parse_num(text + 1, strlen(text + 1), 65535, &domid) < 0)
		return -EINVAL;
	if (text[1] == '0' && text[2]) /* no leading zeros: one spelling */
		return -EINVAL;
	out->domid = (uint32_t)domid;
	out->access = (uint32_t)(l - perm_letters);
	return 0;
}

int pvstore_perm_format(const struct pvstore_perm *p, char *buf, size_t len)
{
	int n;

	if (p->access > PVSTORE_PERM_BOTH || p->domid > 65535)
		return -EINVAL;
	n = snprintf(buf, len, "%c%u", perm_letters[p->access],
		     (unsigned)p->domid);
	return n < 0 || (size_t)n >= len ? -EINVAL : n;
}

static int path_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

int pvstore_path_check(const char *path, bool special)
{
	size_t len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
	bool abs = path[0] == '/';

	if (len == 0 || len > (abs || special ? XENSTORE_ABS_PATH_MAX
					      : XENSTORE_REL_PATH_MAX))
		return -EINVAL;
	if (path[0] == '@') {
		if (!special || len == 1)
			return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!path_char_ok(path[i]))
			return -EINVAL;
		if (path[i] == '/' &&
		    (path[i + 1] == '/' || (path[i + 1] == 0 && i != 0)))
			return -EINVAL; /* empty component, trailing slash */
	}
	return 0;
}

/* Names beyond Xen's table that daemons may send. */
static const struct xsd_errors extra_errors[] = {
    {.errnum = ENOTDIR, .errstring = "ENOTDIR"},
    {.errnum = EPROTO, .errstring = "EPROTO"},
    {.errnum = ETIMEDOUT, .errstring = "ETIMEDOUT"},
    {.errnum = EOVERFLOW, .errstring = "EOVERFLOW"},
    {.errnum = EDQUOT, .errstring = "EDQUOT"},
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *pvstore_errno_name(int err)
{
	for (size_t i = 0; i < N_ELEM(xsd_errors); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	for (size_t i = 0; i < N_ELEM(extra_errors); i++)
		if (extra_errors[i].errnum == err)
			return extra_errors[i].errstring;
	return NULL;
}

static int match(const char *name, size_t len, const struct xsd_errors *e)
{
	return strlen(e->errstring) == len && !memcmp(e->errstring, name, len);
}

int pvstore_errno_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < N_ELEM(xsd_errors); i++)
		if (match(name, len, &xsd_errors[i]))
			return xsd_errors[i].errnum;
	for (size_t i = 0; i < N_ELEM(extra_errors); i++)
		if (match(name, len, &extra_errors[i]))
			return extra_errors[i].errnum;
	return EIO;
}

/* xenstore-ls's spelling: named escapes, octal below 8, hex otherwise. */
char *pvstore_escape(const char *value, size_t len)
{
	char *out, *o;

	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		switch (c) {
		case '\t':
			o += sprintf(o, "\\t");
			break;
		case '\n':
			o += sprintf(o, "\\n");
			break;
		case '\r':
			o += sprintf(o, "\\r");
			break;
		case '\\':
			o += sprintf(o, "\\\\");
			break;
		default:
			if (c < 8)
				o += sprintf(o, "\\%03o", c);
			else if (c < 0x20 || c >= 0x7f)
				o += sprintf(o, "\\x%02x", c);
			else
				*o++ = (char)c;
		}
	}
	*o = 0;
	return out;
}

static int digit(char c, int base)
{
	int d = c >= '0' && c <= '9'   ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
				       : 99;

	return d < base ? d : -1;
}

/* One escape after the backslash at *p: the byte, p advanced. */
static int unescape_one(const char **p)
{
	static const char named[] = "a\ab\bf\fn\nr\rt\tv\v\\\\''\"\"";
	const char *s = *p, *n;
	int v = 0, i, base = 8, max = 3;

	if (*s == 'x') {
		base = 16;
		max = 2;
		s++;
	} else if (digit(*s, 8) < 0) {
		for (n = named; *s && *n; n += 2)
			if (*n == *s) {
				*p = s + 1;
				return (unsigned char)n[1];
			}
		return -EINVAL;
	}
	for (i = 0; i < max && digit(s[i], base) >= 0; i++)
		v = v * base + digit(s[i], base);
	if (i == 0 || v > 255)
		return -EINVAL;
	*p = s + i;
	return v;
}

int pvstore_unescape(const char *text, char *out)
{
	const char *p = text;
	char *o = out;

	while (*p) {
		int c;

		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		c = unescape_one(&p);
		if (c < 0)
			return c;
		*o++ = (char)c;
	}
	*o = 0;
	return (int)(o - out);
}
