/*
 * gpio_backend.h - what gpio.c needs from libgpiod, one line at a time.
 *
 * One file per library API, chosen by the Makefile from
 * `pkg-config --modversion libgpiod`: gpio_v1.c (libgpiod 1.x, Debian 12
 * and Raspberry Pi OS bookworm), gpio_v2.c (2.x, Debian 13, current
 * Raspberry Pi OS, bookworm-backports), gpio_none.c (built without it).
 *
 * A request holds one line as an input with pull-up bias, edge events on
 * both edges and the level reported as "active" (pressed, someone on the
 * mat) whatever the wiring's polarity. The backend opens and closes
 * everything it uses; gpio.c owns the requests it gets. Main thread only.
 */
#ifndef KIOSK_GPIO_BACKEND_H
#define KIOSK_GPIO_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "ktime.h"

struct gpio_want {
	const char *name; /* a line name, looked for on every chip; or */
	const char *chip; /* a chip's path and */
	unsigned offset;  /* the line's offset on it */
	bool active_low;
	kt_ms debounce; /* kernel debounce, where the API has it */
};

/* Where the line is, as far as the backend got: filled on success and,
 * as far as known, on failure (a busy line names its holder). */
struct gpio_where {
	char chip[32]; /* "gpiochip0" */
	unsigned offset;
	bool located;	      /* chip and offset are known */
	char consumer[32];    /* EBUSY: the program holding the line */
	bool kernel_debounce; /* the kernel debounces the line */
};

struct gpio_raw {
	bool active;
	int64_t ns; /* CLOCK_MONOTONIC, from the kernel */
};

struct gpio_req;

/* 0, or -1 with errno: ENOENT (no such chip or line), EBUSY, EACCES,
 * ENOTTY or ENODEV (not a GPIO chip), ENOSYS (no libgpiod), or whatever
 * the kernel said. */
int gpiob_request(const struct gpio_want *w, struct gpio_req **out,
		  struct gpio_where *where);

/* Readable when edges wait; non-blocking. */
int gpiob_fd(const struct gpio_req *r);

/* The edges waiting (up to n): a count, 0 when none, -1 with errno
 * when the line is lost (ENODEV: its chip went away). */
int gpiob_read(struct gpio_req *r, struct gpio_raw *out, int n);

/* The line's level now: 1 active, 0 not, -1 with errno. */
int gpiob_level(struct gpio_req *r);

void gpiob_release(struct gpio_req *r);

/* "libgpiod 1.6.3 (v1 API)", for logs and the self-test: a static buffer
 * of the backend, rewritten by each call. */
const char *gpiob_version(void);

#endif
