/*
 * routine.c - defaults, phrase names and the allocation arena of a routine.
 */
#include "routine.h"

#include <stdlib.h>
#include <strings.h>

static const struct {
	const char *key, *text;
} phrases[PHRASE_COUNT] = {
    [PHRASE_EXERCISE] = {"exercise", "Exercise {n} of {total}: {name}."},
    [PHRASE_NEXT] = {"next", "Next: {name}."},
    [PHRASE_GET_READY] = {"get_ready", "Get ready."},
    [PHRASE_BEGIN] = {"begin", "Begin."},
    [PHRASE_WAIT_BUTTON] = {"wait_button",
			    "Press the big button when you are in position."},
    [PHRASE_WAIT_MAT] = {"wait_mat", "Lie down on the mat when you are ready."},
    [PHRASE_HALFWAY] = {"halfway", "Halfway there."},
    [PHRASE_END] = {"end", "And relax."},
    [PHRASE_REPEAT] = {"repeat", "Round {repeat} of {repeats}."},
    [PHRASE_IN] = {"in", "In"},
    [PHRASE_OUT] = {"out", "Out"},
    [PHRASE_HOLD] = {"hold", "Hold"},
    [PHRASE_PAUSED] = {"paused",
		       "Paused. Press the button when you want to carry on."},
    [PHRASE_PAUSED_MAT] = {"paused_mat",
			   "Paused. Come back onto the mat to carry on."},
    [PHRASE_RESUMED] = {"resumed", "Carrying on."},
    [PHRASE_STOPPED] = {"stopped", "Session stopped. Thank you for taking "
				   "a moment for your back."},
    [PHRASE_ABANDONED] = {"abandoned",
			  "It looks like you have stepped away, so the "
			  "session has ended. Press the button to start "
			  "again whenever you like."},
    [PHRASE_ABANDONED_MAT] = {"abandoned_mat",
			      "It looks like you have stepped away, so the "
			      "session has ended. Lie down on the mat to "
			      "start again whenever you like."},
    [PHRASE_WELL_DONE] = {"well_done", "Well done."},
    [PHRASE_REDFLAGS_CONFIRM] = {"redflags_confirm",
				 "If none of these apply to you, press the big "
				 "button to go on."},
    [PHRASE_CHECK_IN] = {"check_in", "Are you still there? Press the big "
				     "button to go on."},
    [PHRASE_CHECK_IN_MAT] = {"check_in_mat",
			     "Are you still there? Step onto the mat to go on."},
    [PHRASE_SKIPPED] = {"skipped", "Skipping {name}."},
};

static const struct {
	const char *key, *text;
} words[WORD_COUNT] = {
    [WORD_BREATHE_IN] = {"breathe_in", "Breathe in"},
    [WORD_BREATHE_HOLD] = {"breathe_hold", "Hold"},
    [WORD_BREATHE_OUT] = {"breathe_out", "Breathe out"},
    [WORD_ABOUT] = {"about", "Gentle guided exercises for your mid back, "
			     "about {minutes} minutes."},
    [WORD_START] = {"start", "Press the big button to start"},
    [WORD_START_MAT] = {"start_mat", "or lie down on the mat"},
    [WORD_BEFORE] = {"before", "Before you start"},
    [WORD_STOP_HINT] = {"stop_hint",
			"To stop at any time, hold the big button down."},
    [WORD_STOP_HINT_MAT] = {"stop_hint_mat",
			    "To stop at any time, get up and step away. The "
			    "session ends by itself."},
    [WORD_EXERCISE] = {"exercise", "Exercise {n} of {total}"},
    [WORD_ROUND] = {"round", "Round {repeat} of {repeats}"},
    [WORD_GET_READY] = {"get_ready", "Get ready"},
    [WORD_REST] = {"rest", "Rest"},
    [WORD_NEXT] = {"next", "Next: {name}"},
    [WORD_NEXT_ROUND] = {"next_round", "Next: round {repeat} of {repeats}"},
    [WORD_PRESS] = {"press", "Press the big button"},
    [WORD_PRESS_MORE] = {"press_more", "when you are in position"},
    [WORD_LIE_DOWN] = {"lie_down", "Lie down on the mat"},
    [WORD_LIE_DOWN_MORE] = {"lie_down_more",
			    "or press the big button when you are in position"},
    [WORD_REP] = {"rep", "Rep {rep} of {reps}"},
    [WORD_PAUSED] = {"paused", "Paused"},
    [WORD_PAUSED_REP] = {"paused_rep", "Stopped at rep {rep} of {reps}"},
    [WORD_PAUSED_TIME] = {"paused_time", "{seconds} seconds to go"},
    [WORD_RESUME] = {"resume", "Press the big button to carry on"},
    [WORD_RESUME_MAT] = {"resume_mat", "Come back onto the mat to carry on"},
    [WORD_HOLD_TO_STOP] = {"hold_to_stop", "Hold the button down to stop"},
    [WORD_WELL_DONE] = {"well_done", "Well done"},
    [WORD_DONE] = {"done", "{exercises} exercises in {time}"},
    [WORD_REDFLAGS] = {"redflags", "Check before you start"},
    [WORD_REDFLAGS_HINT] = {"redflags_hint",
			    "If any of these apply, do not start. Speak to "
			    "staff or a doctor."},
    [WORD_REDFLAGS_CONFIRM] = {"redflags_confirm",
			       "None of these apply? Press the big button."},
};

const char *routine_word_key(enum word w)
{
	return w < WORD_COUNT ? words[w].key : "?";
}

const char *routine_phrase_key(enum phrase p)
{
	return p < PHRASE_COUNT ? phrases[p].key : "?";
}

void routine_settings_defaults(struct settings *s)
{
	*s = (struct settings){
	    .language = "en",
	    .voice = "",
	    .audio_device = "default",
	    .rate = 150,
	    .pitch = 50,
	    .volume = 80,
	    .long_press = 2000,
	    .mat_start = true,
	    .start_timeout = 90000,
	    .pause_timeout = 300000,
	    .get_ready = 5000,
	    .done_time = 20000,
	    .countdown = 5,
	    .cues = CUE_ALL,
	    .frame_rate = 30,
	    .animation = true,
	    .input =
		{
		    [LINE_BUTTON] = {.line = "GPIO17",
				     .active_low = true,
				     .debounce = 30},
		    [LINE_MAT] = {.line = "GPIO27",
				  .active_low = true,
				  .debounce = 150},
		},
	};
	for (int i = 0; i < PHRASE_COUNT; i++)
		s->phrase[i] = phrases[i].text;
	for (int i = 0; i < WORD_COUNT; i++)
		s->word[i] = words[i].text;
}

const char *routine_breath_word(const struct settings *s, enum breath_phase p)
{
	switch (p) {
	case BREATH_IN:
		return s->phrase[PHRASE_IN];
	case BREATH_OUT:
		return s->phrase[PHRASE_OUT];
	case BREATH_HOLD:
		return s->phrase[PHRASE_HOLD];
	case BREATH_NONE:
		break;
	}
	return NULL;
}

const char *routine_breath_name(enum breath_phase p)
{
	static const char *const n[] = {"none", "in", "hold", "out"};
	return p <= BREATH_OUT ? n[p] : "?";
}

const char *routine_trigger_name(enum start_trigger t)
{
	static const char *const n[] = {"auto", "button", "mat"};
	return t <= START_MAT ? n[t] : "?";
}

/* ---- the kinds of exercise: the one place that knows them ---- */

static const struct kind_def kind_table[KIND_COUNT] = {
    [KIND_HOLD] =
	{
	    .name = "hold",
	    .uses = KEYS_SECONDS | KEYS_BREATH,
	    .needs = KEYS_SECONDS,
	    .unit = UNIT_SECONDS,
	    .unit_key = "seconds",
	},
    [KIND_REPS] =
	{
	    .name = "reps",
	    .uses = KEYS_REPS | KEYS_BREATH | KEYS_CUES,
	    .needs = KEYS_REPS | KEYS_BREATH,
	    .unit = UNIT_REPS,
	    .unit_key = "reps",
	    .breath_why = "counts one repetition a breath",
	    .phase_cues = true,
	},
    [KIND_FREE] =
	{
	    .name = "free",
	    .uses = KEYS_SECONDS | KEYS_ENCOURAGE,
	    .needs = KEYS_SECONDS,
	    .unit = UNIT_SECONDS,
	    .unit_key = "seconds",
	},
};

const struct kind_def *kind_def(enum exercise_kind k)
{
	return &kind_table[(unsigned)k < KIND_COUNT ? k : 0];
}

const char *routine_kind_name(enum exercise_kind k)
{
	return (unsigned)k < KIND_COUNT ? kind_table[k].name : "?";
}

int kind_find(const char *name)
{
	for (int k = 0; k < KIND_COUNT; k++)
		if (!strcasecmp(name, kind_table[k].name))
			return k;
	return -1;
}

int breath_cycle_seconds(const struct breath *b)
{
	int s = 0;
	for (int i = 0; i < b->count; i++)
		s += b->seconds[i];
	return s;
}

int exercise_amount(const struct exercise *x)
{
	return kind_def(x->kind)->unit == UNIT_REPS ? x->reps
						    : (int)(x->seconds / 1000);
}

void exercise_set_amount(struct exercise *x, int v)
{
	if (kind_def(x->kind)->unit == UNIT_REPS)
		x->reps = v;
	else
		x->seconds = (kt_ms)v * 1000;
}

kt_ms exercise_part_ms(const struct exercise *x)
{
	if (kind_def(x->kind)->unit == UNIT_REPS)
		return (kt_ms)x->reps * breath_cycle_seconds(&x->breath) * 1000;
	return x->seconds;
}

void routine_free(struct routine *r)
{
	if (!r)
		return;
	routine_arena_free(r->arena);
	free(r);
}

/* ---- arena: every allocation of a routine, freed in one go ---- */

struct arena_chunk {
	struct arena_chunk *next;
	max_align_t data[];
};

void *routine_arena_alloc(void **arena, size_t size)
{
	struct arena_chunk *c = calloc(1, sizeof *c + size);
	if (!c)
		return NULL;
	c->next = *arena;
	*arena = c;
	return c->data;
}

void routine_arena_free(void *arena)
{
	for (struct arena_chunk *c = arena, *next; c; c = next) {
		next = c->next;
		free(c);
	}
}
