/*
 * e2e_media.c - the kiosk binary with its voice and its screens on: the
 * WAV it writes judged against its own event record (speech where the
 * record says a line is said, quiet elsewhere, each onset on time, hushes
 * that cut), the screenshots of a whole session, and the faults that must
 * not stop it (no sound device, no display, a voice that does not exist).
 * Run from the top of the tree with $KIOSK naming the binary.
 */
#include "testutil.h"
#include "wav.h"

#include <SDL.h>
#include <SDL_image.h>
#include <glob.h>
#include <math.h>
#include <sched.h>

#include "chime.h"

#define OUT "build/e2e-media"

/* A sample above LOUD (about -36 dBFS) is clearly sound, and below QUIET
 * (-54 dBFS) silence. A line's onset is its first sample at ONSET_LEVEL,
 * the level the speech module trims its silence at. */
#define LOUD	    500
#define QUIET	    64
#define ONSET_LEVEL 128
/* The on-the-beat target: a line's first sound within this of its time. */
#define ONSET_MS 20

/* How late a line may start on the real clock. Under an emulator
 * (TEST_WRAP: make check-cross runs the arm build under qemu-user) the
 * main loop wakes as late as the emulator lets it, tens of ms on a busy
 * machine, which says nothing of a Pi; the check that matters there is
 * that the WAV is never early and not off by the hundreds of ms of the
 * sound's opening, so the limit is wider, and said. */
static long real_clock_late_ms(void)
{
	const char *wrap = getenv("TEST_WRAP");
	long ms = wrap && *wrap ? 100 : ONSET_MS;
	print_message("real clock: a line may start up to %ld ms late%s\n", ms,
		      ms == ONSET_MS ? "" : " (under an emulator)");
	return ms;
}

static int kiosk_run(const char *name, const char *script, const char *opts)
{
	char all[2048];
	snprintf(all, sizeof all, "--exit-after-session %s", opts);
	return kiosk_scripted(OUT, name, script, all);
}

/* ---- the WAV ---- */

/* What the record says is sounding, as [from, to) ms intervals. */
struct span {
	long from, to;
	bool say;
};

/* How long a chime rings, from the same code the kiosk rings it with. */
static long chime_ms(enum chime which)
{
	struct clip *c = chime_new(which, 22050);
	assert_non_null(c);
	long ms = (long)(c->frames * 1000 / (size_t)c->rate) + 1;
	chime_free(c);
	return ms;
}

static int spans_of(char **l, struct span *s, int max)
{
	int n = 0;
	long ring = chime_ms(CHIME_START) > chime_ms(CHIME_END)
			? chime_ms(CHIME_START)
			: chime_ms(CHIME_END);
	char v[32];
	for (; *l && n < max; l++) {
		long t = json_ms(*l);
		if (json_is(*l, "type", "say") &&
		    json_get(*l, "ms", v, sizeof v))
			s[n++] = (struct span){t, t + atol(v), true};
		else if (json_is(*l, "type", "chime"))
			s[n++] = (struct span){t, t + ring, false};
		else if (json_is(*l, "type", "hush"))
			for (int i = 0; i < n; i++)
				if (s[i].say && s[i].to > t)
					s[i].to = t;
	}
	return n;
}

static bool sounding(const struct span *s, int n, long from, long to)
{
	for (int i = 0; i < n; i++)
		if (s[i].from < to && s[i].to > from)
			return true;
	return false;
}

/* Speech where the record says so, each line on time, and quiet between. */
static void judge_wav(const char *name)
{
	char path[256];
	char *buf;
	snprintf(path, sizeof path, OUT "/%s.jsonl", name);
	char **l = read_lines(path, &buf);
	snprintf(path, sizeof path, OUT "/%s.wav", name);
	struct wav w;
	wav_load(path, &w, true);
	static struct span s[4096];
	int n = spans_of(l, s, 4096);
	int says = 0, onsets = 0;
	long worst = 0;
	for (int i = 0; i < n; i++) {
		if (!s[i].say || s[i].to - s[i].from < 100)
			continue;
		says++;
		/* Where nothing else was sounding just before, the onset is
		 * this line's, and it comes within ONSET_MS of its time. */
		if (sounding(s, i, s[i].from - ONSET_MS, s[i].from))
			continue;
		assert_true(wav_peak(&w, s[i].from - ONSET_MS, s[i].from) <
			    ONSET_LEVEL);
		long on = wav_onset(&w, s[i].from, s[i].from + ONSET_MS + 1,
				    ONSET_LEVEL);
		if (on < 0)
			fail_msg("%s: no sound within %d ms of the line at "
				 "%ld ms",
				 name, ONSET_MS, s[i].from);
		long off = on - s[i].from;
		worst = off > worst ? off : worst;
		onsets++;
	}
	/* Quiet wherever nothing is said or rung, in 10 ms windows kept
	 * 10 ms clear of every sound. */
	long end = wav_ms_at(&w, w.frames);
	int quiet_windows = 0;
	for (long t = 0; t + 10 <= end; t += 10) {
		if (sounding(s, n, t - 10, t + 20))
			continue;
		quiet_windows++;
		if (wav_peak(&w, t, t + 10) >= QUIET)
			fail_msg("%s: sound at %ld ms where the record has "
				 "nothing",
				 name, t);
	}
	print_message("%s: %d lines, %d onsets, latest %ld ms after its "
		      "time; %d quiet windows checked\n",
		      name, says, onsets, worst, quiet_windows);
	assert_true(says > 0);
	assert_true(quiet_windows > 0);
	free(w.buf), free(l), free(buf);
}

static void test_wav_of_whole_session_matches_record(void **state)
{
	(void)state;
	assert_int_equal(kiosk_run("whole", "0 mat on\n",
				   "--video none --audio wav:" OUT
				   "/whole.wav"),
			 0);
	judge_wav("whole");
}

static void test_pause_cuts_speech(void **state)
{
	(void)state;
	/* A long opening line, paused a second into it: a short "Paused."
	 * follows, and then nothing of the long line may be heard. */
	write_file(OUT "/cut.conf",
		   "[phrases]\npaused = Paused.\n[routine]\nname = T\n"
		   "redflags_screen = off\n"
		   "intro = This opening line is long on purpose, so that "
		   "there is plenty of it left to cut off when the person "
		   "presses the button to pause the session.\n"
		   "[exercise]\nname = A\nsay = Stand tall.\nkind = hold\n"
		   "seconds = 10\n");
	assert_int_equal(kiosk_run("cut", "0 press\n2 press\n20 press\n",
				   "--config " OUT "/cut.conf --video none "
				   "--audio wav:" OUT "/cut.wav"),
			 0);
	char *buf, **l = read_lines(OUT "/cut.jsonl", &buf);
	struct wav w;
	wav_load(OUT "/cut.wav", &w, true);
	long cut = -1, line_end = -1, paused_end = -1, resumed = -1;
	char v[32];
	for (char **p = l; *p; p++) {
		long t = json_ms(*p);
		if (!json_is(*p, "type", "say") && !json_is(*p, "type", "hush"))
			continue;
		if (json_is(*p, "type", "hush") && cut < 0)
			cut = t;
		else if (json_is(*p, "type", "say") && line_end < 0 &&
			 json_get(*p, "ms", v, sizeof v))
			line_end = t + atol(v);
		else if (json_is(*p, "text", "Paused.") &&
			 json_get(*p, "ms", v, sizeof v))
			paused_end = t + atol(v);
		else if (paused_end > 0 && resumed < 0)
			resumed = t;
	}
	assert_true(cut > 0 && paused_end > cut && resumed > paused_end);
	/* The long line would still be going on here, uncut. */
	assert_true(line_end > paused_end + 1000);
	assert_true(wav_peak(&w, cut - 200, cut) >= LOUD);
	assert_true(wav_peak(&w, paused_end + 10, resumed) < QUIET);
	free(w.buf), free(l), free(buf);
	judge_wav("cut");
}

static void test_other_languages_speak(void **state)
{
	(void)state;
	const char *lang[] = {"de", "es"};
	for (int i = 0; i < 2; i++) {
		char name[16], opts[256];
		snprintf(name, sizeof name, "lang-%s", lang[i]);
		snprintf(opts, sizeof opts,
			 "--config assets/examples/kiosk-%s.conf --assets "
			 "assets --video none --audio wav:" OUT "/%s.wav",
			 lang[i], name);
		assert_int_equal(kiosk_run(name, "0 mat on\n", opts), 0);
		char path[256];
		snprintf(path, sizeof path, OUT "/%s.stderr", name);
		char *err = read_file(path, NULL);
		assert_non_null(err);
		assert_null(strstr(err, "errors"));
		free(err);
		judge_wav(name);
	}
}

/* ---- faults ---- */

static int count_lines(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_no_sound_device_gives_captions_and_one_line(void **state)
{
	(void)state;
	/* On the real clock, for two seconds: the line is shown as a
	 * caption, and the missing card is one line in the log. */
	write_file(OUT "/nodevice.conf", "[settings]\naudio_device = "
					 "no-such-card\n[routine]\nname = "
					 "T\nredflags_screen = off\n[exercise]\nname = A\nsay = "
					 "Stand tall.\nkind = hold\nseconds "
					 "= 10\n");
	write_file(OUT "/nodevice.script", "0 press\n2 quit\n");
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --input script:" OUT "/nodevice.script --config " OUT
		 "/nodevice.conf --video none --audio portaudio --events " OUT
		 "/nodevice.jsonl >" OUT "/nodevice.stdout 2>" OUT
		 "/nodevice.stderr </dev/null",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *err = read_file(OUT "/nodevice.stderr", NULL);
	assert_non_null(err);
	assert_int_equal(count_lines(err, "kiosk: audio:"), 1);
	assert_non_null(strstr(err, "no-such-card"));
	free(err);
	char *captions = read_file(OUT "/nodevice.stdout", NULL);
	assert_non_null(captions);
	assert_non_null(strstr(captions, "> Exercise 1 of 1: A."));
	free(captions);
}

static void test_unknown_voice_is_a_config_error(void **state)
{
	(void)state;
	write_file(OUT "/voice.conf",
		   "[settings]\nlanguage = xx\n[routine]\nname = T\n"
		   "redflags_screen = off\n"
		   "[exercise]\nname = A\nsay = Stand tall.\nkind = hold\n"
		   "seconds = 10\n");
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "%s --check --config " OUT "/voice.conf 2>" OUT
		 "/voice.stderr",
		 kiosk());
	assert_int_equal(run(cmd), 1);
	char *err = read_file(OUT "/voice.stderr", NULL);
	assert_non_null(err);
	assert_non_null(strstr(err, OUT "/voice.conf:2: "));
	assert_non_null(strstr(err, "'xx'"));
	free(err);
	/* Run with it, the kiosk says so and speaks the built-in routine. */
	assert_int_equal(kiosk_run("badvoice", "0 quit\n",
				   "--config " OUT "/voice.conf --video none "
				   "--audio wav:" OUT "/badvoice.wav"),
			 0);
	err = read_file(OUT "/badvoice.stderr", NULL);
	assert_non_null(strstr(err, "built-in routine"));
	free(err);
}

/* On the real clock with screens on, the window and the voice take a
 * while to open before the sound does (here a few ms, on a Pi hundreds);
 * the WAV's sample 0 is still the record's time 0: the first sound the
 * record has (a line or a chime) starts in the WAV no earlier than its
 * "t" (1 ms for rounding) and within real_clock_late_ms() after it. */
static void test_real_clock_wav_starts_at_time_zero(void **state)
{
	(void)state;
	char cmd[1024];
	run("mkdir -p " OUT);
	write_file(OUT "/realtime.script", "3 press\n8 quit\n");
	snprintf(cmd, sizeof cmd,
		 "%s --input script:" OUT "/realtime.script --video sdl "
		 "--audio wav:" OUT "/realtime.wav --events " OUT
		 "/realtime.jsonl --exit-after-session 2>" OUT
		 "/realtime.stderr",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *buf;
	char **l = read_lines(OUT "/realtime.jsonl", &buf);
	long first = -1;
	for (int i = 0; l[i] && first < 0; i++)
		if (json_is(l[i], "type", "say") ||
		    json_is(l[i], "type", "chime"))
			first = json_ms(l[i]);
	assert_true(first > 0);
	struct wav w;
	wav_load(OUT "/realtime.wav", &w, true);
	long on = wav_onset(&w, 0, first + 1000, ONSET_LEVEL);
	print_message("first sound: %ld ms in the record, %ld ms in the WAV\n",
		      first, on);
	assert_true(on >= first - 1);
	assert_true(on <= first + real_clock_late_ms());
	free(w.buf), free(l), free(buf);
}

/* On the real clock with a screen, eSpeak NG is started only once the
 * first frame is up (it takes longer than the window). A voice it lacks
 * is found then, and handled as a reload handles it: logged, the file
 * refused, and the built-in routine runs, speaking with its own voice. */
static void test_voice_opens_after_first_frame(void **state)
{
	(void)state;
	char cmd[1024];
	run("mkdir -p " OUT);
	write_file(OUT "/latevoice.conf",
		   "[settings]\nlanguage = xx\n[routine]\nname = T\n"
		   "redflags_screen = off\n"
		   "[exercise]\nname = A\nsay = Stand tall.\nkind = hold\n"
		   "seconds = 10\n");
	write_file(OUT "/latevoice.script", "2 press\n5 quit\n");
	snprintf(cmd, sizeof cmd,
		 "%s --config " OUT "/latevoice.conf --input script:" OUT
		 "/latevoice.script --video sdl --audio wav:" OUT
		 "/latevoice.wav --events " OUT "/latevoice.jsonl 2>" OUT
		 "/latevoice.stderr",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *err = read_file(OUT "/latevoice.stderr", NULL);
	assert_non_null(err);
	const char *frame = strstr(err, "first frame");
	const char *voice = strstr(err, "'xx'");
	assert_non_null(frame);
	assert_non_null(voice);
	assert_true(frame < voice);
	assert_non_null(strstr(err, "running the built-in routine"));
	free(err);
	/* The built-in routine's welcome is said, and heard in the WAV. */
	char *buf;
	char **l = read_lines(OUT "/latevoice.jsonl", &buf);
	long said = -1;
	for (int i = 0; l[i] && said < 0; i++)
		if (json_is(l[i], "type", "say"))
			said = json_ms(l[i]);
	assert_true(said > 0);
	struct wav w;
	wav_load(OUT "/latevoice.wav", &w, true);
	long on = wav_onset(&w, 0, said + 1000, ONSET_LEVEL);
	assert_true(on >= said - 1);
	assert_true(on <= said + real_clock_late_ms());
	free(w.buf), free(l), free(buf);
}

/* ---- a replay is the same on any machine ---- */

/* The built-in session with its voice into a WAV, on the virtual clock,
 * run with `prefix` before the kiosk; its record and WAV in OUT/NAME. */
static void replay(const char *name, const char *prefix)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "%s%s --input script:tests/cross/session.script --clock "
		 "virtual --video none --exit-after-session --audio "
		 "wav:" OUT "/%s.wav --events " OUT "/%s.jsonl 2>" OUT
		 "/%s.stderr",
		 prefix, kiosk(), name, name, name);
	assert_int_equal(run(cmd), 0);
}

/* A replay's record and WAV do not depend on how fast the machine is:
 * the built-in session, run again with the kiosk and its speech thread
 * on one CPU, is byte for byte the same. Once the engine was made before
 * the voice waited for its lines, and the order eSpeak NG rendered them
 * in (and so some of their lengths) followed the scheduler. Under an
 * emulator make check-cross compares with this machine instead. */
static void test_replay_does_not_depend_on_speed(void **state)
{
	(void)state;
	cpu_set_t cpus;
	const char *wrap = getenv("TEST_WRAP");
	if ((wrap && *wrap) || sched_getaffinity(0, sizeof cpus, &cpus) < 0 ||
	    CPU_COUNT(&cpus) < 2 || run("command -v taskset >/dev/null") != 0) {
		print_message("skipped: needs two CPUs, taskset, no emulator\n");
		skip();
	}
	run("mkdir -p " OUT);
	replay("speed-two", "");
	replay("speed-one", "taskset -c 0 ");
	assert_int_equal(run("cmp " OUT "/speed-two.jsonl " OUT
			     "/speed-one.jsonl"),
			 0);
	assert_int_equal(
	    run("cmp " OUT "/speed-two.wav " OUT "/speed-one.wav"), 0);
}

/* ---- screens ---- */

static void test_screenshots_of_whole_session(void **state)
{
	(void)state;
	run("rm -rf " OUT "/shots");
	assert_int_equal(kiosk_run("shots", "0 mat on\n",
				   "--video sdl --audio none --screenshots " OUT
				   "/shots"),
			 0);
	glob_t g;
	assert_int_equal(glob(OUT "/shots/*.png", 0, NULL, &g), 0);
	const char *kinds[] = {"attract", "safety", "intro", "ready",
			       "hold",	  "reps",   "rest",  "done"};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		bool found = false;
		for (size_t i = 0; i < g.gl_pathc; i++)
			found |= strstr(g.gl_pathv[i], kinds[k]) != NULL;
		if (!found)
			fail_msg("no screenshot of the %s screen", kinds[k]);
	}
	SDL_Surface *img = IMG_Load(g.gl_pathv[0]);
	assert_non_null(img);
	assert_int_equal(img->w, 1280);
	assert_int_equal(img->h, 720);
	SDL_FreeSurface(img);
	print_message("%zu screenshots\n", g.gl_pathc);
	globfree(&g);
}

static void test_no_display_is_voice_only(void **state)
{
	(void)state;
	/* One line, and on it goes. */
	assert_int_equal(
	    kiosk_run("nodisplay", "0 quit\n", "--video sdl --audio none"), 0);
	char *err = read_file(OUT "/nodisplay.stderr", NULL);
	assert_non_null(err);
	assert_int_equal(count_lines(err, "kiosk: video:"), 1);
	assert_non_null(strstr(err, "no display"));
	free(err);
}

static int dummy_video(void **state)
{
	(void)state;
	return setenv("SDL_VIDEODRIVER", "dummy", 1);
}

/* A machine with no desktop and no driver asked for: SDL would fall back
 * to drawing in memory, which must count as no display. */
static int no_display(void **state)
{
	(void)state;
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	unsetenv("SDL_VIDEODRIVER");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wav_of_whole_session_matches_record),
	    cmocka_unit_test(test_replay_does_not_depend_on_speed),
	    cmocka_unit_test(test_pause_cuts_speech),
	    cmocka_unit_test(test_other_languages_speak),
	    cmocka_unit_test(test_no_sound_device_gives_captions_and_one_line),
	    cmocka_unit_test(test_unknown_voice_is_a_config_error),
	    cmocka_unit_test_setup(test_screenshots_of_whole_session,
				   dummy_video),
	    cmocka_unit_test_setup(test_real_clock_wav_starts_at_time_zero,
				   dummy_video),
	    cmocka_unit_test_setup(test_voice_opens_after_first_frame,
				   dummy_video),
	    cmocka_unit_test_setup(test_no_display_is_voice_only, no_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
