/*
 * selftest.c - the wiring check: GPIO lines in, a readable report out.
 */
#include "selftest.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "gesture.h"
#include "gpio.h"
#include "load.h"
#include "log.h"

struct selftest {
	struct kclock clock;
	struct gpio *gpio;
	struct gestures gestures;
	int edges[LINE_COUNT]; /* raw edges since the last gesture */
	int gestures_seen[GESTURE_COUNT];
	int total_edges;
};

static void echo_gpio(struct selftest *t, const struct gpio_event *ev)
{
	switch (ev->kind) {
	case GPIO_EDGE:
		t->edges[ev->line]++;
		t->total_edges++;
		printf("%9.3f  %-6s %s\n", ev->at / 1000.0,
		       line_def(ev->line)->role,
		       line_def(ev->line)->edge_word[ev->active]);
		break;
	case GPIO_FOUND:
		printf("%9.3f  %-6s %s now\n", ev->at / 1000.0,
		       line_def(ev->line)->role,
		       line_def(ev->line)->level_word[ev->active]);
		break;
	case GPIO_LOST:
		break; /* gpio.c has logged why */
	}
}

static void echo_gesture(struct selftest *t, const struct gesture_event *g)
{
	static const char *const what[] = {
	    [GESTURE_PRESS] = "PRESS",
	    [GESTURE_LONG_PRESS] = "LONG PRESS (stops a session)",
	    [GESTURE_MAT_ON] = "MAT ON",
	    [GESTURE_MAT_OFF] = "MAT OFF",
	    [GESTURE_DOUBLE_PRESS] = "DOUBLE PRESS (skips an exercise)",
	};
	_Static_assert(sizeof what / sizeof *what == GESTURE_COUNT,
		       "words for each gesture");
	enum gesture_line l = g->line;
	t->gestures_seen[g->gesture]++;
	printf("%9.3f  %-6s -> %s, from %d raw edge%s\n", g->at / 1000.0,
	       line_def(l)->role, what[g->gesture], t->edges[l],
	       t->edges[l] == 1 ? "" : "s");
	t->edges[l] = 0;
}

static void drain(struct selftest *t, kt_ms now)
{
	struct gpio_event ev[16];
	int n;
	while ((n = gpio_poll(t->gpio, now, ev, 16)) > 0)
		for (int i = 0; i < n; i++) {
			echo_gpio(t, &ev[i]);
			gpio_to_gestures(t->gpio, &ev[i], &t->gestures);
		}
	struct gesture_event g[GESTURE_QUEUE];
	while ((n = gesture_poll(&t->gestures, now, g, GESTURE_QUEUE)) > 0)
		for (int i = 0; i < n; i++)
			echo_gesture(t, &g[i]);
	fflush(stdout);
}

static bool any_line(const struct gpio *g)
{
	for (int l = 0; l < LINE_COUNT; l++)
		if (gpio_state(g, l) == GPIO_HELD)
			return true;
	return false;
}

static void watch(struct selftest *t, int sigfd)
{
	for (;;) {
		kt_ms now = kclock_now(&t->clock);
		drain(t, now);
		kt_ms due =
		    kt_min(gesture_wake(&t->gestures), gpio_wake(t->gpio));
		int timeout = due == KT_NEVER ? -1
			      : due <= now    ? 0
					      : (int)kt_min(due - now, 60000);
		struct pollfd fds[2] = {
		    {.fd = sigfd, .events = POLLIN},
		    {.fd = gpio_fd(t->gpio), .events = POLLIN}};
		if (poll(fds, 2, timeout) < 0 && errno != EINTR)
			return;
		struct signalfd_siginfo si;
		if ((fds[0].revents & POLLIN) &&
		    read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
			return;
	}
}

static struct routine *settings_source(const struct options *o)
{
	const char *path = cli_config_path(o);
	struct diags d;
	bool fell_back;
	diag_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	struct routine *r =
	    load_routine_in_use(path, cli_assets_dir(o), &d, &fell_back);
	diag_print(&d, stderr);
	diag_free(&d);
	if (path)
		log_msg("self-test: settings from %s%s", path,
			fell_back ? " have errors: using the built-in ones"
				  : "");
	return r;
}

int selftest_run(const struct options *o)
{
	struct selftest t = {0};
	int status = 2;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	log_to(stdout);
	kclock_init(&t.clock, false);
	struct routine *r = settings_source(o);
	if (!r || sigfd < 0)
		goto out;
	const struct settings *s = &r->settings;
	struct gpio_config gc;
	gpio_config_init(&gc, s, kclock_origin_ns(&t.clock));
	log_msg("self-test: %s", gpio_library());
	kt_ms settle[LINE_COUNT];
	for (int l = 0; l < LINE_COUNT; l++)
		settle[l] = s->input[l].debounce;
	gesture_init(&t.gestures, settle, s->long_press);
	t.gpio = gpio_open(&gc, 0);
	if (!t.gpio)
		goto out;
	status = 1;
	if (!any_line(t.gpio)) {
		log_msg("self-test: no line to watch, so the test ends here; "
			"fix what is said above and run it again");
		goto out;
	}
	log_msg("self-test: press the button and step on the mat: every "
		"change shows below. Ctrl-C ends the test.");
	watch(&t, sigfd);
	log_msg(
	    "self-test: %d press%s, %d long, mat on %d and off %d "
	    "time%s, from %d raw edges",
	    t.gestures_seen[GESTURE_PRESS],
	    t.gestures_seen[GESTURE_PRESS] == 1 ? "" : "es",
	    t.gestures_seen[GESTURE_LONG_PRESS],
	    t.gestures_seen[GESTURE_MAT_ON], t.gestures_seen[GESTURE_MAT_OFF],
	    t.gestures_seen[GESTURE_MAT_OFF] == 1 ? "" : "s", t.total_edges);
	if (t.gestures_seen[GESTURE_DOUBLE_PRESS])
		log_msg("self-test: and %d double press%s (two presses "
			"within a second)",
			t.gestures_seen[GESTURE_DOUBLE_PRESS],
			t.gestures_seen[GESTURE_DOUBLE_PRESS] == 1 ? "" : "es");
	status = 0;
out:
	gpio_close(t.gpio);
	routine_free(r);
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	log_to(NULL);
	return status;
}
