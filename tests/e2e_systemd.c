/*
 * e2e_systemd.c - the appliance files judged by systemd's own tools:
 * `systemd-analyze verify` must be clean for both units and
 * `systemd-analyze security` must rate kiosk.service 2.0 or lower.
 *
 * verify wants ExecStart's program to exist, so it runs on copies of the
 * units pointing at the built binary ($KIOSK), with MANPATH on a copy of
 * man/ so Documentation= is checked too. Skipped, saying why, only where
 * systemd-analyze is missing. Also: scripts/install.sh parses and
 * answers --help.
 */
#include "testutil.h"

#include <limits.h>
#include <unistd.h>

#define OUT	      "build/e2e-systemd"
#define SCORE_TARGET  2.0
#define INSTALLED_BIN "/usr/local/bin/kiosk"

static const char *kiosk(void)
{
	const char *k = getenv("KIOSK");
	return k ? k : "build/kiosk";
}

static bool have(const char *program)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", program);
	return run(cmd) == 0;
}

static int setup(void **state)
{
	(void)state;
	char bin[PATH_MAX], cmd[2 * PATH_MAX];
	if (!realpath(kiosk(), bin))
		return -1;
	/* The units as installed, ExecStart on the built binary. */
	snprintf(cmd, sizeof cmd,
		 "rm -rf " OUT " && mkdir -p " OUT "/man/man5 " OUT
		 "/man/man8 " OUT "/run && "
		 "cp man/kiosk.8 " OUT "/man/man8/ && "
		 "cp man/kiosk.conf.5 " OUT "/man/man5/ && "
		 "for u in kiosk.service kiosk-user.service; do "
		 "sed 's|^ExecStart=" INSTALLED_BIN "|ExecStart=%s|' "
		 "systemd/$u > " OUT "/$u || exit 1; done",
		 bin);
	return run(cmd) == 0 ? 0 : -1;
}

/* The installed path is what `make install` rewrites: it must be there
 * to be found, and the Makefile's default must match it. */
static void test_units_name_the_installed_binary(void **state)
{
	(void)state;
	assert_int_equal(run("grep -qx 'ExecStart=" INSTALLED_BIN
			     "' systemd/kiosk.service && "
			     "grep -qx 'ExecStart=" INSTALLED_BIN
			     "' systemd/kiosk-user.service && "
			     "grep -qx 'PREFIX ?= /usr/local' Makefile"),
			 0);
}

/* Run verify; any line naming our files is a failure (lines about other
 * units on the machine are shown but not held against us). */
static void verify(const char *scope, const char *unit)
{
	char cmd[1024];
	bool man = have("man");
	if (!man)
		printf("   (no man(1) here: Documentation= not checked)\n");
	snprintf(cmd, sizeof cmd,
		 "XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$PWD/" OUT "/run} "
		 "MANPATH=$PWD/" OUT "/man systemd-analyze %s verify %s " OUT
		 "/%s >" OUT "/verify-%s.txt 2>&1",
		 scope, man ? "" : "--man=no", unit, unit);
	int status = run(cmd);
	char path[256];
	snprintf(path, sizeof path, OUT "/verify-%s.txt", unit);
	char *text = read_file(path, NULL);
	assert_non_null(text);
	if (*text)
		printf("%s", text);
	assert_int_equal(status, 0);
	assert_null(strstr(text, "kiosk"));
	free(text);
}

static void test_verify_system_unit(void **state)
{
	(void)state;
	if (!have("systemd-analyze")) {
		printf("   SKIP: systemd-analyze is not installed\n");
		skip();
	}
	verify("", "kiosk.service");
}

static void test_verify_user_unit(void **state)
{
	(void)state;
	if (!have("systemd-analyze")) {
		printf("   SKIP: systemd-analyze is not installed\n");
		skip();
	}
	verify("--user", "kiosk-user.service");
}

static void test_security_score(void **state)
{
	(void)state;
	if (!have("systemd-analyze")) {
		printf("   SKIP: systemd-analyze is not installed\n");
		skip();
	}
	int status = run("systemd-analyze security --offline=true " OUT
			 "/kiosk.service >" OUT "/security.txt 2>&1");
	char *text = read_file(OUT "/security.txt", NULL);
	assert_non_null(text);
	const char *p = strstr(text, "Overall exposure level for "
				     "kiosk.service: ");
	if (!p)
		printf("%s", text);
	assert_int_equal(status, 0);
	assert_non_null(p);
	double score = atof(p + strlen("Overall exposure level for "
				       "kiosk.service: "));
	printf("   systemd-analyze security: kiosk.service %.1f (target "
	       "%.1f or lower)\n",
	       score, SCORE_TARGET);
	assert_true(score > 0 && score <= SCORE_TARGET);
	free(text);
}

static void test_install_script_parses(void **state)
{
	(void)state;
	assert_int_equal(run("bash -n scripts/install.sh"), 0);
	assert_int_equal(run("scripts/install.sh --help >/dev/null"), 0);
	assert_int_equal(run("scripts/install.sh --bogus >/dev/null 2>&1"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_units_name_the_installed_binary),
	    cmocka_unit_test(test_verify_system_unit),
	    cmocka_unit_test(test_verify_user_unit),
	    cmocka_unit_test(test_security_score),
	    cmocka_unit_test(test_install_script_parses),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
