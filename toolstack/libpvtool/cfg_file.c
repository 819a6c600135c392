/* Reading a configuration file: the only I/O of the xl.cfg reader. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pvtool/cfg.h>

#include "cfg_priv.h"

/* Reads at most PVTOOL_CFG_MAX_SIZE + 1 bytes of `fd` into *buf. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = PVTOOL_CFG_MAX_SIZE + 1, n = 0;
	ssize_t got;
	char *b = malloc(cap);

	if (!b)
		return -ENOMEM;
	while (n < cap) {
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;

			free(b);
			return -e;
		}
		if (got == 0)
			break;
		n += got;
	}
	*buf = b;
	*len = n;
	return 0;
}

int pvtool_cfg_parse_file(struct pvtool_cfg *cfg, const char *path, char *err,
			  size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		cfg_error(err, errlen, path, 0, "cannot open: %s",
			  strerror(-r));
		return r;
	}
	r = read_all(fd, &buf, &len);
	close(fd);
	if (r) {
		cfg_error(err, errlen, path, 0, "cannot read: %s",
			  strerror(-r));
		return r;
	}
	r = pvtool_cfg_parse_buf(cfg, path, buf, len, 0, err, errlen);
	free(buf);
	return r;
}
