/*
 * xl.cfg tokenizer: turns bytes into keys, numbers, strings and
 * punctuation.  The syntax follows libxlutil's lexer (see xl.cfg(5)):
 *
 *   - "#" starts a comment that runs to the end of the line;
 *   - newlines and ";" end a setting; spaces, tabs and CRs separate tokens;
 *   - strings are in double or single quotes, on one line, with the escapes
 *     \" \' \\ \a \b \f \n \r \t \v \xHH and \OOO (1-3 octal digits);
 *   - numbers are decimal or 0x hex;
 *   - keys are [A-Za-z_][A-Za-z0-9_]*.
 *
 * Input is untrusted: every byte value is handled, nothing is read past
 * `end`, and every error is a message, not a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvtool/cfg.h>

#include "cfg_priv.h"

/* Longest text of a token quoted in a message. */
#define QUOTE_MAX 72

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void cfg_format_error(char *err, size_t errlen, const char *src,
		      unsigned int line, const char *key, const char *fmt,
		      va_list ap)
{
	int n;

	if (!err || !errlen)
		return;
	if (line)
		n = snprintf(err, errlen, "%s:%u: ", src, line);
	else
		n = snprintf(err, errlen, "%s: ", src);
	if (n >= 0 && (size_t)n < errlen && key)
		n += snprintf(err + n, errlen - n, "%s: ", key);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
}

void cfg_error(char *err, size_t errlen, const char *src, unsigned int line,
	       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_format_error(err, errlen, src, line, NULL, fmt, ap);
	va_end(ap);
}

int cfg_lex_error(const struct cfg_lexer *lx, unsigned int line,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_format_error(lx->err, lx->errlen, lx->src, lx->nolines ? 0 : line,
			 lx->key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void cfg_quote(const char *s, char *buf, size_t len)
{
	size_t o = 0, i;
	char piece[8];

	if (len < 8) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			snprintf(piece, sizeof(piece), "\\%c", c);
		else if (c == '\n')
			snprintf(piece, sizeof(piece), "\\n");
		else if (c == '\t')
			snprintf(piece, sizeof(piece), "\\t");
		else if (c < 0x20 || c > 0x7e)
			snprintf(piece, sizeof(piece), "\\x%02x", c);
		else
			snprintf(piece, sizeof(piece), "%c", c);
		/* keep room for the piece, '"...' and the NUL */
		if (i >= QUOTE_MAX || o + strlen(piece) + 5 > len) {
			memcpy(buf + o, "\"...", 5);
			return;
		}
		memcpy(buf + o, piece, strlen(piece));
		o += strlen(piece);
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

void cfg_describe_token(const struct cfg_token *tok, char *buf, size_t len)
{
	static const char *const names[] = {
	    [TOK_EOF] = "end of file", [TOK_NEWLINE] = "end of line",
	    [TOK_SEMI] = "';'",	       [TOK_EQ] = "'='",
	    [TOK_PLUSEQ] = "'+='",     [TOK_LBRACK] = "'['",
	    [TOK_RBRACK] = "']'",      [TOK_COMMA] = "','",
	};

	switch (tok->type) {
	case TOK_IDENT:
		snprintf(buf, len, "'%.*s'", QUOTE_MAX, tok->text);
		break;
	case TOK_NUMBER:
		snprintf(buf, len, "%.*s", QUOTE_MAX, tok->text);
		break;
	case TOK_STRING:
		cfg_quote(tok->text, buf, len);
		break;
	default:
		snprintf(buf, len, "%s", names[tok->type]);
		break;
	}
}

void cfg_token_clear(struct cfg_token *tok)
{
	free(tok->text);
	tok->text = NULL;
	tok->len = 0;
	tok->type = TOK_EOF;
	tok->num = 0;
}

static char *dup_range(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* Decodes one escape at *pp (just after the backslash) into *out. */
static int lex_escape(struct cfg_lexer *lx, const char **pp, const char *end,
		      unsigned char *out)
{
	static const char plain[] = "\"'\\abfnrtv";
	static const char value[] = "\"'\\\a\b\f\n\r\t\v";
	const char *p = *pp, *hit;
	unsigned int v = 0;
	int d, n;

	hit = strchr(plain, *p);
	if (*p && hit) {
		*out = (unsigned char)value[hit - plain];
		*pp = p + 1;
		return 0;
	}
	if (*p == 'x') {
		if (end - p < 3 || hex_value(p[1]) < 0 || hex_value(p[2]) < 0)
			return cfg_lex_error(lx, lx->line,
					     "\\x in a string must be followed "
					     "by two hex digits");
		*out = (unsigned char)(hex_value(p[1]) * 16 + hex_value(p[2]));
		*pp = p + 3;
		return 0;
	}
	for (n = 0; n < 3 && p < end && (d = *p - '0') >= 0 && d <= 7; n++) {
		v = v * 8 + d;
		p++;
	}
	if (n == 0) {
		char c[2] = {*p, '\0'}, shown[16];

		cfg_quote(c, shown, sizeof(shown));
		return cfg_lex_error(lx, lx->line,
				     "invalid escape in string: backslash "
				     "followed by %s",
				     shown);
	}
	if (v > 0xff)
		return cfg_lex_error(lx, lx->line,
				     "octal escape \\%.3s in a string is "
				     "larger than \\377",
				     *pp);
	*out = (unsigned char)v;
	*pp = p;
	return 0;
}

/* Finds the closing quote; -EINVAL if the line or input ends first. */
static int lex_string_end(struct cfg_lexer *lx, const char *p, char quote,
			  const char **stop)
{
	while (p < lx->end && *p != quote && *p != '\n') {
		if (*p == '\\' && p + 1 < lx->end && p[1] != '\n')
			p++;
		p++;
	}
	if (p >= lx->end || *p != quote)
		return cfg_lex_error(lx, lx->line,
				     "unterminated string (missing closing "
				     "%c on this line)",
				     quote);
	*stop = p;
	return 0;
}

static int lex_string(struct cfg_lexer *lx, struct cfg_token *tok)
{
	const char *p = lx->p + 1, *stop = NULL;
	unsigned char c;
	size_t o = 0;
	char *s;
	int r;

	r = lex_string_end(lx, p, *lx->p, &stop);
	if (r)
		return r;
	s = malloc(cfg_pow2(stop - p + 1));
	if (!s)
		return -ENOMEM;
	while (p < stop) {
		c = (unsigned char)*p++;
		if (c == 0) {
			r = cfg_lex_error(lx, lx->line, "NUL byte in string");
			goto err;
		}
		if (c == '\\') {
			r = lex_escape(lx, &p, stop, &c);
			if (r)
				goto err;
			if (c == 0) {
				r = cfg_lex_error(lx, lx->line,
						  "a string cannot contain a "
						  "NUL character");
				goto err;
			}
		}
		s[o++] = (char)c;
	}
	s[o] = '\0';
	tok->type = TOK_STRING;
	tok->text = s;
	tok->len = o;
	lx->p = stop + 1;
	return 0;
err:
	free(s);
	return r;
}

static int lex_number(struct cfg_lexer *lx, struct cfg_token *tok)
{
	const char *p = lx->p;
	char shown[QUOTE_MAX + 8];
	int r;

	while (p < lx->end && (is_ident_char(*p) || *p == '.'))
		p++;
	tok->text = dup_range(lx->p, p - lx->p);
	if (!tok->text)
		return -ENOMEM;
	tok->len = p - lx->p;
	tok->type = TOK_NUMBER;
	lx->p = p;
	r = pvtool_cfg_number(tok->text, &tok->num);
	snprintf(shown, sizeof(shown), "%.*s", QUOTE_MAX, tok->text);
	if (r == -ERANGE)
		return cfg_lex_error(lx, lx->line,
				     "number %s is too large (more than 64 "
				     "bits)",
				     shown);
	if (r == -EDOM)
		return cfg_lex_error(lx, lx->line,
				     "number %s has a leading zero, which xl "
				     "reads as octal; write it in decimal or "
				     "as 0x...",
				     shown);
	if (r)
		return cfg_lex_error(lx, lx->line, "invalid number %s", shown);
	return 0;
}

static int lex_ident(struct cfg_lexer *lx, struct cfg_token *tok)
{
	const char *p = lx->p;

	while (p < lx->end && is_ident_char(*p))
		p++;
	if (p - lx->p > CFG_KEY_MAX)
		return cfg_lex_error(lx, lx->line,
				     "name '%.32s...' is too long (more than "
				     "%d characters)",
				     lx->p, CFG_KEY_MAX);
	tok->text = dup_range(lx->p, p - lx->p);
	if (!tok->text)
		return -ENOMEM;
	tok->len = p - lx->p;
	tok->type = TOK_IDENT;
	lx->p = p;
	return 0;
}

static int lex_other(struct cfg_lexer *lx, unsigned char c)
{
	if (c == '-' && lx->p + 1 < lx->end && is_digit(lx->p[1]))
		return cfg_lex_error(lx, lx->line,
				     "negative numbers are not allowed");
	if (c >= 0x21 && c <= 0x7e)
		return cfg_lex_error(lx, lx->line, "unexpected character '%c'",
				     c);
	return cfg_lex_error(lx, lx->line, "unexpected byte 0x%02x", c);
}

/* Skips blanks and a comment; stops at a newline or a token. */
static void lex_skip(struct cfg_lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '#') {
			const char *nl = memchr(lx->p, '\n', lx->end - lx->p);

			lx->p = nl ? nl : lx->end;
		} else {
			break;
		}
	}
}

static bool lex_punct(struct cfg_lexer *lx, struct cfg_token *tok)
{
	static const char chars[] = "\n;=[],";
	static const enum cfg_tok types[] = {
	    TOK_NEWLINE, TOK_SEMI, TOK_EQ, TOK_LBRACK, TOK_RBRACK, TOK_COMMA};
	const char *hit;

	if (*lx->p == '+' && lx->p + 1 < lx->end && lx->p[1] == '=') {
		tok->type = TOK_PLUSEQ;
		lx->p += 2;
		return true;
	}
	hit = *lx->p ? strchr(chars, *lx->p) : NULL;
	if (!hit)
		return false;
	tok->type = types[hit - chars];
	lx->p++;
	if (tok->type == TOK_NEWLINE)
		lx->line++;
	return true;
}

int cfg_lex_next(struct cfg_lexer *lx, struct cfg_token *tok)
{
	unsigned char c;

	cfg_token_clear(tok);
	lex_skip(lx);
	tok->line = lx->line;
	if (lx->p >= lx->end) {
		tok->type = TOK_EOF;
		return 0;
	}
	if (lex_punct(lx, tok))
		return 0;
	c = (unsigned char)*lx->p;
	if (c == '"' || c == '\'')
		return lex_string(lx, tok);
	if (is_digit(c))
		return lex_number(lx, tok);
	if (is_ident_start(c))
		return lex_ident(lx, tok);
	return lex_other(lx, c);
}

int pvtool_cfg_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && is_digit(s[1])) {
		return -EDOM;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = hex_value(*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base) {
			/* keep checking: "99999999999999999999x" is invalid */
			while (*s && (d = hex_value(*s)) >= 0 &&
			       (unsigned int)d < base)
				s++;
			return *s ? -EINVAL : -ERANGE;
		}
		v = v * base + d;
	}
	*out = v;
	return 0;
}
