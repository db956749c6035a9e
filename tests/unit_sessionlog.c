/*
 * unit_sessionlog.c - the session record: lines as written, read back,
 * damaged lines skipped and counted, a torn end sealed, a full disk
 * (/dev/full) and a folder that cannot be written, the size cap, and the
 * staff summary against a made-up record (tests/stats/history.*).
 */
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sessionlog.h"
#include "sessions.h"
#include "stats.h"

/* 2026-11-21 13:03:07 UTC: 14:03:07 in CET-1. */
#define START ((time_t)1795266187)

struct dir {
	char path[64];
	char file[128];
};

static void make_dir(struct dir *d)
{
	tmp_dir_make(d->path, "sessions");
	assert_int_equal(sessionlog_path(d->path, d->file, sizeof d->file), 0);
}

static void remove_dir(struct dir *d)
{
	tmp_dir_remove(d->path);
}

static int setup_tz(void **state)
{
	(void)state;
	setenv("TZ", "CET-1", 1);
	tzset();
	return 0;
}

static void test_lines_as_written(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	struct logged_session s =
	    session(START, 312, LOGGED_COMPLETED, 6, "Standing wall stretch");
	assert_int_equal(sessionlog_add(l, &s), 0);
	s = session(START + 600, 40, LOGGED_ABANDONED, 0, "");
	assert_int_equal(sessionlog_add(l, &s), 0);
	sessionlog_close(l);

	char *text = read_file(d.file, NULL);
	assert_string_equal(
	    text, "# kiosk sessions: start\tseconds\tresult\texercise\tname\t"
		  "routine\n"
		  "2026-11-21T14:03:07+01:00\t312\tcompleted\t6\t"
		  "Standing wall stretch\tMid-back mobility\n"
		  "2026-11-21T14:13:07+01:00\t40\tabandoned\t0\t\t"
		  "Mid-back mobility\n");
	free(text);
	struct stat st;
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(st.st_mode & 0137, 0); /* at most rw-r----- */

	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.damaged, 0);
	assert_true(h.session[0].start == START);
	assert_int_equal(h.session[0].seconds, 312);
	assert_int_equal(h.session[0].result, LOGGED_COMPLETED);
	assert_int_equal(h.session[0].index, 6);
	assert_string_equal(h.session[0].exercise, "Standing wall stretch");
	assert_string_equal(h.session[0].routine, "Mid-back mobility");
	assert_string_equal(h.session[1].exercise, "");
	sessionlog_history_free(&h);
	remove_dir(&d);
}

static void test_begin_and_end(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	/* An end with no beginning is a bug: refused, nothing written. */
	assert_int_equal(
	    sessionlog_end(l, 5000, RESULT_STOPPED, false, 1, "x", "y", 0), -1);
	sessionlog_begin(l, START, 1000);
	assert_int_equal(sessionlog_end(l, 313500, RESULT_STOPPED, false, 2,
					"Ball against the wall", "R", 0),
			 0);
	sessionlog_begin(l, START + 1000, 400000);
	/* Ended because the kiosk was told to quit: a shutdown. */
	assert_int_equal(
	    sessionlog_end(l, 430000, RESULT_STOPPED, true, 0, NULL, "R", 0), 0);
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.session[0].seconds, 313);
	assert_int_equal(h.session[0].result, LOGGED_STOPPED);
	assert_string_equal(h.session[0].exercise, "Ball against the wall");
	assert_true(h.session[1].start == START + 1000);
	assert_int_equal(h.session[1].seconds, 30);
	assert_int_equal(h.session[1].result, LOGGED_SHUTDOWN);
	sessionlog_history_free(&h);
	assert_int_equal(sessionlog_result_of(RESULT_COMPLETED, false),
			 LOGGED_COMPLETED);
	assert_int_equal(sessionlog_result_of(RESULT_ABANDONED, false),
			 LOGGED_ABANDONED);
	remove_dir(&d);
}

/* Names come from the staff's file: they must not break the format. */
static void test_names_cannot_break_a_line(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	struct logged_session s =
	    session(START, 1, LOGGED_STOPPED, 1, "Tab\there\nnewline");
	memset(s.routine, 'r', sizeof s.routine - 1);
	s.routine[sizeof s.routine - 1] = '\0';
	assert_int_equal(sessionlog_add(l, &s), 0);
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 1);
	assert_int_equal(h.damaged, 0);
	assert_string_equal(h.session[0].exercise, "Tab here newline");
	assert_int_equal(strlen(h.session[0].routine), ROUTINE_NAME_BYTES - 1);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

static void test_damaged_lines_are_counted(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "2026-11-21T14:03:07+01:00\t312\tcompleted\t6\tname",
	    "2026-11-21T14:03:07+01:00\t312\tcompleted\t6\tname\troutine\tx",
	    "2026-11-21 14:03:07\t312\tcompleted\t6\tname\troutine",
	    "2026-13-01T14:03:07+01:00\t312\tcompleted\t6\tname\troutine",
	    "2025-02-29T14:03:07+01:00\t312\tcompleted\t6\tname\troutine",
	    "2026-11-21T24:00:00+01:00\t312\tcompleted\t6\tname\troutine",
	    "2026-11-21T14:03:07+01:0\t312\tcompleted\t6\tname\troutine",
	    "2026-11-21T14:03:07+01:00\t-5\tcompleted\t6\tname\troutine",
	    "2026-11-21T14:03:07+01:00\t\tcompleted\t6\tname\troutine",
	    "2026-11-21T14:03:07+01:00\t312\tfinished\t6\tname\troutine",
	    "2026-11-21T14:03:07+01:00\t312\tcompleted\t99\tname\troutine",
	    "2026-11-21T14:03:07+01:00\t312\tcompleted\t6x\tname\troutine",
	};
	struct logged_session s;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (sessionlog_parse(bad[i], &s))
			fail_msg("accepted: %s", bad[i]);
	}
	/* Leap day, UTC, and a western offset are fine. */
	assert_true(sessionlog_parse(
	    "2024-02-29T23:30:00-05:00\t1\tstopped\t1\ta\tb", &s));
	assert_true(s.start == (time_t)1709267400); /* 2024-03-01T04:30Z */
	assert_true(
	    sessionlog_parse("2024-02-29T23:30:00Z\t1\tstopped\t1\ta\tb", &s));

	/* In a file: zeros from a power cut and a torn end, among good
	 * lines, comments and blank lines. */
	struct dir d;
	make_dir(&d);
	FILE *f = fopen(d.file, "w");
	fputs("# comment\n\n", f);
	fputs("2026-11-21T14:03:07+01:00\t312\tcompleted\t6\ta\tb\n", f);
	fwrite("2026-11-21T\0\0\0\0\n", 1, 16, f);
	fputs("2026-11-21T15:03:07+01:00\t60\tstopped\t2\ta\tb\n", f);
	fputs("2026-11-21T16:0", f);
	fclose(f);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.damaged, 2);
	assert_int_equal(h.first_damaged, 4);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

/* A line torn by a power cut is sealed before the next one, so only it
 * is lost. */
static void test_torn_end_is_sealed(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file,
		   "# kiosk sessions\n"
		   "2026-11-21T14:03:07+01:00\t312\tcompleted\t6\ta\tb\n"
		   "2026-11-21T15:0");
	struct sessionlog *l = sessionlog_open(d.path, 0);
	struct logged_session s = session(START, 9, LOGGED_STOPPED, 1, "x");
	assert_int_equal(sessionlog_add(l, &s), 0);
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.damaged, 1);
	assert_int_equal(h.first_damaged, 3);
	assert_int_equal(h.session[1].seconds, 9);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

/* A full disk: the record is /dev/full. Sessions wait in memory, in
 * order, and go out once there is room. */
static void test_full_disk_keeps_sessions(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	assert_int_equal(symlink("/dev/full", d.file), 0);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	struct logged_session s = session(START, 1, LOGGED_COMPLETED, 6, "a");
	assert_int_equal(sessionlog_add(l, &s), -1);
	assert_int_equal(errno, ENOSPC);
	s.seconds = 2;
	assert_int_equal(sessionlog_add(l, &s), -1);
	assert_int_equal(sessionlog_pending(l), 2);
	assert_int_equal(unlink(d.file), 0); /* room again */
	s.seconds = 3;
	assert_int_equal(sessionlog_add(l, &s), 0);
	assert_int_equal(sessionlog_pending(l), 0);
	assert_int_equal(sessionlog_dropped(l), 0);
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(h.session[i].seconds, i + 1);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

/* Past SESSIONLOG_PENDING_MAX the oldest are dropped and counted. */
static void test_memory_is_bounded(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	assert_int_equal(symlink("/dev/full", d.file), 0);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	int n = SESSIONLOG_PENDING_MAX + 5;
	for (int i = 1; i <= n; i++) {
		struct logged_session s =
		    session(START, i, LOGGED_COMPLETED, 6, "a");
		assert_int_equal(sessionlog_add(l, &s), -1);
	}
	assert_int_equal(sessionlog_pending(l), SESSIONLOG_PENDING_MAX);
	assert_int_equal(sessionlog_dropped(l), 5);
	unlink(d.file);
	sessionlog_close(l); /* writes what is pending */
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, SESSIONLOG_PENDING_MAX);
	assert_int_equal(h.session[0].seconds, 6);
	assert_int_equal(h.session[h.count - 1].seconds, n);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

/* A folder that cannot be made (its parent is a file): the kiosk goes
 * on, and the sessions are lost only when it exits. */
static void test_unwritable_folder(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	char file[128], below[160];
	snprintf(file, sizeof file, "%s/plain", d.path);
	write_file(file, "not a folder\n");
	snprintf(below, sizeof below, "%s/state", file);
	struct sessionlog *l = sessionlog_open(below, 0);
	assert_non_null(l);
	struct logged_session s = session(START, 1, LOGGED_COMPLETED, 6, "a");
	assert_int_equal(sessionlog_add(l, &s), -1);
	assert_int_equal(sessionlog_pending(l), 1);
	sessionlog_close(l);
	/* A missing folder is made. */
	snprintf(below, sizeof below, "%s/state", d.path);
	l = sessionlog_open(below, 0);
	assert_int_equal(sessionlog_add(l, &s), 0);
	sessionlog_close(l);
	remove_dir(&d);
}

/* Past the cap the file keeps its newest half, whole lines only. */
static void test_size_is_capped(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	const size_t cap = 4096;
	struct sessionlog *l = sessionlog_open(d.path, cap);
	struct stat st;
	for (int i = 1; i <= 200; i++) {
		struct logged_session s =
		    session(START + i, i, LOGGED_COMPLETED, 6, "Cat-cow");
		assert_int_equal(sessionlog_add(l, &s), 0);
		assert_int_equal(stat(d.file, &st), 0);
		assert_true((size_t)st.st_size <= cap);
	}
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.damaged, 0);
	assert_true(h.count > 20 && h.count < 80);
	assert_int_equal(h.session[h.count - 1].seconds, 200);
	for (size_t i = 1; i < h.count; i++)
		assert_int_equal(h.session[i].seconds,
				 h.session[i - 1].seconds + 1);
	sessionlog_history_free(&h);
	char *text = read_file(d.file, NULL);
	assert_int_equal(strncmp(text, "# kiosk sessions:", 17), 0);
	free(text);
	char tmp[160];
	snprintf(tmp, sizeof tmp, "%s.tmp", d.file);
	assert_int_equal(access(tmp, F_OK), -1);
	remove_dir(&d);
}

/* The staff summary of a made-up record, checked line by line against
 * tests/stats/history.out (worked out by hand). */
static void test_stats_golden(void **state)
{
	(void)state;
	setenv("TZ", "UTC0", 1);
	tzset();
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	/* 2026-11-21T18:00:00Z */
	assert_int_equal(stats_print_file(out, stderr, "tests/stats/history.tsv",
					  (time_t)1795284000),
			 0);
	fclose(out);
	char *want = read_file("tests/stats/history.out", NULL);
	assert_non_null(want);
	assert_string_equal(got, want);
	free(want);
	free(got);
	setup_tz(NULL);
}

/* Sessions that ended on the red-flag screen are written with their
 * mark, read back, and counted apart from those that ended on the safety
 * words before it: people who perhaps should not have started. */
static void test_stats_count_the_red_flag_screen(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	sessionlog_begin(l, START, 0);
	sessionlog_end(l, 60000, RESULT_ABANDONED, false, 0,
		       SESSIONLOG_REDFLAGS, "R", 0);
	sessionlog_begin(l, START + 100, 0);
	sessionlog_end(l, 30000, RESULT_STOPPED, false, 0, SESSIONLOG_REDFLAGS,
		       "R", 0);
	sessionlog_begin(l, START + 200, 0);
	sessionlog_end(l, 10000, RESULT_ABANDONED, false, 0, "", "R", 0);
	sessionlog_begin(l, START + 300, 0);
	sessionlog_end(l, 400000, RESULT_COMPLETED, false, 6, "Last", "R", 0);
	sessionlog_close(l);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 4);
	assert_int_equal(h.damaged, 0);
	assert_string_equal(h.session[0].exercise, SESSIONLOG_REDFLAGS);
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	assert_int_equal(stats_print_file(out, stderr, d.file, START), 0);
	fclose(out);
	assert_non_null(strstr(got, "Ended on the red-flag screen: 2 (50%)"));
	assert_non_null(strstr(got, "        1          1  on the red-flag "
				    "screen\n"));
	assert_non_null(strstr(got, "        0          1  before the first "
				    "exercise\n"));
	free(got);
	sessionlog_history_free(&h);
	remove_dir(&d);
}

/* Skipped exercises: a seventh field only when there are any, read back
 * with lines as older kiosks wrote them; a bad list is a damaged line. */
static void test_skipped_exercises_are_kept(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct sessionlog *l = sessionlog_open(d.path, 0);
	sessionlog_begin(l, START, 0);
	sessionlog_end(l, 400000, RESULT_COMPLETED, false, 6, "Last", "R",
		       1u << 1 | 1u << 4);
	sessionlog_begin(l, START + 600, 0);
	sessionlog_end(l, 300000, RESULT_COMPLETED, false, 6, "Last", "R", 0);
	sessionlog_close(l);
	char *text = read_file(d.file, NULL);
	assert_non_null(strstr(text, "\tLast\tR\t2,5\n"));
	assert_non_null(strstr(text, "\tLast\tR\n"));
	free(text);
	struct session_history h;
	assert_int_equal(sessionlog_read(d.file, &h), 0);
	assert_int_equal(h.count, 2);
	assert_int_equal(h.damaged, 0);
	assert_int_equal(h.session[0].skipped, 1u << 1 | 1u << 4);
	assert_int_equal(h.session[1].skipped, 0);
	sessionlog_history_free(&h);

	static const char *const bad[] = {
	    "\t", "\t0", "\t33", "\t2,", "\t,2", "\t2,2", "\t2;3",
	    "\t2\t3", "\t0002",
	};
	struct logged_session s;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char line[128];
		snprintf(line, sizeof line,
			 "2026-11-21T14:03:07+01:00\t312\tcompleted\t6\ta\t"
			 "b%s",
			 bad[i]);
		if (sessionlog_parse(line, &s))
			fail_msg("accepted: %s", line);
	}
	assert_true(sessionlog_parse("2026-11-21T14:03:07+01:00\t312\t"
				     "completed\t6\ta\tb\t1,32",
				     &s));
	assert_int_equal(s.skipped, 1u | 1u << 31);

	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	assert_int_equal(stats_print_file(out, stderr, d.file, START), 0);
	fclose(out);
	assert_non_null(strstr(got, "Skipped exercises (two quick presses): "
				    "2, in 1 of 2 sessions\n"
				    "  skipped  exercise number\n"
				    "        1  2\n"
				    "        1  5\n"));
	free(got);
	remove_dir(&d);
}

static void test_stats_without_a_record(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	char *got = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&got, &len);
	assert_int_equal(stats_print(out, stderr, d.path, START), 0);
	fclose(out);
	assert_non_null(strstr(got, "No sessions recorded yet"));
	free(got);
	/* A record that is not a file: an error, exit status 1. */
	assert_int_equal(mkdir(d.file, 0755), 0);
	FILE *null = fopen("/dev/null", "w");
	assert_int_equal(stats_print(null, null, d.path, START), 1);
	fclose(null);
	remove_dir(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_as_written),
	    cmocka_unit_test(test_begin_and_end),
	    cmocka_unit_test(test_names_cannot_break_a_line),
	    cmocka_unit_test(test_damaged_lines_are_counted),
	    cmocka_unit_test(test_torn_end_is_sealed),
	    cmocka_unit_test(test_full_disk_keeps_sessions),
	    cmocka_unit_test(test_memory_is_bounded),
	    cmocka_unit_test(test_unwritable_folder),
	    cmocka_unit_test(test_size_is_capped),
	    cmocka_unit_test(test_stats_golden),
	    cmocka_unit_test(test_stats_count_the_red_flag_screen),
	    cmocka_unit_test(test_stats_without_a_record),
	    cmocka_unit_test(test_skipped_exercises_are_kept),
	};
	return cmocka_run_group_tests(tests, setup_tz, NULL);
}
