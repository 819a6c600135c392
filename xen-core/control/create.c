/* The "create" request: a domain config (JSON) plus image fds. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/control.h>
#include <pvhv/ctl.h>
#include <pvhv/kvm.h>
#include <pvhv/log.h>

static int cfg_u64(struct ctl_req *r, yajl_val cfg, const char *key,
		   uint64_t def, uint64_t lo, uint64_t hi, uint64_t *out)
{
	int rc = json_u64(cfg, key, out);

	if (rc == -ENOENT) {
		*out = def;
		return 0;
	}
	if (rc || *out < lo || *out > hi) {
		snprintf(r->err, sizeof(r->err),
			 "%s: expected an integer from %llu to %llu", key,
			 (unsigned long long)lo, (unsigned long long)hi);
		return -EINVAL;
	}
	return 0;
}

static int cfg_action(struct ctl_req *r, yajl_val cfg, const char *key,
		      enum dom_action def, enum dom_action *out)
{
	const char *s = json_str(cfg, key);

	*out = def;
	if (!s)
		return 0;
	for (int a = DOM_ACTION_DESTROY; a <= DOM_ACTION_PRESERVE; a++) {
		if (strcmp(s, dom_action_name((enum dom_action)a)) == 0) {
			*out = (enum dom_action)a;
			return 0;
		}
	}
	snprintf(r->err, sizeof(r->err), "%s: unknown action \"%s\"", key, s);
	return -EINVAL;
}

static bool name_in_use(const char *name)
{
	bool used = false;

	pthread_rwlock_rdlock(&domains_lock);
	for (uint32_t i = 1; i < DOMID_FIRST_RESERVED && !used; i++) {
		struct domain *d = domain_lookup(i);

		used = d && strcmp(d->cfg.name, name) == 0;
	}
	pthread_rwlock_unlock(&domains_lock);
	return used;
}

static int parse_config(struct ctl_req *r, yajl_val cfg, struct dom_config *dc)
{
	const char *name = json_str(cfg, "name");
	const char *uuid = json_str(cfg, "uuid");
	uint64_t v;
	int rc = 0;

	if (!name || !name[0] || strlen(name) >= sizeof(dc->name)) {
		snprintf(r->err, sizeof(r->err), "name: 1 to %zu characters",
			 sizeof(dc->name) - 1);
		return -EINVAL;
	}
	if (name_in_use(name)) {
		snprintf(r->err, sizeof(r->err),
			 "a domain named \"%s\" already exists", name);
		return -EEXIST;
	}
	strcpy(dc->name, name);
	if (uuid && strlen(uuid) < sizeof(dc->uuid))
		strcpy(dc->uuid, uuid);
	dc->cmdline =
	    (char *)(json_str(cfg, "cmdline") ? json_str(cfg, "cmdline") : "");
	rc = cfg_u64(r, cfg, "memory_mib", 128, 4, 1u << 20, &dc->memory_mib);
	if (!rc)
		rc = cfg_u64(r, cfg, "max_vcpus", 1, 1, PV_MAX_VCPUS, &v);
	dc->max_vcpus = (uint32_t)v;
	if (!rc)
		rc = cfg_u64(r, cfg, "vcpus", dc->max_vcpus, 1, dc->max_vcpus,
			     &v);
	dc->vcpus = (uint32_t)v;
	if (!rc)
		rc = cfg_u64(r, cfg, "max_event_channels", 1023, 1, 4095, &v);
	dc->max_event_channels = (uint32_t)v;
	if (!rc)
		rc = cfg_u64(r, cfg, "max_grant_frames", 64, 1, 64, &v);
	dc->max_grant_frames = (uint32_t)v;
	if (!rc && json_bool(cfg, "strict_io", &dc->strict_io) == -EINVAL) {
		snprintf(r->err, sizeof(r->err),
			 "strict_io: expected a boolean");
		rc = -EINVAL;
	}
	if (!rc)
		rc = cfg_action(r, cfg, "on_poweroff", DOM_ACTION_DESTROY,
				&dc->on_poweroff);
	if (!rc)
		rc = cfg_action(r, cfg, "on_reboot", DOM_ACTION_RESTART,
				&dc->on_reboot);
	if (!rc)
		rc = cfg_action(r, cfg, "on_crash", DOM_ACTION_DESTROY,
				&dc->on_crash);
	if (!rc)
		rc = cfg_action(r, cfg, "on_watchdog", DOM_ACTION_DESTROY,
				&dc->on_watchdog);
	return rc;
}

int ctl_op_create(struct ctl_req *r)
{
	struct dom_config dc = {.kernel_fd = -1, .ramdisk_fd = -1};
	yajl_val cfg = json_get(r->req, "config");
	bool paused = false, ramdisk = false;
	struct domain *d;
	int rc;

	if (!cfg || !YAJL_IS_OBJECT(cfg)) {
		snprintf(r->err, sizeof(r->err),
			 "create: no \"config\" object");
		return -EINVAL;
	}
	json_bool(r->req, "paused", &paused);
	json_bool(cfg, "ramdisk", &ramdisk);
	if (r->m->nfds != 1 + ramdisk) {
		snprintf(r->err, sizeof(r->err),
			 "create: expected %d file descriptor(s) (kernel%s), "
			 "got %d",
			 1 + ramdisk, ramdisk ? ", ramdisk" : "", r->m->nfds);
		return -EINVAL;
	}
	rc = parse_config(r, cfg, &dc);
	if (rc)
		return rc;
	dc.kernel_fd = r->m->fds[0];
	dc.ramdisk_fd = ramdisk ? r->m->fds[1] : -1;
	rc = domain_create(&dc, &d, r->err, sizeof(r->err));
	if (rc) {
		log_warn("control", "create %s: %s", dc.name, r->err);
		return rc;
	}
	jg_u64(r->out, "domid", d->domid);
	if (!paused)
		domain_unpause(d);
	return 0;
}
