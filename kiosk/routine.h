/*
 * routine.h - the routine and its settings, as loaded from a routine file.
 *
 * A struct routine is plain data: config.c builds it, the engine reads it.
 * It owns every string and array it points to (one allocation arena, see
 * routine_free). After loading, only progress_apply (progress.h) changes
 * it: the seconds or reps of exercises that progress, on the main thread,
 * while no session is running. Otherwise it may be shared read-only by any
 * number of readers. Not thread-safe to free while in use.
 */
#ifndef KIOSK_ROUTINE_H
#define KIOSK_ROUTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gesture.h" /* the lines: LINE_BUTTON, ... */
#include "ktime.h"

/* Limits the validator enforces; also the sizes of the engine's buffers. */
#define ROUTINE_TEXT_MAX 150 /* one spoken line / caption, characters */
#define ROUTINE_NAME_MAX 40  /* routine and exercise names, characters */
/* Buffer sizes that hold those limits in UTF-8, with the NUL. */
#define ROUTINE_TEXT_BYTES    (4 * ROUTINE_TEXT_MAX + 1)
#define ROUTINE_NAME_BYTES    (4 * ROUTINE_NAME_MAX + 1)
#define ROUTINE_PATH_MAX      255
#define ROUTINE_PICTURE_MAX   (16 * 1024 * 1024) /* an illustration, bytes */
#define ROUTINE_EXERCISES_MAX 32
#define ROUTINE_LINES_MAX     16 /* lines of one text key */
#define ROUTINE_PHASES_MAX    4	 /* breath phases in one cycle */

/* The kinds of exercise. What differs between them is in the kind table
 * (struct kind_def, routine.c): add a kind there and here, last, and
 * move KIND_COUNT on (a row past it does not compile). KIND_COUNT is no
 * enumerator, so a switch over the kinds needs no case for it. */
enum exercise_kind { KIND_HOLD, KIND_REPS, KIND_FREE };
#define KIND_COUNT (KIND_FREE + 1)
enum start_trigger { START_AUTO, START_BUTTON, START_MAT };
enum breath_phase { BREATH_NONE, BREATH_IN, BREATH_HOLD, BREATH_OUT };

/* Which optional cues are spoken (bit set). */
enum cue {
	CUE_EXERCISE = 1 << 0, /* "Exercise 2 of 6: ..." */
	CUE_NEXT = 1 << 1,     /* "Next: ..." after an exercise */
	CUE_GET_READY = 1 << 2,
	CUE_HALFWAY = 1 << 3,
	CUE_COUNTDOWN = 1 << 4, /* the last seconds of a hold */
	CUE_END = 1 << 5,	/* end of a hold */
	CUE_ALL = (1 << 6) - 1,
};

struct lines {
	const char **line;
	int count;
};

struct breath {
	enum breath_phase phase[ROUTINE_PHASES_MAX];
	int seconds[ROUTINE_PHASES_MAX];
	int count; /* 0 = no breath counting */
};

/* Optional progression: an exercise that grows over the weeks (hold about
 * 30 s, working up toward 5 minutes). Units are the exercise's own: whole
 * seconds for kind hold and free, reps for kind reps. `start` is the
 * file's `seconds` or `reps`, copied here when the file is read, so it
 * survives progress_apply changing those. step 0: no progression. */
struct progression {
	int start; /* the file's seconds or reps */
	int step;  /* added after every `every` completed sessions; 0: off */
	int max;   /* never beyond this */
	int every; /* completed sessions per step, 1 to 100 (default 1) */
};

/* Groups of [exercise] keys that only some kinds use. config.c tags each
 * key with its group; a key without one (0) applies to every kind. */
enum key_group {
	KEYS_SECONDS = 1 << 0,	 /* seconds */
	KEYS_REPS = 1 << 1,	 /* reps */
	KEYS_BREATH = 1 << 2,	 /* breath */
	KEYS_CUES = 1 << 3,	 /* cue_in, cue_hold, cue_out */
	KEYS_ENCOURAGE = 1 << 4, /* encourage, encourage_every */
};

/* How a part is measured: its length, and the unit progression steps. */
enum kind_unit {
	UNIT_SECONDS, /* `seconds` long; progression adds seconds */
	UNIT_REPS,    /* `reps` breath cycles; progression adds reps */
};

/* Everything that varies by kind, one row each in kind_table. */
struct kind_def {
	const char *name; /* as written in the file and the event record */
	unsigned uses;	  /* enum key_group bits the kind accepts */
	unsigned needs;	  /* of those, the groups it must be given */
	enum kind_unit unit;
	const char *unit_key; /* the key that sets the unit: "seconds" */
	/* Why breath cannot be 'none' (the kind needs KEYS_BREATH). */
	const char *breath_why;
	bool phase_cues; /* speaks each breath phase, not a countdown */
};

struct exercise {
	const char *name;
	const char *illustration; /* resolved path, or NULL */
	struct lines say, caution, between, encourage;
	enum exercise_kind kind;
	enum start_trigger start;
	kt_ms seconds; /* hold and free: length of one repeat, in ms */
	int reps;
	struct breath breath;
	const char
	    *cue[4]; /* reps: indexed by enum breath_phase; NULL = word */
	kt_ms encourage_every;
	int repeats;
	kt_ms rest;
	kt_ms get_ready; /* -1 until resolved: then [settings] get_ready */
	struct progression progress;
	/* Ask "still there?" after this long with no sign of the person;
	 * 0: never. -1 until resolved: then [settings] check_in. */
	kt_ms check_in;
	int line; /* line of its [exercise] header, for messages */
};

/* Fixed words; every one has an English default and may be translated. */
enum phrase {
	PHRASE_EXERCISE,
	PHRASE_NEXT,
	PHRASE_GET_READY,
	PHRASE_BEGIN,
	PHRASE_WAIT_BUTTON,
	PHRASE_WAIT_MAT,
	PHRASE_HALFWAY,
	PHRASE_END,
	PHRASE_REPEAT,
	PHRASE_IN,
	PHRASE_OUT,
	PHRASE_HOLD,
	PHRASE_PAUSED,
	PHRASE_PAUSED_MAT,
	PHRASE_RESUMED,
	PHRASE_STOPPED,
	PHRASE_ABANDONED,
	PHRASE_ABANDONED_MAT, /* the same, on a kiosk with only the mat */
	PHRASE_WELL_DONE,
	PHRASE_REDFLAGS_CONFIRM, /* asks for the press that confirms */
	PHRASE_CHECK_IN,	 /* "still there?": asks for a press */
	PHRASE_CHECK_IN_MAT,	 /* the same, on a kiosk with only the mat */
	PHRASE_SKIPPED,		 /* an exercise was skipped */
	PHRASE_COUNT
};

/* Words printed on the screens, never spoken; [screen] in the file. */
enum word {
	WORD_BREATHE_IN,
	WORD_BREATHE_HOLD,
	WORD_BREATHE_OUT,
	WORD_ABOUT,
	WORD_START,
	WORD_START_MAT,
	WORD_BEFORE,
	WORD_STOP_HINT,
	WORD_STOP_HINT_MAT, /* the same, on a kiosk with only the mat */
	WORD_EXERCISE,
	WORD_ROUND,
	WORD_GET_READY,
	WORD_REST,
	WORD_NEXT,
	WORD_NEXT_ROUND,
	WORD_PRESS,
	WORD_PRESS_MORE,
	WORD_LIE_DOWN,
	WORD_LIE_DOWN_MORE,
	WORD_REP,
	WORD_PAUSED,
	WORD_PAUSED_REP,
	WORD_PAUSED_TIME,
	WORD_RESUME,
	WORD_RESUME_MAT,
	WORD_HOLD_TO_STOP,
	WORD_WELL_DONE,
	WORD_DONE,
	WORD_REDFLAGS,	       /* the red-flag screen's heading */
	WORD_REDFLAGS_HINT,    /* its foot: what to do if one applies */
	WORD_REDFLAGS_CONFIRM, /* its foot while it waits for the press */
	WORD_COUNT
};

/* One input's wiring: [settings] <role>_line, <role>_active_low and
 * <role>_debounce_ms, the role being its row's in the line table. */
struct line_settings {
	const char *line; /* see linespec.h */
	bool active_low;
	kt_ms debounce; /* settle time, ms */
};

struct settings {
	const char *language, *voice, *audio_device;
	int rate, pitch, volume;
	int voice_line; /* where language or voice was set; 0: defaults */
	kt_ms long_press;
	bool mat_start;
	kt_ms start_timeout, pause_timeout, get_ready, done_time;
	kt_ms check_in; /* each exercise's default; 0: never ask */
	int countdown;
	unsigned cues;	/* enum cue bits */
	int frame_rate; /* screen animation, frames a second at most */
	bool animation; /* attract animation and breath pacer motion */
	struct line_settings input[LINE_COUNT];
	const char *phrase[PHRASE_COUNT];
	const char *word[WORD_COUNT];
};

struct routine {
	const char *name;
	struct lines intro, safety, outro;
	struct lines safety_mat; /* instead of safety with only the mat */
	/* The red-flag screen, after the safety words and before the first
	 * exercise: who should not start. Off only when the file says so
	 * (config.c refuses a routine that is on with no lines). */
	struct lines redflags;
	bool redflags_screen;  /* shown at all (default yes) */
	bool redflags_confirm; /* a press must confirm none applies */
	bool redflags_builtin; /* the file has no red-flag keys: its lines
				  are the built-in routine's */
	struct settings settings;
	struct exercise *exercise;
	int exercises;
	void *arena; /* owns everything above; see routine_free */
};

/* The settings a routine file starts from: every optional key's default. */
void routine_settings_defaults(struct settings *s);

/* Name of a phrase key as written in [phrases], of a word in [screen]. */
const char *routine_phrase_key(enum phrase p);
const char *routine_word_key(enum word w);

/* Names as written in the routine file and the event record. */
const char *routine_breath_name(enum breath_phase p);
const char *routine_trigger_name(enum start_trigger t);
const char *routine_kind_name(enum exercise_kind k);

/* The row of kind k (a valid kind). */
const struct kind_def *kind_def(enum exercise_kind k);
/* The kind whose name is `name` (any case); -1 if none. */
int kind_find(const char *name);
/* An exercise's size in its kind's unit (whole seconds or reps), and
 * the way to change it; and how long one part lasts, in ms. */
int exercise_amount(const struct exercise *x);
void exercise_set_amount(struct exercise *x, int v);
kt_ms exercise_part_ms(const struct exercise *x);
/* Seconds of one breath cycle; 0 without breath counting. */
int breath_cycle_seconds(const struct breath *b);

const char *routine_breath_word(const struct settings *s, enum breath_phase p);

/* Free the routine and everything in its arena. NULL is fine. */
void routine_free(struct routine *r);

/* The arena: zeroed blocks chained on *arena, all freed by routine_arena_free.
 */
void *routine_arena_alloc(void **arena, size_t size);
void routine_arena_free(void *arena);

#endif
