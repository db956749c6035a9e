/*
 * gesture.h - debouncing and gesture recognition for the button and mat.
 *
 * Pure code: raw edges (line, level, time) go in; clean gestures come out
 * (press, long press, mat on, mat off), each with the time it happened.
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
 * be fed in time order; gestures_wake says when to call gestures_poll
 * next even if no edge arrives.
 */
#ifndef KIOSK_GESTURE_H
#define KIOSK_GESTURE_H

#include <stdbool.h>

#include "ktime.h"

enum gesture_line { LINE_BUTTON, LINE_MAT, LINE_COUNT };

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
	kt_ms at;
};

struct debounce {
	kt_ms settle;
	bool stable, raw;
	kt_ms raw_since; /* time of the last raw change */
};

#define GESTURE_QUEUE 8

struct gestures {
	struct debounce line[LINE_COUNT];
	kt_ms long_press;
	kt_ms down_at;
	bool long_fired;
	kt_ms press_at; /* the last single press; KT_NEVER: none to pair */
	struct gesture_event queue[GESTURE_QUEUE];
	int queued;
};

/* Lines start released/off unless the caller says otherwise. */
void gestures_init(struct gestures *g, kt_ms button_settle, kt_ms mat_settle,
		   kt_ms long_press);

/* Change a line's settle time (0 when the kernel debounces it already). */
void gestures_set_settle(struct gestures *g, enum gesture_line l, kt_ms settle);

/* Change the long-press time (a routine read again). */
void gestures_set_long_press(struct gestures *g, kt_ms long_press);

/* Set a line's level without producing a gesture (its level at start). */
void gestures_set_level(struct gestures *g, enum gesture_line l, bool active);

/* A raw edge: `active` is true for pressed / someone on the mat. */
void gestures_edge(struct gestures *g, enum gesture_line l, bool active,
		   kt_ms at);

/* Move the recognised gestures due by `now` into out (at most n);
 * returns how many. Call again while it returns n. */
int gestures_poll(struct gestures *g, kt_ms now, struct gesture_event *out,
		  int n);

/* When gestures_poll has something to do next; KT_NEVER if nothing. */
kt_ms gestures_wake(const struct gestures *g);

const char *gesture_name(enum gesture x);

/* The line a gesture came from. */
enum gesture_line gesture_line(enum gesture x);

#endif
