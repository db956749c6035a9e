/*
 * clock.c - the real (monotonic) and virtual clocks.
 */
#include "clock.h"

void kclock_init(struct kclock *c, bool is_virtual)
{
	c->is_virtual = is_virtual;
	c->virtual_now = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->origin);
}

kt_ms kclock_now(const struct kclock *c)
{
	if (c->is_virtual)
		return c->virtual_now;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (kt_ms)(t.tv_sec - c->origin.tv_sec) * 1000 +
	       (t.tv_nsec - c->origin.tv_nsec) / 1000000;
}

double kclock_now_exact(const struct kclock *c)
{
	if (c->is_virtual)
		return (double)c->virtual_now;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->origin.tv_sec) * 1e3 +
	       (double)(t.tv_nsec - c->origin.tv_nsec) / 1e6;
}

void kclock_jump(struct kclock *c, kt_ms to)
{
	if (c->is_virtual && to > c->virtual_now)
		c->virtual_now = to;
}

int64_t kclock_origin_ns(const struct kclock *c)
{
	return (int64_t)c->origin.tv_sec * 1000000000 + c->origin.tv_nsec;
}
