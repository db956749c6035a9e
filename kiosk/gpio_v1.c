/*
 * gpio_v1.c - the GPIO backend on libgpiod 1.x (the v1 API).
 *
 * This API cannot ask the kernel to debounce, so every contact bounce
 * reaches us; gesture.c settles it. Since kernel 5.7 the event
 * timestamps are CLOCK_MONOTONIC; gpio.c replaces implausible ones.
 */
#include "gpio_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSUMER "kiosk"

struct gpio_req {
	struct gpiod_chip *chip; /* owns the line */
	struct gpiod_line *line;
};

static struct gpiod_line *find_line(const struct gpio_want *w,
				    struct gpiod_chip **chip)
{
	if (w->name) {
		/* Opens every chip in turn; fails with EACCES when one
		 * cannot be opened, ENOENT when no chip has the name. */
		struct gpiod_line *line = gpiod_line_find(w->name);
		*chip = line ? gpiod_line_get_chip(line) : NULL;
		return line;
	}
	*chip = gpiod_chip_open(w->chip);
	if (!*chip)
		return NULL;
	struct gpiod_line *line = gpiod_chip_get_line(*chip, w->offset);
	if (!line) {
		gpiod_chip_close(*chip);
		*chip = NULL;
		errno = ENOENT; /* an offset past the chip's last line */
	}
	return line;
}

static void note_holder(struct gpiod_line *line, struct gpio_where *where)
{
	if (gpiod_line_update(line) < 0)
		return;
	const char *who = gpiod_line_consumer(line);
	snprintf(where->consumer, sizeof where->consumer, "%s",
		 who ? who : "another program");
}

int gpiob_request(const struct gpio_want *w, struct gpio_req **out,
		  struct gpio_where *where)
{
	struct gpiod_chip *chip;
	struct gpiod_line *line = find_line(w, &chip);
	if (!line)
		return -1;
	snprintf(where->chip, sizeof where->chip, "%s", gpiod_chip_name(chip));
	where->offset = gpiod_line_offset(line);
	where->located = true;
	where->kernel_debounce = false;

	struct gpiod_line_request_config rc = {
	    .consumer = CONSUMER,
	    .request_type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES,
	    .flags = GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP |
		     (w->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0),
	};
	struct gpio_req *r = malloc(sizeof *r);
	if (!r || gpiod_line_request(line, &rc, 0) < 0) {
		int e = r ? errno : ENOMEM;
		if (e == EBUSY)
			note_holder(line, where);
		free(r);
		gpiod_chip_close(chip);
		errno = e;
		return -1;
	}
	int fd = gpiod_line_event_get_fd(line);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*r = (struct gpio_req){.chip = chip, .line = line};
	*out = r;
	return 0;
}

int gpiob_fd(const struct gpio_req *r)
{
	return gpiod_line_event_get_fd(r->line);
}

int gpiob_read(struct gpio_req *r, struct gpio_raw *out, int n)
{
	struct gpiod_line_event ev[16];
	if (n > 16)
		n = 16;
	int got = gpiod_line_event_read_multiple(r->line, ev, (unsigned)n);
	if (got < 0)
		return errno == EAGAIN ? 0 : -1;
	for (int i = 0; i < got; i++)
		out[i] = (struct gpio_raw){
		    /* With ACTIVE_LOW the kernel reports the logical level,
		     * so a rising edge is always "became active". */
		    .active = ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE,
		    .ns = (int64_t)ev[i].ts.tv_sec * 1000000000 +
			  ev[i].ts.tv_nsec,
		};
	return got;
}

int gpiob_level(struct gpio_req *r)
{
	return gpiod_line_get_value(r->line);
}

void gpiob_release(struct gpio_req *r)
{
	if (!r)
		return;
	gpiod_line_release(r->line);
	gpiod_chip_close(r->chip);
	free(r);
}

const char *gpiob_version(void)
{
	static char v[48];
	snprintf(v, sizeof v, "libgpiod %s (v1 API)", gpiod_version_string());
	return v;
}
