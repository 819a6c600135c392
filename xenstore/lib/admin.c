/* libpvstore: domain management, daemon control, quotas, features. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

/* A dom0 request whose arguments are numbers; no reply payload wanted. */
static int num_req(struct pvstore *h, uint32_t type, const uint64_t *args,
		   unsigned n)
{
	struct pvstore_req r;

	pvstore_req_init(&r, type, 0);
	for (unsigned i = 0; i < n; i++)
		pvstore_req_num(&r, args[i]);
	return pvstore_call(h, &r, PVSTORE_NO_TX, NULL, NULL);
}

int pvstore_introduce(struct pvstore *h, uint32_t domid, uint64_t gfn,
		      uint32_t port)
{
	const uint64_t a[] = {domid, gfn, port};

	return num_req(h, XS_INTRODUCE, a, 3);
}

int pvstore_release(struct pvstore *h, uint32_t domid)
{
	const uint64_t a[] = {domid};

	return num_req(h, XS_RELEASE, a, 1);
}

int pvstore_resume(struct pvstore *h, uint32_t domid)
{
	const uint64_t a[] = {domid};

	return num_req(h, XS_RESUME, a, 1);
}

int pvstore_set_target(struct pvstore *h, uint32_t domid, uint32_t target)
{
	const uint64_t a[] = {domid, target};

	return num_req(h, XS_SET_TARGET, a, 2);
}

int pvstore_get_domain_path(struct pvstore *h, uint32_t domid, char **path)
{
	struct pvstore_req r;

	pvstore_req_init(&r, XS_GET_DOMAIN_PATH, 0);
	pvstore_req_num(&r, domid);
	return pvstore_call(h, &r, PVSTORE_NO_TX, path, NULL);
}

int pvstore_is_domain_introduced(struct pvstore *h, uint32_t domid,
				 bool *introduced)
{
	struct pvstore_req r;
	int rc;

	pvstore_req_init(&r, XS_IS_DOMAIN_INTRODUCED, 0);
	pvstore_req_num(&r, domid);
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, PVSTORE_NO_TX);
	if (rc == 0) {
		if (h->rmsg[0] == 'T' || h->rmsg[0] == 'F')
			*introduced = h->rmsg[0] == 'T';
		else
			rc = -EPROTO;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int pvstore_control(struct pvstore *h, const char *const *args, unsigned n,
		    char **reply, size_t *len)
{
	struct pvstore_req r;
	char *out;
	size_t l;
	int rc;

	if (n == 0)
		return -EINVAL;
	pvstore_req_init(&r, XS_CONTROL, 0);
	for (unsigned i = 0; i < n; i++)
		pvstore_req_str(&r, args[i]);
	rc = pvstore_call(h, &r, PVSTORE_NO_TX, &out, &l);
	if (rc < 0)
		return rc;
	if (reply) {
		*reply = out;
		if (len)
			*len = l;
	} else {
		free(out);
	}
	return 0;
}

/* A request that answers with one decimal number. */
static int num_reply(struct pvstore *h, struct pvstore_req *r, uint32_t *val)
{
	uint64_t v;
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, r, PVSTORE_NO_TX);
	if (rc == 0)
		rc = pvstore_parse_num(h->rmsg, h->rhdr.len, UINT32_MAX, &v);
	if (rc == 0)
		*val = (uint32_t)v;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static int domid_ok(int domid)
{
	return domid == PVSTORE_GLOBAL || (domid >= 0 && domid <= 65535);
}

int pvstore_get_quota(struct pvstore *h, int domid, const char *name,
		      uint32_t *value)
{
	struct pvstore_req r;

	if (!domid_ok(domid) || !name[0])
		return -EINVAL;
	pvstore_req_init(&r, XS_GET_QUOTA, 0);
	if (domid != PVSTORE_GLOBAL)
		pvstore_req_num(&r, (uint64_t)domid);
	pvstore_req_str(&r, name);
	return num_reply(h, &r, value);
}

int pvstore_set_quota(struct pvstore *h, int domid, const char *name,
		      uint32_t value)
{
	struct pvstore_req r;

	if (!domid_ok(domid) || !name[0])
		return -EINVAL;
	pvstore_req_init(&r, XS_SET_QUOTA, 0);
	if (domid != PVSTORE_GLOBAL)
		pvstore_req_num(&r, (uint64_t)domid);
	pvstore_req_str(&r, name);
	pvstore_req_num(&r, value);
	return pvstore_call(h, &r, PVSTORE_NO_TX, NULL, NULL);
}

int pvstore_quota_names(struct pvstore *h, char **names)
{
	struct pvstore_req r;

	pvstore_req_init(&r, XS_GET_QUOTA, 0);
	return pvstore_call(h, &r, PVSTORE_NO_TX, names, NULL);
}

int pvstore_get_features(struct pvstore *h, int domid, uint32_t *features)
{
	struct pvstore_req r;

	if (!domid_ok(domid))
		return -EINVAL;
	pvstore_req_init(&r, XS_GET_FEATURE, 0);
	if (domid != PVSTORE_GLOBAL)
		pvstore_req_num(&r, (uint64_t)domid);
	return num_reply(h, &r, features);
}

int pvstore_set_features(struct pvstore *h, uint32_t domid, uint32_t features)
{
	const uint64_t a[] = {domid, features};

	return num_req(h, XS_SET_FEATURE, a, 2);
}
