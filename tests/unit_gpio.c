/*
 * unit_gpio.c - the GPIO adapter up to the library boundary.
 *
 * libgpiod is replaced here by a fake backend (the gpiob_* functions of
 * gpio_backend.h, defined below, so the linker never takes the real ones
 * from libkiosk-adapters.a). Each fake line is a timerfd that turns
 * readable when its next queued edge is due, which lets the tests drive gpio.c, the
 * gesture code behind it and the self-test mode with real descriptors
 * and real time: found and missing lines, busy and permission errors, a
 * chip that goes away and comes back, kernel timestamps, contact bounce.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <time.h>

#include "config.h"
#include "gpio.h"
#include "gpio_backend.h"
#include "selftest.h"

/* ---- the fake chips ---- */

#define QUEUE 256

struct fake_line {
	const char *name, *chip;
	unsigned offset;
	int error;	    /* a request fails with this */
	const char *holder; /* with EBUSY */
	bool level;
	bool lost_edge; /* the last edge read never came: level says so */
	bool kernel_debounce;
	struct gpio_req *req; /* while held */
};

struct queued {
	int64_t due; /* CLOCK_MONOTONIC ns: readable from then */
	int64_t ns;  /* the kernel's timestamp */
	bool active;
	bool end; /* raise SIGTERM instead: the script is over */
};

struct gpio_req {
	struct fake_line *line;
	int fd;
	int read_error; /* the next read fails with this (chip gone) */
	struct queued q[QUEUE];
	int head, count;
};

static struct fake_line fake[2];
static bool fake_script_pending; /* the self-test's person, below */
static void play_person(enum gesture_line l);

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void arm(struct gpio_req *r)
{
	struct itimerspec it = {0};
	int64_t due = r->count ? r->q[r->head].due : 0;
	if (r->read_error)
		due = 1; /* long past: readable now */
	it.it_value.tv_sec = due / 1000000000;
	it.it_value.tv_nsec = due % 1000000000;
	timerfd_settime(r->fd, TFD_TIMER_ABSTIME, &it, NULL);
}

static void fake_reset(void)
{
	fake[LINE_BUTTON] = (struct fake_line){
	    .name = "GPIO17", .chip = "gpiochip0", .offset = 17};
	fake[LINE_MAT] = (struct fake_line){
	    .name = "GPIO27", .chip = "gpiochip0", .offset = 27};
}

int gpiob_request(const struct gpio_want *w, struct gpio_req **out,
		  struct gpio_where *where)
{
	struct fake_line *fl = NULL;
	for (int i = 0; i < 2; i++)
		if (w->name && !strcmp(w->name, fake[i].name))
			fl = &fake[i];
	if (!fl) {
		errno = ENOENT;
		return -1;
	}
	snprintf(where->chip, sizeof where->chip, "%s", fl->chip);
	where->offset = fl->offset;
	where->located = true;
	where->kernel_debounce = fl->kernel_debounce;
	if (fl->error) {
		if (fl->holder)
			snprintf(where->consumer, sizeof where->consumer, "%s",
				 fl->holder);
		errno = fl->error;
		return -1;
	}
	struct gpio_req *r = calloc(1, sizeof *r);
	r->line = fl;
	r->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	fl->req = r;
	*out = r;
	if (fake_script_pending)
		play_person(fl == &fake[LINE_BUTTON] ? LINE_BUTTON : LINE_MAT);
	return 0;
}

int gpiob_fd(const struct gpio_req *r)
{
	return r->fd;
}

int gpiob_read(struct gpio_req *r, struct gpio_raw *out, int n)
{
	uint64_t ticks;
	if (read(r->fd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
		return -1;
	if (r->read_error) {
		errno = r->read_error;
		return -1;
	}
	int got = 0;
	int64_t now = mono_ns();
	while (got < n && r->count && r->q[r->head].due <= now) {
		struct queued *q = &r->q[r->head];
		r->head = (r->head + 1) % QUEUE;
		r->count--;
		if (q->end) {
			raise(SIGTERM);
			continue;
		}
		out[got++] = (struct gpio_raw){q->active, q->ns};
		r->line->level = q->active ^ r->line->lost_edge;
	}
	arm(r);
	return got;
}

int gpiob_level(struct gpio_req *r)
{
	return r->line->level;
}

void gpiob_release(struct gpio_req *r)
{
	if (!r)
		return;
	r->line->req = NULL;
	close(r->fd);
	free(r);
}

const char *gpiob_version(void)
{
	return "fake libgpiod";
}

/* An edge stamped `ns`, readable `after_ms` from now. */
static void fake_edge(enum gesture_line l, bool active, int64_t ns,
		      int after_ms)
{
	struct gpio_req *r = fake[l].req;
	assert_non_null(r);
	assert_true(r->count < QUEUE);
	r->q[(r->head + r->count++) % QUEUE] =
	    (struct queued){.due = mono_ns() + (int64_t)after_ms * 1000000,
			    .ns = ns,
			    .active = active};
	arm(r);
}

/* A press with bounce at both ends (6 raw edges), then stepping on the
 * mat with a little chatter (3), then the end of the test. Times are in
 * ms from the request, as a person at the box would do it. */
static void play_person(enum gesture_line l)
{
	static const struct {
		double ms;
		bool active;
	} button[] = {{100, 1}, {100.6, 0}, {101.2, 1},
		      {300, 0}, {300.5, 1}, {301, 0}},
	  mat[] = {{500, 1}, {500.8, 0}, {501.5, 1}};
	struct gpio_req *r = fake[l].req;
	int64_t t0 = mono_ns();
	int n = l == LINE_BUTTON ? 6 : 3;
	for (int i = 0; i < n; i++) {
		double ms = l == LINE_BUTTON ? button[i].ms : mat[i].ms;
		int64_t at = t0 + (int64_t)(ms * 1e6);
		r->q[r->count++] = (struct queued){
		    .due = at,
		    .ns = at,
		    .active =
			l == LINE_BUTTON ? button[i].active : mat[i].active};
	}
	if (l == LINE_MAT)
		r->q[r->count++] =
		    (struct queued){.due = t0 + 900 * 1000000LL, .end = true};
	arm(r);
}

/* ---- helpers ---- */

static struct gpio *open_default(int64_t origin_ns)
{
	struct gpio_config c = {
	    .line = {"GPIO17", "GPIO27"},
	    .active_low = {true, true},
	    .debounce = {30, 150},
	    .origin_ns = origin_ns,
	};
	struct gpio *g = gpio_open(&c, 0);
	assert_non_null(g);
	return g;
}

static int poll_all(struct gpio *g, kt_ms now, struct gpio_event *ev, int n)
{
	int k = 0, got;
	while (k < n && (got = gpio_poll(g, now, ev + k, n - k)) > 0)
		k += got;
	return k;
}

/* Wait (really) until the adapter's fd is readable. */
static void wait_readable(struct gpio *g)
{
	struct pollfd p = {.fd = gpio_fd(g), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 2000), 1);
}

static char *describe(struct gpio *g, enum gesture_line l)
{
	static char buf[512];
	return (char *)gpio_describe(g, l, buf, sizeof buf);
}

/* ---- tests ---- */

static void test_found_lines_report_their_level(void **state)
{
	(void)state;
	fake_reset();
	fake[LINE_MAT].level = true; /* someone on the mat already */
	struct gpio *g = open_default(0);
	struct gpio_event ev[8];
	int n = poll_all(g, 0, ev, 8);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].kind, GPIO_FOUND);
	assert_int_equal(ev[0].line, LINE_BUTTON);
	assert_false(ev[0].active);
	assert_int_equal(ev[1].kind, GPIO_FOUND);
	assert_true(ev[1].active);
	assert_int_equal(gpio_state(g, LINE_BUTTON), GPIO_HELD);
	assert_string_equal(describe(g, LINE_BUTTON),
			    "GPIO17 (gpiochip0 line 17), active-low, pull-up");
	assert_int_equal(gpio_wake(g), KT_NEVER); /* nothing to retry */
	gpio_close(g);
}

static void test_edges_carry_the_kernels_time(void **state)
{
	(void)state;
	fake_reset();
	int64_t origin = 5000000000; /* kiosk time 0, as CLOCK_MONOTONIC */
	struct gpio *g = open_default(origin);
	struct gpio_event ev[8];
	poll_all(g, 0, ev, 8);
	fake_edge(LINE_BUTTON, true, origin + 1200 * 1000000LL, 0);
	fake_edge(LINE_BUTTON, false, origin + 1180 * 1000000LL, 0);
	fake_edge(LINE_BUTTON, true, 7, 0); /* a wall-clock stamp */
	wait_readable(g);
	int n = poll_all(g, 1250, ev, 8);
	assert_int_equal(n, 3);
	assert_int_equal(ev[0].kind, GPIO_EDGE);
	assert_int_equal(ev[0].at, 1200);
	assert_int_equal(ev[1].at, 1200); /* never back in time */
	assert_false(ev[1].active);
	assert_int_equal(ev[2].at, 1250); /* not believed: now */
	assert_true(ev[2].active);
	gpio_close(g);
}

/* The kernel's queue overflowed and the last edge never came: the level
 * read after the batch puts it right. */
static void test_a_lost_last_edge_is_repaired(void **state)
{
	(void)state;
	fake_reset();
	struct gpio *g = open_default(0);
	struct gpio_event ev[8];
	poll_all(g, 0, ev, 8);
	fake_edge(LINE_MAT, true, 0, 0);
	fake[LINE_MAT].lost_edge = true; /* ...and off again, unreported */
	wait_readable(g);
	int n = poll_all(g, 400, ev, 8);
	assert_int_equal(n, 2);
	assert_true(ev[0].active);
	assert_false(ev[1].active);
	assert_int_equal(ev[1].at, 400);
	gpio_close(g);
}

static void test_a_chip_that_goes_away_is_tried_again(void **state)
{
	(void)state;
	fake_reset();
	struct gpio *g = open_default(0);
	struct gpio_event ev[8];
	poll_all(g, 0, ev, 8);
	fake[LINE_BUTTON].req->read_error = ENODEV;
	arm(fake[LINE_BUTTON].req);
	wait_readable(g);
	int n = poll_all(g, 3000, ev, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, GPIO_LOST);
	assert_int_equal(gpio_state(g, LINE_BUTTON), GPIO_MISSING);
	assert_int_equal(gpio_state(g, LINE_MAT), GPIO_HELD);
	assert_non_null(strstr(describe(g, LINE_BUTTON), "went away"));
	assert_int_equal(gpio_wake(g), 3000 + GPIO_RETRY_MS);
	fake[LINE_BUTTON].error = ENOENT; /* still unplugged */
	assert_int_equal(poll_all(g, 13000, ev, 8), 0);
	assert_int_equal(gpio_wake(g), 13000 + GPIO_RETRY_MS);
	fake[LINE_BUTTON].error = 0; /* back */
	n = poll_all(g, 23000, ev, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, GPIO_FOUND);
	assert_int_equal(gpio_state(g, LINE_BUTTON), GPIO_HELD);
	assert_int_equal(gpio_wake(g), KT_NEVER);
	gpio_close(g);
}

static void test_errors_say_what_to_do(void **state)
{
	(void)state;
	fake_reset();
	fake[LINE_BUTTON].error = EBUSY;
	fake[LINE_BUTTON].holder = "gpiomon";
	fake[LINE_MAT].error = EACCES;
	struct gpio *g = open_default(0);
	assert_string_equal(describe(g, LINE_BUTTON),
			    "GPIO17 (gpiochip0 line 17) is in use by "
			    "\"gpiomon\" (gpioinfo shows who holds it; stop "
			    "that program)");
	const char *m = describe(g, LINE_MAT);
	assert_non_null(strstr(m, "no permission"));
	assert_non_null(strstr(m, "gpio group"));
	assert_non_null(strstr(m, "60-kiosk-gpio.rules"));
	assert_int_equal(gpio_wake(g), GPIO_RETRY_MS);
	gpio_close(g);

	struct gpio_config c = {.line = {"GPIO5", "none"}};
	g = gpio_open(&c, 0);
	assert_int_equal(gpio_state(g, LINE_MAT), GPIO_UNWIRED);
	assert_string_equal(describe(g, LINE_MAT),
			    "not wired (mat_line = none)");
	assert_int_equal(gpio_state(g, LINE_BUTTON), GPIO_MISSING);
	gpio_close(g);
}

/* Edges shaped like a microswitch's: a press of about 180 ms with bursts
 * of bounce at both ends, then a mat that chatters for ten minutes
 * without ever settling. One press comes out, and nothing else. */
static void test_bounce_gives_one_press_and_chatter_nothing(void **state)
{
	(void)state;
	fake_reset();
	struct gpio *g = open_default(0);
	struct gestures gs;
	gesture_init(&gs, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	struct gpio_event ev[QUEUE];
	int n = poll_all(g, 0, ev, 8);
	for (int i = 0; i < n; i++)
		gpio_to_gestures(g, &ev[i], &gs);
	static const int press_us[] = {0,    400,    900,    1300,
				       2100, 181000, 181300, 181900};
	for (int i = 0; i < 8; i++)
		fake_edge(LINE_BUTTON, i % 2 == 0,
			  1000000000LL + press_us[i] * 1000LL, 0);
	wait_readable(g);
	n = poll_all(g, 1300, ev, QUEUE);
	assert_int_equal(n, 8);
	for (int i = 0; i < n; i++)
		gpio_to_gestures(g, &ev[i], &gs);
	struct gesture_event out[GESTURE_QUEUE];
	assert_int_equal(gesture_poll(&gs, 1300, out, GESTURE_QUEUE), 1);
	assert_int_equal(out[0].gesture, GESTURE_PRESS);
	assert_int_equal(out[0].at, 1000 + 181 + 30);

	/* Ten minutes of a mat flapping every 40-140 ms. */
	kt_ms t = 2000;
	unsigned seed = 7;
	int edges = 0;
	while (t < 2000 + 600000) {
		fake_edge(LINE_MAT, edges % 2 == 0, t * 1000000LL, 0);
		edges++;
		seed = seed * 1103515245u + 12345u;
		t += 40 + (kt_ms)(seed >> 16) % 100;
		if (edges % 200 == 0) {
			if (gpio_wake(g) > t) /* else muted: due anyway */
				wait_readable(g);
			n = poll_all(g, t, ev, QUEUE);
			for (int i = 0; i < n; i++)
				gpio_to_gestures(g, &ev[i], &gs);
			assert_int_equal(
			    gesture_poll(&gs, t, out, GESTURE_QUEUE), 0);
		}
	}
	assert_true(edges > 5000);
	gpio_close(g);
}

/* A line the kernel does not debounce is not listened to for its settle
 * time after an edge: chatter is read in batches, at most once per settle
 * time, whatever its rate; and still read at any other wake. */
static void test_chatter_is_read_in_batches(void **state)
{
	(void)state;
	fake_reset();
	struct gpio *g = open_default(0);
	struct gpio_event ev[QUEUE];
	poll_all(g, 0, ev, QUEUE);
	for (int i = 0; i < 5; i++)
		fake_edge(LINE_BUTTON, i % 2 == 0, 100000000LL + i * 1000000LL,
			  0);
	wait_readable(g);
	assert_int_equal(poll_all(g, 105, ev, QUEUE), 5);
	assert_int_equal(gpio_wake(g), 105 + 30);

	/* An edge now does not wake the caller... */
	fake_edge(LINE_BUTTON, false, 106000000LL, 0);
	struct pollfd p = {.fd = gpio_fd(g), .events = POLLIN};
	assert_int_equal(poll(&p, 1, 50), 0);
	/* ...but a wake for anything else reads it, */
	assert_int_equal(poll_all(g, 110, ev, QUEUE), 1);
	assert_int_equal(ev[0].at, 106);
	assert_int_equal(gpio_wake(g), 110 + 30);
	/* and once the line has been quiet for its settle time, an edge
	 * wakes the caller again. */
	assert_int_equal(poll_all(g, 140, ev, QUEUE), 0);
	assert_int_equal(gpio_wake(g), KT_NEVER); /* nothing to retry */
	fake_edge(LINE_BUTTON, true, 150000000LL, 0);
	wait_readable(g);
	assert_int_equal(poll_all(g, 150, ev, QUEUE), 1);
	gpio_close(g);
}

/* With the kernel debouncing a line, gesture.c adds no settle of its own:
 * the press is recognised the moment its debounced edge arrives. */
static void test_kernel_debounce_means_no_second_settle(void **state)
{
	(void)state;
	fake_reset();
	fake[LINE_BUTTON].kernel_debounce = true;
	struct gpio *g = open_default(0);
	struct gestures gs;
	gesture_init(&gs, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	struct gpio_event ev[8];
	int n = poll_all(g, 0, ev, 8);
	for (int i = 0; i < n; i++)
		gpio_to_gestures(g, &ev[i], &gs);
	assert_true(gpio_kernel_debounce(g, LINE_BUTTON));
	assert_non_null(strstr(describe(g, LINE_BUTTON), "kernel"));
	fake_edge(LINE_BUTTON, true, 500 * 1000000LL, 0);
	fake_edge(LINE_BUTTON, false, 700 * 1000000LL, 0);
	wait_readable(g);
	n = poll_all(g, 700, ev, 8);
	for (int i = 0; i < n; i++)
		gpio_to_gestures(g, &ev[i], &gs);
	struct gesture_event out[GESTURE_QUEUE];
	assert_int_equal(gesture_poll(&gs, 700, out, GESTURE_QUEUE), 1);
	assert_int_equal(out[0].at, 700);
	gpio_close(g);
}

/* The self-test as a technician sees it: lines found, each raw edge, and
 * what the kiosk makes of them. */
static void test_self_test_echoes_presses(void **state)
{
	(void)state;
	fake_reset();
	char dir[] = "/tmp/kiosk-selftest-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char conf[300], out[300];
	snprintf(conf, sizeof conf, "%s/kiosk.conf", dir);
	snprintf(out, sizeof out, "%s/out.txt", dir);
	size_t len;
	const char *text = config_builtin(&len);
	FILE *f = fopen(conf, "w");
	fwrite(text, 1, len, f);
	fclose(f);

	struct options o = {.config = conf, .assets = "assets"};

	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	fake_script_pending = true; /* see play_person */
	int rc = selftest_run(&o);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	fake_script_pending = false;

	char *report = read_file(out, &len);
	fputs(report ? report : "(nothing)\n", stdout);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(report, "button: GPIO17 (gpiochip0 line 17), "
				       "active-low, pull-up"));
	assert_non_null(strstr(report, "button released now"));
	assert_non_null(strstr(report, "button down"));
	assert_non_null(strstr(report, "button -> PRESS, from 6 raw edges"));
	assert_non_null(strstr(report, "mat    -> MAT ON, from 3 raw edges"));
	assert_non_null(strstr(report, "self-test: 1 press, 0 long, mat on 1 "
				       "and off 0 times, from 9 raw edges"));
	free(report);
	unlink(out);
	unlink(conf);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_found_lines_report_their_level),
	    cmocka_unit_test(test_edges_carry_the_kernels_time),
	    cmocka_unit_test(test_a_lost_last_edge_is_repaired),
	    cmocka_unit_test(test_a_chip_that_goes_away_is_tried_again),
	    cmocka_unit_test(test_errors_say_what_to_do),
	    cmocka_unit_test(test_bounce_gives_one_press_and_chatter_nothing),
	    cmocka_unit_test(test_chatter_is_read_in_batches),
	    cmocka_unit_test(test_kernel_debounce_means_no_second_settle),
	    cmocka_unit_test(test_self_test_echoes_presses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
