/*
 * e2e_systemd.c - the appliance files judged by systemd's own tools:
 * `systemd-analyze verify` must be clean for both units,
 * `systemd-analyze security` must rate kiosk.service 2.0 or lower and
 * kiosk-user.service 6.0 or lower; and the units themselves: only the
 * kiosk's own console among the devices, no @resources calls but the
 * one PortAudio needs, no netlink for the desktop unit.
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
/* As a user unit is rated as if it ran as root: see kiosk-user.service. */
#define USER_SCORE_TARGET 6.0
#define INSTALLED_BIN "/usr/local/bin/kiosk"

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

/* The exposure systemd-analyze gives `unit` (analysed with `scope`). */
static double score_of(const char *scope, const char *unit)
{
	char cmd[1024], path[256], pat[256];
	snprintf(path, sizeof path, OUT "/security-%s.txt", unit);
	snprintf(cmd, sizeof cmd,
		 "XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$PWD/" OUT "/run} "
		 "systemd-analyze %s security --offline=true " OUT
		 "/%s >%s 2>&1",
		 scope, unit, path);
	int status = run(cmd);
	char *text = read_file(path, NULL);
	assert_non_null(text);
	snprintf(pat, sizeof pat, "Overall exposure level for %s: ", unit);
	const char *p = strstr(text, pat);
	if (!p)
		printf("%s", text);
	assert_int_equal(status, 0);
	assert_non_null(p);
	double score = atof(p + strlen(pat));
	free(text);
	return score;
}

static void test_security_score(void **state)
{
	(void)state;
	if (!have("systemd-analyze")) {
		printf("   SKIP: systemd-analyze is not installed\n");
		skip();
	}
	double score = score_of("", "kiosk.service");
	printf("   systemd-analyze security: kiosk.service %.1f (target "
	       "%.1f or lower)\n",
	       score, SCORE_TARGET);
	assert_true(score > 0 && score <= SCORE_TARGET);
	double user = score_of("--user", "kiosk-user.service");
	printf("   systemd-analyze --user security: kiosk-user.service %.1f "
	       "(target %.1f or lower)\n",
	       user, USER_SCORE_TARGET);
	assert_true(user > 0 && user <= USER_SCORE_TARGET);
}

/* Of the consoles, the system unit may open only the one it runs on
 * (TTYPath=) and its controlling terminal: not every tty (char-tty). */
static void test_only_the_kiosk_console(void **state)
{
	(void)state;
	assert_int_equal(
	    run("tty=$(sed -n 's/^TTYPath=//p' systemd/kiosk.service) && "
		"[ -n \"$tty\" ] && "
		"grep -qx \"DeviceAllow=$tty rw\" systemd/kiosk.service && "
		"grep -qx 'DeviceAllow=/dev/tty rw' systemd/kiosk.service && "
		"! grep -q '^DeviceAllow=.*char-tty' systemd/kiosk.service && "
		"[ $(grep -c '^DeviceAllow=.*tty' systemd/kiosk.service) = 2 ]"),
	    0);
}

/* Both units refuse every @resources call but sched_setscheduler (which
 * PortAudio needs; RestrictRealtime= limits it to normal policies), and
 * the desktop unit opens no netlink socket. */
static void test_syscalls_and_sockets(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		char cmd[1024];
		const char *unit =
		    i ? "systemd/kiosk-user.service" : "systemd/kiosk.service";
		snprintf(cmd, sizeof cmd,
			 "grep -qx 'SystemCallFilter=~@privileged @resources' "
			 "%s && "
			 "[ \"$(grep '^SystemCallFilter=[^~@]' %s)\" = "
			 "'SystemCallFilter=sched_setscheduler' ] && "
			 "grep -qx 'RestrictRealtime=yes' %s && "
			 "grep -qx 'RestrictAddressFamilies=AF_UNIX' %s",
			 unit, unit, unit, unit);
		printf("   %s\n", unit);
		assert_int_equal(run(cmd), 0);
	}
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
	    cmocka_unit_test(test_only_the_kiosk_console),
	    cmocka_unit_test(test_syscalls_and_sockets),
	    cmocka_unit_test(test_install_script_parses),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
