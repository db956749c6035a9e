/*
 * e2e_demo.c - what someone trying the kiosk sees on a fresh machine
 * (make demo): no routine file and no folder for it, so the built-in
 * routine runs, and the log says so in words that mean something to
 * them, not that a file could not be watched. The kiosk binary is
 * $KIOSK (default build/kiosk), on the real clock (only the real clock
 * watches the routine file).
 */
#include "testutil.h"

#include <stdbool.h>
#include <unistd.h>

static void test_no_routine_folder_says_builtin_runs(void **state)
{
	(void)state;
	char dir[64], cmd[1024], path[128];
	tmp_dir_make(dir, "demo");
	snprintf(path, sizeof path, "%s/quit.script", dir);
	write_file(path, "0.3 quit\n");
	snprintf(cmd, sizeof cmd,
		 "%s --config %s/etc-kiosk/kiosk.conf --input script:%s "
		 "--video none --audio none >%s/out 2>%s/err",
		 kiosk(), dir, path, dir, dir);
	assert_int_equal(run(cmd), 0);
	snprintf(path, sizeof path, "%s/err", dir);
	char *err = read_file(path, NULL);
	assert_non_null(err);
	fputs(err ? err : "", stdout); /* GCC cannot see the assert stop */
	assert_null(strstr(err, "cannot watch"));
	char want[256];
	snprintf(want, sizeof want,
		 "kiosk: routine: %s/etc-kiosk/kiosk.conf does not exist, so "
		 "the built-in routine runs",
		 dir);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "reload with SIGHUP"));
	free(err);
	tmp_dir_remove(dir);
}

/* What a terminal shows of the kiosk's output: each spoken line written
 * while a countdown was up, and what the bottom line showed next. The
 * bytes are played as a terminal would ("\r\033[K" wipes the bottom
 * line, "\n" moves it up). Returns how many spoken lines were checked;
 * fails if one of them left the countdown off the screen. */
static int spoken_over_countdown(const char *out)
{
	char cur[512] = "", wiped[512] = "", before_say[512] = "";
	size_t n = 0;
	int checked = 0;
	bool said = false; /* a spoken line interrupted a countdown */
	for (const char *p = out; *p; p++) {
		if (!strncmp(p, "\r\033[K", 4) || *p == '\n') {
			if (said && *p != '\n') {
				/* What stood under the spoken line until
				 * the next redraw: the same countdown. */
				if (strcmp(cur, before_say))
					fail_msg("after a spoken line the bottom "
						 "line showed '%s', not the "
						 "countdown '%s'",
						 cur, before_say);
				checked++;
				said = false;
			}
			if (*p == '\n') {
				if (!strncmp(cur, "  > ", 4) && wiped[0])
					said = true, strcpy(before_say, wiped);
				wiped[0] = '\0';
			} else {
				strcpy(wiped, cur);
				p += 3;
			}
			cur[0] = '\0', n = 0;
		} else if (*p != '\r' && n + 1 < sizeof cur) {
			cur[n++] = *p, cur[n] = '\0';
		}
	}
	return checked;
}

/* Issue 16: on a console with no display (make demo), each spoken count
 * used to wipe the one-line countdown, so "0:05" was never in sight. Run
 * on a pseudo-terminal (util-linux script), the countdown stays on the
 * bottom line, drawn again under every line spoken during the hold. */
static void test_terminal_keeps_the_countdown_in_sight(void **state)
{
	(void)state;
	if (run("command -v script >/dev/null") != 0)
		skip(); /* util-linux's script gives us a terminal */
	char dir[64], cmd[2048];
	tmp_dir_make(dir, "tty");
	write_file(tmp_path(dir, "short.conf"),
		   "[settings]\nget_ready = 0\ncountdown = 3\ndone_time = 3\n"
		   "[routine]\nname = Short\nredflags_screen = off\n"
		   "[exercise]\nname = Wedge\nsay = Lie back.\nkind = hold\n"
		   "seconds = 6\nbreath = in 2, out 2\nstart = auto\n");
	write_file(tmp_path(dir, "s.script"), "0 press\n");
	snprintf(cmd, sizeof cmd,
		 "script -qec \"%s --config %s --assets assets "
		 "--input script:%s --video none --audio none "
		 "--events %s --exit-after-session\" %s >/dev/null 2>&1",
		 kiosk(), tmp_path(dir, "short.conf"),
		 tmp_path(dir, "s.script"), tmp_path(dir, "events.jsonl"),
		 tmp_path(dir, "tty.out"));
	assert_int_equal(run(cmd), 0);
	char *raw = read_file(tmp_path(dir, "tty.out"), NULL);
	assert_non_null(raw);
	/* The terminal turns "\n" into "\r\n": back to one "\n". */
	char *out = raw, *w = raw;
	for (const char *r = raw; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
	fputs(out, stdout);
	/* The spoken lines and every second of the countdown are there. */
	assert_non_null(strstr(out, "  > Lie back.\n"));
	assert_non_null(strstr(out, "  > Out\n"));
	for (int s = 1; s <= 6; s++) {
		char time[16];
		snprintf(time, sizeof time, "      0:%02d ", s);
		assert_non_null(strstr(out, time));
	}
	/* In, 2, Out, 3, 2, 1 at least: each left the countdown in sight. */
	assert_true(spoken_over_countdown(out) >= 6);
	free(raw);
	tmp_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_routine_folder_says_builtin_runs),
	    cmocka_unit_test(test_terminal_keeps_the_countdown_in_sight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
