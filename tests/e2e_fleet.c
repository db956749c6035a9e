/*
 * e2e_fleet.c - the kiosk against the tools a clinic chain's IT runs.
 *
 * Prometheus: scripted sessions on the virtual clock, in two runs of the
 * kiosk sharing a session record; Debian's prometheus-node-exporter
 * started on 127.0.0.1 (a free port, the kiosk's metrics folder as its
 * textfile directory, its other collectors off), /metrics scraped over
 * HTTP, and the values checked against the two event records; promtool
 * checks the file and the example alert rules. Health and a broken
 * routine file as the metrics show them; a missing folder does not stop
 * the kiosk. The journal: a socket standing in for it gets one record per
 * session, with the fields. Ansible: Debian's ansible-core runs the
 * example playbook against localhost into a temporary folder.
 *
 * The tools come from scripts/install-deps.sh (make check runs it). A
 * missing one skips its test, saying so; with CI set that is a failure.
 * Whatever a test starts it stops, on failure too (teardown, and atexit).
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define OUT "build/e2e-fleet"
#define REDFLAGS "red-flag screen"

static pid_t exporter = -1;

/* The tool is there; if not, skip (or fail in CI). */
static bool have(const char *program)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", program);
	if (run(cmd) == 0)
		return true;
	const char *ci = getenv("CI");
	if (ci && *ci && strcmp(ci, "false"))
		fail_msg("%s is missing, and CI must run this test "
			 "(scripts/install-deps.sh installs it)",
			 program);
	print_message("%s is not installed (scripts/install-deps.sh "
		      "installs it): skipped\n",
		      program);
	return false;
}

static void stop_exporter(void)
{
	if (exporter > 0) {
		kill(exporter, SIGTERM);
		waitpid(exporter, NULL, 0);
		exporter = -1;
	}
}

static int teardown(void **state)
{
	(void)state;
	stop_exporter();
	return 0;
}

/* ---- what the event records say ---- */

struct named {
	char name[128];
	int n;
};

struct tally {
	int result[4]; /* completed, stopped, abandoned, shutdown */
	int sessions;
	struct named reached[16], skipped[16];
	int names, skips;
};

/* One more for `name` among the *n names of `list`. */
static void count_name(struct named *list, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(list[i].name, name)) {
			list[i].n++;
			return;
		}
	assert_true(*n < 16);
	snprintf(list[*n].name, 128, "%s", name);
	list[(*n)++].n = 1;
}

static void count_reached(struct tally *t, const char *name)
{
	count_name(t->reached, &t->names, name);
}

static void tally_record(struct tally *t, const char *path)
{
	static const char *results[] = {"completed", "stopped", "abandoned"};
	char *buf, name[128] = "";
	char **lines = read_lines(path, &buf);
	for (char **l = lines; *l; l++) {
		if (json_is(*l, "type", "exercise"))
			json_get(*l, "name", name, sizeof name);
		if (json_is(*l, "type", "skip")) {
			char skipped[128];
			json_get(*l, "name", skipped, sizeof skipped);
			count_name(t->skipped, &t->skips, skipped);
		}
		if (!json_is(*l, "type", "session"))
			continue;
		t->sessions++;
		int r = 3;
		if (!json_is(*l, "quit", "true"))
			for (r = 0; r < 3 && !json_is(*l, "result", results[r]);)
				r++;
		assert_true(r < 4);
		t->result[r]++;
		if (!json_is(*l, "index", "0"))
			count_reached(t, name);
		else if (json_is(*l, "redflags", "true"))
			count_reached(t, REDFLAGS);
	}
	free(lines);
	free(buf);
}

/* ---- node_exporter ---- */

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* GET /metrics; the body, or NULL when nobody answers. */
static char *scrape(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return NULL;
	}
	const char *req = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t got;
	while ((got = read(fd, buf + n, cap - n - 1)) > 0)
		n += (size_t)got;
	close(fd);
	buf[n] = '\0';
	assert_non_null(strstr(buf, " 200 OK"));
	char *body = strstr(buf, "\r\n\r\n");
	assert_non_null(body);
	memmove(buf, body + 4, strlen(body + 4) + 1);
	return buf;
}

static void start_exporter(const char *dir, int port)
{
	char listen[64], textfile[512];
	snprintf(listen, sizeof listen, "--web.listen-address=127.0.0.1:%d",
		 port);
	snprintf(textfile, sizeof textfile,
		 "--collector.textfile.directory=%s", dir);
	exporter = fork();
	assert_true(exporter >= 0);
	if (exporter == 0) {
		int log = open(OUT "/node-exporter.log",
			       O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(log, STDOUT_FILENO);
		dup2(log, STDERR_FILENO);
		execlp("prometheus-node-exporter", "prometheus-node-exporter",
		       listen, "--collector.disable-defaults",
		       "--collector.textfile", textfile, (char *)NULL);
		_exit(127);
	}
}

/* The value of the sample written exactly as `series`, or -1. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; (p = strstr(p, series)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return atof(p + n + 1);
	return -1;
}

static void run_kiosk(const char *args, const char *script_text, int nth)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, OUT "/%d.script", nth);
	write_file(cmd, script_text);
	snprintf(cmd, sizeof cmd,
		 "%s --input script:" OUT "/%d.script --clock virtual "
		 "--video none --state-dir " OUT "/state --events " OUT
		 "/%d.jsonl %s 2>" OUT "/%d.err",
		 kiosk(), nth, nth, args, nth);
	assert_int_equal(run(cmd), 0);
}

static void test_metrics_scraped_by_node_exporter(void **state)
{
	(void)state;
	if (!have("prometheus-node-exporter") || !have("promtool"))
		skip();
	assert_int_equal(run("rm -rf " OUT " && mkdir -p " OUT "/prom"), 0);
	time_t began = time(NULL);
	/* Two runs, one session record: the second's counters go on from
	 * the first's sessions. */
	run_kiosk("--metrics-dir " OUT "/prom",
		  "0 press\n200 press\n400 press\n410 down\n413 up\n", 1);
	run_kiosk("--metrics-dir " OUT "/prom",
		  "0 press\n30 down\n33 up\n40 press\n50 quit\n", 2);
	/* A double press while the first exercise waits for the mat. */
	run_kiosk("--metrics-dir " OUT "/prom",
		  "0 press\n85 press\n85.4 press\n130 quit\n", 3);
	struct tally t = {0};
	for (int i = 1; i <= 3; i++) {
		char path[64];
		snprintf(path, sizeof path, OUT "/%d.jsonl", i);
		tally_record(&t, path);
	}
	assert_true(t.sessions >= 5);
	assert_int_equal(t.skips, 1);
	assert_int_equal(t.result[3], 2); /* the quits mid-session */
	assert_int_equal(run("promtool check metrics <" OUT "/prom/kiosk.prom"),
			 0);

	int port = free_port();
	start_exporter(OUT "/prom", port);
	char *body = NULL;
	for (int i = 0; i < 200 && !(body = scrape(port)); i++)
		usleep(50 * 1000);
	assert_non_null(body);
	assert_true(sample(body, "node_textfile_scrape_error") == 0);
	static const char *names[] = {"completed", "stopped", "abandoned",
				      "shutdown"};
	for (int r = 0; r < 4; r++) {
		char series[128];
		snprintf(series, sizeof series,
			 "kiosk_sessions_total{result=\"%s\"}", names[r]);
		assert_int_equal((int)sample(body, series), t.result[r]);
	}
	assert_int_equal(
	    (int)sample(body, "kiosk_session_length_seconds_count"), t.sessions);
	assert_int_equal(
	    (int)sample(body, "kiosk_session_length_seconds_bucket{le=\"+Inf\"}"),
	    t.sessions);
	for (int i = 0; i < t.names; i++) {
		char series[256];
		snprintf(series, sizeof series,
			 "kiosk_exercise_reached_total{exercise=\"%s\"}",
			 t.reached[i].name);
		assert_int_equal((int)sample(body, series), t.reached[i].n);
	}
	for (int i = 0; i < t.skips; i++) {
		char series[256];
		snprintf(series, sizeof series,
			 "kiosk_exercise_skipped_total{exercise=\"%s\"}",
			 t.skipped[i].name);
		assert_int_equal((int)sample(body, series), t.skipped[i].n);
	}
	/* node_exporter writes large numbers in e-notation. */
	double last = sample(body, "kiosk_last_session_timestamp_seconds");
	assert_true(last >= (double)began && last < (double)time(NULL) + 3600);
	double start = sample(body, "kiosk_start_time_seconds");
	assert_true(start >= (double)began && start <= (double)time(NULL));
	assert_non_null(strstr(body, "kiosk_routine_info{file=\"built-in\","
				     "routine=\"Mid-back mobility\"} 1"));
	assert_true(sample(body, "kiosk_routine_file_broken") == 0);
	assert_non_null(strstr(body, "kiosk_build_info{version=\""));
	free(body);
	stop_exporter();
}

/* The display and the sound as the metrics see them, and a routine file
 * with an error: the built-in routine runs, and the metrics say so. */
static void test_health_and_a_broken_routine(void **state)
{
	(void)state;
	assert_int_equal(run("rm -rf " OUT " && mkdir -p " OUT "/prom"), 0);
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "%s --print-config | sed 's/^volume = .*/volume = loud/' "
		 ">" OUT "/bad.conf",
		 kiosk());
	assert_int_equal(run(cmd), 0);
	write_file(OUT "/3.script", "0 press\n10 quit\n");
	snprintf(cmd, sizeof cmd,
		 "SDL_VIDEODRIVER=dummy %s --config " OUT "/bad.conf "
		 "--input script:" OUT "/3.script --clock virtual --video sdl "
		 "--audio wav:" OUT "/3.wav --metrics-dir " OUT "/prom "
		 "2>" OUT "/3.err",
		 kiosk());
	time_t before = time(NULL);
	assert_int_equal(run(cmd), 0);
	char *m = read_file(OUT "/prom/kiosk.prom", NULL);
	assert_non_null(m);
	assert_true(sample(m, "kiosk_part_healthy{part=\"display\"}") == 1);
	assert_true(sample(m, "kiosk_part_healthy{part=\"sound\"}") == 1);
	assert_null(strstr(m, "part=\"button\"")); /* scripted: no line */
	assert_true(sample(m, "kiosk_routine_file_broken") == 1);
	double since = sample(
	    m, "kiosk_routine_file_broken_since_timestamp_seconds");
	assert_true(since >= (double)before && since <= (double)time(NULL));
	assert_non_null(strstr(m, "kiosk_routine_info{routine=\"Mid-back "
				  "mobility\",file=\"built-in\"} 1"));
	free(m);
}

/* No folder: one log line, and the kiosk runs its sessions as ever. */
static void test_missing_folder_is_logged_once(void **state)
{
	(void)state;
	assert_int_equal(run("rm -rf " OUT " && mkdir -p " OUT), 0);
	run_kiosk("--metrics-dir " OUT "/nowhere",
		  "0 press\n200 press\n400 press\n", 4);
	run_kiosk("", "0 press\n200 press\n400 press\n", 5);
	char *a = read_file(OUT "/4.jsonl", NULL), *b = read_file(OUT "/5.jsonl", NULL);
	assert_string_equal(a, b);
	free(a);
	free(b);
	char *err = read_file(OUT "/4.err", NULL);
	const char *first = strstr(err, "metrics: cannot write " OUT
					"/nowhere/kiosk.prom");
	assert_non_null(first);
	assert_null(strstr(first + 1, "metrics:"));
	free(err);
}

/* Each session's end as a journal record, with its fields, when stderr
 * is the journal's stream; not also as a plain line. */
static void test_session_ends_in_the_journal(void **state)
{
	(void)state;
	assert_int_equal(run("rm -rf " OUT " && mkdir -p " OUT), 0);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, OUT "/journal");
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
	write_file(OUT "/6.err", "");
	struct stat st;
	assert_int_equal(stat(OUT "/6.err", &st), 0);
	char cmd[1024];
	write_file(OUT "/6.script", "0 press\n200 press\n400 press\n");
	snprintf(cmd, sizeof cmd,
		 "JOURNAL_STREAM=%llu:%llu KIOSK_JOURNAL_SOCKET=" OUT
		 "/journal %s --input script:" OUT "/6.script --clock virtual "
		 "--video none --events " OUT "/6.jsonl 2>>" OUT "/6.err",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 kiosk());
	assert_int_equal(run(cmd), 0);
	char *buf, **lines = read_lines(OUT "/6.jsonl", &buf);
	int records = 0;
	for (char **l = lines; *l; l++) {
		if (!json_is(*l, "type", "session"))
			continue;
		char rec[4096], result[32], want[64];
		ssize_t n = recv(fd, rec, sizeof rec - 1, MSG_DONTWAIT);
		assert_true(n > 0);
		rec[n] = '\0';
		json_get(*l, "result", result, sizeof result);
		snprintf(want, sizeof want, "\nKIOSK_RESULT=%s\n", result);
		assert_non_null(strstr(rec, want));
		assert_non_null(strstr(rec, "MESSAGE=kiosk: session: "));
		assert_non_null(strstr(rec, "\nKIOSK_SECONDS="));
		assert_non_null(strstr(rec, "\nKIOSK_ROUTINE=Mid-back mobility\n"));
		records++;
	}
	assert_true(records >= 2);
	char extra[16];
	assert_int_equal(recv(fd, extra, sizeof extra, MSG_DONTWAIT), -1);
	char *err = read_file(OUT "/6.err", NULL);
	assert_null(strstr(err, "session:"));
	free(err);
	free(lines);
	free(buf);
	close(fd);
}

static void test_alert_rules(void **state)
{
	(void)state;
	if (!have("promtool"))
		skip();
	assert_int_equal(run("promtool check rules "
			     "assets/examples/prometheus/kiosk-alerts.yml "
			     ">/dev/null"),
			 0);
}

/* ---- Ansible ---- */

static char *playbook(const char *src, int *status)
{
	char cmd[2048], abs[1024];
	assert_non_null(realpath(kiosk(), abs));
	snprintf(cmd, sizeof cmd,
		 "cd " OUT " && HOME=$PWD/home ANSIBLE_LOCAL_TEMP=$PWD/tmp "
		 "ANSIBLE_REMOTE_TEMP=$PWD/tmp ANSIBLE_NOCOLOR=1 "
		 "ANSIBLE_RETRY_FILES_ENABLED=0 "
		 "ansible-playbook -i inventory "
		 "../../assets/examples/ansible/routine.yml "
		 "-e kiosk_hosts=localhost -e kiosk_become=false "
		 "-e kiosk_routine_src=$PWD/%s "
		 "-e kiosk_routine_dest=$PWD/root/etc/kiosk/kiosk.conf "
		 "-e kiosk_program=%s "
		 "-e \"kiosk_reload_command='sh -c \\\"echo reload >> "
		 "$PWD/reloads\\\"'\" >ansible.out 2>&1",
		 src, abs);
	*status = run(cmd);
	return read_file(OUT "/ansible.out", NULL);
}

static void test_ansible_rollout(void **state)
{
	(void)state;
	if (!have("ansible-playbook"))
		skip();
	assert_int_equal(run("rm -rf " OUT " && mkdir -p " OUT "/root/etc/kiosk "
			     OUT "/home"),
			 0);
	write_file(OUT "/inventory", "localhost ansible_connection=local "
				     "ansible_python_interpreter=/usr/bin/python3\n");
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "%s --print-config >" OUT "/good.conf && sed 's/^volume = "
		 ".*/volume = loud/' " OUT "/good.conf >" OUT "/bad.conf",
		 kiosk());
	assert_int_equal(run(cmd), 0);

	int status;
	char *out = playbook("good.conf", &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "changed=2")); /* the copy, the reload */
	free(out);
	char *reloads = read_file(OUT "/reloads", NULL);
	assert_string_equal(reloads, "reload\n");
	free(reloads);
	assert_int_equal(run("cmp -s " OUT "/good.conf " OUT
			     "/root/etc/kiosk/kiosk.conf"),
			 0);

	out = playbook("good.conf", &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "changed=0"));
	free(out);
	reloads = read_file(OUT "/reloads", NULL);
	assert_string_equal(reloads, "reload\n");
	free(reloads);

	out = playbook("bad.conf", &status);
	assert_int_not_equal(status, 0);
	assert_non_null(strstr(out, "failed to validate"));
	/* The kiosk's own FILE:LINE message, for Ansible's temporary copy
	 * (named ".../source" by ansible-core 2.14, ".../.source.conf" by
	 * 2.19: only the line and the message are the kiosk's). */
	assert_int_equal(run("grep -n '^volume = loud' " OUT "/bad.conf | "
			     "cut -d: -f1 >" OUT "/line"),
			 0);
	char *line = read_file(OUT "/line", NULL), want[128];
	snprintf(want, sizeof want, "source%s:%d: 'volume' must be a whole "
		 "number",
		 strstr(out, ".source.conf:") ? ".conf" : "", atoi(line));
	free(line);
	assert_non_null(strstr(out, want));
	free(out);
	reloads = read_file(OUT "/reloads", NULL);
	assert_string_equal(reloads, "reload\n");
	free(reloads);
	assert_int_equal(run("cmp -s " OUT "/good.conf " OUT
			     "/root/etc/kiosk/kiosk.conf"),
			 0);
}

int main(void)
{
	atexit(stop_exporter);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_metrics_scraped_by_node_exporter,
				      teardown),
	    cmocka_unit_test(test_health_and_a_broken_routine),
	    cmocka_unit_test(test_missing_folder_is_logged_once),
	    cmocka_unit_test(test_session_ends_in_the_journal),
	    cmocka_unit_test(test_alert_rules),
	    cmocka_unit_test(test_ansible_rollout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
