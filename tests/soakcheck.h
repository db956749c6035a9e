/*
 * soakcheck.h - the soak test's judge: invariants over the kiosk's event
 * record (JSON Lines), checked line by line while the record streams in,
 * so a record of thousands of sessions is never held in memory. Used by
 * e2e_soak.c on every run it makes and tested on its own, with records
 * broken on purpose, by unit_soakcheck.c. Header-only, static.
 *
 * Every rule is written from kiosk.conf(5) (HOW AN EXERCISE RUNS),
 * kiosk(8) (SCRIPTED INPUT, EVENT RECORD) and kiosk/engine.c, not from
 * what a run happened to print. Times are exact because the soak runs on the virtual
 * clock: the engine is woken at its deadline to the millisecond.
 */
#ifndef KIOSK_SOAKCHECK_H
#define KIOSK_SOAKCHECK_H

#include "engine.h" /* SCREEN_FIELDS: the keys of a screen line */
#include "testutil.h"

enum sk_state {
	SK_NONE = -1,
	SK_ATTRACT,
	SK_SAFETY,
	SK_REDFLAGS,
	SK_INTRO,
	SK_READY,
	SK_WAITING,
	SK_RUNNING,
	SK_PAUSED,
	SK_REST,
	SK_DONE,
	SK_STATES
};

static const char *const sk_state_name[SK_STATES] = {
    "attract", "safety", "redflags", "intro", "ready",
    "waiting", "running", "paused",  "rest",  "done",
};

/* The screen each state shows; running shows "hold" or "reps". */
static const char *const sk_screen_of[SK_STATES] = {
    "attract", "safety", "redflags", "intro", "ready",
    "waiting", "hold",	 "paused",   "rest",  "done",
};

/*
 * The state changes the engine makes (engine.c, every set_state caller).
 * Row: the state left; column: the state entered.
 *
 *   attract -> safety    begin_session: a press, or the mat (mat_start)
 *   safety  -> redflags  the opening words are said (enter_redflags)
 *   safety  -> intro     the same, with the red-flag screen off
 *   redflags -> intro    its words are said, or the press that confirms
 *                        them (redflags_confirm)
 *   intro   -> ready     await_start: auto, or mat with someone on it
 *   intro   -> waiting   await_start: button, or mat with nobody on it
 *   intro   -> running   await_start when get_ready is 0 (no ready state)
 *   ready   -> running   the get-ready countdown ran out
 *   ready   -> waiting   off the mat before a mat-started part
 *   waiting -> ready     a press or the mat, for start = mat
 *   waiting -> running   a press for start = button, or get_ready 0
 *   running -> rest      a part ended and more follow
 *   running -> done      the last part ended
 *   rest    -> intro     the next exercise
 *   rest    -> ready, waiting, running   the next round (await_start)
 *   safety, redflags, intro, ready, running, rest -> paused   a press
 *                        (pausable(); on redflags only while it speaks);
 *                        off the mat only from running
 *   paused  -> back to the state it was paused from (checked exactly)
 *   any state of a session -> attract   a long press (stopped); waiting,
 *                        paused and a red-flag screen waiting for its
 *                        press also on their timeout (abandoned)
 *   intro, ready, waiting, running, paused, rest -> rest or done   a
 *                        double press skips the exercise (checked apart:
 *                        only at the moment of a skip line)
 *
 * People who leave (engine.h): a check_in line asks "still there?" in
 * waiting or paused, and nothing answering (no input) its seconds later
 * ends the session; off the mat before the first exercise for 5 s with
 * no input ends it too; lying down starts a session once the mat has
 * been on for 3 s.
 *   done    -> attract   done_time over, a press or a long press
 *
 * The table is laid out by hand, so its columns stay under their names.
 */
/* clang-format off */
static const unsigned char sk_allowed[SK_STATES][SK_STATES] = {
	/*                att saf red int rdy wai run pau rst don */
	[SK_ATTRACT]  = {  0,  1,  0,  0,  0,  0,  0,  0,  0,  0 },
	[SK_SAFETY]   = {  1,  0,  1,  1,  0,  0,  0,  1,  0,  0 },
	[SK_REDFLAGS] = {  1,  0,  0,  1,  0,  0,  0,  1,  0,  0 },
	[SK_INTRO]    = {  1,  0,  0,  0,  1,  1,  1,  1,  0,  0 },
	[SK_READY]    = {  1,  0,  0,  0,  0,  1,  1,  1,  0,  0 },
	[SK_WAITING]  = {  1,  0,  0,  0,  1,  0,  1,  0,  0,  0 },
	[SK_RUNNING]  = {  1,  0,  0,  0,  0,  0,  0,  1,  1,  1 },
	[SK_PAUSED]   = {  1,  1,  1,  1,  1,  0,  1,  0,  1,  0 },
	[SK_REST]     = {  1,  0,  0,  1,  1,  1,  1,  1,  0,  0 },
	[SK_DONE]     = {  1,  0,  0,  0,  0,  0,  0,  0,  0,  0 },
};
/* clang-format on */

enum sk_gesture {
	SK_PRESS,
	SK_LONG,
	SK_MAT_ON,
	SK_MAT_OFF,
	SK_DOUBLE, /* a press within a second of a press */
	SK_GESTURES
};
static const char *const sk_gesture_name[SK_GESTURES] = {
    "press", "long", "on", "off", "double"};

#define SK_MAT_START  3000 /* ms on the mat before lying down starts one */
#define SK_EARLY_LEAVE 5000 /* ms off the mat before exercise 1: gone */

enum sk_result { SK_COMPLETED, SK_STOPPED, SK_ABANDONED, SK_RESULTS };
static const char *const sk_result_name[SK_RESULTS] = {"completed", "stopped",
						       "abandoned"};

/* A gesture the script must produce, and when (from the input's shape). */
struct sk_input {
	long t;
	enum sk_gesture g;
	bool seen;
};

#define SK_PRINT_MAX 12 /* violations printed per run; all are counted */

struct soak_check {
	/* What the run was; set before the first line. */
	const char *label;		   /* "seed S run R", for messages */
	long start_timeout, pause_timeout; /* ms; 0: not checked */
	bool quit;			   /* the script ends with quit */
	struct sk_input *in; /* expected gestures by time, or NULL */
	int in_n;
	bool quiet; /* count and keep the first, print nothing */

	/* Where the record is. */
	long line, t;
	enum sk_state state, paused_from;
	long state_t, state_line, paused_t;
	char shown[16];	      /* the screen on display */
	enum sk_state expect; /* the next line must enter this state */
	bool expect_result;   /* the next line must be a session result */
	bool quit_seen;

	bool in_session;
	long session_line, session_t; /* where and when the last one began */
	int closed_as; /* result of the last session, -1: none yet */
	int exercise, of;
	long start_t, long_t; /* last press or mat on; last long press */
	long press_t;	      /* last press */
	long mat_t, input_t;  /* last mat change; last input of any kind */
	long skip_t;	      /* last skip */
	long double_t;	      /* last double press */
	long check_in_t;      /* last "still there?"; -1: none */
	long check_in_ms;     /* the time it gives to answer */
	long asked_t; /* the red-flag screen asked for its press; -1: not */
	bool mat;
	int in_next;

	bool in_part; /* a timed part is running (or paused) */
	long part_t0, part_paused;
	int part_total, part_index, part_repeat, last_repeat, part_shown;
	int paused_shown; /* remaining on this pause's screens, -1: none */
	int stint_shown;  /* remaining in this ready or rest, -1: none */

	/* Verdict and coverage. */
	int violations;
	char first[512]; /* the first violation, for tests */
	long lines, sessions;
	long results[SK_RESULTS];
	long inputs_in[SK_STATES][SK_GESTURES];
	long moves[SK_STATES][SK_STATES];
};

static inline void soak_check_init(struct soak_check *c, const char *label)
{
	memset(c, 0, sizeof *c);
	c->label = label;
	c->state = c->paused_from = c->expect = SK_NONE;
	c->closed_as = -1;
	c->start_t = c->long_t = c->press_t = c->asked_t = -1;
	c->mat_t = c->input_t = c->skip_t = c->check_in_t = c->double_t = -1;
	c->paused_shown = c->stint_shown = -1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline void
sk_fail(struct soak_check *c, const char *line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!c->violations++)
		snprintf(c->first, sizeof c->first, "%s", msg);
	if (c->quiet || c->violations > SK_PRINT_MAX)
		return;
	printf("soak: %s, record line %ld: %s\n", c->label, c->line, msg);
	if (line)
		printf("      %.300s\n", line);
	if (c->violations == SK_PRINT_MAX)
		printf("soak: %s: further violations counted, not printed\n",
		       c->label);
}

static inline int sk_lookup(const char *const *names, int n, const char *v)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], v))
			return i;
	return -1;
}

static inline bool sk_int(const char *line, const char *key, int *out)
{
	char v[32];
	if (!json_get(line, key, v, sizeof v))
		return false;
	char *end;
	long x = strtol(v, &end, 10);
	*out = (int)x;
	return end != v && !*end;
}

/* The keys a screen line may have, with their JSON types: made from the
 * field list in engine.h, so a field added there is known here too. */
struct sk_field {
	const char *key, *key0;
	enum screen_field_type type;
};
#define SK_FIELD(ctype, name, dims, type, namer, key, key0, when, cap)       \
	{key, key0, type},
static const struct sk_field sk_screen_fields[] = {SCREEN_FIELDS(SK_FIELD)};
#undef SK_FIELD

/* The field a screen line's key names; NULL if the list has none. */
static inline const struct sk_field *sk_field_of(const char *key, size_t n)
{
	size_t count = sizeof sk_screen_fields / sizeof *sk_screen_fields;
	for (size_t i = 0; i < count; i++) {
		const struct sk_field *f = &sk_screen_fields[i];
		if ((strlen(f->key) == n && !strncmp(f->key, key, n)) ||
		    (strlen(f->key0) == n && !strncmp(f->key0, key, n)))
			return f;
	}
	return NULL;
}

/* Whether the value at v has the JSON type the field is written as. */
static inline bool sk_value_fits(const struct sk_field *f, const char *v)
{
	switch (f->type) {
	case SF_TEXT:
	case SF_NAME:
		return *v == '"';
	case SF_INT:
		return (*v >= '0' && *v <= '9') || *v == '-';
	case SF_BOOL:
		return !strncmp(v, "true", 4) || !strncmp(v, "false", 5);
	}
	return false;
}

/* Past the value at v: a string (with its escapes) or a bare word. */
static inline const char *sk_skip_value(const char *v)
{
	if (*v != '"')
		return v + strcspn(v, ",}");
	for (v++; *v && *v != '"'; v++)
		if (*v == '\\' && v[1])
			v++;
	return *v ? v + 1 : v;
}

/* Every key of a screen line is a field of struct screen, with the type
 * the list gives it (t and type aside). */
static inline void sk_screen_keys(struct soak_check *c, const char *line)
{
	for (const char *p = line + 1; *p == '"';) {
		const char *key = p + 1, *end = strchr(key, '"');
		if (!end || end[1] != ':')
			return; /* not this checker's business: see the line */
		size_t n = (size_t)(end - key);
		const struct sk_field *f = sk_field_of(key, n);
		bool own = (n == 1 && *key == 't') ||
			   (n == 4 && !strncmp(key, "type", 4));
		if (!own && !f)
			sk_fail(c, line, "a screen with '%.*s', which is no "
				"field of struct screen", (int)n, key);
		else if (!own && !sk_value_fits(f, end + 2))
			sk_fail(c, line, "a screen's '%.*s' of the wrong type",
				(int)n, key);
		p = sk_skip_value(end + 2);
		p += *p == ',';
	}
}

static inline bool sk_screen_fits(enum sk_state s, const char *kind)
{
	return !strcmp(kind, sk_screen_of[s]) ||
	       (s == SK_RUNNING && !strcmp(kind, "reps"));
}

/* Time moved on past c->t: by then the screen on display must be the
 * state's own. (An unchanged screen is not shown again, so this asks what
 * is on display, not for a screen line after every state line.) */
static inline void sk_instant_over(struct soak_check *c)
{
	if (c->state != SK_NONE && !sk_screen_fits(c->state, c->shown))
		sk_fail(c, NULL,
			"at %.3f s, '%s' (since line %ld) still has the '%s' "
			"screen on display",
			c->t / 1000.0, sk_state_name[c->state], c->state_line,
			c->shown[0] ? c->shown : "no");
}

/* The part's countdown at time t: total less the whole seconds run. */
static inline int sk_part_remaining(const struct soak_check *c, long t)
{
	return c->part_total - (int)((t - c->part_t0 - c->part_paused) / 1000);
}

static inline void sk_state_line(struct soak_check *c, const char *line, long t)
{
	char v[32] = "";
	json_get(line, "state", v, sizeof v);
	int s = sk_lookup(sk_state_name, SK_STATES, v);
	if (s < 0) {
		sk_fail(c, line, "unknown state '%s'", v);
		return;
	}
	enum sk_state from = c->state, to = (enum sk_state)s;
	/* A skip ends the exercise wherever it was: on to a rest, or to
	 * the closing words after the last. */
	bool skipped = c->skip_t == t && from != SK_NONE &&
		       (to == SK_REST || to == SK_DONE);
	if (c->expect != SK_NONE && to != c->expect)
		sk_fail(c, line, "entered '%s' where '%s' was due", v,
			sk_state_name[c->expect]);
	bool expected = c->expect == to;
	c->expect = SK_NONE;
	if (from == SK_NONE) {
		if (to != SK_ATTRACT)
			sk_fail(c, line, "the first state is '%s', not attract",
				v);
	} else if (skipped) {
		c->stint_shown = -1;
	} else if (!sk_allowed[from][to]) {
		sk_fail(c, line,
			"'%s' -> '%s' is not a change the engine makes",
			sk_state_name[from], v);
	} else if (from == SK_PAUSED && to != SK_ATTRACT &&
		   to != c->paused_from) {
		sk_fail(c, line, "resumed into '%s' but was paused from '%s'",
			v, sk_state_name[c->paused_from]);
	}
	if (from != SK_NONE)
		c->moves[from][to]++;

	if (from == SK_ATTRACT && to == SK_SAFETY) {
		if (c->start_t != t &&
		    !(c->mat && c->mat_t + SK_MAT_START == t))
			sk_fail(c, line,
				"a session started with no press then, nor "
				"%d ms after lying down",
				SK_MAT_START);
		c->in_session = true;
		c->session_line = c->line;
		c->session_t = t;
		c->sessions++;
		c->closed_as = -1;
		c->exercise = 0;
		c->last_repeat = 0;
		c->in_part = false;
	}
	if (to == SK_ATTRACT && from != SK_NONE && from != SK_DONE && !expected)
		sk_fail(c, line,
			"back to attract from '%s' with no session "
			"result",
			sk_state_name[from]);
	if (to == SK_DONE && !expected)
		sk_fail(c, line, "'done' with no completed session before it");
	if (!c->in_session && to != SK_ATTRACT && to != SK_DONE)
		sk_fail(c, line, "'%s' outside a session", v);
	if (to == SK_PAUSED) {
		c->paused_from = from;
		c->paused_t = t;
		c->paused_shown = -1;
	}
	if (from == SK_PAUSED && to == c->paused_from && to == SK_RUNNING &&
	    c->in_part)
		c->part_paused += t - c->paused_t;
	if ((to == SK_READY || to == SK_REST) && from != SK_PAUSED)
		c->stint_shown = -1;
	if (to == SK_ATTRACT)
		c->in_part = false;
	/* A question asked stays asked over a pause, not past the screen. */
	if (to != SK_PAUSED && !(from == SK_PAUSED && to == SK_REDFLAGS))
		c->asked_t = -1;
	c->state = to;
	c->state_t = t;
	c->state_line = c->line;
}

static inline void sk_screen_line(struct soak_check *c, const char *line,
				  long t)
{
	char kind[32] = "";
	json_get(line, "screen", kind, sizeof kind);
	if (c->state == SK_NONE) {
		sk_fail(c, line, "a screen before any state");
		return;
	}
	if (!sk_screen_fits(c->state, kind))
		sk_fail(c, line, "screen '%s' while '%s'", kind,
			sk_state_name[c->state]);
	if (!c->in_session && strcmp(kind, "attract") &&
	    (strcmp(kind, "done") || c->closed_as != SK_COMPLETED))
		sk_fail(c, line, "screen '%s' after the session's result",
			kind);
	snprintf(c->shown, sizeof c->shown, "%s", kind);
	sk_screen_keys(c, line);
	if (c->state == SK_REDFLAGS && c->asked_t < 0 &&
	    strstr(line, "\"confirm\":true"))
		c->asked_t = t;
	int of;
	if (sk_int(line, "of", &of))
		c->of = of;
	int r, total;
	bool has_r = sk_int(line, "remaining", &r);
	if (c->state == SK_RUNNING) {
		if (!has_r || !sk_int(line, "total", &total)) {
			sk_fail(c, line,
				"a countdown screen with no remaining");
			return;
		}
		if (!c->in_part) {
			sk_fail(c, line, "a countdown with no part started");
			return;
		}
		int want = sk_part_remaining(c, t);
		if (total != c->part_total)
			sk_fail(c, line, "total %d in a part of %d s", total,
				c->part_total);
		if (c->part_shown >= 0 && r > c->part_shown)
			sk_fail(c, line, "countdown went up from %d to %d",
				c->part_shown, r);
		if (r != want)
			sk_fail(c, line,
				"remaining %d, but the part started at %.3f s "
				"and was paused %.3f s: %d due",
				r, c->part_t0 / 1000.0, c->part_paused / 1000.0,
				want);
		c->part_shown = r;
	} else if (c->state == SK_PAUSED && has_r) {
		if (c->paused_shown >= 0 && r != c->paused_shown)
			sk_fail(c, line,
				"countdown moved while paused: %d then "
				"%d",
				c->paused_shown, r);
		if (c->paused_from == SK_RUNNING && c->in_part &&
		    r != sk_part_remaining(c, c->paused_t))
			sk_fail(c, line,
				"paused at %d s to go, but the part had %d "
				"left at the pause",
				r, sk_part_remaining(c, c->paused_t));
		c->paused_shown = r;
	} else if (c->state == SK_READY || c->state == SK_REST) {
		if (!has_r || r < 0) {
			sk_fail(c, line,
				"a countdown screen with no remaining");
			return;
		}
		if (c->stint_shown >= 0 && r > c->stint_shown)
			sk_fail(c, line, "countdown went up from %d to %d",
				c->stint_shown, r);
		c->stint_shown = r;
	}
}

static inline void sk_input_line(struct soak_check *c, const char *line, long t)
{
	char src[16] = "", g[16] = "";
	json_get(line, "source", src, sizeof src);
	json_get(line, "gesture", g, sizeof g);
	int k = sk_lookup(sk_gesture_name, SK_GESTURES, g);
	bool mat = !strcmp(src, "mat");
	c->input_t = t;
	if (k < 0 || (!mat && strcmp(src, "button")) ||
	    mat != (k == SK_MAT_ON || k == SK_MAT_OFF)) {
		sk_fail(c, line, "no such input: %s %s", src, g);
		return;
	}
	if (mat && (k == SK_MAT_ON) == c->mat)
		sk_fail(c, line, "mat %s twice in a row", g);
	if (mat) {
		c->mat = k == SK_MAT_ON;
		c->mat_t = t;
	}
	if (k == SK_PRESS || k == SK_DOUBLE)
		c->start_t = c->press_t = t;
	if (k == SK_LONG)
		c->long_t = t;
	if (k == SK_DOUBLE)
		c->double_t = t;
	if (c->state != SK_NONE)
		c->inputs_in[c->state][k]++;
	if (!c->in)
		return;
	/* The script's gestures, in time order; several may share a time. */
	for (; c->in_next < c->in_n && c->in[c->in_next].t < t; c->in_next++)
		if (!c->in[c->in_next].seen)
			sk_fail(c, line, "the script's %s at %.3f s never came",
				sk_gesture_name[c->in[c->in_next].g],
				c->in[c->in_next].t / 1000.0);
	for (int i = c->in_next; i < c->in_n && c->in[i].t == t; i++)
		if (!c->in[i].seen && c->in[i].g == (enum sk_gesture)k) {
			c->in[i].seen = true;
			return;
		}
	sk_fail(c, line, "%s %s that the script does not make at %.3f s", src,
		g, t / 1000.0);
}

/* Given up because the person left: "still there?" asked in this
 * state and nothing since, for the time it gives; or off the mat before
 * the first exercise, and nothing since. */
static inline bool sk_left(const struct soak_check *c, long t)
{
	long since_state =
	    c->state == SK_PAUSED ? c->paused_t : c->state_t;
	bool waits = c->state == SK_WAITING || c->state == SK_PAUSED;
	if (waits && c->check_in_t >= since_state &&
	    c->check_in_t > c->input_t && t - c->check_in_t == c->check_in_ms)
		return true;
	bool early = c->state == SK_SAFETY || c->state == SK_REDFLAGS ||
		     c->state == SK_PAUSED;
	return early && c->exercise == 0 && !c->mat && c->mat_t >= 0 &&
	       c->input_t == c->mat_t && t - c->mat_t == SK_EARLY_LEAVE;
}

static inline void sk_session_line(struct soak_check *c, const char *line,
				   long t)
{
	char v[32] = "", q[8] = "";
	json_get(line, "result", v, sizeof v);
	bool quit = json_get(line, "quit", q, sizeof q) && !strcmp(q, "true");
	int r = sk_lookup(sk_result_name, SK_RESULTS, v);
	int index = -1;
	sk_int(line, "index", &index);
	if (r < 0) {
		sk_fail(c, line, "unknown session result '%s'", v);
		return;
	}
	if (!c->in_session) {
		sk_fail(c, line, "a session result with no session open");
		return;
	}
	c->results[r]++;
	if (index != c->exercise)
		sk_fail(c, line,
			"result at exercise %d, but exercise %d was "
			"reached",
			index, c->exercise);
	if (quit) {
		if (!c->quit)
			sk_fail(c, line,
				"ended by quit, and the script has "
				"none");
		if (r != SK_STOPPED)
			sk_fail(c, line, "quit must end the session 'stopped'");
		c->quit_seen = true;
	} else if (r == SK_COMPLETED) {
		if ((c->state != SK_RUNNING && c->skip_t != t) || c->in_part ||
		    c->exercise != c->of)
			sk_fail(c, line,
				"completed while '%s' at exercise %d of %d%s",
				sk_state_name[c->state], c->exercise, c->of,
				c->in_part ? ", a part still running" : "");
		c->expect = SK_DONE;
	} else if (r == SK_STOPPED) {
		if (c->long_t != t)
			sk_fail(c, line, "stopped with no long press then");
		c->expect = SK_ATTRACT;
	} else if (sk_left(c, t)) {
		c->expect = SK_ATTRACT;
	} else {
		/* The red-flag screen waits for its press as long as an
		 * exercise waits for its start, from the question on. */
		long since = c->state == SK_WAITING  ? t - c->state_t
			     : c->state == SK_PAUSED ? t - c->paused_t
			     : c->state == SK_REDFLAGS && c->asked_t >= 0
				 ? t - c->asked_t
				 : -1;
		long want = c->state == SK_PAUSED ? c->pause_timeout
						  : c->start_timeout;
		if (since < 0)
			sk_fail(c, line, "abandoned while '%s'",
				sk_state_name[c->state]);
		else if (want && since != want)
			sk_fail(c, line,
				"abandoned after %.3f s '%s'; the timeout is "
				"%.3f s",
				since / 1000.0, sk_state_name[c->state],
				want / 1000.0);
		c->expect = SK_ATTRACT;
	}
	c->in_session = false;
	c->closed_as = r;
	c->in_part = false;
}

static inline void sk_part_line(struct soak_check *c, const char *line, long t)
{
	char ev[16] = "";
	int index = -1, repeat = -1, seconds = -1;
	json_get(line, "event", ev, sizeof ev);
	sk_int(line, "index", &index);
	sk_int(line, "repeat", &repeat);
	sk_int(line, "seconds", &seconds);
	if (c->state != SK_RUNNING)
		sk_fail(c, line, "a part %s while '%s'", ev,
			sk_state_name[c->state]);
	if (!strcmp(ev, "start")) {
		if (c->in_part)
			sk_fail(c, line, "a part started inside another");
		if (index != c->exercise || repeat != c->last_repeat + 1)
			sk_fail(c, line,
				"part %d round %d, but exercise %d round %d "
				"was next",
				index, repeat, c->exercise, c->last_repeat + 1);
		c->in_part = true;
		c->part_t0 = t;
		c->part_paused = 0;
		c->part_total = seconds;
		c->part_index = index;
		c->part_repeat = repeat;
		c->part_shown = -1;
	} else if (!strcmp(ev, "end")) {
		if (!c->in_part) {
			sk_fail(c, line, "a part ended that never started");
			return;
		}
		long due = c->part_t0 + c->part_paused + 1000L * c->part_total;
		if (index != c->part_index || repeat != c->part_repeat ||
		    seconds != c->part_total)
			sk_fail(c, line,
				"the end of a part that is not the "
				"one running");
		if (t != due)
			sk_fail(c, line,
				"a %d s part that started at %.3f s and was "
				"paused %.3f s ended at %.3f s",
				c->part_total, c->part_t0 / 1000.0,
				c->part_paused / 1000.0, t / 1000.0);
		c->in_part = false;
		c->last_repeat = repeat;
	} else {
		sk_fail(c, line, "a part event '%s'", ev);
	}
}

/* One line of the record. */
static inline void soak_check_line(struct soak_check *c, const char *line)
{
	char type[16] = "";
	size_t len = strlen(line);
	c->line++;
	c->lines++;
	long t = json_ms(line);
	if (len < 2 || line[0] != '{' || line[len - 1] != '}' || t < 0 ||
	    !json_get(line, "type", type, sizeof type)) {
		sk_fail(c, line, "not an event record line");
		return;
	}
	if (c->quit_seen)
		sk_fail(c, line,
			"the record goes on after the session ended "
			"by quit");
	if (t < c->t)
		sk_fail(c, line, "time goes back from %.3f s", c->t / 1000.0);
	if (t > c->t) {
		sk_instant_over(c);
		c->t = t;
	}
	bool is_state = !strcmp(type, "state"),
	     is_session = !strcmp(type, "session");
	if (c->expect != SK_NONE && !is_state)
		sk_fail(c, line, "'%s' was due to be entered first",
			sk_state_name[c->expect]);
	if (c->expect_result && !is_session)
		sk_fail(c, line,
			"a line said while nothing moves, with no "
			"session result after it");
	c->expect_result = false;

	if (is_state) {
		sk_state_line(c, line, t);
	} else if (!strcmp(type, "screen")) {
		sk_screen_line(c, line, t);
	} else if (!strcmp(type, "say")) {
		char text[8];
		if (!json_get(line, "text", text, sizeof text) || !text[0])
			sk_fail(c, line, "a say with no text");
		if (!c->in_session &&
		    !(c->state == SK_DONE && c->closed_as == SK_COMPLETED))
			sk_fail(c, line,
				"said while '%s', after the session's "
				"result",
				c->state == SK_NONE ? "?"
						    : sk_state_name[c->state]);
		/* Waiting and paused are still: the only words are the
		 * state's own, as it begins, and the last ones before the
		 * session is given up or stopped. */
		if ((c->state == SK_WAITING || c->state == SK_PAUSED) &&
		    t != c->state_t && t != c->check_in_t)
			c->expect_result = true;
	} else if (!strcmp(type, "input")) {
		sk_input_line(c, line, t);
	} else if (is_session) {
		sk_session_line(c, line, t);
	} else if (!strcmp(type, "exercise")) {
		int index = -1;
		sk_int(line, "index", &index);
		if (!c->in_session)
			sk_fail(c, line, "an exercise outside a session");
		else if (c->state != SK_SAFETY && c->state != SK_REDFLAGS &&
			 c->state != SK_REST)
			sk_fail(c, line, "an exercise begins while '%s'",
				sk_state_name[c->state]);
		if (index != c->exercise + 1)
			sk_fail(c, line, "exercise %d after exercise %d", index,
				c->exercise);
		c->exercise = index;
		c->last_repeat = 0;
		c->expect = SK_INTRO;
	} else if (!strcmp(type, "confirmed")) {
		/* Only the answer to a question asked, by a press now. */
		if (c->state != SK_REDFLAGS || c->asked_t < 0)
			sk_fail(c, line, "confirmed with no question asked");
		else if (c->press_t != t)
			sk_fail(c, line, "confirmed with no press then");
	} else if (!strcmp(type, "part")) {
		sk_part_line(c, line, t);
	} else if (!strcmp(type, "check_in")) {
		int seconds = -1;
		sk_int(line, "seconds", &seconds);
		if (!c->in_session ||
		    (c->state != SK_WAITING && c->state != SK_PAUSED))
			sk_fail(c, line, "a check-in while '%s'",
				c->state == SK_NONE ? "?"
						    : sk_state_name[c->state]);
		if (seconds <= 0)
			sk_fail(c, line, "a check-in with no time to answer");
		c->check_in_t = t;
		c->check_in_ms = 1000L * seconds;
	} else if (!strcmp(type, "skip")) {
		int index = -1;
		sk_int(line, "index", &index);
		if (!c->in_session || index != c->exercise || index < 1)
			sk_fail(c, line, "skipped exercise %d at exercise %d",
				index, c->exercise);
		else if (c->double_t != t)
			sk_fail(c, line, "a skip with no double press then");
		c->skip_t = t;
		c->in_part = false;
	} else if (!strcmp(type, "chime")) {
		if (c->state != SK_RUNNING)
			sk_fail(c, line, "a chime while '%s'",
				c->state == SK_NONE ? "?"
						    : sk_state_name[c->state]);
	} else if (strcmp(type, "hush")) {
		sk_fail(c, line, "unknown type '%s'", type);
	}
}

/* The record ended (the kiosk exited). */
static inline void soak_check_end(struct soak_check *c)
{
	sk_instant_over(c);
	if (!c->lines)
		sk_fail(c, NULL, "an empty record");
	if (c->expect != SK_NONE)
		sk_fail(c, NULL, "the record ends where '%s' was due",
			sk_state_name[c->expect]);
	if (c->expect_result)
		sk_fail(c, NULL,
			"the record ends after words said while "
			"nothing moves");
	if (c->in_session)
		sk_fail(c, NULL, "the session begun on line %ld never ended",
			c->session_line);
	for (; c->in && c->in_next < c->in_n; c->in_next++)
		if (!c->in[c->in_next].seen)
			sk_fail(c, NULL, "the script's %s at %.3f s never came",
				sk_gesture_name[c->in[c->in_next].g],
				c->in[c->in_next].t / 1000.0);
}

#endif
