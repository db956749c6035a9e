/*
 * e2e_reload.c - editing the routine file while the kiosk runs, as staff
 * do: saved in place, saved by rename, saved with mistakes, deleted, and
 * SIGHUP (systemctl reload), one at a time and in a storm; and saved
 * slowly, by every kind of writer staff may use (a two-step save, `tee`,
 * a byte at a time, cp, vim), with SIGHUP in the middle: a half-written
 * file is never read, let alone used. The kiosk
 * binary runs on the real clock (the file is only watched there), with a
 * routine of a few seconds, its event record, log and notifications read
 * as it goes. Run from the top of the tree, with $KIOSK naming the binary.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define OUT  "build/e2e-reload-out"
#define CONF OUT "/kiosk.conf"

/* A routine of one 5-second hold that starts by itself. */
static char *routine(const char *name, const char *exercise, int seconds)
{
	static char text[1024];
	snprintf(text, sizeof text,
		 "[settings]\n"
		 "get_ready = 1\n"
		 "countdown = 0\n"
		 "done_time = 3\n"
		 "[routine]\n"
		 "name = %s\n"
		 "intro = Hello.\n"
		 "redflags_screen = off\n"
		 "[exercise]\n"
		 "name = %s\n"
		 "say = Hold.\n"
		 "kind = hold\n"
		 "seconds = %d\n"
		 "start = auto\n",
		 name, exercise, seconds);
	return text;
}

/* A second exercise, the part a slow writer writes last. */
static const char second_part[] = "[exercise]\n"
				  "name = Second hold\n"
				  "say = Hold again.\n"
				  "kind = hold\n"
				  "seconds = 5\n"
				  "start = auto\n";

/* How editors that save by rename do it: a new file, then one rename. */
static void save_by_rename(const char *text)
{
	write_file(CONF ".tmp", text);
	assert_int_equal(rename(CONF ".tmp", CONF), 0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int count(const char *path, const char *what)
{
	char *text = read_file(path, NULL);
	int n = 0;
	for (const char *p = text; p && (p = strstr(p, what)); p++)
		n++;
	free(text);
	return n;
}

/* The notifications so far, '|' after each: the socket holds only a few
 * (net.unix.max_dgram_qlen), so it is drained while waiting. */
static int notify_sock = -1;
static char notified[16384];

static void drain_notify(void)
{
	char msg[1024];
	ssize_t n;
	while (notify_sock >= 0 &&
	       (n = recv(notify_sock, msg, sizeof msg - 1, MSG_DONTWAIT)) > 0) {
		msg[n] = '\0';
		if (strlen(notified) + (size_t)n + 2 < sizeof notified) {
			strcat(notified, msg);
			strcat(notified, "|");
		}
	}
}

/* Wait until `path` holds `what` at least `times` times; false after
 * `seconds`. */
static bool wait_for(const char *path, const char *what, int times,
		     double seconds)
{
	double end = now_s() + seconds;
	while (now_s() < end) {
		drain_notify();
		if (count(path, what) >= times)
			return true;
		usleep(20000);
	}
	printf("not seen %d times in %.1f s in %s: %s\n", times, seconds, path,
	       what);
	return false;
}

static bool alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* SIGTERM, and how long the kiosk took to exit; its status in *st. */
static double stop(pid_t pid, int *st)
{
	double t0 = now_s();
	kill(pid, SIGTERM);
	waitpid(pid, st, 0);
	return now_s() - t0;
}

/* The kiosk of the test under way: stopped by teardown() when a failed
 * assertion leaves it running. */
static pid_t running = -1;

static pid_t start(const char *script, const char *notify)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (notify)
			setenv("NOTIFY_SOCKET", notify, 1);
		assert_non_null(freopen(OUT "/kiosk.err", "w", stderr));
		assert_non_null(freopen("/dev/null", "w", stdout));
		execl(kiosk(), kiosk(), "--config", CONF, "--input", script,
		      "--video", "none", "--audio", "none", "--events",
		      OUT "/events.jsonl", (char *)NULL);
		_exit(127);
	}
	running = pid;
	return pid;
}

static int setup(void **state)
{
	(void)state;
	return run("rm -rf " OUT " && mkdir -p " OUT);
}

static int teardown(void **state)
{
	(void)state;
	if (running > 0 && alive(running)) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
	}
	running = -1;
	return 0;
}

/* Idle: every way of saving is noticed and applied at once; a broken file
 * changes nothing but the log, STATUS and banner; a deleted file changes
 * nothing; a storm of SIGHUP reads the file once a second at most. */
static void test_idle_edits(void **state)
{
	(void)state;
	char dir[] = "/tmp/kiosk-reload-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	notify_sock = s;

	const char *ev = OUT "/events.jsonl", *log = OUT "/kiosk.err";
	write_file(CONF, routine("Routine A", "Alpha hold", 5));
	pid_t pid = start("script:/dev/null", sa.sun_path);
	assert_true(wait_for(ev, "\"routine\":\"Routine A\"", 1, 5));

	/* Written in place. */
	write_file(CONF, routine("Routine B", "Beta hold", 5));
	assert_true(wait_for(ev, "\"routine\":\"Routine B\"", 1, 3));
	assert_true(wait_for(log, "\"Routine B\" in use now", 1, 1));

	/* Saved by rename. */
	save_by_rename(routine("Routine C", "Gamma hold", 5));
	assert_true(wait_for(ev, "\"routine\":\"Routine C\"", 1, 3));

	/* Saved with mistakes, each named by its line: nothing changes. */
	write_file(CONF, "[settings]\nrate = 9999\n[routine]\nname = Bad\n"
			 "nonsense = 1\nredflags_screen = off\n");
	assert_true(wait_for(log, "keeping the routine in use", 1, 3));
	assert_true(wait_for(log, CONF ":2: ", 1, 0.1));
	assert_true(wait_for(log, CONF ":5: ", 1, 0.1));
	assert_int_equal(count(ev, "\"routine\":\"Bad\""), 0);

	/* Deleted, by mistake or as a step of saving: nothing changes. */
	assert_int_equal(unlink(CONF), 0);
	assert_true(wait_for(log, "is gone: keeping the routine in use", 1, 3));

	/* Put back, then a storm of SIGHUP: read once or twice, not 500
	 * times, and the kiosk carries on. */
	write_file(CONF, routine("Routine D", "Delta hold", 5));
	assert_true(wait_for(ev, "\"routine\":\"Routine D\"", 1, 3));
	int reads = count(log, "read again");
	double t0 = now_s();
	for (int i = 0; i < 500; i++)
		kill(pid, SIGHUP);
	double sent = now_s() - t0;
	assert_true(wait_for(log, "read again", reads + 1, 3));
	double settled = now_s() - t0;
	usleep(1500000);
	int storm_reads = count(log, "read again") - reads;
	printf("500 SIGHUP in %.1f ms: read %.2f s after the first, %d "
	       "times in all\n",
	       sent * 1000, settled, storm_reads);
	assert_int_equal(storm_reads, 1);
	assert_true(alive(pid));
	int st;
	double took = stop(pid, &st);
	printf("stopped in %.0f ms\n", took * 1000);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(took < 1.0);

	drain_notify();
	const char *all = notified;
	close(s);
	notify_sock = -1;
	unlink(sa.sun_path);
	rmdir(dir);
	/* systemd waits for READY=1 after RELOADING=1; STATUS says when the
	 * file is refused, and stops saying it once it is fixed. */
	const char *reloading = strstr(all, "RELOADING=1");
	assert_non_null(reloading);
	assert_non_null(strstr(reloading, "READY=1"));
	const char *refused = strstr(all, "STATUS=Waiting: Routine C (" CONF
					  " has 3 errors: keeping the routine "
					  "in use)");
	assert_non_null(refused);
	assert_non_null(strstr(refused, "STATUS=Waiting: Routine D|"));
}

/* An edit in the middle of a session waits for it to end: the session
 * runs as it began, and the next one runs the new routine. */
static void test_mid_session_edit_waits(void **state)
{
	(void)state;
	const char *ev = OUT "/events.jsonl", *log = OUT "/kiosk.err";
	write_file(CONF, routine("Routine A", "Alpha hold", 5));
	/* A press starts the session. */
	write_file(OUT "/two.script", "0.2 press\n");
	pid_t pid = start("script:" OUT "/two.script", NULL);
	assert_true(wait_for(ev, "\"state\":\"running\"", 1, 15));
	save_by_rename(routine("Routine B", "Beta hold", 8));
	assert_true(wait_for(log, "it starts with the next session", 1, 3));
	assert_true(wait_for(ev, "\"result\":\"completed\"", 1, 10));
	assert_true(wait_for(ev, "\"routine\":\"Routine B\"", 1, 10));
	int st;
	stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* The first session's hold: Alpha's 5 s, not Beta's 8. */
	char **lines, *buf;
	lines = read_lines(ev, &buf);
	assert_non_null(lines);
	long start_ms = -1, end_ms = -1;
	int alpha = 0, beta = 0;
	for (char **l = lines; *l; l++) {
		if (json_is(*l, "type", "part") &&
		    json_is(*l, "event", "start"))
			start_ms = json_ms(*l);
		if (json_is(*l, "type", "part") &&
		    json_is(*l, "event", "end") && end_ms < 0)
			end_ms = json_ms(*l);
		alpha += strstr(*l, "Alpha hold") != NULL;
		beta += strstr(*l, "Beta hold") != NULL;
	}
	free(lines);
	free(buf);
	printf("hold %ld ms to %ld ms; Alpha named %d times, Beta %d\n",
	       start_ms, end_ms, alpha, beta);
	assert_true(start_ms >= 0 && end_ms >= 0);
	/* The record has when the loop ran: a wake-up may be late. */
	assert_true(labs(end_ms - start_ms - 5000) <= 50);
	assert_true(alpha > 0);
	assert_int_equal(beta, 0);
}

/* The new routine is the one a session then runs. */
static void test_next_session_runs_new(void **state)
{
	(void)state;
	const char *ev = OUT "/events.jsonl";
	write_file(CONF, routine("Routine A", "Alpha hold", 5));
	write_file(OUT "/press.script", "1.5 press\n");
	pid_t pid = start("script:" OUT "/press.script", NULL);
	assert_true(wait_for(ev, "\"routine\":\"Routine A\"", 1, 5));
	save_by_rename(routine("Routine B", "Beta hold", 8));
	assert_true(wait_for(ev, "\"routine\":\"Routine B\"", 1, 3));
	assert_true(wait_for(ev, "Beta hold", 1, 10));
	int st;
	double took = stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(took < 1.0);
	assert_int_equal(count(ev, "Alpha hold"), 0);
	assert_true(wait_for(ev, "\"quit\":true", 1, 0.1));
}

/* ---- slow saves ---- */

/* The kiosk idle on Routine A, its log and record read as it goes. */
static pid_t start_idle(void)
{
	write_file(CONF, routine("Routine A", "Alpha hold", 5));
	pid_t pid = start("script:/dev/null", NULL);
	assert_true(wait_for(OUT "/events.jsonl", "\"routine\":\"Routine A\"",
			     1, 5));
	return pid;
}

static void write_all(int fd, const char *text, size_t n)
{
	assert_int_equal(write(fd, text, n), (ssize_t)n);
}

/* The whole routine `name` (two exercises), and its first part alone
 * (one whole exercise: a valid routine, the worst case), as files. */
static void write_parts(const char *name)
{
	char whole[2048];
	const char *first = routine(name, "First hold", 5);
	write_file(OUT "/part1", first);
	write_file(OUT "/part2", second_part);
	snprintf(whole, sizeof whole, "%s%s", first, second_part);
	write_file(OUT "/whole", whole);
}

/* After a slow save of `name`: read once, whole (two exercises), never
 * half (one); nothing refused on the way. */
static void assert_read_whole(const char *name, int reads, int refusals)
{
	char whole[256], half[256];
	snprintf(whole, sizeof whole, "read again: \"%s\", 2 exercises",
		 name);
	snprintf(half, sizeof half, "read again: \"%s\", 1 exercises", name);
	double t0 = now_s();
	assert_true(wait_for(OUT "/kiosk.err", whole, 1, 4));
	printf("   read %.2f s after the save ended\n", now_s() - t0);
	usleep(300000); /* nothing more comes after it */
	const char *log = OUT "/kiosk.err";
	assert_int_equal(count(log, half), 0);
	assert_int_equal(count(log, "read again"), reads + 1);
	assert_int_equal(count(log, "keeping the routine in use"), refusals);
	char rec[256];
	snprintf(rec, sizeof rec, "\"routine\":\"%s\"", name);
	assert_true(wait_for(OUT "/events.jsonl", rec, 1, 1));
}

/* The save that went live half-way (issue 14): a file created, given its
 * first [exercise], and completed 0.6 s later by the same writer; and the
 * same by every other kind of slow writer. None is read before it is
 * whole. */
static void test_slow_saves_read_whole(void **state)
{
	(void)state;
	static const struct {
		const char *name, *how;
	} writers[] = {
	    /* created, the first part, 0.6 s, the rest, closed */
	    {"Two steps", NULL},
	    /* sudo tee, fed slowly (a paste over ssh) */
	    {"By tee", "(cat " OUT "/part1; sleep 0.6; cat " OUT "/part2) | "
		       "tee " CONF " >/dev/null"},
	    /* two writers: the first part, closed, 0.6 s, appended */
	    {"Appended", "cat " OUT "/part1 >" CONF "; sleep 0.6; cat " OUT
			 "/part2 >>" CONF},
	    /* cp of a big file (the routine and 400 KB of comments) */
	    {"Copied", "(cat " OUT "/whole; yes '# a long comment line to "
		       "make the file big' | head -c 400000) >" OUT "/big && "
		       "cp " OUT "/big " CONF},
	    /* vim writing in place (backupcopy=yes), then by rename (no) */
	    {"Vim in place", "vim -u NONE -i NONE -es -c 'set backupcopy=yes' "
			     "-c '%d' -c 'r " OUT "/whole' -c 'wq' " CONF},
	    {"Vim renamed", "vim -u NONE -i NONE -es -c 'set backupcopy=no' "
			    "-c 'set backup' -c '%d' -c 'r " OUT "/whole' -c "
			    "'wq' " CONF},
	};
	pid_t pid = start_idle();
	const char *log = OUT "/kiosk.err";
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++) {
		if (writers[i].how && !strncmp(writers[i].how, "vim", 3) &&
		    run("command -v vim >/dev/null") != 0) {
			printf("   (no vim here: %s not tried)\n",
			       writers[i].name);
			continue;
		}
		int reads = count(log, "read again");
		int refusals = count(log, "keeping the routine in use");
		write_parts(writers[i].name);
		printf("   %s\n", writers[i].name);
		if (writers[i].how) {
			assert_int_equal(run(writers[i].how), 0);
		} else {
			assert_int_equal(unlink(CONF), 0);
			int fd = open(CONF, O_WRONLY | O_CREAT | O_EXCL, 0644);
			assert_true(fd >= 0);
			const char *first = routine(writers[i].name,
						    "First hold", 5);
			write_all(fd, first, strlen(first));
			usleep(600000);
			write_all(fd, second_part, strlen(second_part));
			close(fd);
		}
		assert_read_whole(writers[i].name, reads, refusals);
	}
	int st;
	stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A byte at a time for several seconds, by one writer that keeps the file
 * open, then by one that opens, appends and closes for every few bytes:
 * nothing is read until the last byte is in. */
static void test_byte_by_byte(void **state)
{
	(void)state;
	pid_t pid = start_idle();
	const char *log = OUT "/kiosk.err";
	for (int closing = 0; closing < 2; closing++) {
		const char *name = closing ? "Appended bytes" : "Byte by byte";
		int reads = count(log, "read again");
		int refusals = count(log, "keeping the routine in use");
		write_parts(name);
		char *whole = read_file(OUT "/whole", NULL);
		assert_non_null(whole);
		size_t n = strlen(whole), step = closing ? 8 : 1;
		double t0 = now_s();
		int fd = open(CONF, O_WRONLY | O_TRUNC);
		assert_true(fd >= 0);
		for (size_t at = 0; at < n; at += step) {
			if (closing && at) {
				fd = open(CONF, O_WRONLY | O_APPEND);
				assert_true(fd >= 0);
			}
			write_all(fd, whole + at, n - at < step ? n - at : step);
			if (closing)
				close(fd);
			/* 3 s in all; the appender pauses 0.3 s now and
			 * then, as a slow link does. */
			usleep(closing ? (at % 128 ? 60000 : 300000)
				       : 3000000 / (unsigned)n);
		}
		if (!closing)
			close(fd);
		printf("   %s: %zu bytes in %.1f s\n", name, n, now_s() - t0);
		free(whole);
		assert_read_whole(name, reads, refusals);
	}
	int st;
	stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* SIGHUP in the middle of a slow save, the writer pausing longer than the
 * settle time: the kiosk says it waits for the writer, reads nothing
 * half-way, and reads the whole file once it is closed. */
static void test_sighup_mid_save(void **state)
{
	(void)state;
	pid_t pid = start_idle();
	const char *log = OUT "/kiosk.err";
	int reads = count(log, "read again");
	write_parts("Hung up");
	int fd = open(CONF, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	const char *first = routine("Hung up", "First hold", 5);
	write_all(fd, first, strlen(first));
	usleep(100000);
	kill(pid, SIGHUP);
	assert_true(wait_for(log, "is being written", 1, 2));
	usleep(1500000);
	kill(pid, SIGHUP);
	usleep(1500000);
	assert_int_equal(count(log, "read again"), reads);
	write_all(fd, second_part, strlen(second_part));
	close(fd);
	assert_read_whole("Hung up", reads, 0);
	assert_int_equal(count(log, "is being written"), 1);
	int st;
	stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A session that starts while the new routine is half saved runs the
 * routine in use; the new one, whole, waits for the next session. */
static void test_session_in_mid_save_runs_old(void **state)
{
	(void)state;
	const char *ev = OUT "/events.jsonl", *log = OUT "/kiosk.err";
	write_file(CONF, routine("Routine A", "Alpha hold", 5));
	write_file(OUT "/press.script", "1.5 press\n");
	pid_t pid = start("script:" OUT "/press.script", NULL);
	assert_true(wait_for(ev, "\"routine\":\"Routine A\"", 1, 5));
	write_parts("Routine B");
	/* Created anew, as in the issue. */
	assert_int_equal(unlink(CONF), 0);
	int fd = open(CONF, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	const char *first = routine("Routine B", "First hold", 5);
	write_all(fd, first, strlen(first));
	/* The press at 1.5 s starts a session: Alpha's. */
	assert_true(wait_for(ev, "\"name\":\"Alpha hold\"", 1, 6));
	write_all(fd, second_part, strlen(second_part));
	close(fd);
	assert_true(wait_for(log,
			     "read again: \"Routine B\", 2 exercises; it "
			     "starts with the next session",
			     1, 4));
	int st;
	stop(pid, &st);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(count(log, "1 exercises"), 0);
	assert_int_equal(count(ev, "First hold"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_idle_edits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mid_session_edit_waits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_next_session_runs_new, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow_saves_read_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_by_byte, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sighup_mid_save, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_in_mid_save_runs_old, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
