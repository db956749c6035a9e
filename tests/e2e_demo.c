/*
 * e2e_demo.c - what someone trying the kiosk sees on a fresh machine
 * (make demo): no routine file and no folder for it, so the built-in
 * routine runs, and the log says so in words that mean something to
 * them, not that a file could not be watched. The kiosk binary is
 * $KIOSK (default build/kiosk), on the real clock (only the real clock
 * watches the routine file).
 */
#include "testutil.h"

#include <unistd.h>

static const char *kiosk(void)
{
	const char *k = getenv("KIOSK");
	return k ? k : "build/kiosk";
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_routine_folder_says_builtin_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
