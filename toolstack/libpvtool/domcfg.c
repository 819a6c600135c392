/*
 * Domain configuration: the xl.cfg keys pvhv implements, with xl's
 * defaults, and clear errors for everything else.  An operator must never
 * believe a device or feature exists because a key was silently ignored,
 * so keys xl knows but pvhv does not implement are errors, not warnings.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pvtool/cfg.h>

#include "cfg_priv.h"

struct domcfg_ctx {
	struct pvtool_domcfg *cfg;
	/* settings checked together once all are read */
	const struct pvtool_cfg_setting *memory, *maxmem, *vcpus, *maxvcpus;
	const char *cmdline, *root, *extra;
	char *err;
	size_t errlen;
};

struct domcfg_key {
	const char *name;
	int (*apply)(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s);
	size_t action; /* on_*: offset of the field in pvtool_domcfg */
};

/*
 * Keys of xl.cfg(5) (Xen 4.17) that pvhv does not implement yet: devices,
 * placement, emulation, bootloaders.  Keep sorted.
 */
static const char *const unsupported_keys[] = {
    "acpi",
    "acpi_firmware",
    "acpi_s3",
    "acpi_s4",
    "altp2m",
    "altp2mhvm",
    "apic",
    "bios",
    "bios_path_override",
    "boot",
    "bootloader",
    "bootloader_args",
    "cap",
    "channel",
    "claim_mode",
    "cpu_weight",
    "cpuid",
    "cpus",
    "cpus_soft",
    "device_model_args",
    "device_model_args_hvm",
    "device_model_args_pv",
    "device_model_override",
    "device_model_stubdomain_override",
    "device_model_stubdomain_seclabel",
    "device_model_user",
    "device_model_version",
    "device_tree",
    "direct_io_safe",
    "disk",
    "dm_restrict",
    "driver_domain",
    "dtdev",
    "e820_host",
    "firmware",
    "gfx_passthru",
    "gic_version",
    "hap",
    "hpet",
    "init_seclabel",
    "iomem",
    "ioports",
    "irqs",
    "keymap",
    "localtime",
    "max_grant_version",
    "max_maptrack_frames",
    "mca_caps",
    "mmio_hole",
    "ms_vm_genid",
    "nestedhvm",
    "nographic",
    "nomigrate",
    "nr_spis",
    "on_soft_reset",
    "opengl",
    "p9",
    "pae",
    "passthrough",
    "pci",
    "pci_msitranslate",
    "pci_permissive",
    "pci_power_mgmt",
    "pci_seize",
    "pool",
    "pvcalls",
    "pvshim",
    "pvshim_cmdline",
    "pvshim_extra",
    "pvshim_path",
    "rdm",
    "rdm_mem_boundary",
    "rtc_timeoffset",
    "sdl",
    "seclabel",
    "serial",
    "shadow_memory",
    "smbios_firmware",
    "soundhw",
    "spice",
    "spice_clipboard_sharing",
    "spice_image_compression",
    "spice_streaming_video",
    "spiceagent_mouse",
    "spicedisable_ticketing",
    "spicehost",
    "spicepasswd",
    "spiceport",
    "spicetls_port",
    "spiceusbredirection",
    "spicevdagent",
    "stdvga",
    "stubdomain_kernel",
    "stubdomain_memory",
    "stubdomain_ramdisk",
    "tee",
    "timer_mode",
    "tsc_mode",
    "usb",
    "usbctrl",
    "usbdev",
    "usbdevice",
    "usbversion",
    "vcpu_hard_affinity",
    "vcpu_soft_affinity",
    "vdispl",
    "vendor_device",
    "vfb",
    "vga",
    "videoram",
    "vif",
    "viridian",
    "virtio",
    "vkb",
    "vmtrace_buf_kb",
    "vnc",
    "vncconsole",
    "vncdisplay",
    "vnclisten",
    "vncpasswd",
    "vncunused",
    "vnuma",
    "vpmu",
    "vpt_align",
    "vsnd",
    "vtpm",
    "vuart",
    "xen_platform_pci",
};

static const struct {
	const char *name;
	enum pvtool_action action;
	bool supported;
} actions[] = {
    {"destroy", PVTOOL_ACTION_DESTROY, true},
    {"restart", PVTOOL_ACTION_RESTART, true},
    {"preserve", PVTOOL_ACTION_PRESERVE, true},
    {"rename-restart", PVTOOL_ACTION_RESTART, false},
    {"coredump-destroy", PVTOOL_ACTION_DESTROY, false},
    {"coredump-restart", PVTOOL_ACTION_RESTART, false},
    {"soft-reset", PVTOOL_ACTION_RESTART, false},
};

const char *pvtool_action_name(enum pvtool_action a)
{
	switch (a) {
	case PVTOOL_ACTION_DESTROY:
		return "destroy";
	case PVTOOL_ACTION_RESTART:
		return "restart";
	case PVTOOL_ACTION_PRESERVE:
		return "preserve";
	}
	return "?";
}

int pvtool_action_parse(const char *s, enum pvtool_action *out)
{
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(s, actions[i].name))
			continue;
		if (!actions[i].supported)
			return -ENOTSUP;
		*out = actions[i].action;
		return 0;
	}
	return -EINVAL;
}

void pvtool_domcfg_free(struct pvtool_domcfg *cfg)
{
	if (!cfg)
		return;
	free(cfg->name);
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	memset(cfg, 0, sizeof(*cfg));
}

/* ---------------------------------------------------------- values */

static int get_string(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s,
		      const char **out)
{
	return pvtool_cfg_setting_string(s, out, c->err, c->errlen);
}

/* A number in [min, max], with a message naming the range. */
static int get_u32(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s,
		   uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int r;

	r = pvtool_cfg_setting_u64(s, 0, UINT64_MAX, &v, c->err, c->errlen);
	if (r)
		return r;
	if (v < min || v > max)
		return pvtool_cfg_error(c->err, c->errlen, s,
					"must be between %u and %u, got %llu",
					min, max, (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

static int get_mib(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s,
		   uint64_t *out)
{
	int r;

	r = pvtool_cfg_setting_u64(s, 0, UINT64_MAX, out, c->err, c->errlen);
	if (r)
		return r;
	if (*out < PVTOOL_DOMCFG_MEMORY_MIN)
		return pvtool_cfg_error(
		    c->err, c->errlen, s,
		    "%llu MiB is too small: a PVH guest needs at least "
		    "%llu MiB for its kernel, page tables, start info, "
		    "ACPI tables and xenstore and console pages",
		    (unsigned long long)*out, PVTOOL_DOMCFG_MEMORY_MIN);
	if (*out > PVTOOL_DOMCFG_MEMORY_MAX)
		return pvtool_cfg_error(c->err, c->errlen, s,
					"%llu MiB is more than pvhv allows "
					"(%llu MiB = 1 TiB)",
					(unsigned long long)*out,
					PVTOOL_DOMCFG_MEMORY_MAX);
	return 0;
}

/* Replaces *field with a copy of the setting's string. */
static int set_string(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s,
		      char **field, bool empty_ok)
{
	const char *v;
	char *copy;
	int r;

	r = get_string(c, s, &v);
	if (r)
		return r;
	if (!*v && !empty_ok)
		return pvtool_cfg_error(c->err, c->errlen, s,
					"must not be empty");
	copy = strdup(v);
	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

/* ---------------------------------------------------------- keys */

static const char *name_problem(const char *n)
{
	size_t i, digits = 0;

	if (!*n)
		return "must not be empty";
	if (strlen(n) > PVTOOL_DOMCFG_NAME_MAX)
		return "is longer than 63 characters";
	for (i = 0; n[i]; i++) {
		char ch = n[i];

		if (ch >= '0' && ch <= '9')
			digits++;
		else if (!((ch >= 'a' && ch <= 'z') ||
			   (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '.' ||
			   ch == '-'))
			return "may only contain letters, digits, '_', '.' "
			       "and '-'";
	}
	if (digits == i)
		return "must not be all digits (it would read as a domain id)";
	if (n[0] == '-' || n[0] == '.')
		return "must not start with '-' or '.'";
	if (!strcasecmp(n, "Domain-0"))
		return "is the name of the control domain (the host)";
	return NULL;
}

static int key_name(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	const char *v, *why;
	char shown[96];
	int r;

	r = get_string(c, s, &v);
	if (r)
		return r;
	why = name_problem(v);
	if (why) {
		cfg_quote(v, shown, sizeof(shown));
		return pvtool_cfg_error(c->err, c->errlen, s, "%s %s", shown,
					why);
	}
	return set_string(c, s, &c->cfg->name, false);
}

static int key_type(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	const char *v;
	int r;

	r = get_string(c, s, &v);
	if (r)
		return r;
	if (!strcmp(v, "pvh"))
		return 0;
	if (!strcmp(v, "pv") || !strcmp(v, "hvm"))
		return pvtool_cfg_error(c->err, c->errlen, s,
					"%s domains are not supported: pvhv "
					"runs PVH domains only (type = "
					"\"pvh\")",
					!strcmp(v, "pv") ? "PV" : "HVM");
	return pvtool_cfg_error(c->err, c->errlen, s,
				"unknown domain type: pvhv runs PVH domains "
				"only (type = \"pvh\")");
}

static int key_builder(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	return pvtool_cfg_error(c->err, c->errlen, s,
				"pvhv runs PVH domains only: remove builder "
				"and use type = \"pvh\"");
}

/* Old xl spelling: pvh = 1 means type = "pvh". */
static int key_pvh(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	uint32_t v = 0;
	int r;

	r = get_u32(c, s, 0, 1, &v);
	if (r)
		return r;
	if (!v)
		return pvtool_cfg_error(c->err, c->errlen, s,
					"pvhv runs PVH domains only: remove "
					"pvh = 0 or use type = \"pvh\"");
	return 0;
}

static int key_kernel(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	return set_string(c, s, &c->cfg->kernel, false);
}

/* ramdisk = "" means no ramdisk, so an override can drop it. */
static int key_ramdisk(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	int r = set_string(c, s, &c->cfg->ramdisk, true);

	if (!r && !*c->cfg->ramdisk) {
		free(c->cfg->ramdisk);
		c->cfg->ramdisk = NULL;
	}
	return r;
}

static int key_cmdline(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	const char **field = !strcmp(s->key, "cmdline") ? &c->cmdline
			     : !strcmp(s->key, "root")	? &c->root
							: &c->extra;

	return get_string(c, s, field);
}

static int key_memory(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	bool max = !strcmp(s->key, "maxmem");

	*(max ? &c->maxmem : &c->memory) = s;
	return get_mib(c, s, max ? &c->cfg->maxmem_mib : &c->cfg->memory_mib);
}

static int key_vcpus(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	bool max = !strcmp(s->key, "maxvcpus");

	*(max ? &c->maxvcpus : &c->vcpus) = s;
	return get_u32(c, s, 1, PVTOOL_DOMCFG_VCPUS_MAX,
		       max ? &c->cfg->maxvcpus : &c->cfg->vcpus);
}

static int key_action(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s,
		      size_t offset)
{
	enum pvtool_action *field = (void *)((char *)c->cfg + offset);
	char shown[80];
	const char *v;
	int r;

	r = get_string(c, s, &v);
	if (r)
		return r;
	r = pvtool_action_parse(v, field);
	if (!r)
		return 0;
	cfg_quote(v, shown, sizeof(shown));
	if (r == -ENOTSUP)
		return pvtool_cfg_error(c->err, c->errlen, s,
					"action %s is not supported by pvhv "
					"(use destroy, restart or preserve)",
					shown);
	return pvtool_cfg_error(c->err, c->errlen, s,
				"unknown action %s (use destroy, restart or "
				"preserve)",
				shown);
}

static int key_evtchn(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	return get_u32(c, s, 1, PVTOOL_DOMCFG_EVTCHN_MAX,
		       &c->cfg->max_event_channels);
}

static int key_gnttab(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	return get_u32(c, s, 1, PVTOOL_DOMCFG_GNTTAB_MAX,
		       &c->cfg->max_grant_frames);
}

/* pvhv's own key: stray port I/O or MMIO crashes the domain. */
static int key_strict_io(struct domcfg_ctx *c,
			 const struct pvtool_cfg_setting *s)
{
	uint32_t v = 0;
	int rc = get_u32(c, s, 0, 1, &v);

	c->cfg->strict_io = rc == 0 && v == 1;
	return rc;
}

static int key_uuid(struct domcfg_ctx *c, const struct pvtool_cfg_setting *s)
{
	const char *v;
	char u[37];
	int r, i;

	r = get_string(c, s, &v);
	if (r)
		return r;
	for (i = 0; i < 36 && v[i]; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char ch = v[i];

		if (dash ? ch != '-'
			 : !((ch >= '0' && ch <= '9') ||
			     (ch >= 'a' && ch <= 'f') ||
			     (ch >= 'A' && ch <= 'F')))
			break;
		u[i] = (ch >= 'A' && ch <= 'F') ? ch - 'A' + 'a' : ch;
	}
	if (i != 36 || v[36])
		return pvtool_cfg_error(
		    c->err, c->errlen, s,
		    "expected a UUID like "
		    "\"01234567-89ab-cdef-0123-456789abcdef\"");
	u[36] = '\0';
	memcpy(c->cfg->uuid, u, sizeof(u));
	return 0;
}

#define ACTION_KEY(k)                                                          \
	{                                                                      \
#k, NULL, offsetof(struct pvtool_domcfg, k)                    \
	}

static const struct domcfg_key keys[] = {
    {"name", key_name, 0},
    {"type", key_type, 0},
    {"builder", key_builder, 0},
    {"pvh", key_pvh, 0},
    {"kernel", key_kernel, 0},
    {"ramdisk", key_ramdisk, 0},
    {"cmdline", key_cmdline, 0},
    {"root", key_cmdline, 0},
    {"extra", key_cmdline, 0},
    {"memory", key_memory, 0},
    {"maxmem", key_memory, 0},
    {"vcpus", key_vcpus, 0},
    {"maxvcpus", key_vcpus, 0},
    ACTION_KEY(on_poweroff),
    ACTION_KEY(on_reboot),
    ACTION_KEY(on_crash),
    ACTION_KEY(on_watchdog),
    {"max_event_channels", key_evtchn, 0},
    {"max_grant_frames", key_gnttab, 0},
    {"strict_io", key_strict_io, 0},
    {"uuid", key_uuid, 0},
};

static int apply_setting(struct domcfg_ctx *c,
			 const struct pvtool_cfg_setting *s)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(s->key, keys[i].name))
			continue;
		if (!keys[i].apply)
			return key_action(c, s, keys[i].action);
		return keys[i].apply(c, s);
	}
	for (i = 0; i < sizeof(unsupported_keys) / sizeof(unsupported_keys[0]);
	     i++)
		if (!strcmp(s->key, unsupported_keys[i]))
			return pvtool_cfg_error(c->err, c->errlen, s,
						"not supported by pvhv yet");
	/* the message names the key itself: no "KEY: " prefix */
	return pvtool_cfg_error(
	    c->err, c->errlen,
	    &(struct pvtool_cfg_setting){.src = s->src, .line = s->line},
	    "unknown key '%s'", s->key);
}

/* ---------------------------------------------------------- whole domain */

static int missing(struct domcfg_ctx *c, const char *srcname, const char *key)
{
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s: missing required key '%s'",
			 srcname, key);
	return -EINVAL;
}

/* "root=ROOT" or "root=ROOT EXTRA", in a new string. */
static char *root_cmdline(const char *root, const char *extra)
{
	const char *sep = extra ? " " : "";
	int n;
	char *s;

	extra = extra ? extra : "";
	n = snprintf(NULL, 0, "root=%s%s%s", root, sep, extra);
	s = n < 0 ? NULL : malloc((size_t)n + 1);
	if (s)
		snprintf(s, (size_t)n + 1, "root=%s%s%s", root, sep, extra);
	return s;
}

/* xl's parse_cmdline(): cmdline wins over root and extra. */
static int build_cmdline(struct domcfg_ctx *c)
{
	if (c->cmdline)
		c->cfg->cmdline = strdup(c->cmdline);
	else if (c->root)
		c->cfg->cmdline = root_cmdline(c->root, c->extra);
	else
		c->cfg->cmdline = strdup(c->extra ? c->extra : "");
	return c->cfg->cmdline ? 0 : -ENOMEM;
}

/* Checks between keys, once every key has its value. */
static int domcfg_finish(struct domcfg_ctx *c, const char *srcname)
{
	struct pvtool_domcfg *cfg = c->cfg;

	if (!cfg->name)
		return missing(c, srcname, "name");
	if (!cfg->kernel)
		return missing(c, srcname, "kernel");
	if (!c->maxmem)
		cfg->maxmem_mib = cfg->memory_mib;
	else if (cfg->maxmem_mib < cfg->memory_mib)
		return pvtool_cfg_error(c->err, c->errlen, c->maxmem,
					"%llu MiB is less than memory (%llu "
					"MiB)",
					(unsigned long long)cfg->maxmem_mib,
					(unsigned long long)cfg->memory_mib);
	if (!c->maxvcpus)
		cfg->maxvcpus = cfg->vcpus;
	else if (cfg->maxvcpus < cfg->vcpus)
		return pvtool_cfg_error(c->err, c->errlen, c->maxvcpus,
					"%u is less than vcpus (%u)",
					cfg->maxvcpus, cfg->vcpus);
	return build_cmdline(c);
}

int pvtool_domcfg_from_cfg(const struct pvtool_cfg *in, const char *srcname,
			   struct pvtool_domcfg *cfg, char *err, size_t errlen)
{
	struct domcfg_ctx c = {.cfg = cfg, .err = err, .errlen = errlen};
	size_t i;
	int r = 0;

	*cfg = (struct pvtool_domcfg){
	    .memory_mib = PVTOOL_DOMCFG_MEMORY_DEFAULT,
	    .vcpus = 1,
	    .on_poweroff = PVTOOL_ACTION_DESTROY,
	    .on_reboot = PVTOOL_ACTION_RESTART,
	    .on_crash = PVTOOL_ACTION_DESTROY,
	    .on_watchdog = PVTOOL_ACTION_DESTROY,
	    .max_event_channels = PVTOOL_DOMCFG_EVTCHN_DEFAULT,
	    .max_grant_frames = PVTOOL_DOMCFG_GNTTAB_DEFAULT,
	};
	for (i = 0; !r && i < pvtool_cfg_count(in); i++)
		r = apply_setting(&c, pvtool_cfg_at(in, i));
	if (!r)
		r = domcfg_finish(&c, srcname);
	if (r == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", srcname);
	if (r)
		pvtool_domcfg_free(cfg);
	return r;
}

/* Overrides are parsed like lines after the file, as xl create does. */
static int parse_overrides(struct pvtool_cfg *in, char *const overrides[],
			   int n, char *err, size_t errlen)
{
	char src[48];
	int i, r;

	for (i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "command line argument %d", i + 1);
		if (!overrides[i]) {
			cfg_error(err, errlen, src, 0, "missing (NULL)");
			return -EINVAL;
		}
		r = pvtool_cfg_parse_buf(in, src, overrides[i],
					 strlen(overrides[i]),
					 PVTOOL_CFG_NOLINES, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

/* Reads file `path`, or else `len` bytes of `buf` named `srcname`. */
static int domcfg_parse(const char *path, const char *srcname, const char *buf,
			size_t len, char *const overrides[], int noverrides,
			struct pvtool_domcfg *cfg, char *err, size_t errlen)
{
	const char *name = path ? path : srcname;
	struct pvtool_cfg *in;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	if (noverrides < 0 || (noverrides && !overrides) || !name ||
	    (!path && !buf && len)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: invalid arguments",
				 name ? name : "(null)");
		return -EINVAL;
	}
	r = pvtool_cfg_new(&in);
	if (r) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return r;
	}
	if (path)
		r = pvtool_cfg_parse_file(in, path, err, errlen);
	else
		r = pvtool_cfg_parse_buf(in, srcname, buf, len, 0, err, errlen);
	if (!r)
		r = parse_overrides(in, overrides, noverrides, err, errlen);
	if (!r)
		r = pvtool_domcfg_from_cfg(in, name, cfg, err, errlen);
	pvtool_cfg_free(in);
	return r;
}

int pvtool_domcfg_parse(const char *path, char *const overrides[],
			int noverrides, struct pvtool_domcfg *cfg, char *err,
			size_t errlen)
{
	return domcfg_parse(path, NULL, NULL, 0, overrides, noverrides, cfg,
			    err, errlen);
}

int pvtool_domcfg_parse_buf(const char *srcname, const char *buf, size_t len,
			    char *const overrides[], int noverrides,
			    struct pvtool_domcfg *cfg, char *err, size_t errlen)
{
	return domcfg_parse(NULL, srcname, buf, len, overrides, noverrides, cfg,
			    err, errlen);
}
