/*
 * pvstored's state on disk, in its runtime directory:
 *
 *   xenstore.snap     the whole state at the last compaction
 *   xenstore.journal  every change since, one checksummed batch per
 *                     request (format: xenstore/core/journal.c)
 *
 * Batches are written with write(2) before the reply leaves and are not
 * fsync'ed: they survive the daemon being killed (the page cache
 * belongs to the kernel), not a host crash, and RUNDIR lives on a tmpfs
 * anyway. Compaction writes a new snapshot and journal under temporary
 * names and renames them in place; a journal whose generation does not
 * match the snapshot is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pvhv/log.h>

#include "pvstored.h"

#define COMPACT_MIN (16u << 20) /* journal size that triggers compaction */

static void path_of(const struct daemon *d, const char *name, char *out,
		    size_t len)
{
	snprintf(out, len, "%s/%s", d->o.rundir, name);
}

static int read_file(const char *path, void **buf, size_t *len)
{
	struct stat sb;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &sb) < 0 || !(p = malloc((size_t)sb.st_size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + got, (size_t)sb.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = got;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes a file under a temporary name and renames it in place. */
static int replace_file(const struct daemon *d, const char *name, const void *a,
			size_t alen, const void *b, size_t blen)
{
	char tmp[4300], path[4200];
	int fd, rc;

	path_of(d, name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, a, alen);
	if (rc == 0 && blen)
		rc = write_all(fd, b, blen);
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

int persist_sink(void *arg, const void *buf, size_t len)
{
	struct daemon *d = arg;
	int rc;

	if (d->jfd < 0)
		return -EBADF;
	rc = write_all(d->jfd, buf, len);
	d->jsize += len;
	if (d->jsize > COMPACT_MIN && d->jsize > 4 * d->snapsize)
		d->compact_due = true;
	return rc;
}

void persist_compact(struct daemon *d)
{
	uint8_t hdr[XS_JOURNAL_HDR_LEN];
	uint64_t gen = d->jgen + 1;
	char path[4200];
	void *snap;
	size_t len;
	int rc, fd;

	d->compact_due = false;
	xs_journal_flush(d->st);
	rc = xs_snapshot_build(d->st, gen, &snap, &len);
	if (rc == 0) {
		rc = replace_file(d, PVSTORED_SNAP, snap, len, NULL, 0);
		free(snap);
	}
	xs_journal_header(gen, hdr);
	if (rc == 0)
		rc = replace_file(d, PVSTORED_JOURNAL, hdr, sizeof(hdr), NULL,
				  0);
	if (rc) {
		log_err("journal",
			"compaction failed: %s (keeping the "
			"current journal)",
			strerror(-rc));
		return;
	}
	path_of(d, PVSTORED_JOURNAL, path, sizeof(path));
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		log_err("journal", "%s: %s", path, strerror(errno));
		return;
	}
	if (d->jfd >= 0)
		close(d->jfd);
	d->jfd = fd;
	d->jgen = gen;
	d->jsize = sizeof(hdr);
	d->snapsize = len;
	log_debug("journal", "compacted: snapshot %zu bytes, generation %llu",
		  len, (unsigned long long)gen);
}

static void set_aside(const struct daemon *d, const char *name)
{
	char path[4200], bad[4300];

	path_of(d, name, path, sizeof(path));
	snprintf(bad, sizeof(bad), "%s.bad", path);
	if (rename(path, bad) == 0)
		log_err("journal", "kept the damaged %s as %s", path, bad);
}

static void control_log(void *arg, const char *cmd, const char *val)
{
	struct daemon *d = arg;
	struct xs_stats s;

	if (!strcmp(cmd, "log")) {
		log_set_level(!strcmp(val, "on") ? LOG_DEBUG : LOG_INFO);
	} else if (!strcmp(cmd, "logfile")) {
		int fd =
		    open(val, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd >= 0)
			log_init("pvstored", fd,
				 d->o.verbose ? LOG_DEBUG : LOG_INFO);
	} else if (!strcmp(cmd, "print")) {
		log_info("control", "%s", val);
	} else if (!strcmp(cmd, "memreport")) {
		xs_store_stats(d->st, &s);
		log_info("control",
			 "nodes %llu, connections %llu, domains %llu, "
			 "watches %llu, requests %llu, journal %zu bytes",
			 (unsigned long long)s.nodes,
			 (unsigned long long)s.conns,
			 (unsigned long long)s.domains,
			 (unsigned long long)s.watches,
			 (unsigned long long)s.requests, d->jsize);
	}
}

int persist_open(struct daemon *d, char *err, size_t errlen)
{
	struct xs_hooks h = {
	    .domain_exists = guest_domain_exists,
	    .introduce = guest_introduce,
	    .release = guest_release,
	    .control_log = control_log,
	    .arg = d,
	};
	char spath[4200], jpath[4200];
	void *snap = NULL, *jrnl = NULL;
	size_t slen = 0, jlen = 0, good = 0;
	uint64_t gen = 0;
	int rc;

	d->jfd = -1;
	rc = xs_store_new(&h, &d->st);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	path_of(d, PVSTORED_SNAP, spath, sizeof(spath));
	path_of(d, PVSTORED_JOURNAL, jpath, sizeof(jpath));
	if (read_file(spath, &snap, &slen) || read_file(jpath, &jrnl, &jlen))
		log_err("journal", "cannot read the saved state in %s",
			d->o.rundir);
	if (snap) {
		char why[256];

		rc = xs_restore(d->st, snap, slen, jrnl, jlen, &good, &gen, why,
				sizeof(why));
		if (rc) {
			log_err("journal", "%s: %s: starting empty", spath,
				why);
			set_aside(d, PVSTORED_SNAP);
			set_aside(d, PVSTORED_JOURNAL);
			gen = 0;
		} else {
			d->restored = true;
			log_info("journal",
				 "restored %llu nodes from %s (+%zu journal "
				 "bytes%s)",
				 (unsigned long long)xs_store_nodes(d->st),
				 spath, good > 24 ? good - 24 : 0,
				 jlen > good ? ", a torn tail dropped" : "");
		}
	}
	free(snap);
	free(jrnl);
	for (int q = 0; q < XSQ_COUNT; q++)
		if (d->o.quota_set & (1u << q))
			xs_store_set_quota(d->st, (enum xs_quota)q,
					   d->o.quota[q]);
	d->jgen = gen;
	xs_journal_set_sink(d->st, persist_sink, d);
	xs_journal_enable(d->st, true);
	persist_compact(d);
	if (d->jfd < 0) {
		snprintf(err, errlen, "cannot write the journal in %s",
			 d->o.rundir);
		return -EIO;
	}
	return 0;
}

void persist_close(struct daemon *d)
{
	if (d->jfd >= 0)
		close(d->jfd);
	d->jfd = -1;
}
