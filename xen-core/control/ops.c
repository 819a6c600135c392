/*
 * Control requests: one table of operations; each handler reads its JSON
 * arguments, acts on the main thread and adds fields to the reply.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvabi/sched.h>
#include <pvhv/control.h>
#include <pvhv/ctl.h>
#include <pvhv/kvm.h>
#include <pvhv/log.h>

#include "pvhv_build.h"

typedef int ctl_op_fn(struct ctl_req *r);

static int req_error(struct ctl_req *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int req_error(struct ctl_req *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

/* The domain named by "domid" or "name"; main thread only (it alone
 * destroys domains, so the pointer stays valid during the request). */
static int req_domain(struct ctl_req *r, struct domain **out)
{
	const char *name = json_str(r->req, "name");
	uint64_t id;
	struct domain *d = NULL;

	pthread_rwlock_rdlock(&domains_lock);
	if (json_u64(r->req, "domid", &id) == 0) {
		d = id < DOMID_FIRST_RESERVED ? domain_lookup((uint32_t)id)
					      : NULL;
	} else if (name) {
		for (uint32_t i = 1; i < DOMID_FIRST_RESERVED && !d; i++) {
			struct domain *x = domain_lookup(i);

			if (x && strcmp(x->cfg.name, name) == 0)
				d = x;
		}
	} else {
		pthread_rwlock_unlock(&domains_lock);
		return req_error(r, -EINVAL,
				 "request names no domain "
				 "(\"domid\" or \"name\")");
	}
	pthread_rwlock_unlock(&domains_lock);
	if (!d)
		return req_error(r, -ESRCH, "no such domain");
	*out = d;
	return 0;
}

/* ------------------------------------------------------------ ops */

static int op_hello(struct ctl_req *r)
{
	jg_u64(r->out, "version", PV_CTL_VERSION);
	jg_str(r->out, "pvhv", PVHV_CHANGESET);
	jg_bool(r->out, "emulating_host", kvm_host.emulating);
	jg_u64(r->out, "pid", (uint64_t)getpid());
	return 0;
}

static const char *dom_state_name(struct domain *d)
{
	switch (__atomic_load_n(&d->state, __ATOMIC_ACQUIRE)) {
	case DOM_RUNNING:
		return __atomic_load_n(&d->pause_count, __ATOMIC_ACQUIRE)
			   ? "paused"
			   : "running";
	case DOM_SHUTDOWN:
		return d->shutdown_code == SHUTDOWN_crash ? "crashed"
							  : "shutdown";
	default:
		return "dying";
	}
}

static void gen_domain(yajl_gen g, struct domain *d, bool detail)
{
	uint64_t exits = 0, calls = 0;

	yajl_gen_map_open(g);
	jg_u64(g, "domid", d->domid);
	jg_str(g, "name", d->cfg.name);
	jg_str(g, "uuid", d->cfg.uuid);
	jg_str(g, "state", dom_state_name(d));
	jg_u64(g, "memory_mib", d->cfg.memory_mib);
	jg_u64(g, "vcpus", d->nr_vcpus);
	jg_u64(g, "uptime_ns", now_ns() - d->created_ns);
	if (d->state == DOM_SHUTDOWN)
		jg_str(g, "shutdown_reason",
		       shutdown_reason_name(d->shutdown_code));
	if (detail) {
		for (uint32_t i = 0; i < d->nr_vcpus; i++) {
			exits += d->vcpus[i]->nr_exits;
			calls += d->vcpus[i]->nr_hypercalls;
		}
		jg_u64(g, "exits", exits);
		jg_u64(g, "hypercalls", calls);
		jg_u64(g, "console_bytes", console_head(&d->cons));
		jg_u64(g, "evtchn_ports_in_use", evtchn_ports_in_use(&d->ev));
		jg_u64(g, "max_event_channels", d->cfg.max_event_channels);
		jg_u64(g, "max_grant_frames", d->cfg.max_grant_frames);
		jg_str(g, "cmdline", d->cfg.cmdline);
		jg_u64(g, "store_pfn", d->hvm_param[HVM_PARAM_STORE_PFN]);
		jg_u64(g, "store_evtchn", d->hvm_param[HVM_PARAM_STORE_EVTCHN]);
		jg_u64(g, "console_pfn", d->hvm_param[HVM_PARAM_CONSOLE_PFN]);
		jg_u64(g, "console_evtchn",
		       d->hvm_param[HVM_PARAM_CONSOLE_EVTCHN]);
	}
	yajl_gen_map_close(g);
}

static void list_one(struct domain *d, void *arg)
{
	gen_domain(arg, d, false);
}

static int op_list(struct ctl_req *r)
{
	jg_key(r->out, "domains");
	yajl_gen_array_open(r->out);
	domain_foreach(list_one, r->out);
	yajl_gen_array_close(r->out);
	return 0;
}

static int op_info(struct ctl_req *r)
{
	struct domain *d;
	int rc = req_domain(r, &d);

	if (rc)
		return rc;
	jg_key(r->out, "domain");
	gen_domain(r->out, d, true);
	return 0;
}

static int op_pause(struct ctl_req *r)
{
	struct domain *d;
	int rc = req_domain(r, &d);

	return rc ? rc : domain_pause(d);
}

static int op_unpause(struct ctl_req *r)
{
	struct domain *d;
	int rc = req_domain(r, &d);

	if (rc)
		return rc;
	rc = domain_unpause(d);
	return rc ? req_error(r, rc, "domain %u is not paused", d->domid) : 0;
}

static int op_destroy(struct ctl_req *r)
{
	struct domain *d;
	int rc = req_domain(r, &d);

	if (rc)
		return rc;
	domain_destroy(d);
	return 0;
}

static int op_console(struct ctl_req *r)
{
	struct domain *d;
	bool live = true, history = true;
	int rc = req_domain(r, &d);

	if (rc)
		return rc;
	json_bool(r->req, "follow", &live);
	json_bool(r->req, "history", &history);
	r->c->follow = true;
	r->c->follow_live = live;
	r->c->follow_domid = d->domid;
	r->c->follow_off = history ? 0 : console_head(&d->cons);
	jg_u64(r->out, "domid", d->domid);
	return 0;
}

static int op_watch(struct ctl_req *r)
{
	r->c->watch = true;
	return 0;
}

static int op_quit(struct ctl_req *r)
{
	(void)r;
	log_info("pvhv", "quit requested by pid %d", (int)r->c->pid);
	control_quit = true;
	return 0;
}

static const struct {
	const char *name;
	ctl_op_fn *fn;
} ctl_ops[] = {
    {"hello", op_hello},
    {"create", ctl_op_create},
    {"list", op_list},
    {"info", op_info},
    {"pause", op_pause},
    {"unpause", op_unpause},
    {"destroy", op_destroy},
    {"console", op_console},
    {"watch", op_watch},
    {"quit", op_quit},
    {"evtchn_alloc_unbound", ctl_op_evtchn_alloc_unbound},
    {"evtchn_bind_interdomain", ctl_op_evtchn_bind_interdomain},
    {"evtchn_bind_virq", ctl_op_evtchn_bind_virq},
    {"evtchn_close", ctl_op_evtchn_close},
    {"evtchn_notify", ctl_op_evtchn_notify},
    {"evtchn_status", ctl_op_evtchn_status},
    {"map_magic", ctl_op_map_magic},
    {"map_foreign", ctl_op_map_foreign},
    {"grant_map", ctl_op_grant_map},
    {"grant_unmap", ctl_op_grant_unmap},
    {"grant_copy", ctl_op_grant_copy},
};

static void reply_error(struct conn *c, uint32_t id, int err, const char *msg)
{
	yajl_gen g = jg_new();

	jg_bool(g, "ok", false);
	jg_i64(g, "errno", -err);
	jg_str(g, "error", msg[0] ? msg : strerror(-err));
	ctl_send_gen(c, PV_CTL_REPLY, id, g);
	yajl_gen_free(g);
}

void ctl_handle(struct conn *c, struct pv_msg *m)
{
	struct ctl_req r = {.c = c, .m = m};
	const char *op;
	int rc = -ENOSYS;

	if (m->hdr.magic != PV_CTL_MAGIC || m->hdr.version != PV_CTL_VERSION) {
		char e[96];

		snprintf(e, sizeof(e),
			 "protocol mismatch: pvhv speaks "
			 "version %d",
			 PV_CTL_VERSION);
		reply_error(c, m->hdr.id, -EPROTO, e);
		conn_close(c);
		return;
	}
	if (m->hdr.kind != PV_CTL_REQUEST) {
		reply_error(c, m->hdr.id, -EPROTO, "expected a request");
		return;
	}
	r.req = json_parse_object(m->payload, r.err, sizeof(r.err));
	if (!r.req) {
		reply_error(c, m->hdr.id, -EINVAL, r.err);
		return;
	}
	op = json_str(r.req, "op");
	r.out = jg_new();
	jg_bool(r.out, "ok", true);
	for (size_t i = 0; op && i < sizeof(ctl_ops) / sizeof(ctl_ops[0]); i++)
		if (strcmp(op, ctl_ops[i].name) == 0)
			rc = ctl_ops[i].fn(&r);
	if (rc == -ENOSYS && !r.err[0])
		snprintf(r.err, sizeof(r.err), "unknown operation \"%s\"",
			 op ? op : "");
	if (rc) {
		reply_error(c, m->hdr.id, rc, r.err);
	} else {
		size_t len;
		const char *text = jg_text(r.out, &len);

		if (!text || msg_send(c->fd, PV_CTL_REPLY, m->hdr.id, text, len,
				      r.reply_fds, r.reply_nfds) < 0)
			conn_close(c);
	}
	/* A new follower gets the history right after the reply. */
	if (rc == 0 && c->follow && op && strcmp(op, "console") == 0)
		ctl_console_push(c);
	yajl_gen_free(r.out);
	yajl_tree_free(r.req);
}

void ctl_destroy_all(void)
{
	for (;;) {
		struct domain *d = NULL;

		pthread_rwlock_rdlock(&domains_lock);
		for (uint32_t i = 1; i < DOMID_FIRST_RESERVED && !d; i++)
			d = domain_lookup(i);
		pthread_rwlock_unlock(&domains_lock);
		if (!d)
			return;
		domain_destroy(d);
	}
}
