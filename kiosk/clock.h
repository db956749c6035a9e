/*
 * clock.h - where "now" comes from: the monotonic clock, or virtual time.
 *
 * Real: CLOCK_MONOTONIC since the clock was made, so wall-clock jumps
 * change nothing. Virtual: time only moves when the main loop jumps it to
 * the next deadline, so a whole session runs as fast as the CPU allows
 * with exactly the timeline it would have had. Not thread-safe.
 */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ktime.h"

struct kclock {
	bool is_virtual;
	kt_ms virtual_now;
	struct timespec origin;
};

void kclock_init(struct kclock *c, bool is_virtual);
kt_ms kclock_now(const struct kclock *c);
/* The same to the nanosecond, in ms: for figures (the first frame). */
double kclock_now_exact(const struct kclock *c);

/* CLOCK_MONOTONIC at time 0, in ns: to place the kernel's timestamps. */
int64_t kclock_origin_ns(const struct kclock *c);

/* Virtual clock only: move time forward to `to` (never back). */
void kclock_jump(struct kclock *c, kt_ms to);

#endif
