/*
 * engine.c - the session engine's states and transitions.
 *
 * A session walks: attract -> safety -> redflags -> for each exercise:
 * intro -> ready or waiting -> running -> rest (between repeats) -> ...
 * -> rest (between exercises) -> ... -> done -> attract. Paused can be
 * entered from any state that moves on by itself, and leaves back to it
 * with every anchor shifted by the time spent paused.
 *
 * The red-flag screen says who should not start. When the routine asks
 * for it, it then waits for a press meaning "none of these apply", as
 * long as an exercise waits for its start (start_timeout), and a session
 * nobody confirms is given up like any other nobody is doing. A press
 * while its words are still being said pauses, as elsewhere: only a
 * press once the question is asked counts as the answer.
 *
 * Two ways of speaking: spoken passages (welcome, instructions, between
 * repeats, closing words) go through the talk queue, one line after the
 * other with a breathing gap; the timed part speaks on the second, picking
 * at each second the most important cue that fits before a more important
 * one is due (see pick_cue), so counts never overlap.
 */
#include "engine.h"

#include <stdio.h> /* snprintf only */
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define TALK_MAX       (4 * ROUTINE_LINES_MAX + 4)
#define TALK_GAP       600 /* ms of quiet between spoken lines */
#define STALE_CUE      500 /* ms late: a timed cue is dropped, not said late */
#define TICKS_PER_CALL 64

/* People who leave: see engine.h. */
#define MAT_START_SETTLE 3000  /* ms on the mat before a session starts */
#define EARLY_LEAVE	 5000  /* ms off the mat before exercise 1 */

/* Cue priorities in a timed part: a cue is only said when nothing more
 * important falls due while it is still being spoken. */
enum { PRIO_NONE, PRIO_COUNT_WORD, PRIO_CUE, PRIO_COUNTDOWN, PRIO_END };

struct cue_pick {
	char text[ROUTINE_TEXT_BYTES];
	int prio;
	bool caption; /* also shown as a caption (numbers are shown anyway) */
};

struct engine {
	const struct routine *r, *pending;
	struct engine_options opt;
	enum kiosk_state state;
	bool mat_on;
	int minutes; /* routine length shown on the attract screen */

	bool in_session;
	kt_ms session_start;
	int ex, repeat; /* current exercise and repeat, 0-based */

	char talk[TALK_MAX][ROUTINE_TEXT_BYTES];
	int talk_n, talk_i;
	kt_ms talk_at;	     /* next line may start / passage is over */
	kt_ms talk_line_end; /* when the last talk line ends */
	kt_ms said_until;    /* when whatever was said last ends */
	char caption[ROUTINE_TEXT_BYTES];

	kt_ms anchor;	/* start of the current state's clock */
	kt_ms deadline; /* the state's own timer; KT_NEVER when none */
	bool resting_between_repeats;
	bool confirming; /* redflags: the question is asked, awaiting a press */

	kt_ms part_start, part_len; /* running: the timed part */
	int part_sec;		    /* next second to process */

	/* Signs of the person (engine.h): the last one, the check-in's
	 * question and its answer time, and an early leave's end. */
	kt_ms seen_at;
	bool asked, checking; /* checking: waiting to go on after asking */
	kt_ms answer_by, leave_at;
	int skipped;
	unsigned skipped_mask;

	enum kiosk_state paused_from;
	enum pause_reason pause_reason;
	kt_ms paused_at, paused_deadline;

	struct screen shown;
	bool has_shown;
};

/* ---- emitting actions ---- */

static struct action *push(struct actions *out, enum action_kind kind)
{
	if (out->count >= ACTIONS_MAX) {
		out->dropped++;
		return NULL;
	}
	struct action *a = &out->item[out->count++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	return a;
}

static const struct exercise *cur(const struct engine *e)
{
	return e->ex >= 0 && e->ex < e->r->exercises ? &e->r->exercise[e->ex]
						     : NULL;
}

static const struct settings *cfg(const struct engine *e)
{
	return &e->r->settings;
}

static kt_ms speech_length(const struct engine *e, const char *text)
{
	int rate = cfg(e)->rate;
	if (e->opt.speech_length)
		return e->opt.speech_length(e->opt.speech_ctx, text, rate);
	return text_speech_estimate(text, rate);
}

static void say(struct engine *e, kt_ms now, const char *text, bool caption,
		struct actions *out)
{
	if (!text || !*text)
		return;
	struct action *a = push(out, ACTION_SAY);
	kt_ms len = speech_length(e, text);
	if (a) {
		text_copy(a->u.say.text, sizeof a->u.say.text, text);
		a->u.say.duration = len;
	}
	e->said_until = now + len;
	if (caption)
		text_copy(e->caption, sizeof e->caption, text);
}

static void hush(struct engine *e, kt_ms now, struct actions *out)
{
	if (e->said_until > now)
		push(out, ACTION_HUSH);
	e->said_until = now;
}

static void chime(struct actions *out, enum chime c)
{
	struct action *a = push(out, ACTION_CHIME);
	if (a)
		a->u.chime = c;
}

static void set_state(struct engine *e, enum kiosk_state s, struct actions *out)
{
	if (e->state == s)
		return;
	e->state = s;
	e->caption[0] = '\0';
	e->asked = e->checking = false;
	e->answer_by = KT_NEVER;
	struct action *a = push(out, ACTION_STATE);
	if (a)
		a->u.state = s;
}

/* Expand a text's {placeholders} for exercise ex (-1: none yet). */
static void format_text(const struct engine *e, const char *tmpl, int ex,
			char *buf, size_t size)
{
	const struct exercise *x =
	    ex >= 0 && ex < e->r->exercises ? &e->r->exercise[ex] : NULL;
	struct text_args args = {
	    .n = ex + 1,
	    .total = e->r->exercises,
	    .repeat = e->repeat + 1,
	    .repeats = x ? x->repeats : 1,
	    .minutes = e->minutes,
	    .name = x ? x->name : e->r->name,
	};
	text_format(buf, size, tmpl, &args);
}

static void format_phrase(const struct engine *e, enum phrase p, int ex,
			  char *buf, size_t size)
{
	format_text(e, cfg(e)->phrase[p], ex, buf, size);
}

static void say_phrase(struct engine *e, kt_ms now, enum phrase p,
		       struct actions *out)
{
	char buf[ROUTINE_TEXT_BYTES];
	format_phrase(e, p, e->ex, buf, sizeof buf);
	say(e, now, buf, true, out);
}

/* ---- the timed part: what shows and what is said at second s ---- */

struct part_view {
	int remaining, total, rep;
	enum breath_phase breath;
	int count, phase_len;
	bool phase_start;
};

static struct part_view view_at(const struct engine *e, int s)
{
	const struct exercise *x = cur(e);
	struct part_view v = {0};
	v.total = (int)(e->part_len / 1000);
	v.remaining = v.total - s;
	int cycle = breath_cycle_seconds(&x->breath);
	if (cycle == 0)
		return v;
	int pos = s % cycle;
	v.rep = s / cycle + 1;
	for (int i = 0; i < x->breath.count; i++) {
		if (pos < x->breath.seconds[i]) {
			v.breath = x->breath.phase[i];
			v.count = pos + 1;
			v.phase_len = x->breath.seconds[i];
			v.phase_start = pos == 0;
			break;
		}
		pos -= x->breath.seconds[i];
	}
	return v;
}

static void pick(struct cue_pick *c, int prio, const char *text, bool caption)
{
	if (prio <= c->prio || !text)
		return;
	c->prio = prio;
	c->caption = caption;
	text_copy(c->text, sizeof c->text, text);
}

/* The most important thing to say at second s of the timed part. */
static struct cue_pick cue_at(const struct engine *e, int s)
{
	const struct exercise *x = cur(e);
	const struct settings *st = cfg(e);
	struct cue_pick c = {.prio = PRIO_NONE};
	struct part_view v = view_at(e, s);
	unsigned cues = st->cues;
	char num[16];

	if (s >= v.total) {
		if (cues & CUE_END)
			pick(&c, PRIO_END, st->phrase[PHRASE_END], true);
		return c;
	}
	if (kind_def(x->kind)->phase_cues) {
		if (v.phase_start) {
			/* A cue may run into the next phase's lead-in quiet,
			 * which the length includes, but not past it. */
			const char *cue = x->cue[v.breath];
			kt_ms room = (kt_ms)v.phase_len * 1000;
			if (!cue || speech_length(e, cue) > room)
				cue = routine_breath_word(st, v.breath);
			pick(&c, s == 0 ? PRIO_COUNTDOWN : PRIO_CUE, cue,
			     cue != routine_breath_word(st, v.breath));
		}
		return c;
	}
	if ((cues & CUE_COUNTDOWN) && v.remaining <= st->countdown) {
		snprintf(num, sizeof num, "%d", v.remaining);
		pick(&c, PRIO_COUNTDOWN, num, false);
	}
	if (s == 0 && v.breath == BREATH_NONE)
		pick(&c, PRIO_COUNTDOWN, st->phrase[PHRASE_BEGIN], true);
	if ((cues & CUE_HALFWAY) && v.total >= 20 && s == v.total / 2) {
		char buf[ROUTINE_TEXT_BYTES];
		format_phrase(e, PHRASE_HALFWAY, e->ex, buf, sizeof buf);
		pick(&c, PRIO_CUE, buf, true);
	}
	if ((kind_def(x->kind)->uses & KEYS_ENCOURAGE) &&
	    x->encourage.count > 0 && s > 0 && x->encourage_every > 0 &&
	    s % (x->encourage_every / 1000) == 0) {
		int k = (int)(s / (x->encourage_every / 1000) - 1);
		char buf[ROUTINE_TEXT_BYTES];
		format_text(e, x->encourage.line[k % x->encourage.count], e->ex,
			    buf, sizeof buf);
		pick(&c, PRIO_CUE, buf, true);
	}
	if (v.breath != BREATH_NONE) {
		snprintf(num, sizeof num, "%d", v.count);
		pick(&c, s == 0 ? PRIO_COUNTDOWN : PRIO_COUNT_WORD,
		     v.count == 1 ? routine_breath_word(st, v.breath) : num,
		     false);
	}
	return c;
}

/* Whether to say the cue due at second s: not if it would still be
 * sounding when a more important one falls due, nor over something else
 * still being said, nor when the kiosk is catching up and it is stale. */
static bool choose_cue(const struct engine *e, int s, kt_ms at, kt_ms now,
		       struct cue_pick *c)
{
	*c = cue_at(e, s);
	if (c->prio == PRIO_NONE || now - at > STALE_CUE)
		return false;
	if (c->prio < PRIO_COUNTDOWN && e->said_until > now)
		return false;
	kt_ms len = speech_length(e, c->text);
	for (int k = 1; (kt_ms)k * 1000 < len + 100; k++)
		if (cue_at(e, s + k).prio > c->prio)
			return false;
	return true;
}

/* ---- screens ---- */

static int ceil_seconds(kt_ms ms)
{
	return ms <= 0 ? 0 : (int)((ms + 999) / 1000);
}

static void screen_fill_exercise(const struct engine *e, int ex,
				 struct screen *sc)
{
	const struct exercise *x = &e->r->exercise[ex];
	text_copy(sc->title, sizeof sc->title, x->name);
	if (x->illustration)
		text_copy(sc->illustration, sizeof sc->illustration,
			  x->illustration);
	sc->index = ex + 1;
	sc->exercises = e->r->exercises;
	sc->repeat = e->repeat + 1;
	sc->repeats = x->repeats;
}

static void screen_fill_part(const struct engine *e, kt_ms elapsed,
			     struct screen *sc)
{
	const struct exercise *x = cur(e);
	struct part_view v = view_at(e, (int)(elapsed / 1000));
	bool reps = kind_def(x->kind)->unit == UNIT_REPS;
	sc->kind = reps ? SCREEN_REPS : SCREEN_HOLD;
	sc->remaining = v.remaining;
	sc->total = v.total;
	sc->breath = v.breath;
	sc->count = v.count;
	sc->phase_len = v.phase_len;
	if (reps) {
		sc->rep = v.rep;
		sc->reps = x->reps;
	}
}

static enum start_trigger effective_trigger(const struct engine *e)
{
	enum start_trigger t = cur(e)->start;
	if (t == START_MAT && !e->opt.have_mat)
		t = START_BUTTON;
	return t == START_BUTTON && !e->opt.have_button ? START_AUTO : t;
}

/* Only the mat is wired: nothing said may ask for the button. */
static bool mat_only(const struct engine *e)
{
	return e->opt.have_mat && !e->opt.have_button;
}

/* Lying on the mat starts a session: when staff say so, and always when
 * the mat is all there is. */
static bool mat_starts(const struct engine *e)
{
	return e->opt.have_mat && (cfg(e)->mat_start || !e->opt.have_button);
}

static void build_screen(const struct engine *e, enum kiosk_state st, kt_ms now,
			 struct screen *sc)
{
	kt_ms deadline =
	    e->state == STATE_PAUSED ? e->paused_deadline : e->deadline;
	memset(sc, 0, sizeof *sc);
	text_copy(sc->title, sizeof sc->title, e->r->name);
	text_copy(sc->caption, sizeof sc->caption, e->caption);
	sc->no_button = !e->opt.have_button;
	if (cur(e) && st != STATE_ATTRACT && st != STATE_DONE &&
	    st != STATE_SAFETY && st != STATE_REDFLAGS)
		screen_fill_exercise(e, e->ex, sc);
	switch (st) {
	case STATE_ATTRACT:
		sc->kind = SCREEN_ATTRACT;
		sc->minutes = e->minutes;
		sc->mat_start = mat_starts(e);
		break;
	case STATE_SAFETY:
		sc->kind = SCREEN_SAFETY;
		break;
	case STATE_REDFLAGS:
		sc->kind = SCREEN_REDFLAGS;
		sc->confirm = e->confirming;
		break;
	case STATE_INTRO:
		sc->kind = SCREEN_INTRO;
		break;
	case STATE_READY:
		sc->kind = SCREEN_READY;
		sc->remaining = ceil_seconds(deadline - now);
		break;
	case STATE_WAITING:
		sc->kind = SCREEN_WAITING;
		/* A check-in is answered with what is wired. */
		sc->trigger = !e->checking ? effective_trigger(e)
			      : mat_only(e) ? START_MAT
					    : START_BUTTON;
		sc->check_in = e->checking;
		break;
	case STATE_RUNNING:
		screen_fill_part(e, now - e->part_start, sc);
		break;
	case STATE_PAUSED:
		build_screen(e, e->paused_from, e->paused_at, sc);
		sc->kind = SCREEN_PAUSED;
		sc->reason = e->pause_reason;
		text_copy(sc->caption, sizeof sc->caption, e->caption);
		break;
	case STATE_REST:
		sc->kind = SCREEN_REST;
		sc->remaining = ceil_seconds(deadline - now);
		if (!e->resting_between_repeats && e->ex + 1 < e->r->exercises)
			text_copy(sc->next, sizeof sc->next,
				  e->r->exercise[e->ex + 1].name);
		break;
	case STATE_DONE:
		sc->kind = SCREEN_DONE;
		sc->exercises = e->r->exercises;
		sc->elapsed = (int)((e->anchor - e->session_start) / 1000);
		break;
	case STATE_COUNT:
		break;
	}
}

/* Text by its characters, everything else by value. */
#define SF_EQUAL_SF_TEXT(x, y) (strcmp(x, y) == 0)
#define SF_EQUAL_SF_INT(x, y)  ((x) == (y))
#define SF_EQUAL_SF_BOOL(x, y) ((x) == (y))
#define SF_EQUAL_SF_NAME(x, y) ((x) == (y))
#define FIELD_EQUAL(ctype, name, dims, type, ...)                              \
	&&SF_EQUAL_##type(a->name, b->name)

bool screen_equal(const struct screen *a, const struct screen *b)
{
	return true SCREEN_FIELDS(FIELD_EQUAL);
}

static void show(struct engine *e, kt_ms now, struct actions *out)
{
	struct screen sc;
	build_screen(e, e->state, now, &sc);
	if (e->has_shown && screen_equal(&sc, &e->shown))
		return;
	struct action *a = push(out, ACTION_SHOW);
	if (!a)
		return;
	a->u.screen = sc;
	e->shown = sc;
	e->has_shown = true;
}

/* ---- spoken passages ---- */

static void talk_begin(struct engine *e, kt_ms now)
{
	e->talk_n = e->talk_i = 0;
	e->talk_at =
	    e->said_until + TALK_GAP > now ? e->said_until + TALK_GAP : now;
}

static void talk_add(struct engine *e, const char *line)
{
	if (line && *line && e->talk_n < TALK_MAX)
		text_copy(e->talk[e->talk_n++], sizeof e->talk[0], line);
}

static void talk_add_text(struct engine *e, const char *tmpl, int ex)
{
	char buf[ROUTINE_TEXT_BYTES];
	format_text(e, tmpl, ex, buf, sizeof buf);
	talk_add(e, buf);
}

static void talk_add_phrase(struct engine *e, enum phrase p, int ex)
{
	talk_add_text(e, cfg(e)->phrase[p], ex);
}

static void talk_add_lines(struct engine *e, const struct lines *l)
{
	for (int i = 0; i < l->count; i++)
		talk_add_text(e, l->line[i], e->ex);
}

/* Say the next line when it is due; true once the passage is over.
 * The caption goes up first, so the line is spoken on its screen. */
static bool talk_step(struct engine *e, kt_ms now, struct actions *out)
{
	if (now < e->talk_at)
		return false;
	if (e->talk_i >= e->talk_n)
		return true;
	const char *line = e->talk[e->talk_i++];
	text_copy(e->caption, sizeof e->caption, line);
	show(e, now, out);
	say(e, now, line, false, out);
	e->talk_line_end = e->said_until;
	e->talk_at = e->said_until + TALK_GAP;
	return false;
}

/* ---- transitions ---- */

static void enter_attract(struct engine *e, kt_ms now, struct actions *out);
static void enter_intro(struct engine *e, kt_ms now, struct actions *out);
static void tick_state(struct engine *e, kt_ms now, struct actions *out);

/* Ended before the first exercise on the red-flag screen (paused there
 * included): counted apart, as people who perhaps should not start. */
static bool on_redflags(const struct engine *e)
{
	return e->state == STATE_REDFLAGS ||
	       (e->state == STATE_PAUSED && e->paused_from == STATE_REDFLAGS);
}

static void end_session(struct engine *e, enum session_result result, bool quit,
			struct actions *out)
{
	if (!e->in_session)
		return;
	e->in_session = false;
	struct action *a = push(out, ACTION_SESSION);
	if (a) {
		a->u.session.result = result;
		a->u.session.index = e->ex + 1;
		a->u.session.quit = quit;
		a->u.session.redflags = on_redflags(e);
		a->u.session.skipped = e->skipped;
		a->u.session.skipped_mask = e->skipped_mask;
	}
}

static void leave_session(struct engine *e, kt_ms now,
			  enum session_result result, enum phrase words,
			  struct actions *out)
{
	hush(e, now, out);
	say_phrase(e, now, words, out);
	end_session(e, result, false, out);
	enter_attract(e, now, out);
}

/* ---- people who leave (engine.h) ---- */

static kt_ms check_in_time(const struct engine *e)
{
	return cur(e) ? cur(e)->check_in : 0;
}

/* Check-in is due: that long without a sign (being on the mat is one).
 * With nothing wired nobody could answer, so it never is. */
static bool check_due(const struct engine *e, kt_ms now)
{
	kt_ms ci = check_in_time(e);
	bool answerable = e->opt.have_button || e->opt.have_mat;
	return ci > 0 && answerable && !e->mat_on && now - e->seen_at >= ci;
}

/* When a state that waits for the person asks "still there?". */
static kt_ms ask_at(const struct engine *e)
{
	kt_ms ci = check_in_time(e);
	bool waits = e->state == STATE_WAITING ||
		     (e->state == STATE_PAUSED && e->pause_reason == PAUSE_MAT);
	if (!waits || !ci || e->asked || e->mat_on ||
	    (!e->opt.have_button && !e->opt.have_mat))
		return KT_NEVER;
	return e->seen_at + ci;
}

/* The question goes out; nobody answering by answer_by ends it. */
static void asked_now(struct engine *e, kt_ms now, struct actions *out)
{
	e->asked = true;
	e->answer_by = now + ENGINE_CHECK_IN_WAIT;
	push(out, ACTION_CHECK_IN);
}

static void ask_check_in(struct engine *e, kt_ms now, struct actions *out)
{
	hush(e, now, out);
	asked_now(e, now, out);
	say_phrase(e, now, mat_only(e) ? PHRASE_CHECK_IN_MAT : PHRASE_CHECK_IN,
		   out);
	show(e, now, out);
}

/* Waiting for the person before a part: for its start, or (checking)
 * for an answer to the check-in; given up at start_timeout. */
static void wait_for_person(struct engine *e, kt_ms now, bool checking,
			    struct actions *out)
{
	set_state(e, STATE_WAITING, out);
	e->anchor = now;
	e->deadline = now + cfg(e)->start_timeout;
	e->checking = checking;
}

/* Before a part that would start by itself, with nobody seen for a
 * while: ask first, and go on only on an answer. */
static void enter_check_in(struct engine *e, kt_ms now, struct actions *out)
{
	wait_for_person(e, now, true, out);
	ask_check_in(e, now, out);
}

/* A sign of the person: whatever was asked is answered. */
static void seen(struct engine *e, kt_ms now)
{
	e->seen_at = now;
	e->asked = false;
	e->answer_by = KT_NEVER;
}

static void enter_running(struct engine *e, kt_ms at, kt_ms now,
			  struct actions *out)
{
	const struct exercise *x = cur(e);
	set_state(e, STATE_RUNNING, out);
	e->part_start = at;
	e->part_sec = 0;
	e->deadline = KT_NEVER;
	e->part_len = exercise_part_ms(x);
	chime(out, CHIME_START);
	struct action *a = push(out, ACTION_PART);
	if (a) {
		a->u.part.start = true;
		a->u.part.index = e->ex + 1;
		a->u.part.repeat = e->repeat + 1;
		a->u.part.kind = x->kind;
		a->u.part.seconds = (int)(e->part_len / 1000);
	}
	tick_state(e, now, out);
}

static void enter_ready(struct engine *e, kt_ms now, struct actions *out)
{
	kt_ms wait = cur(e)->get_ready;
	if (wait <= 0) {
		enter_running(e, now, now, out);
		return;
	}
	set_state(e, STATE_READY, out);
	e->anchor = now;
	e->deadline = now + wait;
	if (cfg(e)->cues & CUE_GET_READY)
		say_phrase(e, now, PHRASE_GET_READY, out);
	show(e, now, out);
}

static void enter_waiting(struct engine *e, kt_ms now, struct actions *out)
{
	wait_for_person(e, now, false, out);
	/* Nobody seen for a while: this request is the check-in's question. */
	e->asked = false;
	e->answer_by = KT_NEVER;
	if (check_due(e, now))
		asked_now(e, now, out);
	say_phrase(e, now,
		   effective_trigger(e) == START_MAT ? PHRASE_WAIT_MAT
						     : PHRASE_WAIT_BUTTON,
		   out);
	show(e, now, out);
}

/* The timed part is next: start it the way the exercise says. */
static void await_start(struct engine *e, kt_ms now, struct actions *out)
{
	switch (effective_trigger(e)) {
	case START_AUTO:
		if (check_due(e, now))
			enter_check_in(e, now, out);
		else
			enter_ready(e, now, out);
		break;
	case START_MAT:
		if (e->mat_on)
			enter_ready(e, now, out);
		else
			enter_waiting(e, now, out);
		break;
	case START_BUTTON:
		enter_waiting(e, now, out);
		break;
	}
}

static void enter_rest(struct engine *e, kt_ms at, kt_ms now,
		       struct actions *out)
{
	const struct exercise *x = cur(e);
	e->resting_between_repeats = e->repeat + 1 < x->repeats;
	set_state(e, STATE_REST, out);
	e->anchor = at;
	talk_begin(e, now);
	if (e->resting_between_repeats) {
		/* The rest includes the get-ready that may follow it. */
		kt_ms rest = x->rest;
		if (effective_trigger(e) != START_BUTTON)
			rest -= x->get_ready;
		e->repeat++;
		e->deadline = at + (rest > 0 ? rest : 0);
		talk_add_lines(e, &x->between);
		talk_add_phrase(e, PHRASE_REPEAT, e->ex);
	} else {
		e->deadline = at;
		talk_add_phrase(e, PHRASE_WELL_DONE, e->ex);
		if (cfg(e)->cues & CUE_NEXT)
			talk_add_phrase(e, PHRASE_NEXT, e->ex + 1);
	}
	tick_state(e, now, out);
}

static void enter_done(struct engine *e, kt_ms at, kt_ms now,
		       struct actions *out)
{
	end_session(e, RESULT_COMPLETED, false, out);
	set_state(e, STATE_DONE, out);
	e->anchor = at;
	e->deadline = KT_NEVER; /* set once the closing words are said */
	talk_begin(e, now);
	talk_add_lines(e, &e->r->outro);
	tick_state(e, now, out);
}

static void end_part(struct engine *e, kt_ms at, kt_ms now, struct actions *out)
{
	struct action *a = push(out, ACTION_PART);
	if (a) {
		a->u.part.start = false;
		a->u.part.index = e->ex + 1;
		a->u.part.repeat = e->repeat + 1;
		a->u.part.kind = cur(e)->kind;
		a->u.part.seconds = (int)(e->part_len / 1000);
	}
	chime(out, CHIME_END);
	struct cue_pick c;
	if (choose_cue(e, (int)(e->part_len / 1000), at, now, &c))
		say(e, now, c.text, false, out);
	if (e->repeat + 1 < cur(e)->repeats || e->ex + 1 < e->r->exercises)
		enter_rest(e, at, now, out);
	else
		enter_done(e, at, now, out);
}

/* The exercise ends here, skipped: said, recorded, and on to the rest
 * before the next one, or to the closing words after the last. */
static void skip_exercise(struct engine *e, kt_ms now, struct actions *out)
{
	const struct exercise *x = cur(e);
	hush(e, now, out);
	struct action *a = push(out, ACTION_SKIP);
	if (a) {
		a->u.exercise.index = e->ex + 1;
		text_copy(a->u.exercise.name, sizeof a->u.exercise.name,
			  x->name);
	}
	e->skipped++;
	if (e->ex < 32)
		e->skipped_mask |= 1u << e->ex;
	/* Said at once, over the pause the first press made: the person
	 * hears and sees the skip as they make it. */
	if (e->ex + 1 >= e->r->exercises) {
		say_phrase(e, now, PHRASE_SKIPPED, out);
		enter_done(e, now, now, out);
		return;
	}
	e->resting_between_repeats = false;
	set_state(e, STATE_REST, out);
	e->anchor = now;
	e->deadline = now;
	say_phrase(e, now, PHRASE_SKIPPED, out);
	talk_begin(e, now);
	if (cfg(e)->cues & CUE_NEXT)
		talk_add_phrase(e, PHRASE_NEXT, e->ex + 1);
	tick_state(e, now, out);
}

static void enter_intro(struct engine *e, kt_ms now, struct actions *out)
{
	e->ex++;
	e->repeat = 0;
	const struct exercise *x = cur(e);
	struct action *a = push(out, ACTION_EXERCISE);
	if (a) {
		a->u.exercise.index = e->ex + 1;
		text_copy(a->u.exercise.name, sizeof a->u.exercise.name,
			  x->name);
	}
	set_state(e, STATE_INTRO, out);
	e->anchor = now;
	e->deadline = KT_NEVER;
	e->leave_at = KT_NEVER; /* from here on, the check-in watches */
	talk_begin(e, now);
	if (cfg(e)->cues & CUE_EXERCISE)
		talk_add_phrase(e, PHRASE_EXERCISE, e->ex);
	talk_add_lines(e, &x->say);
	talk_add_lines(e, &x->caution);
	tick_state(e, now, out);
}

/* After the safety words: the red-flag screen, unless the routine turned
 * it off on purpose. */
static void enter_redflags(struct engine *e, kt_ms now, struct actions *out)
{
	if (!e->r->redflags_screen || !e->r->redflags.count) {
		enter_intro(e, now, out);
		return;
	}
	set_state(e, STATE_REDFLAGS, out);
	e->anchor = now;
	e->deadline = KT_NEVER;
	e->confirming = false;
	talk_begin(e, now);
	talk_add_lines(e, &e->r->redflags);
	tick_state(e, now, out);
}

/* Its words are said: go on, or ask for the press that confirms and
 * give the person as long as an exercise waits for its start. */
static void redflags_said(struct engine *e, kt_ms now, struct actions *out)
{
	if (!e->r->redflags_confirm) {
		enter_intro(e, now, out);
		return;
	}
	char buf[ROUTINE_TEXT_BYTES];
	e->confirming = true;
	e->deadline = now + cfg(e)->start_timeout;
	/* A kiosk whose button is missing cannot be answered: it does not
	 * ask (a button found again in time shows the question). */
	if (e->opt.have_button) {
		format_phrase(e, PHRASE_REDFLAGS_CONFIRM, e->ex, buf,
			      sizeof buf);
		text_copy(e->caption, sizeof e->caption, buf);
	}
	show(e, now, out); /* the question goes up as it is asked */
	if (e->opt.have_button)
		say(e, now, buf, false, out);
}

static void confirm_redflags(struct engine *e, kt_ms now, struct actions *out)
{
	push(out, ACTION_CONFIRMED);
	e->confirming = false;
	hush(e, now, out);
	enter_intro(e, now, out);
}

static void begin_session(struct engine *e, kt_ms now, struct actions *out)
{
	e->in_session = true;
	e->session_start = now;
	e->ex = -1;
	e->repeat = 0;
	e->confirming = false;
	e->seen_at = now;
	e->leave_at = KT_NEVER;
	e->skipped = 0;
	e->skipped_mask = 0;
	set_state(e, STATE_SAFETY, out);
	e->anchor = now;
	e->deadline = KT_NEVER;
	talk_begin(e, now);
	talk_add_lines(e, &e->r->intro);
	/* Its own safety words, when given: the usual ones say how to stop
	 * with the button. */
	talk_add_lines(e, mat_only(e) && e->r->safety_mat.count
			      ? &e->r->safety_mat
			      : &e->r->safety);
	tick_state(e, now, out);
}

static void adopt_pending(struct engine *e)
{
	if (!e->pending)
		return;
	e->r = e->pending;
	e->pending = NULL;
	e->minutes = (int)((engine_estimate(e->r, &e->opt) + 30000) / 60000);
}

static void enter_attract(struct engine *e, kt_ms now, struct actions *out)
{
	adopt_pending(e);
	e->ex = -1;
	set_state(e, STATE_ATTRACT, out);
	e->deadline = KT_NEVER; /* here: when lying down starts a session */
	e->leave_at = KT_NEVER;
	e->talk_n = e->talk_i = 0;
	show(e, now, out);
}

/* ---- pause ---- */

static bool pausable(enum kiosk_state s)
{
	return s == STATE_SAFETY || s == STATE_REDFLAGS || s == STATE_INTRO ||
	       s == STATE_READY || s == STATE_RUNNING || s == STATE_REST;
}

static void pause_session(struct engine *e, kt_ms now, enum pause_reason why,
			  struct actions *out)
{
	/* A talk line cut off part-way is said again on resume. */
	if (e->talk_i > 0 && e->talk_line_end > now &&
	    e->state != STATE_RUNNING)
		e->talk_i--;
	hush(e, now, out);
	e->paused_from = e->state;
	e->pause_reason = why;
	e->paused_at = now;
	e->paused_deadline = e->deadline;
	set_state(e, STATE_PAUSED, out);
	e->deadline = now + cfg(e)->pause_timeout;
	say_phrase(e, now, why == PAUSE_MAT ? PHRASE_PAUSED_MAT : PHRASE_PAUSED,
		   out);
	show(e, now, out);
}

static void resume_session(struct engine *e, kt_ms now, struct actions *out)
{
	kt_ms shift = now - e->paused_at;
	hush(e, now, out);
	e->anchor += shift;
	e->part_start += shift;
	e->deadline = e->paused_deadline == KT_NEVER
			  ? KT_NEVER
			  : e->paused_deadline + shift;
	set_state(e, e->paused_from, out);
	say_phrase(e, now, PHRASE_RESUMED, out);
	e->talk_at = e->said_until + TALK_GAP;
	tick_state(e, now, out);
	/* A timed part only redraws on its seconds: without this the
	 * paused screen would stay up until the next one. */
	show(e, now, out);
}

/* ---- per-state work when time passes ---- */

static void tick_running(struct engine *e, kt_ms now, struct actions *out)
{
	int total = (int)(e->part_len / 1000);
	while (e->part_sec < total &&
	       e->part_start + (kt_ms)e->part_sec * 1000 <= now) {
		int s = e->part_sec++;
		struct cue_pick c;
		bool speak =
		    choose_cue(e, s, e->part_start + (kt_ms)s * 1000, now, &c);
		if (speak && c.caption)
			text_copy(e->caption, sizeof e->caption, c.text);
		show(e, now, out); /* the screen first: the word lands on it */
		if (speak)
			say(e, now, c.text, false, out);
	}
	kt_ms end = e->part_start + e->part_len;
	if (now >= end)
		end_part(e, end, now, out);
}

/* Nobody is doing the session: given up, in the words for the wiring. */
static void give_up(struct engine *e, kt_ms now, struct actions *out)
{
	leave_session(e, now, RESULT_ABANDONED,
		      mat_only(e) ? PHRASE_ABANDONED_MAT : PHRASE_ABANDONED,
		      out);
}

static void tick_state(struct engine *e, kt_ms now, struct actions *out)
{
	bool talked;
	if (e->in_session && now >= e->leave_at) {
		give_up(e, now, out);
		return;
	}
	switch (e->state) {
	case STATE_ATTRACT:
		if (now >= e->deadline) {
			e->deadline = KT_NEVER;
			if (e->mat_on && mat_starts(e))
				begin_session(e, now, out);
		}
		break;
	case STATE_SAFETY:
		talked = talk_step(e, now, out);
		show(e, now, out);
		if (talked)
			enter_redflags(e, now, out);
		break;
	case STATE_REDFLAGS:
		if (e->confirming) {
			if (now >= e->deadline)
				give_up(e, now, out);
			break;
		}
		talked = talk_step(e, now, out);
		show(e, now, out);
		if (talked)
			redflags_said(e, now, out);
		break;
	case STATE_INTRO:
		talked = talk_step(e, now, out);
		show(e, now, out);
		if (talked)
			await_start(e, now, out);
		break;
	case STATE_READY:
		if (now >= e->deadline)
			enter_running(e, e->deadline, now, out);
		else
			show(e, now, out);
		break;
	case STATE_WAITING:
	case STATE_PAUSED:
		if (now >= kt_min(e->deadline, e->answer_by))
			give_up(e, now, out);
		else if (now >= ask_at(e))
			ask_check_in(e, now, out);
		break;
	case STATE_RUNNING:
		tick_running(e, now, out);
		break;
	case STATE_REST:
		talked = talk_step(e, now, out);
		show(e, now, out);
		if (talked && now >= e->deadline) {
			if (e->resting_between_repeats)
				await_start(e, now, out);
			else
				enter_intro(e, now, out);
		}
		break;
	case STATE_DONE:
		talked = talk_step(e, now, out);
		show(e, now, out);
		if (talked && e->deadline == KT_NEVER)
			e->deadline = now + cfg(e)->done_time;
		if (now >= e->deadline)
			enter_attract(e, now, out);
		break;
	case STATE_COUNT:
		break;
	}
}

/* Next second boundary of a clock started at `anchor`. */
static kt_ms next_second(kt_ms anchor, kt_ms now)
{
	kt_ms into = now - anchor;
	return anchor + (into / 1000 + 1) * 1000;
}

/* A passage needs waking until its last line is said and its gap over. */
static kt_ms talk_wake(const struct engine *e, kt_ms now)
{
	return e->talk_i < e->talk_n || e->talk_at > now ? e->talk_at
							 : KT_NEVER;
}

static kt_ms next_wake(const struct engine *e, kt_ms now)
{
	kt_ms w = e->deadline;
	switch (e->state) {
	case STATE_SAFETY:
	case STATE_INTRO:
	case STATE_DONE:
		w = kt_min(w, talk_wake(e, now));
		break;
	case STATE_REDFLAGS:
		if (!e->confirming)
			w = kt_min(w, talk_wake(e, now));
		break;
	case STATE_REST:
		/* A rest that is over still waits for its words to end. */
		w = talk_wake(e, now);
		if (e->deadline > now)
			w = kt_min(w, kt_min(e->deadline,
					     next_second(e->anchor, now)));
		break;
	case STATE_READY:
		w = kt_min(w, next_second(e->anchor, now));
		break;
	case STATE_WAITING:
	case STATE_PAUSED:
		w = kt_min(w, kt_min(e->answer_by, ask_at(e)));
		break;
	case STATE_RUNNING:
		w = kt_min(e->part_start + (kt_ms)e->part_sec * 1000,
			   e->part_start + e->part_len);
		break;
	default:
		break;
	}
	return e->in_session ? kt_min(w, e->leave_at) : w;
}

/* ---- public ---- */

static void engine_init(struct engine *e, const struct routine *r,
			const struct engine_options *opt)
{
	e->r = r;
	if (opt)
		e->opt = *opt;
	e->state = STATE_COUNT; /* so the first set_state is recorded */
	e->ex = -1;
	e->deadline = KT_NEVER;
}

struct engine *engine_new(const struct routine *r,
			  const struct engine_options *opt)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	engine_init(e, r, opt);
	e->minutes = (int)((engine_estimate(r, &e->opt) + 30000) / 60000);
	return e;
}

void engine_free(struct engine *e)
{
	free(e);
}

static void finish(struct engine *e, kt_ms now, struct actions *out)
{
	for (int i = 0; i < TICKS_PER_CALL; i++) {
		kt_ms w = next_wake(e, now);
		if (w > now) {
			out->wake = w;
			return;
		}
		tick_state(e, now, out);
	}
	out->wake = next_wake(e, now);
}

static void begin(struct actions *out)
{
	out->count = 0;
	out->dropped = 0;
	out->wake = KT_NEVER;
}

void engine_screen(const struct engine *e, kt_ms now, struct screen *out)
{
	/* Not started (engine_init): what engine_start will show. */
	build_screen(e, e->state == STATE_COUNT ? STATE_ATTRACT : e->state, now,
		     out);
}

void engine_start(struct engine *e, kt_ms now, struct actions *out)
{
	begin(out);
	enter_attract(e, now, out);
	finish(e, now, out);
}

void engine_tick(struct engine *e, kt_ms now, struct actions *out)
{
	begin(out);
	tick_state(e, now, out);
	finish(e, now, out);
}

static void on_press(struct engine *e, kt_ms now, struct actions *out)
{
	switch (e->state) {
	case STATE_ATTRACT:
		begin_session(e, now, out);
		break;
	case STATE_REDFLAGS:
		if (e->confirming)
			confirm_redflags(e, now, out);
		else
			pause_session(e, now, PAUSE_BUTTON, out);
		break;
	case STATE_WAITING:
		if (effective_trigger(e) == START_BUTTON)
			enter_running(e, now, now, out);
		else
			enter_ready(e, now, out);
		break;
	case STATE_PAUSED:
		resume_session(e, now, out);
		break;
	case STATE_DONE:
		enter_attract(e, now, out);
		break;
	default:
		if (pausable(e->state))
			pause_session(e, now, PAUSE_BUTTON, out);
		break;
	}
}

static bool mat_governed(const struct engine *e)
{
	return e->opt.have_mat && cur(e) && cur(e)->start == START_MAT;
}

static void on_mat(struct engine *e, bool on, kt_ms now, struct actions *out)
{
	e->mat_on = on;
	switch (e->state) {
	case STATE_ATTRACT:
		/* A step across the mat is not a visit: see tick_state. */
		e->deadline = on && mat_starts(e) ? now + MAT_START_SETTLE
						  : KT_NEVER;
		break;
	case STATE_WAITING:
		if (on && (effective_trigger(e) == START_MAT || e->checking))
			enter_ready(e, now, out);
		break;
	case STATE_READY:
		if (!on && mat_governed(e))
			enter_waiting(e, now, out);
		break;
	case STATE_RUNNING:
		if (!on && mat_governed(e))
			pause_session(e, now, PAUSE_MAT, out);
		break;
	case STATE_PAUSED:
		if (on && e->pause_reason == PAUSE_MAT)
			resume_session(e, now, out);
		break;
	default:
		break;
	}
}

/* Whether a double press skips: only inside an exercise, before its
 * closing rest (paused there included). */
static bool skippable(const struct engine *e)
{
	enum kiosk_state s =
	    e->state == STATE_PAUSED ? e->paused_from : e->state;
	if (!e->in_session || !cur(e))
		return false;
	if (s == STATE_REST)
		return e->resting_between_repeats;
	return s == STATE_INTRO || s == STATE_READY || s == STATE_WAITING ||
	       s == STATE_RUNNING;
}

/* Off the mat before the first exercise: gone, unless back soon. */
static void watch_early_leave(struct engine *e, enum engine_input in,
			      kt_ms now)
{
	if (!e->in_session || e->ex >= 0)
		return;
	e->leave_at = in == INPUT_MAT_OFF ? now + EARLY_LEAVE : KT_NEVER;
}

void engine_input(struct engine *e, enum engine_input in, kt_ms now,
		  struct actions *out)
{
	begin(out);
	tick_state(e, now, out); /* catch up on anything already due */
	if (in != INPUT_QUIT) {
		seen(e, now);
		watch_early_leave(e, in, now);
	}
	switch (in) {
	case INPUT_PRESS:
		on_press(e, now, out);
		break;
	case INPUT_DOUBLE_PRESS:
		if (skippable(e))
			skip_exercise(e, now, out);
		else
			on_press(e, now, out);
		break;
	case INPUT_LONG_PRESS:
		if (e->in_session)
			leave_session(e, now, RESULT_STOPPED, PHRASE_STOPPED,
				      out);
		else if (e->state == STATE_DONE)
			enter_attract(e, now, out);
		break;
	case INPUT_MAT_ON:
	case INPUT_MAT_OFF:
		on_mat(e, in == INPUT_MAT_ON, now, out);
		break;
	case INPUT_QUIT:
		hush(e, now, out);
		end_session(e, RESULT_STOPPED, true, out);
		break;
	}
	finish(e, now, out);
}

void engine_set_wiring(struct engine *e, bool have_button, bool have_mat,
		       bool mat_on, kt_ms now, struct actions *out)
{
	begin(out);
	e->opt.have_button = have_button;
	e->opt.have_mat = have_mat;
	e->mat_on = have_mat && mat_on;
	/* The screen follows at once: the idle screen must not go on
	 * inviting a press of a button that was just lost. */
	if (e->has_shown)
		show(e, now, out);
	finish(e, now, out);
}

void engine_set_routine(struct engine *e, const struct routine *r, kt_ms now,
			struct actions *out)
{
	begin(out);
	e->pending = r;
	/* Idle, the attract screen is the only thing the routine shapes: it
	 * can change under nobody's feet. */
	if (e->state == STATE_ATTRACT && !e->in_session) {
		adopt_pending(e);
		show(e, now, out);
	}
	finish(e, now, out);
}

const struct routine *engine_routine(const struct engine *e)
{
	return e->r;
}

enum kiosk_state engine_state(const struct engine *e)
{
	return e->state;
}

bool engine_in_session(const struct engine *e)
{
	return e->in_session;
}

/* ---- estimate: run the routine with someone who starts everything ---- */

kt_ms engine_walk(const struct routine *r, const struct engine_options *opt,
		  routine_visit_fn visit, void *ctx)
{
	struct engine *e = calloc(1, sizeof *e);
	struct actions *out = malloc(sizeof *out);
	kt_ms now = 0, result = 0;
	if (!e || !out)
		goto done;
	engine_init(e, r, opt); /* not engine_new: it calls us */
	engine_start(e, now, out);
	engine_input(e, INPUT_PRESS, now, out);
	for (int guard = 0; guard < 1000000 && e->in_session; guard++) {
		for (int i = 0; visit && i < out->count; i++)
			visit(ctx, &out->item[i]);
		if (e->state == STATE_REDFLAGS && e->confirming) {
			engine_input(e, INPUT_PRESS, now, out);
			continue;
		}
		if (e->state == STATE_WAITING) {
			bool mat = effective_trigger(e) == START_MAT;
			engine_input(e, mat ? INPUT_MAT_ON : INPUT_PRESS, now,
				     out);
			continue;
		}
		if (out->wake == KT_NEVER)
			break;
		now = out->wake;
		engine_tick(e, now, out);
	}
	for (int i = 0; visit && i < out->count; i++)
		visit(ctx, &out->item[i]);
	result = now;
done:
	free(out);
	free(e);
	return result;
}

kt_ms engine_estimate(const struct routine *r, const struct engine_options *opt)
{
	return engine_walk(r, opt, NULL, NULL);
}

/* ---- names, as they appear in the event record ---- */

const char *engine_state_name(enum kiosk_state s)
{
	static const char *const n[] = {
	    "attract", "safety",  "redflags", "intro", "ready",
	    "waiting", "running", "paused",   "rest",  "done",
	};
	return s < STATE_COUNT ? n[s] : "?";
}

const char *engine_screen_name(enum screen_kind s)
{
	static const char *const n[] = {
	    "attract", "safety", "redflags", "intro", "ready", "waiting",
	    "hold",    "reps",	 "paused",   "rest",  "done",
	};
	return s <= SCREEN_DONE ? n[s] : "?";
}

const char *pause_reason_name(enum pause_reason r)
{
	return r == PAUSE_MAT ? "mat" : "button";
}

const char *engine_result_name(enum session_result r)
{
	static const char *const n[] = {"completed", "stopped", "abandoned"};
	return r <= RESULT_ABANDONED ? n[r] : "?";
}
