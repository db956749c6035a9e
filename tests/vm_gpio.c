/*
 * vm_gpio.c - the kiosk binary against a real kernel's GPIO chip: one
 * that gpio-sim simulates, inside the throwaway machine that
 * scripts/gpio-sim-vm.sh boots (make check-gpio-sim). Through the kernel's
 * own code: lines found by name and by chip and offset, the pull-up the
 * kiosk asks for, presses and mat changes as edge events, contact bounce,
 * a line another program holds, no permission, the chip going away in
 * the middle of a session and coming back, a stuck button and a
 * chattering mat.
 *
 * A line is "pressed" by pulling it down: the sim's pull stands in for the
 * switch closing to ground. Needs root and gpio-sim's configfs; skips
 * where they are not (every test says so). $KIOSK names the binary.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gpio.h"

#define CONFIGFS "/sys/kernel/config/gpio-sim"
#define SIM	 CONFIGFS "/kiosk"
#define OUT	 "/tmp/vm-gpio"
#define BUTTON	 17
#define MAT	 27

static char chip[32];	 /* "gpiochip0" */
static char sysdir[128]; /* /sys/devices/platform/gpio-sim.0/gpiochip0 */
static pid_t running;	 /* the kiosk a test started, until it is stopped */

static bool v2(void)
{
	return strstr(gpio_library(), "v2") != NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void get(const char *path, char *out, size_t n)
{
	char *text = read_file(path, NULL);
	assert_non_null(text);
	snprintf(out, n, "%s", text);
	out[strcspn(out, "\n")] = '\0';
	free(text);
}

/* ---- the simulated chip ---- */

static void sim_live(bool live)
{
	put(SIM "/live", live ? "1" : "0");
	if (!live)
		return;
	char dev[32];
	get(SIM "/dev_name", dev, sizeof dev);
	get(SIM "/bank0/chip_name", chip, sizeof chip);
	snprintf(sysdir, sizeof sysdir, "/sys/devices/platform/%s/%s", dev,
		 chip);
}

/* 32 lines, 17 and 27 named as on a Raspberry Pi's header. */
static void sim_create(void)
{
	assert_int_equal(mkdir(SIM, 0755), 0);
	assert_int_equal(mkdir(SIM "/bank0", 0755), 0);
	put(SIM "/bank0/num_lines", "32");
	static const struct {
		int offset;
		const char *name;
	} named[] = {{BUTTON, "GPIO17"}, {MAT, "GPIO27"}};
	for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
		char path[128];
		snprintf(path, sizeof path, SIM "/bank0/line%d",
			 named[i].offset);
		assert_int_equal(mkdir(path, 0755), 0);
		strcat(path, "/name");
		put(path, named[i].name);
	}
	sim_live(true);
}

static void sim_remove(void)
{
	char live[8];
	get(SIM "/live", live, sizeof live);
	if (live[0] == '1')
		sim_live(false);
	rmdir(SIM "/bank0/line17");
	rmdir(SIM "/bank0/line27");
	rmdir(SIM "/bank0");
	rmdir(SIM);
}

static void line_file(int offset, const char *what, char *path, size_t n)
{
	snprintf(path, n, "%s/sim_gpio%d/%s", sysdir, offset, what);
}

/* Close (pressed, someone on the mat) or open the switch on a line. */
static void sim_closed(int offset, bool closed)
{
	char path[160];
	line_file(offset, "pull", path, sizeof path);
	put(path, closed ? "pull-down" : "pull-up");
}

/* The level the line has now: the pull the kiosk asked for, when the
 * switch is open. */
static int sim_level(int offset)
{
	char path[160], v[8];
	line_file(offset, "value", path, sizeof path);
	get(path, v, sizeof v);
	return atoi(v);
}

static int setup(void **state)
{
	(void)state;
	if (getuid() != 0 || access(CONFIGFS, F_OK) < 0) {
		puts("vm_gpio: no gpio-sim here (run make check-gpio-sim): "
		     "skipped");
		return 0;
	}
	run("mkdir -p " OUT);
	sim_create();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (access(SIM, F_OK) == 0)
		sim_remove();
	return 0;
}

/* Each test starts with the chip there, both switches open and nothing
 * holding the lines, whatever the test before it left. */
static int before(void **state)
{
	(void)state;
	if (access(SIM, F_OK) < 0)
		return 0;
	char live[8];
	get(SIM "/live", live, sizeof live);
	if (live[0] != '1')
		sim_live(true);
	static const int lines[] = {BUTTON, MAT};
	for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
		char path[160];
		line_file(lines[i], "pull", path, sizeof path);
		put(path, "pull-down");
	}
	return 0;
}

static int after(void **state)
{
	(void)state;
	if (running > 0) {
		kill(running, SIGKILL);
		waitpid(running, NULL, 0);
		running = 0;
	}
	run("[ -f " OUT "/holder ] && kill $(cat " OUT "/holder) 2>/dev/null; "
	    "rm -f " OUT "/holder");
	return 0;
}

static void need_sim(void)
{
	if (access(SIM, F_OK) < 0)
		skip();
}

/* ---- the kiosk ---- */

struct kiosk_run {
	pid_t pid;
	char out[128]; /* stdout and stderr */
};

/* The kiosk with these arguments (NULL-terminated), in the background;
 * `prefix` (or NULL) runs before it, as in "setpriv ... kiosk". */
static void start(struct kiosk_run *k, const char *name,
		  const char *const *prefix, const char *const *args)
{
	snprintf(k->out, sizeof k->out, OUT "/%s.out", name);
	const char *argv[32];
	int n = 0;
	for (; prefix && *prefix; prefix++)
		argv[n++] = *prefix;
	argv[n++] = kiosk();
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	int fd = open(k->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	fflush(NULL);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (k->pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	close(fd);
	running = k->pid;
}

static char *output(const struct kiosk_run *k)
{
	char *text = read_file(k->out, NULL);
	assert_non_null(text);
	return text;
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* How many times the run's output has the line made of fmt. */
static int logged(const struct kiosk_run *k, const char *fmt, ...)
{
	char want[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	char *out = output(k);
	int n = count_of(out, want);
	free(out);
	return n;
}

/* Wait until the output has `needle` n times; seconds waited. */
static double await(const struct kiosk_run *k, const char *needle, int n,
		    double limit)
{
	double t0 = mono();
	for (;;) {
		char *text = output(k);
		int have = count_of(text, needle);
		free(text);
		if (have >= n)
			return mono() - t0;
		if (mono() - t0 > limit) {
			char *all = output(k);
			printf(
			    "waited %.1f s for %d of \"%s\"; the output:\n%s",
			    limit, n, needle, all);
			free(all);
			fail();
		}
		sleep_ms(20);
	}
}

/* Send sig (0: none, wait for it to end by itself); its exit status. */
static int stop(struct kiosk_run *k, int sig)
{
	if (sig)
		kill(k->pid, sig);
	int st;
	assert_int_equal(waitpid(k->pid, &st, 0), k->pid);
	running = 0;
	char *text = output(k);
	printf("---- %s\n%s", k->out, text);
	free(text);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* CPU time used so far, in seconds. */
static double cpu_s(pid_t pid)
{
	char path[64], *stat;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	stat = read_file(path, NULL);
	assert_non_null(stat);
	unsigned long ut = 0, st = 0;
	/* Fields 14 and 15, counted after the command's closing ')'. */
	sscanf(strrchr(stat, ')') + 2,
	       "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	free(stat);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The built-in routine, with these line settings, in OUT/NAME.conf. */
static const char *wired(const char *name, const char *button, const char *mat)
{
	static char path[128];
	snprintf(path, sizeof path, OUT "/%s.conf", name);
	write_wired_config(kiosk(), button, mat, path);
	return path;
}

static void self_test(struct kiosk_run *k, const char *name, const char *config)
{
	start(k, name, NULL,
	      (const char *[]){"--self-test", "--config", config, NULL});
	await(k, "Ctrl-C ends the test.", 1, 20);
}

/* ---- tests ---- */

static void test_lines_by_name_with_pull_up(void **state)
{
	(void)state;
	need_sim();
	struct kiosk_run k;
	/* Before the kiosk holds them, nothing pulls the lines up. */
	assert_int_equal(sim_level(BUTTON), 0);
	self_test(&k, "by-name", wired("by-name", "GPIO17", "GPIO27"));
	assert_int_equal(sim_level(BUTTON), 1);
	assert_int_equal(sim_level(MAT), 1);

	sim_closed(BUTTON, true);
	sleep_ms(300);
	sim_closed(BUTTON, false);
	await(&k, "button -> PRESS", 1, 10);
	sim_closed(MAT, true);
	await(&k, "mat    -> MAT ON", 1, 10);
	sim_closed(MAT, false);
	await(&k, "mat    -> MAT OFF", 1, 10);
	assert_int_equal(stop(&k, SIGINT), 0);

	assert_true(logged(&k,
			   "kiosk: button: GPIO17 (%s line 17), active-low, "
			   "pull-up%s\n",
			   chip, v2() ? ", debounced by the kernel" : "") >= 1);
	char *out = output(&k);
	assert_non_null(strstr(out, "button down\n"));
	assert_non_null(strstr(out, "button up\n"));
	assert_non_null(strstr(out, "1 press, 0 long, mat on 1 and off 1 "));
	free(out);
}

static void test_lines_by_chip_and_offset(void **state)
{
	(void)state;
	need_sim();
	char button[48], mat[48];
	snprintf(button, sizeof button, "%s:%d", chip, BUTTON);
	snprintf(mat, sizeof mat, "/dev/%s:%d", chip, MAT);
	struct kiosk_run k;
	self_test(&k, "by-offset", wired("by-offset", button, mat));
	sim_closed(MAT, true);
	await(&k, "MAT ON", 1, 10);
	sim_closed(MAT, false);
	assert_int_equal(stop(&k, SIGINT), 0);
	assert_true(logged(&k, "kiosk: mat: /dev/%s:%d (%s line %d)", chip, MAT,
			   chip, MAT) >= 1);
}

/* A microswitch's contacts bounce for a few milliseconds as they close
 * and open: six quick changes each way, 1 ms apart, around a press. */
static void test_bounce_is_one_press(void **state)
{
	(void)state;
	need_sim();
	struct kiosk_run k;
	self_test(&k, "bounce", wired("bounce", "GPIO17", "none"));
	for (int edge = 0; edge < 2; edge++) {
		for (int i = 0; i < 6; i++) {
			sim_closed(BUTTON, (i % 2 == 0) != edge);
			sleep_ms(1);
		}
		sim_closed(BUTTON, edge == 0);
		sleep_ms(300);
	}
	await(&k, "button -> PRESS", 1, 10);
	sleep_ms(300);
	assert_int_equal(stop(&k, SIGINT), 0);
	char *out = output(&k);
	assert_int_equal(count_of(out, "PRESS"), 1);
	int raw = 0;
	const char *p = strstr(out, "PRESS, from ");
	sscanf(p + strlen("PRESS, from "), "%d", &raw);
	printf("bounce: 14 changes written, %d edges reached the kiosk, "
	       "1 press\n",
	       raw);
	/* Without the kernel's debounce the bounce reaches the kiosk, which
	 * settles it itself; with it, the kernel passes two edges. */
	if (v2())
		assert_int_equal(raw, 2);
	else
		assert_true(raw > 2);
	free(out);
}

static const char *const mat_session = "[settings]\n"
				       "get_ready = 0\n"
				       "countdown = 0\n"
				       "done_time = 3\n"
				       "cues = end\n"
				       "button_line = GPIO17\n"
				       "mat_line = GPIO27\n"
				       "[routine]\n"
				       "name = Mat routine\n"
				       "redflags_screen = off\n"
				       "[exercise]\n"
				       "name = Lying hold\n"
				       "say = Hold.\n"
				       "kind = hold\n"
				       "seconds = 5\n"
				       "start = mat\n"
				       "get_ready = 0\n";

static void kiosk_session(struct kiosk_run *k, const char *name)
{
	char conf[128], events[128];
	snprintf(conf, sizeof conf, OUT "/%s.conf", name);
	snprintf(events, sizeof events, OUT "/%s.jsonl", name);
	write_file(conf, mat_session);
	start(k, name, NULL,
	      (const char *[]){"--config", conf, "--video", "none", "--audio",
			       "none", "--events", events, "--state-dir", OUT,
			       NULL});
	await(k, "kiosk: mat: GPIO27", 1, 20);
}

static int record_count(const char *name, const char *type, const char *key,
			const char *value)
{
	char path[128], *buf;
	snprintf(path, sizeof path, OUT "/%s.jsonl", name);
	char **lines = read_lines(path, &buf);
	int n = 0;
	for (char **l = lines; *l; l++)
		n += json_is(*l, "type", type) && json_is(*l, key, value);
	free(lines);
	free(buf);
	return n;
}

/* Wait for the event record of the run called name to have needle n
 * times. */
static void await_record(const char *name, const char *needle, int n,
			 double limit)
{
	struct kiosk_run rec = {0};
	snprintf(rec.out, sizeof rec.out, OUT "/%s.jsonl", name);
	await(&rec, needle, n, limit);
}

static void press(void)
{
	sim_closed(BUTTON, true);
	sleep_ms(150);
	sim_closed(BUTTON, false);
}

/* A press starts, lying on the mat starts the hold, the hold ends on its
 * own: a whole session, every input through the kernel. */
static void test_session_through_the_kernel(void **state)
{
	(void)state;
	need_sim();
	struct kiosk_run k;
	kiosk_session(&k, "session");
	press();
	sleep_ms(1500);
	sim_closed(MAT, true);
	await_record("session", "\"result\":\"completed\"", 1, 30);
	sim_closed(MAT, false);
	assert_int_equal(stop(&k, SIGTERM), 0);
	assert_int_equal(record_count("session", "input", "gesture", "press"),
			 1);
	assert_int_equal(record_count("session", "input", "gesture", "on"), 1);
}

/* The chip goes away while someone lies on the mat, mid-hold: the kiosk
 * says so once for each line and runs on. The session is not paused (the
 * person is still lying there; a fault is no reason to ask them to get
 * back on) and ends on its own. When the chip is back the lines are
 * held again at once, and a press starts the next session. */
static void test_chip_gone_and_back(void **state)
{
	(void)state;
	need_sim();
	struct kiosk_run k;
	kiosk_session(&k, "gone");
	press();
	sleep_ms(1500);
	sim_closed(MAT, true);
	sleep_ms(1500);
	char was[sizeof chip];
	snprintf(was, sizeof was, "%s", chip);
	sim_live(false);
	await(&k, "went away", 2, 10);
	await_record("gone", "\"result\":\"completed\"", 1, 30);
	assert_int_equal(record_count("gone", "state", "state", "paused"), 0);

	sim_live(true);
	double back = await(&k, "line 17), active-low", 2, 15);
	await(&k, "line 27), active-low", 2, 5);
	printf("chip back: lines held again %.2f s later\n", back);
	/* Found at once through /dev, not at the next 10 s retry. */
	assert_true(back < 5);
	await_record("gone", "\"state\":\"attract\"", 2, 15);
	press();
	await_record("gone", "\"state\":\"safety\"", 2, 10);
	assert_int_equal(stop(&k, SIGTERM), 0);
	assert_int_equal(logged(&k,
				"kiosk: mat: GPIO27 (%s line 27) went away (No "
				"such device); trying again every 10 s\n",
				was),
			 1);
}

/* Another program holds the button's line: named, and the line is taken
 * once it is free; the mat works all along. */
static void test_busy_line(void **state)
{
	(void)state;
	need_sim();
	char cmd[128];
	snprintf(cmd, sizeof cmd,
		 "gpiomon %s %d >/dev/null 2>&1 & echo $! >" OUT "/holder",
		 chip, BUTTON);
	assert_int_equal(run(cmd), 0);
	sleep_ms(500);
	struct kiosk_run k;
	self_test(&k, "busy", wired("busy", "GPIO17", "GPIO27"));
	sim_closed(MAT, true);
	await(&k, "MAT ON", 1, 10);
	sim_closed(MAT, false);
	assert_int_equal(run("kill $(cat " OUT "/holder)"), 0);
	double t = await(&k, "kiosk: button: GPIO17", 2, 15);
	printf("busy: the line was taken %.1f s after it was freed\n", t);
	press();
	await(&k, "button -> PRESS", 1, 10);
	assert_int_equal(stop(&k, SIGINT), 0);
	assert_int_equal(logged(&k,
				"kiosk: button: GPIO17 (%s line 17) is in use "
				"by \"gpiomon\"",
				chip),
			 1);
}

/* The chip's node belongs to someone else, and the kiosk runs without
 * root's power to ignore that: the message names the gpio group. */
static void test_no_permission(void **state)
{
	(void)state;
	need_sim();
	char node[64];
	snprintf(node, sizeof node, "/dev/%s", chip);
	assert_int_equal(chown(node, 4321, 4321), 0);
	assert_int_equal(chmod(node, 0600), 0);
	struct kiosk_run k;
	start(&k, "denied",
	      (const char *[]){"setpriv",
			       "--bounding-set=-dac_override,-dac_read_search",
			       NULL},
	      (const char *[]){"--self-test", "--config",
			       wired("denied", "GPIO17", "none"), NULL});
	/* With no line to watch the self-test ends by itself. */
	int rc = stop(&k, 0);
	assert_int_equal(chown(node, 0, 0), 0);
	assert_int_equal(rc, 1);
	char *out = output(&k);
	assert_non_null(
	    strstr(out, "no permission to open the GPIO chip for GPIO17: "
			"the kiosk's user must be in the gpio group"));
	free(out);
}

/* The button held down and the mat chattering, both for 20 s: no session
 * starts, the stuck button is one long press, the chatter never settles
 * into a mat change, and the CPU the kiosk uses meanwhile is printed. */
static void test_stuck_button_and_chattering_mat(void **state)
{
	(void)state;
	need_sim();
	struct kiosk_run k;
	kiosk_session(&k, "chatter");
	sleep_ms(500);
	double cpu0 = cpu_s(k.pid), t0 = mono();
	sim_closed(BUTTON, true);
	int changes = 0;
	while (mono() - t0 < 20) {
		sim_closed(MAT, changes % 2 == 0);
		changes++;
		sleep_ms(5);
	}
	sim_closed(MAT, false);
	double cpu = cpu_s(k.pid) - cpu0, wall = mono() - t0;
	sim_closed(BUTTON, false);
	sleep_ms(500);
	printf("chatter: %d mat changes and a stuck button over %.1f s: "
	       "the kiosk used %.3f s of CPU (%.2f%%)\n",
	       changes, wall, cpu, 100 * cpu / wall);
	assert_int_equal(stop(&k, SIGTERM), 0);
	assert_int_equal(record_count("chatter", "input", "gesture", "long"),
			 1);
	assert_int_equal(record_count("chatter", "input", "gesture", "on"), 0);
	assert_int_equal(record_count("chatter", "state", "state", "running"),
			 0);
	assert_true(cpu < 0.05 * wall);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lines_by_name_with_pull_up,
					    before, after),
	    cmocka_unit_test_setup_teardown(test_lines_by_chip_and_offset,
					    before, after),
	    cmocka_unit_test_setup_teardown(test_bounce_is_one_press, before,
					    after),
	    cmocka_unit_test_setup_teardown(test_session_through_the_kernel,
					    before, after),
	    cmocka_unit_test_setup_teardown(test_chip_gone_and_back, before,
					    after),
	    cmocka_unit_test_setup_teardown(test_busy_line, before, after),
	    cmocka_unit_test_setup_teardown(test_no_permission, before, after),
	    cmocka_unit_test_setup_teardown(
		test_stuck_button_and_chattering_mat, before, after),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
