/*
 * e2e_gpio.c - the kiosk binary with its real libgpiod backend, on a
 * machine without the lines it is told to use: the self-test's report,
 * and a kiosk that falls back to the keys without spinning. The settings
 * name /dev/null as the chip, which no machine has as a GPIO chip, so the
 * results do not depend on the machine. Run from the top of the tree,
 * with $KIOSK naming the binary (make test sets it).
 */
#include "testutil.h"

#include <sys/resource.h>
#include <sys/time.h>

#define OUT "build/e2e-gpio-out"

/* The built-in routine with these two line settings. */
static void wired(const char *button, const char *mat)
{
	assert_int_equal(run("mkdir -p " OUT), 0);
	write_wired_config(kiosk(), button, mat, OUT "/kiosk.conf");
}

static void test_self_test_reports_and_ends_without_lines(void **state)
{
	(void)state;
	wired("/dev/null:3", "none");
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --self-test --config " OUT "/kiosk.conf >" OUT
		 "/self-test.out 2>&1",
		 kiosk());
	assert_int_equal(run(cmd), 1);
	char *out = read_file(OUT "/self-test.out", NULL);
	fputs(out ? out : "(nothing)\n", stdout);
	assert_non_null(strstr(out, "kiosk: self-test: libgpiod "));
	assert_non_null(
	    strstr(out, "kiosk: button: /dev/null is not a GPIO chip"));
	assert_non_null(
	    strstr(out, "kiosk: mat: not wired (mat_line = none)\n"));
	assert_non_null(strstr(out, "no line to watch"));
	free(out);
}

static void test_bad_line_setting_is_a_config_error(void **state)
{
	(void)state;
	wired("gpiochip0:seventeen", "GPIO27");
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --check --config " OUT "/kiosk.conf 2>" OUT "/check.err",
		 kiosk());
	assert_int_equal(run(cmd), 1);
	char *err = read_file(OUT "/check.err", NULL);
	assert_non_null(strstr(err, "'button_line' must be a line name"));
	assert_non_null(strstr(err, "got 'gpiochip0:seventeen'"));
	free(err);
}

/* Neither line can be had: one line each, the keys take over, and the
 * kiosk sleeps (a retry every 10 s) until SIGTERM ends it cleanly. */
static void test_kiosk_without_lines_runs_on_keys_and_sleeps(void **state)
{
	(void)state;
	wired("/dev/null:1", "/dev/null:2");
	struct rusage before, after;
	getrusage(RUSAGE_CHILDREN, &before);
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "timeout --preserve-status -s TERM 2 %s --input gpio --video "
		 "none --audio none "
		 "--config " OUT "/kiosk.conf </dev/null >" OUT "/run.out 2>&1",
		 kiosk());
	assert_int_equal(run(cmd), 0); /* SIGTERM is a clean exit */
	getrusage(RUSAGE_CHILDREN, &after);
	char *out = read_file(OUT "/run.out", NULL);
	fputs(out ? out : "(nothing)\n", stdout);
	assert_non_null(strstr(out, "kiosk: button: /dev/null is not a GPIO "
				    "chip; trying again every 10 s"));
	assert_non_null(strstr(out, "kiosk: inputs: no GPIO line: the keys "
				    "only"));
	assert_non_null(strstr(out, "stopping"));
	double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
		     (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
		     (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
		     (after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
	printf("CPU over 2 s: %.3f s\n", cpu);
	/* Start-up only (a sanitizer build starts slowly): a busy wait
	 * would use the whole 2 s. */
	assert_true(cpu < 1.0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self_test_reports_and_ends_without_lines),
	    cmocka_unit_test(test_bad_line_setting_is_a_config_error),
	    cmocka_unit_test(test_kiosk_without_lines_runs_on_keys_and_sleeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
