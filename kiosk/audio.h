/*
 * audio.h - where the mixer's sound goes: a PortAudio output stream, or a
 * WAV file on the kiosk's timeline.
 *
 * Time: callers speak in kt_ms on the kiosk's monotonic timeline and say
 * when a sound must be heard. The device sink turns that into a frame of
 * its own sample counter, anchored to the monotonic clock when the stream
 * starts and kept in step with it (clock drift) as it runs. The WAV sink
 * maps frame = (at - start) * rate / 1000: sample position is time since
 * start, on either clock, which is what makes the file comparable with the
 * event record.
 *
 * Faults never stop the kiosk: no device at start gives one log line and a
 * sink that plays nothing; a device lost mid-session is tried again every
 * few seconds (audio_wake says when), and sound resumes when it is back.
 * ALSA and JACK chatter on stderr while devices are probed is silenced.
 *
 * Threads: all functions on the main thread; the PortAudio callback runs
 * the mixer on its own thread (see mixer.h).
 *
 * Absent parts: every function but the two opens takes NULL for a sound
 * that is not there and does nothing (audio_wake: KT_NEVER, audio_latency:
 * 0, audio_stats: all zero).
 */
#ifndef KIOSK_AUDIO_H
#define KIOSK_AUDIO_H

#include <stdbool.h>
#include <stdint.h>

#include "clip.h"
#include "engine.h"
#include "ktime.h"
#include "mixer.h"

/* The speech rate, and so the WAV sink's rate and the first rate the
 * device sink asks for. */
#define AUDIO_RATE 22050

struct audio;

/* A PortAudio device by name ("default", or part of a device's name such
 * as "HDMI" or "USB"). Never NULL but for lack of memory. */
struct audio *audio_open_device(const char *name, int volume, kt_ms now);

/* A WAV file (mono, 16-bit, the speech rate). NULL, errno set, if the
 * file cannot be created. */
struct audio *audio_open_wav(const char *path, int volume, kt_ms start);

/* Sound this clip at time `at`; speech goes on the bus a hush cuts. */
void audio_play(struct audio *a, const struct clip *c, kt_ms at, bool speech);
void audio_chime(struct audio *a, enum chime c, kt_ms at);
void audio_hush(struct audio *a, kt_ms at);
void audio_set_volume(struct audio *a, int percent);

/* Housekeeping due by now: the WAV sink writes everything up to `now`;
 * the device sink retries a lost or missing device. */
void audio_advance(struct audio *a, kt_ms now);
kt_ms audio_wake(const struct audio *a); /* next audio_advance due */

bool audio_playing(const struct audio *a); /* a device or file is open */

/* How far ahead of the ear the sink renders, ms: a clip must be asked for
 * at least this long before it is due. The device's figure once a stream
 * has run; a typical 100 ms while no device is open; 0 for a file. */
kt_ms audio_latency(const struct audio *a);

/* Finish: the WAV sink writes up to `now` and completes its header. */
void audio_close(struct audio *a, kt_ms now);

struct audio_stats {
	struct mixer_stats mix;
	double offset_p50_ms, offset_p99_ms; /* heard minus asked, per clip */
	int reopened;			     /* device reopened after a loss */
	int resyncs; /* device clock jumps too big to follow smoothly */
};
void audio_stats(const struct audio *a, struct audio_stats *out);

/*
 * The device sink's clock model, exposed for tests: frame f is heard at
 * base_ns + (f - base_frame) * ns_per_frame on the monotonic clock. Each
 * measurement (a frame and when it will be heard) pulls the model by a
 * small part of the error, in phase and in rate (a second-order loop), so
 * scheduling jitter averages out while a device crystal a few hundred ppm
 * off the system clock is followed. An error beyond 30 ms (an underrun, a
 * device that does not pace) re-anchors at once and counts as a resync.
 */
struct audio_clock {
	bool anchored;
	int64_t base_frame;
	double base_ns, ns_per_frame, nominal;
	int resyncs;
};
void audio_clock_init(struct audio_clock *k, int rate, double first_ns);
void audio_clock_update(struct audio_clock *k, int64_t frame, double heard_ns);
double audio_clock_heard(const struct audio_clock *k, int64_t frame);
int64_t audio_clock_frame(const struct audio_clock *k, double heard_ns);

#endif
