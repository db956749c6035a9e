/*
 * e2e_stats.c - kiosk --stats, --reset-progress, --state-dir and
 * --version as staff run them: the made-up record in tests/stats/
 * summarised by the binary ($KIOSK), found through --state-dir or
 * systemd's $STATE_DIRECTORY; progression counts shown for the routine in
 * use, and forgotten.
 */
#include "testutil.h"

#define OUT "build/e2e-stats"

/* The summary's lines from "How sessions ended" on: the part that does
 * not depend on today's date or the record's path. */
static const char *settled_part(const char *text)
{
	const char *p = strstr(text, "How sessions ended");
	assert_non_null(p);
	return p;
}

static char *stats(const char *env, const char *args, int *status)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s TZ=UTC0 %s --stats %s >" OUT "/stdout 2>" OUT "/stderr",
		 env, kiosk(), args);
	*status = run(cmd);
	return read_file(OUT "/stdout", NULL);
}

static int setup(void **state)
{
	(void)state;
	return run("rm -rf " OUT " && mkdir -p " OUT "/state && cp "
		   "tests/stats/history.tsv " OUT "/state/sessions.tsv");
}

static void test_stats_of_a_record(void **state)
{
	(void)state;
	int status;
	char *got = stats("", "--state-dir " OUT "/state", &status);
	assert_int_equal(status, 0);
	char *want = read_file("tests/stats/history.out", NULL);
	assert_non_null(want);
	assert_non_null(strstr(got, "Session record: " OUT
				    "/state/sessions.tsv\n13 sessions, from "
				    "Fri 2026-10-30 to Mon 2026-11-23.\n"));
	assert_string_equal(settled_part(got), settled_part(want));
	/* Fourteen days, the last one today. */
	const char *days = strstr(got, "The last 14 days");
	assert_non_null(days);
	int rows = 0;
	char copy[4096], last[128] = "";
	snprintf(copy, sizeof copy, "%s", days);
	for (char *save, *l = strtok_r(copy, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char weekday[4];
		int y, m, d;
		if (sscanf(l, "  %3s %4d-%2d-%2d", weekday, &y, &m, &d) == 4) {
			rows++;
			snprintf(last, sizeof last, "%s", l);
		}
	}
	assert_int_equal(rows, 14);
	assert_non_null(strstr(last, " today "));
	free(want);
	free(got);
}

/* Under systemd the folder comes from StateDirectory=. */
static void test_state_directory_from_systemd(void **state)
{
	(void)state;
	int status;
	char *a = stats("", "--state-dir " OUT "/state", &status);
	char *b =
	    stats("STATE_DIRECTORY=" OUT "/state:/elsewhere", "", &status);
	assert_int_equal(status, 0);
	assert_string_equal(a, b);
	/* --state-dir wins over the environment. */
	char *c = stats("STATE_DIRECTORY=/nonexistent",
			"--state-dir " OUT "/state", &status);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void test_no_record_and_unreadable_record(void **state)
{
	(void)state;
	int status;
	char *got = stats("", "--state-dir " OUT "/empty", &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(got, "No sessions recorded yet"));
	free(got);
	assert_int_equal(run("mkdir -p " OUT "/odd/sessions.tsv"), 0);
	got = stats("", "--state-dir " OUT "/odd", &status);
	assert_int_equal(status, 1);
	free(got);
	char *err = read_file(OUT "/stderr", NULL);
	assert_non_null(strstr(err, "kiosk: --stats: " OUT
				    "/odd/sessions.tsv: is a folder, not a file"));
	free(err);
	got = stats("", "--state-dir ''", &status);
	assert_int_equal(status, 2);
	free(got);
}

/* Counts as the kiosk writes them, for tests/config/good.conf (Katze-Kuh:
 * 8 reps, 2 more every session, up to 12; Keil: 60 s, 15 s more every 2
 * sessions, up to 300 s). */
static void write_progress(void)
{
	write_file(OUT "/progress/progress.tsv",
		   "# kiosk progress: exercise\tcompleted sessions\n"
		   "Katze-Kuh\t1\n"
		   "Keil\t5\n");
}

static void test_stats_shows_progression(void **state)
{
	(void)state;
	int status;
	assert_int_equal(run("mkdir -p " OUT "/progress"), 0);
	write_progress();
	char *got = stats("",
			  "--state-dir " OUT "/progress --assets assets "
			  "--config tests/config/good.conf",
			  &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(got, "No sessions recorded yet"));
	assert_non_null(strstr(
	    got,
	    "\nProgression (counted in " OUT "/progress/progress.tsv)\n"
	    "  Katze-Kuh\n"
	    "    next session: 10 reps; 1 completed session counted; 1 "
	    "more to reach 12 reps\n"
	    "    set in the routine: 8 up to 12 reps, 2 more every "
	    "completed session\n"
	    "  Keil\n"
	    "    next session: 1 min 30 s; 5 completed sessions counted; 1 "
	    "more to reach 1 min 45 s\n"
	    "    set in the routine: 1 min up to 5 min, 15 s more every 2 "
	    "completed sessions\n"));
	free(got);
	/* The built-in routine (a clinic's) has none: nothing is said. */
	got = stats("", "--state-dir " OUT "/state --assets assets", &status);
	assert_null(strstr(got, "Progression"));
	free(got);
	/* A routine file with errors: the kiosk would run the built-in one,
	 * so that is the one shown, with the counts it does not use. */
	got = stats("",
		    "--state-dir " OUT "/progress --assets assets "
		    "--config tests/config/values.conf",
		    &status);
	assert_non_null(strstr(got, "No exercise of \"Mid-back mobility\" "
				    "progresses"));
	assert_non_null(strstr(got, "    Keil: 5 completed sessions\n"));
	free(got);
	char *err = read_file(OUT "/stderr", NULL);
	assert_non_null(
	    strstr(err, "kiosk: --stats: tests/config/values.conf has errors"));
	free(err);
}

static int reset(const char *env, const char *args, char **out, char **err)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s %s --reset-progress%s >" OUT "/stdout 2>" OUT "/stderr",
		 env, kiosk(), args);
	int status = run(cmd);
	*out = read_file(OUT "/stdout", NULL);
	*err = read_file(OUT "/stderr", NULL);
	return status;
}

static void test_reset_progress(void **state)
{
	(void)state;
	char *out, *err, *file;
	assert_int_equal(run("mkdir -p " OUT "/progress"), 0);
	write_progress();
	/* One exercise, its name in any case; the folder from systemd. */
	assert_int_equal(
	    reset("STATE_DIRECTORY=" OUT "/progress", "=keil", &out, &err), 0);
	assert_string_equal(out, "Forgot the progress of 'Keil' (5 completed "
				 "sessions): it starts again from its first "
				 "value at the next session.\n");
	assert_string_equal(err, "");
	free(out), free(err);
	file = read_file(OUT "/progress/progress.tsv", NULL);
	assert_non_null(strstr(file, "Katze-Kuh\t1\n"));
	assert_null(strstr(file, "Keil"));
	free(file);
	/* Gone now: said, with what is stored, and status 1. */
	assert_int_equal(
	    reset("", "=Keil --state-dir " OUT "/progress", &out, &err), 1);
	assert_string_equal(out, "");
	assert_string_equal(err, "kiosk: --reset-progress: no progress is "
				 "stored for 'Keil' in " OUT
				 "/progress/progress.tsv; stored: "
				 "'Katze-Kuh'\n");
	free(out), free(err);
	/* Every exercise. */
	assert_int_equal(reset("", " --state-dir " OUT "/progress", &out, &err),
			 0);
	assert_string_equal(out, "Forgot the progress of 1 exercise: each "
				 "starts again from its first value at the "
				 "next session.\n");
	free(out), free(err);
	file = read_file(OUT "/progress/progress.tsv", NULL);
	assert_int_equal(strncmp(file, "# kiosk progress:", 17), 0);
	assert_null(strchr(strchr(file, '\n') + 1, '\n'));
	free(file);
	assert_int_equal(reset("", " --state-dir " OUT "/progress", &out, &err),
			 0);
	assert_non_null(strstr(out, "No progress is stored in"));
	free(out), free(err);
	/* No folder at all: nothing to forget, and nothing made. */
	assert_int_equal(reset("", " --state-dir " OUT "/none", &out, &err), 0);
	free(out), free(err);
	assert_int_equal(run("test -e " OUT "/none"), 1);
	assert_int_equal(
	    reset("", "= --state-dir " OUT "/progress", &out, &err), 2);
	free(out), free(err);
}

/* The hold lengths of each session the kiosk ran in one process: parts
 * started, in order, from its event record. */
static int holds(const char *events, int *seconds, int max)
{
	char **lines, *buf;
	int n = 0;
	lines = read_lines(events, &buf);
	assert_non_null(lines);
	for (char **l = lines; *l && n < max; l++) {
		char v[16];
		if (json_is(*l, "type", "part") &&
		    json_is(*l, "event", "start") &&
		    json_get(*l, "seconds", v, sizeof v))
			seconds[n++] = atoi(v);
	}
	free(lines);
	free(buf);
	return n;
}

static int sessions_of(const char *script, int *seconds, int max)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --config " OUT "/grow.conf --input script:%s --clock "
		 "virtual --video none --audio none --state-dir " OUT
		 "/grow --events " OUT "/grow.jsonl 2>>" OUT "/grow.err",
		 kiosk(), script);
	assert_int_equal(run(cmd), 0);
	return holds(OUT "/grow.jsonl", seconds, max);
}

/* Progression through whole sessions of the binary: 30 s, then 15 s more
 * after every completed session up to 60 s, remembered from one run to
 * the next; stopped sessions do not count; a reset starts it again. */
static void test_progression_over_sessions(void **state)
{
	(void)state;
	write_file(OUT "/grow.conf", "[settings]\n"
				     "get_ready = 1\n"
				     "countdown = 0\n"
				     "done_time = 3\n"
				     "[routine]\n"
				     "name = Growing\n"
				     "redflags_screen = off\n"
				     "[exercise]\n"
				     "name = Roller\n"
				     "say = Lie back.\n"
				     "kind = hold\n"
				     "seconds = 30\n"
				     "progress_step = 15\n"
				     "progress_max = 60\n"
				     "start = auto\n");
	/* Three sessions, 200 s apart: each runs to its end. */
	write_file(OUT "/three.script", "0 press\n200 press\n400 press\n");
	/* One started and stopped by a long press in its hold. */
	write_file(OUT "/stop.script", "0 press\n20 down\n23 up\n");
	assert_int_equal(run("rm -rf " OUT "/grow"), 0);
	int sec[8];
	assert_int_equal(sessions_of(OUT "/three.script", sec, 8), 3);
	printf("one run: %d s, %d s, %d s\n", sec[0], sec[1], sec[2]);
	assert_int_equal(sec[0], 30);
	assert_int_equal(sec[1], 45);
	assert_int_equal(sec[2], 60);
	/* The next run goes on from the stored count, at the maximum. */
	assert_int_equal(sessions_of(OUT "/stop.script", sec, 8), 1);
	assert_int_equal(sec[0], 60);
	char *file = read_file(OUT "/grow/progress.tsv", NULL);
	assert_non_null(strstr(file, "\nRoller\t3\n"));
	free(file);
	/* Reset: 30 s again. */
	char *out, *err;
	assert_int_equal(reset("", " --state-dir " OUT "/grow", &out, &err), 0);
	free(out), free(err);
	assert_int_equal(sessions_of(OUT "/three.script", sec, 8), 3);
	assert_int_equal(sec[0], 30);
	assert_int_equal(sec[2], 60);
}

static int count_of(const char *text, const char *what)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* Whole sessions of the binary on the built-in routine with
 * redflags_confirm = yes: one never confirmed (given up start_timeout
 * after the question), one stopped while the red-flag lines are said, one
 * confirmed by a press that then walks away at the first exercise. The
 * event record shows the screen, the question and the answer; the session
 * record marks the two that ended there, and --stats counts them apart. */
static void test_red_flag_sessions(void **state)
{
	(void)state;
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --print-config | sed 's/^redflags_confirm = no$/"
		 "redflags_confirm = yes/' >" OUT "/confirm.conf",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	write_file(OUT "/flags.script", "0 press\n"
					"200 press\n225 hold 3\n"
					"300 press\n360 press\n"
					"600 quit\n");
	assert_int_equal(run("rm -rf " OUT "/flags"), 0);
	snprintf(cmd, sizeof cmd,
		 "%s --config " OUT "/confirm.conf --assets assets --input "
		 "script:" OUT "/flags.script --clock virtual --video none "
		 "--audio none --state-dir " OUT "/flags --events " OUT
		 "/flags.jsonl >/dev/null 2>" OUT "/flags.err",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *ev = read_file(OUT "/flags.jsonl", NULL);
	assert_non_null(ev);
	assert_int_equal(count_of(ev, "\"state\":\"redflags\""), 3);
	assert_int_equal(count_of(ev, "\"screen\":\"redflags\",\"routine\":"
				      "\"Mid-back mobility\",\"confirm\":true"),
			 2);
	assert_int_equal(count_of(ev, "\"type\":\"confirmed\",\"screen\":"
				      "\"redflags\"}"),
			 1);
	/* The answer is the press at 360 s, and the first exercise follows. */
	const char *ok = strstr(ev, "{\"t\":360.180,\"type\":\"confirmed\"");
	assert_non_null(ok);
	assert_non_null(strstr(ok, "\"type\":\"exercise\",\"index\":1"));
	assert_int_equal(count_of(ev, "\"type\":\"session\""), 3);
	assert_non_null(strstr(ev, "\"type\":\"session\",\"result\":"
				   "\"abandoned\",\"index\":0,\"redflags\":"
				   "true}"));
	assert_non_null(strstr(ev, "\"type\":\"session\",\"result\":"
				   "\"stopped\",\"index\":0,\"redflags\":"
				   "true}"));
	assert_non_null(strstr(ev, "\"type\":\"session\",\"result\":"
				   "\"abandoned\",\"index\":1}"));
	free(ev);
	char *tsv = read_file(OUT "/flags/sessions.tsv", NULL);
	assert_non_null(tsv);
	assert_int_equal(count_of(tsv, "\t0\tred-flag screen\tMid-back "
				       "mobility\n"),
			 2);
	free(tsv);
	int status;
	char *got = stats("", "--state-dir " OUT "/flags", &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(got, "\nEnded on the red-flag screen: 2 (67%), "
				    "people who perhaps should not start.\n"));
	assert_non_null(
	    strstr(got, "\n        1          1  on the red-flag screen\n"));
	assert_non_null(strstr(
	    got, "\n        0          1  1. Foam roller back extension\n"));
	free(got);
}

static void test_version_and_help(void **state)
{
	(void)state;
	char cmd[512], want[64];
	char *version = read_file("VERSION", NULL);
	assert_non_null(version);
	version[strcspn(version, "\n")] = '\0';
	snprintf(want, sizeof want, "kiosk %s\n", version);
	snprintf(cmd, sizeof cmd, "%s --version >" OUT "/version", kiosk());
	assert_int_equal(run(cmd), 0);
	char *got = read_file(OUT "/version", NULL);
	assert_string_equal(got, want);
	free(got);
	free(version);
	snprintf(cmd, sizeof cmd,
		 "%s --help | grep -q -- '--stats' && %s --help | grep -q -- "
		 "'--state-dir DIR' && %s --help | grep -q -- "
		 "'--reset-progress\\[=NAME\\]'",
		 kiosk(), kiosk(), kiosk());
	assert_int_equal(run(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_of_a_record),
	    cmocka_unit_test(test_state_directory_from_systemd),
	    cmocka_unit_test(test_no_record_and_unreadable_record),
	    cmocka_unit_test(test_stats_shows_progression),
	    cmocka_unit_test(test_reset_progress),
	    cmocka_unit_test(test_progression_over_sessions),
	    cmocka_unit_test(test_red_flag_sessions),
	    cmocka_unit_test(test_version_and_help),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
