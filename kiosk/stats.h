/*
 * stats.h - kiosk --stats: a plain-text summary of the session record
 * for staff.
 *
 * Sessions a day over the last 14 days, how sessions ended and the
 * completion rate, the average length, and where people stop (stopped
 * and abandoned sessions by the exercise reached). Pure formatting over a
 * session_history; stats_print also reads the file. Main thread only.
 */
#ifndef KIOSK_STATS_H
#define KIOSK_STATS_H

#include <stdio.h>
#include <time.h>

#include "sessionlog.h"

#define STATS_DAYS 14

/* The summary of h as of `now` (its local date is "today"); `path` is
 * named in the heading. */
void stats_report(FILE *out, const struct session_history *h, const char *path,
		  time_t now);

/* Read DIR's record and print its summary to out. Returns the exit
 * status: 0 (also when nothing is recorded yet), 1 when the record
 * cannot be read (said on err). */
int stats_print(FILE *out, FILE *err, const char *dir, time_t now);

#endif
