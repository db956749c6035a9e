/*
 * gpio_none.c - the GPIO backend of a kiosk built without libgpiod.
 *
 * Every request fails with ENOSYS, which gpio.c reports once and does
 * not retry; the kiosk runs on the keyboard.
 */
#include "gpio_backend.h"

#include <errno.h>

int gpiob_request(const struct gpio_want *w, struct gpio_req **out,
		  struct gpio_where *where)
{
	(void)w, (void)out, (void)where;
	errno = ENOSYS;
	return -1;
}

int gpiob_fd(const struct gpio_req *r)
{
	(void)r;
	return -1;
}

int gpiob_read(struct gpio_req *r, struct gpio_raw *out, int n)
{
	(void)r, (void)out, (void)n;
	errno = ENOSYS;
	return -1;
}

int gpiob_level(struct gpio_req *r)
{
	(void)r;
	errno = ENOSYS;
	return -1;
}

void gpiob_release(struct gpio_req *r)
{
	(void)r;
}

const char *gpiob_version(void)
{
	return "no libgpiod (built without it)";
}
