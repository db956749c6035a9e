/*
 * video.h - the kiosk's screen: an SDL2 window showing the painter's
 * frames (screens.h), on KMSDRM on a console Pi, X11 or Wayland on a
 * desktop, or SDL's dummy driver off-screen (tests, screenshots).
 *
 * Time: what to show arrives ahead of time, stamped with the moment it
 * must be seen (the same moment its words are heard); video_update shows
 * it when that moment comes. The kiosk's main loop sleeps in its own
 * poll(): SDL is never waited on, only drained after each wake
 * (video_keys), and a frame is drawn only when the picture changes or an
 * animation frame is due (video_wake says when).
 *
 * Faults: no display at all is not fatal: video_open logs one line and
 * returns NULL, and the kiosk goes on with its voice.
 * Absent parts: every function but video_open takes NULL for that missing
 * screen and does nothing (video_fd: -1, video_wake: KT_NEVER,
 * video_keys: 0, video_stats: all zero).
 *
 * Ownership: the video object owns the window, the renderer and the
 * painter. Threads: main thread only (SDL's rule for video); video_open
 * lays out the first screen on a thread of its own while SDL opens the
 * window, and waits for it before it returns.
 */
#ifndef KIOSK_VIDEO_H
#define KIOSK_VIDEO_H

#include <stdbool.h>

#include "clock.h"
#include "engine.h"
#include "keyboard.h"
#include "ktime.h"

struct video_config {
	const char *screenshots;    /* folder for a PNG of each new screen */
	const char *routine;	    /* the routine's name, for the screens */
	const char *const *words;   /* its [screen] words (borrowed) */
	const char *banner;	    /* staff banner, as video_banner; NULL */
	const struct screen *first; /* the screen the engine starts with,
				       made ready while the window opens;
				       NULL: unknown */
	int width, height;	    /* window size; 0: 1280x720, full screen
				       on a console */
	int fps;		    /* animation frames a second at most */
	bool animate;
	const struct kclock *clock; /* read when a frame has been presented
				       (borrowed; NULL: the draw's time) */
};

struct video;

struct video *video_open(const struct video_config *c);
void video_close(struct video *v);

/* The display connection's file descriptor to poll for window events, or
 * -1 when there is none to poll (console, dummy). */
int video_fd(const struct video *v);

/* What to show from time `at` on. */
void video_show(struct video *v, const struct screen *s, kt_ms at);
void video_say(struct video *v, const char *text, kt_ms at, kt_ms duration);
/* A staff banner on every screen (config errors); NULL takes it down. */
void video_banner(struct video *v, const char *text);
void video_set_routine(struct video *v, const char *name,
		       const char *const *words, int fps, bool animate);

/* Draw and present whatever is due by `now`. `free_by` is when the
 * caller has more pressing work (the engine's next action, whose sound
 * must be queued in time): an animation frame that would not be drawn by
 * then waits until then. A change of picture is drawn at once. KT_NEVER:
 * nothing waits. */
void video_update(struct video *v, kt_ms now, kt_ms free_by);
kt_ms video_wake(const struct video *v);

/* Drain SDL's events: keys for the button and the mat, a closed window as
 * quit. Returns how many of `out` were filled. */
int video_keys(struct video *v, enum key_action *out, int n);

struct video_stats {
	int frames;
	double render_ms_total, render_ms_max; /* painting and presenting */
	kt_ms first_frame;		       /* when the present of the
						  first frame returned, on
						  the clock (KT_NEVER: none) */
	int screenshots;
	double shown_p50_ms, shown_p99_ms; /* frame shown minus its due time */
	int put_off; /* animation frames put off for the engine (free_by) */
};
void video_stats(const struct video *v, struct video_stats *out);

#endif
