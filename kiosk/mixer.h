/*
 * mixer.h - mixes clips that are scheduled at sample positions into one
 * mono 16-bit stream, at the output's rate.
 *
 * Speech and effects (chimes) sound together: a chime rings under a line.
 * A hush fades the speech bus out over a few milliseconds, so stopping a
 * line mid-word never clicks, and drops speech queued but not yet started.
 *
 * Threads: exactly two. The control thread (the main loop) calls
 * mixer_play, mixer_hush and mixer_set_volume; the render thread (the
 * PortAudio callback, or the WAV writer on the main thread) calls
 * mixer_render. Commands cross in a lock-free single-producer ring, so
 * mixer_render never blocks and never allocates. Clips are borrowed and
 * must outlive the mixer.
 */
#ifndef KIOSK_MIXER_H
#define KIOSK_MIXER_H

#include <stddef.h>
#include <stdint.h>

#include "clip.h"

enum mixer_bus { BUS_SPEECH, BUS_EFFECT };

struct mixer;

/* A mixer at `rate` frames per second, volume 100, frame 0 next. NULL
 * when out of memory or the rate is not positive. */
struct mixer *mixer_new(int rate);
void mixer_free(struct mixer *m);

/* Called on the render thread as each clip sounds its first frame:
 * `at` the frame asked for, `start` the frame it began on (later than
 * `at` when late), `tag` whatever mixer_play_tag was given. Set it before
 * rendering starts; it must not block. */
typedef void mixer_start_fn(void *ctx, int64_t tag, int64_t at, int64_t start);
void mixer_on_start(struct mixer *m, mixer_start_fn *fn, void *ctx);

/* Before rendering starts: the volume to begin at, without a ramp. */
void mixer_set_volume_now(struct mixer *m, int percent);

/* Control thread. `at` is an output frame number; one in the past starts
 * at once (and counts as late in the stats). */
void mixer_play(struct mixer *m, const struct clip *c, int64_t at,
		enum mixer_bus bus);
void mixer_play_tag(struct mixer *m, const struct clip *c, int64_t at,
		    enum mixer_bus bus, int64_t tag);
/* From frame `at`, speech posted before this call fades out (about 5 ms)
 * and speech that has not started by then is dropped. Effects and speech
 * posted after the hush are untouched. */
void mixer_hush(struct mixer *m, int64_t at);
/* 0..100, perceptual ((p/100)^2); ramps over about 20 ms, no zipper. */
void mixer_set_volume(struct mixer *m, int percent);

/* Render thread: the next `frames` frames, then advance. */
void mixer_render(struct mixer *m, int16_t *out, size_t frames);

/* Frames rendered so far; any thread. */
int64_t mixer_position(const struct mixer *m);

struct mixer_stats {
	int started;	  /* clips started */
	int late;	  /* clips that started after their frame */
	int64_t late_max; /* frames */
	int dropped;	  /* commands lost to a full ring, or plays
			     lost because every voice was busy */
};
void mixer_stats(const struct mixer *m, struct mixer_stats *out);

#endif
