/*
 * gpio_v2.c - the GPIO backend on libgpiod 2.x (the v2 API).
 *
 * The kernel debounces each line for us (for a line without hardware
 * debounce it does so in software), so a chattering mat does not wake
 * the kiosk at all, and gesture.c adds no settle time of its own.
 */
#include "gpio_backend.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONSUMER "kiosk"
#define EVENTS	 16

struct gpio_req {
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *buf;
	unsigned offset;
};

/* Every chip in /dev, until one has the name. ENOENT when none has it,
 * EACCES when a chip we could not open might have. */
static struct gpiod_chip *find_by_name(const char *name, unsigned *offset)
{
	DIR *dev = opendir("/dev");
	if (!dev)
		return NULL;
	struct gpiod_chip *found = NULL;
	int denied = 0;
	struct dirent *de;
	while (!found && (de = readdir(dev))) {
		char path[300];
		if (strncmp(de->d_name, "gpiochip", 8))
			continue;
		snprintf(path, sizeof path, "/dev/%s", de->d_name);
		if (!gpiod_is_gpiochip_device(path))
			continue;
		struct gpiod_chip *chip = gpiod_chip_open(path);
		if (!chip) {
			denied |= errno == EACCES || errno == EPERM;
			continue;
		}
		int off = gpiod_chip_get_line_offset_from_name(chip, name);
		if (off >= 0) {
			found = chip;
			*offset = (unsigned)off;
		} else {
			gpiod_chip_close(chip);
		}
	}
	closedir(dev);
	if (!found)
		errno = denied ? EACCES : ENOENT;
	return found;
}

static struct gpiod_chip *find_line(const struct gpio_want *w, unsigned *offset)
{
	if (w->name)
		return find_by_name(w->name, offset);
	struct gpiod_chip *chip = gpiod_chip_open(w->chip);
	if (!chip)
		return NULL;
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
	bool fits = info && w->offset < gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	if (!fits) {
		gpiod_chip_close(chip);
		errno = ENOENT;
		return NULL;
	}
	*offset = w->offset;
	return chip;
}

static void locate(struct gpiod_chip *chip, unsigned offset,
		   struct gpio_where *where)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(chip);
	snprintf(where->chip, sizeof where->chip, "%s",
		 info ? gpiod_chip_info_get_name(info) : "?");
	gpiod_chip_info_free(info);
	where->offset = offset;
	where->located = true;
}

static void note_holder(struct gpiod_chip *chip, unsigned offset,
			struct gpio_where *where)
{
	struct gpiod_line_info *info = gpiod_chip_get_line_info(chip, offset);
	const char *who = info ? gpiod_line_info_get_consumer(info) : NULL;
	snprintf(where->consumer, sizeof where->consumer, "%s",
		 who ? who : "another program");
	gpiod_line_info_free(info);
}

static struct gpiod_line_request *
request(struct gpiod_chip *chip, unsigned offset, const struct gpio_want *w)
{
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;
	if (!ls || !lc || !rc)
		goto out;
	gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
	gpiod_line_settings_set_edge_detection(ls, GPIOD_LINE_EDGE_BOTH);
	gpiod_line_settings_set_bias(ls, GPIOD_LINE_BIAS_PULL_UP);
	gpiod_line_settings_set_active_low(ls, w->active_low);
	gpiod_line_settings_set_event_clock(ls, GPIOD_LINE_CLOCK_MONOTONIC);
	gpiod_line_settings_set_debounce_period_us(
	    ls, (unsigned long)w->debounce * 1000);
	gpiod_request_config_set_consumer(rc, CONSUMER);
	if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
		req = gpiod_chip_request_lines(chip, rc, lc);
out:;
	int e = errno;
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	errno = e;
	return req;
}

int gpiob_request(const struct gpio_want *w, struct gpio_req **out,
		  struct gpio_where *where)
{
	unsigned offset = 0;
	struct gpiod_chip *chip = find_line(w, &offset);
	if (!chip)
		return -1;
	locate(chip, offset, where);
	where->kernel_debounce = w->debounce > 0;
	struct gpio_req *r = calloc(1, sizeof *r);
	struct gpiod_line_request *req = r ? request(chip, offset, w) : NULL;
	struct gpiod_edge_event_buffer *buf =
	    req ? gpiod_edge_event_buffer_new(EVENTS) : NULL;
	int e = !r ? ENOMEM : errno;
	if (!req && e == EBUSY)
		note_holder(chip, offset, where);
	/* A request lives on without its chip. */
	gpiod_chip_close(chip);
	if (!buf) {
		if (req)
			gpiod_line_request_release(req);
		free(r);
		errno = e;
		return -1;
	}
	int fd = gpiod_line_request_get_fd(req);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*r = (struct gpio_req){.req = req, .buf = buf, .offset = offset};
	*out = r;
	return 0;
}

int gpiob_fd(const struct gpio_req *r)
{
	return gpiod_line_request_get_fd(r->req);
}

int gpiob_read(struct gpio_req *r, struct gpio_raw *out, int n)
{
	if (n > EVENTS)
		n = EVENTS;
	int got =
	    gpiod_line_request_read_edge_events(r->req, r->buf, (size_t)n);
	if (got < 0)
		return errno == EAGAIN ? 0 : -1;
	for (int i = 0; i < got; i++) {
		struct gpiod_edge_event *ev =
		    gpiod_edge_event_buffer_get_event(r->buf, (unsigned long)i);
		out[i] = (struct gpio_raw){
		    /* Active-low is applied by the kernel: rising is always
		     * "became active". */
		    .active = gpiod_edge_event_get_event_type(ev) ==
			      GPIOD_EDGE_EVENT_RISING_EDGE,
		    .ns = (int64_t)gpiod_edge_event_get_timestamp_ns(ev),
		};
	}
	return got;
}

int gpiob_level(struct gpio_req *r)
{
	enum gpiod_line_value v =
	    gpiod_line_request_get_value(r->req, r->offset);
	return v == GPIOD_LINE_VALUE_ERROR ? -1 : v == GPIOD_LINE_VALUE_ACTIVE;
}

void gpiob_release(struct gpio_req *r)
{
	if (!r)
		return;
	gpiod_edge_event_buffer_free(r->buf);
	gpiod_line_request_release(r->req);
	free(r);
}

const char *gpiob_version(void)
{
	static char v[48];
	snprintf(v, sizeof v, "libgpiod %s (v2 API)", gpiod_api_version());
	return v;
}
