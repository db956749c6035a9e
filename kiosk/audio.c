/*
 * audio.c - the mixer's two sinks: a PortAudio stream or a WAV file.
 *
 * Device sink: the PortAudio callback renders the mixer and, before each
 * buffer, measures when that buffer's first frame will be heard (its own
 * monotonic clock read plus the DAC delay PortAudio reports). A small
 * loop (struct audio_clock) turns those noisy measurements into a model,
 * which the callback publishes through a sequence lock; the main thread
 * reads the model to turn "heard at T" into a frame number for the mixer.
 * The main thread also watches the stream (audio_advance) and reopens a
 * device that went away.
 *
 * WAV sink: everything happens on the main thread; audio_advance renders
 * the mixer up to the frame for `now`, so the file holds exactly what a
 * device at the speech rate would have played.
 */
#include "audio.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <portaudio.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "chime.h"
#include "log.h"

#define RETRY_MS	   5000
#define CHECK_MS	   1000
#define STALL_MS	   3000
#define NOMINAL_LATENCY_MS 100
#define CHUNK		   512
#define OFFSETS		   512 /* clips remembered for the offset stats */
#define RESYNC_NS	   30e6
#define PHASE_GAIN	   (1.0 / 32)
#define RATE_GAIN	   (1.0 / 4096)
#define MAX_PPM		   1000.0
#define WAV_HEADER	   44

enum sink { SINK_WAV, SINK_DEVICE };

struct audio {
	enum sink sink;
	struct mixer *mix;
	struct clip *chime[2];
	int volume;
	struct mixer_stats past; /* of mixers from streams since closed */

	/* Heard-minus-asked per started clip, in microseconds, written by
	 * whichever thread renders. */
	_Atomic int32_t offset_us[OFFSETS];
	_Atomic unsigned offsets;

	/* WAV sink. */
	FILE *wav;
	kt_ms start, written_ms;
	int64_t written; /* frames */
	bool wav_failed;

	/* Device sink, main thread. */
	char name[128];
	PaStream *stream;
	bool pa_up, lost;
	int channels, rate, reopened;
	double origin_ns; /* monotonic ns at kiosk time 0 */
	double stream_latency_s;
	kt_ms retry_at, checked_at, seen_at;
	uint64_t seen_callbacks;

	/* Device sink, shared: written by the callback. */
	_Atomic uint64_t callbacks;
	_Atomic unsigned long max_buffer;
	_Atomic int resyncs;
	_Atomic unsigned seq; /* sequence lock over the three below */
	_Atomic int64_t pub_frame;
	_Atomic double pub_ns, pub_ns_per_frame;

	/* Device sink, callback only (set up before the stream starts). */
	struct audio_clock clock;
	int16_t scratch[CHUNK];
};

/* --- clock model ------------------------------------------------------ */

void audio_clock_init(struct audio_clock *k, int rate, double first_ns)
{
	*k = (struct audio_clock){
	    .base_ns = first_ns,
	    .nominal = 1e9 / rate,
	    .ns_per_frame = 1e9 / rate,
	};
}

double audio_clock_heard(const struct audio_clock *k, int64_t frame)
{
	return k->base_ns + (double)(frame - k->base_frame) * k->ns_per_frame;
}

int64_t audio_clock_frame(const struct audio_clock *k, double heard_ns)
{
	return k->base_frame +
	       llround((heard_ns - k->base_ns) / k->ns_per_frame);
}

void audio_clock_update(struct audio_clock *k, int64_t frame, double heard_ns)
{
	double predicted = audio_clock_heard(k, frame);
	double err = heard_ns - predicted;
	int64_t span = frame - k->base_frame;
	k->base_frame = frame;
	if (!k->anchored || fabs(err) > RESYNC_NS || span <= 0) {
		k->resyncs += k->anchored;
		k->anchored = true;
		k->base_ns = heard_ns;
		return;
	}
	k->base_ns = predicted + err * PHASE_GAIN;
	k->ns_per_frame += err * RATE_GAIN / (double)span;
	double limit = k->nominal * MAX_PPM / 1e6;
	if (k->ns_per_frame > k->nominal + limit)
		k->ns_per_frame = k->nominal + limit;
	if (k->ns_per_frame < k->nominal - limit)
		k->ns_per_frame = k->nominal - limit;
}

/* --- shared helpers --------------------------------------------------- */

static double mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void record_offset(struct audio *a, double offset_ms)
{
	unsigned n = atomic_load_explicit(&a->offsets, memory_order_relaxed);
	double us = offset_ms * 1000;
	if (us > INT32_MAX)
		us = INT32_MAX;
	if (us < INT32_MIN)
		us = INT32_MIN;
	atomic_store_explicit(&a->offset_us[n % OFFSETS], (int32_t)lrint(us),
			      memory_order_relaxed);
	atomic_store_explicit(&a->offsets, n + 1, memory_order_release);
}

static int make_chimes(struct audio *a)
{
	a->chime[CHIME_START] = chime_new(CHIME_START, AUDIO_RATE);
	a->chime[CHIME_END] = chime_new(CHIME_END, AUDIO_RATE);
	return a->chime[CHIME_START] && a->chime[CHIME_END] ? 0 : -1;
}

/* Add the current mixer's figures to `to` (a mixer lives as long as one
 * stream; the figures are for the whole run). */
static void add_mixer_stats(const struct audio *a, struct mixer_stats *to)
{
	struct mixer_stats s;
	mixer_stats(a->mix, &s);
	to->started += s.started;
	to->late += s.late;
	to->dropped += s.dropped;
	if (s.late_max > to->late_max)
		to->late_max = s.late_max;
}

static void audio_free(struct audio *a)
{
	chime_free(a->chime[CHIME_START]);
	chime_free(a->chime[CHIME_END]);
	mixer_free(a->mix);
	free(a);
}

/* --- WAV sink --------------------------------------------------------- */

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void wav_header(unsigned char h[WAV_HEADER], uint32_t data_bytes)
{
	memcpy(h, "RIFF\0\0\0\0WAVEfmt ", 16);
	put_le(h + 4, 36 + data_bytes, 4);
	put_le(h + 16, 16, 4);		   /* fmt chunk size */
	put_le(h + 20, 1, 2);		   /* PCM */
	put_le(h + 22, 1, 2);		   /* mono */
	put_le(h + 24, AUDIO_RATE, 4);	   /* frames per second */
	put_le(h + 28, AUDIO_RATE * 2, 4); /* bytes per second */
	put_le(h + 32, 2, 2);		   /* bytes per frame */
	put_le(h + 34, 16, 2);		   /* bits per sample */
	memcpy(h + 36, "data", 4);
	put_le(h + 40, data_bytes, 4);
}

static int64_t wav_frame(const struct audio *a, kt_ms t)
{
	return (t - a->start) * AUDIO_RATE / 1000;
}

static void wav_started(void *ctx, int64_t tag, int64_t at, int64_t start)
{
	struct audio *a = ctx;
	(void)at;
	record_offset(a, (double)start * 1000 / AUDIO_RATE + (double)a->start -
			     (double)tag);
}

static void wav_advance(struct audio *a, kt_ms now)
{
	int64_t target = wav_frame(a, now);
	unsigned char bytes[CHUNK * 2];
	while (!a->wav_failed && a->written < target) {
		size_t n = (size_t)(target - a->written);
		n = n < CHUNK ? n : CHUNK;
		mixer_render(a->mix, a->scratch, n);
		for (size_t i = 0; i < n; i++)
			put_le(bytes + 2 * i, (uint16_t)a->scratch[i], 2);
		if (fwrite(bytes, 2, n, a->wav) != n) {
			log_msg("audio: cannot write the WAV file: %s",
				strerror(errno));
			a->wav_failed = true;
		}
		a->written += (int64_t)n;
	}
	if (now > a->written_ms)
		a->written_ms = now;
}

struct audio *audio_open_wav(const char *path, int volume, kt_ms start)
{
	struct audio *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->sink = SINK_WAV;
	a->start = a->written_ms = start;
	a->volume = volume;
	a->mix = mixer_new(AUDIO_RATE);
	if (!a->mix || make_chimes(a) < 0) {
		audio_free(a);
		errno = ENOMEM;
		return NULL;
	}
	mixer_set_volume_now(a->mix, volume);
	mixer_on_start(a->mix, wav_started, a);
	unsigned char h[WAV_HEADER];
	wav_header(h, 0);
	a->wav = fopen(path, "wb");
	if (!a->wav || fwrite(h, sizeof h, 1, a->wav) != 1) {
		int e = errno;
		if (a->wav)
			fclose(a->wav);
		audio_free(a);
		errno = e;
		return NULL;
	}
	return a;
}

static void wav_close(struct audio *a, kt_ms now)
{
	wav_advance(a, now);
	int64_t bytes = a->written * 2;
	unsigned char h[WAV_HEADER];
	wav_header(h,
		   bytes > UINT32_MAX - 36 ? UINT32_MAX - 36 : (uint32_t)bytes);
	if (fseek(a->wav, 0, SEEK_SET) != 0 ||
	    fwrite(h, sizeof h, 1, a->wav) != 1 || fclose(a->wav) != 0)
		log_msg("audio: cannot finish the WAV file: %s",
			strerror(errno));
	a->wav = NULL;
}

/* --- device sink: the callback ---------------------------------------- */

static void publish_clock(struct audio *a)
{
	unsigned s = atomic_load_explicit(&a->seq, memory_order_relaxed);
	atomic_store_explicit(&a->seq, s + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&a->pub_frame, a->clock.base_frame,
			      memory_order_relaxed);
	atomic_store_explicit(&a->pub_ns, a->clock.base_ns,
			      memory_order_relaxed);
	atomic_store_explicit(&a->pub_ns_per_frame, a->clock.ns_per_frame,
			      memory_order_relaxed);
	atomic_store_explicit(&a->seq, s + 2, memory_order_release);
}

static struct audio_clock read_clock(const struct audio *a)
{
	struct audio_clock k = {0};
	unsigned s1, s2;
	do {
		s1 = atomic_load_explicit(&a->seq, memory_order_acquire);
		k.base_frame =
		    atomic_load_explicit(&a->pub_frame, memory_order_relaxed);
		k.base_ns =
		    atomic_load_explicit(&a->pub_ns, memory_order_relaxed);
		k.ns_per_frame = atomic_load_explicit(&a->pub_ns_per_frame,
						      memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&a->seq, memory_order_relaxed);
	} while ((s1 & 1) || s1 != s2);
	return k;
}

static void device_started(void *ctx, int64_t tag, int64_t at, int64_t start)
{
	struct audio *a = ctx;
	(void)at;
	double heard = audio_clock_heard(&a->clock, start);
	record_offset(a, (heard - a->origin_ns) / 1e6 - (double)tag);
}

/* The DAC delay as PortAudio reports it; its own figure for the stream
 * when the report is missing or absurd (some host APIs give zeros). */
static double dac_delay_s(const struct audio *a,
			  const PaStreamCallbackTimeInfo *ti)
{
	double d = ti ? ti->outputBufferDacTime - ti->currentTime : -1;
	if (!ti || ti->outputBufferDacTime <= 0 || d < 0 || d > 2)
		return a->stream_latency_s;
	return d;
}

static int on_buffer(const void *in, void *out, unsigned long frames,
		     const PaStreamCallbackTimeInfo *ti,
		     PaStreamCallbackFlags flags, void *ctx)
{
	struct audio *a = ctx;
	(void)in;
	(void)flags;
	double heard = mono_ns() + dac_delay_s(a, ti) * 1e9;
	audio_clock_update(&a->clock, mixer_position(a->mix), heard);
	atomic_store_explicit(&a->resyncs, a->clock.resyncs,
			      memory_order_relaxed);
	publish_clock(a);
	int16_t *o = out;
	if (a->channels == 1) {
		mixer_render(a->mix, o, frames);
	} else {
		for (unsigned long done = 0; done < frames;) {
			size_t n =
			    frames - done < CHUNK ? frames - done : CHUNK;
			mixer_render(a->mix, a->scratch, n);
			for (size_t i = 0; i < n; i++)
				o[2 * (done + i)] = o[2 * (done + i) + 1] =
				    a->scratch[i];
			done += n;
		}
	}
	if (frames > atomic_load_explicit(&a->max_buffer, memory_order_relaxed))
		atomic_store_explicit(&a->max_buffer, frames,
				      memory_order_relaxed);
	atomic_fetch_add_explicit(&a->callbacks, 1, memory_order_release);
	return paContinue;
}

/* --- device sink: opening and closing --------------------------------- */

static PaDeviceIndex find_device(const char *name)
{
	if (!strcmp(name, "default"))
		return Pa_GetDefaultOutputDevice();
	size_t len = strlen(name);
	for (PaDeviceIndex i = 0; i < Pa_GetDeviceCount(); i++) {
		const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
		if (!d || d->maxOutputChannels < 1)
			continue;
		for (const char *p = d->name; p && *p; p++)
			if (!strncasecmp(p, name, len))
				return i;
	}
	return paNoDevice;
}

static PaError open_stream(struct audio *a, PaDeviceIndex dev)
{
	static const int rates[] = {AUDIO_RATE, 48000, 44100};
	const PaDeviceInfo *info = Pa_GetDeviceInfo(dev);
	PaError e = paInvalidDevice;
	for (int ch = 1; info && ch <= 2; ch++) {
		PaStreamParameters p = {
		    .device = dev,
		    .channelCount = ch,
		    .sampleFormat = paInt16,
		    .suggestedLatency = info->defaultHighOutputLatency,
		};
		for (size_t r = 0; r < sizeof rates / sizeof *rates; r++) {
			e = Pa_OpenStream(&a->stream, NULL, &p, rates[r],
					  paFramesPerBufferUnspecified,
					  paNoFlag, on_buffer, a);
			if (e == paNoError) {
				a->channels = ch;
				a->rate = rates[r];
				return e;
			}
		}
	}
	a->stream = NULL;
	return e;
}

static void pa_down(struct audio *a)
{
	if (a->pa_up)
		Pa_Terminate();
	a->pa_up = false;
}

/* Everything but Pa_StartStream, so failure has one way out. */
static const char *prepare(struct audio *a, kt_ms now)
{
	PaError e = Pa_Initialize();
	if (e != paNoError)
		return Pa_GetErrorText(e);
	a->pa_up = true;
	PaDeviceIndex dev = find_device(a->name);
	if (dev == paNoDevice)
		return Pa_GetDeviceCount() > 0 ? "no device by that name"
					       : "no output devices";
	e = open_stream(a, dev);
	if (e != paNoError)
		return Pa_GetErrorText(e);
	a->mix = mixer_new(a->rate);
	if (!a->mix)
		return "out of memory";
	mixer_set_volume_now(a->mix, a->volume);
	mixer_on_start(a->mix, device_started, a);
	const PaStreamInfo *si = Pa_GetStreamInfo(a->stream);
	a->stream_latency_s = si ? si->outputLatency : 0;
	a->origin_ns = mono_ns() - (double)now * 1e6 - 0.5e6;
	audio_clock_init(&a->clock, a->rate,
			 mono_ns() + a->stream_latency_s * 1e9);
	a->clock.resyncs = atomic_load(&a->resyncs); /* count across reopens */
	publish_clock(a);
	atomic_store(&a->callbacks, 0);
	a->seen_callbacks = 0;
	a->seen_at = a->checked_at = now;
	e = Pa_StartStream(a->stream);
	return e == paNoError ? NULL : Pa_GetErrorText(e);
}

static void close_stream(struct audio *a, bool abort)
{
	int q = log_quiet_begin();
	if (a->stream) {
		if (abort)
			Pa_AbortStream(a->stream);
		else
			Pa_StopStream(a->stream);
		Pa_CloseStream(a->stream);
		a->stream = NULL;
	}
	pa_down(a);
	log_quiet_end(q);
	if (a->mix) {
		add_mixer_stats(a, &a->past);
		mixer_free(a->mix);
		a->mix = NULL;
	}
}

/* 0 when playing. Only the first failure and a recovery are logged, so a
 * kiosk without a speaker says so once instead of every five seconds. */
static int try_open(struct audio *a, kt_ms now, bool log_failure)
{
	int q = log_quiet_begin();
	const char *why = prepare(a, now);
	log_quiet_end(q);
	if (why) {
		close_stream(a, true);
		a->retry_at = now + RETRY_MS;
		if (log_failure)
			log_msg("audio: no output device '%s' (%s); speaking "
				"through captions only",
				a->name, why);
		return -1;
	}
	if (a->lost) {
		a->reopened++;
		a->lost = false;
		log_msg("audio: output device '%s' is back", a->name);
	} else {
		log_msg("audio: '%s' at %d Hz, %d channel%s, %.0f ms latency",
			a->name, a->rate, a->channels,
			a->channels > 1 ? "s" : "", a->stream_latency_s * 1e3);
	}
	return 0;
}

struct audio *audio_open_device(const char *name, int volume, kt_ms now)
{
	struct audio *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->sink = SINK_DEVICE;
	a->volume = volume;
	snprintf(a->name, sizeof a->name, "%s",
		 name && *name ? name : "default");
	if (make_chimes(a) < 0) {
		audio_free(a);
		return NULL;
	}
	try_open(a, now, true);
	return a;
}

static bool stream_lost(struct audio *a, kt_ms now)
{
	if (Pa_IsStreamActive(a->stream) != 1)
		return true;
	uint64_t n = atomic_load_explicit(&a->callbacks, memory_order_acquire);
	if (n != a->seen_callbacks) {
		a->seen_callbacks = n;
		a->seen_at = now;
	}
	return now - a->seen_at > STALL_MS;
}

static void device_advance(struct audio *a, kt_ms now)
{
	if (!a->stream) {
		if (now >= a->retry_at)
			try_open(a, now, false);
		return;
	}
	a->checked_at = now;
	if (!stream_lost(a, now))
		return;
	log_msg("audio: lost output device '%s'; trying again every %d s",
		a->name, RETRY_MS / 1000);
	close_stream(a, true);
	a->lost = true;
	a->retry_at = now + RETRY_MS;
}

/* --- the interface ---------------------------------------------------- */

static int64_t device_frame(const struct audio *a, kt_ms at)
{
	struct audio_clock k = read_clock(a);
	return audio_clock_frame(&k, a->origin_ns + (double)at * 1e6);
}

void audio_play(struct audio *a, const struct clip *c, kt_ms at, bool speech)
{
	if (!a)
		return;
	enum mixer_bus bus = speech ? BUS_SPEECH : BUS_EFFECT;
	if (a->sink == SINK_WAV && a->wav)
		mixer_play_tag(a->mix, c, wav_frame(a, at), bus, at);
	else if (a->sink == SINK_DEVICE && a->stream)
		mixer_play_tag(a->mix, c, device_frame(a, at), bus, at);
}

void audio_chime(struct audio *a, enum chime c, kt_ms at)
{
	if (!a)
		return;
	if (c == CHIME_START || c == CHIME_END)
		audio_play(a, a->chime[c], at, false);
}

void audio_hush(struct audio *a, kt_ms at)
{
	if (!a)
		return;
	if (a->sink == SINK_WAV && a->wav)
		mixer_hush(a->mix, wav_frame(a, at));
	else if (a->sink == SINK_DEVICE && a->stream)
		mixer_hush(a->mix, device_frame(a, at));
}

void audio_set_volume(struct audio *a, int percent)
{
	if (!a)
		return;
	a->volume = percent;
	if (a->mix)
		mixer_set_volume(a->mix, percent);
}

void audio_advance(struct audio *a, kt_ms now)
{
	if (!a)
		return;
	if (a->sink == SINK_WAV && a->wav)
		wav_advance(a, now);
	else if (a->sink == SINK_DEVICE)
		device_advance(a, now);
}

/* The WAV sink asks to be advanced every second of the timeline too, so
 * the mixer's command ring is drained however long the session runs. */
kt_ms audio_wake(const struct audio *a)
{
	if (!a)
		return KT_NEVER;
	if (a->sink == SINK_WAV)
		return a->wav && !a->wav_failed ? a->written_ms + CHECK_MS
						: KT_NEVER;
	return a->stream ? a->checked_at + CHECK_MS : a->retry_at;
}

bool audio_playing(const struct audio *a)
{
	if (!a)
		return false;
	if (a->sink == SINK_WAV)
		return a->wav && !a->wav_failed;
	return a->stream != NULL;
}

kt_ms audio_latency(const struct audio *a)
{
	if (!a || a->sink == SINK_WAV)
		return 0;
	if (!a->stream)
		return NOMINAL_LATENCY_MS;
	unsigned long buf =
	    atomic_load_explicit(&a->max_buffer, memory_order_relaxed);
	return (kt_ms)ceil(a->stream_latency_s * 1000 +
			   (double)buf * 1000 / a->rate);
}

void audio_close(struct audio *a, kt_ms now)
{
	if (!a)
		return;
	if (a->sink == SINK_WAV && a->wav)
		wav_close(a, now);
	else if (a->sink == SINK_DEVICE)
		close_stream(a, false);
	audio_free(a);
}

static int cmp_int32(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a > b) - (a < b);
}

void audio_stats(const struct audio *a, struct audio_stats *out)
{
	if (!a) {
		*out = (struct audio_stats){0};
		return;
	}
	*out = (struct audio_stats){.mix = a->past, .reopened = a->reopened};
	out->resyncs = atomic_load_explicit(&a->resyncs, memory_order_relaxed);
	if (a->mix)
		add_mixer_stats(a, &out->mix);
	unsigned n = atomic_load_explicit(&a->offsets, memory_order_acquire);
	n = n < OFFSETS ? n : OFFSETS;
	if (n == 0)
		return;
	int32_t v[OFFSETS];
	for (unsigned i = 0; i < n; i++)
		v[i] = atomic_load_explicit(&a->offset_us[i],
					    memory_order_relaxed);
	qsort(v, n, sizeof *v, cmp_int32);
	out->offset_p50_ms = v[(n - 1) / 2] / 1000.0;
	out->offset_p99_ms = v[(n - 1) * 99 / 100] / 1000.0;
}
