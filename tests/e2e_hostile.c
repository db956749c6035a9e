/*
 * e2e_hostile.c - the kiosk binary ($KIOSK) against hostile files, as a
 * staff member or a broken disk would hand them over: FIFOs, devices,
 * folders and symbolic links where a file should be (the routine file,
 * the script, both state files), numbers that would wrap, CRLF and BOM,
 * control characters, a flood of errors, a routine longer than a session
 * may be, and SIGTERM while files at their size caps are being loaded.
 *
 * Every command runs under timeout(1): a reader that blocks fails the
 * test (status 124) instead of hanging it.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static const char *in_dir(const char *name)
{
	return tmp_path(dir, name);
}

static int setup(void **state)
{
	(void)state;
	tmp_dir_make(dir, "hostile");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmp_dir_remove(dir);
	return 0;
}

/* Run the kiosk with args under a timeout; its stderr into *err. */
static int kiosk_run(const char *args, char **err)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "timeout 20 %s %s >%s 2>%s", kiosk(), args,
		 in_dir("stdout"), in_dir("stderr"));
	int status = run(cmd);
	*err = read_file(in_dir("stderr"), NULL);
	assert_non_null(*err);
	return status;
}

static void says(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("expected '%s' in:\n%s", want, text);
}

/* The text of a routine: the built-in one with `sed` applied. */
static void routine_with(const char *sed, const char *name)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s --print-config | sed %s >%s", kiosk(),
		 sed, in_dir(name));
	assert_int_equal(run(cmd), 0);
}

static void test_check_refuses_what_is_not_a_file(void **state)
{
	(void)state;
	char args[256], *err;
	assert_int_equal(mkfifo(in_dir("fifo.conf"), 0644), 0);
	assert_int_equal(symlink("/dev/zero", in_dir("zero.conf")), 0);
	const char *cases[][2] = {
	    {in_dir("fifo.conf"), "is a FIFO (named pipe), not a file"},
	    {"/dev/zero", "is a device"},
	    {"/dev/urandom", "is a device"},
	    {in_dir("zero.conf"), "is a device"},
	    {dir, "is a folder, not a file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(args, sizeof args, "--check --config %s", cases[i][0]);
		assert_int_equal(kiosk_run(args, &err), 1);
		char want[256];
		snprintf(want, sizeof want, "%s: %s", cases[i][0],
			 cases[i][1]);
		says(err, want);
		free(err);
	}
}

/* The kiosk starts anyway, on the built-in routine, and says why. */
static void test_start_with_a_fifo_routine_and_state(void **state)
{
	(void)state;
	char args[512], *err;
	assert_int_equal(mkdir(in_dir("state"), 0755), 0);
	assert_int_equal(mkfifo(in_dir("state/progress.tsv"), 0644), 0);
	assert_int_equal(mkfifo(in_dir("state/sessions.tsv"), 0644), 0);
	write_file(in_dir("quit.txt"), "1 quit\n");
	snprintf(args, sizeof args,
		 "--config %s --state-dir %s --input script:%s --clock "
		 "virtual --video none --audio none",
		 in_dir("fifo.conf"), in_dir("state"), in_dir("quit.txt"));
	assert_int_equal(kiosk_run(args, &err), 0);
	says(err, "fifo.conf: is a FIFO (named pipe), not a file");
	says(err, "running the built-in routine");
	says(err, "progress.tsv: is a FIFO (named pipe), not a file");
	free(err);
	struct stat st;
	assert_int_equal(stat(in_dir("state/progress.tsv"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

static void test_script_that_is_not_a_file(void **state)
{
	(void)state;
	char args[512], *err;
	assert_int_equal(mkfifo(in_dir("script.fifo"), 0644), 0);
	const char *cases[][2] = {
	    {in_dir("script.fifo"), "is a FIFO (named pipe), not a file"},
	    {"/dev/zero", "is a device"},
	    {dir, "is a folder, not a file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		snprintf(args, sizeof args,
			 "--input script:%s --clock virtual --video none "
			 "--audio none",
			 cases[i][0]);
		assert_int_equal(kiosk_run(args, &err), 1);
		says(err, cases[i][1]);
		free(err);
	}
}

/* Windows line ends and a byte order mark, in the script and the
 * routine alike. */
static void test_crlf_and_bom(void **state)
{
	(void)state;
	char args[512], *err;
	FILE *f = fopen(in_dir("crlf.txt"), "wb");
	fputs("\xEF\xBB\xBF# made on Windows\r\n0\tpress\r\n2 quit\r\n", f);
	fclose(f);
	snprintf(args, sizeof args,
		 "--input script:%s --clock virtual --video none --audio none "
		 "--events %s",
		 in_dir("crlf.txt"), in_dir("events.jsonl"));
	assert_int_equal(kiosk_run(args, &err), 0);
	free(err);
	char *ev = read_file(in_dir("events.jsonl"), NULL);
	says(ev, "\"gesture\":\"press\"");
	free(ev);
	char cmd[512];
	snprintf(
	    cmd, sizeof cmd,
	    "%s --print-config | sed '1s/^/\\xEF\\xBB\\xBF/; s/$/\\r/' >%s",
	    kiosk(), in_dir("crlf.conf"));
	assert_int_equal(run(cmd), 0);
	snprintf(args, sizeof args, "--check --config %s", in_dir("crlf.conf"));
	assert_int_equal(kiosk_run(args, &err), 0);
	free(err);
}

static void test_numbers_never_wrap(void **state)
{
	(void)state;
	char args[256], *err;
	const char *values[] = {
	    "in 4294967297, out 4", "in +4, out 4", "in -4, out 4",
	    "in 4, out 18446744073709551620", "in 0x4, out 4"};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		char sed[256];
		snprintf(sed, sizeof sed, "'0,/^breath = .*/s//breath = %s/'",
			 values[i]);
		routine_with(sed, "wrap.conf");
		snprintf(args, sizeof args, "--check --config %s",
			 in_dir("wrap.conf"));
		assert_int_equal(kiosk_run(args, &err), 1);
		says(err, "'breath' must be 'none' or up to 4 phases");
		free(err);
	}
	routine_with("'s/^rate = .*/rate = 4294967446/'", "rate.conf");
	snprintf(args, sizeof args, "--check --config %s", in_dir("rate.conf"));
	assert_int_equal(kiosk_run(args, &err), 1);
	says(err, "'rate' must be a whole number from 80 to 450");
	free(err);
	write_file(in_dir("wrap.txt"), "4294967296.5 press\n");
	snprintf(args, sizeof args,
		 "--input script:%s --clock virtual --video none --audio none",
		 in_dir("wrap.txt"));
	assert_int_equal(kiosk_run(args, &err), 1);
	says(err, ":1: '4294967296.5' is not a time in seconds");
	free(err);
}

/* Case: sections, keys and keywords in any case. C1 controls: refused
 * like the C0 ones. */
static void test_case_and_control_characters(void **state)
{
	(void)state;
	char args[256], *err;
	routine_with("'s/^\\[settings\\]/[Settings]/; s/^name = /Name = /; "
		     "s/^kind = hold/kind = HOLD/; s/^mat_start = .*/MAT_START "
		     "= Yes/'",
		     "case.conf");
	snprintf(args, sizeof args, "--check --config %s", in_dir("case.conf"));
	assert_int_equal(kiosk_run(args, &err), 0);
	free(err);
	const char *c1[] = {"\\xC2\\x85", "\\xC2\\x9B"};
	for (int i = 0; i < 2; i++) {
		char sed[256];
		snprintf(sed, sizeof sed,
			 "'0,/^name = .*/s//name = Mid%sback/'", c1[i]);
		routine_with(sed, "c1.conf");
		snprintf(args, sizeof args, "--check --config %s",
			 in_dir("c1.conf"));
		assert_int_equal(kiosk_run(args, &err), 1);
		says(err, "line is not plain UTF-8 text");
		free(err);
	}
}

static void test_error_cap_says_how_many_more(void **state)
{
	(void)state;
	char args[256], *err;
	FILE *f = fopen(in_dir("many.conf"), "w");
	for (int i = 0; i < 90000; i++)
		fputs("[exercise]\n", f);
	fclose(f);
	snprintf(args, sizeof args, "--check --config %s", in_dir("many.conf"));
	assert_int_equal(kiosk_run(args, &err), 1);
	int lines = 0;
	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 101);
	says(err, "more errors not shown; fix these first");
	/* 90000 headers: the first 32 are exercises, each of them missing
	 * its name, say and kind (3 each); every other is one error; and
	 * no [routine]: 96 + 89968 + 1 errors, 100 shown. */
	says(err, ": 89965 more errors not shown");
	free(err);
}

/* Writer and reader agree: a routine longer than a session may be is
 * refused, never run and written as a length --stats calls damaged. */
static void test_routine_longer_than_a_session(void **state)
{
	(void)state;
	char args[256], *err;
	FILE *f = fopen(in_dir("long.conf"), "w");
	fputs("[routine]\nname = Very long\n", f);
	for (int i = 0; i < 32; i++)
		fprintf(f,
			"[exercise]\nname = Hold %d\nkind = hold\nseconds = "
			"3600\nrepeats = 20\nsay = Hold it\n",
			i);
	fclose(f);
	snprintf(args, sizeof args, "--check --config %s", in_dir("long.conf"));
	assert_int_equal(kiosk_run(args, &err), 1);
	says(err, "longer than the 168 hours (7 days) a session may last");
	free(err);
}

/* --stats: refused at once when the record is not a file; CRLF taken; a
 * line far too long, and one with a control character in a name, are
 * damaged lines. */
static void test_stats_hostile_records(void **state)
{
	(void)state;
	char args[256], *err;
	assert_int_equal(mkdir(in_dir("s1"), 0755), 0);
	assert_int_equal(symlink("/dev/urandom", in_dir("s1/sessions.tsv")), 0);
	snprintf(args, sizeof args, "--stats --state-dir %s", in_dir("s1"));
	assert_int_equal(kiosk_run(args, &err), 1);
	says(err, "sessions.tsv: is a device");
	free(err);
	assert_int_equal(mkdir(in_dir("s2"), 0755), 0);
	FILE *f = fopen(in_dir("s2/sessions.tsv"), "wb");
	fputs("2026-11-21T14:03:07+01:00\t312\tcompleted\t6\tCat-cow\tMid\r\n",
	      f);
	for (int i = 0; i < 100000; i++)
		fputc('x', f);
	fputs("\n2026-11-21T15:03:07+01:00\t7\tstopped\t1\tCat-cow\tMid\n", f);
	/* An escape sequence in a name would reach the terminal. */
	fputs("2026-11-21T16:03:07+01:00\t7\tstopped\t1\t\x1b[2J\tMid\n", f);
	fclose(f);
	snprintf(args, sizeof args, "--stats --state-dir %s", in_dir("s2"));
	assert_int_equal(kiosk_run(args, &err), 0);
	free(err);
	char *out = read_file(in_dir("stdout"), NULL);
	says(out, "2 sessions, from");
	says(out, "2 damaged lines were skipped (the first is line 2)");
	assert_null(strchr(out, '\x1b'));
	free(out);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* SIGTERM at several moments from the start, with a routine file and a
 * progress.tsv at their size caps (1 MiB; 100 000 names, 15 MB): the
 * kiosk is gone within 5 seconds every time (it takes well under one
 * here; the bound leaves room for a busy machine and the sanitizers). */
static void test_sigterm_while_loading(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "%s --print-config >%s && awk 'BEGIN { while (n < 1000000) "
		 "{ print \"# \" sprintf(\"%%098d\", 0); n += 101 } }' >>%s",
		 kiosk(), in_dir("cap.conf"), in_dir("cap.conf"));
	assert_int_equal(run(cmd), 0);
	assert_int_equal(mkdir(in_dir("capstate"), 0755), 0);
	snprintf(cmd, sizeof cmd,
		 "awk 'BEGIN { for (i = 0; i < 100000; i++) printf "
		 "\"N%%06d%%0143d\\t%%d\\n\", i, 0, i %% 50 + 1 }' >%s",
		 in_dir("capstate/progress.tsv"));
	assert_int_equal(run(cmd), 0);
	char *err;
	snprintf(cmd, sizeof cmd, "--check --config %s", in_dir("cap.conf"));
	assert_int_equal(kiosk_run(cmd, &err), 0);
	free(err);
	const int delays_ms[] = {0, 5, 20, 60, 150, 400};
	for (size_t i = 0; i < sizeof delays_ms / sizeof *delays_ms; i++) {
		fflush(stdout); /* or the child prints it again */
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			assert_non_null(freopen("/dev/null", "w", stdout));
			assert_non_null(freopen("/dev/null", "w", stderr));
			execl(kiosk(), kiosk(), "--config", in_dir("cap.conf"),
			      "--state-dir", in_dir("capstate"), "--input",
			      "script:/dev/null", "--video", "none", "--audio",
			      "none", (char *)NULL);
			_exit(127);
		}
		usleep((useconds_t)delays_ms[i] * 1000);
		double sent = now_s();
		assert_int_equal(kill(pid, SIGTERM), 0);
		int status = 0;
		pid_t got;
		while ((got = waitpid(pid, &status, WNOHANG)) == 0 &&
		       now_s() - sent < 5)
			usleep(2000);
		double took = now_s() - sent;
		if (got == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("SIGTERM %d ms after start: still running "
				 "after 5 s",
				 delays_ms[i]);
		}
		printf("   SIGTERM %3d ms after start: gone %.3f s later\n",
		       delays_ms[i], took);
		/* Stopped by its handler (0) or, before the handler is in
		 * place, by the signal itself. */
		assert_true(
		    (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		    (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
	}
}

/* Wait up to `seconds` for `want` to appear in the file at path. */
static bool wait_text(const char *path, const char *want, int n, double seconds)
{
	double until = now_s() + seconds;
	do {
		char *text = read_file(path, NULL);
		int found = 0;
		for (const char *p = text ? strstr(text, want) : NULL; p;
		     p = strstr(p + 1, want))
			found++;
		free(text);
		if (found >= n)
			return true;
		usleep(20000);
	} while (now_s() < until);
	return false;
}

/* A FIFO, then a link to /dev/zero, put in the place of the routine file
 * under the running kiosk (and a SIGHUP on top): each is refused at once,
 * the routine in use stays, and SIGTERM still stops it promptly. */
static void test_swapped_in_under_the_running_kiosk(void **state)
{
	(void)state;
	char cmd[512];
	assert_int_equal(mkdir(in_dir("live"), 0755), 0);
	snprintf(cmd, sizeof cmd, "%s --print-config >%s", kiosk(),
		 in_dir("live/kiosk.conf"));
	assert_int_equal(run(cmd), 0);
	const char *log = in_dir("live.err");
	fflush(stdout);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		assert_non_null(freopen("/dev/null", "w", stdout));
		assert_non_null(freopen(log, "w", stderr));
		execl(kiosk(), kiosk(), "--config", in_dir("live/kiosk.conf"),
		      "--input", "script:/dev/null", "--video", "none",
		      "--audio", "none", "--events", in_dir("live.jsonl"),
		      (char *)NULL);
		_exit(127);
	}
	assert_true(
	    wait_text(in_dir("live.jsonl"), "\"state\":\"attract\"", 1, 10));
	assert_int_equal(mkfifo(in_dir("live/new"), 0644), 0);
	assert_int_equal(rename(in_dir("live/new"), in_dir("live/kiosk.conf")),
			 0);
	assert_true(wait_text(log,
			      "kiosk.conf: is a FIFO (named pipe), not "
			      "a file",
			      1, 10));
	assert_int_equal(symlink("/dev/zero", in_dir("live/z")), 0);
	assert_int_equal(rename(in_dir("live/z"), in_dir("live/kiosk.conf")),
			 0);
	assert_true(wait_text(log, "kiosk.conf: is a device", 1, 10));
	assert_int_equal(kill(pid, SIGHUP), 0);
	assert_true(wait_text(log, "kiosk.conf: is a device", 2, 10));
	assert_true(wait_text(log,
			      "keeping the routine in use until it is "
			      "fixed",
			      3, 10));
	double sent = now_s();
	assert_int_equal(kill(pid, SIGTERM), 0);
	int status = 0;
	pid_t got;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 &&
	       now_s() - sent < 5)
		usleep(2000);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("still running 5 s after SIGTERM");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A picture swapped for a FIFO after the routine was loaded: the screen
 * goes on without it (SDL_image never opens the path itself), the log
 * says why, and the session completes. */
static void test_picture_swapped_for_a_fifo(void **state)
{
	(void)state;
	char cmd[512];
	assert_int_equal(mkdir(in_dir("pic"), 0755), 0);
	snprintf(cmd, sizeof cmd, "cp assets/illustrations/foam-roller.svg %s",
		 in_dir("pic/p.svg"));
	assert_int_equal(run(cmd), 0);
	write_file(in_dir("pic/r.conf"),
		   "[routine]\nname = Pic\nredflags_screen = off\n"
		   "[exercise]\nname = Roll\nkind = "
		   "hold\nseconds = 5\nsay = Roll\nillustration = p.svg\n"
		   "get_ready = 2\n");
	write_file(in_dir("pic/s.txt"), "2 press\n");
	const char *log = in_dir("pic.err");
	char input[200];
	snprintf(input, sizeof input, "script:%s", in_dir("pic/s.txt"));
	fflush(stdout);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("SDL_VIDEODRIVER", "dummy", 1);
		assert_non_null(freopen("/dev/null", "w", stdout));
		assert_non_null(freopen(log, "w", stderr));
		execl(kiosk(), kiosk(), "--config", in_dir("pic/r.conf"),
		      "--input", input, "--audio", "none", "--events",
		      in_dir("pic.jsonl"), "--exit-after-session",
		      (char *)NULL);
		_exit(127);
	}
	assert_true(
	    wait_text(in_dir("pic.jsonl"), "\"state\":\"attract\"", 1, 10));
	assert_int_equal(unlink(in_dir("pic/p.svg")), 0);
	assert_int_equal(mkfifo(in_dir("pic/p.svg"), 0644), 0);
	int status = 0;
	double start = now_s();
	pid_t got;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 &&
	       now_s() - start < 40)
		usleep(20000);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the session did not end within 40 s");
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(wait_text(log, "screens: ", 1, 0));
	assert_true(
	    wait_text(log, "p.svg: is a FIFO (named pipe), not a file", 1, 0));
	assert_true(
	    wait_text(in_dir("pic.jsonl"), "\"result\":\"completed\"", 1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_refuses_what_is_not_a_file),
	    cmocka_unit_test(test_start_with_a_fifo_routine_and_state),
	    cmocka_unit_test(test_script_that_is_not_a_file),
	    cmocka_unit_test(test_crlf_and_bom),
	    cmocka_unit_test(test_numbers_never_wrap),
	    cmocka_unit_test(test_case_and_control_characters),
	    cmocka_unit_test(test_error_cap_says_how_many_more),
	    cmocka_unit_test(test_routine_longer_than_a_session),
	    cmocka_unit_test(test_stats_hostile_records),
	    cmocka_unit_test(test_sigterm_while_loading),
	    cmocka_unit_test(test_swapped_in_under_the_running_kiosk),
	    cmocka_unit_test(test_picture_swapped_for_a_fifo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
