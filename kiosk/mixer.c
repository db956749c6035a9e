/*
 * mixer.c - scheduled clips summed into one 16-bit stream.
 *
 * The control thread only ever writes commands into a single-producer,
 * single-consumer ring; the render thread drains the ring at the start of
 * each mixer_render and owns every voice, so no voice state is shared and
 * nothing here locks. Counters that other threads read are relaxed
 * atomics written by one side only.
 */
#include "mixer.h"

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#define VOICES	 16
#define RING	 1024 /* commands; a power of two */
#define CHUNK	 256  /* frames summed at a time in float */
#define FADE_MS	 5
#define RAMP_MS	 20
#define NO_HUSH	 INT64_MAX
#define FRAC_ONE 4294967296.0 /* 32.32 fixed point clip positions */

enum cmd_kind { CMD_PLAY, CMD_HUSH, CMD_VOLUME };

struct cmd {
	enum cmd_kind kind;
	enum mixer_bus bus;
	const struct clip *clip;
	int64_t at, tag;
	float gain;
};

struct voice {
	const struct clip *clip;
	enum mixer_bus bus;
	int64_t at, tag, hush_at;
	uint64_t pos, step; /* 32.32 frames into the clip */
	int fade;	    /* frames of fade left, -1 while not fading */
	bool active, started;
};

struct mixer {
	int rate;
	int fade_frames, ramp_frames;

	struct cmd ring[RING];
	_Atomic size_t head; /* written by the control thread */
	_Atomic size_t tail; /* written by the render thread */

	_Atomic int64_t position;
	_Atomic int started, late, dropped;
	_Atomic int64_t late_max;

	/* Render thread only (and setup before rendering starts). */
	struct voice voice[VOICES];
	float gain, target, gain_step;
	int ramp_left;
	mixer_start_fn *on_start;
	void *ctx;
	float acc[CHUNK];
};

static float percent_gain(int percent)
{
	if (percent < 0)
		percent = 0;
	if (percent > 100)
		percent = 100;
	float p = (float)percent / 100.0f;
	return p * p;
}

struct mixer *mixer_new(int rate)
{
	if (rate <= 0)
		return NULL;
	struct mixer *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->rate = rate;
	m->fade_frames = rate * FADE_MS / 1000 > 0 ? rate * FADE_MS / 1000 : 1;
	m->ramp_frames = rate * RAMP_MS / 1000 > 0 ? rate * RAMP_MS / 1000 : 1;
	m->gain = m->target = 1.0f;
	return m;
}

void mixer_free(struct mixer *m)
{
	free(m);
}

void mixer_on_start(struct mixer *m, mixer_start_fn *fn, void *ctx)
{
	m->on_start = fn;
	m->ctx = ctx;
}

void mixer_set_volume_now(struct mixer *m, int percent)
{
	m->gain = m->target = percent_gain(percent);
	m->ramp_left = 0;
}

static void post(struct mixer *m, const struct cmd *c)
{
	size_t head = atomic_load_explicit(&m->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&m->tail, memory_order_acquire);
	if (head - tail >= RING) {
		atomic_fetch_add_explicit(&m->dropped, 1, memory_order_relaxed);
		return;
	}
	m->ring[head & (RING - 1)] = *c;
	atomic_store_explicit(&m->head, head + 1, memory_order_release);
}

void mixer_play_tag(struct mixer *m, const struct clip *c, int64_t at,
		    enum mixer_bus bus, int64_t tag)
{
	if (!c || !c->pcm || !c->frames || c->rate <= 0)
		return;
	post(
	    m,
	    &(struct cmd){
		.kind = CMD_PLAY, .bus = bus, .clip = c, .at = at, .tag = tag});
}

void mixer_play(struct mixer *m, const struct clip *c, int64_t at,
		enum mixer_bus bus)
{
	mixer_play_tag(m, c, at, bus, 0);
}

void mixer_hush(struct mixer *m, int64_t at)
{
	post(m, &(struct cmd){.kind = CMD_HUSH, .at = at});
}

void mixer_set_volume(struct mixer *m, int percent)
{
	post(m,
	     &(struct cmd){.kind = CMD_VOLUME, .gain = percent_gain(percent)});
}

static void start_voice(struct mixer *m, const struct cmd *c)
{
	for (int i = 0; i < VOICES; i++) {
		struct voice *v = &m->voice[i];
		if (v->active)
			continue;
		*v = (struct voice){
		    .clip = c->clip,
		    .bus = c->bus,
		    .at = c->at,
		    .tag = c->tag,
		    .hush_at = NO_HUSH,
		    .step = (uint64_t)(((double)c->clip->rate / m->rate) *
				       FRAC_ONE),
		    .fade = -1,
		    .active = true,
		};
		return;
	}
	atomic_fetch_add_explicit(&m->dropped, 1, memory_order_relaxed);
}

/* A hush reaches only voices already posted: later plays are still in
 * the ring behind it, which is what keeps the line said after a hush. */
static void hush_voices(struct mixer *m, int64_t at)
{
	for (int i = 0; i < VOICES; i++) {
		struct voice *v = &m->voice[i];
		if (v->active && v->bus == BUS_SPEECH && at < v->hush_at)
			v->hush_at = at;
	}
}

static void apply(struct mixer *m, const struct cmd *c)
{
	switch (c->kind) {
	case CMD_PLAY:
		start_voice(m, c);
		break;
	case CMD_HUSH:
		hush_voices(m, c->at);
		break;
	case CMD_VOLUME:
		m->target = c->gain;
		m->ramp_left = m->ramp_frames;
		m->gain_step = (m->target - m->gain) / (float)m->ramp_frames;
		break;
	}
}

static void drain(struct mixer *m)
{
	size_t tail = atomic_load_explicit(&m->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&m->head, memory_order_acquire);
	for (; tail != head; tail++)
		apply(m, &m->ring[tail & (RING - 1)]);
	atomic_store_explicit(&m->tail, tail, memory_order_release);
}

static void count_start(struct mixer *m, struct voice *v, int64_t start)
{
	v->started = true;
	atomic_fetch_add_explicit(&m->started, 1, memory_order_relaxed);
	if (start > v->at) {
		atomic_fetch_add_explicit(&m->late, 1, memory_order_relaxed);
		int64_t by = start - v->at;
		if (by >
		    atomic_load_explicit(&m->late_max, memory_order_relaxed))
			atomic_store_explicit(&m->late_max, by,
					      memory_order_relaxed);
	}
	if (m->on_start)
		m->on_start(m->ctx, v->tag, v->at, start);
}

/* Linear interpolation between neighbours; at equal rates the fraction is
 * always zero, so a clip comes out sample for sample. */
static float voice_sample(const struct voice *v)
{
	size_t i = (size_t)(v->pos >> 32);
	float frac = (float)((double)(v->pos & 0xffffffffu) / FRAC_ONE);
	float a = v->clip->pcm[i];
	float b = i + 1 < v->clip->frames ? v->clip->pcm[i + 1] : 0.0f;
	return a + (b - a) * frac;
}

/* Adds one voice to frames [p, p + n) of the accumulator. */
static void mix_voice(struct mixer *m, struct voice *v, int64_t p, size_t n)
{
	size_t i = 0;
	if (!v->started) {
		int64_t start = v->at > p ? v->at : p;
		if (v->hush_at <= start && v->hush_at < p + (int64_t)n) {
			v->active = false; /* hushed before it began */
			return;
		}
		if (start >= p + (int64_t)n)
			return;
		count_start(m, v, start);
		i = (size_t)(start - p);
	}
	for (; i < n; i++) {
		if (v->fade < 0 && p + (int64_t)i >= v->hush_at)
			v->fade = m->fade_frames;
		float g = 1.0f;
		if (v->fade >= 0) {
			if (v->fade == 0)
				break;
			g = (float)v->fade-- / (float)m->fade_frames;
		}
		m->acc[i] += voice_sample(v) * g;
		v->pos += v->step;
		if ((v->pos >> 32) >= v->clip->frames)
			break;
	}
	if (i < n)
		v->active = false;
}

/* Identity up to three quarters of full scale, then a tanh knee that
 * approaches full scale: loud sums bend instead of wrapping or clipping
 * hard. */
static int16_t saturate(float x)
{
	const float knee = 24576.0f, room = 32767.0f - knee;
	float a = fabsf(x);
	if (a > knee)
		a = knee + room * tanhf((a - knee) / room);
	long s = lrintf(copysignf(a, x));
	if (s > 32767)
		s = 32767;
	if (s < -32768)
		s = -32768;
	return (int16_t)s;
}

static void render_chunk(struct mixer *m, int16_t *out, int64_t p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		m->acc[i] = 0.0f;
	for (int v = 0; v < VOICES; v++)
		if (m->voice[v].active)
			mix_voice(m, &m->voice[v], p, n);
	for (size_t i = 0; i < n; i++) {
		if (m->ramp_left > 0) {
			m->gain += m->gain_step;
			if (--m->ramp_left == 0)
				m->gain = m->target;
		}
		out[i] = saturate(m->acc[i] * m->gain);
	}
}

void mixer_render(struct mixer *m, int16_t *out, size_t frames)
{
	drain(m);
	int64_t p = atomic_load_explicit(&m->position, memory_order_relaxed);
	while (frames > 0) {
		size_t n = frames < CHUNK ? frames : CHUNK;
		render_chunk(m, out, p, n);
		out += n;
		frames -= n;
		p += (int64_t)n;
	}
	atomic_store_explicit(&m->position, p, memory_order_release);
}

int64_t mixer_position(const struct mixer *m)
{
	return atomic_load_explicit(&m->position, memory_order_acquire);
}

void mixer_stats(const struct mixer *m, struct mixer_stats *out)
{
	out->started = atomic_load_explicit(&m->started, memory_order_relaxed);
	out->late = atomic_load_explicit(&m->late, memory_order_relaxed);
	out->late_max =
	    atomic_load_explicit(&m->late_max, memory_order_relaxed);
	out->dropped = atomic_load_explicit(&m->dropped, memory_order_relaxed);
}
