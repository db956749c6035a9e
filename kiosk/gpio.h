/*
 * gpio.h - the button and the mat on GPIO lines.
 *
 * Each wired line is held as an input with the internal pull-up, edge
 * events on both edges, active-low unless configured otherwise (a
 * normally-open contact to ground). Edges come with the kernel's
 * timestamps. Every line's descriptor sits in one epoll set, so the main
 * loop polls a single fd: no thread, no polling timer.
 *
 * A line that cannot be had (no such line, another program holds it, no
 * permission, the chip went away) is logged once per reason and tried
 * again every GPIO_RETRY_MS, and soon after a chip appears in /dev; the
 * other line keeps working. /dev is watched in the same epoll set, as the
 * kernel does not tell everywhere when a chip goes. The caller learns of
 * every change through gpio_poll, as events in time order.
 *
 * A line the kernel does not debounce is not listened to for its settle
 * time after an edge, so chatter costs a wake-up per settle time at most:
 * the caller must wake at gpio_wake() as well as when gpio_fd() is
 * readable, and every gpio_poll reads such lines' waiting edges.
 *
 * Backends (gpio_backend.h) are chosen at build time. The caller owns the
 * struct gpio; main thread only.
 */
#ifndef KIOSK_GPIO_H
#define KIOSK_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gesture.h"
#include "ktime.h"

#define GPIO_RETRY_MS 10000

struct gpio_config {
	const char *line[LINE_COUNT]; /* settings: "GPIO17", "none", ... */
	bool active_low[LINE_COUNT];
	kt_ms debounce[LINE_COUNT]; /* asked of the kernel where it can */
	int64_t origin_ns;	    /* CLOCK_MONOTONIC of kiosk time 0, in ns */
};

enum gpio_event_kind {
	GPIO_EDGE,  /* the line changed level (raw: not debounced) */
	GPIO_FOUND, /* the line is held now; `active` is its level */
	GPIO_LOST,  /* the line is gone; it is tried again later */
};

struct gpio_event {
	enum gpio_event_kind kind;
	enum gesture_line line;
	bool active;
	kt_ms at;
};

enum gpio_state { GPIO_UNWIRED, GPIO_HELD, GPIO_MISSING };

struct gpio;
struct settings;

/* The lines, polarities and debounce times a routine's settings give. */
void gpio_config_init(struct gpio_config *c, const struct settings *s,
		      int64_t origin_ns);

/* Hand an event to the gesture recogniser: a found line's level is its
 * starting level (no gesture), a lost line counts as released, and a
 * line the kernel debounces needs no settling of its own. */
void gpio_to_gestures(const struct gpio *g, const struct gpio_event *ev,
		      struct gestures *gs);

/* Tries every wired line now (each gives a log line). NULL only when
 * out of memory or descriptors. */
struct gpio *gpio_open(const struct gpio_config *c, kt_ms now);
void gpio_close(struct gpio *g);

/* Readable when gpio_poll has edges to give. */
int gpio_fd(const struct gpio *g);

/* What happened by `now` (at most n events; call again while it
 * returns n): lines found or lost, edges. Also retries missing lines
 * when due. Never blocks. */
int gpio_poll(struct gpio *g, kt_ms now, struct gpio_event *out, int n);

/* When gpio_poll next has something to do without the fd: a retry, or
 * a quiet line to listen to again. */
kt_ms gpio_wake(const struct gpio *g);

enum gpio_state gpio_state(const struct gpio *g, enum gesture_line l);
/* Held, and its level last read is active. */
bool gpio_active(const struct gpio *g, enum gesture_line l);
bool gpio_kernel_debounce(const struct gpio *g, enum gesture_line l);

/* One line on the line's state, as logged: "GPIO17 is gpiochip0 line 17
 * (active-low, pull-up)" or why it is missing. */
const char *gpio_describe(const struct gpio *g, enum gesture_line l, char *buf,
			  size_t n);

/* Which library the kiosk was built with. */
const char *gpio_library(void);

#endif
