/*
 * Hash maps keyed by byte strings, and growable byte buffers.
 *
 * Keys are hashed with SipHash-2-4 under a random per-process key: the
 * keys are paths chosen by guests, which must not be able to pile their
 * nodes into one bucket.
 */
#include <stdlib.h>
#include <sys/random.h>

#include "core.h"

static uint64_t sip_k0, sip_k1;
static bool sip_ready;

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1;                                                      \
		v1 = ROTL(v1, 13);                                             \
		v1 ^= v0;                                                      \
		v0 = ROTL(v0, 32);                                             \
		v2 += v3;                                                      \
		v3 = ROTL(v3, 16);                                             \
		v3 ^= v2;                                                      \
		v0 += v3;                                                      \
		v3 = ROTL(v3, 21);                                             \
		v3 ^= v0;                                                      \
		v2 += v1;                                                      \
		v1 = ROTL(v1, 17);                                             \
		v1 ^= v2;                                                      \
		v2 = ROTL(v2, 32);                                             \
	} while (0)

static void sip_init(void)
{
	uint64_t k[2] = {0x736f6d6570736575ull, 0x646f72616e646f6dull};

	/* Falls back to a fixed key: still correct, only less hardened. */
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != sizeof(k)) {
		k[0] ^= (uint64_t)(uintptr_t)&k;
		k[1] ^= (uint64_t)(uintptr_t)&sip_k0;
	}
	sip_k0 = k[0];
	sip_k1 = k[1];
	sip_ready = true;
}

uint64_t map_hash(const char *key, size_t len)
{
	const uint8_t *in = (const uint8_t *)key;
	uint64_t v0, v1, v2, v3, m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;

	if (!sip_ready)
		sip_init();
	v0 = sip_k0 ^ 0x736f6d6570736575ull;
	v1 = sip_k1 ^ 0x646f72616e646f6dull;
	v2 = sip_k0 ^ 0x6c7967656e657261ull;
	v3 = sip_k1 ^ 0x7465646279746573ull;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, in + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int map_init(struct xs_map *m)
{
	m->nb = 16;
	m->count = 0;
	m->b = calloc(m->nb, sizeof(*m->b));
	return m->b ? 0 : -ENOMEM;
}

void map_fini(struct xs_map *m)
{
	for (uint32_t i = 0; m->b && i < m->nb; i++) {
		struct xs_hent *e = m->b[i];

		while (e) {
			struct xs_hent *n = e->next;

			free(e);
			e = n;
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->count = 0;
}

static struct xs_hent **map_slot(const struct xs_map *m, const char *key,
				 size_t klen, uint64_t h)
{
	struct xs_hent **pp = &m->b[h & (m->nb - 1)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == h && (*pp)->klen == klen &&
		    !memcmp((*pp)->key, key, klen))
			return pp;
	return pp;
}

void *map_get(const struct xs_map *m, const char *key, size_t klen)
{
	struct xs_hent **pp = map_slot(m, key, klen, map_hash(key, klen));

	return *pp ? (*pp)->val : NULL;
}

static void map_grow(struct xs_map *m)
{
	uint32_t nb = m->nb * 2;
	struct xs_hent **b = calloc(nb, sizeof(*b));

	if (!b)
		return; /* keeps working, only slower */
	for (uint32_t i = 0; i < m->nb; i++) {
		struct xs_hent *e = m->b[i];

		while (e) {
			struct xs_hent *n = e->next;

			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
			e = n;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

int map_put(struct xs_map *m, const char *key, size_t klen, void *val)
{
	uint64_t h = map_hash(key, klen);
	struct xs_hent **pp = map_slot(m, key, klen, h), *e;

	if (*pp)
		return -EEXIST;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct xs_hent){NULL, h, key, (uint32_t)klen, val};
	*pp = e;
	if (++m->count > m->nb && m->nb < (1u << 30))
		map_grow(m);
	return 0;
}

void map_rekey(struct xs_map *m, const char *key, size_t klen, void *val)
{
	struct xs_hent **pp = map_slot(m, key, klen, map_hash(key, klen));

	if (*pp) {
		(*pp)->key = key;
		(*pp)->val = val;
	}
}

void *map_del(struct xs_map *m, const char *key, size_t klen)
{
	struct xs_hent **pp = map_slot(m, key, klen, map_hash(key, klen)), *e;
	void *val;

	e = *pp;
	if (!e)
		return NULL;
	*pp = e->next;
	val = e->val;
	free(e);
	m->count--;
	return val;
}

void map_foreach(const struct xs_map *m, bool (*fn)(void *val, void *arg),
		 void *arg)
{
	for (uint32_t i = 0; i < m->nb; i++)
		for (struct xs_hent *e = m->b[i]; e; e = e->next)
			if (!fn(e->val, arg))
				return;
}

/* ------------------------------------------------------------ buffers */

int buf_put(struct xs_buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	return 0;
}

int buf_u32(struct xs_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	return buf_put(b, x, 4);
}

int buf_u64(struct xs_buf *b, uint64_t v)
{
	int rc = buf_u32(b, (uint32_t)v);

	return rc ? rc : buf_u32(b, (uint32_t)(v >> 32));
}

int buf_blob(struct xs_buf *b, const void *d, size_t n)
{
	int rc = buf_u32(b, (uint32_t)n);

	return rc ? rc : buf_put(b, d, n);
}

int buf_str(struct xs_buf *b, const char *s)
{
	return buf_blob(b, s, strlen(s));
}

void buf_free(struct xs_buf *b)
{
	free(b->p);
	*b = (struct xs_buf){0};
}

/* ------------------------------------------------------------- crc32 */

uint32_t xs_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
