/*
 * record.h - the event record: one JSON object per line for everything
 * observable (states, lines spoken, screens, inputs, exercises, timed
 * parts, session results), each with "t" in seconds since start.
 *
 * The record owns its FILE (unless it is stdout). Lines are written in
 * the order the kiosk acts and flushed after each wake of the main loop
 * (record_flush), so a reader tailing the file sees whole lines. When a
 * write fails (a full disk) that is logged once and the record ends
 * there; the kiosk goes on. Main thread only. Absent parts: every
 * function but record_open takes NULL (no record asked for) and does
 * nothing.
 */
#ifndef KIOSK_RECORD_H
#define KIOSK_RECORD_H

#include <stdio.h>

#include "engine.h"

struct record;

/* "-" is stdout. NULL on failure, with errno set. */
struct record *record_open(const char *path);
void record_close(struct record *rec);

void record_action(struct record *rec, kt_ms t, const struct action *a);
void record_input(struct record *rec, kt_ms t, const char *source,
		  const char *gesture);
void record_flush(struct record *rec);

/* Write s as a JSON string, quotes included. Shared with tests. */
void record_json_string(FILE *f, const char *s);

#endif
