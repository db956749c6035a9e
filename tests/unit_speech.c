/*
 * unit_speech.c - eSpeak NG through the speech thread: every line of the
 * built-in routine renders to a trimmed clip with real sound in it,
 * German and Spanish work, unknown voices are named, lengths are exact,
 * the cache and queue behave, and closing with a long queue is clean.
 */
#include "testutil.h"

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "speech.h"
#include "text.h"

#define LEVEL 128 /* speech.c's SILENCE_LEVEL */

static const struct speech_voice english = {"en", "", 150, 50};

/* The open object, closed by the teardown if a test fails half way. */
static struct speech *current;

static struct speech *open_voice(const char *lang, const char *voice)
{
	char err[256] = "";
	struct speech_voice v = {lang, voice, 150, 50};
	current = speech_open(&v, err, sizeof err);
	if (!current)
		fprintf(stderr, "speech_open: %s\n", err);
	assert_non_null(current);
	return current;
}

static void close_voice(void)
{
	speech_close(current);
	current = NULL;
}

static int teardown(void **state)
{
	(void)state;
	close_voice();
	return 0;
}

static double rms(const struct clip *c)
{
	double sum = 0;
	for (size_t i = 0; i < c->frames; i++)
		sum += (double)c->pcm[i] * c->pcm[i];
	return c->frames ? sqrt(sum / c->frames) : 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A clip of a spoken line: 0.1 to 15 s, and loud (silence is 0; quiet
 * speech from eSpeak NG has an RMS in the thousands). */
static void assert_speech(const struct clip *c, const char *text)
{
	if (!c)
		fprintf(stderr, "no clip for '%s'\n", text);
	assert_non_null(c);
	double s = (double)c->frames / c->rate;
	double r = rms(c);
	if (s < 0.1 || s > 15 || r < 500)
		fprintf(stderr, "'%s': %.2f s, rms %.0f\n", text, s, r);
	assert_true(s > 0.1 && s < 15);
	assert_true(r > 500);
}

struct texts {
	char line[512][ROUTINE_TEXT_BYTES];
	int n;
};

static void add(struct texts *t, const char *s)
{
	if (s && *s && t->n < 512)
		text_copy(t->line[t->n++], ROUTINE_TEXT_BYTES, s);
}

static void add_lines(struct texts *t, const struct lines *l)
{
	for (int i = 0; i < l->count; i++)
		add(t, l->line[i]);
}

/* Every line the built-in routine can speak. */
static void builtin_texts(struct texts *t)
{
	size_t len;
	const char *conf = config_builtin(&len);
	struct diags d;
	diag_init(&d, CONFIG_BUILTIN_NAME);
	struct routine *r = config_load_text(conf, len, NULL, "assets", &d);
	diag_free(&d);
	assert_non_null(r);
	add_lines(t, &r->intro);
	add_lines(t, &r->safety);
	add_lines(t, &r->outro);
	for (int i = 0; i < r->exercises; i++) {
		const struct exercise *x = &r->exercise[i];
		add_lines(t, &x->say);
		add_lines(t, &x->caution);
		add_lines(t, &x->between);
		add_lines(t, &x->encourage);
		for (int k = 0; k < 4; k++)
			add(t, x->cue[k]);
	}
	struct text_args a = {.n = 2,
			      .total = r->exercises,
			      .repeat = 1,
			      .repeats = 3,
			      .minutes = 10,
			      .name = r->exercise[0].name};
	for (int p = 0; p < PHRASE_COUNT; p++) {
		char out[ROUTINE_TEXT_BYTES];
		text_format(out, sizeof out, r->settings.phrase[p], &a);
		add(t, out);
	}
	for (int n = 1; n <= 10; n++) {
		char num[4];
		snprintf(num, sizeof num, "%d", n);
		add(t, num);
	}
	routine_free(r);
}

static void test_builtin_routine_renders(void **state)
{
	(void)state;
	static struct texts t;
	t.n = 0;
	builtin_texts(&t);
	assert_true(t.n > 40);
	struct speech *sp = open_voice("en", "");
	double t0 = now_s();
	for (int i = 0; i < t.n; i++)
		speech_prepare(sp, t.line[i]);
	for (int i = 0; i < t.n; i++)
		assert_speech(speech_get(sp, t.line[i], true), t.line[i]);
	double wall = now_s() - t0;
	/* How far the estimate is from the trimmed clips (reported only). */
	double sum = 0, sq = 0;
	for (int i = 0; i < t.n; i++) {
		double d = (double)(text_speech_estimate(t.line[i], 150) -
				    speech_length(sp, t.line[i], 150));
		sum += d;
		sq += d * d;
	}
	printf("speech: estimate minus exact length: mean %.0f ms, rms %.0f "
	       "ms\n",
	       sum / t.n, sqrt(sq / t.n));
	struct speech_stats st;
	speech_stats(sp, &st);
	printf("speech: %d lines (%d asked), %.1f s of audio, %.3f s CPU, "
	       "%.3f s wall: %.0fx real time; %zu KiB cached\n",
	       st.lines, t.n, st.audio_s, st.synth_s, wall,
	       st.audio_s / st.synth_s, st.bytes / 1024);
	assert_true(st.lines <= t.n); /* duplicates render once */
	assert_true(st.audio_s > 60);
	assert_true(st.bytes > (size_t)(st.audio_s * 22050 * 2));
	close_voice();
}

static void test_german_and_spanish(void **state)
{
	(void)state;
	static const char *de[] = {"Atme ein.", "Halte die Position.",
				   "Atme aus.", "Gut gemacht!"};
	static const char *es[] = {"Respira hondo.", "Mantén la posición.",
				   "Suelta el aire despacio.", "¡Muy bien!"};
	struct speech *sp = open_voice("de", "");
	for (int i = 0; i < 4; i++)
		assert_speech(speech_get(sp, de[i], true), de[i]);
	close_voice();
	sp = open_voice("es", "f3");
	for (int i = 0; i < 4; i++)
		assert_speech(speech_get(sp, es[i], true), es[i]);
	close_voice();
}

static void expect_open_fails(const char *lang, const char *voice,
			      const char *named)
{
	char err[256] = "";
	struct speech_voice v = {lang, voice, 150, 50};
	assert_null(speech_open(&v, err, sizeof err));
	printf("refused %s/%s: %s\n", lang, voice, err);
	assert_non_null(strstr(err, named));
}

static void test_unknown_voices_are_named(void **state)
{
	(void)state;
	expect_open_fails("xx", "", "'xx'");
	expect_open_fails("en", "nosuchvariant", "'nosuchvariant'");
	expect_open_fails("de", "en+nosuchvariant", "'nosuchvariant'");
	expect_open_fails("en", "F3", "'F3'"); /* variant files: exact case */
	expect_open_fails("en-xx", "", "'en-xx'");
	/* Still usable after the refusals; language tags and full names. */
	open_voice("en-gb", "en-us+m3");
	close_voice();
}

/* Same text, same voice: eSpeak NG 1.51 varies the length by about 0.5%
 * from one rendering to the next, so lengths are compared within 3%. */
static bool close_to(size_t a, size_t b)
{
	return a * 100 < b * 103 && b * 100 < a * 103;
}

static void test_voice_check_while_running(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	const char *line = "Keep your back long and your chin tucked.";
	const struct clip *c = speech_get(sp, line, true);
	assert_non_null(c);
	size_t before = c->frames;
	/* Checks at twice the rate: a voice left behind would show. */
	struct speech_voice good[] = {{"de", "", 300, 50},
				      {"es", "m3", 300, 40},
				      {"EN", "en+f3", 300, 70},
				      {"en-gb", "", 300, 50}};
	struct speech_voice bad[] = {{"xx", "", 150, 50},
				     {"en", "nosuchvariant", 150, 50}};
	char why[256];
	for (int i = 0; i < 4; i++) {
		why[0] = '\0';
		int rc = speech_voice_check(sp, &good[i], why, sizeof why);
		if (rc)
			fprintf(stderr, "%s\n", why);
		assert_int_equal(rc, 0);
	}
	assert_int_equal(speech_voice_check(sp, &bad[0], why, sizeof why), -1);
	assert_non_null(strstr(why, "'xx'"));
	assert_int_equal(speech_voice_check(sp, &bad[1], why, sizeof why), -1);
	assert_non_null(strstr(why, "'nosuchvariant'"));
	/* The English voice at 150 words a minute is back. */
	const char *again = "Keep your back long and your chin tucked!";
	size_t after = speech_get(sp, again, true)->frames;
	printf("before the checks %zu frames, after %zu\n", before, after);
	assert_true(close_to(before, after));
	close_voice();
}

/* A new voice (a routine read again): the same line comes out anew in it,
 * lines queued for the old voice are not rendered in the new one under the
 * old one's name, and the old clip stays as it was (the mixer may be
 * playing it). A bad voice changes nothing. */
static void test_set_voice_renders_anew(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	const char *line = "Let your shoulders drop away from your ears.";
	const struct clip *old = speech_get(sp, line, true);
	assert_non_null(old);
	size_t old_frames = old->frames;
	int16_t old_first = old->pcm[old_frames / 2];
	speech_prepare(sp, "A line queued for the English voice.");
	speech_prepare(sp, "Another line, to keep the queue busy.");
	char why[256];
	struct speech_voice fast = {"en", "", 300, 50};
	assert_int_equal(speech_set_voice(sp, &fast, why, sizeof why), 0);
	const struct clip *now = speech_get(sp, line, true);
	assert_non_null(now);
	printf("at 150 words a minute %zu frames, at 300 %zu\n", old_frames,
	       now->frames);
	assert_ptr_not_equal(now, old);
	assert_true(now->frames < old_frames * 3 / 4);
	assert_int_equal(old->frames, old_frames);
	assert_int_equal(old->pcm[old_frames / 2], old_first);

	struct speech_voice bad = {"xx", "", 150, 50};
	assert_int_equal(speech_set_voice(sp, &bad, why, sizeof why), -1);
	assert_non_null(strstr(why, "'xx'"));
	assert_ptr_equal(speech_get(sp, line, true), now);
	/* The line queued before the change comes out in the new voice:
	 * back at 150 words a minute it is much longer. */
	const char *queued = "A line queued for the English voice.";
	size_t fast_frames = speech_get(sp, queued, true)->frames;
	assert_int_equal(speech_set_voice(sp, &english, why, sizeof why), 0);
	size_t slow_frames = speech_get(sp, queued, true)->frames;
	printf("the queued line: %zu frames fast, %zu slow\n", fast_frames,
	       slow_frames);
	assert_true(slow_frames > fast_frames * 4 / 3);
	close_voice();
}

static size_t first_loud(const struct clip *c)
{
	size_t i = 0;
	while (i < c->frames && abs(c->pcm[i]) < LEVEL)
		i++;
	return i;
}

static size_t last_quiet_run(const struct clip *c)
{
	size_t end = c->frames;
	while (end > 0 && abs(c->pcm[end - 1]) < LEVEL)
		end--;
	return c->frames - end;
}

static void wait_for(struct speech *sp, const char *text)
{
	struct pollfd p = {.fd = speech_fd(sp), .events = POLLIN};
	for (int i = 0; i < 1000 && !speech_get(sp, text, false); i++) {
		/* Generous: a stuck thread fails here, a slow one does not. */
		assert_int_equal(poll(&p, 1, 10000), 1);
		uint64_t n;
		assert_int_equal(read(p.fd, &n, sizeof n), sizeof n);
	}
}

static void test_trim_and_length(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	const char *a = "Sit tall and breathe in slowly.";
	int rate = english.rate;
	/* Not rendered, not blocking: the estimate, and the line queued. */
	assert_int_equal(speech_length(sp, a, rate),
			 text_speech_estimate(a, rate));
	wait_for(sp, a);
	const struct clip *c = speech_get(sp, a, false);
	assert_non_null(c);
	assert_int_equal(c->rate, 22050);
	/* The words start within 10 ms (the margin is 5 ms) and end so. */
	assert_true(first_loud(c) > 0);
	assert_true(first_loud(c) <= (size_t)c->rate / 100);
	assert_true(last_quiet_run(c) <= (size_t)c->rate / 100);
	kt_ms ms = (kt_ms)((c->frames * 1000 + c->rate - 1) / c->rate);
	assert_int_equal(speech_length(sp, a, rate), ms);
	/* A fresh line without waiting: NULL now, the clip later. */
	const char *b = "Rest your arms by your sides.";
	assert_null(speech_get(sp, b, false));
	wait_for(sp, b);
	assert_non_null(speech_get(sp, b, false));
	/* Blocking: the exact length straight away. */
	speech_set_blocking(sp, true);
	const char *d = "Now lower your hips gently.";
	kt_ms len = speech_length(sp, d, rate);
	c = speech_get(sp, d, false);
	assert_non_null(c);
	assert_int_equal(len, (kt_ms)((c->frames * 1000 + 22049) / 22050));
	assert_true(len != text_speech_estimate(d, rate));
	/* Nothing to say is an empty clip, not a failure. */
	c = speech_get(sp, " ", true);
	assert_non_null(c);
	assert_int_equal(c->frames, 0);
	close_voice();
}

static void test_duplicates_render_once(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	for (int i = 0; i < 5; i++)
		speech_prepare(sp, "Breathe out.");
	const struct clip *c = speech_get(sp, "Breathe out.", true);
	assert_ptr_equal(speech_get(sp, "Breathe out.", true), c);
	struct speech_stats st;
	speech_stats(sp, &st);
	assert_int_equal(st.lines, 1);
	close_voice();
}

static void test_urgent_line_skips_the_queue(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	char line[ROUTINE_TEXT_BYTES];
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof line,
			 "Line %d: lie back over the roller, arms crossed over "
			 "your chest, and let your upper back open slowly.",
			 i);
		speech_prepare(sp, line);
	}
	/* About three minutes of audio queued; this one goes first. */
	assert_non_null(speech_get(sp, "Stop if it hurts.", true));
	struct speech_stats st;
	speech_stats(sp, &st);
	assert_true(st.lines < 50);
	close_voice(); /* with most of the queue left: no hang, no leak */
}

/* On a virtual clock a replay must not depend on timing, and eSpeak NG's
 * rendering of a line depends on the line before it: so a line waited
 * for is rendered after those asked for before it, never ahead. */
static void test_virtual_clock_keeps_the_order(void **state)
{
	(void)state;
	struct speech *sp = open_voice("en", "");
	speech_set_blocking(sp, true);
	char line[ROUTINE_TEXT_BYTES];
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof line,
			 "Line %d: lie back over the roller, arms crossed over "
			 "your chest, and let your upper back open slowly.",
			 i);
		speech_prepare(sp, line);
	}
	speech_length(sp, "Stop if it hurts.", 175);
	struct speech_stats st;
	speech_stats(sp, &st);
	assert_int_equal(st.lines, 11);
	close_voice();
}

static void test_one_object_at_a_time(void **state)
{
	(void)state;
	open_voice("en", "");
	char err[256] = "";
	assert_null(speech_open(&english, err, sizeof err));
	assert_non_null(strstr(err, "already open"));
	close_voice();
	open_voice("en", "");
	close_voice();
}

/* The kiosk blocks SIGINT, SIGTERM and SIGHUP in its main thread (to
 * read them from a signalfd) after the voice is open. A signal sent to
 * the process then must wait for the main thread, not go to the speech
 * thread, whose default action would kill the process: before the fix a
 * SIGTERM mid-session ended the kiosk with status 143, no record. */
static void test_thread_takes_no_signals(void **state)
{
	(void)state;
	open_voice("en", "");
	sigset_t set, was;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &set, &was), 0);
	const int sigs[] = {SIGHUP, SIGINT, SIGTERM};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		assert_int_equal(kill(getpid(), sigs[i]), 0);
		struct timespec wait = {.tv_sec = 2};
		assert_int_equal(sigtimedwait(&set, NULL, &wait), sigs[i]);
	}
	assert_int_equal(pthread_sigmask(SIG_SETMASK, &was, NULL), 0);
	close_voice();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_builtin_routine_renders, teardown),
	    cmocka_unit_test_teardown(test_german_and_spanish, teardown),
	    cmocka_unit_test_teardown(test_unknown_voices_are_named, teardown),
	    cmocka_unit_test_teardown(test_voice_check_while_running, teardown),
	    cmocka_unit_test_teardown(test_virtual_clock_keeps_the_order,
				      teardown),
	    cmocka_unit_test_teardown(test_set_voice_renders_anew, teardown),
	    cmocka_unit_test_teardown(test_trim_and_length, teardown),
	    cmocka_unit_test_teardown(test_duplicates_render_once, teardown),
	    cmocka_unit_test_teardown(test_urgent_line_skips_the_queue,
				      teardown),
	    cmocka_unit_test_teardown(test_one_object_at_a_time, teardown),
	    cmocka_unit_test_teardown(test_thread_takes_no_signals, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
