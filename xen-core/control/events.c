/* Console streaming and lifecycle events to control clients. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/control.h>
#include <pvhv/ctl.h>
#include <pvhv/log.h>

void ctl_send_text(struct conn *c, uint16_t kind, uint32_t id, const char *text,
		   size_t len)
{
	int rc = text ? msg_send(c->fd, kind, id, text, len, NULL, 0) : -ENOMEM;

	if (rc < 0) {
		/* Control messages are small: a client whose socket is full
		 * is not reading, and is dropped rather than buffered. */
		if (rc != -EPIPE)
			log_warn("control", "pid %d: cannot send: %s",
				 (int)c->pid, strerror(-rc));
		conn_close(c);
	}
}

static void send_lost(struct conn *c, uint64_t lost)
{
	yajl_gen g = jg_new();

	jg_str(g, "event", "console-lost");
	jg_u64(g, "domid", c->follow_domid);
	jg_u64(g, "bytes", lost);
	ctl_send_gen(c, PV_CTL_EVENT, 0, g);
	yajl_gen_free(g);
}

bool ctl_console_push(struct conn *c)
{
	static char buf[PV_CTL_MAX_PAYLOAD];
	bool done = true;

	pthread_rwlock_rdlock(&domains_lock);
	for (;;) {
		struct domain *d = domain_lookup(c->follow_domid);
		uint64_t off = c->follow_off, lost;
		size_t n;
		int rc;

		if (!d || c->dead)
			break;
		n = console_read(&d->cons, &off, buf, sizeof(buf), &lost);
		if (lost)
			send_lost(c, lost);
		if (n == 0)
			break;
		rc = msg_send(c->fd, PV_CTL_CONSOLE, c->follow_domid, buf, n,
			      NULL, 0);
		if (rc == -EAGAIN) {
			c->follow_off = off - n; /* resend these later */
			done = false;
			break;
		}
		if (rc < 0) {
			conn_close(c);
			break;
		}
		c->follow_off = off;
	}
	pthread_rwlock_unlock(&domains_lock);
	conn_want_write(c, !done);
	return done;
}

void ctl_conn_writable(struct conn *c)
{
	if (c->follow)
		ctl_console_push(c);
	else
		conn_want_write(c, false);
}

void ctl_conn_released(struct conn *c)
{
	dom0_conn_released(c);
}

static void console_ready_one(struct conn *c, void *arg)
{
	struct domain *d = arg;

	if (c->follow && c->follow_live && c->follow_domid == d->domid &&
	    !c->want_write)
		ctl_console_push(c);
}

void control_console_ready(struct domain *d)
{
	conn_foreach(console_ready_one, d);
}

void ctl_send_gen(struct conn *c, uint16_t kind, uint32_t id, yajl_gen g)
{
	size_t len;
	const char *text = jg_text(g, &len);

	ctl_send_text(c, kind, id, text, len);
}

struct lifecycle {
	struct domain *d;
	uint32_t domid;
	const char *text;
	size_t len;
};

static void lifecycle_one(struct conn *c, void *arg)
{
	struct lifecycle *l = arg;
	bool follower = c->follow && c->follow_domid == l->domid;

	if (!follower && !c->watch)
		return;
	if (follower)
		ctl_console_push(c); /* the last words first */
	ctl_send_text(c, PV_CTL_EVENT, 0, l->text, l->len);
}

static void lifecycle_event(struct domain *d, uint32_t domid, yajl_gen g)
{
	struct lifecycle l = {d, domid, NULL, 0};

	l.text = jg_text(g, &l.len);
	conn_foreach(lifecycle_one, &l);
	yajl_gen_free(g);
}

/* Everything a toolstack agent (pvstored) needs to set the domain up in
 * xenstore: identity, size, and its store/console pages and ports. */
void control_domain_created(struct domain *d)
{
	yajl_gen g = jg_new();

	jg_str(g, "event", "created");
	jg_u64(g, "domid", d->domid);
	jg_str(g, "name", d->cfg.name);
	jg_str(g, "uuid", d->cfg.uuid);
	jg_u64(g, "memory_mib", d->cfg.memory_mib);
	jg_u64(g, "vcpus", d->cfg.vcpus);
	jg_u64(g, "max_vcpus", d->nr_vcpus);
	jg_u64(g, "store_gfn", d->hvm_param[HVM_PARAM_STORE_PFN]);
	jg_u64(g, "store_port", d->hvm_param[HVM_PARAM_STORE_EVTCHN]);
	jg_u64(g, "console_gfn", d->hvm_param[HVM_PARAM_CONSOLE_PFN]);
	jg_u64(g, "console_port", d->hvm_param[HVM_PARAM_CONSOLE_EVTCHN]);
	lifecycle_event(d, d->domid, g);
}

void control_domain_shutdown(struct domain *d, uint32_t code,
			     enum dom_action act)
{
	yajl_gen g = jg_new();

	jg_str(g, "event", "shutdown");
	jg_u64(g, "domid", d->domid);
	jg_str(g, "name", d->cfg.name);
	jg_str(g, "reason", shutdown_reason_name(code));
	jg_u64(g, "code", code);
	jg_str(g, "action", dom_action_name(act));
	lifecycle_event(d, d->domid, g);
}

void control_domain_gone(struct domain *d)
{
	yajl_gen g = jg_new();

	dom0_domain_gone(d->domid);
	jg_str(g, "event", "destroyed");
	jg_u64(g, "domid", d->domid);
	jg_str(g, "name", d->cfg.name);
	lifecycle_event(d, d->domid, g);
}

static void restarted_one(struct conn *c, void *arg)
{
	struct domain *nd = ((struct lifecycle *)arg)->d;

	if (c->follow && c->follow_domid == ((struct lifecycle *)arg)->domid) {
		c->follow_domid = nd->domid;
		c->follow_off = 0;
	}
}

void control_domain_restarted(uint32_t old_domid, struct domain *nd)
{
	struct lifecycle l = {nd, old_domid, NULL, 0};
	yajl_gen g = jg_new();

	/* Followers of the old domain were told it was destroyed; they now
	 * follow the new one, and hear about it with the watchers. */
	conn_foreach(restarted_one, &l);
	jg_str(g, "event", "restarted");
	jg_u64(g, "old_domid", old_domid);
	jg_u64(g, "domid", nd->domid);
	jg_str(g, "name", nd->cfg.name);
	lifecycle_event(nd, nd->domid, g);
}
