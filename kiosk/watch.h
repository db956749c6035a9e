/*
 * watch.h - noticing that the routine file changed, and telling when a
 * save is finished.
 *
 * Editors save in different ways: some write the file in place, some
 * write a new file and rename it over the old one, some delete it first.
 * Watching the file itself loses it at the first rename, so the folder
 * holding it is watched (inotify) and every event that names the file
 * counts. What changed is not reported: the caller reads the file again,
 * and watch_fingerprint tells it whether the bytes are new.
 *
 * A save is read only once it is finished and settled (struct settle):
 *  - finished: the last thing done to the file was not a write; its
 *    writer closed it, or a whole file was renamed, linked or created in
 *    its place. A file written to and still open (a slow copy, `sudo tee`
 *    fed over ssh, a writer pausing mid-file) is not read at all, however
 *    long the pause: the kernel closes the file when its writer exits,
 *    even a writer that was killed, so the wait ends.
 *  - settled: WATCH_QUIET_MS after the last event the file is looked at
 *    (identity, size, modification time, fingerprint), and again
 *    WATCH_SETTLE_MS later; it is read only if nothing named it in
 *    between and both looks agree. After the read it is looked at once
 *    more: bytes that changed while being read are dropped and the wait
 *    starts over.
 * SIGHUP asks for the same: it never reads a file that is being written,
 * and it waits for the file to settle like a save does (with no folder
 * watch, e.g. on the virtual clock, the two looks alone decide).
 *
 * The bound, chosen so that a save shows about a second after it ends:
 * a writer that closes the file and opens it again to add more within
 * WATCH_QUIET_MS + WATCH_SETTLE_MS (1 s) is one save. One that waits
 * longer between two closes is taken as two saves, and the first part is
 * checked like any file (a part cut in the middle of a line or of an
 * [exercise] is refused with its line; a part that ends on a whole
 * exercise is a valid, shorter routine). No writer that keeps the file
 * open is ever read half-way, nor one that saves by rename.
 *
 * A file reached through a symbolic link is noticed when the link is
 * replaced, not when its target is edited; SIGHUP covers that, with the
 * two looks alone.
 *
 * However many SIGHUPs come, one settle is under way at a time: the file
 * is read at most once per WATCH_QUIET_MS + WATCH_SETTLE_MS.
 *
 * Ownership: the caller owns the struct watch and the struct settle.
 * Main thread only. The settle functions read no clock: `now` is given.
 */
#ifndef KIOSK_WATCH_H
#define KIOSK_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ktime.h"

/* Quiet after the last event before the file is first looked at (a save
 * comes as a burst of events), and the time between the two looks. */
#define WATCH_QUIET_MS	200
#define WATCH_SETTLE_MS 800

struct watch;
struct inotify_event;

/* Every event waiting on the inotify descriptor fd (non-blocking), in
 * order, handed to each(). For other watchers of the same kind (gpio.c
 * watches /dev). */
void watch_each_event(int fd,
		      void (*each)(const struct inotify_event *ev, void *ctx),
		      void *ctx);

/* Watch the folder that holds `path` (the file need not exist yet).
 * NULL with errno set when the folder cannot be watched; every watch_*
 * function below takes that NULL and does nothing (no descriptor, no
 * news). */
struct watch *watch_open(const char *path);
void watch_close(struct watch *w);

/* Readable when events are waiting: for the main loop's poll(). -1 for a
 * NULL watch. */
int watch_fd(const struct watch *w);

/* What the waiting events say about the file, the last one deciding. */
enum watch_news {
	WATCH_NONE,	/* none of them named it */
	WATCH_WRITING,	/* written to; its writer has not closed it yet */
	WATCH_FINISHED, /* closed after writing, renamed, linked or created
			   in place, deleted; or events were lost */
	WATCH_TOUCHED,	/* only its permissions or times changed: a write
			   under way goes on */
};

/* Drain the waiting events. Sets *gone when the folder itself went away
 * (nothing more will come). */
enum watch_news watch_changed(struct watch *w, bool *gone);

/* A 64-bit digest (FNV-1a) of the file's bytes: 0 and errno set when it
 * cannot be read. Equal digests mean the same routine text. */
int watch_fingerprint(const char *path, uint64_t *out);

/* One look at the file: which file it is, its size, when it was last
 * written, its bytes. */
struct watch_look {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint64_t sum;
};

/* 0, or -1 with errno set (ENOENT: there is no file). */
int watch_look(const char *path, struct watch_look *out);

/* A save on its way to being read; see the top of this file. */
struct settle {
	kt_ms due;	  /* KT_NEVER: nothing to look at (start with it) */
	bool writing;	  /* written to and not closed yet */
	bool asked;	  /* SIGHUP: read even if the bytes are not new */
	bool looked;	  /* `first` holds the first look */
	struct watch_look first;
};

/* Events came (watch_changed): the wait starts over. */
void watch_settle_news(struct settle *s, enum watch_news news, kt_ms now);

/* SIGHUP. True when the file is being written and the read waits for
 * its writer (the caller says so in the log). */
bool watch_settle_ask(struct settle *s, kt_ms now);

/* What to do at s->due. */
enum settle_step {
	SETTLE_WAIT, /* looked once, or it changed: come back at s->due */
	SETTLE_GONE, /* there is no file (errno: why it cannot be looked at) */
	SETTLE_READ, /* settled and new (or asked for): read it */
	SETTLE_SAME, /* settled, and the bytes are the ones `tried` */
};
enum settle_step watch_settle_step(struct settle *s, const char *path,
				   uint64_t tried, kt_ms now);

/* After SETTLE_READ and the read: true if the file is still what was
 * settled on, so what was read is whole. False: drop what was read; the
 * wait has started over. */
bool watch_settle_confirm(struct settle *s, const char *path, kt_ms now);

/* The fingerprint of the file settled on (after SETTLE_READ/SAME). */
uint64_t watch_settle_sum(const struct settle *s);

#endif
