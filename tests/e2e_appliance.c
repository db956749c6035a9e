/*
 * e2e_appliance.c - the kiosk binary as systemd and staff see it: the
 * notifications it sends on a real socket (READY, STATUS, watchdog pings,
 * STOPPING), and the session record its sessions leave for --stats. Run
 * from the top of the tree, with $KIOSK naming the binary.
 */
#include "testutil.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define OUT "build/e2e-appliance-out"

static void test_notifies_ready_status_watchdog_stopping(void **state)
{
	(void)state;
	assert_int_equal(run("mkdir -p " OUT), 0);
	write_file(OUT "/quit.script", "0.6 quit\n");
	/* systemd hands out short absolute paths; so does this test. */
	char dir[] = "/tmp/kiosk-notify-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	unlink(sa.sun_path);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);

	pid_t pid = fork();
	if (pid == 0) {
		setenv("NOTIFY_SOCKET", sa.sun_path, 1);
		setenv("WATCHDOG_USEC", "200000", 1); /* a ping every 100 ms */
		execl(kiosk(), kiosk(), "--input", "script:" OUT "/quit.script",
		      "--video", "none", "--audio", "none", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	char all[8192] = "", msg[1024];
	ssize_t n;
	int pings = 0;
	while ((n = recv(s, msg, sizeof msg - 1, MSG_DONTWAIT)) > 0) {
		msg[n] = '\0';
		pings += strstr(msg, "WATCHDOG=1") != NULL;
		if (strlen(all) + (size_t)n + 2 < sizeof all) {
			strcat(all, msg);
			strcat(all, "|");
		}
	}
	close(s);
	unlink(sa.sun_path);
	rmdir(dir);
	printf("%s\n%d pings\n", all, pings);
	assert_non_null(strstr(all, "READY=1"));
	assert_non_null(strstr(all, "STATUS=Waiting: Mid-back mobility"));
	assert_non_null(strstr(all, "STOPPING=1"));
	assert_true(strstr(all, "READY=1") < strstr(all, "STOPPING=1"));
	assert_true(pings >= 3); /* 0.6 s at one per 100 ms, at least */
}

static void test_sessions_reach_the_record_and_stats(void **state)
{
	(void)state;
	assert_int_equal(run("rm -rf " OUT "/state && mkdir -p " OUT), 0);
	/* On the mat at once: a whole session; then a press, and walking
	 * away: abandoned at the first exercise. */
	write_file(OUT "/two.script", "0 mat on\n"
				      "900 mat off\n"
				      "1000 press\n");
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --input script:" OUT "/two.script --clock virtual "
		 "--video none --audio none --state-dir " OUT "/state "
		 "2>" OUT "/two.err",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char **lines, *buf;
	lines = read_lines(OUT "/state/sessions.tsv", &buf);
	assert_non_null(lines);
	const char *kept[4];
	int n = 0;
	for (char **l = lines; *l; l++)
		if (**l != '#' && n < 4)
			kept[n++] = *l; /* not the header */
	assert_int_equal(n, 2);
	assert_non_null(strstr(kept[0], "\tcompleted\t6\t"));
	assert_non_null(strstr(kept[1], "\tabandoned\t1\t"));
	free(lines);
	free(buf);

	snprintf(cmd, sizeof cmd,
		 "%s --stats --state-dir " OUT "/state >" OUT "/stats.out",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *stats = read_file(OUT "/stats.out", NULL);
	fputs(stats ? stats : "(nothing)\n", stdout);
	assert_non_null(strstr(stats, "2 sessions"));
	free(stats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notifies_ready_status_watchdog_stopping),
	    cmocka_unit_test(test_sessions_reach_the_record_and_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
