/* Freestanding helpers: memory, strings, formatted output. */
#include "pvmini.h"

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (uint8_t)*a - (uint8_t)*b;
	}
	return 0;
}

char *strstr(const char *h, const char *n)
{
	size_t len = strlen(n);

	for (; *h; h++)
		if (!strncmp(h, n, len))
			return (char *)h;
	return len ? NULL : (char *)h;
}

struct out {
	char *buf;
	size_t size, len;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, uint64_t v, unsigned int base, int width,
		    bool zero, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		width--;
	if (neg && zero)
		out_c(o, '-');
	for (; width > n; width--)
		out_c(o, zero ? '0' : ' ');
	if (neg && !zero)
		out_c(o, '-');
	while (n)
		out_c(o, tmp[--n]);
}

static uint64_t arg_u(va_list *ap, int lng)
{
	return lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);
}

static int64_t arg_s(va_list *ap, int lng)
{
	return lng ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		bool zero = false;

		if (*fmt != '%') {
			out_c(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			zero = true;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng = 1, fmt++;
		switch (*fmt) {
		case 'd': {
			int64_t v = arg_s(&aq, lng);

			out_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10,
				width, zero, v < 0);
			break;
		}
		case 'u':
			out_num(&o, arg_u(&aq, lng), 10, width, zero, false);
			break;
		case 'x':
			out_num(&o, arg_u(&aq, lng), 16, width, zero, false);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uint64_t)va_arg(aq, void *), 16, width,
				zero, false);
			break;
		case 'c':
			out_c(&o, (char)va_arg(aq, int));
			break;
		case 's': {
			const char *s = va_arg(aq, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				out_c(&o, *s);
			break;
		}
		case '%':
			out_c(&o, '%');
			break;
		default:
			out_c(&o, '?');
			break;
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf,
		      (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

void srand64(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

/* xorshift64*: small and good enough for fuzzing arguments. */
uint64_t rand64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
