/*
 * people.h - whole sessions through the engine, lived by people who use
 * only the inputs the kiosk has: lying on the mat when there is only the
 * mat, pressing the button when there is only the button. Every action
 * the engine emits goes to a visitor, so a test can judge everything said
 * and shown with a wiring. Header-only, static; include after testutil.h.
 */
#ifndef KIOSK_PEOPLE_H
#define KIOSK_PEOPLE_H

#include <ctype.h>

#include "engine.h"

/* What the person does in one session. */
enum plan {
	PLAN_COMPLETE,	    /* starts every part at once, to the end */
	PLAN_PAUSE,	    /* pauses the first timed part, comes back */
	PLAN_LEAVE_IN_HOLD, /* pauses the first timed part, never comes back */
	PLAN_NEVER_STARTS,  /* starts a session, then starts no part */
	PLAN_COUNT
};

typedef void (*people_visit_fn)(void *ctx, kt_ms t, const struct action *a);

struct people {
	struct engine *e;
	bool button, mat; /* the wiring */
	struct actions out;
	kt_ms now;
	people_visit_fn visit;
	void *ctx;
	int results[RESULT_ABANDONED + 1]; /* sessions by how they ended */
};

static void people_take(struct people *p)
{
	for (int i = 0; i < p->out.count; i++) {
		const struct action *a = &p->out.item[i];
		if (a->kind == ACTION_SESSION)
			p->results[a->u.session.result]++;
		p->visit(p->ctx, p->now, a);
	}
	assert_int_equal(p->out.dropped, 0);
}

/* An engine with this wiring, on its idle screen at 0. */
static void people_start(struct people *p, const struct routine *r, bool button,
			 bool mat, people_visit_fn visit, void *ctx)
{
	struct engine_options o = {.have_button = button, .have_mat = mat};
	assert_non_null(r);
	memset(p, 0, sizeof *p);
	p->button = button, p->mat = mat;
	p->visit = visit, p->ctx = ctx;
	p->e = engine_new(r, &o);
	assert_non_null(p->e);
	engine_start(p->e, 0, &p->out);
	people_take(p);
}

static void people_input(struct people *p, enum engine_input in)
{
	engine_input(p->e, in, p->now, &p->out);
	people_take(p);
}

/* Time passes to the engine's next deadline. */
static void people_step(struct people *p)
{
	assert_true(p->out.wake != KT_NEVER);
	p->now = p->out.wake;
	engine_tick(p->e, p->now, &p->out);
	people_take(p);
}

static void people_wait(struct people *p, kt_ms ms)
{
	kt_ms until = p->now + ms;
	while (p->out.wake <= until)
		people_step(p);
	p->now = until;
}

/* One session lived by `plan`, then back to the idle screen. */
static void people_live(struct people *p, enum plan plan)
{
	/* The way in, and on: the mat when there is one. */
	enum engine_input go = p->mat ? INPUT_MAT_ON : INPUT_PRESS;
	enum engine_input pause = p->mat ? INPUT_MAT_OFF : INPUT_PRESS;
	bool paused = false;
	people_input(p, go);
	if (p->mat)
		people_wait(p, 3000); /* lying down, not a step across */
	assert_true(engine_in_session(p->e));
	if (plan == PLAN_NEVER_STARTS && p->mat)
		people_input(p, INPUT_MAT_OFF); /* gets up again */
	for (int guard = 0; engine_in_session(p->e); guard++) {
		assert_true(guard < 100000);
		enum kiosk_state st = engine_state(p->e);
		if (st == STATE_WAITING && plan != PLAN_NEVER_STARTS) {
			people_input(p, go);
			continue;
		}
		if (st == STATE_RUNNING && !paused && plan != PLAN_COMPLETE &&
		    plan != PLAN_NEVER_STARTS) {
			paused = true;
			people_input(p, pause);
			assert_int_equal(engine_state(p->e), STATE_PAUSED);
			if (plan == PLAN_PAUSE) {
				people_wait(p, 10000);
				people_input(p, go);
			}
			continue;
		}
		people_step(p);
	}
	if (p->mat)
		people_input(p, INPUT_MAT_OFF); /* gets up and goes */
	while (engine_state(p->e) != STATE_ATTRACT)
		people_step(p);
}

/* Every plan, one after the other, on one engine. */
static void people_live_all(struct people *p)
{
	for (int plan = 0; plan < PLAN_COUNT; plan++)
		people_live(p, (enum plan)plan);
	assert_true(p->results[RESULT_COMPLETED] >= 2);
	assert_true(p->results[RESULT_ABANDONED] >= 2);
}

static void people_end(struct people *p)
{
	engine_free(p->e);
}

/* Whether text has `word` in it as a whole word, in any case. */
static bool people_mention(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *s = text; (s = strcasestr(s, word)); s++) {
		bool start = s == text || !isalpha((unsigned char)s[-1]);
		if (start && !isalpha((unsigned char)s[n]))
			return true;
	}
	return false;
}

#endif
