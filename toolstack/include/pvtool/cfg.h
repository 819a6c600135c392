/*
 * Domain configuration files in Xen's xl.cfg(5) syntax.
 *
 * Two layers:
 *
 *  - struct pvtool_cfg: a generic xl.cfg reader.  It knows the syntax
 *    (KEY = VALUE, KEY += VALUE, strings, numbers, lists, comments) but not
 *    what any key means, so later code (disk = [...], vif = [...]) can read
 *    its own keys from the same store.
 *
 *  - struct pvtool_domcfg: the domain settings pvhv implements, checked
 *    and defaulted the way xl does.
 *
 * Nothing here prints.  Every function returns 0 or -errno and, on error,
 * writes one line to the caller's buffer `err` (size `errlen`), in the
 * form "SOURCE:LINE: KEY: message" (no ":LINE" when the source has no
 * lines, no "KEY: " when no key is involved).  `err` may be NULL.
 */
#ifndef PVTOOL_CFG_H
#define PVTOOL_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Generic xl.cfg reader                                               */
/* ------------------------------------------------------------------ */

/* Largest source (file or override) read, in bytes. */
#define PVTOOL_CFG_MAX_SIZE (1024 * 1024)
/* Deepest nesting of lists ("[[1]]" is depth 2). */
#define PVTOOL_CFG_MAX_DEPTH 8
/* Most different keys one configuration may hold. */
#define PVTOOL_CFG_MAX_KEYS 4096

enum pvtool_cfg_type {
	PVTOOL_CFG_STRING, /* "text" or 'text', escapes decoded */
	PVTOOL_CFG_NUMBER, /* 123 or 0x7b */
	PVTOOL_CFG_LIST,   /* [ value, value, ... ] */
};

struct pvtool_cfg_value {
	enum pvtool_cfg_type type;
	unsigned int line; /* line the value starts on (0: no lines) */
	/* STRING: the decoded text (never contains NUL).
	 * NUMBER: the number as written, e.g. "0x10". */
	char *str;
	size_t len;			/* STRING, NUMBER: strlen(str) */
	uint64_t num;			/* NUMBER: its value */
	struct pvtool_cfg_value *items; /* LIST: nitems values */
	size_t nitems;
};

struct pvtool_cfg_setting {
	char *key;
	const char *src;   /* source name of the last assignment */
	unsigned int line; /* its line; 0 for sources without lines */
	bool appended;	   /* the last assignment was "+=" */
	struct pvtool_cfg_value value;
};

struct pvtool_cfg;

/* Flags for pvtool_cfg_parse_buf(). */
#define PVTOOL_CFG_NOLINES 0x1u /* errors name the source without a line */

int pvtool_cfg_new(struct pvtool_cfg **out);
void pvtool_cfg_free(struct pvtool_cfg *cfg);

/*
 * Parses `len` bytes of xl.cfg text into `cfg`, on top of what it already
 * holds: a key set again replaces the old value (last wins), "KEY += V"
 * appends to a string or extends a list.  `srcname` is copied and used in
 * error messages and in the settings' `src`.  On error the settings parsed
 * before the bad one stay in `cfg`.
 * Errors: -EINVAL (syntax), -EFBIG (larger than PVTOOL_CFG_MAX_SIZE),
 * -E2BIG (too many keys), -ENOMEM.
 */
int pvtool_cfg_parse_buf(struct pvtool_cfg *cfg, const char *srcname,
			 const char *buf, size_t len, unsigned int flags,
			 char *err, size_t errlen);

/* Reads and parses a file; the source name is `path`. */
int pvtool_cfg_parse_file(struct pvtool_cfg *cfg, const char *path, char *err,
			  size_t errlen);

/*
 * The setting for `key`, or NULL.  Pointers into `cfg` stay valid until the
 * next parse into it or pvtool_cfg_free().
 */
const struct pvtool_cfg_setting *pvtool_cfg_get(const struct pvtool_cfg *cfg,
						const char *key);

/* Iteration, in the order keys were first set: i = 0 .. count - 1. */
size_t pvtool_cfg_count(const struct pvtool_cfg *cfg);
const struct pvtool_cfg_setting *pvtool_cfg_at(const struct pvtool_cfg *cfg,
					       size_t i);

/*
 * Typed access to one setting; on a wrong type or range, -EINVAL and a
 * message naming the setting's source, line and key.
 *
 * _string: a string, or a number as written (xl does not tell them apart).
 * _u64: a number, or a string holding one (xl accepts memory = "512");
 *       decimal or 0x hex, min <= value <= max.
 * _list: a list; *items and *nitems point into the setting.
 */
int pvtool_cfg_setting_string(const struct pvtool_cfg_setting *s,
			      const char **out, char *err, size_t errlen);
int pvtool_cfg_setting_u64(const struct pvtool_cfg_setting *s, uint64_t min,
			   uint64_t max, uint64_t *out, char *err,
			   size_t errlen);
int pvtool_cfg_setting_list(const struct pvtool_cfg_setting *s,
			    const struct pvtool_cfg_value **items,
			    size_t *nitems, char *err, size_t errlen);

/*
 * Parses a number the way the reader does: decimal without leading zeros,
 * or 0x/0X hex.  -EINVAL if not a number, -ERANGE if it does not fit in 64
 * bits, -EDOM for a leading zero (xl would read "010" as octal 8).
 */
int pvtool_cfg_number(const char *s, uint64_t *out);

/*
 * Writes "SRC:LINE: KEY: <fmt...>" for setting `s` into err; returns
 * -EINVAL so callers can `return pvtool_cfg_error(...)`.
 */
int pvtool_cfg_error(char *err, size_t errlen,
		     const struct pvtool_cfg_setting *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------ */
/* Domain configuration                                                */
/* ------------------------------------------------------------------ */

enum pvtool_action {
	PVTOOL_ACTION_DESTROY,
	PVTOOL_ACTION_RESTART,
	PVTOOL_ACTION_PRESERVE,
};

#define PVTOOL_DOMCFG_NAME_MAX	 63
#define PVTOOL_DOMCFG_MEMORY_MIN 4ULL	    /* MiB */
#define PVTOOL_DOMCFG_MEMORY_MAX 1048576ULL /* MiB = 1 TiB */
#define PVTOOL_DOMCFG_VCPUS_MAX	 64
/* The 2-level ABI has ports 0..4095: the largest port number is 4095. */
#define PVTOOL_DOMCFG_EVTCHN_MAX     4095
#define PVTOOL_DOMCFG_GNTTAB_MAX     64
#define PVTOOL_DOMCFG_MEMORY_DEFAULT 128
#define PVTOOL_DOMCFG_EVTCHN_DEFAULT 1023
#define PVTOOL_DOMCFG_GNTTAB_DEFAULT 64

struct pvtool_domcfg {
	char *name;	     /* 1..63 of [A-Za-z0-9_.-], see pvhv.cfg(5) */
	char *kernel;	     /* path as given (relative: to the cwd) */
	char *ramdisk;	     /* NULL when none */
	char *cmdline;	     /* never NULL; "" when empty */
	uint64_t memory_mib; /* default 128 */
	uint64_t maxmem_mib; /* default memory_mib; >= memory_mib */
	uint32_t vcpus;	     /* default 1 */
	uint32_t maxvcpus;   /* default vcpus; >= vcpus */
	enum pvtool_action on_poweroff, on_reboot, on_crash, on_watchdog;
	uint32_t max_event_channels; /* default 1023 */
	uint32_t max_grant_frames;   /* default 64 */
	bool strict_io;		     /* pvhv: stray I/O crashes the domain */
	char uuid[37];		     /* lower case, or "" when unset */
};

/*
 * Reads the domain configuration in file `path`, then applies the
 * `noverrides` overrides ("KEY=VALUE", as given to `pvctl create`), each
 * parsed like one more line after the file; errors in override i name the
 * source "command line argument i" (i from 1).  *cfg is overwritten
 * (free an earlier result first): on success it is filled (free it with
 * pvtool_domcfg_free()), on error it is left zeroed.
 */
int pvtool_domcfg_parse(const char *path, char *const overrides[],
			int noverrides, struct pvtool_domcfg *cfg, char *err,
			size_t errlen);

/* The same for a configuration held in memory, named `srcname`. */
int pvtool_domcfg_parse_buf(const char *srcname, const char *buf, size_t len,
			    char *const overrides[], int noverrides,
			    struct pvtool_domcfg *cfg, char *err,
			    size_t errlen);

/*
 * The domain layer on its own: checks the settings in `in` and fills
 * *cfg.  `srcname` names the configuration in "missing required key"
 * errors.
 */
int pvtool_domcfg_from_cfg(const struct pvtool_cfg *in, const char *srcname,
			   struct pvtool_domcfg *cfg, char *err, size_t errlen);

/* Frees what *cfg owns and zeroes it; safe on a zeroed struct and NULL. */
void pvtool_domcfg_free(struct pvtool_domcfg *cfg);

/* "destroy", "restart", "preserve"; "?" for other values. */
const char *pvtool_action_name(enum pvtool_action a);

/*
 * 0 for destroy/restart/preserve; -ENOTSUP for the other actions xl knows
 * (rename-restart, coredump-destroy, coredump-restart, soft-reset);
 * -EINVAL otherwise.
 */
int pvtool_action_parse(const char *s, enum pvtool_action *out);

#endif
