/*
 * unit_engine.c - the session engine on a virtual timeline: transitions,
 * timed parts, pauses, stopping, walking away, the mat, and the cue plan.
 */
#include "testutil.h"

#include "config.h"
#include "engine.h"
#include "load.h"
#include "people.h"
#include "text.h"

#define LOG_MAX 4096

struct logged {
	kt_ms t;
	struct action a;
};

struct sim {
	struct routine *r;
	struct engine *e;
	struct actions out;
	kt_ms now;
	struct logged *log;
	int n;
};

static const char test_routine[] = "[settings]\n"
				   "get_ready = 2\n"
				   "countdown = 3\n"
				   "start_timeout = 60\n"
				   "pause_timeout = 120\n"
				   "[routine]\n"
				   "name = Test\n"
				   "intro = Hello.\n"
				   "safety = Careful.\n"
				   "redflags_screen = off\n"
				   "[exercise]\n"
				   "name = Hold one\n"
				   "say = Do it.\n"
				   "kind = hold\n"
				   "seconds = 10\n"
				   "breath = in 2, out 2\n"
				   "[exercise]\n"
				   "name = Mat one\n"
				   "say = Lie down.\n"
				   "kind = hold\n"
				   "seconds = 20\n"
				   "start = mat\n"
				   "[exercise]\n"
				   "name = Button one\n"
				   "say = Press.\n"
				   "kind = reps\n"
				   "reps = 3\n"
				   "breath = in 1, out 1\n"
				   "cue_in = Up\n"
				   "start = button\n";

/* The test routine with a red-flag screen, asking for a press. */
static const char confirm_routine[] = "[settings]\n"
				      "get_ready = 2\n"
				      "start_timeout = 60\n"
				      "pause_timeout = 120\n"
				      "[routine]\n"
				      "name = Test\n"
				      "intro = Hello.\n"
				      "safety = Careful.\n"
				      "redflags = Not if this.\n"
				      "redflags = Nor if that.\n"
				      "redflags_confirm = yes\n"
				      "[exercise]\n"
				      "name = Hold one\n"
				      "say = Do it.\n"
				      "kind = hold\n"
				      "seconds = 10\n";

static void take(struct sim *s)
{
	for (int i = 0; i < s->out.count && s->n < LOG_MAX; i++)
		s->log[s->n++] = (struct logged){s->now, s->out.item[i]};
	assert_int_equal(s->out.dropped, 0);
}

static struct sim *sim_make(const char *text, size_t len, const char *assets,
			    bool have_button, bool have_mat)
{
	struct sim *s = calloc(1, sizeof *s);
	struct diags d;
	diag_init(&d, "test");
	s->r = config_load_text(text, len, NULL, assets, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	assert_non_null(s->r);
	struct engine_options o = {.have_button = have_button,
				   .have_mat = have_mat};
	s->e = engine_new(s->r, &o);
	s->log = calloc(LOG_MAX, sizeof *s->log);
	engine_start(s->e, 0, &s->out);
	take(s);
	return s;
}

static struct sim *sim_new(const char *text, bool have_mat)
{
	return sim_make(text, strlen(text), NULL, true, have_mat);
}

static struct sim *sim_builtin(void)
{
	size_t len;
	const char *text = config_builtin(&len);
	return sim_make(text, len, "assets", true, true);
}

static void sim_free(struct sim *s)
{
	engine_free(s->e);
	routine_free(s->r);
	free(s->log);
	free(s);
}

/* Let time pass up to `until`, waking the engine at each deadline. */
static void sim_until(struct sim *s, kt_ms until)
{
	while (s->out.wake <= until) {
		assert_true(s->out.wake >= s->now);
		s->now = s->out.wake;
		engine_tick(s->e, s->now, &s->out);
		take(s);
	}
	s->now = until;
}

static void sim_input(struct sim *s, enum engine_input in, kt_ms at)
{
	sim_until(s, at);
	engine_input(s->e, in, at, &s->out);
	take(s);
}

/* Run until the engine is in state st (or time runs out): its time. */
static kt_ms sim_until_state(struct sim *s, enum kiosk_state st, kt_ms limit)
{
	while (engine_state(s->e) != st && s->out.wake <= limit) {
		s->now = s->out.wake;
		engine_tick(s->e, s->now, &s->out);
		take(s);
	}
	assert_int_equal(engine_state(s->e), st);
	return s->now;
}

static const struct logged *find(const struct sim *s, enum action_kind k,
				 int nth)
{
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == k && nth-- == 0)
			return &s->log[i];
	return NULL;
}

static const struct logged *last(const struct sim *s, enum action_kind k)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (s->log[i].a.kind == k)
			return &s->log[i];
	return NULL;
}

static int count(const struct sim *s, enum action_kind k)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->log[i].a.kind == k;
	return n;
}

static const struct logged *part(const struct sim *s, bool start, int nth)
{
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == ACTION_PART &&
		    s->log[i].a.u.part.start == start && nth-- == 0)
			return &s->log[i];
	return NULL;
}

/* The person who does everything at once: presses, lies on the mat. */
static void sim_cooperate(struct sim *s, kt_ms limit)
{
	while (s->now < limit) {
		if (engine_state(s->e) == STATE_WAITING)
			sim_input(s, INPUT_MAT_ON, s->now);
		if (engine_state(s->e) == STATE_WAITING)
			sim_input(s, INPUT_PRESS, s->now);
		if (s->out.wake == KT_NEVER)
			break;
		s->now = s->out.wake;
		engine_tick(s->e, s->now, &s->out);
		take(s);
	}
}

static void test_starts_on_attract(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	assert_int_equal(engine_state(s->e), STATE_ATTRACT);
	assert_int_equal(s->log[0].a.kind, ACTION_STATE);
	const struct logged *show = find(s, ACTION_SHOW, 0);
	assert_non_null(show);
	assert_int_equal(show->a.u.screen.kind, SCREEN_ATTRACT);
	assert_string_equal(show->a.u.screen.title, "Test");
	assert_int_equal(s->out.wake, KT_NEVER); /* idle costs nothing */
	sim_free(s);
}

/* The screen before engine_start (what video.c lays out while the window
 * opens) is the one engine_start then shows, whatever is wired; once
 * started, it is the screen on display. */
static void test_screen_before_start_is_the_first_shown(void **state)
{
	(void)state;
	size_t len;
	const char *builtin = config_builtin(&len);
	const struct {
		const char *text;
		size_t len;
		bool button, mat;
	} cases[] = {
	    {test_routine, strlen(test_routine), true, true},
	    {test_routine, strlen(test_routine), true, false},
	    {test_routine, strlen(test_routine), false, true},
	    {builtin, len, true, true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct diags d;
		diag_init(&d, "test");
		struct routine *r = config_load_text(
		    cases[i].text, cases[i].len, NULL, "assets", &d);
		diag_free(&d);
		assert_non_null(r);
		struct engine_options o = {.have_button = cases[i].button,
					   .have_mat = cases[i].mat};
		struct engine *e = engine_new(r, &o);
		struct screen before, now;
		struct actions out = {0};
		engine_screen(e, 0, &before);
		engine_start(e, 0, &out);
		const struct screen *shown = NULL;
		for (int k = 0; k < out.count; k++)
			if (out.item[k].kind == ACTION_SHOW)
				shown = &out.item[k].u.screen;
		assert_non_null(shown);
		assert_true(screen_equal(&before, shown));
		engine_screen(e, 0, &now);
		assert_true(screen_equal(&now, shown));
		engine_free(e);
		routine_free(r);
	}
}

static void test_full_session_walks_every_state(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 1000);
	sim_cooperate(s, 600000);
	enum kiosk_state want[] = {
	    STATE_ATTRACT, STATE_SAFETY,  STATE_INTRO, STATE_READY,
	    STATE_RUNNING, STATE_REST,	  STATE_INTRO, STATE_WAITING,
	    STATE_READY,   STATE_RUNNING, STATE_REST,  STATE_INTRO,
	    STATE_WAITING, STATE_RUNNING, STATE_DONE,  STATE_ATTRACT,
	};
	int k = 0;
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == ACTION_STATE) {
			assert_true(k < (int)(sizeof want / sizeof *want));
			assert_int_equal(s->log[i].a.u.state, want[k]);
			k++;
		}
	assert_int_equal(k, (int)(sizeof want / sizeof *want));
	assert_int_equal(count(s, ACTION_SESSION), 1);
	assert_int_equal(find(s, ACTION_SESSION, 0)->a.u.session.result,
			 RESULT_COMPLETED);
	assert_int_equal(count(s, ACTION_EXERCISE), 3);
	sim_free(s);
}

static void test_hold_ends_exactly_on_time(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_cooperate(s, 600000);
	const struct logged *a = part(s, true, 0), *b = part(s, false, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(b->t - a->t, 10000);
	/* The countdown shows every second from 10 down to 1, once each. */
	int expect = 10;
	for (int i = 0; i < s->n; i++) {
		const struct action *x = &s->log[i].a;
		if (x->kind == ACTION_SHOW && x->u.screen.kind == SCREEN_HOLD &&
		    x->u.screen.index == 1 &&
		    x->u.screen.remaining != expect + 1) {
			assert_int_equal(x->u.screen.remaining, expect);
			assert_int_equal(s->log[i].t - a->t,
					 (10 - expect) * 1000);
			expect--;
		}
	}
	assert_int_equal(expect, 0);
	sim_free(s);
}

static void test_pause_freezes_and_shifts_the_end(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms start = sim_until_state(s, STATE_RUNNING, 600000);
	sim_input(s, INPUT_PRESS, start + 3500); /* pause */
	assert_int_equal(engine_state(s->e), STATE_PAUSED);
	int shows_before = count(s, ACTION_SHOW);
	sim_until(s, start + 3500 + 7000);
	/* Nothing moves while paused. */
	assert_int_equal(count(s, ACTION_SHOW), shows_before);
	const struct logged *paused = last(s, ACTION_SHOW);
	assert_int_equal(paused->a.u.screen.kind, SCREEN_PAUSED);
	assert_int_equal(paused->a.u.screen.remaining, 7);
	sim_input(s, INPUT_PRESS, start + 10500); /* resume */
	assert_int_equal(engine_state(s->e), STATE_RUNNING);
	sim_cooperate(s, 600000);
	assert_int_equal(part(s, false, 0)->t - start, 10000 + 7000);
	sim_free(s);
}

/* Found by the soak (tests/e2e_soak.c): carrying on in the middle of a
 * second left the paused screen up until the next second came round. */
static void test_resume_shows_the_countdown_at_once(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms start = sim_until_state(s, STATE_RUNNING, 600000);
	sim_input(s, INPUT_PRESS, start + 3500); /* pause */
	sim_input(s, INPUT_PRESS, start + 6200); /* carry on, mid-second */
	assert_int_equal(engine_state(s->e), STATE_RUNNING);
	const struct logged *shown = last(s, ACTION_SHOW);
	assert_int_equal(shown->t, start + 6200);
	assert_int_equal(shown->a.u.screen.kind, SCREEN_HOLD);
	assert_int_equal(shown->a.u.screen.remaining, 7);
	sim_free(s);
}

static void test_long_press_stops(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms t = sim_until_state(s, STATE_RUNNING, 600000);
	sim_input(s, INPUT_LONG_PRESS, t + 2000);
	assert_int_equal(engine_state(s->e), STATE_ATTRACT);
	const struct logged *end = find(s, ACTION_SESSION, 0);
	assert_non_null(end);
	assert_int_equal(end->a.u.session.result, RESULT_STOPPED);
	assert_int_equal(end->a.u.session.index, 1);
	assert_non_null(find(s, ACTION_HUSH, 0));
	sim_free(s);
}

static void test_waiting_too_long_abandons(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms waiting = sim_until_state(s, STATE_WAITING, 600000);
	kt_ms back = sim_until_state(s, STATE_ATTRACT, 600000);
	assert_int_equal(back - waiting, 60000);
	const struct logged *end = find(s, ACTION_SESSION, 0);
	assert_int_equal(end->a.u.session.result, RESULT_ABANDONED);
	assert_int_equal(end->a.u.session.index, 2);
	sim_free(s);
}

static void test_pause_too_long_abandons(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms t = sim_until_state(s, STATE_RUNNING, 600000);
	sim_input(s, INPUT_PRESS, t + 1000);
	kt_ms back = sim_until_state(s, STATE_ATTRACT, 600000);
	assert_int_equal(back - (t + 1000), 120000);
	assert_int_equal(find(s, ACTION_SESSION, 0)->a.u.session.result,
			 RESULT_ABANDONED);
	sim_free(s);
}

static void test_auto_parts_never_abandon(void **state)
{
	(void)state;
	/* Only auto starts: nobody touches anything after the first press. */
	static const char text[] =
	    "[routine]\nname = Auto\nredflags_screen = off\n"
	    "[exercise]\nname = A\nsay = Go.\n"
	    "kind = free\nseconds = 600\n"
	    "[exercise]\nname = B\nsay = Go.\n"
	    "kind = hold\nseconds = 600\n";
	struct sim *s = sim_new(text, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_until(s, 3600000);
	assert_int_equal(count(s, ACTION_SESSION), 1);
	assert_int_equal(find(s, ACTION_SESSION, 0)->a.u.session.result,
			 RESULT_COMPLETED);
	sim_free(s);
}

static void test_mat_hold_pauses_off_the_mat(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_cooperate(s, 1); /* through nothing: just the first press */
	kt_ms w = sim_until_state(s, STATE_WAITING, 600000);
	sim_input(s, INPUT_MAT_ON, w + 5000);
	kt_ms run = sim_until_state(s, STATE_RUNNING, 600000);
	sim_input(s, INPUT_MAT_OFF, run + 4000);
	assert_int_equal(engine_state(s->e), STATE_PAUSED);
	const struct logged *show = last(s, ACTION_SHOW);
	assert_int_equal(show->a.u.screen.kind, SCREEN_PAUSED);
	assert_int_equal(show->a.u.screen.reason, PAUSE_MAT);
	sim_input(s, INPUT_MAT_ON, run + 9000);
	assert_int_equal(engine_state(s->e), STATE_RUNNING);
	sim_until_state(s, STATE_REST, 600000);
	assert_int_equal(part(s, false, 1)->t - run, 20000 + 5000);
	sim_free(s);
}

static void test_already_on_the_mat_counts(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_MAT_ON, 0); /* mat_start: lying down starts */
	/* once the mat has stayed on 3 s: a step across is no visit */
	assert_int_equal(sim_until_state(s, STATE_SAFETY, 3000), 3000);
	sim_until_state(s, STATE_RUNNING, 600000); /* exercise 1: auto */
	sim_until_state(s, STATE_INTRO, 600000);
	sim_until_state(s, STATE_READY, 600000); /* no waiting: on the mat */
	sim_free(s);
}

static void test_mat_start_can_be_off(void **state)
{
	(void)state;
	char text[2048];
	snprintf(text, sizeof text, "%s", test_routine);
	char *p = strstr(text, "[settings]\n") + strlen("[settings]\n");
	memmove(p + 13, p, strlen(p) + 1);
	memcpy(p, "mat_start=no\n", 13);
	struct sim *s = sim_new(text, true);
	sim_input(s, INPUT_MAT_ON, 0);
	assert_int_equal(engine_state(s->e), STATE_ATTRACT);
	sim_free(s);
}

static void test_no_mat_means_button(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, false);
	sim_input(s, INPUT_PRESS, 0);
	sim_until_state(s, STATE_INTRO, 600000);
	sim_until_state(s, STATE_RUNNING, 600000);
	sim_until_state(s, STATE_WAITING, 600000); /* the mat exercise */
	const struct logged *show = last(s, ACTION_SHOW);
	assert_int_equal(show->a.u.screen.trigger, START_BUTTON);
	sim_input(s, INPUT_PRESS, s->now + 1000);
	assert_int_equal(engine_state(s->e), STATE_RUNNING);
	sim_free(s);
}

/* The routine with mat_start = no: a mat alone must start it anyway. */
static struct sim *sim_mat_only(void)
{
	char text[2048];
	snprintf(text, sizeof text, "%s", test_routine);
	char *p = strstr(text, "[settings]\n") + strlen("[settings]\n");
	memmove(p + 13, p, strlen(p) + 1);
	memcpy(p, "mat_start=no\n", 13);
	return sim_make(text, strlen(text), NULL, false, true);
}

static enum session_result session_result(const struct sim *s)
{
	const struct logged *end = last(s, ACTION_SESSION);
	assert_non_null(end);
	return end->a.u.session.result;
}

/* Hands-free at home: lie down, and the whole routine runs. */
static void test_mat_only_session_lying_down(void **state)
{
	(void)state;
	struct sim *s = sim_mat_only();
	sim_input(s, INPUT_MAT_ON, 1000);
	assert_int_equal(sim_until_state(s, STATE_SAFETY, 4000), 4000);
	const struct logged *show = last(s, ACTION_SHOW);
	assert_true(show->a.u.screen.no_button);
	sim_until_state(s, STATE_DONE, 600000);
	/* Every part, the button-started one too, started by itself. */
	assert_int_equal(count(s, ACTION_PART), 2 * 3);
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == ACTION_STATE)
			assert_int_not_equal(s->log[i].a.u.state,
					     STATE_WAITING);
	assert_int_equal(session_result(s), RESULT_COMPLETED);
	/* No safety_mat lines in this routine: its safety lines stand. */
	bool careful = false;
	for (int i = 0; i < s->n; i++)
		careful |= s->log[i].a.kind == ACTION_SAY &&
			   !strcmp(s->log[i].a.u.say.text, "Careful.");
	assert_true(careful);
	sim_free(s);
}

/* Getting off pauses a mat hold; staying away ends the session. */
static void test_mat_only_absence_abandons(void **state)
{
	(void)state;
	struct sim *s = sim_mat_only();
	sim_input(s, INPUT_MAT_ON, 0);
	sim_until_state(s, STATE_INTRO, 600000);
	sim_until_state(s, STATE_RUNNING, 600000);
	sim_until_state(s, STATE_REST, 600000);
	kt_ms run = sim_until_state(s, STATE_RUNNING, 600000); /* mat one */
	sim_input(s, INPUT_MAT_OFF, run + 3000);
	assert_int_equal(engine_state(s->e), STATE_PAUSED);
	sim_until_state(s, STATE_ATTRACT, run + 3000 + 120000);
	assert_int_equal(session_result(s), RESULT_ABANDONED);
	sim_free(s);
}

/* The test routine with check_in set, wired as given. */
static struct sim *sim_check_in(const char *seconds, bool button, bool mat)
{
	char text[2048];
	snprintf(text, sizeof text, "[settings]\ncheck_in = %s\n%s", seconds,
		 test_routine + strlen("[settings]\n"));
	return sim_make(text, strlen(text), NULL, button, mat);
}

/* Nobody seen for check_in before an auto part: asked, and answered with
 * what is wired (the button, or the mat on a kiosk with only the mat);
 * with nothing wired that could answer, never asked. */
static void test_check_in_is_answered_with_what_is_wired(void **state)
{
	(void)state;
	struct sim *s = sim_check_in("5", true, false);
	sim_input(s, INPUT_PRESS, 0);
	kt_ms asked = sim_until_state(s, STATE_WAITING, 60000);
	assert_int_equal(last(s, ACTION_CHECK_IN)->t, asked);
	const struct screen *sc = &last(s, ACTION_SHOW)->a.u.screen;
	assert_true(sc->check_in);
	assert_int_equal(sc->trigger, START_BUTTON);
	assert_string_equal(last(s, ACTION_SAY)->a.u.say.text,
			    "Are you still there? Press the big button to go "
			    "on.");
	sim_input(s, INPUT_PRESS, asked + 29000);
	assert_int_equal(engine_state(s->e), STATE_READY);
	sim_free(s);

	/* Only the mat: lying there is a sign; off it, the mat answers. */
	s = sim_check_in("1", false, true);
	sim_input(s, INPUT_MAT_ON, 0);
	kt_ms intro = sim_until_state(s, STATE_INTRO, 60000);
	sim_input(s, INPUT_MAT_OFF, intro);
	asked = sim_until_state(s, STATE_WAITING, 60000);
	sc = &last(s, ACTION_SHOW)->a.u.screen;
	assert_true(sc->check_in);
	assert_int_equal(sc->trigger, START_MAT);
	assert_string_equal(last(s, ACTION_SAY)->a.u.say.text,
			    "Are you still there? Step onto the mat to go on.");
	sim_input(s, INPUT_MAT_ON, asked + 1000);
	assert_int_equal(engine_state(s->e), STATE_READY);
	sim_free(s);

	/* Unanswered: given up 30 s after asking. */
	s = sim_check_in("5", true, false);
	sim_input(s, INPUT_PRESS, 0);
	asked = sim_until_state(s, STATE_WAITING, 60000);
	assert_int_equal(sim_until_state(s, STATE_ATTRACT, asked + 60000),
			 asked + ENGINE_CHECK_IN_WAIT);
	assert_int_equal(session_result(s), RESULT_ABANDONED);
	sim_free(s);

	/* The button lost before the part: nobody could answer. */
	s = sim_check_in("5", true, false);
	sim_input(s, INPUT_PRESS, 0);
	engine_set_wiring(s->e, false, false, false, s->now, &s->out);
	take(s);
	sim_until_state(s, STATE_RUNNING, 60000);
	assert_int_equal(count(s, ACTION_CHECK_IN), 0);
	sim_free(s);
}

/* A line found or lost mid-session changes what the engine waits for. */
static void test_wiring_can_change(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	/* The mat's chip went away. */
	engine_set_wiring(s->e, true, false, false, s->now, &s->out);
	take(s);
	sim_until_state(s, STATE_WAITING, 600000);
	assert_int_equal(last(s, ACTION_SHOW)->a.u.screen.trigger,
			 START_BUTTON);
	engine_set_wiring(s->e, false, true, false, s->now, &s->out);
	take(s); /* now only the mat */
	sim_input(s, INPUT_MAT_ON, s->now + 1000);
	assert_int_not_equal(engine_state(s->e), STATE_WAITING);
	sim_free(s);
}

/* A button lost while idle: the idle screen stops offering it at once,
 * and offers it again when it is back. */
static void test_idle_screen_follows_the_wiring(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	int shows = count(s, ACTION_SHOW);
	engine_set_wiring(s->e, false, true, false, 5000, &s->out);
	take(s);
	assert_int_equal(count(s, ACTION_SHOW), shows + 1);
	const struct screen *sc = &last(s, ACTION_SHOW)->a.u.screen;
	assert_int_equal(sc->kind, SCREEN_ATTRACT);
	assert_true(sc->no_button);
	assert_true(sc->mat_start);
	engine_set_wiring(s->e, false, true, false, 6000, &s->out);
	take(s); /* nothing changed: nothing shown */
	assert_int_equal(count(s, ACTION_SHOW), shows + 1);
	engine_set_wiring(s->e, true, true, false, 7000, &s->out);
	take(s);
	assert_false(last(s, ACTION_SHOW)->a.u.screen.no_button);
	assert_int_equal(count(s, ACTION_SHOW), shows + 2);
	assert_int_equal(s->out.wake, KT_NEVER);
	sim_free(s);
}

/* Over a whole default session nothing is said over something else. */
static void test_builtin_lines_never_overlap(void **state)
{
	(void)state;
	struct sim *s = sim_builtin();
	sim_input(s, INPUT_MAT_ON, 0);
	sim_cooperate(s, 3600000);
	assert_int_equal(find(s, ACTION_SESSION, 0)->a.u.session.result,
			 RESULT_COMPLETED);
	kt_ms busy = 0;
	int says = 0;
	for (int i = 0; i < s->n; i++) {
		const struct logged *l = &s->log[i];
		if (l->a.kind != ACTION_SAY)
			continue;
		if (l->t < busy)
			fail_msg(
			    "'%s' at %lld starts before the line before ends "
			    "(%lld)",
			    l->a.u.say.text, (long long)l->t, (long long)busy);
		busy = l->t + l->a.u.say.duration;
		says++;
	}
	assert_true(says > 100);
	sim_free(s);
}

static void test_estimate_matches_a_session(void **state)
{
	(void)state;
	struct sim *s = sim_builtin();
	sim_input(s, INPUT_PRESS, 0);
	sim_cooperate(s, 3600000);
	kt_ms end = find(s, ACTION_SESSION, 0)->t;
	struct engine_options o = {.have_button = true, .have_mat = true};
	assert_int_equal(engine_estimate(s->r, &o), end);
	assert_true(end > 5 * 60000 && end < 9 * 60000);
	sim_free(s);
}

static void test_reps_say_cues_on_the_breath(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_cooperate(s, 600000);
	const struct logged *start = part(s, true, 2);
	assert_non_null(start);
	assert_int_equal(start->a.u.part.kind, KIND_REPS);
	assert_int_equal(start->a.u.part.seconds, 6);
	/* in 1, out 1: the short cue "Up" fits in a second and is said on
	 * every inhale; there is no exhale cue, so the word "Out" is. */
	int ups = 0, outs = 0;
	for (int i = 0; i < s->n; i++) {
		const struct logged *l = &s->log[i];
		if (l->t < start->t || l->t >= start->t + 6000 ||
		    l->a.kind != ACTION_SAY)
			continue;
		ups += !strcmp(l->a.u.say.text, "Up");
		outs += !strcmp(l->a.u.say.text, "Out");
		assert_int_equal((l->t - start->t) % 1000, 0);
	}
	assert_int_equal(ups, 3);
	assert_int_equal(outs, 3);
	sim_free(s);
}

static void test_quit_ends_the_session(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_until(s, 4000);
	sim_input(s, INPUT_QUIT, 4000);
	const struct logged *end = find(s, ACTION_SESSION, 0);
	assert_non_null(end);
	assert_true(end->a.u.session.quit);
	assert_false(engine_in_session(s->e));
	sim_free(s);
}

/* Everything said and shown over whole sessions with one wiring. */
struct heard {
	char said[LOG_MAX][ROUTINE_TEXT_BYTES];
	int says;
	struct screen shown[LOG_MAX];
	int shows;
};

static void hear(void *ctx, kt_ms t, const struct action *a)
{
	struct heard *h = ctx;
	(void)t;
	if (a->kind == ACTION_SAY && h->says < LOG_MAX)
		strcpy(h->said[h->says++], a->u.say.text);
	if (a->kind == ACTION_SHOW && h->shows < LOG_MAX)
		h->shown[h->shows++] = a->u.screen;
}

static bool was_said(const struct heard *h, const char *text)
{
	for (int i = 0; i < h->says; i++)
		if (!strcmp(h->said[i], text))
			return true;
	return false;
}

/* The routine lived every way with this wiring. */
static struct heard *live_every_way(const struct routine *r, bool button,
				    bool mat)
{
	struct heard *h = calloc(1, sizeof *h);
	struct people p;
	people_start(&p, r, button, mat, hear, h);
	people_live_all(&p);
	people_end(&p);
	assert_true(h->says < LOG_MAX && h->shows < LOG_MAX);
	return h;
}

/* Whether a line is the routine's own words for an exercise: "Sit on the
 * mat" says where to sit, it asks for no input. */
static bool exercise_words(const struct routine *r, const char *text)
{
	for (int i = 0; i < r->exercises; i++) {
		const struct exercise *x = &r->exercise[i];
		const struct lines *l[] = {&x->say, &x->caution, &x->between,
					   &x->encourage};
		for (int k = 0; k < 4; k++)
			for (int j = 0; j < l[k]->count; j++)
				if (!strcmp(l[k]->line[j], text))
					return true;
	}
	return false;
}

/* Nothing said names the input that is not wired (with only the mat not
 * even the exercises' own words name the button), and every screen
 * offers only the one that is. */
static void offers_only_what_is_wired(const struct heard *h,
				      const struct routine *r, bool mat)
{
	const char *absent = mat ? "button" : "mat";
	for (int i = 0; i < h->says; i++)
		if ((mat || !exercise_words(r, h->said[i])) &&
		    people_mention(h->said[i], absent))
			fail_msg("a kiosk without the %s says '%s'", absent,
				 h->said[i]);
	for (int i = 0; i < h->shows; i++) {
		const struct screen *sc = &h->shown[i];
		assert_int_equal(sc->no_button, mat); /* screens.c's cue */
		if (sc->kind == SCREEN_WAITING)
			assert_int_equal(sc->trigger,
					 mat ? START_MAT : START_BUTTON);
		if (sc->kind == SCREEN_PAUSED)
			assert_int_equal(sc->reason,
					 mat ? PAUSE_MAT : PAUSE_BUTTON);
		if (sc->kind == SCREEN_ATTRACT)
			assert_int_equal(sc->mat_start, mat);
	}
}

/* Hands-free: with only the mat, nothing said over whole sessions (done,
 * paused off the mat, walked away from mid-hold and before a part)
 * mentions the button, and no screen offers it. The mat's own words are
 * said instead: how to stop, and how to start again. */
static void test_mat_only_never_mentions_the_button(void **state)
{
	(void)state;
	struct routine *r = load_builtin("assets");
	struct heard *h = live_every_way(r, false, true);
	offers_only_what_is_wired(h, r, true);
	const struct lines *safety = &r->safety_mat;
	assert_true(safety->count > 0);
	assert_true(was_said(h, safety->line[safety->count - 1]));
	assert_true(was_said(h, r->settings.phrase[PHRASE_ABANDONED_MAT]));
	assert_true(was_said(h, r->settings.phrase[PHRASE_PAUSED_MAT]));
	assert_false(was_said(h, r->settings.phrase[PHRASE_ABANDONED]));
	free(h);
	routine_free(r);
}

/* With only the button, nothing asks anyone to lie on the mat to start
 * or carry on: no phrase names the mat, and the screens never wait for it
 * nor offer it on the idle screen. */
static void test_button_only_never_asks_for_the_mat(void **state)
{
	(void)state;
	struct routine *r = load_builtin("assets");
	struct heard *h = live_every_way(r, true, false);
	offers_only_what_is_wired(h, r, false);
	assert_true(was_said(h, r->settings.phrase[PHRASE_ABANDONED]));
	assert_true(was_said(h, r->settings.phrase[PHRASE_PAUSED]));
	assert_true(was_said(h, r->safety.line[r->safety.count - 1]));
	free(h);
	routine_free(r);
}

/* ---- the red-flag screen ---- */

static int index_of(const struct sim *s, enum action_kind k, int nth)
{
	const struct logged *l = find(s, k, nth);
	return l ? (int)(l - s->log) : -1;
}

static int state_index(const struct sim *s, enum kiosk_state st)
{
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == ACTION_STATE &&
		    s->log[i].a.u.state == st)
			return i;
	return -1;
}

static int said_index(const struct sim *s, const char *text)
{
	for (int i = 0; i < s->n; i++)
		if (s->log[i].a.kind == ACTION_SAY &&
		    !strcmp(s->log[i].a.u.say.text, text))
			return i;
	return -1;
}

/* The built-in routine: safety words, then every red-flag line, on its
 * own screen, then the first exercise, hands-free (nothing to press). */
static void test_redflags_before_the_first_exercise(void **state)
{
	(void)state;
	struct sim *s = sim_builtin();
	const struct lines *rf = &s->r->redflags;
	assert_true(s->r->redflags_screen);
	assert_false(s->r->redflags_confirm);
	assert_true(rf->count >= 5);
	sim_input(s, INPUT_PRESS, 1000);
	sim_until_state(s, STATE_INTRO, 600000);
	int safety = state_index(s, STATE_SAFETY);
	int flags = state_index(s, STATE_REDFLAGS);
	int first = index_of(s, ACTION_EXERCISE, 0);
	assert_true(safety >= 0 && safety < flags && flags < first);
	const struct lines *sl = &s->r->safety;
	assert_true(said_index(s, sl->line[sl->count - 1]) < flags);
	int prev = flags;
	for (int i = 0; i < rf->count; i++) {
		int at = said_index(s, rf->line[i]);
		assert_true(at > prev && at < first);
		/* Said on its own screen, as its caption. */
		const struct action *shown = &s->log[at - 1].a;
		assert_int_equal(shown->kind, ACTION_SHOW);
		assert_int_equal(shown->u.screen.kind, SCREEN_REDFLAGS);
		assert_false(shown->u.screen.confirm);
		assert_string_equal(shown->u.screen.caption, rf->line[i]);
		prev = at;
	}
	assert_int_equal(count(s, ACTION_CONFIRMED), 0);
	assert_int_equal(
	    said_index(s, s->r->settings.phrase[PHRASE_REDFLAGS_CONFIRM]), -1);
	sim_free(s);
}

/* With redflags_confirm the session waits after the words; a press then
 * means "none of these apply", is recorded, and the exercise follows. */
static void test_redflags_confirm_waits_for_a_press(void **state)
{
	(void)state;
	struct sim *s = sim_new(confirm_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	const char *ask = s->r->settings.phrase[PHRASE_REDFLAGS_CONFIRM];
	sim_until(s, 40000);
	assert_int_equal(engine_state(s->e), STATE_REDFLAGS);
	int asked = said_index(s, ask);
	assert_true(asked > said_index(s, "Nor if that."));
	const struct action *shown = &last(s, ACTION_SHOW)->a;
	assert_int_equal(shown->u.screen.kind, SCREEN_REDFLAGS);
	assert_true(shown->u.screen.confirm);
	assert_int_equal(count(s, ACTION_EXERCISE), 0);
	sim_input(s, INPUT_PRESS, 40000);
	const struct logged *ok = find(s, ACTION_CONFIRMED, 0);
	assert_non_null(ok);
	assert_int_equal(ok->t, 40000);
	assert_true(index_of(s, ACTION_CONFIRMED, 0) <
		    index_of(s, ACTION_EXERCISE, 0));
	assert_int_equal(engine_state(s->e), STATE_INTRO);
	sim_cooperate(s, 600000);
	assert_int_equal(find(s, ACTION_SESSION, 0)->a.u.session.result,
			 RESULT_COMPLETED);
	assert_false(find(s, ACTION_SESSION, 0)->a.u.session.redflags);
	sim_free(s);
}

/* Nobody confirms: given up start_timeout after the question, like a
 * part nobody starts, and marked as ended on the red-flag screen. */
static void test_redflags_never_confirmed_abandons(void **state)
{
	(void)state;
	struct sim *s = sim_new(confirm_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_until(s, 3600000);
	const char *ask = s->r->settings.phrase[PHRASE_REDFLAGS_CONFIRM];
	kt_ms asked = s->log[said_index(s, ask)].t;
	const struct logged *end = find(s, ACTION_SESSION, 0);
	assert_non_null(end);
	assert_int_equal(end->a.u.session.result, RESULT_ABANDONED);
	assert_int_equal(end->t, asked + 60000);
	assert_int_equal(end->a.u.session.index, 0);
	assert_true(end->a.u.session.redflags);
	assert_int_equal(count(s, ACTION_EXERCISE), 0);
	assert_int_equal(count(s, ACTION_CONFIRMED), 0);
	assert_int_equal(engine_state(s->e), STATE_ATTRACT);
	sim_free(s);
}

/* A press while the lines are still said pauses, as anywhere else; it
 * is not an answer to a question not yet asked. */
static void test_redflags_press_during_the_words_pauses(void **state)
{
	(void)state;
	struct sim *s = sim_new(confirm_routine, true);
	sim_input(s, INPUT_PRESS, 0);
	sim_until_state(s, STATE_REDFLAGS, 60000);
	sim_input(s, INPUT_PRESS, s->now + 100);
	assert_int_equal(engine_state(s->e), STATE_PAUSED);
	assert_int_equal(count(s, ACTION_CONFIRMED), 0);
	assert_int_equal(last(s, ACTION_SHOW)->a.u.screen.kind, SCREEN_PAUSED);
	sim_input(s, INPUT_PRESS, s->now + 5000);
	assert_int_equal(engine_state(s->e), STATE_REDFLAGS);
	/* The cut-off line is said again, then the question. */
	sim_until(s, s->now + 30000);
	assert_true(
	    said_index(s, s->r->settings.phrase[PHRASE_REDFLAGS_CONFIRM]) > 0);
	assert_int_equal(count(s, ACTION_EXERCISE), 0);
	sim_input(s, INPUT_PRESS, s->now);
	assert_int_equal(count(s, ACTION_CONFIRMED), 1);
	assert_int_equal(count(s, ACTION_EXERCISE), 1);
	sim_free(s);
}

/* Holding the button stops on the red-flag screen too, while it speaks
 * or while it waits, and the session says where it ended. */
static void test_redflags_long_press_stops(void **state)
{
	(void)state;
	for (int waiting = 0; waiting < 2; waiting++) {
		struct sim *s = sim_new(confirm_routine, true);
		sim_input(s, INPUT_PRESS, 0);
		kt_ms at = sim_until_state(s, STATE_REDFLAGS, 60000) + 500;
		if (waiting)
			at += 20000;
		sim_input(s, INPUT_LONG_PRESS, at);
		const struct logged *end = find(s, ACTION_SESSION, 0);
		assert_non_null(end);
		assert_int_equal(end->a.u.session.result, RESULT_STOPPED);
		assert_true(end->a.u.session.redflags);
		assert_int_equal(end->a.u.session.index, 0);
		assert_int_equal(engine_state(s->e), STATE_ATTRACT);
		sim_free(s);
	}
}

/* A routine may turn the screen off on purpose: then it is not there. */
static void test_redflags_off_is_left_out(void **state)
{
	(void)state;
	struct sim *s = sim_new(test_routine, true);
	assert_false(s->r->redflags_screen);
	sim_input(s, INPUT_PRESS, 0);
	sim_cooperate(s, 600000);
	assert_int_equal(state_index(s, STATE_REDFLAGS), -1);
	sim_free(s);
}

/* The length on the idle screen and in kiosk --check includes the
 * red-flag words, and a press to confirm costs a cooperative person no
 * more than the question. */
static void test_estimate_includes_the_redflags(void **state)
{
	(void)state;
	struct routine *r = load_builtin("assets");
	struct engine_options o = {.have_button = true, .have_mat = true};
	kt_ms with = engine_estimate(r, &o);
	kt_ms words = 0;
	for (int i = 0; i < r->redflags.count; i++)
		words +=
		    text_speech_estimate(r->redflags.line[i], r->settings.rate);
	r->redflags_screen = false;
	kt_ms without = engine_estimate(r, &o);
	assert_true(with - without >= words);
	assert_true(with - without <= words + 600 * r->redflags.count + 600);
	r->redflags_screen = true;
	r->redflags_confirm = true;
	kt_ms confirm = engine_estimate(r, &o);
	assert_true(confirm >= with);
	assert_true(
	    confirm - with <=
	    text_speech_estimate(r->settings.phrase[PHRASE_REDFLAGS_CONFIRM],
				 r->settings.rate) +
		600);
	routine_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_starts_on_attract),
	    cmocka_unit_test(test_screen_before_start_is_the_first_shown),
	    cmocka_unit_test(test_full_session_walks_every_state),
	    cmocka_unit_test(test_hold_ends_exactly_on_time),
	    cmocka_unit_test(test_pause_freezes_and_shifts_the_end),
	    cmocka_unit_test(test_resume_shows_the_countdown_at_once),
	    cmocka_unit_test(test_long_press_stops),
	    cmocka_unit_test(test_waiting_too_long_abandons),
	    cmocka_unit_test(test_pause_too_long_abandons),
	    cmocka_unit_test(test_auto_parts_never_abandon),
	    cmocka_unit_test(test_mat_hold_pauses_off_the_mat),
	    cmocka_unit_test(test_already_on_the_mat_counts),
	    cmocka_unit_test(test_mat_start_can_be_off),
	    cmocka_unit_test(test_no_mat_means_button),
	    cmocka_unit_test(test_mat_only_session_lying_down),
	    cmocka_unit_test(test_mat_only_absence_abandons),
	    cmocka_unit_test(test_check_in_is_answered_with_what_is_wired),
	    cmocka_unit_test(test_wiring_can_change),
	    cmocka_unit_test(test_idle_screen_follows_the_wiring),
	    cmocka_unit_test(test_builtin_lines_never_overlap),
	    cmocka_unit_test(test_estimate_matches_a_session),
	    cmocka_unit_test(test_reps_say_cues_on_the_breath),
	    cmocka_unit_test(test_quit_ends_the_session),
	    cmocka_unit_test(test_mat_only_never_mentions_the_button),
	    cmocka_unit_test(test_button_only_never_asks_for_the_mat),
	    cmocka_unit_test(test_redflags_before_the_first_exercise),
	    cmocka_unit_test(test_redflags_confirm_waits_for_a_press),
	    cmocka_unit_test(test_redflags_never_confirmed_abandons),
	    cmocka_unit_test(test_redflags_press_during_the_words_pauses),
	    cmocka_unit_test(test_redflags_long_press_stops),
	    cmocka_unit_test(test_redflags_off_is_left_out),
	    cmocka_unit_test(test_estimate_includes_the_redflags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
