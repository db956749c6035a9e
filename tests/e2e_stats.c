/*
 * e2e_stats.c - kiosk --stats, --state-dir and --version as staff run
 * them: the made-up record in tests/stats/ summarised by the binary
 * ($KIOSK), found through --state-dir or systemd's $STATE_DIRECTORY.
 */
#include "testutil.h"

#define OUT "build/e2e-stats"

static const char *kiosk(void)
{
	const char *k = getenv("KIOSK");
	return k ? k : "build/kiosk";
}

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
	assert_non_null(strstr(err, "kiosk: --stats: cannot read " OUT
				    "/odd/sessions.tsv"));
	free(err);
	got = stats("", "--state-dir ''", &status);
	assert_int_equal(status, 2);
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
		 "'--state-dir DIR'",
		 kiosk(), kiosk());
	assert_int_equal(run(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_of_a_record),
	    cmocka_unit_test(test_state_directory_from_systemd),
	    cmocka_unit_test(test_no_record_and_unreadable_record),
	    cmocka_unit_test(test_version_and_help),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
