/*
 * e2e.c - the kiosk binary run as a user or a test harness would: routine
 * files checked against golden output, and scripted virtual-clock sessions
 * judged by their event record. Run from the top of the tree, with
 * $KIOSK naming the binary (make test sets it).
 */
#include "testutil.h"

#include <glob.h>

/* A golden .err file with a line that is not a warning means --check must
 * fail; warnings alone leave the file usable. */
static bool has_error_line(const char *err)
{
	for (const char *line = err; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)len, line);
		if (len && !strstr(buf, ": warning: "))
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

#define OUT "build/e2e-out"

/* Run the kiosk on a script; the record is left in OUT/<name>.jsonl. */
static int session(const char *name, const char *script, const char *extra)
{
	char opts[1024];
	snprintf(opts, sizeof opts,
		 "--video none --audio none --exit-after-session %s",
		 extra ? extra : "");
	return kiosk_scripted(OUT, name, script, opts);
}

/* The record as lines (a NULL-terminated array into one buffer). */
static char **record(const char *name, char **buf)
{
	char path[256];
	snprintf(path, sizeof path, OUT "/%s.jsonl", name);
	return read_lines(path, buf);
}

static const char *first(char **lines, const char *type, const char *key,
			 const char *value)
{
	for (; *lines; lines++)
		if (json_is(*lines, "type", type) &&
		    (!key || json_is(*lines, key, value)))
			return *lines;
	return NULL;
}

static int count_type(char **lines, const char *type, const char *key,
		      const char *value)
{
	int n = 0;
	for (; *lines; lines++)
		n += json_is(*lines, "type", type) &&
		     (!key || json_is(*lines, key, value));
	return n;
}

/* ---- routine files ---- */

static void test_config_goldens(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("tests/config/*.conf", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 5);
	run("mkdir -p " OUT);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char cmd[1024], want_err[256], want_out[256];
		const char *conf = g.gl_pathv[i];
		size_t stem = strlen(conf) - strlen(".conf");
		snprintf(want_err, sizeof want_err, "%.*s.err", (int)stem,
			 conf);
		snprintf(want_out, sizeof want_out, "%.*s.out", (int)stem,
			 conf);
		snprintf(cmd, sizeof cmd,
			 "%s --check --assets assets --config %s >" OUT
			 "/check.out 2>" OUT "/check.err",
			 kiosk(), conf);
		int rc = run(cmd);
		char *got_err = read_file(OUT "/check.err", NULL);
		char *got_out = read_file(OUT "/check.out", NULL);
		char *exp_err = read_file(want_err, NULL);
		char *exp_out = read_file(want_out, NULL);
		if (strcmp(got_err, exp_err ? exp_err : "") ||
		    strcmp(got_out, exp_out ? exp_out : ""))
			fail_msg("%s: output differs from %s / %s:\n%s%s", conf,
				 want_err, want_out, got_err, got_out);
		/* Warnings alone leave the file usable: exit 0. */
		assert_int_equal(rc, has_error_line(exp_err) ? 1 : 0);
		free(got_err), free(got_out), free(exp_err), free(exp_out);
	}
	globfree(&g);
}

static void test_builtin_passes_check(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s --check >" OUT "/builtin.out 2>&1",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *out = read_file(OUT "/builtin.out", NULL);
	assert_non_null(strstr(out, "<built-in>: OK. Routine \"Mid-back"));
	assert_non_null(strstr(out, "6 exercises"));
	free(out);
}

static void test_print_config_is_the_shipped_file(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s --print-config >" OUT "/printed.conf",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	size_t a, b;
	char *printed = read_file(OUT "/printed.conf", &a);
	char *shipped = read_file("assets/kiosk.conf", &b);
	assert_int_equal(a, b);
	assert_memory_equal(printed, shipped, a);
	free(printed), free(shipped);
}

static void test_bad_usage_exits_2(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s --clock virtual 2>/dev/null", kiosk());
	assert_int_equal(run(cmd), 2);
	snprintf(cmd, sizeof cmd, "%s --audio loud 2>/dev/null", kiosk());
	assert_int_equal(run(cmd), 2);
	snprintf(cmd, sizeof cmd, "%s --window 100 2>/dev/null", kiosk());
	assert_int_equal(run(cmd), 2);
	/* Virtual time cannot drive a sound card: silent unless a WAV. */
	snprintf(cmd, sizeof cmd,
		 "%s --input script:/dev/null --clock virtual --audio "
		 "portaudio 2>/dev/null",
		 kiosk());
	assert_int_equal(run(cmd), 2);
	snprintf(cmd, sizeof cmd,
		 "%s --input script:/dev/null --clock virtual --video none "
		 "2>/dev/null",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s --help | grep -c -- '--' >/dev/null",
		 kiosk());
	assert_int_equal(run(cmd), 0);
}

/* ---- scripted sessions ---- */

static void test_full_session_completes(void **state)
{
	(void)state;
	assert_int_equal(session("full", "0 mat on\n", NULL), 0);
	char *buf, **l = record("full", &buf);
	assert_true(json_is(l[0], "state", "attract"));
	assert_int_equal(count_type(l, "session", NULL, NULL), 1);
	assert_non_null(first(l, "session", "result", "completed"));
	assert_int_equal(count_type(l, "exercise", NULL, NULL), 6);
	assert_int_equal(count_type(l, "part", "event", "start"), 7);
	assert_non_null(first(l, "input", "gesture", "on"));
	/* Back on the idle screen at the end, in time order throughout. */
	long t = 0;
	const char *last_state = NULL;
	for (char **p = l; *p; p++) {
		assert_true(json_ms(*p) >= t);
		t = json_ms(*p);
		if (json_is(*p, "type", "state"))
			last_state = *p;
	}
	assert_true(json_is(last_state, "state", "attract"));
	free(l), free(buf);
}

static long completed_at(const char *name)
{
	char *buf, **l = record(name, &buf);
	const char *s = first(l, "session", "result", "completed");
	long t = s ? json_ms(s) : -1;
	free(l), free(buf);
	return t;
}

static void test_pause_lengthens_by_exactly_the_pause(void **state)
{
	(void)state;
	/* Ball against the wall (exercise 2) is a free hold from about
	 * 191 s to 221 s: pause at 200 s for 25.5 s. */
	assert_int_equal(session("nopause", "0 mat on\n", NULL), 0);
	assert_int_equal(
	    session("pause", "0 mat on\n200 press\n225.5 press\n", NULL), 0);
	char *buf, **l = record("pause", &buf);
	const char *p = first(l, "state", "state", "paused");
	assert_non_null(p);
	assert_int_equal(json_ms(p), 200180); /* press + 150 ms + debounce */
	/* While paused, the countdown does not move. */
	char shown[16] = "", v[16];
	for (char **q = l; *q; q++) {
		long t = json_ms(*q);
		if (t < 200180 || t >= 225680 || !json_is(*q, "type", "screen"))
			continue;
		if (!json_get(*q, "remaining", v, sizeof v))
			continue;
		if (shown[0])
			assert_string_equal(v, shown);
		snprintf(shown, sizeof shown, "%s", v);
	}
	assert_true(shown[0]);
	free(l), free(buf);
	assert_int_equal(completed_at("pause") - completed_at("nopause"),
			 25500);
}

static void test_long_press_stops(void **state)
{
	(void)state;
	assert_int_equal(session("stop", "0 press\n20 hold 3\n", NULL), 0);
	char *buf, **l = record("stop", &buf);
	const char *g = first(l, "input", "gesture", "long");
	assert_non_null(g);
	assert_int_equal(json_ms(g), 20000 + 30 + 2000);
	const char *s = first(l, "session", NULL, NULL);
	assert_true(json_is(s, "result", "stopped"));
	assert_int_equal(json_ms(s), json_ms(g));
	assert_int_equal(count_type(l, "input", "gesture", "press"), 1);
	free(l), free(buf);
}

static void test_walking_away_abandons(void **state)
{
	(void)state;
	/* Pressed, then gone: the foam roller waits for the mat. Nobody has
	 * been seen for its check_in (60 s) by then, so the wait is the
	 * check-in's question: 30 s, not start_timeout's 90 (issue 16). */
	assert_int_equal(session("away", "0 press\n", NULL), 0);
	char *buf, **l = record("away", &buf);
	const char *w = first(l, "state", "state", "waiting");
	const char *s = first(l, "session", NULL, NULL);
	assert_true(json_is(s, "result", "abandoned"));
	assert_int_equal(json_ms(s) - json_ms(w), 30000);
	const char *say = NULL;
	for (char **p = l; *p; p++)
		if (json_is(*p, "type", "say") && json_ms(*p) == json_ms(s))
			say = *p;
	assert_non_null(say);
	assert_non_null(strstr(say, "stepped away"));
	free(l), free(buf);
}

static void test_bounce_is_one_press(void **state)
{
	(void)state;
	const char *bouncy = "1.000 down\n1.002 up\n1.003 down\n1.007 up\n"
			     "1.008 down\n1.190 up\n1.192 down\n1.195 up\n"
			     "30 quit\n";
	assert_int_equal(session("bounce", bouncy, NULL), 0);
	char *buf, **l = record("bounce", &buf);
	assert_int_equal(count_type(l, "input", NULL, NULL), 1);
	const char *p = first(l, "input", "gesture", "press");
	assert_non_null(p);
	assert_int_equal(json_ms(p), 1225);
	/* quit mid-session still ends it with one result. */
	const char *s = first(l, "session", NULL, NULL);
	assert_true(json_is(s, "result", "stopped"));
	assert_true(json_is(s, "quit", "true"));
	free(l), free(buf);
}

static void test_malformed_script_is_refused(void **state)
{
	(void)state;
	remove(OUT "/bad.jsonl");
	int rc = session("bad", "0 press\n# fine\n5 wave\n", NULL);
	assert_int_equal(rc, 1);
	char *err = read_file(OUT "/bad.stderr", NULL);
	assert_non_null(
	    strstr(err, OUT "/bad.script:3: expected 'TIME EVENT'"));
	free(err);
	/* Nothing ran: no record was written. */
	assert_null(read_file(OUT "/bad.jsonl", NULL));
}

static void test_say_is_every_line_spoken(void **state)
{
	(void)state;
	assert_int_equal(session("full", "0 mat on\n", NULL), 0);
	char *buf, **l = record("full", &buf);
	assert_non_null(first(l, "say", "text", "Get ready."));
	assert_non_null(first(l, "say", "text", "Halfway there."));
	assert_non_null(first(l, "say", "text", "Belly down, look up"));
	assert_non_null(first(l, "screen", "screen", "hold"));
	assert_non_null(first(l, "screen", "screen", "reps"));
	assert_non_null(first(l, "screen", "screen", "done"));
	free(l), free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_goldens),
	    cmocka_unit_test(test_builtin_passes_check),
	    cmocka_unit_test(test_print_config_is_the_shipped_file),
	    cmocka_unit_test(test_bad_usage_exits_2),
	    cmocka_unit_test(test_full_session_completes),
	    cmocka_unit_test(test_pause_lengthens_by_exactly_the_pause),
	    cmocka_unit_test(test_long_press_stops),
	    cmocka_unit_test(test_walking_away_abandons),
	    cmocka_unit_test(test_bounce_is_one_press),
	    cmocka_unit_test(test_malformed_script_is_refused),
	    cmocka_unit_test(test_say_is_every_line_spoken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
