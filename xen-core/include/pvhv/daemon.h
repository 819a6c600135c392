/*
 * Start-up pieces shared by pvhv and pvstored: one daemon per runtime
 * directory (an flock held for the process's life), its pid file, its log
 * file. Only start-up code calls these; they return errors, not print.
 */
#ifndef PVHV_DAEMON_H
#define PVHV_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

/* Creates `dir` (and missing parents; the last level mode 0700). */
int daemon_mkdirs(const char *dir);

/*
 * Creates the runtime directory and takes DIR/NAME.lock. Returns the lock's
 * fd (keep it open for life; it survives fork), -EWOULDBLOCK when another
 * daemon holds it, or -errno; `path` gets the lock file's path.
 */
int daemon_lock(const char *dir, const char *name, char *path, size_t len);

/* Writes the caller's pid to DIR/NAME.pid (best effort), or removes it. */
void daemon_write_pidfile(const char *dir, const char *name);
void daemon_remove_pidfile(const char *dir, const char *name);

/* The log fd: stderr (2) in the foreground without `file`, else `file`
 * or DIR/NAME.log opened for appending (2 if that fails). */
int daemon_open_log(const char *dir, const char *name, const char *file,
		    bool foreground);

#endif
