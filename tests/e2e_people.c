/*
 * e2e_people.c - the kiosk binary with people as they really are (issue
 * 16): someone who walks away in the middle of any exercise of the
 * built-in routine, the next visitor, a step across the mat, someone who
 * lies down and leaves before the first exercise, and someone who skips
 * an exercise. Virtual clock, scripted input, judged by the event record.
 * Run from the top of the tree, with $KIOSK naming the binary.
 *
 * The present person is built, not written down: the kiosk is run on a
 * script, the first thing it waits for is answered (a press, or lying on
 * the mat when it asks for the mat), the person gets off the mat once the
 * exercise lying on it is over, and the kiosk is run again, until the
 * script completes the whole routine. The kiosk is deterministic, so the
 * first part of that script, cut where the person leaves, is a session
 * done up to there.
 */
#include "testutil.h"

#define OUT	  "build/e2e-out"
#define SCRIPT_MAX 4096
#define LEAVE_MAX  120.0 /* seconds: the limit */

/* Run the kiosk on a script; the record is left in OUT/<name>.jsonl. */
static int session(const char *name, const char *script, const char *extra)
{
	char opts[1024];
	snprintf(opts, sizeof opts, "--video none --audio none %s",
		 extra ? extra : "--exit-after-session");
	return kiosk_scripted(OUT, name, script, opts);
}

static char **record(const char *name, char **buf)
{
	char path[256];
	snprintf(path, sizeof path, OUT "/%s.jsonl", name);
	return read_lines(path, buf);
}

static double when(const char *line)
{
	char v[32];
	assert_true(json_get(line, "t", v, sizeof v));
	return atof(v);
}

static int num_of(const char *line, const char *key)
{
	char v[32];
	return json_get(line, key, v, sizeof v) ? atoi(v) : -1;
}

/* First line of `type` (with key = value) at or after time t. */
static const char *first_after(char **l, double t, const char *type,
			       const char *key, const char *value)
{
	for (; *l; l++)
		if (when(*l) >= t && json_is(*l, "type", type) &&
		    (!key || json_is(*l, key, value)))
			return *l;
	return NULL;
}

static const char *part_line(char **l, const char *event, int index,
			     int repeat)
{
	for (; *l; l++)
		if (json_is(*l, "type", "part") && json_is(*l, "event", event) &&
		    num_of(*l, "index") == index &&
		    (repeat < 0 || num_of(*l, "repeat") == repeat))
			return *l;
	return NULL;
}

/* The last part of exercise `index` to end (its last repeat). */
static const char *last_part_end(char **l, int index)
{
	const char *last = NULL;
	for (; *l; l++)
		if (json_is(*l, "type", "part") && json_is(*l, "event", "end") &&
		    num_of(*l, "index") == index)
			last = *l;
	return last;
}

static void append(char *script, double t, const char *ev)
{
	size_t n = strlen(script);
	snprintf(script + n, SCRIPT_MAX - n, "%.3f %s\n", t, ev);
}

/* One step of the present person: the earliest thing after `last` that
 * needs them. Returns false once the run has completed the routine. */
static bool person_step(char **l, char *script, double *last, int *on_ex)
{
	const char *wait = first_after(l, *last + 0.001, "state", "state",
				       "waiting");
	const char *ended = first_after(l, 0, "session", NULL, NULL);
	if (ended && !json_is(ended, "result", "completed") &&
	    (!wait || when(wait) > when(ended)))
		fail_msg("the present person's session ended: %s", ended);
	const char *off = NULL;
	if (*on_ex)
		off = last_part_end(l, *on_ex);
	if (off && when(off) <= *last)
		off = NULL;
	if (off && (!wait || when(off) < when(wait))) {
		*last = when(off) + 2;
		append(script, *last, "mat off");
		*on_ex = 0;
		return true;
	}
	if (first_after(l, 0, "session", "result", "completed"))
		return false;
	assert_non_null(wait); /* anything else needs nobody */
	const char *sc = first_after(l, when(wait), "screen", NULL, NULL);
	assert_non_null(sc);
	*last = when(wait) + 1;
	if (json_is(sc, "trigger", "mat")) {
		append(script, *last, "mat on");
		*on_ex = num_of(sc, "index");
	} else {
		append(script, *last, "press");
	}
	return true;
}

/* The script of someone who does the whole built-in routine, starting
 * it with `start` ("press", or "mat on" to lie down). */
static void present_person(const char *start, char *script)
{
	double last = 0;
	int on_ex = 0;
	snprintf(script, SCRIPT_MAX, "0 %s\n", start);
	bool on_mat = !strcmp(start, "mat on");
	for (int round = 0; round < 40; round++) {
		char *buf;
		assert_int_equal(session("people-present", script, NULL), 0);
		char **l = record("people-present", &buf);
		/* Lying down at 0 starts on the mat: off after exercise 1. */
		if (on_mat && round == 0)
			on_ex = 1;
		bool more = person_step(l, script, &last, &on_ex);
		free(l);
		free(buf);
		if (!more)
			return;
	}
	fail_msg("the present person never finished the routine");
}

/* The lines of `script` before time t, and whether the person is on the
 * mat then. */
static bool cut_script(const char *script, double t, char *out)
{
	bool on = false;
	out[0] = '\0';
	for (const char *p = script; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (atof(p) >= t)
			break;
		if (strstr(p, " mat on"))
			on = true;
		else if (strstr(p, " mat off"))
			on = false;
		strncat(out, p, n);
		p += n;
	}
	return on;
}

/* ---- walking away ---- */

/* The person leaves at t: off the mat if on it, then nothing. */
static void leave_at(const char *present, double t, const char *name,
		     int exercise)
{
	char script[SCRIPT_MAX], *buf;
	if (cut_script(present, t, script))
		append(script, t, "mat off");
	assert_int_equal(session(name, script, NULL), 0);
	char **l = record(name, &buf);
	const char *end = first_after(l, 0, "session", NULL, NULL);
	assert_non_null(end);
	/* Given up as the record says: its check-in unanswered, or its
	 * wait's or pause's own time, or off the mat before exercise 1. */
	const char *asked = first_after(l, t, "check_in", NULL, NULL);
	if (asked && when(asked) <= when(end) &&
	    json_is(end, "result", "abandoned"))
		assert_int_equal(json_ms(end) - json_ms(asked), 30000);
	/* Left in the last exercise, it may end by itself, completed. */
	bool ended = json_is(end, "result", "abandoned") ||
		     (exercise == 6 && json_is(end, "result", "completed"));
	if (!ended ||
	    when(end) - t > LEAVE_MAX || num_of(end, "index") < exercise)
		fail_msg("%s: left at %.3f in exercise %d: %s", name, t,
			 exercise, end);
	/* Nothing asks anything of an empty room once it has ended. */
	assert_null(first_after(l, when(end) + 0.001, "state", "state",
				"safety"));
	free(l);
	free(buf);
}

/* The case, on every exercise of the built-in routine: the
 * person leaves as the exercise begins, half-way through its first
 * timed part, and as its last timed part ends. */
static void walk_away_from(const char *start)
{
	char present[SCRIPT_MAX], *buf;
	present_person(start, present);
	char **l = record("people-present", &buf);
	int exercises = 0;
	for (char **p = l; *p; p++)
		exercises += json_is(*p, "type", "exercise");
	assert_int_equal(exercises, 6);
	for (int k = 1; k <= exercises; k++) {
		char ix[16];
		snprintf(ix, sizeof ix, "%d", k);
		const char *ex = first_after(l, 0, "exercise", "index", ix);
		const char *start_part = part_line(l, "start", k, 1);
		const char *end_part = last_part_end(l, k);
		assert_non_null(ex);
		assert_non_null(start_part);
		assert_non_null(end_part);
		double mid =
		    when(start_part) + num_of(start_part, "seconds") / 2.0;
		leave_at(present, when(ex) + 0.5, "people-leave-start", k);
		leave_at(present, mid, "people-leave-mid", k);
		leave_at(present, when(end_part) - 0.5, "people-leave-end", k);
	}
	free(l);
	free(buf);
}

static void test_walk_away_after_press(void **state)
{
	(void)state;
	walk_away_from("press");
}

static void test_walk_away_after_lying_down(void **state)
{
	(void)state;
	walk_away_from("mat on");
}

/* The issue's own script, and the next visitor: their press starts a
 * session of their own, not the stranger's carried on. */
static void test_next_visitor_starts_anew(void **state)
{
	(void)state;
	char *buf;
	assert_int_equal(session("people-issue", "0 mat on\n140 mat off\n",
				 NULL),
			 0);
	char **l = record("people-issue", &buf);
	const char *end = first_after(l, 0, "session", NULL, NULL);
	assert_non_null(end);
	assert_true(json_is(end, "result", "abandoned"));
	assert_true(when(end) - 140 <= LEAVE_MAX);
	double visitor = when(end) + 20;
	free(l);
	free(buf);

	char script[256];
	snprintf(script, sizeof script,
		 "0 mat on\n140 mat off\n%.3f press\n%.3f quit\n", visitor,
		 visitor + 30);
	assert_int_equal(session("people-next", script, ""), 0);
	l = record("people-next", &buf);
	const char *st = first_after(l, visitor, "state", NULL, NULL);
	assert_non_null(st);
	assert_true(json_is(st, "state", "safety"));
	assert_null(first_after(l, visitor, "say", "text", "Carrying on."));
	/* Two sessions: the stranger's, given up, and the visitor's own. */
	int sessions = 0;
	for (char **p = l; *p; p++)
		sessions += json_is(*p, "type", "session");
	assert_int_equal(sessions, 2);
	free(l);
	free(buf);
}

/* ---- a step across the mat, and leaving before the first exercise ---- */

static void test_step_across_mat(void **state)
{
	(void)state;
	char *buf;
	assert_int_equal(session("people-step",
				 "0 mat on\n1 mat off\n60 quit\n", ""),
			 0);
	char **l = record("people-step", &buf);
	assert_null(first_after(l, 0, "session", NULL, NULL));
	assert_null(first_after(l, 0, "state", "state", "safety"));
	assert_null(first_after(l, 0, "say", NULL, NULL));
	free(l);
	free(buf);

	/* Lying down for real still starts one, a moment later. */
	assert_int_equal(session("people-lie", "0 mat on\n30 quit\n", ""), 0);
	l = record("people-lie", &buf);
	const char *st = first_after(l, 0, "state", "state", "safety");
	assert_non_null(st);
	assert_true(when(st) >= 3.0 && when(st) < 4.0);
	free(l);
	free(buf);
}

static void test_early_leave(void **state)
{
	(void)state;
	char *buf;
	/* Lies down, hears the welcome, gets up and goes. */
	assert_int_equal(session("people-early", "0 mat on\n10 mat off\n",
				 NULL),
			 0);
	char **l = record("people-early", &buf);
	const char *end = first_after(l, 0, "session", NULL, NULL);
	assert_non_null(end);
	assert_true(json_is(end, "result", "abandoned"));
	assert_int_equal(num_of(end, "index"), 0);
	assert_true(when(end) - 10 <= 6.0);
	free(l);
	free(buf);

	/* Off the mat for a moment, and back: the session goes on. */
	assert_int_equal(session("people-shift",
				 "0 mat on\n10 mat off\n12 mat on\n60 quit\n",
				 ""),
			 0);
	l = record("people-shift", &buf);
	end = first_after(l, 0, "session", NULL, NULL);
	assert_non_null(end);
	assert_true(json_is(end, "quit", "true"));
	free(l);
	free(buf);
}

/* ---- skipping ---- */

/* The same session again, with the foam roller and the ball both set to
 * grow: the skip is in sessions.tsv, counted apart by --stats, and the
 * skipped ball does not grow while the foam roller does. */
static void skip_is_kept(const char *script)
{
	char dir[64], cmd[1024];
	tmp_dir_make(dir, "people-skip");
	const char *conf = tmp_path(dir, "kiosk.conf");
	snprintf(cmd, sizeof cmd,
		 "%s --print-config | sed 's/^#progress_every = 2/"
		 "progress_every = 1/; s/^#progress_/progress_/; "
		 "s/^\\(encourage_every = .*\\)/\\1\\n"
		 "progress_step = 10\\nprogress_max = 60/' >'%s'",
		 kiosk(), conf);
	assert_int_equal(run(cmd), 0);
	snprintf(cmd, sizeof cmd, "--exit-after-session --config %s "
		 "--state-dir %s", conf, dir);
	assert_int_equal(session("people-skip-kept", script, cmd), 0);

	char *tsv = read_file(tmp_path(dir, "sessions.tsv"), NULL);
	assert_non_null(tsv);
	assert_non_null(strstr(tsv, "\tcompleted\t6\tStanding wall stretch\t"
				    "Mid-back mobility\t2\n"));
	free(tsv);

	snprintf(cmd, sizeof cmd, "%s --stats --config %s --state-dir %s >%s",
		 kiosk(), conf, dir, tmp_path(dir, "stats.out"));
	assert_int_equal(run(cmd), 0);
	char *stats = read_file(tmp_path(dir, "stats.out"), NULL);
	assert_non_null(stats);
	assert_non_null(strstr(stats, "Skipped exercises (two quick presses): "
				      "1, in 1 of 1 sessions\n"));
	assert_non_null(strstr(stats, "        1  2\n"));
	assert_non_null(strstr(stats, "  Foam roller back extension\n"
				      "    next session: 45 s; 1 completed "
				      "session counted"));
	assert_non_null(strstr(stats, "  Ball against the wall\n"
				      "    next session: 30 s; 0 completed "
				      "sessions counted"));
	free(stats);
	tmp_dir_remove(dir);
}

static void test_skip(void **state)
{
	(void)state;
	char present[SCRIPT_MAX], script[SCRIPT_MAX], *buf;
	present_person("press", present);
	char **l = record("people-present", &buf);
	/* Half-way through the ball against the wall: press twice. */
	const char *part = part_line(l, "start", 2, 1);
	assert_non_null(part);
	double t = when(part) + 10;
	free(l);
	free(buf);
	cut_script(present, t, script);
	append(script, t, "press");
	append(script, t + 0.4, "press");
	/* The rest of the session: the same person, one exercise fewer. */
	double last = t + 0.4;
	int on_ex = 0;
	for (int round = 0; round < 40; round++) {
		assert_int_equal(session("people-skip", script, NULL), 0);
		l = record("people-skip", &buf);
		bool more = person_step(l, script, &last, &on_ex);
		if (!more)
			break;
		free(l);
		free(buf);
	}
	const char *in = first_after(l, t, "input", "gesture", "double");
	assert_non_null(in);
	const char *skip = first_after(l, t, "skip", NULL, NULL);
	assert_non_null(skip);
	assert_int_equal(num_of(skip, "index"), 2);
	assert_true(json_is(skip, "name", "Ball against the wall"));
	assert_non_null(first_after(l, t, "say", "text",
				    "Skipping Ball against the wall."));
	assert_non_null(first_after(l, t, "screen", "caption",
				    "Skipping Ball against the wall."));
	assert_null(part_line(l, "end", 2, -1));
	assert_non_null(first_after(l, t, "exercise", "index", "3"));
	const char *end = first_after(l, 0, "session", NULL, NULL);
	assert_true(json_is(end, "result", "completed"));
	assert_int_equal(num_of(end, "skipped"), 1);
	free(l);
	free(buf);
	skip_is_kept(script);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_away_after_press),
	    cmocka_unit_test(test_walk_away_after_lying_down),
	    cmocka_unit_test(test_next_visitor_starts_anew),
	    cmocka_unit_test(test_step_across_mat),
	    cmocka_unit_test(test_early_leave),
	    cmocka_unit_test(test_skip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
