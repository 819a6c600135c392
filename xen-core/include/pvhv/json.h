/* Small helpers over yajl for the control protocol. */
#ifndef PVHV_JSON_H
#define PVHV_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Parses a JSON object; NULL (with err) on error or if not an object. */
yajl_val json_parse_object(const char *text, char *err, size_t errlen);
yajl_val json_get(yajl_val obj, const char *key);
/* NULL if missing or not a string. */
const char *json_str(yajl_val obj, const char *key);
/* 0, -ENOENT (missing) or -EINVAL (wrong type / negative / too big). */
int json_u64(yajl_val obj, const char *key, uint64_t *out);
int json_bool(yajl_val obj, const char *key, bool *out);

/* Generation: keys and values in one call. */
yajl_gen jg_new(void);
void jg_str(yajl_gen g, const char *key, const char *val);
void jg_u64(yajl_gen g, const char *key, uint64_t val);
void jg_i64(yajl_gen g, const char *key, int64_t val);
void jg_bool(yajl_gen g, const char *key, bool val);
void jg_key(yajl_gen g, const char *key);
/* The finished text (owned by g). */
const char *jg_text(yajl_gen g, size_t *len);

#endif
