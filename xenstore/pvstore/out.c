/* pvstore: output - escaped text and JSON. */
#include <stdlib.h>
#include <string.h>

#include "pvstore.h"

yajl_gen cli_gen(struct cli *c)
{
	if (!c->g) {
		c->g = yajl_gen_alloc(NULL);
		if (!c->g) {
			fprintf(stderr, "pvstore: out of memory\n");
			exit(EXIT_OP_FAILED);
		}
		yajl_gen_config(c->g, yajl_gen_beautify, 1);
	}
	return c->g;
}

/* Length of the UTF-8 sequence at p (0: invalid). */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static bool utf8_valid(const char *v, size_t len)
{
	const unsigned char *p = (const unsigned char *)v;

	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static char *base64(const unsigned char *p, size_t len)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = t[v >> 18];
		*o++ = t[(v >> 12) & 63];
		*o++ = i + 1 < len ? t[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? t[v & 63] : '=';
	}
	*o = 0;
	return out;
}

void cli_json_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void cli_json_value(yajl_gen g, const char *v, size_t len)
{
	char *b;

	if (utf8_valid(v, len)) {
		yajl_gen_string(g, (const unsigned char *)v, len);
		return;
	}
	b = base64((const unsigned char *)v, len);
	yajl_gen_map_open(g);
	cli_json_str(g, "base64");
	cli_json_str(g, b ? b : "");
	yajl_gen_map_close(g);
	free(b);
}

void cli_json_flush(struct cli *c)
{
	const unsigned char *buf;
	size_t len;

	if (!c->g)
		return;
	yajl_gen_get_buf(c->g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	if (len && buf[len - 1] != '\n')
		putchar('\n');
	yajl_gen_clear(c->g);
	yajl_gen_reset(c->g, NULL);
}

void cli_print_escaped(FILE *f, const char *v, size_t len)
{
	char *e = pvstore_escape(v, len);

	if (e)
		fputs(e, f);
	free(e);
}
