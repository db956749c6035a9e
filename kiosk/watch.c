/*
 * watch.c - the routine file's folder through inotify; see watch.h.
 */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "config.h"
#include "readfile.h"

struct watch {
	int fd;
	char name[NAME_MAX + 1]; /* the file's name within the folder */
};

/* Every way a file can come to hold new bytes, or stop existing: written
 * and closed, renamed in or out, created, deleted, its permissions
 * changed (a file staff could not read may now be readable). */
#define WATCH_EVENTS                                                           \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |            \
	 IN_DELETE | IN_ATTRIB)

struct watch *watch_open(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) : 0;
	if (!*base || strlen(base) > NAME_MAX || dirlen >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	char dir[PATH_MAX];
	if (!slash)
		strcpy(dir, ".");
	else if (dirlen == 0)
		strcpy(dir, "/");
	else {
		memcpy(dir, path, dirlen);
		dir[dirlen] = '\0';
	}

	struct watch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	strcpy(w->name, base);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, WATCH_EVENTS) < 0) {
		int e = errno;
		watch_close(w);
		errno = e;
		return NULL;
	}
	return w;
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

int watch_fd(const struct watch *w)
{
	return w ? w->fd : -1;
}

void watch_each_event(int fd,
		      void (*each)(const struct inotify_event *ev, void *ctx),
		      void *ctx)
{
	/* Aligned as inotify(7) asks: events are read in place. */
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;
			each(ev, ctx);
			p += sizeof *ev + ev->len;
		}
}

struct seen {
	const char *name;
	bool changed, gone;
};

static void note_event(const struct inotify_event *ev, void *ctx)
{
	struct seen *s = ctx;
	if (ev->mask & IN_IGNORED)
		s->gone = true;
	else if (ev->len && !strcmp(ev->name, s->name))
		s->changed = true;
}

bool watch_changed(struct watch *w, bool *gone)
{
	struct seen s = {.name = w->name};
	watch_each_event(w->fd, note_event, &s);
	*gone = s.gone;
	return s.changed;
}

/* Read like the loader reads it (readfile.h): a FIFO or a device in the
 * file's place is refused at once rather than read for ever. */
int watch_fingerprint(const char *path, uint64_t *out)
{
	struct readfile f;
	*out = 0;
	if (readfile_open(&f, path, CONFIG_FILE_MAX) < 0)
		return -1;
	uint64_t h = 14695981039346656037u;
	unsigned char buf[4096];
	ssize_t n;
	while ((n = readfile_read(&f, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211u;
	int e = errno;
	readfile_close(&f);
	if (n < 0) {
		errno = e;
		return -1;
	}
	*out = h;
	return 0;
}
