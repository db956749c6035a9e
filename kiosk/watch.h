/*
 * watch.h - noticing that the routine file changed.
 *
 * Editors save in different ways: some write the file in place, some
 * write a new file and rename it over the old one, some delete it first.
 * Watching the file itself loses it at the first rename, so the folder
 * holding it is watched (inotify) and every event that names the file
 * counts. What changed is not reported: the caller reads the file again,
 * and watch_fingerprint tells it whether the bytes are new.
 *
 * A file reached through a symbolic link is noticed when the link is
 * replaced, not when its target is edited; SIGHUP covers that.
 *
 * Ownership: the caller owns the struct watch. Main thread only.
 */
#ifndef KIOSK_WATCH_H
#define KIOSK_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct watch;
struct inotify_event;

/* Every event waiting on the inotify descriptor fd (non-blocking), in
 * order, handed to each(). For other watchers of the same kind (gpio.c
 * watches /dev). */
void watch_each_event(int fd,
		      void (*each)(const struct inotify_event *ev, void *ctx),
		      void *ctx);

/* Watch the folder that holds `path` (the file need not exist yet).
 * NULL with errno set when the folder cannot be watched. */
struct watch *watch_open(const char *path);
void watch_close(struct watch *w);

/* Readable when events are waiting: for the main loop's poll(). -1 for a
 * NULL watch. */
int watch_fd(const struct watch *w);

/* Drain the waiting events: true if any of them named the file. Sets
 * *gone when the folder itself went away (nothing more will come). */
bool watch_changed(struct watch *w, bool *gone);

/* A 64-bit digest (FNV-1a) of the file's bytes: 0 and errno set when it
 * cannot be read. Equal digests mean the same routine text. */
int watch_fingerprint(const char *path, uint64_t *out);

#endif
