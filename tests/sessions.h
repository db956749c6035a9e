/*
 * sessions.h - a made-up line of the session record, for the tests of
 * the modules that write and read sessions.tsv (unit_sessionlog.c) and
 * count it for the fleet (unit_metrics.c).
 */
#ifndef KIOSK_TEST_SESSIONS_H
#define KIOSK_TEST_SESSIONS_H

#include <stdio.h>
#include <time.h>

#include "sessionlog.h"

static inline struct logged_session session(time_t start, int seconds,
					    enum logged_result r, int index,
					    const char *exercise)
{
	struct logged_session s = {
	    .start = start, .seconds = seconds, .result = r, .index = index};
	snprintf(s.exercise, sizeof s.exercise, "%s", exercise);
	snprintf(s.routine, sizeof s.routine, "Mid-back mobility");
	return s;
}

#endif
