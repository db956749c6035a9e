/*
 * gpio.c - the button and the mat on GPIO lines: finding them, keeping
 * them, and turning their edges into events on the kiosk's timeline.
 */
#include "gpio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "gpio_backend.h"
#include "linespec.h"
#include "log.h"
#include "routine.h"
#include "watch.h"

/* A kernel timestamp further back than this is not believed: kernels
 * before 5.7 stamp v1 events with the wall clock, and a virtual clock
 * has a time of its own. Such an edge is taken to be now. */
#define PLAUSIBLE_MS 5000
#define PENDING	     (2 * LINE_COUNT)
/* A chip that appears in /dev is tried this much later: udev gives the
 * node its group just after the kernel creates it. */
#define APPEAR_MS 500
#define DEV_WATCH LINE_COUNT /* the epoll tag of the /dev watch */

struct line {
	const char *setting; /* as configured, for messages */
	struct linespec spec;
	struct gpio_want want;
	enum gpio_state state;
	struct gpio_req *req;
	struct gpio_where where;
	bool level;	   /* last level reported */
	int error;	   /* why it is missing; 0 while held */
	bool gone;	   /* it was held, then lost */
	kt_ms muted_until; /* its fd is out of the epoll set until then */
	bool muted;
};

struct gpio {
	int epfd;
	int devfd; /* inotify on /dev, or -1 */
	struct line line[LINE_COUNT];
	int64_t origin_ns;
	kt_ms last_at; /* edges go out in time order */
	kt_ms retry_at;
	struct gpio_event pending[PENDING]; /* found/lost, not yet given */
	int npending;
};

const char *gpio_library(void)
{
	return gpiob_version();
}

/* ---- messages ---- */

static bool any_chip(void)
{
	DIR *dev = opendir("/dev");
	bool found = false;
	struct dirent *de;
	while (dev && !found && (de = readdir(dev)))
		found = !strncmp(de->d_name, "gpiochip", 8);
	if (dev)
		closedir(dev);
	return found;
}

static const char *where_text(const struct line *ln, char *buf, size_t n)
{
	if (ln->where.located)
		snprintf(buf, n, "%s (%s line %u)", ln->setting, ln->where.chip,
			 ln->where.offset);
	else
		snprintf(buf, n, "%s", ln->setting);
	return buf;
}

static void describe_missing(const struct line *ln, char *buf, size_t n)
{
	char at[96];
	const char *w = where_text(ln, at, sizeof at);
	switch (ln->gone ? -1 : ln->error) {
	case -1:
		snprintf(buf, n, "%s went away (%s)", w, strerror(ln->error));
		break;
	case ENOENT:
		if (!any_chip())
			snprintf(buf, n,
				 "no GPIO chip on this machine "
				 "(gpiodetect lists the chips)");
		else if (ln->spec.kind == LINESPEC_NAME)
			snprintf(buf, n,
				 "no line named %s on any GPIO chip "
				 "(gpioinfo lists the lines)",
				 ln->setting);
		else if (access(ln->spec.chip, F_OK) < 0)
			snprintf(buf, n,
				 "no chip %s (gpiodetect lists the "
				 "chips)",
				 ln->spec.chip);
		else
			snprintf(buf, n,
				 "%s has no line %u (gpioinfo lists "
				 "its lines)",
				 ln->spec.chip, ln->spec.offset);
		break;
	case EBUSY:
		snprintf(buf, n,
			 "%s is in use by \"%s\" (gpioinfo shows who "
			 "holds it; stop that program)",
			 w, ln->where.consumer);
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, n,
			 "no permission to open the GPIO chip for %s: "
			 "the kiosk's user must be in the gpio group, "
			 "and a udev rule must give /dev/gpiochip* to "
			 "that group (Raspberry Pi OS has one; "
			 "elsewhere install systemd/60-kiosk-gpio.rules)",
			 ln->setting);
		break;
	case ENOTTY:
	case ENODEV:
		snprintf(buf, n, "%s is not a GPIO chip", ln->spec.chip);
		break;
	case ENOSYS:
		snprintf(buf, n,
			 "this kiosk was built without libgpiod "
			 "(install libgpiod-dev and rebuild)");
		break;
	default:
		snprintf(buf, n, "%s: %s", w, strerror(ln->error));
		break;
	}
}

const char *gpio_describe(const struct gpio *g, enum gesture_line l, char *buf,
			  size_t n)
{
	if (!g) {
		snprintf(buf, n, "not opened (no GPIO)");
		return buf;
	}
	const struct line *ln = &g->line[l];
	char at[96];
	switch (ln->state) {
	case GPIO_UNWIRED:
		snprintf(buf, n, "not wired (%s_line = none)",
			 line_def(l)->role);
		break;
	case GPIO_HELD:
		snprintf(buf, n, "%s, %s, pull-up%s",
			 where_text(ln, at, sizeof at),
			 ln->want.active_low ? "active-low" : "active-high",
			 ln->where.kernel_debounce ? ", debounced by the kernel"
						   : "");
		break;
	case GPIO_MISSING:
		describe_missing(ln, buf, n);
		break;
	}
	return buf;
}

static bool retryable(const struct line *ln)
{
	return ln->state == GPIO_MISSING && ln->error != ENOSYS;
}

static void log_line(const struct gpio *g, enum gesture_line l)
{
	char msg[512];
	gpio_describe(g, l, msg, sizeof msg);
	log_msg("%s: %s%s", line_def(l)->role, msg,
		retryable(&g->line[l]) ? "; trying again every 10 s" : "");
}

/* ---- holding lines ---- */

static void push(struct gpio *g, enum gpio_event_kind kind, enum gesture_line l,
		 bool active, kt_ms at)
{
	if (g->npending < PENDING)
		g->pending[g->npending++] =
		    (struct gpio_event){kind, l, active, at};
}

static void try_line(struct gpio *g, enum gesture_line l, kt_ms now)
{
	struct line *ln = &g->line[l];
	int old_error = ln->error;
	memset(&ln->where, 0, sizeof ln->where);
	struct gpio_req *req = NULL;
	int level = -1;
	if (gpiob_request(&ln->want, &req, &ln->where) == 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = l};
		level = gpiob_level(req);
		if (level < 0 ||
		    epoll_ctl(g->epfd, EPOLL_CTL_ADD, gpiob_fd(req), &ev) < 0) {
			int e = errno;
			gpiob_release(req);
			errno = e;
			level = -1;
		}
	}
	if (level < 0) {
		ln->error = errno;
		ln->state = GPIO_MISSING;
		if (ln->error != old_error || ln->gone) {
			ln->gone = false;
			log_line(g, l);
		}
		return;
	}
	*ln = (struct line){.setting = ln->setting,
			    .spec = ln->spec,
			    .want = ln->want,
			    .state = GPIO_HELD,
			    .req = req,
			    .where = ln->where,
			    .level = level};
	log_line(g, l);
	push(g, GPIO_FOUND, l, level, now);
}

static void lose_line(struct gpio *g, enum gesture_line l, int error, kt_ms now)
{
	struct line *ln = &g->line[l];
	epoll_ctl(g->epfd, EPOLL_CTL_DEL, gpiob_fd(ln->req), NULL);
	gpiob_release(ln->req);
	ln->req = NULL;
	ln->state = GPIO_MISSING;
	ln->error = error ? error : EIO;
	ln->gone = true;
	ln->level = false;
	log_line(g, l);
	push(g, GPIO_LOST, l, false, now);
	g->retry_at = kt_min(g->retry_at, now + GPIO_RETRY_MS);
}

static void schedule_retry(struct gpio *g, kt_ms now)
{
	g->retry_at = KT_NEVER;
	for (int l = 0; l < LINE_COUNT; l++)
		if (retryable(&g->line[l]))
			g->retry_at = now + GPIO_RETRY_MS;
}

static void retry_lines(struct gpio *g, kt_ms now)
{
	for (int l = 0; l < LINE_COUNT; l++)
		if (retryable(&g->line[l]))
			try_line(g, (enum gesture_line)l, now);
	schedule_retry(g, now);
}

/* Before Linux 6.7 or so (Debian 12 runs 6.1) the kernel tells the holder
 * of a line nothing when its chip goes away: the line just goes quiet at
 * its last level. /dev says it instead, for every kernel: the chip's node
 * is deleted, and a chip that comes back is created again. Without the
 * watch, the retry timer alone brings lines back. */
static void watch_dev(struct gpio *g)
{
	g->devfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = DEV_WATCH};
	if (g->devfd >= 0 &&
	    (inotify_add_watch(g->devfd, "/dev",
			       IN_CREATE | IN_DELETE | IN_ATTRIB | IN_MOVED_TO |
				   IN_MOVED_FROM) < 0 ||
	     epoll_ctl(g->epfd, EPOLL_CTL_ADD, g->devfd, &ev) < 0)) {
		close(g->devfd);
		g->devfd = -1;
	}
}

struct dev_change {
	struct gpio *g;
	kt_ms now;
};

static void chip_changed(const struct inotify_event *ie, void *ctx)
{
	struct dev_change *c = ctx;
	if (!ie->len || strncmp(ie->name, "gpiochip", 8))
		return;
	bool gone = ie->mask & (IN_DELETE | IN_MOVED_FROM);
	for (int l = 0; l < LINE_COUNT; l++) {
		struct line *ln = &c->g->line[l];
		if (gone && ln->state == GPIO_HELD &&
		    !strcmp(ln->where.chip, ie->name))
			lose_line(c->g, (enum gesture_line)l, ENODEV, c->now);
		else if (!gone && retryable(ln))
			c->g->retry_at =
			    kt_min(c->g->retry_at, c->now + APPEAR_MS);
	}
}

void gpio_config_init(struct gpio_config *c, const struct settings *s,
		      int64_t origin_ns)
{
	*c = (struct gpio_config){.origin_ns = origin_ns};
	for (int l = 0; l < LINE_COUNT; l++) {
		c->line[l] = s->input[l].line;
		c->active_low[l] = s->input[l].active_low;
		c->debounce[l] = s->input[l].debounce;
	}
}

void gpio_to_gestures(const struct gpio *g, const struct gpio_event *ev,
		      struct gestures *gs)
{
	switch (ev->kind) {
	case GPIO_EDGE:
		gesture_edge(gs, ev->line, ev->active, ev->at);
		break;
	case GPIO_FOUND:
		gesture_set_settle(gs, ev->line,
				   gpio_kernel_debounce(g, ev->line)
				       ? 0
				       : g->line[ev->line].want.debounce);
		gesture_set_level(gs, ev->line, ev->active);
		break;
	case GPIO_LOST:
		gesture_set_level(gs, ev->line, false);
		break;
	}
}

struct gpio *gpio_open(const struct gpio_config *c, kt_ms now)
{
	struct gpio *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (g->epfd < 0) {
		free(g);
		return NULL;
	}
	g->origin_ns = c->origin_ns;
	g->last_at = now;
	watch_dev(g);
	for (int l = 0; l < LINE_COUNT; l++) {
		struct line *ln = &g->line[l];
		const char *why = NULL;
		ln->setting = c->line[l] ? c->line[l] : "none";
		/* The config checker has refused a bad setting already. */
		if (linespec_parse(ln->setting, &ln->spec, &why) < 0 ||
		    ln->spec.kind == LINESPEC_NONE) {
			ln->state = GPIO_UNWIRED;
			log_line(g, (enum gesture_line)l);
			continue;
		}
		ln->want = (struct gpio_want){
		    .name =
			ln->spec.kind == LINESPEC_NAME ? ln->spec.name : NULL,
		    .chip = ln->spec.chip,
		    .offset = ln->spec.offset,
		    .active_low = c->active_low[l],
		    .debounce = c->debounce[l],
		};
		try_line(g, (enum gesture_line)l, now);
	}
	schedule_retry(g, now);
	return g;
}

void gpio_close(struct gpio *g)
{
	if (!g)
		return;
	for (int l = 0; l < LINE_COUNT; l++)
		gpiob_release(g->line[l].req);
	if (g->devfd >= 0)
		close(g->devfd);
	close(g->epfd);
	free(g);
}

int gpio_fd(const struct gpio *g)
{
	return g ? g->epfd : -1;
}

kt_ms gpio_wake(const struct gpio *g)
{
	if (!g)
		return KT_NEVER;
	kt_ms due = g->retry_at;
	for (int l = 0; l < LINE_COUNT; l++)
		if (g->line[l].state == GPIO_HELD && g->line[l].muted)
			due = kt_min(due, g->line[l].muted_until);
	return due;
}

enum gpio_state gpio_state(const struct gpio *g, enum gesture_line l)
{
	return g ? g->line[l].state : GPIO_UNWIRED;
}

bool gpio_active(const struct gpio *g, enum gesture_line l)
{
	return g && g->line[l].state == GPIO_HELD && g->line[l].level;
}

bool gpio_kernel_debounce(const struct gpio *g, enum gesture_line l)
{
	return g && g->line[l].state == GPIO_HELD &&
	       g->line[l].where.kernel_debounce;
}

/* ---- edges ---- */

static kt_ms in_order(struct gpio *g, kt_ms at)
{
	if (at < g->last_at)
		at = g->last_at;
	g->last_at = at;
	return at;
}

static kt_ms from_kernel(struct gpio *g, int64_t ns, kt_ms now)
{
	kt_ms at = (kt_ms)((ns - g->origin_ns) / 1000000);
	return in_order(g, at > now || at < now - PLAUSIBLE_MS ? now : at);
}

static int give(struct gpio *g, struct gpio_event *out, int n)
{
	int k = g->npending < n ? g->npending : n;
	memcpy(out, g->pending, sizeof *out * (size_t)k);
	memmove(g->pending, g->pending + k,
		sizeof *g->pending * (size_t)(g->npending - k));
	g->npending -= k;
	return k;
}

/* Without the kernel's debounce every bounce of a chattering switch would
 * wake the kiosk. So after an edge a line's fd leaves the epoll set until
 * its settle time has passed: meanwhile its edges wait in the kernel's
 * queue, and gpio_poll reads them at every wake (before the gestures are
 * looked at, so none is judged on stale edges) and when the time is up.
 * A queue that overflows loses edges, not the level: read_line checks
 * that. */
static void set_muted(struct gpio *g, enum gesture_line l, bool muted,
		      kt_ms until)
{
	struct line *ln = &g->line[l];
	struct epoll_event ev = {.events = muted ? 0 : EPOLLIN, .data.u32 = l};
	if (epoll_ctl(g->epfd, EPOLL_CTL_MOD, gpiob_fd(ln->req), &ev) == 0) {
		ln->muted = muted;
		ln->muted_until = until;
	}
}

static bool settles_itself(const struct line *ln)
{
	return !ln->where.kernel_debounce && ln->want.debounce > 0;
}

/* Read a line's edges into out (room for n). When it is drained, its
 * level is checked too: the kernel's event queue can overflow under
 * heavy chatter, and a lost last edge must not leave us believing the
 * wrong level for good. */
static int read_line(struct gpio *g, enum gesture_line l, kt_ms now,
		     struct gpio_event *out, int n)
{
	struct line *ln = &g->line[l];
	struct gpio_raw raw[16];
	int want = n < 16 ? n : 16;
	int got = gpiob_read(ln->req, raw, want);
	if (got < 0) {
		lose_line(g, l, errno, now);
		return 0;
	}
	for (int i = 0; i < got; i++) {
		out[i] = (struct gpio_event){GPIO_EDGE, l, raw[i].active,
					     from_kernel(g, raw[i].ns, now)};
		ln->level = raw[i].active;
	}
	if (got > 0 && settles_itself(ln))
		set_muted(g, l, true, now + ln->want.debounce);
	if (got < want) { /* drained, and room for one more */
		int level = gpiob_level(ln->req);
		if (level >= 0 && (bool)level != ln->level) {
			ln->level = level;
			out[got++] = (struct gpio_event){GPIO_EDGE, l, level,
							 in_order(g, now)};
		}
	}
	return got;
}

int gpio_poll(struct gpio *g, kt_ms now, struct gpio_event *out, int n)
{
	if (!g)
		return 0;
	if (now >= g->retry_at)
		retry_lines(g, now);
	int k = give(g, out, n);
	for (int l = 0; l < LINE_COUNT && k < n; l++) {
		struct line *ln = &g->line[l];
		if (ln->state != GPIO_HELD || !ln->muted)
			continue;
		if (now >= ln->muted_until)
			set_muted(g, (enum gesture_line)l, false, 0);
		k += read_line(g, (enum gesture_line)l, now, out + k, n - k);
	}
	struct epoll_event ev[LINE_COUNT + 1];
	int ready = k < n ? epoll_wait(g->epfd, ev, LINE_COUNT + 1, 0) : 0;
	for (int i = 0; i < ready && k < n; i++) {
		if (ev[i].data.u32 == DEV_WATCH) {
			watch_each_event(g->devfd, chip_changed,
					 &(struct dev_change){g, now});
			continue;
		}
		enum gesture_line l = (enum gesture_line)ev[i].data.u32;
		if (g->line[l].state != GPIO_HELD)
			continue;
		if (ev[i].events & EPOLLIN)
			k += read_line(g, l, now, out + k, n - k);
		else if (ev[i].events & (EPOLLERR | EPOLLHUP))
			lose_line(g, l, ENODEV, now);
	}
	return k + give(g, out + k, n - k); /* lines lost on the way */
}
