/*
 * chime.c - bell tones from decaying sine partials.
 *
 * A bell is mostly its inharmonic partials dying away at different
 * speeds; three of them with exponential decay read as "soft bell" on a
 * small speaker without sounding like a test tone. Each note starts with
 * a 4 ms attack so the first sample is not a click.
 */
#include "chime.h"

#include <math.h>
#include <stdlib.h>

#define LENGTH_MS 900
#define ATTACK_MS 4

struct note {
	double at_s, freq, level;
};

static const double ratio[] = {1.0, 2.76, 5.4}; /* bell-like partials */
static const double level[] = {1.0, 0.35, 0.12};
static const double decay_s[] = {0.30, 0.12, 0.05}; /* time constants */

static void add_note(float *buf, size_t frames, int rate, struct note n)
{
	size_t first = (size_t)(n.at_s * rate);
	double attack = (double)rate * ATTACK_MS / 1000;
	for (size_t i = first; i < frames; i++) {
		double t = (double)(i - first) / rate;
		double env = (double)(i - first) < attack
				 ? (double)(i - first) / attack
				 : 1.0;
		double s = 0;
		for (int p = 0; p < 3; p++)
			s += level[p] * exp(-t / decay_s[p]) *
			     sin(2 * M_PI * n.freq * ratio[p] * t);
		buf[i] += (float)(s * env * n.level);
	}
}

struct clip *chime_new(enum chime which, int rate)
{
	if (rate <= 0)
		return NULL;
	size_t frames = (size_t)rate * LENGTH_MS / 1000;
	struct clip *c = malloc(sizeof *c + frames * sizeof(int16_t));
	float *buf = calloc(frames, sizeof *buf);
	if (!c || !buf) {
		free(c);
		free(buf);
		return NULL;
	}
	if (which == CHIME_START) {
		add_note(buf, frames, rate, (struct note){0.0, 659.26, 0.8});
		add_note(buf, frames, rate, (struct note){0.16, 880.0, 1.0});
	} else {
		add_note(buf, frames, rate, (struct note){0.0, 440.0, 1.0});
	}
	float peak = 0;
	for (size_t i = 0; i < frames; i++)
		peak = fmaxf(peak, fabsf(buf[i]));
	int16_t *pcm = (int16_t *)(c + 1);
	for (size_t i = 0; i < frames; i++)
		pcm[i] = (int16_t)lrintf(buf[i] * CHIME_PEAK / peak);
	free(buf);
	*c = (struct clip){.pcm = pcm, .frames = frames, .rate = rate};
	return c;
}

void chime_free(struct clip *c)
{
	free(c);
}
