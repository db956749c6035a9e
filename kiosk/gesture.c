/*
 * gesture.c - settle-time debouncing and press / long-press recognition.
 */
#include "gesture.h"

#include <string.h>

/* ---- the lines: the one place that says what each input is ---- */

static const struct line_def line_table[LINE_COUNT] = {
    [LINE_BUTTON] =
	{
	    .role = "button",
	    .means = MEANS_PRESS,
	    .edge_word = {"up", "down"},
	    .level_word = {"released", "held down"},
	},
    [LINE_MAT] =
	{
	    .role = "mat",
	    .means = MEANS_PRESENCE,
	    .edge_word = {"nobody on", "someone on"},
	    .level_word = {"nobody on it", "someone on it"},
	},
};

const struct line_def *line_def(enum gesture_line l)
{
	return &line_table[(unsigned)l < LINE_COUNT ? l : 0];
}

static bool is_button(enum gesture_line l)
{
	return line_table[l].means == MEANS_PRESS;
}

void gesture_init(struct gestures *g, const kt_ms settle[LINE_COUNT],
		  kt_ms long_press)
{
	memset(g, 0, sizeof *g);
	for (int l = 0; l < LINE_COUNT; l++) {
		g->line[l].settle = settle[l];
		g->line[l].press_at = KT_NEVER;
	}
	g->long_press = long_press;
}

void gesture_set_settle(struct gestures *g, enum gesture_line l, kt_ms settle)
{
	g->line[l].settle = settle;
}

void gesture_set_long_press(struct gestures *g, kt_ms long_press)
{
	g->long_press = long_press;
}

void gesture_set_level(struct gestures *g, enum gesture_line l, bool active)
{
	g->line[l].stable = g->line[l].raw = active;
	if (is_button(l) && active)
		g->line[l].long_fired = true; /* held at start: no gesture */
}

static void queue(struct gestures *g, enum gesture x, enum gesture_line l,
		  kt_ms at)
{
	if (g->queued < GESTURE_QUEUE)
		g->queue[g->queued++] = (struct gesture_event){x, l, at};
}

static kt_ms settle_at(const struct debounce *d)
{
	return d->raw != d->stable ? d->raw_since + d->settle : KT_NEVER;
}

static kt_ms long_at(const struct gestures *g, enum gesture_line l)
{
	const struct debounce *d = &g->line[l];
	return is_button(l) && d->stable && !d->long_fired
		   ? d->down_at + g->long_press
		   : KT_NEVER;
}

/* A line's level has settled: turn it into a gesture. */
static void settled(struct gestures *g, enum gesture_line l, kt_ms at)
{
	struct debounce *d = &g->line[l];
	d->stable = d->raw;
	if (!is_button(l)) {
		queue(g, d->stable ? GESTURE_MAT_ON : GESTURE_MAT_OFF, l, at);
	} else if (d->stable) {
		d->down_at = at;
		d->long_fired = false;
	} else if (!d->long_fired) {
		/* The second of a pair; a third starts a new pair. */
		bool second = d->press_at != KT_NEVER &&
			      at - d->press_at <= GESTURE_DOUBLE_MS;
		queue(g, second ? GESTURE_DOUBLE_PRESS : GESTURE_PRESS, l, at);
		d->press_at = second ? KT_NEVER : at;
	}
}

/* What falls due first: a line's long press or its settling. At the
 * same time, a long press goes before a settling and a line before the
 * lines after it in the table. */
struct due {
	kt_ms at;
	enum gesture_line line;
	bool long_press;
};

static struct due next_due(const struct gestures *g)
{
	struct due first = {.at = KT_NEVER};
	for (int l = 0; l < LINE_COUNT; l++) {
		kt_ms lp = long_at(g, l), st = settle_at(&g->line[l]);
		if (lp < first.at)
			first = (struct due){lp, l, true};
		if (st < first.at)
			first = (struct due){st, l, false};
	}
	return first;
}

/* Everything due by `now`, in time order. */
static void advance(struct gestures *g, kt_ms now)
{
	for (struct due d = next_due(g); d.at <= now; d = next_due(g)) {
		if (d.long_press) {
			g->line[d.line].long_fired = true;
			g->line[d.line].press_at = KT_NEVER; /* pairs with none */
			queue(g, GESTURE_LONG_PRESS, d.line, d.at);
		} else {
			settled(g, d.line, d.at);
		}
	}
}

void gesture_edge(struct gestures *g, enum gesture_line l, bool active,
		  kt_ms at)
{
	advance(g, at - 1); /* what settled before this edge came */
	struct debounce *d = &g->line[l];
	if (d->raw == active)
		return;
	d->raw = active;
	d->raw_since = at;
}

int gesture_poll(struct gestures *g, kt_ms now, struct gesture_event *out,
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

kt_ms gesture_wake(const struct gestures *g)
{
	if (g->queued)
		return g->queue[0].at;
	return next_due(g).at;
}

const char *gesture_name(enum gesture x)
{
	static const char *const n[] = {"press", "long", "on", "off",
					"double"};
	_Static_assert(sizeof n / sizeof *n == GESTURE_COUNT, "a name each");
	return x < GESTURE_COUNT ? n[x] : "?";
}
