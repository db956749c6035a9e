/*
 * unit_audio.c - the sinks. The WAV sink is read back sample by sample:
 * header and sizes, each burst on the frame its time maps to, silence
 * elsewhere, a chime mixed under speech. The device sink is opened with
 * no device, with a device name that matches nothing, and through a real
 * PortAudio stream on an ALSA "file" PCM (over "null") set up in a
 * test-made ~/.asoundrc, so the callback path and the stream's samples
 * are checked without a sound card.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "chime.h"
#include "clock.h"

static const char *out_dir(void)
{
	const char *d = getenv("KIOSK_OUT");
	return d && *d ? d : "build";
}

static void out_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/unit_audio-%s", out_dir(), name);
}

/* A 440 Hz burst starting at its peak, so its first sample is nonzero. */
static struct clip burst(int16_t *pcm, size_t frames)
{
	for (size_t i = 0; i < frames; i++)
		pcm[i] = (int16_t)lrint(
		    8000 * cos(2 * M_PI * 440 * (double)i / AUDIO_RATE));
	return (struct clip){.pcm = pcm, .frames = frames, .rate = AUDIO_RATE};
}

static uint32_t le(const unsigned char *p, int bytes)
{
	uint32_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The samples of a WAV file this sink wrote, after checking its header. */
static int16_t *read_wav(const char *path, size_t *frames)
{
	size_t len = 0;
	unsigned char *f = (unsigned char *)read_file(path, &len);
	assert_non_null(f);
	assert_true(len >= 44);
	assert_memory_equal(f, "RIFF", 4);
	assert_int_equal(le(f + 4, 4), len - 8);
	assert_memory_equal(f + 8, "WAVEfmt ", 8);
	assert_int_equal(le(f + 20, 2), 1); /* PCM */
	assert_int_equal(le(f + 22, 2), 1); /* mono */
	assert_int_equal(le(f + 24, 4), AUDIO_RATE);
	assert_int_equal(le(f + 34, 2), 16); /* bits */
	assert_memory_equal(f + 36, "data", 4);
	assert_int_equal(le(f + 40, 4), len - 44);
	*frames = (len - 44) / 2;
	int16_t *s = calloc(*frames + 1, sizeof *s);
	assert_non_null(s);
	for (size_t i = 0; i < *frames; i++)
		s[i] = (int16_t)le(f + 44 + 2 * i, 2);
	free(f);
	return s;
}

static int64_t frame_of(kt_ms t, kt_ms start)
{
	return (t - start) * AUDIO_RATE / 1000;
}

static void test_wav_bursts_on_the_timeline(void **state)
{
	(void)state;
	char path[512];
	out_path(path, sizeof path, "bursts.wav");
	int16_t pcm[2205];
	struct clip b = burst(pcm, 2205); /* 100 ms */
	const kt_ms start = 1000, at[] = {1500, 2750, 4000};

	struct audio *a = audio_open_wav(path, 100, start);
	assert_non_null(a);
	assert_true(audio_playing(a));
	assert_int_equal(audio_latency(a), 0);
	audio_play(a, &b, at[0], true);
	audio_play(a, &b, at[1], true);
	audio_advance(a, 1200);
	assert_true(audio_wake(a) > 1200 && audio_wake(a) <= 2200);
	audio_advance(a, 3000); /* a virtual clock's jump */
	audio_play(a, &b, at[2], false);
	for (kt_ms t = 3000; t < 4500; t += 7) /* a real clock's small steps */
		audio_advance(a, t);
	struct audio_stats st;
	audio_stats(a, &st);
	audio_close(a, 5000);

	assert_int_equal(st.mix.started, 3);
	assert_int_equal(st.mix.late, 0);
	/* Frame = floor(ms * 22.05): heard at most 1/22.05 ms early. */
	assert_true(st.offset_p50_ms <= 0 && st.offset_p50_ms > -0.05);
	assert_true(st.offset_p99_ms <= 0 && st.offset_p99_ms > -0.05);

	size_t n;
	int16_t *s = read_wav(path, &n);
	assert_int_equal(n, frame_of(5000, start));
	size_t next = 0;
	for (int k = 0; k < 3; k++) {
		size_t on = (size_t)frame_of(at[k], start);
		for (; next < on; next++)
			assert_int_equal(s[next], 0); /* silence before */
		for (size_t i = 0; i < b.frames; i++, next++)
			assert_int_equal(s[next], pcm[i]);
	}
	for (; next < n; next++)
		assert_int_equal(s[next], 0);
	free(s);
}

static void test_wav_chime_under_speech_and_hush(void **state)
{
	(void)state;
	char path[512];
	out_path(path, sizeof path, "chime.wav");
	int16_t pcm[AUDIO_RATE / 2];
	struct clip b = burst(pcm, AUDIO_RATE / 2); /* 500 ms */
	struct clip *chime = chime_new(CHIME_START, AUDIO_RATE);
	assert_non_null(chime);

	struct audio *a = audio_open_wav(path, 100, 0);
	assert_non_null(a);
	audio_chime(a, CHIME_START, 100);
	audio_play(a, &b, 100, true);
	audio_hush(a, 400); /* the speech stops, the chime rings on */
	audio_close(a, 1500);

	size_t n;
	int16_t *s = read_wav(path, &n);
	size_t on = (size_t)frame_of(100, 0), hush = (size_t)frame_of(400, 0);
	for (size_t i = 0; i < hush - on; i++) /* both, summed */
		assert_int_equal(s[on + i], pcm[i] + chime->pcm[i]);
	size_t faded = hush + AUDIO_RATE * 5 / 1000 + 1 - on;
	for (size_t i = faded; i < chime->frames; i++) /* the chime alone */
		assert_int_equal(s[on + i], chime->pcm[i]);
	free(s);
	chime_free(chime);
}

static void test_chimes_differ_and_stay_quiet(void **state)
{
	(void)state;
	struct clip *c[2] = {chime_new(CHIME_START, AUDIO_RATE),
			     chime_new(CHIME_END, AUDIO_RATE)};
	for (int k = 0; k < 2; k++) {
		assert_non_null(c[k]);
		int peak = 0;
		for (size_t i = 0; i < c[k]->frames; i++)
			peak =
			    abs(c[k]->pcm[i]) > peak ? abs(c[k]->pcm[i]) : peak;
		assert_int_equal(peak, CHIME_PEAK);
		assert_true(abs(c[k]->pcm[0]) < 100); /* no click */
		assert_true(c[k]->frames >= AUDIO_RATE * 6 / 10 &&
			    c[k]->frames <= AUDIO_RATE);
	}
	/* The start chime rises: a second note after 160 ms. */
	size_t second = AUDIO_RATE * 16 / 100;
	long diff = 0;
	for (size_t i = second; i < second + 1000; i++)
		diff += abs(c[0]->pcm[i] - c[1]->pcm[i]);
	assert_true(diff > 1000 * 500);
	chime_free(c[0]);
	chime_free(c[1]);
}

static void test_wav_unwritable(void **state)
{
	(void)state;
	errno = 0;
	assert_null(audio_open_wav("/nonexistent/dir/x.wav", 80, 0));
	assert_int_equal(errno, ENOENT);
}

/* --- device sink ------------------------------------------------------ */

/* Runs fn with stderr going to a file; returns how many lines it got. */
static int stderr_lines(void (*fn)(void *), void *arg, char *text, size_t n)
{
	char path[512];
	out_path(path, sizeof path, "stderr.txt");
	fflush(stderr);
	int saved = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char *s = read_file(path, NULL);
	assert_non_null(s);
	int lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	snprintf(text, n, "%s", s);
	free(s);
	return lines;
}

/* An ALSA setup of our own, so the tests do not depend on the host's. */
static void alsa_home(const char *name, const char *asoundrc)
{
	char dir[512], rc[600];
	out_path(dir, sizeof dir, name);
	mkdir(dir, 0755);
	snprintf(rc, sizeof rc, "%s/.asoundrc", dir);
	write_file(rc, asoundrc ? asoundrc : "");
	setenv("HOME", dir, 1);
}

struct opening {
	const char *name;
	int volume;
	kt_ms now;
	struct audio *a;
};

static void open_it(void *arg)
{
	struct opening *o = arg;
	o->a = audio_open_device(o->name, o->volume, o->now);
}

static void advance_it(void *arg)
{
	struct opening *o = arg;
	audio_advance(o->a, o->now);
}

static void test_device_default_without_card(void **state)
{
	(void)state;
	alsa_home("home-empty", NULL);
	int16_t pcm[100];
	struct clip b = burst(pcm, 100);
	struct opening o = {.name = "default", .volume = 80, .now = 0};
	char text[4096];
	int lines = stderr_lines(open_it, &o, text, sizeof text);
	assert_non_null(o.a);
	assert_true(lines <= 1); /* ALSA's and JACK's noise silenced */
	if (!audio_playing(o.a)) {
		assert_non_null(strstr(text, "no output device 'default'"));
		assert_int_equal(audio_wake(o.a), 5000);
	} else {
		assert_true(audio_wake(o.a) <= 1000);
	}
	audio_play(o.a, &b, 100, true);
	audio_chime(o.a, CHIME_END, 100);
	audio_hush(o.a, 150);
	audio_set_volume(o.a, 50);
	assert_true(audio_latency(o.a) >= 0);
	audio_close(o.a, 200);
}

static void test_device_no_such_card(void **state)
{
	(void)state;
	alsa_home("home-empty", NULL);
	struct opening o = {.name = "no-such-card", .volume = 80, .now = 1000};
	char text[4096];
	assert_int_equal(stderr_lines(open_it, &o, text, sizeof text), 1);
	assert_non_null(strstr(text, "no-such-card"));
	assert_false(audio_playing(o.a));
	assert_int_equal(audio_wake(o.a), 6000);
	/* The retry finds nothing again, quietly, and waits again. */
	o.now = 6000;
	assert_int_equal(stderr_lines(advance_it, &o, text, sizeof text), 0);
	assert_false(audio_playing(o.a));
	assert_int_equal(audio_wake(o.a), 11000);
	struct audio_stats st;
	audio_stats(o.a, &st);
	assert_int_equal(st.reopened, 0);
	audio_close(o.a, 7000);
}

static size_t find_clip(const int16_t *s, size_t n, const struct clip *c)
{
	for (size_t i = 1; i + c->frames <= n; i++)
		if (s[i] == c->pcm[0] && s[i - 1] == 0 &&
		    !memcmp(s + i, c->pcm, c->frames * sizeof *s))
			return i;
	return SIZE_MAX;
}

/* ALSA's "null" PCM takes samples as fast as they come (it does not pace
 * in real time), and the "file" PCM in front of it keeps every one. */
static void test_device_stream_through_alsa_file_pcm(void **state)
{
	(void)state;
	char raw[512], rc[1024];
	out_path(raw, sizeof raw, "alsa.raw");
	snprintf(rc, sizeof rc,
		 "pcm.!default {\n\ttype file\n\tslave.pcm \"null\"\n"
		 "\tfile \"%s\"\n\tformat \"raw\"\n}\n",
		 raw);
	alsa_home("home-file", rc);

	struct kclock clk;
	kclock_init(&clk, false);
	struct opening o = {
	    .name = "default", .volume = 100, .now = kclock_now(&clk)};
	char text[4096];
	int lines = stderr_lines(open_it, &o, text, sizeof text);
	assert_true(lines <= 1);
	assert_true(audio_playing(o.a));
	int16_t pcm[1000];
	struct clip b = burst(pcm, 1000);
	kt_ms at = kclock_now(&clk) + audio_latency(o.a) + 100;
	audio_play(o.a, &b, at, true);

	/* The main loop's part, until the burst has started and a little
	 * more has been rendered (the stream runs far faster than real
	 * time here, so a few ms is many seconds of samples). */
	struct audio_stats st = {0};
	for (int i = 0; i < 500 && !st.mix.started; i++) {
		nanosleep(&(struct timespec){0, 2000000}, NULL);
		audio_advance(o.a, kclock_now(&clk));
		audio_stats(o.a, &st);
	}
	nanosleep(&(struct timespec){0, 5000000}, NULL);
	assert_true(audio_playing(o.a));
	kt_ms latency = audio_latency(o.a);
	audio_close(o.a, kclock_now(&clk));

	assert_int_equal(st.mix.started, 1);
	assert_int_equal(st.mix.late, 0);
	size_t len = 0;
	char *bytes = read_file(raw, &len);
	assert_non_null(bytes);
	/* Copied into int16_t storage: a char buffer's alignment is not
	 * int16_t's on strict-alignment targets (-Wcast-align=strict). */
	size_t n = len / 2;
	int16_t *s = malloc(n * sizeof *s + 1);
	assert_non_null(s);
	memcpy(s, bytes, n * sizeof *s);
	free(bytes);
	print_message("   %s   latency %lld ms, %d resyncs, %zu frames "
		      "captured\n",
		      text, (long long)latency, st.resyncs, n);
	/* The stream carried the burst sample for sample, in silence: what
	 * the WAV sink writes for the same clip. */
	size_t on = find_clip(s, n, &b);
	assert_true(on != SIZE_MAX);
	for (size_t i = 0; i < n; i++)
		if (i < on || i >= on + b.frames)
			assert_int_equal(s[i], 0);
	free(s);
	unlink(raw);
}

/* A device 300 ppm fast, measured every 512 frames with up to +-2 ms of
 * scheduling jitter: the model settles on the true heard time. */
static void test_clock_follows_drift_through_jitter(void **state)
{
	(void)state;
	struct audio_clock k;
	audio_clock_init(&k, 48000, 1e9);
	const double true_ns_per_frame = 1e9 / 48000 / 1.0003;
	unsigned seed = 1;
	double worst = 0;
	for (int i = 0; i < 4000; i++) {
		int64_t f = (int64_t)i * 512;
		double truth = 1e9 + (double)f * true_ns_per_frame;
		seed = seed * 1103515245 + 12345;
		double jitter =
		    ((double)(seed >> 16 & 0x7fff) / 0x7fff - 0.5) * 4e6;
		audio_clock_update(&k, f, truth + jitter);
		if (i > 2000) /* after ~20 s */
			worst =
			    fmax(worst, fabs(audio_clock_heard(&k, f) - truth));
	}
	print_message("   clock: worst error after settling %.3f ms\n",
		      worst / 1e6);
	assert_int_equal(k.resyncs, 0);
	assert_true(worst < 1e6);
	/* And it maps times back to the frames they belong to. */
	int64_t f = 4000 * 512;
	assert_int_equal(audio_clock_frame(&k, audio_clock_heard(&k, f)), f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wav_bursts_on_the_timeline),
	    cmocka_unit_test(test_wav_chime_under_speech_and_hush),
	    cmocka_unit_test(test_chimes_differ_and_stay_quiet),
	    cmocka_unit_test(test_wav_unwritable),
	    cmocka_unit_test(test_clock_follows_drift_through_jitter),
	    cmocka_unit_test(test_device_default_without_card),
	    cmocka_unit_test(test_device_no_such_card),
	    cmocka_unit_test(test_device_stream_through_alsa_file_pcm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
