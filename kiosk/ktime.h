/*
 * ktime.h - the one time type: milliseconds on a monotonic timeline.
 *
 * Every deadline in the kiosk is an absolute kt_ms on the timeline of the
 * clock that started the run (0 = start), so nothing drifts: a deadline is
 * computed from a start time and an offset, never by adding up sleeps.
 */
#ifndef KIOSK_KTIME_H
#define KIOSK_KTIME_H

#include <stdint.h>

typedef int64_t kt_ms;

#define KT_NEVER INT64_MAX

static inline kt_ms kt_min(kt_ms a, kt_ms b)
{
	return a < b ? a : b;
}

static inline kt_ms kt_max(kt_ms a, kt_ms b)
{
	return a > b ? a : b;
}

#endif
