/*
 * unit_metrics.c - the metrics text from counts given directly (sessions
 * by result, the histogram, exercises reached and skipped, health, the
 * routine, escaped label values), checked line by line and by promtool
 * when it is installed; the writer's file, its mode, a missing folder
 * logged once with nothing lost; and the journal record of a session's
 * end, sent to a socket standing in for the journal.
 */
#include "testutil.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "sessions.h"

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static char *formatted(const struct metrics_counts *c)
{
	size_t need = metrics_format(c, NULL, 0);
	char *buf = malloc(need + 1);
	assert_non_null(buf);
	assert_int_equal(metrics_format(c, buf, need + 1), need);
	assert_int_equal(strlen(buf), need);
	return buf;
}

/* promtool's verdict on the text, or skipped (counted as passed: the
 * e2e test insists on promtool in CI). */
static void promtool_passes(const char *text)
{
	if (run("command -v promtool >/dev/null") != 0) {
		if (getenv("CI"))
			fail_msg("promtool is missing in CI");
		return;
	}
	char dir[64];
	tmp_dir_make(dir, "promtool");
	write_file(tmp_path(dir, "kiosk.prom"), text);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "promtool check metrics <%s/kiosk.prom",
		 dir);
	assert_int_equal(run(cmd), 0);
	tmp_dir_remove(dir);
}

static void test_sessions_and_lengths(void **state)
{
	(void)state;
	struct metrics_counts c;
	metrics_counts_init(&c, 1795266000, "1.2.3");
	struct logged_session s[] = {
	    session(1795266187, 45, LOGGED_STOPPED, 0, ""),
	    session(1795267000, 300, LOGGED_COMPLETED, 6, "Wall stretch"),
	    session(1795268000, 301, LOGGED_ABANDONED, 2, "Cat-cow"),
	    session(1795269000, 2000, LOGGED_COMPLETED, 6, "Wall stretch"),
	    session(1795160000, 99999, LOGGED_SHUTDOWN, 1, "Foam roller"),
	};
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		metrics_count_session(&c, &s[i]);
	char *t = formatted(&c);
	assert_true(has_line(t, "kiosk_sessions_total{result=\"completed\"} 2"));
	assert_true(has_line(t, "kiosk_sessions_total{result=\"stopped\"} 1"));
	assert_true(has_line(t, "kiosk_sessions_total{result=\"abandoned\"} 1"));
	assert_true(has_line(t, "kiosk_sessions_total{result=\"shutdown\"} 1"));
	/* Cumulative, an exact 300 in le="300", beyond the last only in
	 * +Inf. */
	assert_true(has_line(t, "kiosk_session_length_seconds_bucket{le=\"60\"} 1"));
	assert_true(has_line(t, "kiosk_session_length_seconds_bucket{le=\"300\"} 2"));
	assert_true(has_line(t, "kiosk_session_length_seconds_bucket{le=\"600\"} 3"));
	assert_true(has_line(t, "kiosk_session_length_seconds_bucket{le=\"2700\"} 4"));
	assert_true(has_line(t, "kiosk_session_length_seconds_bucket{le=\"+Inf\"} 5"));
	assert_true(has_line(t, "kiosk_session_length_seconds_sum 102645"));
	assert_true(has_line(t, "kiosk_session_length_seconds_count 5"));
	/* The latest end, not the last counted. */
	assert_true(has_line(t, "kiosk_last_session_timestamp_seconds 1795271000"));
	/* Where people stop; none for the one before the first exercise. */
	assert_true(has_line(t, "kiosk_exercise_reached_total{exercise=\"Wall stretch\"} 2"));
	assert_true(has_line(t, "kiosk_exercise_reached_total{exercise=\"Cat-cow\"} 1"));
	assert_null(strstr(t, "exercise=\"\""));
	assert_true(has_line(t, "kiosk_build_info{version=\"1.2.3\"} 1"));
	assert_true(has_line(t, "kiosk_start_time_seconds 1795266000"));
	promtool_passes(t);
	free(t);
}

/* The skip gesture comes from elsewhere; its counter is fed here
 * directly. */
static void test_skips_are_counted_by_name(void **state)
{
	(void)state;
	struct metrics_counts c;
	metrics_counts_init(&c, 0, "1");
	metrics_count_skip(&c, "Cat-cow");
	metrics_count_skip(&c, "Cat-cow");
	metrics_count_skip(&c, "Wall stretch");
	char *t = formatted(&c);
	assert_true(has_line(t, "kiosk_exercise_skipped_total{exercise=\"Cat-cow\"} 2"));
	assert_true(has_line(t, "kiosk_exercise_skipped_total{exercise=\"Wall stretch\"} 1"));
	assert_true(has_line(t, "kiosk_exercise_reached_total{exercise=\"Cat-cow\"} 0"));
	promtool_passes(t);
	free(t);
}

static void test_label_values_are_escaped(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(metrics_escape(out, sizeof out, "a\"b\\c\nd"), 10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	assert_int_equal(metrics_escape(out, 4, "\"\"\""), 6);
	assert_string_equal(out, "\\\"\\");

	struct metrics_counts c;
	metrics_counts_init(&c, 0, "1");
	metrics_count_skip(&c, "The \"wall\" \\ stretch");
	metrics_count_session(
	    &c, &(struct logged_session){.index = 1,
					 .exercise = "Quote \" back\\slash"});
	snprintf(c.routine, sizeof c.routine, "Mid-\"back\"");
	snprintf(c.routine_file, sizeof c.routine_file, "/etc/kiosk/a\\b.conf");
	char *t = formatted(&c);
	assert_true(has_line(t, "kiosk_exercise_skipped_total{exercise=\"The "
				"\\\"wall\\\" \\\\ stretch\"} 1"));
	assert_true(has_line(t, "kiosk_exercise_reached_total{exercise=\"Quote "
				"\\\" back\\\\slash\"} 1"));
	assert_true(has_line(t, "kiosk_routine_info{routine=\"Mid-\\\"back\\\"\","
				"file=\"/etc/kiosk/a\\\\b.conf\"} 1"));
	promtool_passes(t);
	free(t);
}

static void test_health_and_routine(void **state)
{
	(void)state;
	struct metrics_counts c;
	metrics_counts_init(&c, 0, "1");
	char *t = formatted(&c);
	assert_null(strstr(t, "kiosk_part_healthy{"));
	free(t);
	c.health[PART_SOUND] = HEALTH_GOOD;
	c.health[PART_BUTTON] = HEALTH_BAD;
	c.routine_broken = true;
	c.routine_broken_since = 1795266187;
	t = formatted(&c);
	assert_true(has_line(t, "kiosk_part_healthy{part=\"sound\"} 1"));
	assert_true(has_line(t, "kiosk_part_healthy{part=\"button\"} 0"));
	assert_null(strstr(t, "part=\"display\""));
	assert_null(strstr(t, "part=\"mat\""));
	assert_true(has_line(t, "kiosk_routine_file_broken 1"));
	assert_true(has_line(
	    t, "kiosk_routine_file_broken_since_timestamp_seconds 1795266187"));
	promtool_passes(t);
	free(t);
}

/* Every slot taken: the rest share one series, and the whole text still
 * fits the writer's buffer. */
static void test_many_names_share_other(void **state)
{
	(void)state;
	struct metrics_counts c;
	metrics_counts_init(&c, 0, "1");
	char name[ROUTINE_NAME_BYTES];
	for (int i = 0; i < METRICS_EXERCISES_MAX + 5; i++) {
		memset(name, '"', sizeof name - 1);
		snprintf(name, 32, "exercise %d ", i);
		name[strlen(name)] = '"';
		name[sizeof name - 1] = '\0';
		metrics_count_skip(&c, name);
	}
	assert_true(metrics_format(&c, NULL, 0) < METRICS_TEXT_MAX);
	char *t = formatted(&c);
	assert_true(has_line(t, "kiosk_exercise_skipped_total{exercise=\"" METRICS_OTHER "\"} 5"));
	promtool_passes(t);
	free(t);
}

/* The file as node_exporter reads it: whole, readable by others whatever
 * the umask; a missing folder logged once, and everything counted
 * meanwhile written once it is there. */
static void test_writer(void **state)
{
	(void)state;
	char dir[64];
	tmp_dir_make(dir, "metrics");
	const char *sub = tmp_path(dir, "later");
	char *logged = NULL;
	size_t logged_len = 0;
	FILE *log = open_memstream(&logged, &logged_len);
	log_to(log);
	mode_t old = umask(077);
	struct metrics *m = metrics_open(sub);
	for (int i = 0; i < 3; i++) {
		struct logged_session s =
		    session(1795266187, 300, LOGGED_COMPLETED, 6, "Wall");
		metrics_session(m, &s);
		metrics_flush(m);
		assert_int_equal(errno, ENOENT);
	}
	fflush(log);
	assert_non_null(strstr(logged, "cannot write"));
	assert_null(strstr(strstr(logged, "cannot write") + 1, "cannot write"));
	assert_int_equal(mkdir(sub, 0755), 0);
	metrics_health(m, PART_DISPLAY, true);
	metrics_flush(m);
	fflush(log);
	assert_non_null(strstr(logged, "written again"));
	char path[160];
	snprintf(path, sizeof path, "%s/%s", sub, METRICS_FILE);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	char *t = read_file(path, NULL);
	assert_true(has_line(t, "kiosk_sessions_total{result=\"completed\"} 3"));
	assert_true(has_line(t, "kiosk_part_healthy{part=\"display\"} 1"));
	free(t);
	/* Nothing else was left in the folder. */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) = 1", sub);
	assert_int_equal(run(cmd), 0);
	/* Nothing changed: nothing written. */
	assert_int_equal(unlink(path), 0);
	metrics_health(m, PART_DISPLAY, true);
	metrics_flush(m);
	assert_int_not_equal(access(path, F_OK), 0);
	metrics_close(m);
	umask(old);
	log_to(NULL);
	fclose(log);
	free(logged);
	tmp_dir_remove(dir);
}

static void test_journal_text_and_record(void **state)
{
	(void)state;
	struct logged_session s =
	    session(1795266187, 312, LOGGED_COMPLETED, 6, "Wall stretch");
	char text[512], rec[1024];
	size_t len;
	journal_session_text(&s, text, sizeof text);
	assert_string_equal(text, "session: completed after 312 s at exercise "
				  "6 (Wall stretch); routine Mid-back mobility");
	assert_int_equal(journal_session_record(&s, text, rec, sizeof rec, &len),
			 0);
	assert_int_equal(strlen(rec), len);
	assert_non_null(strstr(rec, "MESSAGE=kiosk: session: completed after"));
	assert_non_null(strstr(rec, "\nKIOSK_RESULT=completed\n"));
	assert_non_null(strstr(rec, "\nKIOSK_SECONDS=312\n"));
	assert_non_null(strstr(rec, "\nKIOSK_EXERCISE_INDEX=6\n"));
	assert_non_null(strstr(rec, "\nKIOSK_EXERCISE=Wall stretch\n"));
	assert_non_null(strstr(rec, "\nKIOSK_ROUTINE=Mid-back mobility\n"));
	assert_int_equal(journal_session_record(&s, text, rec, 40, &len), -1);
	s = session(0, 12, LOGGED_STOPPED, 0, "");
	journal_session_text(&s, text, sizeof text);
	assert_string_equal(text, "session: stopped after 12 s before the first "
				  "exercise; routine Mid-back mobility");
}

/* Under systemd: to the journal's socket (a stand-in here), not stderr;
 * elsewhere: nothing. */
static void test_journal_socket(void **state)
{
	(void)state;
	char dir[64];
	tmp_dir_make(dir, "journal");
	const char *sock = tmp_path(dir, "socket");
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	setenv("KIOSK_JOURNAL_SOCKET", sock, 1);
	struct logged_session s =
	    session(1795266187, 95, LOGGED_ABANDONED, 2, "Cat-cow");

	char *logged = NULL;
	size_t logged_len = 0;
	FILE *log = open_memstream(&logged, &logged_len);
	log_to(log);
	unsetenv("JOURNAL_STREAM");
	journal_session(&s);
	fflush(log);
	assert_string_equal(logged, ""); /* the log for people as it was */
	char buf[2048];
	assert_int_equal(recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);

	struct stat st;
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	char js[64];
	snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	journal_session(&s);
	ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "MESSAGE=kiosk: session: abandoned after "
				    "95 s at exercise 2 (Cat-cow)"));
	assert_non_null(strstr(buf, "\nKIOSK_RESULT=abandoned\n"));
	assert_non_null(strstr(buf, "\nKIOSK_EXERCISE=Cat-cow\n"));
	fflush(log);
	assert_string_equal(logged, ""); /* not twice */

	/* The journal's socket gone: the line on stderr, which is the
	 * journal's stream. */
	close(fd);
	unlink(sock);
	journal_session(&s);
	fflush(log);
	assert_string_equal(logged, "kiosk: session: abandoned after 95 s at "
				    "exercise 2 (Cat-cow); routine Mid-back "
				    "mobility\n");
	unsetenv("JOURNAL_STREAM");
	unsetenv("KIOSK_JOURNAL_SOCKET");
	log_to(NULL);
	fclose(log);
	free(logged);
	tmp_dir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sessions_and_lengths),
	    cmocka_unit_test(test_skips_are_counted_by_name),
	    cmocka_unit_test(test_label_values_are_escaped),
	    cmocka_unit_test(test_health_and_routine),
	    cmocka_unit_test(test_many_names_share_other),
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test(test_journal_text_and_record),
	    cmocka_unit_test(test_journal_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
