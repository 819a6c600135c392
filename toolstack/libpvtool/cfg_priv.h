/* Internals of the xl.cfg reader shared by cfg_lex.c and cfg.c. */
#ifndef PVTOOL_CFG_PRIV_H
#define PVTOOL_CFG_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest key name; xl's own keys are all under 40 characters. */
#define CFG_KEY_MAX 128

/*
 * Strings and lists grow by "+=": their buffers are allocated in powers of
 * two (at least cfg_pow2(len + 1) bytes, cfg_pow2(nitems) items) so that
 * appending is amortised O(1) without storing a capacity.
 */
static inline size_t cfg_pow2(size_t n)
{
	size_t p = 1;

	while (p < n && p <= SIZE_MAX / 2)
		p *= 2;
	return p;
}

enum cfg_tok {
	TOK_EOF,
	TOK_NEWLINE,
	TOK_SEMI,
	TOK_EQ,
	TOK_PLUSEQ,
	TOK_LBRACK,
	TOK_RBRACK,
	TOK_COMMA,
	TOK_IDENT,
	TOK_NUMBER,
	TOK_STRING,
};

struct cfg_token {
	enum cfg_tok type;
	unsigned int line;
	char *text; /* IDENT, NUMBER (as written), STRING (decoded); malloc'd */
	size_t len; /* strlen(text) */
	uint64_t num; /* NUMBER */
};

struct cfg_lexer {
	const char *p, *end;
	unsigned int line;
	const char *src; /* source name for messages */
	bool nolines;	 /* messages carry no line number */
	const char *key; /* key being parsed, for messages; or NULL */
	char *err;
	size_t errlen;
};

/* Reads the next token into *tok (cleared first). 0 or -errno. */
int cfg_lex_next(struct cfg_lexer *lx, struct cfg_token *tok);
void cfg_token_clear(struct cfg_token *tok);

/* "SRC:LINE: KEY: fmt" from the lexer's state; returns -EINVAL. */
int cfg_lex_error(const struct cfg_lexer *lx, unsigned int line,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes "SRC[:LINE]: [KEY: ]message" into err (NULL-safe). */
void cfg_format_error(char *err, size_t errlen, const char *src,
		      unsigned int line, const char *key, const char *fmt,
		      va_list ap) __attribute__((format(printf, 6, 0)));

/* The same with arguments, and no key. */
void cfg_error(char *err, size_t errlen, const char *src, unsigned int line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A short, printable description of a token: end of line, '=', "text". */
void cfg_describe_token(const struct cfg_token *tok, char *buf, size_t len);

/* `s` in double quotes, non-printable bytes escaped, cut to fit `len`. */
void cfg_quote(const char *s, char *buf, size_t len);

#endif
