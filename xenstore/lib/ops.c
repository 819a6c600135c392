/* libpvstore: tree operations, permissions, watches, transactions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

/* A request with one path argument, checked. */
static int path_req(struct pvstore_req *r, uint32_t type, const char *path,
		    bool special)
{
	int rc = pvstore_path_check(path, special);

	pvstore_req_init(r, type, 0);
	if (rc < 0)
		return rc;
	return pvstore_req_str(r, path);
}

int pvstore_read(struct pvstore *h, pvstore_tx_t tx, const char *path,
		 char **value, size_t *len)
{
	struct pvstore_req r;
	size_t n;
	int rc = path_req(&r, XS_READ, path, false);

	if (rc < 0)
		return rc;
	rc = pvstore_call(h, &r, tx, value, &n);
	if (rc == 0 && len)
		*len = n;
	return rc;
}

int pvstore_write(struct pvstore *h, pvstore_tx_t tx, const char *path,
		  const void *value, size_t len)
{
	struct pvstore_req r;
	int rc = path_req(&r, XS_WRITE, path, false);

	if (rc < 0)
		return rc;
	pvstore_req_raw(&r, value, len);
	return pvstore_call(h, &r, tx, NULL, NULL);
}

static int simple(struct pvstore *h, pvstore_tx_t tx, uint32_t type,
		  const char *path)
{
	struct pvstore_req r;
	int rc = path_req(&r, type, path, false);

	return rc < 0 ? rc : pvstore_call(h, &r, tx, NULL, NULL);
}

int pvstore_mkdir(struct pvstore *h, pvstore_tx_t tx, const char *path)
{
	return simple(h, tx, XS_MKDIR, path);
}

int pvstore_rm(struct pvstore *h, pvstore_tx_t tx, const char *path)
{
	return simple(h, tx, XS_RM, path);
}

int pvstore_exists(struct pvstore *h, pvstore_tx_t tx, const char *path)
{
	struct pvstore_perm *p;
	unsigned n;
	int rc = pvstore_get_perms(h, tx, path, &p, &n);

	if (rc == 0)
		free(p);
	return rc;
}

/* The whole list through DIRECTORY_PART: "a\0b\0" into *buf, *len. */
static int dir_parts(struct pvstore *h, pvstore_tx_t tx, const char *path,
		     char **buf, size_t *len)
{
	char gen[32] = "";
	size_t off = 0;
	char *all = NULL;
	int tries = 0, rc;

	for (;;) {
		const char *g, *names;
		size_t nlen;
		struct pvstore_req r;
		char *p = NULL;
		int end;

		path_req(&r, XS_DIRECTORY_PART, path, false);
		pvstore_req_num(&r, off);
		pthread_mutex_lock(&h->lock);
		rc = pvstore_call_locked(h, &r, tx);
		if (rc == 0)
			rc = pvstore_dirpart_parse(h->rmsg, h->rhdr.len, &g,
						   &names, &nlen, &end);
		if (rc == 0 && off > 0 && strcmp(g, gen) != 0) {
			/* The node changed under us: start again. */
			pthread_mutex_unlock(&h->lock);
			off = 0;
			if (++tries == 8) {
				rc = -EAGAIN;
				break;
			}
			continue;
		}
		if (rc == 0 && strlen(g) >= sizeof(gen))
			rc = -EPROTO;
		if (rc == 0 && !(p = realloc(all, off + nlen + 1)))
			rc = -ENOMEM;
		if (rc < 0) {
			pthread_mutex_unlock(&h->lock);
			break;
		}
		all = p;
		strcpy(gen, g);
		memcpy(all + off, names, nlen);
		off += nlen;
		pthread_mutex_unlock(&h->lock);
		if (end || nlen == 0) {
			*buf = all;
			*len = off;
			return 0;
		}
	}
	free(all);
	return rc;
}

int pvstore_directory(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      char ***names, unsigned *n)
{
	struct pvstore_req r;
	char *buf;
	size_t len;
	int rc = path_req(&r, XS_DIRECTORY, path, false);

	if (rc < 0)
		return rc;
	rc = pvstore_call(h, &r, tx, &buf, &len);
	if (rc == -E2BIG)
		rc = dir_parts(h, tx, path, &buf, &len);
	if (rc < 0)
		return rc;
	rc = pvstore_split(buf, len, names, n);
	free(buf);
	return rc;
}

int pvstore_get_perms(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      struct pvstore_perm **perms, unsigned *n)
{
	struct pvstore_req r;
	int rc = path_req(&r, XS_GET_PERMS, path, false);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, tx);
	if (rc == 0)
		rc = pvstore_perms_parse_list(h->rmsg, h->rhdr.len, perms, n);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int pvstore_set_perms(struct pvstore *h, pvstore_tx_t tx, const char *path,
		      const struct pvstore_perm *perms, unsigned n)
{
	struct pvstore_req r;
	char buf[16];
	int rc = path_req(&r, XS_SET_PERMS, path, false);

	if (rc < 0)
		return rc;
	if (n == 0)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (pvstore_perm_format(&perms[i], buf, sizeof(buf)) < 0)
			return -EINVAL;
		pvstore_req_str(&r, buf);
	}
	return pvstore_call(h, &r, tx, NULL, NULL);
}

/* ------------------------------------------------------------- watches */

int pvstore_watch_add(struct pvstore *h, const char *path, const char *token)
{
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
	struct pvstore_watch *w = malloc(sizeof(*w) + pl + tl);

	if (!w)
		return -ENOMEM;
	memcpy(w->path, path, pl);
	w->token = w->path + pl;
	memcpy(w->token, token, tl);
	w->next = h->watches;
	h->watches = w;
	return 0;
}

void pvstore_watch_del(struct pvstore *h, const char *path, const char *token)
{
	for (struct pvstore_watch **p = &h->watches; *p; p = &(*p)->next) {
		if (!strcmp((*p)->path, path) && !strcmp((*p)->token, token)) {
			struct pvstore_watch *w = *p;

			*p = w->next;
			free(w);
			return;
		}
	}
}

void pvstore_watch_clear(struct pvstore *h)
{
	while (h->watches) {
		struct pvstore_watch *w = h->watches;

		h->watches = w->next;
		free(w);
	}
}

static int watch_req(struct pvstore_req *r, uint32_t type, const char *path,
		     const char *token)
{
	int rc = path_req(r, type, path, true);

	if (rc < 0)
		return rc;
	return pvstore_req_str(r, token);
}

int pvstore_watch(struct pvstore *h, const char *path, const char *token)
{
	struct pvstore_req r;
	int rc = watch_req(&r, XS_WATCH, path, token);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, PVSTORE_NO_TX);
	if (rc == 0)
		rc = pvstore_watch_add(h, path, token);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int pvstore_unwatch(struct pvstore *h, const char *path, const char *token)
{
	struct pvstore_req r;
	int rc = watch_req(&r, XS_UNWATCH, path, token);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, PVSTORE_NO_TX);
	if (rc == 0 || rc == -ENOENT)
		pvstore_watch_del(h, path, token);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int pvstore_reset_watches(struct pvstore *h)
{
	struct pvstore_req r;
	int rc;

	pvstore_req_init(&r, XS_RESET_WATCHES, 0);
	pvstore_req_str(&r, "");
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, PVSTORE_NO_TX);
	if (rc == 0) {
		pvstore_watch_clear(h);
		h->ntx = 0; /* the daemon dropped our transactions too */
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* -------------------------------------------------------- transactions */

int pvstore_tx_add(struct pvstore *h, uint32_t wire, pvstore_tx_t *id)
{
	if (h->ntx == h->captx) {
		size_t cap = h->captx ? h->captx * 2 : 4;
		struct pvstore_txent *t = realloc(h->tx, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		h->tx = t;
		h->captx = cap;
	}
	if (h->next_tx == PVSTORE_NO_TX)
		h->next_tx++;
	*id = h->next_tx++;
	h->tx[h->ntx++] = (struct pvstore_txent){*id, wire, h->gen};
	return 0;
}

struct pvstore_txent *pvstore_tx_find(struct pvstore *h, pvstore_tx_t id)
{
	for (size_t i = 0; i < h->ntx; i++)
		if (h->tx[i].id == id)
			return &h->tx[i];
	return NULL;
}

void pvstore_tx_del(struct pvstore *h, pvstore_tx_t id)
{
	struct pvstore_txent *t = pvstore_tx_find(h, id);

	if (t)
		*t = h->tx[--h->ntx];
}

int pvstore_transaction_start(struct pvstore *h, pvstore_tx_t *tx)
{
	struct pvstore_req r;
	uint64_t wire;
	int rc;

	pvstore_req_init(&r, XS_TRANSACTION_START, 0);
	pvstore_req_str(&r, "");
	pthread_mutex_lock(&h->lock);
	rc = pvstore_call_locked(h, &r, PVSTORE_NO_TX);
	if (rc == 0)
		rc = pvstore_parse_num(h->rmsg, h->rhdr.len, UINT32_MAX, &wire);
	if (rc == 0)
		rc = pvstore_tx_add(h, (uint32_t)wire, tx);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int pvstore_transaction_end(struct pvstore *h, pvstore_tx_t tx, bool commit)
{
	struct pvstore_req r;
	struct pvstore_txent *t;
	int rc;

	pvstore_req_init(&r, XS_TRANSACTION_END, 0);
	pvstore_req_str(&r, commit ? "T" : "F");
	pthread_mutex_lock(&h->lock);
	t = pvstore_tx_find(h, tx);
	if (!t)
		rc = -EINVAL;
	else if (t->gen != h->gen)
		rc = commit ? -EAGAIN : 0; /* already gone with its daemon */
	else
		rc = pvstore_call_locked(h, &r, tx);
	if (rc == -EAGAIN && !commit)
		rc = 0;
	if (t)
		pvstore_tx_del(h, tx);
	pthread_mutex_unlock(&h->lock);
	return rc;
}
