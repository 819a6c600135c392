/*
 * xl.cfg reader: the grammar on top of cfg_lex.c and the settings store.
 *
 * Grammar (as libxlutil's, xl.cfg(5) "Syntax"):
 *
 *   file    := { [ setting ] ( NEWLINE | ";" ) }
 *   setting := KEY ( "=" | "+=" ) value
 *   value   := STRING | NUMBER | "[" NL* [ value NL* { "," NL* value NL* }
 *              [ "," NL* ] ] "]"
 *
 * Reading files is in cfg_file.c, so this file is pure logic.
 *
 * The store keeps one setting per key (the last assignment wins) in the
 * order keys were first set, with a hash index for lookups.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvtool/cfg.h>

#include "cfg_priv.h"

struct pvtool_cfg {
	struct pvtool_cfg_setting *set; /* in first-set order */
	size_t nset, aset;
	size_t *slots; /* hash index: set index + 1, 0 = free */
	size_t nslots; /* power of two, > 2 * nset */
	char **srcs;   /* source names the settings point to */
	size_t nsrcs;
};

struct cfg_parser {
	struct cfg_lexer lx;
	struct pvtool_cfg *cfg;
	const char *src;
	struct cfg_token tok; /* the current (next unparsed) token */
};

/* ---------------------------------------------------------- values */

static void value_free(struct pvtool_cfg_value *v)
{
	size_t i;

	free(v->str);
	for (i = 0; i < v->nitems; i++)
		value_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

/* Appends b's text to a's; both strings. */
static int value_concat(struct pvtool_cfg_value *a,
			const struct pvtool_cfg_value *b)
{
	size_t need = a->len + b->len + 1;
	char *s;

	if (need > cfg_pow2(a->len + 1)) {
		s = realloc(a->str, cfg_pow2(need));
		if (!s)
			return -ENOMEM;
		a->str = s;
	}
	memcpy(a->str + a->len, b->str, b->len + 1);
	a->len += b->len;
	return 0;
}

/* Moves b's items to the end of a's; both lists; b is left empty. */
static int value_extend(struct pvtool_cfg_value *a, struct pvtool_cfg_value *b)
{
	size_t need = a->nitems + b->nitems;
	struct pvtool_cfg_value *items;

	if (need > cfg_pow2(a->nitems) || !a->items) {
		items = realloc(a->items, cfg_pow2(need) * sizeof(*items));
		if (!items)
			return -ENOMEM;
		a->items = items;
	}
	if (b->nitems)
		memcpy(a->items + a->nitems, b->items,
		       b->nitems * sizeof(*items));
	a->nitems = need;
	free(b->items);
	b->items = NULL;
	b->nitems = 0;
	return 0;
}

/* ---------------------------------------------------------- store */

static size_t key_hash(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	while (*key) {
		h ^= (unsigned char)*key++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)h;
}

/* The slot holding `key`, or the free slot where it would go. */
static size_t *store_slot(const struct pvtool_cfg *cfg, const char *key)
{
	size_t mask = cfg->nslots - 1, i = key_hash(key) & mask;

	while (cfg->slots[i] && strcmp(cfg->set[cfg->slots[i] - 1].key, key))
		i = (i + 1) & mask;
	return &cfg->slots[i];
}

static int store_grow(struct pvtool_cfg *cfg)
{
	struct pvtool_cfg_setting *set;
	size_t n, i, *old = cfg->slots, nold = cfg->nslots;

	if (cfg->nset == cfg->aset) {
		n = cfg->aset ? cfg->aset * 2 : 16;
		set = realloc(cfg->set, n * sizeof(*set));
		if (!set)
			return -ENOMEM;
		cfg->set = set;
		cfg->aset = n;
	}
	if (2 * (cfg->nset + 1) < cfg->nslots)
		return 0;
	n = cfg->nslots ? cfg->nslots * 2 : 64;
	cfg->slots = calloc(n, sizeof(*cfg->slots));
	if (!cfg->slots) {
		cfg->slots = old;
		return -ENOMEM;
	}
	cfg->nslots = n;
	for (i = 0; i < nold; i++)
		if (old[i])
			*store_slot(cfg, cfg->set[old[i] - 1].key) = old[i];
	free(old);
	return 0;
}

/* Keeps a copy of `name` for the settings of one source. */
static const char *store_source(struct pvtool_cfg *cfg, const char *name)
{
	char **srcs, *copy;

	srcs = realloc(cfg->srcs, (cfg->nsrcs + 1) * sizeof(*srcs));
	if (!srcs)
		return NULL;
	cfg->srcs = srcs;
	copy = strdup(name);
	if (!copy)
		return NULL;
	cfg->srcs[cfg->nsrcs++] = copy;
	return copy;
}

int pvtool_cfg_new(struct pvtool_cfg **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void pvtool_cfg_free(struct pvtool_cfg *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nset; i++) {
		free(cfg->set[i].key);
		value_free(&cfg->set[i].value);
	}
	for (i = 0; i < cfg->nsrcs; i++)
		free(cfg->srcs[i]);
	free(cfg->set);
	free(cfg->slots);
	free(cfg->srcs);
	free(cfg);
}

static struct pvtool_cfg_setting *store_find(const struct pvtool_cfg *cfg,
					     const char *key)
{
	size_t slot;

	if (!cfg->nslots)
		return NULL;
	slot = *store_slot(cfg, key);
	return slot ? &cfg->set[slot - 1] : NULL;
}

const struct pvtool_cfg_setting *pvtool_cfg_get(const struct pvtool_cfg *cfg,
						const char *key)
{
	return store_find(cfg, key);
}

size_t pvtool_cfg_count(const struct pvtool_cfg *cfg)
{
	return cfg->nset;
}

const struct pvtool_cfg_setting *pvtool_cfg_at(const struct pvtool_cfg *cfg,
					       size_t i)
{
	return i < cfg->nset ? &cfg->set[i] : NULL;
}

/* "+=": xl concatenates strings, extends lists, refuses numbers. */
static int store_append(struct cfg_parser *ps, struct pvtool_cfg_setting *s,
			struct pvtool_cfg_value *v, unsigned int line)
{
	struct pvtool_cfg_value *old = &s->value;
	int r;

	if (old->type == PVTOOL_CFG_NUMBER)
		return cfg_lex_error(&ps->lx, line,
				     "can't use += with numbers");
	if (old->type != v->type)
		return cfg_lex_error(
		    &ps->lx, line, "can't add a %s to a %s",
		    v->type == PVTOOL_CFG_LIST ? "list" : "string",
		    old->type == PVTOOL_CFG_LIST ? "list" : "string");
	if (v->type == PVTOOL_CFG_STRING)
		r = value_concat(old, v);
	else
		r = value_extend(old, v);
	if (r)
		return r;
	value_free(v);
	return 0;
}

/* Stores `v` under `*key`; takes both on success. */
static int store_set(struct cfg_parser *ps, char **key, bool append,
		     struct pvtool_cfg_value *v, unsigned int line)
{
	struct pvtool_cfg *cfg = ps->cfg;
	struct pvtool_cfg_setting *s;
	size_t *slot;
	int r;

	if (append && v->type == PVTOOL_CFG_NUMBER)
		return cfg_lex_error(&ps->lx, line,
				     "can't use += with numbers");
	s = store_find(cfg, *key);
	if (s && append) {
		r = store_append(ps, s, v, line);
	} else if (s) {
		value_free(&s->value);
		s->value = *v;
		r = 0;
	} else {
		if (cfg->nset >= PVTOOL_CFG_MAX_KEYS) {
			cfg_lex_error(&ps->lx, line,
				      "too many different keys (more than %d)",
				      PVTOOL_CFG_MAX_KEYS);
			return -E2BIG;
		}
		r = store_grow(cfg);
		if (r)
			return r;
		slot = store_slot(cfg, *key);
		s = &cfg->set[cfg->nset];
		memset(s, 0, sizeof(*s));
		s->key = *key;
		*key = NULL;
		s->value = *v;
		*slot = ++cfg->nset;
	}
	if (r)
		return r;
	memset(v, 0, sizeof(*v));
	free(*key);
	*key = NULL;
	s->src = ps->src;
	s->line = ps->lx.nolines ? 0 : line;
	s->appended = append;
	return 0;
}

/* ---------------------------------------------------------- grammar */

static int next(struct cfg_parser *ps)
{
	return cfg_lex_next(&ps->lx, &ps->tok);
}

static int next_skip_newlines(struct cfg_parser *ps)
{
	int r;

	do {
		r = next(ps);
	} while (!r && ps->tok.type == TOK_NEWLINE);
	return r;
}

static int skip_newlines(struct cfg_parser *ps)
{
	return ps->tok.type == TOK_NEWLINE ? next_skip_newlines(ps) : 0;
}

static int expected(struct cfg_parser *ps, const char *what)
{
	char got[80];

	cfg_describe_token(&ps->tok, got, sizeof(got));
	return cfg_lex_error(&ps->lx, ps->tok.line, "expected %s, got %s", what,
			     got);
}

static int parse_value(struct cfg_parser *ps, int depth,
		       struct pvtool_cfg_value *v);

/* Adds one more (zeroed) item to list `v` and returns it. */
static struct pvtool_cfg_value *list_add(struct pvtool_cfg_value *v)
{
	struct pvtool_cfg_value *items = v->items;

	if (!items || v->nitems == cfg_pow2(v->nitems)) {
		items =
		    realloc(v->items, cfg_pow2(v->nitems + 1) * sizeof(*items));
		if (!items)
			return NULL;
		v->items = items;
	}
	memset(&items[v->nitems], 0, sizeof(*items));
	return &items[v->nitems++];
}

/* At "[": parses the list up to its "]" and moves past it. */
static int parse_list(struct cfg_parser *ps, int depth,
		      struct pvtool_cfg_value *v)
{
	unsigned int open = ps->tok.line;
	struct pvtool_cfg_value *item;
	int r;

	if (depth > PVTOOL_CFG_MAX_DEPTH)
		return cfg_lex_error(&ps->lx, open,
				     "lists nested more than %d deep",
				     PVTOOL_CFG_MAX_DEPTH);
	v->type = PVTOOL_CFG_LIST;
	r = next_skip_newlines(ps);
	while (!r && ps->tok.type != TOK_RBRACK) {
		if (ps->tok.type == TOK_EOF)
			break;
		item = list_add(v);
		if (!item)
			return -ENOMEM;
		r = parse_value(ps, depth, item);
		if (!r)
			r = skip_newlines(ps);
		if (r || ps->tok.type == TOK_RBRACK || ps->tok.type == TOK_EOF)
			continue;
		if (ps->tok.type != TOK_COMMA)
			return expected(ps, "',' or ']' in the list");
		r = next_skip_newlines(ps);
	}
	if (r)
		return r;
	if (ps->tok.type == TOK_EOF)
		return cfg_lex_error(&ps->lx, open,
				     "unterminated list: '[' without ']'");
	return next(ps);
}

/* Parses the value starting at the current token; moves past it. */
static int parse_value(struct cfg_parser *ps, int depth,
		       struct pvtool_cfg_value *v)
{
	v->line = ps->lx.nolines ? 0 : ps->tok.line;
	switch (ps->tok.type) {
	case TOK_STRING:
	case TOK_NUMBER:
		v->type = ps->tok.type == TOK_STRING ? PVTOOL_CFG_STRING
						     : PVTOOL_CFG_NUMBER;
		v->str = ps->tok.text;
		v->len = ps->tok.len;
		v->num = ps->tok.num;
		ps->tok.text = NULL;
		return next(ps);
	case TOK_LBRACK:
		return parse_list(ps, depth + 1, v);
	default:
		return expected(ps, "a value (a number, a \"string\" or a "
				    "[list])");
	}
}

/* At a key: parses "KEY = VALUE" up to the end of the setting. */
static int parse_setting(struct cfg_parser *ps)
{
	struct pvtool_cfg_value v = {0};
	unsigned int line = ps->tok.line;
	char *key = ps->tok.text;
	bool append;
	int r;

	ps->tok.text = NULL;
	ps->lx.key = key;
	r = next(ps);
	if (r)
		goto out;
	if (ps->tok.type != TOK_EQ && ps->tok.type != TOK_PLUSEQ) {
		r = expected(ps, "'=' after the key");
		goto out;
	}
	append = ps->tok.type == TOK_PLUSEQ;
	r = next(ps);
	if (!r)
		r = parse_value(ps, 0, &v);
	if (r)
		goto out;
	if (ps->tok.type != TOK_NEWLINE && ps->tok.type != TOK_SEMI &&
	    ps->tok.type != TOK_EOF) {
		r = expected(ps, "a new line or ';' after the value");
		goto out;
	}
	r = store_set(ps, &key, append, &v, line);
out:
	value_free(&v);
	free(key);
	ps->lx.key = NULL;
	return r;
}

static int parse_settings(struct cfg_parser *ps)
{
	int r = next(ps);

	while (!r && ps->tok.type != TOK_EOF) {
		if (ps->tok.type == TOK_NEWLINE || ps->tok.type == TOK_SEMI)
			r = next(ps);
		else if (ps->tok.type == TOK_IDENT)
			r = parse_setting(ps);
		else
			r = expected(ps, "a key name");
	}
	return r;
}

static unsigned int line_of(const char *buf, const char *at)
{
	unsigned int line = 1;

	while ((buf = memchr(buf, '\n', at - buf))) {
		line++;
		buf++;
	}
	return line;
}

int pvtool_cfg_parse_buf(struct pvtool_cfg *cfg, const char *srcname,
			 const char *buf, size_t len, unsigned int flags,
			 char *err, size_t errlen)
{
	bool nolines = flags & PVTOOL_CFG_NOLINES;
	struct cfg_parser ps = {.cfg = cfg};
	const char *nul;
	int r;

	if (!srcname)
		srcname = "(unnamed)";
	if (!buf && len) {
		cfg_error(err, errlen, srcname, 0, "no buffer");
		return -EINVAL;
	}
	if (!buf)
		buf = "";
	if (len > PVTOOL_CFG_MAX_SIZE) {
		cfg_error(err, errlen, srcname, 0,
			  "larger than %d bytes: not a domain configuration",
			  PVTOOL_CFG_MAX_SIZE);
		return -EFBIG;
	}
	nul = len ? memchr(buf, '\0', len) : NULL;
	if (nul) {
		cfg_error(err, errlen, srcname, nolines ? 0 : line_of(buf, nul),
			  "NUL byte: not a text file");
		return -EINVAL;
	}
	ps.src = store_source(cfg, srcname);
	if (!ps.src)
		goto err_nomem;
	ps.lx = (struct cfg_lexer){
	    .p = buf,
	    .end = buf + len,
	    .line = 1,
	    .src = ps.src,
	    .nolines = nolines,
	    .err = err,
	    .errlen = errlen,
	};
	r = parse_settings(&ps);
	cfg_token_clear(&ps.tok);
	if (r == -ENOMEM)
		goto err_nomem;
	return r;
err_nomem:
	cfg_error(err, errlen, srcname, 0, "out of memory");
	return -ENOMEM;
}

/* ---------------------------------------------------------- typed access */

int pvtool_cfg_error(char *err, size_t errlen,
		     const struct pvtool_cfg_setting *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_format_error(err, errlen, s->src, s->line, s->key, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int pvtool_cfg_setting_string(const struct pvtool_cfg_setting *s,
			      const char **out, char *err, size_t errlen)
{
	if (s->value.type == PVTOOL_CFG_LIST)
		return pvtool_cfg_error(err, errlen, s,
					"expected a string, got a list");
	*out = s->value.str;
	return 0;
}

int pvtool_cfg_setting_u64(const struct pvtool_cfg_setting *s, uint64_t min,
			   uint64_t max, uint64_t *out, char *err,
			   size_t errlen)
{
	const struct pvtool_cfg_value *v = &s->value;
	char shown[80];
	uint64_t n;
	int r;

	if (v->type == PVTOOL_CFG_LIST)
		return pvtool_cfg_error(err, errlen, s,
					"expected a number, got a list");
	n = v->num;
	if (v->type == PVTOOL_CFG_STRING) {
		r = pvtool_cfg_number(v->str, &n);
		cfg_quote(v->str, shown, sizeof(shown));
		if (r == -ERANGE)
			return pvtool_cfg_error(
			    err, errlen, s, "number %s is too large", shown);
		if (r)
			return pvtool_cfg_error(
			    err, errlen, s, "expected a number, got %s", shown);
	}
	if (n < min || n > max)
		return pvtool_cfg_error(
		    err, errlen, s, "%llu is out of range (%llu to %llu)",
		    (unsigned long long)n, (unsigned long long)min,
		    (unsigned long long)max);
	*out = n;
	return 0;
}

int pvtool_cfg_setting_list(const struct pvtool_cfg_setting *s,
			    const struct pvtool_cfg_value **items,
			    size_t *nitems, char *err, size_t errlen)
{
	if (s->value.type != PVTOOL_CFG_LIST)
		return pvtool_cfg_error(err, errlen, s,
					"expected a list [ ... ], got a single "
					"value");
	*items = s->value.items;
	*nitems = s->value.nitems;
	return 0;
}
