/* pvctl list, info, destroy, pause, unpause. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvhv/json.h>

#include "pvctl.h"

static int simple(const char *op, int argc, char **argv)
{
	struct pvctrl *c;
	yajl_val r;
	char *req;

	if (argc != 2) {
		fprintf(stderr, "usage: pvctl %s DOMAIN\n", op);
		return 2;
	}
	c = pvctl_connect();
	req = pvctl_dom_request(op, argv[1]);
	r = pvctl_call(c, req, NULL, 0);
	free(req);
	pvctrl_close(c);
	if (!r)
		return 1;
	yajl_tree_free(r);
	return 0;
}

int cmd_destroy(int argc, char **argv)
{
	return simple("destroy", argc, argv);
}

int cmd_pause(int argc, char **argv)
{
	return simple("pause", argc, argv);
}

int cmd_unpause(int argc, char **argv)
{
	return simple("unpause", argc, argv);
}

/* Re-serialises a parsed JSON value (for -l / info output). */
static void gen_value(yajl_gen g, yajl_val v)
{
	if (YAJL_IS_OBJECT(v)) {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			jg_key(g, v->u.object.keys[i]);
			gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			gen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else if (YAJL_IS_STRING(v)) {
		yajl_gen_string(g, (const unsigned char *)v->u.string,
				strlen(v->u.string));
	} else if (YAJL_IS_INTEGER(v)) {
		yajl_gen_integer(g, YAJL_GET_INTEGER(v));
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else {
		yajl_gen_null(g);
	}
}

static void print_json(yajl_val v)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	gen_value(g, v);
	yajl_gen_get_buf(g, &buf, &len);
	fwrite(buf, 1, len, stdout);
	yajl_gen_free(g);
}

int cmd_info(int argc, char **argv)
{
	struct pvctrl *c;
	yajl_val r;
	char *req;

	if (argc != 2) {
		fprintf(stderr, "usage: pvctl info DOMAIN\n");
		return 2;
	}
	c = pvctl_connect();
	req = pvctl_dom_request("info", argv[1]);
	r = pvctl_call(c, req, NULL, 0);
	free(req);
	pvctrl_close(c);
	if (!r)
		return 1;
	print_json(json_get(r, "domain"));
	yajl_tree_free(r);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	bool json = argc == 2 && !strcmp(argv[1], "-l");
	struct pvctrl *c = pvctl_connect();
	yajl_val r = pvctl_call(c, "{\"op\":\"list\"}", NULL, 0), doms;

	pvctrl_close(c);
	if (!r)
		return 1;
	doms = json_get(r, "domains");
	if (json) {
		print_json(doms);
	} else {
		printf("%-24s %5s %8s %5s %-9s %10s\n", "Name", "ID", "Mem",
		       "VCPUs", "State", "Time(s)");
		for (size_t i = 0; doms && i < doms->u.array.len; i++) {
			yajl_val d = doms->u.array.values[i];
			uint64_t id = 0, mem = 0, vc = 0, up = 0;

			json_u64(d, "domid", &id);
			json_u64(d, "memory_mib", &mem);
			json_u64(d, "vcpus", &vc);
			json_u64(d, "uptime_ns", &up);
			printf("%-24s %5llu %8llu %5llu %-9s %10.1f\n",
			       json_str(d, "name"), (unsigned long long)id,
			       (unsigned long long)mem, (unsigned long long)vc,
			       json_str(d, "state"), (double)up / 1e9);
		}
	}
	yajl_tree_free(r);
	return 0;
}
