/*
 * speech.h - eSpeak NG text to speech, on a thread of its own.
 *
 * eSpeak NG keeps its state in globals, so exactly one thread, the one
 * speech_open starts, ever calls it. Other threads post lines to render
 * and pick up finished clips. A finished clip is trimmed of the silence
 * eSpeak puts before and after the words, so its first sample is the
 * start of the first word and its length is the time the words take.
 *
 * Ownership: the speech object owns every clip it hands out. Clips are
 * cached by text for the object's whole life and never change once
 * published, so the mixer may play one from the audio thread for as long
 * as the speech object lives.
 *
 * Threads: every function may be called from the main thread while the
 * speech thread works; none may be called concurrently with speech_close.
 * Absent parts: every function but speech_open takes NULL for a voice that
 * is not there and does nothing (speech_get: NULL, speech_fd: -1,
 * speech_stats: all zero, speech_voice_check and speech_set_voice: 0,
 * as no eSpeak NG finds no fault with a voice).
 * The speech thread blocks every signal, so signals go to the threads
 * that want them (the kiosk's main thread, through its signalfd).
 * The cache, queue and requests share one mutex, never held while eSpeak
 * NG synthesises.
 *
 * eSpeak NG is one per process: only one speech object may be open at a
 * time (a second speech_open fails until the first is closed). eSpeak NG
 * is initialised by the first speech_open and kept for the life of the
 * process, never terminated: in 1.51 a second Initialize/Terminate cycle
 * hangs in espeak_ng_Terminate, so a later speech_open reuses it. It runs
 * in synchronous mode and never opens a sound device; volume is the
 * mixer's job.
 *
 * Trimming: a sample is sound when |sample| >= 128 (about -48 dBFS);
 * 5 ms is kept before the first and after the last such sample. A line
 * with no sound (" ") gives an empty clip: frames 0, pcm NULL.
 */
#ifndef KIOSK_SPEECH_H
#define KIOSK_SPEECH_H

#include <stdbool.h>
#include <stddef.h>

#include "clip.h"
#include "ktime.h"

/* The language is looked up among the installed voices by file name
 * (en, en-GB-scotland), voice name or language tag (en-gb, es-mx), any
 * case; a variant by its exact file name (f3, m3, klatt). */
struct speech_voice {
	const char *language; /* eSpeak NG language or voice name: en, de */
	const char *voice;    /* "" or a variant/voice: f3, en+f3 */
	int rate;	      /* words per minute, 80..450 */
	int pitch;	      /* 0..99 */
};

struct speech;

/* Start eSpeak NG with this voice. NULL when eSpeak NG cannot start or the
 * voice does not exist; `err` then says why, in words for staff. */
struct speech *speech_open(const struct speech_voice *v, char *err,
			   size_t errlen);
void speech_close(struct speech *sp);

/* Would this voice work? 0 if so; otherwise -1 and `why` names the
 * unknown language or variant. Asks the speech thread and waits (after
 * the line it is rendering, before any queued one); the voice in use is
 * restored afterwards. */
int speech_voice_check(struct speech *sp, const struct speech_voice *v,
		       char *why, size_t n);

/* Speak with this voice from now on: the same as speech_voice_check, and
 * if it works, lines asked for afterwards are rendered anew in it. Clips
 * of the old voice stay valid (the mixer may still be playing one) and
 * held until speech_close: a change of voice costs the memory of the
 * lines said before it. */
int speech_set_voice(struct speech *sp, const struct speech_voice *v,
		     char *why, size_t n);

/* Render this line in the background, after lines asked for earlier.
 * A line already cached or queued is not queued again. */
void speech_prepare(struct speech *sp, const char *text);

/* The clip for this line. If it is not rendered yet: with wait, render it
 * now (ahead of any queued line; on a virtual clock, after the lines
 * asked for before it: see speech_length) and return it; without wait,
 * move it to the front of the queue and return NULL (speech_fd will wake
 * the caller when it is done). NULL with wait only when synthesis
 * failed. */
const struct clip *speech_get(struct speech *sp, const char *text, bool wait);

/* Readable (an eventfd) whenever a line has finished rendering; read it to
 * clear it. For the main loop's poll(). */
int speech_fd(const struct speech *sp);

/* A speech_length_fn for the engine (ctx is the struct speech): the exact
 * length of a rendered line (frames * 1000 / sample rate, rounded up);
 * otherwise, if the speech object was opened for a virtual clock
 * (speech_set_blocking), the caller waits for it, rendered in the order
 * lines were first asked for (so a replay's lengths never depend on
 * timing: eSpeak NG's output for a line depends on the line before it);
 * otherwise the
 * estimate from text_speech_estimate() at `rate`, and the line goes to the
 * front of the queue. A rendered line's length is at the rate the voice
 * was opened with; `rate` is only used for the estimate. */
kt_ms speech_length(void *ctx, const char *text, int rate);
void speech_set_blocking(struct speech *sp, bool blocking);

struct speech_stats {
	int lines;	/* lines rendered */
	double audio_s; /* seconds of speech rendered */
	double synth_s; /* thread CPU seconds spent rendering them */
	size_t bytes;	/* memory held by the cache */
};
void speech_stats(struct speech *sp, struct speech_stats *out);

#endif
