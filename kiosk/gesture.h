/*
 * gesture.h - the inputs (the line table) and debouncing and gesture
 * recognition for them.
 *
 * Pure code: raw edges (line, level, time) go in; clean gestures come out
 * (press, long press, mat on, mat off), each with its line and the time
 * it happened. Which gestures a line makes is its row's meaning: a push
 * button (MEANS_PRESS) or a presence like the mat (MEANS_PRESENCE).
 * A change counts only once the raw level has stayed put for the settle
 * time, so any amount of contact bounce, or a mat chattering for minutes,
 * gives at most one edge and nothing while it lasts. A long press fires
 * when the button has been down for the long-press time (not on release),
 * so the person holding it hears the kiosk react. A press that ends
 * within GESTURE_DOUBLE_MS of the one before is a double press instead
 * (its first press was already given out as a press: nothing waits to
 * see whether a second comes, so a single press is never slowed down).
 *
 * The caller owns the struct; no allocation; not thread-safe. Edges must
 * be fed in time order; gesture_wake says when to call gesture_poll
 * next even if no edge arrives.
 */
#ifndef KIOSK_GESTURE_H
#define KIOSK_GESTURE_H

#include <stdbool.h>

#include "ktime.h"

/* The inputs. What each one is and means is its row in the line table
 * (gesture.c); its settings are settings.input[line] (routine.h). A
 * second button is one more name here and one more row there. */
enum gesture_line { LINE_BUTTON, LINE_MAT, LINE_COUNT };

/* What a line's level means, and so which gestures it makes. */
enum line_meaning {
	MEANS_PRESS,	/* a push button: press, long press */
	MEANS_PRESENCE, /* someone there or not: on, off */
};

struct line_def {
	const char *role; /* "button": logs, the record's "source",
			     the start of its settings' keys */
	enum line_meaning means;
	const char *edge_word[2];  /* a raw edge to {inactive, active} */
	const char *level_word[2]; /* its level when it is found */
};

/* The row of line l (a valid line). */
const struct line_def *line_def(enum gesture_line l);

enum gesture {
	GESTURE_PRESS,
	GESTURE_LONG_PRESS,
	GESTURE_MAT_ON,
	GESTURE_MAT_OFF,
	GESTURE_DOUBLE_PRESS, /* a second press right after a press */
	GESTURE_COUNT
};

/* A second press ending this soon after the first is a double press. */
#define GESTURE_DOUBLE_MS 1000

struct gesture_event {
	enum gesture gesture;
	enum gesture_line line; /* where it came from */
	kt_ms at;
};

struct debounce {
	kt_ms settle;
	bool stable, raw;
	kt_ms raw_since; /* time of the last raw change */
	kt_ms down_at;	 /* MEANS_PRESS: when it went down */
	bool long_fired; /* MEANS_PRESS: this press was a long one */
	kt_ms press_at;	 /* MEANS_PRESS: the last single press, to pair
			    with the next; KT_NEVER: none */
};

#define GESTURE_QUEUE 8

struct gestures {
	struct debounce line[LINE_COUNT];
	kt_ms long_press;
	struct gesture_event queue[GESTURE_QUEUE];
	int queued;
};

/* Lines start released/off unless the caller says otherwise; settle[l]
 * is line l's settle time. */
void gesture_init(struct gestures *g, const kt_ms settle[LINE_COUNT],
		  kt_ms long_press);

/* Change a line's settle time (0 when the kernel debounces it already). */
void gesture_set_settle(struct gestures *g, enum gesture_line l, kt_ms settle);

/* Change the long-press time (a routine read again). */
void gesture_set_long_press(struct gestures *g, kt_ms long_press);

/* Set a line's level without producing a gesture (its level at start). */
void gesture_set_level(struct gestures *g, enum gesture_line l, bool active);

/* A raw edge: `active` is true for pressed / someone on the mat. */
void gesture_edge(struct gestures *g, enum gesture_line l, bool active,
		  kt_ms at);

/* Move the recognised gestures due by `now` into out (at most n);
 * returns how many. Call again while it returns n. */
int gesture_poll(struct gestures *g, kt_ms now, struct gesture_event *out,
		 int n);

/* When gesture_poll has something to do next; KT_NEVER if nothing. */
kt_ms gesture_wake(const struct gestures *g);

const char *gesture_name(enum gesture x);

#endif
