/*
 * watch.c - the routine file's folder through inotify, and the rule that
 * says when a save is finished and settled; see watch.h.
 */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "readfile.h"
#include "text.h"

struct watch {
	int fd;
	char name[NAME_MAX + 1]; /* the file's name within the folder */
};

/* Every way a file can come to hold new bytes, or stop existing: written
 * (IN_MODIFY: a save under way), written and closed, renamed in or out,
 * created, deleted, its permissions changed (a file staff could not read
 * may now be readable). */
#define WATCH_EVENTS                                                           \
	(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |            \
	 IN_CREATE | IN_DELETE | IN_ATTRIB)

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
	enum watch_news news;
	bool gone;
};

/* The last event decides: a write means a writer is at work until a
 * close, a rename or a new file ends it. A change of permissions or
 * times ends no write (chmod while `tee` still writes). */
static void note_event(const struct inotify_event *ev, void *ctx)
{
	struct seen *s = ctx;
	if (ev->mask & IN_IGNORED)
		s->gone = true;
	/* Events were lost, maybe a close among them: the two looks decide
	 * alone until the next write. */
	if (ev->mask & IN_Q_OVERFLOW)
		s->news = WATCH_FINISHED;
	if (!ev->len || strcmp(ev->name, s->name))
		return;
	if (ev->mask & IN_MODIFY)
		s->news = WATCH_WRITING;
	else if (!(ev->mask & IN_ATTRIB))
		s->news = WATCH_FINISHED;
	else if (s->news == WATCH_NONE)
		s->news = WATCH_TOUCHED;
}

enum watch_news watch_changed(struct watch *w, bool *gone)
{
	*gone = false;
	if (!w)
		return WATCH_NONE;
	struct seen s = {.name = w->name, .news = WATCH_NONE};
	watch_each_event(w->fd, note_event, &s);
	*gone = s.gone;
	return s.news;
}

/* ---- finished and settled ---- */

int watch_look(const char *path, struct watch_look *out)
{
	struct stat st;
	memset(out, 0, sizeof *out);
	if (stat(path, &st) < 0)
		return -1;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->size = st.st_size;
	out->mtime = st.st_mtim;
	return watch_fingerprint(path, &out->sum);
}

static bool same_look(const struct watch_look *a, const struct watch_look *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->sum == b->sum;
}

void watch_settle_news(struct settle *s, enum watch_news news, kt_ms now)
{
	if (news == WATCH_NONE)
		return;
	s->looked = false;
	if (news == WATCH_WRITING)
		s->writing = true;
	else if (news == WATCH_FINISHED)
		s->writing = false;
	/* A writer at work: nothing is looked at until it has finished. */
	s->due = s->writing ? KT_NEVER : now + WATCH_QUIET_MS;
}

bool watch_settle_ask(struct settle *s, kt_ms now)
{
	s->asked = true;
	if (s->writing)
		return true;
	/* A settle under way answers this SIGHUP too: a storm of them
	 * costs no more than one. */
	if (s->due == KT_NEVER)
		s->due = now + WATCH_QUIET_MS;
	return false;
}

enum settle_step watch_settle_step(struct settle *s, const char *path,
				   uint64_t tried, kt_ms now)
{
	struct watch_look look;
	s->due = KT_NEVER;
	if (watch_look(path, &look) < 0) {
		int e = errno;
		s->first = look;
		s->looked = false;
		s->asked = false;
		errno = e;
		/* A file that is there but cannot be read: the loader says
		 * why, with the file's name. */
		return e == ENOENT ? SETTLE_GONE : SETTLE_READ;
	}
	if (!s->looked || !same_look(&look, &s->first)) {
		s->first = look;
		s->looked = true;
		s->due = now + WATCH_SETTLE_MS;
		return SETTLE_WAIT;
	}
	if (!s->asked && look.sum == tried) {
		s->looked = false;
		return SETTLE_SAME; /* saved without a change, or touched */
	}
	s->asked = false;
	return SETTLE_READ; /* `looked` stays: watch_settle_confirm needs it */
}

bool watch_settle_confirm(struct settle *s, const char *path, kt_ms now)
{
	if (!s->looked)
		return true; /* not readable: nothing was adopted */
	struct watch_look look;
	s->looked = false;
	if (watch_look(path, &look) == 0 && same_look(&look, &s->first))
		return true;
	s->due = now + WATCH_QUIET_MS;
	return false;
}

uint64_t watch_settle_sum(const struct settle *s)
{
	return s->first.sum;
}

/* Read like the loader reads it (readfile.h): a FIFO or a device in the
 * file's place is refused at once rather than read for ever. */
int watch_fingerprint(const char *path, uint64_t *out)
{
	struct readfile f;
	*out = 0;
	if (readfile_open(&f, path, CONFIG_FILE_MAX) < 0)
		return -1;
	uint64_t h = TEXT_HASH_START;
	unsigned char buf[4096];
	ssize_t n;
	while ((n = readfile_read(&f, buf, sizeof buf)) > 0)
		h = text_hash_bytes(h, buf, (size_t)n);
	int e = errno;
	readfile_close(&f);
	if (n < 0) {
		errno = e;
		return -1;
	}
	*out = h;
	return 0;
}
