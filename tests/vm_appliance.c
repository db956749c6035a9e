/*
 * vm_appliance.c - judges what make check-appliance brought back from the
 * booted appliance (scripts/appliance-vm.sh, tests/appliance/agent.sh),
 * and prints each figure: the unit on tty1 as kiosk through KMSDRM, the
 * screen QEMU's monitor took against the dummy driver's screenshot of the
 * same screen, the voice captured from snd-aloop against the event
 * record, one whole session, and in the full check reload, kill -9, the
 * watchdog, stop, the records across a reboot and the security score.
 *
 * Reads $APPLIANCE_OUT (the machine's out/ folder) and $APPLIANCE_MODE
 * (short or full); runs $KIOSK on this machine for the dummy screenshot.
 * Skips everything without $APPLIANCE_OUT. Run from the top of the tree.
 */
#include "testutil.h"
#include "wav.h"

#include <SDL.h>
#include <SDL_image.h>
#include <math.h>

/* The unit must be active (READY=1) this soon after the kernel started,
 * under qemu's software emulation (TCG), where a boot is many times
 * slower than on a Pi. */
#define ACTIVE_MS 240000
/* Speech onsets: within this of where the record says. */
#define ONSET_MS 50
/* The text is compared in CELL x CELL pixel blocks by mean luminance
 * (0-255): no block may differ by more than CELL_MAX, and all of them by
 * no more than CELL_MEAN on average. A different screen (the console,
 * another state, a shifted layout) differs by far more in the blocks of
 * the big text. */
#define CELL	  20
#define CELL_MAX  32.0
#define CELL_MEAN 3.0
/* The big button is drawn left of this (percent of the width), the text
 * right of it; its disc's centre must be within BUTTON_PX. */
#define BUTTON_COLUMN 37
#define BUTTON_PX     4
/* A sample at this level or above is sound (about -48 dBFS), below
 * QUIET silence: the levels e2e_media.c judges the WAV sink with. */
#define ONSET_LEVEL 128
#define QUIET	    64

static const char *out_dir(void)
{
	return getenv("APPLIANCE_OUT");
}

static bool full(void)
{
	const char *m = getenv("APPLIANCE_MODE");
	return m && !strcmp(m, "full");
}

/* Each test first: skipped without the machine's out/ folder. */
static void need_out(void)
{
	if (!out_dir()) {
		puts("vm_appliance: no APPLIANCE_OUT (run make "
		     "check-appliance)");
		skip();
	}
}

/* The value the agent wrote for key in the phase's results, into v
 * ("" when it wrote none). */
static void result(const char *phase, const char *key, char *v, size_t n)
{
	char path[512], *buf;
	snprintf(path, sizeof path, "%s/results-%s", out_dir(), phase);
	char **l = read_lines(path, &buf);
	size_t k = strlen(key);
	v[0] = '\0';
	for (int i = 0; l[i]; i++)
		if (!strncmp(l[i], key, k) && (l[i][k] == ' ' || !l[i][k]))
			snprintf(v, n, "%s", l[i][k] ? l[i] + k + 1 : "");
	free(l), free(buf);
}

static long result_ms(const char *phase, const char *key)
{
	char v[64];
	result(phase, key, v, sizeof v);
	if (!v[0] || !strcmp(v, "none"))
		fail_msg("%s: %s: no figure (the step timed out)", phase, key);
	return atol(v);
}

static const char *first_phase(void)
{
	return full() ? "full" : "short";
}

/* ---- the unit ---- */

static void check_unit(const char *phase)
{
	char v[256];
	long ms = result_ms(phase, "active_after_boot_ms");
	print_message("%s: kiosk.service active %.1f s after the kernel "
		      "started (limit %d s under TCG)\n",
		      phase, ms / 1000.0, ACTIVE_MS / 1000);
	assert_true(ms <= ACTIVE_MS);
	result(phase, "user", v, sizeof v);
	print_message("%s: running as %s", phase, v);
	assert_string_equal(v, "kiosk");
	result(phase, "tty", v, sizeof v);
	print_message(", standard input %s", v);
	assert_string_equal(v, "/dev/tty1");
	result(phase, "video", v, sizeof v);
	print_message(", its log: \"%s\"\n", v);
	assert_true(!strncmp(v, "video: KMSDRM,", 14));
	result(phase, "audio", v, sizeof v);
	print_message("%s: its log: \"%s\"\n", phase, v);
	result(phase, "gpio", v, sizeof v);
	print_message("%s: its log: \"%s\"\n", phase, v);
}

static void test_unit_active_on_tty1(void **state)
{
	(void)state;
	need_out();
	check_unit(first_phase());
}

/* ---- the screen ---- */

/* The image at path as 24-bit RGB. */
static SDL_Surface *rgb(const char *path)
{
	SDL_Surface *raw = IMG_Load(path);
	if (!raw)
		fail_msg("%s: %s", path, IMG_GetError());
	SDL_Surface *s =
	    SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGB24, 0);
	assert_non_null(s);
	SDL_FreeSurface(raw);
	return s;
}

static const Uint8 *pixel(const SDL_Surface *s, int x, int y)
{
	return (const Uint8 *)s->pixels + y * s->pitch + x * 3;
}

/* Mean luminance of each CELL x CELL block right of x0, into a new array
 * of *w x *h blocks. */
static double *cells(const SDL_Surface *s, int x0, int *w, int *h)
{
	*w = (s->w - x0) / CELL, *h = s->h / CELL;
	double *c = calloc((size_t)*w * (size_t)*h, sizeof *c);
	assert_non_null(c);
	for (int y = 0; y < *h * CELL; y++)
		for (int x = 0; x < *w * CELL; x++) {
			const Uint8 *p = pixel(s, x0 + x, y);
			c[(y / CELL) * *w + x / CELL] +=
			    (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) /
			    (CELL * CELL);
		}
	return c;
}

/* The centre and the area of the big button's teal disc, left of x1. */
static void button(const SDL_Surface *s, int x1, double *cx, double *cy,
		   long *area)
{
	double sx = 0, sy = 0;
	*area = 0;
	for (int y = 0; y < s->h; y++)
		for (int x = 0; x < x1; x++) {
			const Uint8 *p = pixel(s, x, y);
			if (p[0] < 150 && p[1] > 150 && p[2] > 150)
				sx += x, sy += y, ++*area;
		}
	assert_true(*area > 0);
	*cx = sx / (double)*area, *cy = sy / (double)*area;
}

/* The attract screen: its text column compared block by block; the big
 * button, which pulses (so its size depends on the moment the screen is
 * taken), by where its disc is. */
static void test_screen_matches_dummy(void **state)
{
	(void)state;
	need_out();
	char cmd[4096], vm[512], dummy[512];
	snprintf(vm, sizeof vm, "%s/screen.ppm", out_dir());
	snprintf(dummy, sizeof dummy, "%s/dummy", out_dir());
	/* The same routine's attract screen, drawn by the dummy driver. */
	snprintf(cmd, sizeof cmd,
		 "rm -rf %s && mkdir -p %s && echo '1 quit' >%s/quit && "
		 "SDL_VIDEODRIVER=dummy %s --config tests/appliance/kiosk.conf "
		 "--input script:%s/quit --clock virtual --audio none "
		 "--state-dir %s --screenshots %s 2>/dev/null",
		 dummy, dummy, dummy, kiosk(), dummy, dummy, dummy);
	assert_int_equal(run(cmd), 0);
	snprintf(dummy, sizeof dummy, "%s/dummy/001-attract-0-0.png",
		 out_dir());
	assert_int_equal(IMG_Init(IMG_INIT_PNG) & IMG_INIT_PNG, IMG_INIT_PNG);
	SDL_Surface *a = rgb(vm), *b = rgb(dummy);
	print_message("screen: QEMU's screendump %dx%d, the dummy driver's "
		      "%dx%d\n",
		      a->w, a->h, b->w, b->h);
	assert_int_equal(a->w, b->w);
	assert_int_equal(a->h, b->h);
	int x0 = a->w * BUTTON_COLUMN / 100, w, h;
	double *ca = cells(a, x0, &w, &h), *cb = cells(b, x0, &w, &h);
	double worst = 0, sum = 0;
	int at = 0;
	for (int i = 0; i < w * h; i++) {
		double d = fabs(ca[i] - cb[i]);
		sum += d;
		if (d > worst)
			worst = d, at = i;
	}
	print_message("screen: the text column (x >= %d), %d blocks of %d px: "
		      "luminance differs by %.2f on average (limit %.1f), at "
		      "most %.1f at x %d, y %d (limit %.1f)\n",
		      x0, w * h, CELL, sum / (w * h), CELL_MEAN, worst,
		      x0 + at % w * CELL, at / w * CELL, CELL_MAX);
	double ax, ay, bx, by;
	long aa, ba;
	button(a, x0, &ax, &ay, &aa);
	button(b, x0, &bx, &by, &ba);
	double apart = hypot(ax - bx, ay - by);
	print_message("screen: the button's disc centred %.1f px apart "
		      "(limit %d), radius %.0f px and %.0f px (it pulses)\n",
		      apart, BUTTON_PX, sqrt(aa / M_PI), sqrt(ba / M_PI));
	assert_true(sum / (w * h) <= CELL_MEAN);
	assert_true(worst <= CELL_MAX);
	assert_true(apart <= BUTTON_PX);
	free(ca), free(cb);
	SDL_FreeSurface(a), SDL_FreeSurface(b);
	IMG_Quit();
}

/* ---- the voice ---- */

/* The utterances and chimes of the record, as [from, to) ms. A chime's
 * length is not in the record: counted as a second, more than any. */
struct span {
	long from, to;
	bool say;
	char text[160];
};

static int spans(char **l, struct span *s, int max)
{
	int n = 0;
	char ms[32];
	for (int i = 0; l[i] && n < max; i++) {
		bool say = json_is(l[i], "type", "say");
		if (!say && !json_is(l[i], "type", "chime"))
			continue;
		long t = json_ms(l[i]);
		long len = say && json_get(l[i], "ms", ms, sizeof ms) ? atol(ms)
								      : 1000;
		s[n] = (struct span){t, t + len, say, ""};
		json_get(l[i], "text", s[n].text, sizeof s[n].text);
		n++;
	}
	return n;
}

static void test_voice_reaches_the_sound_card(void **state)
{
	(void)state;
	need_out();
	char path[512], *buf;
	snprintf(path, sizeof path, "%s/events.jsonl", out_dir());
	char **l = read_lines(path, &buf);
	static struct span s[512];
	int n = spans(l, s, 512);
	snprintf(path, sizeof path, "%s/voice.wav", out_dir());
	struct wav w;
	wav_load(path, &w, false);
	print_message("voice: %.1f s captured from the loopback, %d sounds "
		      "in the record\n",
		      (double)w.frames / w.rate, n);
	/* The capture started before the press, at a time the record does
	 * not know: its first sound is the first line of the session, and
	 * that fixes the offset between the two clocks. */
	int first = 0;
	while (first < n && !s[first].say)
		first++;
	assert_true(first < n);
	long t0 = wav_onset(&w, 0, wav_ms_at(&w, w.frames), ONSET_LEVEL);
	assert_true(t0 >= 0);
	long offset = t0 - s[first].from;
	print_message("voice: the first line (%.3f s in the record) starts "
		      "%.3f s into the capture\n",
		      s[first].from / 1000.0, t0 / 1000.0);
	/* The short check (CI) stops here: the rest depends on how fast
	 * eSpeak NG runs under TCG on a loaded machine (tests/README.md). */
	bool judge = full();
	char fig[256];
	result(first_phase(), "exit_speech", fig, sizeof fig);
	print_message("voice: the kiosk's own figures at its stop: \"%s\"",
		      fig);
	result(first_phase(), "exit_audio", fig, sizeof fig);
	print_message(", \"%s\"\n", fig);
	int judged = 0, missed = 0;
	long worst = 0;
	for (int i = first + 1; i < n; i++) {
		if (!s[i].say)
			continue;
		/* Only lines after a quiet moment have an onset of their own:
		 * nothing in the record for 300 ms before, and nothing in the
		 * capture in the 200 ms before the window. */
		bool busy = false;
		for (int j = 0; j < i; j++)
			busy |= s[j].to > s[i].from - 300;
		long at = s[i].from + offset;
		if (busy || wav_peak(&w, at - 250, at - ONSET_MS) >= QUIET)
			continue;
		long on = wav_onset(&w, at - ONSET_MS, at + ONSET_MS + 1,
				    ONSET_LEVEL);
		judged++;
		if (on < 0) {
			long later = wav_onset(&w, at, at + 5000, ONSET_LEVEL);
			print_message("voice: no sound within %d ms of \"%s\" "
				      "at %.3f s in the record; ",
				      ONSET_MS, s[i].text, s[i].from / 1000.0);
			if (later < 0)
				print_message("none in the 5 s after\n");
			else
				print_message("the next sound at %.3f s\n",
					      (later - offset) / 1000.0);
			missed++;
			continue;
		}
		long off = labs(on - at);
		worst = off > worst ? off : worst;
	}
	print_message("voice: %d more lines after a quiet moment: %d with "
		      "the onset within %ld ms of the record, %d not (limit "
		      "%d ms)%s\n",
		      judged, judged - missed, worst, missed, ONSET_MS,
		      judge ? "" : "; judged in the full check only");
	if (judge) {
		assert_true(judged >= 3);
		assert_int_equal(missed, 0);
	}
	free(w.buf), free(l), free(buf);
}

/* ---- the session ---- */

static void test_session_completes_and_is_recorded(void **state)
{
	(void)state;
	need_out();
	const char *p = first_phase();
	char before[32], after[32], last[64];
	long ms = result_ms(p, "session_ms");
	result(p, "sessions_before", before, sizeof before);
	result(p, "sessions_after", after, sizeof after);
	result(p, "last_session", last, sizeof last);
	print_message("session: button press to \"completed\" in %.1f s; "
		      "sessions.tsv %s -> %s lines, the last \"%s\"\n",
		      ms / 1000.0, before, after, last);
	/* The session began with the press (the mat could start one too). */
	char path[512], *buf, what[64] = "";
	snprintf(path, sizeof path, "%s/events.jsonl", out_dir());
	char **l = read_lines(path, &buf);
	for (int i = 0; l[i] && !json_is(l[i], "state", "safety"); i++)
		if (json_is(l[i], "type", "input"))
			json_get(l[i], "gesture", what, sizeof what);
	long press = result_ms(p, "press_ms");
	print_message("session: the button held %ld ms by the agent, seen "
		      "as \"%s\" just before the session began\n",
		      press, what);
	free(l), free(buf);
	assert_string_equal(what, "press");
	assert_int_equal(atoi(after), atoi(before) + 1);
	assert_string_equal(last, "completed");
}

/* ---- the full check ---- */

/* ...and these without the full check's phases. */
static void need_full(void)
{
	need_out();
	if (!full()) {
		puts("vm_appliance: the short check (APPLIANCE_MODE=short)");
		skip();
	}
}

static void test_reload(void **state)
{
	(void)state;
	need_full();
	char st[16], ok[16], same[16], ended[16];
	result("full", "reload_status", st, sizeof st);
	result("full", "reloaded", ok, sizeof ok);
	result("full", "reload_same_pid", same, sizeof same);
	result("full", "keyboard_ended", ended, sizeof ended);
	print_message("reload: systemctl reload exit %s; the edited routine "
		      "in use (%s); the same process: %s; keyboard given up "
		      "after it: %s times\n",
		      st, !strcmp(ok, "0") ? "its log says so" : "not seen",
		      same, ended);
	assert_string_equal(st, "0");
	assert_string_equal(ok, "0");
	assert_string_equal(same, "yes");
	/* systemd hangs tty1 up for the reload's kill (TTYVHangup=): the
	 * keyboard opens it again (kiosk/keyboard.c). */
	assert_string_equal(ended, "0");
}

static void test_kill9_restarts(void **state)
{
	(void)state;
	need_full();
	long ms = result_ms("full", "kill9_restart_ms");
	print_message("kill -9: active again in %.1f s (RestartSec=3s)\n",
		      ms / 1000.0);
	assert_true(ms <= 60000);
}

static void test_hang_restarted_by_watchdog(void **state)
{
	(void)state;
	need_full();
	char n[16];
	long ms = result_ms("full", "hang_restart_ms");
	result("full", "hang_watchdog", n, sizeof n);
	print_message("SIGSTOP: active again in %.1f s (WatchdogSec=10s + "
		      "RestartSec=3s); \"Watchdog timeout\" in the journal "
		      "%s time(s)\n",
		      ms / 1000.0, n);
	assert_true(atoi(n) >= 1);
	assert_true(ms <= 90000);
}

/* The session is recorded as shutdown. How long the stop took, and
 * whether systemd had to kill the kiosk, are printed, not judged: see
 * tests/README.md (under TCG the kiosk has been seen to outlast
 * TimeoutStopSec=10s after recording the session). */
static void test_stop_records_shutdown(void **state)
{
	(void)state;
	need_full();
	char last[64], how[64];
	result("full", "stop_last_session", last, sizeof last);
	result("full", "stop_result", how, sizeof how);
	long ms = result_ms("full", "stop_ms");
	print_message("systemctl stop in a session: recorded \"%s\"; the "
		      "stop took %.1f s, the unit's result \"%s\"%s\n",
		      last, ms / 1000.0, how,
		      strcmp(how, "success")
			  ? " (systemd killed it: TimeoutStopSec=10s)"
			  : "");
	assert_string_equal(last, "shutdown");
}

static void test_records_survive_reboot(void **state)
{
	(void)state;
	need_full();
	check_unit("after-reboot");
	static const char *files[] = {"sessions", "progress"};
	for (int i = 0; i < 2; i++) {
		char a[512], b[512];
		snprintf(a, sizeof a, "%s/%s-before-reboot.tsv", out_dir(),
			 files[i]);
		snprintf(b, sizeof b, "%s/%s-after-reboot.tsv", out_dir(),
			 files[i]);
		char *x = read_file(a, NULL), *y = read_file(b, NULL);
		assert_non_null(x);
		assert_non_null(y);
		/* Lines other than the # header: a session, or an exercise's
		 * count. */
		int rows = 0;
		for (char *p = x; *p; p++)
			rows += *p != '#' && (p == x || p[-1] == '\n');
		print_message("reboot: %s.tsv, %d record line(s), the same "
			      "after\n",
			      files[i], rows);
		assert_string_equal(x, y);
		assert_true(rows >= (i == 0 ? 2 : 1));
		free(x), free(y);
	}
}

static void test_security_score(void **state)
{
	(void)state;
	need_full();
	char v[64];
	result("full", "security", v, sizeof v);
	print_message("systemd-analyze security kiosk.service, in the booted "
		      "system: %s\n",
		      v);
	assert_true(v[0]);
	assert_true(atof(v) <= 2.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unit_active_on_tty1),
	    cmocka_unit_test(test_screen_matches_dummy),
	    cmocka_unit_test(test_voice_reaches_the_sound_card),
	    cmocka_unit_test(test_session_completes_and_is_recorded),
	    cmocka_unit_test(test_reload),
	    cmocka_unit_test(test_kill9_restarts),
	    cmocka_unit_test(test_hang_restarted_by_watchdog),
	    cmocka_unit_test(test_stop_records_shutdown),
	    cmocka_unit_test(test_records_survive_reboot),
	    cmocka_unit_test(test_security_score),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
