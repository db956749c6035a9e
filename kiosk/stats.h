/*
 * stats.h - kiosk --stats: a plain-text summary of the session record
 * for staff.
 *
 * Sessions a day over the last 14 days, how sessions ended and the
 * completion rate, the average length, and where people stop (stopped
 * and abandoned sessions by the exercise reached). The record is read
 * one line at a time and summed as it goes (sessionlog_scan), with the
 * exercises reached in a hash table: memory stays flat however long the
 * record, and time grows in step with it. Main thread only.
 */
#ifndef KIOSK_STATS_H
#define KIOSK_STATS_H

#include <stdio.h>
#include <time.h>

#include "sessionlog.h"

#define STATS_DAYS	 14
#define STATS_PLACES_MAX 100000 /* rows of "Where people stop" */

/* Read DIR's record and print its summary to out. Returns the exit
 * status: 0 (also when nothing is recorded yet), 1 when the record
 * cannot be read (said on err). */
int stats_print(FILE *out, FILE *err, const char *dir, time_t now);

/* The same for the record at `path`. */
int stats_print_file(FILE *out, FILE *err, const char *path, time_t now);

#endif
