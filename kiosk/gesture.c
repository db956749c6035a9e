/*
 * gesture.c - settle-time debouncing and press / long-press recognition.
 */
#include "gesture.h"

#include <string.h>

void gestures_init(struct gestures *g, kt_ms button_settle, kt_ms mat_settle,
		   kt_ms long_press)
{
	memset(g, 0, sizeof *g);
	g->line[LINE_BUTTON].settle = button_settle;
	g->line[LINE_MAT].settle = mat_settle;
	g->long_press = long_press;
	g->press_at = KT_NEVER;
}

void gestures_set_settle(struct gestures *g, enum gesture_line l, kt_ms settle)
{
	g->line[l].settle = settle;
}

void gestures_set_long_press(struct gestures *g, kt_ms long_press)
{
	g->long_press = long_press;
}

void gestures_set_level(struct gestures *g, enum gesture_line l, bool active)
{
	g->line[l].stable = g->line[l].raw = active;
	if (l == LINE_BUTTON && active)
		g->long_fired = true; /* held at start: not a gesture */
}

static void queue(struct gestures *g, enum gesture x, kt_ms at)
{
	if (g->queued < GESTURE_QUEUE)
		g->queue[g->queued++] = (struct gesture_event){x, at};
}

static kt_ms settle_at(const struct debounce *d)
{
	return d->raw != d->stable ? d->raw_since + d->settle : KT_NEVER;
}

static kt_ms long_at(const struct gestures *g)
{
	return g->line[LINE_BUTTON].stable && !g->long_fired
		   ? g->down_at + g->long_press
		   : KT_NEVER;
}

/* A line's level has settled: turn it into a gesture. */
static void settled(struct gestures *g, enum gesture_line l, kt_ms at)
{
	struct debounce *d = &g->line[l];
	d->stable = d->raw;
	if (l == LINE_MAT) {
		queue(g, d->stable ? GESTURE_MAT_ON : GESTURE_MAT_OFF, at);
	} else if (d->stable) {
		g->down_at = at;
		g->long_fired = false;
	} else if (!g->long_fired) {
		/* The second of a pair; a third starts a new pair. */
		bool second =
		    g->press_at != KT_NEVER && at - g->press_at <= GESTURE_DOUBLE_MS;
		queue(g, second ? GESTURE_DOUBLE_PRESS : GESTURE_PRESS, at);
		g->press_at = second ? KT_NEVER : at;
	} else {
		g->press_at = KT_NEVER; /* a long press pairs with nothing */
	}
}

/* Everything due by `now`, in time order. */
static void advance(struct gestures *g, kt_ms now)
{
	for (;;) {
		kt_ms b = settle_at(&g->line[LINE_BUTTON]);
		kt_ms m = settle_at(&g->line[LINE_MAT]);
		kt_ms lp = long_at(g);
		kt_ms first = kt_min(kt_min(b, m), lp);
		if (first > now)
			return;
		if (first == lp && lp <= b) {
			g->long_fired = true;
			queue(g, GESTURE_LONG_PRESS, lp);
		} else if (first == b) {
			settled(g, LINE_BUTTON, b);
		} else {
			settled(g, LINE_MAT, m);
		}
	}
}

void gestures_edge(struct gestures *g, enum gesture_line l, bool active,
		   kt_ms at)
{
	advance(g, at - 1); /* what settled before this edge came */
	struct debounce *d = &g->line[l];
	if (d->raw == active)
		return;
	d->raw = active;
	d->raw_since = at;
}

int gestures_poll(struct gestures *g, kt_ms now, struct gesture_event *out,
		  int n)
{
	advance(g, now);
	int k = g->queued < n ? g->queued : n;
	memcpy(out, g->queue, sizeof *out * (size_t)k);
	memmove(g->queue, g->queue + k,
		sizeof *g->queue * (size_t)(g->queued - k));
	g->queued -= k;
	return k;
}

kt_ms gestures_wake(const struct gestures *g)
{
	if (g->queued)
		return g->queue[0].at;
	return kt_min(kt_min(settle_at(&g->line[LINE_BUTTON]),
			     settle_at(&g->line[LINE_MAT])),
		      long_at(g));
}

const char *gesture_name(enum gesture x)
{
	static const char *const n[] = {"press", "long", "on", "off",
					"double"};
	_Static_assert(sizeof n / sizeof *n == GESTURE_COUNT, "a name each");
	return x < GESTURE_COUNT ? n[x] : "?";
}

enum gesture_line gesture_line(enum gesture x)
{
	return x == GESTURE_MAT_ON || x == GESTURE_MAT_OFF ? LINE_MAT
							   : LINE_BUTTON;
}
