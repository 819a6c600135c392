/* XS_CONTROL commands, quotas (XS_GET_QUOTA / XS_SET_QUOTA). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core.h"

static const struct {
	const char *name, *descr;
	uint32_t def;
} quotas[XSQ_COUNT] = {
    [XSQ_NODES] = {"nodes", "Nodes per domain", 1000},
    [XSQ_WATCHES] = {"watches", "Watches per domain", 128},
    [XSQ_TRANSACTIONS] = {"transactions", "Transactions per domain", 10},
    [XSQ_OUTSTANDING] = {"outstanding", "Outstanding requests per domain", 20},
    [XSQ_TRANSACTION_NODES] = {"transaction-nodes",
			       "Max. number of accessed nodes per transaction",
			       1024},
    [XSQ_NODE_SIZE] = {"node-size", "Max. size of a node", 2048},
    [XSQ_PATH_MAX] = {"path-max", "Max. length of a node path",
		      XENSTORE_REL_PATH_MAX},
    [XSQ_PERMISSIONS] = {"permissions", "Max. number of permissions per node",
			 5},
};

int xs_quota_by_name(const char *name)
{
	for (int i = 0; i < XSQ_COUNT; i++)
		if (!strcmp(name, quotas[i].name))
			return i;
	/* Xen's command-line spelling of the same quota. */
	if (!strcmp(name, "node-permissions"))
		return XSQ_PERMISSIONS;
	return -1;
}

const char *xs_quota_name(enum xs_quota q)
{
	return quotas[q].name;
}

const char *xs_quota_descr(enum xs_quota q)
{
	return quotas[q].descr;
}

uint32_t xs_quota_default(enum xs_quota q)
{
	return quotas[q].def;
}

/* Strictly decimal (0 allowed); -1 if not. */
static int64_t decimal(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	return *end || v > UINT32_MAX ? -1 : (int64_t)v;
}

static int reply_buf(struct xs_req *r, struct xs_buf *b)
{
	int rc = buf_put(b, "", 1) ? -ENOMEM : req_reply(r, b->p, b->len);

	buf_free(b);
	return rc;
}

static int appendf(struct xs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int appendf(struct xs_buf *b, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return buf_put(b, line, (size_t)n);
}

static int quota_show(struct xs_req *r)
{
	struct xs_store *st = r->c->st;
	struct xs_buf b = {0};

	appendf(&b, "Quota settings:\n");
	for (int i = 0; i < XSQ_COUNT; i++)
		appendf(&b, "%-17s: %8u %s\n", quotas[i].name, st->quota[i],
			quotas[i].descr);
	return reply_buf(r, &b);
}

static int quota_domain(struct xs_req *r, const char *arg)
{
	struct xs_domain *d = xs_domain_find(r->c->st, (uint32_t)atoi(arg));
	struct xs_buf b = {0};

	if (!d)
		return -ENOENT;
	appendf(&b, "Domain %u:\n", d->domid);
	appendf(&b, "%-16s: %8u\n", "nodes", d->nodes);
	appendf(&b, "%-16s: %8u\n", "watches", d->watches);
	appendf(&b, "%-16s: %8u\n", "transactions", d->txns);
	appendf(&b, "%-16s: %8u\n", "outstanding", d->outstanding);
	appendf(&b, "%-16s: %8llu\n", "memory", (unsigned long long)d->memory);

	return reply_buf(r, &b);
}

static int ctl_quota(struct xs_req *r, const char **arg, unsigned int n)
{
	int q;

	if (n == 0)
		return quota_show(r);
	if (strcmp(arg[0], "set"))
		return n == 1 ? quota_domain(r, arg[0]) : -EINVAL;
	if (n != 3 || atoi(arg[2]) < 1 || (q = xs_quota_by_name(arg[1])) < 0)
		return -EINVAL;
	xs_store_set_quota(r->c->st, (enum xs_quota)q, (uint32_t)atoi(arg[2]));
	return req_reply(r, "OK", 3);
}

static int ctl_quota_soft(struct xs_req *r, const char **arg, unsigned int n)
{
	(void)arg;
	/* pvstored keeps no soft (warning-only) quotas. */
	return n ? -EINVAL : req_reply(r, "Quota settings:\n", 17);
}

static int ctl_log(struct xs_req *r, const char **arg, unsigned int n)
{
	struct xs_hooks *h = &r->c->st->hooks;
	const char *cmd = (const char *)r->payload;

	if (!strcmp(cmd, "log") &&
	    (n != 1 || (strcmp(arg[0], "on") && strcmp(arg[0], "off"))))
		return -EINVAL;
	if ((!strcmp(cmd, "logfile") || !strcmp(cmd, "print")) && n != 1)
		return -EINVAL;
	if (!strcmp(cmd, "memreport") && n > 1)
		return -EINVAL;
	if (!strcmp(cmd, "check") && n)
		return -EINVAL;
	if (h->control_log)
		h->control_log(h->arg, cmd, n ? arg[0] : "");
	return req_reply(r, "OK", 3);
}

static int ctl_help(struct xs_req *r, const char **arg, unsigned int n);

static const struct {
	const char *name, *args;
	int (*fn)(struct xs_req *r, const char **arg, unsigned int n);
} cmds[] = {
    {"check", "", ctl_log},
    {"log", "on|off", ctl_log},
    {"logfile", "<file>", ctl_log},
    {"memreport", "[<file>]", ctl_log},
    {"print", "<string>", ctl_log},
    {"quota", "[set <name> <val>|<domid>]", ctl_quota},
    {"quota-soft", "[set <name> <val>]", ctl_quota_soft},
    {"help", "", ctl_help},
};

static int ctl_help(struct xs_req *r, const char **arg, unsigned int n)
{
	struct xs_buf b = {0};

	(void)arg;
	if (n)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		appendf(&b, "%s\t%s\n", cmds[i].name, cmds[i].args);
	return reply_buf(r, &b);
}

int op_control(struct xs_req *r)
{
	const char *vec[8];
	unsigned int n = req_strings(r, vec, ARRAY_LEN(vec));

	if (n < 1 || n > ARRAY_LEN(vec))
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		if (!strcmp(vec[0], cmds[i].name))
			return cmds[i].fn(r, vec + 1, n - 1);
	return -EINVAL;
}

/* ------------------------------------------------ GET/SET_QUOTA */

int op_get_quota(struct xs_req *r)
{
	struct xs_store *st = r->c->st;
	const char *vec[2];
	unsigned int n = req_strings(r, vec, 2);
	struct xs_domain *d = NULL;
	struct xs_buf b = {0};
	int q;

	if (n == 0) {
		for (int i = 0; i < XSQ_COUNT; i++)
			appendf(&b, "%s%s", i ? " " : "", quotas[i].name);
		return reply_buf(r, &b);
	}
	if (n > 2)
		return -EINVAL;
	if (n == 2) {
		int64_t domid = decimal(vec[0]);

		d = domid >= 0 ? xs_domain_find(st, (uint32_t)domid) : NULL;
		if (!d)
			return domid < 0 ? -EINVAL : -ENOENT;
	}
	q = xs_quota_by_name(vec[n - 1]);
	if (q < 0)
		return -EINVAL;
	appendf(&b, "%u", domain_quota(st, d, (enum xs_quota)q));
	return reply_buf(r, &b);
}

int op_set_quota(struct xs_req *r)
{
	struct xs_store *st = r->c->st;
	const char *vec[3];
	unsigned int n = req_strings(r, vec, 3);
	struct xs_domain *d = NULL;
	int64_t v;
	int q;

	if (n != 2 && n != 3)
		return -EINVAL;
	if (n == 3) {
		int64_t domid = decimal(vec[0]);

		d = domid >= 0 ? xs_domain_find(st, (uint32_t)domid) : NULL;
		if (!d)
			return domid < 0 ? -EINVAL : -ENOENT;
	}
	q = xs_quota_by_name(vec[n - 2]);
	v = decimal(vec[n - 1]);
	if (q < 0 || v < 0)
		return -EINVAL;
	if (d) {
		d->quota[q] = (uint32_t)v;
		d->quota_set |= 1u << q;
		journal_quota(st, d->domid, (enum xs_quota)q, (uint32_t)v,
			      true);
	} else {
		xs_store_set_quota(st, (enum xs_quota)q, (uint32_t)v);
	}
	return req_ack(r);
}
