/* pvctl create and console. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <pvhv/json.h>
#include <pvtool/cfg.h>

#include "pvctl.h"

static void make_uuid(char out[37])
{
	uint8_t b[16] = {0};

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)rand();
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

static char *create_request(const struct pvtool_domcfg *cfg, bool paused)
{
	yajl_gen g = jg_new();
	const unsigned char *buf;
	size_t len;
	char uuid[37], *out;

	if (cfg->uuid[0])
		snprintf(uuid, sizeof(uuid), "%s", cfg->uuid);
	else
		make_uuid(uuid);
	jg_str(g, "op", "create");
	jg_bool(g, "paused", paused);
	jg_key(g, "config");
	yajl_gen_map_open(g);
	jg_str(g, "name", cfg->name);
	jg_str(g, "uuid", uuid);
	jg_u64(g, "memory_mib", cfg->memory_mib);
	jg_u64(g, "vcpus", cfg->vcpus);
	jg_u64(g, "max_vcpus", cfg->maxvcpus);
	jg_str(g, "cmdline", cfg->cmdline);
	jg_bool(g, "ramdisk", cfg->ramdisk != NULL);
	jg_str(g, "on_poweroff", pvtool_action_name(cfg->on_poweroff));
	jg_str(g, "on_reboot", pvtool_action_name(cfg->on_reboot));
	jg_str(g, "on_crash", pvtool_action_name(cfg->on_crash));
	jg_str(g, "on_watchdog", pvtool_action_name(cfg->on_watchdog));
	jg_u64(g, "max_event_channels", cfg->max_event_channels);
	jg_u64(g, "max_grant_frames", cfg->max_grant_frames);
	jg_bool(g, "strict_io", cfg->strict_io);
	yajl_gen_map_close(g);
	jg_text(g, &len);
	yajl_gen_get_buf(g, &buf, &len);
	out = strndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

static int open_image(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "pvctl: %s %s: %s\n", what, path,
			strerror(errno));
	return fd;
}

/* The kernel (and ramdisk) as open files for pvhv; -1 if one fails (the
 * ones opened are in fds[0..*nfds) all the same). */
static int open_images(const struct pvtool_domcfg *cfg, int fds[2], int *nfds)
{
	fds[*nfds] = open_image("kernel", cfg->kernel);
	if (fds[(*nfds)++] < 0)
		return -1;
	if (cfg->ramdisk) {
		fds[*nfds] = open_image("ramdisk", cfg->ramdisk);
		if (fds[(*nfds)++] < 0)
			return -1;
	}
	return 0;
}

/* A domain op (unpause, destroy) by id; 0 or -1 (pvhv's error shown). */
static int dom_op(struct pvctrl *c, const char *op, uint32_t domid)
{
	char req[80];
	yajl_val r;

	snprintf(req, sizeof(req), "{\"op\":\"%s\",\"domid\":%u}", op, domid);
	r = pvctl_call(c, req, NULL, 0);
	if (!r)
		return -1;
	yajl_tree_free(r);
	return 0;
}

/*
 * After the build: wait until xenstore has introduced the domain (its
 * drivers need the store from their first instruction), then let it run
 * (unless -p), attaching the console with -c. A domain xenstore never
 * takes is destroyed: it could not work.
 */
static int start_domain(struct pvctrl *c, struct pvstore *xs, uint32_t domid,
			bool console, bool paused)
{
	char err[512];

	if (pvctl_wait_introduced(xs, domid, err, sizeof(err)) < 0) {
		fprintf(stderr, "pvctl: %s; destroying domain %u\n", err,
			domid);
		dom_op(c, "destroy", domid);
		return 1;
	}
	if (console)
		return pvctl_follow(c, domid, true, !paused);
	if (!paused && dom_op(c, "unpause", domid) < 0)
		return 1;
	return 0;
}

int cmd_create(int argc, char **argv)
{
	struct pvtool_domcfg cfg;
	bool console = false, paused = false;
	int fds[2], nfds = 0, opt, rc = 1;
	struct pvstore *xs;
	struct pvctrl *c;
	yajl_val r;
	uint64_t domid;
	char err[1024], *req;

	while ((opt = getopt(argc, argv, "+cp")) != -1) {
		if (opt == 'c')
			console = true;
		else if (opt == 'p')
			paused = true;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: pvctl create [-c] [-p] FILE.cfg "
				"[KEY=VALUE...]\n");
		return 2;
	}
	if (pvtool_domcfg_parse(argv[optind], argv + optind + 1,
				argc - optind - 1, &cfg, err,
				sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (open_images(&cfg, fds, &nfds) < 0)
		goto out;
	c = pvctl_connect();
	/* pvstored must be up before the domain exists: it sets the domain
	 * up in xenstore when pvhv announces it. */
	xs = pvctl_store();
	if (!xs) {
		rc = 2;
		pvctrl_close(c);
		goto out;
	}
	/* Always built paused: it runs once xenstore knows it. */
	req = create_request(&cfg, true);
	r = pvctl_call(c, req, fds, nfds);
	free(req);
	if (r && json_u64(r, "domid", &domid) == 0) {
		fprintf(stderr, "pvctl: created domain %s (id %llu)\n",
			cfg.name, (unsigned long long)domid);
		rc = start_domain(c, xs, (uint32_t)domid, console, paused);
	}
	if (r)
		yajl_tree_free(r);
	pvstore_close(xs);
	pvctrl_close(c);
out:
	for (int i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pvtool_domcfg_free(&cfg);
	return rc;
}

int cmd_console(int argc, char **argv)
{
	struct pvctrl *c;
	yajl_val r;
	uint64_t domid;
	char *req;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: pvctl console DOMAIN\n");
		return 2;
	}
	c = pvctl_connect();
	req = pvctl_dom_request("info", argv[1]);
	r = pvctl_call(c, req, NULL, 0);
	free(req);
	if (r) {
		const char *path[] = {"domain", "domid", NULL};
		yajl_val v = yajl_tree_get(r, path, yajl_t_number);

		domid =
		    v && YAJL_IS_INTEGER(v) ? (uint64_t)YAJL_GET_INTEGER(v) : 0;
		yajl_tree_free(r);
		rc = pvctl_follow(c, (uint32_t)domid, true, false);
	}
	pvctrl_close(c);
	return rc;
}
