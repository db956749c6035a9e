/*
 * engine.h - the session engine: the pure heart of the kiosk.
 *
 * The engine takes one thing that happened (a button gesture, a mat change,
 * a deadline reached, quit) together with the current time, and answers with
 * actions: say this line, stop talking, show this screen, chime, record this,
 * and the next time it wants to be woken. It performs no I/O, reads no clock,
 * allocates only in engine_new, and knows nothing of SDL, eSpeak NG,
 * PortAudio or libgpiod. That wall is what lets the same engine run on the
 * real clock, on a virtual clock in tests, and in routine_estimate().
 *
 * Ownership: the engine borrows the routine given to engine_new (and to
 * engine_set_routine) and never frees it; keep it alive while the engine
 * uses it. Actions are self-contained values (text is copied in), so they
 * stay valid after the engine moves on. Not thread-safe: one caller only.
 *
 * People who leave. The engine cannot see anyone; it sees signs: a press,
 * a double press, the mat going on or off, and the mat being on. Three
 * rules end a session nobody is doing:
 *  - Check-in. Each exercise has a check_in time (routine file; 0: off).
 *    Once that long has passed without a sign, the kiosk asks "Are you
 *    still there?" (ACTION_CHECK_IN) and waits ENGINE_CHECK_IN_WAIT
 *    (30 s) for any sign; none, and the session is given up. It asks only where it would otherwise
 *    go on without the person: before a timed part that starts by itself
 *    (it then waits for a press, shown as a waiting screen with
 *    check_in set), while waiting for the button or the mat (a wait that
 *    begins with the check-in already due is itself the question), and
 *    while paused off the mat (paused_at + check_in). Never in the middle
 *    of a timed part, nor in a pause the person chose with the button
 *    (pause_timeout alone governs that one).
 *  - A step is not a visit. Lying down starts a session only once the mat
 *    has stayed on for MAT_START_SETTLE (3 s).
 *  - Gone before it began. Off the mat before the first exercise, and
 *    still off EARLY_LEAVE (5 s) later with no press: given up.
 * A new session always starts from the attract screen, so the next
 * visitor's press starts their own.
 *
 * Skipping: a double press (gesture.h) during an exercise skips it: the
 * first press of the pair has already acted as a press (paused, or
 * started the part); the second ends the exercise where it is, says so,
 * emits ACTION_SKIP and goes on to the rest before the next one (or the
 * closing words after the last). A double press anywhere else is a press.
 * The session action counts the exercises skipped.
 *
 * Time: `now` is a kt_ms on one monotonic timeline and never goes back.
 * Deadlines are absolute; a timed part ends exactly its length after it
 * began, plus the time spent paused.
 */
#ifndef KIOSK_ENGINE_H
#define KIOSK_ENGINE_H

#include <stdbool.h>

#include "ktime.h"
#include "routine.h"

enum kiosk_state {
	STATE_ATTRACT,	/* idle, inviting */
	STATE_SAFETY,	/* session opening: welcome and safety words */
	STATE_REDFLAGS, /* who should not start; may wait for a press */
	STATE_INTRO,	/* an exercise is introduced and explained */
	STATE_READY,	/* "get ready": counting down to an automatic start */
	STATE_WAITING,	/* waiting for a button press or for the mat */
	STATE_RUNNING,	/* the timed part: hold, reps or free hold */
	STATE_PAUSED,
	STATE_REST, /* between repeats, or between exercises */
	STATE_DONE, /* routine complete, closing words */
	STATE_COUNT
};

enum screen_kind {
	SCREEN_ATTRACT,
	SCREEN_SAFETY,
	SCREEN_REDFLAGS,
	SCREEN_INTRO,
	SCREEN_READY,
	SCREEN_WAITING,
	SCREEN_HOLD,
	SCREEN_REPS,
	SCREEN_PAUSED,
	SCREEN_REST,
	SCREEN_DONE,
};

enum pause_reason { PAUSE_BUTTON, PAUSE_MAT };
enum session_result { RESULT_COMPLETED, RESULT_STOPPED, RESULT_ABANDONED };
enum chime { CHIME_START, CHIME_END };

/* Everything a screen shows, by value. Fields that do not apply are 0/"". */
struct screen {
	enum screen_kind kind;
	char title[ROUTINE_NAME_BYTES];	  /* exercise, or routine name */
	char caption[ROUTINE_TEXT_BYTES]; /* the line being spoken */
	char illustration[ROUTINE_PATH_MAX + 1];
	char next[ROUTINE_NAME_BYTES]; /* rest: what comes next */
	int index, exercises;	       /* exercise k of n (1-based) */
	int remaining, total;	       /* seconds */
	int repeat, repeats;
	int rep, reps;
	enum breath_phase breath;
	int count;     /* second within the breath phase, 1-based */
	int phase_len; /* seconds in this breath phase */
	enum start_trigger trigger; /* waiting */
	enum pause_reason reason;   /* paused */
	int minutes;		    /* attract: routine length */
	bool mat_start;		    /* attract: lying down starts */
	bool no_button;		    /* no button is wired: don't offer it */
	bool confirm;		    /* redflags: awaiting its press */
	bool check_in;		    /* waiting: "are you still there?" */
	int elapsed;		    /* done: session length, seconds */
};

enum action_kind {
	ACTION_STATE,
	ACTION_SAY,
	ACTION_HUSH, /* cut off whatever is being said */
	ACTION_SHOW,
	ACTION_CHIME,
	ACTION_EXERCISE,  /* an exercise begins */
	ACTION_PART,	  /* a timed part starts or ends */
	ACTION_SESSION,	  /* a session ends, with its result */
	ACTION_CONFIRMED, /* the red-flag screen was confirmed by a press */
	ACTION_SKIP,	  /* an exercise was skipped (u.exercise) */
	ACTION_CHECK_IN,  /* "still there?" asked: an answer is due */
};

struct action {
	enum action_kind kind;
	union {
		enum kiosk_state state;
		struct {
			char text[ROUTINE_TEXT_BYTES];
			kt_ms duration; /* what the engine planned for */
		} say;
		struct screen screen;
		enum chime chime;
		struct {
			int index;
			char name[ROUTINE_NAME_BYTES];
		} exercise;
		struct {
			bool start;
			int index, repeat;
			enum exercise_kind kind;
			int seconds;
		} part;
		struct {
			enum session_result result;
			int index; /* exercise reached, 0 before the first */
			bool quit; /* ended because the kiosk was asked to quit
				    */
			bool redflags; /* ended on the red-flag screen */
			int skipped;   /* exercises skipped in it */
			/* bit i: exercise i+1 was skipped (up to 32) */
			unsigned skipped_mask;
		} session;
	} u;
};

#define ACTIONS_MAX 24

/* How long "are you still there?" waits for an answer (ms). */
#define ENGINE_CHECK_IN_WAIT 30000

/* What one call to the engine produced. */
struct actions {
	struct action item[ACTIONS_MAX];
	int count;
	int dropped; /* actions lost to a full buffer: a bug if ever > 0 */
	kt_ms wake;  /* wake the engine at this time (KT_NEVER: no need) */
};

enum engine_input {
	INPUT_PRESS,
	INPUT_LONG_PRESS,
	INPUT_MAT_ON,
	INPUT_MAT_OFF,
	INPUT_QUIT,
	INPUT_DOUBLE_PRESS, /* skips the exercise; elsewhere a press */
};

/* How long a line takes to say. The default estimates it from the
 * speaking rate; the voice adapter can supply the real length. */
typedef kt_ms (*speech_length_fn)(void *ctx, const char *text, int rate);

struct engine_options {
	speech_length_fn speech_length; /* NULL: text_speech_estimate */
	void *speech_ctx;
	/* What is wired. No mat: mat-started parts wait for the button.
	 * No button: button-started parts start by themselves and lying on
	 * the mat starts a session whatever mat_start says. */
	bool have_button, have_mat;
};

struct engine;

struct engine *engine_new(const struct routine *r,
			  const struct engine_options *opt);
void engine_free(struct engine *e);

/* Enter the attract screen. Call once, first. */
void engine_start(struct engine *e, kt_ms now, struct actions *out);

void engine_input(struct engine *e, enum engine_input in, kt_ms now,
		  struct actions *out);

/* A deadline passed: call when now >= the last actions' wake. */
void engine_tick(struct engine *e, kt_ms now, struct actions *out);

/* The wiring changed (a line was found or lost): from now on. mat_on is
 * the mat's level as found, taken without acting on it (someone already
 * on it at start is not a reason to begin a session). Once started, the
 * screen on display is shown again when what it offers changes. */
void engine_set_wiring(struct engine *e, bool have_button, bool have_mat,
		       bool mat_on, kt_ms now, struct actions *out);

/* Use this routine from the next session on: at once when idle (the
 * attract screen is shown again), else when the session ends; never in
 * the middle of one. A later call before then replaces `r`, which the
 * engine then no longer borrows. */
void engine_set_routine(struct engine *e, const struct routine *r, kt_ms now,
			struct actions *out);

/* The routine in use: the caller may free an older one once this is no
 * longer it, nor the one last given to engine_set_routine. */
const struct routine *engine_routine(const struct engine *e);

enum kiosk_state engine_state(const struct engine *e);
bool engine_in_session(const struct engine *e);

/* Length of one session with a person who starts everything at once:
 * the routine is run on a private engine and the time it took returned. */
kt_ms routine_estimate(const struct routine *r,
		       const struct engine_options *opt);

/* The same run, showing every action to `visit` as it comes: how the
 * kiosk learns, before a session, every line it will say and in what
 * order. Returns the same length as routine_estimate. */
typedef void (*routine_visit_fn)(void *ctx, const struct action *a);
kt_ms routine_walk(const struct routine *r, const struct engine_options *opt,
		   routine_visit_fn visit, void *ctx);

const char *state_name(enum kiosk_state s);
const char *screen_name(enum screen_kind s);
const char *result_name(enum session_result r);

#endif
