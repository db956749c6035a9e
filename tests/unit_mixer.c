/*
 * unit_mixer.c - the mixer sample by sample: clips start on their exact
 * frame whatever the buffer size, late ones start at once and are
 * counted, voices sum and saturate, a hush fades without a click and
 * drops queued speech only, volume ramps, resampling keeps length and
 * pitch, and the command ring survives a flood and a second thread.
 */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>

#include "mixer.h"

#define ODD 37 /* render buffer size that lines up with nothing */

struct tclip {
	struct clip c;
	int16_t *pcm;
};

static struct tclip make_clip(size_t frames, int rate)
{
	struct tclip t = {.pcm = calloc(frames, sizeof(int16_t))};
	assert_non_null(t.pcm);
	t.c = (struct clip){.pcm = t.pcm, .frames = frames, .rate = rate};
	return t;
}

static struct tclip ramp_clip(size_t frames, int rate, int first)
{
	struct tclip t = make_clip(frames, rate);
	for (size_t i = 0; i < frames; i++)
		t.pcm[i] = (int16_t)(first + (int)i);
	return t;
}

static struct tclip dc_clip(size_t frames, int rate, int value)
{
	struct tclip t = make_clip(frames, rate);
	for (size_t i = 0; i < frames; i++)
		t.pcm[i] = (int16_t)value;
	return t;
}

static struct tclip sine_clip(size_t frames, int rate, double hz, double amp)
{
	struct tclip t = make_clip(frames, rate);
	for (size_t i = 0; i < frames; i++)
		t.pcm[i] =
		    (int16_t)lrint(amp * sin(2 * M_PI * hz * (double)i / rate));
	return t;
}

/* `frames` frames of output, rendered `step` frames at a time. */
static int16_t *render(struct mixer *m, size_t frames, size_t step)
{
	int16_t *out = calloc(frames, sizeof *out);
	assert_non_null(out);
	for (size_t done = 0; done < frames; done += step)
		mixer_render(m, out + done,
			     frames - done < step ? frames - done : step);
	return out;
}

static void assert_clip_at(const int16_t *out, const struct tclip *t, size_t at)
{
	assert_int_equal(out[at - 1], 0);
	for (size_t i = 0; i < t->c.frames; i++)
		assert_int_equal(out[at + i], t->pcm[i]);
	assert_int_equal(out[at + t->c.frames], 0);
}

static void test_exact_frame_across_buffers(void **state)
{
	(void)state;
	struct tclip a = ramp_clip(10, 48000, 1000);
	struct mixer *m = mixer_new(48000);
	/* Crossing a buffer boundary, on one, and inside one. */
	mixer_play(m, &a.c, 2 * ODD - 3, BUS_EFFECT);
	mixer_play(m, &a.c, 4 * ODD, BUS_EFFECT);
	mixer_play(m, &a.c, 6 * ODD + 11, BUS_SPEECH);
	int16_t *out = render(m, 10 * ODD, ODD);
	assert_clip_at(out, &a, 2 * ODD - 3);
	assert_clip_at(out, &a, 4 * ODD);
	assert_clip_at(out, &a, 6 * ODD + 11);
	struct mixer_stats s;
	mixer_stats(m, &s);
	assert_int_equal(s.started, 3);
	assert_int_equal(s.late, 0);
	assert_int_equal(mixer_position(m), 10 * ODD);
	free(out);
	mixer_free(m);
	free(a.pcm);
}

static void test_late_clip_starts_at_once(void **state)
{
	(void)state;
	struct tclip a = ramp_clip(10, 48000, 500);
	struct mixer *m = mixer_new(48000);
	free(render(m, 100, ODD));
	mixer_play(m, &a.c, 50, BUS_EFFECT); /* 50 frames in the past */
	int16_t *out = render(m, 100, ODD);
	for (size_t i = 0; i < a.c.frames; i++)
		assert_int_equal(out[i], a.pcm[i]);
	struct mixer_stats s;
	mixer_stats(m, &s);
	assert_int_equal(s.started, 1);
	assert_int_equal(s.late, 1);
	assert_int_equal(s.late_max, 50);
	free(out);
	mixer_free(m);
	free(a.pcm);
}

static void test_clips_sum_and_saturate(void **state)
{
	(void)state;
	struct tclip a = dc_clip(100, 22050, 1000);
	struct tclip b = dc_clip(100, 22050, 2000);
	struct tclip loud = dc_clip(100, 22050, 30000);
	struct mixer *m = mixer_new(22050);
	mixer_play(m, &a.c, 10, BUS_SPEECH);
	mixer_play(m, &b.c, 60, BUS_EFFECT);
	mixer_play(m, &loud.c, 300, BUS_SPEECH);
	mixer_play(m, &loud.c, 300, BUS_EFFECT);
	mixer_play(m, &loud.c, 300, BUS_EFFECT);
	int16_t *out = render(m, 500, ODD);
	assert_int_equal(out[9], 0);
	assert_int_equal(out[10], 1000);
	assert_int_equal(out[60], 3000);
	assert_int_equal(out[109], 3000);
	assert_int_equal(out[110], 2000);
	assert_int_equal(out[160], 0);
	/* 90000 bends to just under full scale instead of wrapping. */
	assert_true(out[300] > 32000 && out[300] <= 32767);
	free(out);
	mixer_free(m);
	free(a.pcm);
	free(b.pcm);
	free(loud.pcm);
}

static int max_step(const int16_t *x, size_t from, size_t to)
{
	int worst = 0;
	for (size_t i = from + 1; i < to; i++)
		worst =
		    abs(x[i] - x[i - 1]) > worst ? abs(x[i] - x[i - 1]) : worst;
	return worst;
}

static void test_hush_fades_and_drops_queued_speech(void **state)
{
	(void)state;
	const int rate = 48000;
	struct tclip speech = sine_clip(rate, rate, 440, 10000);
	struct tclip queued = dc_clip(1000, rate, 7000);
	struct tclip effect = sine_clip(rate, rate, 220, 3000);
	struct tclip after = ramp_clip(50, rate, 100);

	struct mixer *m = mixer_new(rate);
	mixer_play(m, &speech.c, 0, BUS_SPEECH);
	mixer_play(m, &effect.c, 0, BUS_EFFECT);
	mixer_play(m, &queued.c, 20000, BUS_SPEECH);
	free(render(m, 1000, ODD));
	mixer_hush(m, 4827); /* at a crest of the 440 Hz speech sine */
	mixer_play(m, &after.c, 25000, BUS_SPEECH); /* said after the hush */
	int16_t *out = render(m, 29000, ODD);

	/* What should be left once the fade is over: the effect and the line
	 * that came after the hush, nothing of the queued line. */
	struct mixer *ref = mixer_new(rate);
	mixer_play(ref, &effect.c, 0, BUS_EFFECT);
	mixer_play(ref, &after.c, 25000, BUS_SPEECH);
	int16_t *want = render(ref, 30000, 1000);

	size_t fade_end = 4827 + rate * 5 / 1000 - 1000; /* 5 ms, in out[] */
	for (size_t i = fade_end; i < 29000; i++)
		assert_int_equal(out[i], want[i + 1000]);
	/* Still speaking right up to the hush. */
	assert_true(max_step(out, 3700, 3799) > 200);
	/* The sines alone step at most ~662 a frame; a cut would be ~10000. */
	assert_true(max_step(out, 0, 29000) < 800);

	struct mixer_stats s;
	mixer_stats(m, &s);
	assert_int_equal(s.started, 3); /* speech, effect, after */
	free(out);
	free(want);
	mixer_free(m);
	mixer_free(ref);
	free(speech.pcm);
	free(queued.pcm);
	free(effect.pcm);
	free(after.pcm);
}

static void test_volume_ramps(void **state)
{
	(void)state;
	const int rate = 48000;
	struct tclip dc = dc_clip(rate, rate, 10000);
	struct mixer *m = mixer_new(rate);
	mixer_set_volume_now(m, 50); /* (0.5)^2 */
	mixer_play(m, &dc.c, 0, BUS_EFFECT);
	int16_t *out = render(m, 100, ODD);
	assert_int_equal(out[0], 2500);
	assert_int_equal(out[99], 2500);
	free(out);

	mixer_set_volume(m, 100);
	out = render(m, 2000, ODD);
	for (size_t i = 1; i < 2000; i++)
		assert_true(out[i] >= out[i - 1]); /* rises smoothly */
	assert_true(max_step(out, 0, 2000) <= 8);  /* 7500 over 960 frames */
	assert_true(out[0] < 2600);
	assert_int_equal(out[rate * 20 / 1000], 10000); /* within 20 ms */
	free(out);

	mixer_set_volume(m, 0);
	out = render(m, 2000, ODD);
	assert_true(max_step(out, 0, 2000) <= 11);
	assert_int_equal(out[1999], 0);
	free(out);
	mixer_free(m);
	free(dc.pcm);
}

static void test_resampling_keeps_length_and_pitch(void **state)
{
	(void)state;
	struct tclip s = sine_clip(22050, 22050, 441, 8000); /* 1 s */
	struct mixer *m = mixer_new(48000);
	mixer_play(m, &s.c, 0, BUS_SPEECH);
	int16_t *out = render(m, 50000, ODD);
	size_t last = 0, crossings = 0;
	for (size_t i = 1; i < 50000; i++) {
		if (out[i])
			last = i;
		if ((out[i - 1] < 0) != (out[i] < 0))
			crossings++;
	}
	assert_true(last >= 47995 && last <= 48002);
	assert_true(crossings >= 880 && crossings <= 884); /* 2 x 441 */
	free(out);
	mixer_free(m);
	free(s.pcm);
}

static void test_flood_counts_drops(void **state)
{
	(void)state;
	struct tclip a = ramp_clip(10, 22050, 1);
	struct mixer *m = mixer_new(22050);
	for (int i = 0; i < 5000; i++)
		mixer_play(m, &a.c, i % 7, i % 2 ? BUS_SPEECH : BUS_EFFECT);
	for (int i = 0; i < 50; i++)
		mixer_hush(m, 3);
	free(render(m, 200, ODD));
	struct mixer_stats s;
	mixer_stats(m, &s);
	/* Ring or voices full: every play either sounded or was counted. */
	assert_true(s.dropped >= 5000 - 1024);
	assert_true(s.started > 0);
	assert_true(s.started + s.dropped <= 5050);
	/* Ignored, not crashed on: an empty clip. */
	struct clip empty = {.pcm = a.pcm, .frames = 0, .rate = 22050};
	mixer_play(m, &empty, 300, BUS_EFFECT);
	free(render(m, 200, ODD));
	mixer_free(m);
	free(a.pcm);
}

struct race {
	struct mixer *m;
	const struct clip *c;
	atomic_bool done;
	int posted;
};

static void *control(void *arg)
{
	struct race *r = arg;
	for (int i = 0; i < 20000; i++) {
		mixer_play(r->m, r->c, mixer_position(r->m) + i % 50,
			   BUS_EFFECT);
		r->posted++;
	}
	atomic_store(&r->done, true);
	return NULL;
}

static void test_two_threads(void **state)
{
	(void)state;
	struct tclip a = ramp_clip(8, 22050, 1);
	struct race r = {.m = mixer_new(22050), .c = &a.c};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, control, &r), 0);
	int16_t buf[ODD];
	while (!atomic_load(&r.done))
		mixer_render(r.m, buf, ODD);
	pthread_join(t, NULL);
	for (int i = 0; i < 4; i++) /* drain, then let the last clips end */
		mixer_render(r.m, buf, ODD);
	struct mixer_stats s;
	mixer_stats(r.m, &s);
	assert_int_equal(s.started + s.dropped, r.posted);
	mixer_free(r.m);
	free(a.pcm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_frame_across_buffers),
	    cmocka_unit_test(test_late_clip_starts_at_once),
	    cmocka_unit_test(test_clips_sum_and_saturate),
	    cmocka_unit_test(test_hush_fades_and_drops_queued_speech),
	    cmocka_unit_test(test_volume_ramps),
	    cmocka_unit_test(test_resampling_keeps_length_and_pitch),
	    cmocka_unit_test(test_flood_counts_drops),
	    cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
