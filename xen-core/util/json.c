/* JSON helpers over yajl (see json.h). */
#include <errno.h>
#include <string.h>

#include <pvhv/json.h>

yajl_val json_parse_object(const char *text, char *err, size_t errlen)
{
	yajl_val v = yajl_tree_parse(text, err, errlen);

	if (v && !YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		if (errlen)
			strncpy(err, "not a JSON object", errlen - 1);
		return NULL;
	}
	if (!v && errlen && !err[0])
		strncpy(err, "invalid JSON", errlen - 1);
	return v;
}

yajl_val json_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

const char *json_str(yajl_val obj, const char *key)
{
	yajl_val v = json_get(obj, key);

	return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int json_u64(yajl_val obj, const char *key, uint64_t *out)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return -ENOENT;
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return -EINVAL;
	*out = (uint64_t)YAJL_GET_INTEGER(v);
	return 0;
}

int json_bool(yajl_val obj, const char *key, bool *out)
{
	yajl_val v = json_get(obj, key);

	if (!v)
		return -ENOENT;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return -EINVAL;
	*out = YAJL_IS_TRUE(v);
	return 0;
}

yajl_gen jg_new(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (g)
		yajl_gen_map_open(g);
	return g;
}

void jg_key(yajl_gen g, const char *key)
{
	yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void jg_str(yajl_gen g, const char *key, const char *val)
{
	jg_key(g, key);
	yajl_gen_string(g, (const unsigned char *)val, strlen(val));
}

void jg_u64(yajl_gen g, const char *key, uint64_t val)
{
	jg_key(g, key);
	yajl_gen_integer(g, (long long)val);
}

void jg_i64(yajl_gen g, const char *key, int64_t val)
{
	jg_key(g, key);
	yajl_gen_integer(g, (long long)val);
}

void jg_bool(yajl_gen g, const char *key, bool val)
{
	jg_key(g, key);
	yajl_gen_bool(g, val);
}

const char *jg_text(yajl_gen g, size_t *len)
{
	const unsigned char *buf;

	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, len) != yajl_gen_status_ok)
		return NULL;
	return (const char *)buf;
}
