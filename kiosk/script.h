/*
 * script.h - scripted input: a text file of timed button and mat events.
 *
 * Each line is "TIME EVENT": TIME in seconds since start (decimals
 * allowed), EVENT one of press, hold SECONDS, down, up, mat on, mat off,
 * quit. '#' starts a comment; blank lines are fine. press and hold become
 * a down and an up edge, so scripted input goes through the same debounce
 * and gesture code as the real button. Every malformed line is reported
 * with its number before anything runs.
 *
 * struct script owns its event array (script_free). Not thread-safe.
 */
#ifndef KIOSK_SCRIPT_H
#define KIOSK_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "gesture.h"
#include "ktime.h"

#define SCRIPT_PRESS_MS 150 /* how long a scripted "press" holds the button */

enum script_kind {
	SCRIPT_DOWN,
	SCRIPT_UP,
	SCRIPT_MAT_ON,
	SCRIPT_MAT_OFF,
	SCRIPT_QUIT,
};

struct script_event {
	kt_ms at;
	enum script_kind kind;
	int line;
};

struct script {
	struct script_event *event; /* sorted by time */
	int count;
	int next; /* first event not yet delivered */
};

/* 0 on success; -1 with every problem in d. */
int script_parse(const char *text, size_t len, struct script *s,
		 struct diags *d);
int script_load(const char *path, struct script *s, struct diags *d);
void script_free(struct script *s);

/* The raw edge an event stands for: its line and level. false for
 * SCRIPT_QUIT, which is no edge. */
bool script_edge(const struct script_event *ev, enum gesture_line *line,
		 bool *active);

/* Time of the next undelivered event, KT_NEVER at the end. */
kt_ms script_next_at(const struct script *s);

#endif
