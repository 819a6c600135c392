/* Following a domain's console until it ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvhv/json.h>

#include "pvctl.h"

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Sends the console request (and, for create -c, unpauses). */
static int follow_start(struct pvctrl *c, uint32_t domid, bool history,
			bool unpause)
{
	char req[160];
	yajl_val r;

	snprintf(req, sizeof(req),
		 "{\"op\":\"console\",\"domid\":%u,\"follow\":true,"
		 "\"history\":%s}",
		 domid, history ? "true" : "false");
	r = pvctl_call(c, req, NULL, 0);
	if (!r)
		return -1;
	yajl_tree_free(r);
	if (!unpause)
		return 0;
	/* create -c builds the domain paused so no output is missed. */
	snprintf(req, sizeof(req), "{\"op\":\"unpause\",\"domid\":%u}", domid);
	if (pvctrl_call(c, req, NULL, 0, &r, (char[64]){0}, 64) == 0)
		yajl_tree_free(r);
	return 0;
}

int pvctl_follow(struct pvctrl *c, uint32_t domid, bool history, bool unpause)
{
	const char *reason = NULL;
	bool restarting = false;
	int status = 1;

	if (follow_start(c, domid, history, unpause) < 0)
		return 1;
	for (;;) {
		struct pvctrl_msg m;
		const char *ev;
		uint64_t id = 0;
		/* After a restart's "destroyed", "restarted" follows at once
		 * unless building the new domain failed. */
		int rc = pvctrl_next(c, &m, restarting ? 10000 : -1);

		if (rc == -ETIMEDOUT) {
			fprintf(stderr,
				"\npvctl: domain %u did not come back "
				"after its restart\n",
				domid);
			free((void *)reason);
			return 1;
		}
		if (rc < 0) {
			fprintf(stderr, "\npvctl: lost pvhv: %s\n",
				strerror(-rc));
			return 2;
		}
		if (m.kind == PV_CTL_CONSOLE) {
			write_all(m.data, m.len);
			pvctrl_msg_free(&m);
			continue;
		}
		ev = json_str(m.json, "event");
		json_u64(m.json, "domid", &id);
		if (ev && id == domid && !strcmp(ev, "shutdown")) {
			const char *act = json_str(m.json, "action");

			free((void *)reason);
			reason = strdup(json_str(m.json, "reason")
					    ? json_str(m.json, "reason")
					    : "?");
			status = reason && !strcmp(reason, "poweroff") ? 0 : 1;
			restarting = act && !strcmp(act, "restart");
			if (act && !strcmp(act, "preserve")) {
				pvctrl_msg_free(&m);
				break;
			}
		} else if (ev && !strcmp(ev, "restarted")) {
			uint64_t old = 0;

			json_u64(m.json, "old_domid", &old);
			if (old == domid || id == domid) {
				fprintf(stderr,
					"\npvctl: domain restarted as "
					"id %llu\n",
					(unsigned long long)id);
				domid = (uint32_t)id;
				restarting = false;
				free((void *)reason);
				reason = NULL;
				status = 1;
			}
		} else if (ev && id == domid && !strcmp(ev, "destroyed") &&
			   !restarting) {
			pvctrl_msg_free(&m);
			break;
		}
		pvctrl_msg_free(&m);
	}
	if (reason && status != 0)
		fprintf(stderr, "\npvctl: domain %u shut down: %s\n", domid,
			reason);
	else if (!reason)
		fprintf(stderr, "\npvctl: domain %u was destroyed\n", domid);
	free((void *)reason);
	return status;
}
