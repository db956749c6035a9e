/*
 * engine.h - the session engine: the pure heart of the kiosk.
 *
 * The engine takes one thing that happened (a button gesture, a mat change,
 * a deadline reached, quit) together with the current time, and answers with
 * actions: say this line, stop talking, show this screen, chime, record this,
 * and the next time it wants to be woken. It performs no I/O, reads no clock,
 * allocates only in engine_new, and knows nothing of SDL, eSpeak NG,
 * PortAudio or libgpiod. That wall is what lets the same engine run on the
 * real clock, on a virtual clock in tests, and in engine_estimate().
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
 *    (30 s) for any sign; none, and the session is given up. It asks only where
 * it would otherwise go on without the person: before a timed part that starts
 * by itself (it then waits for a press, shown as a waiting screen with check_in
 * set), while waiting for the button or the mat (a wait that begins with the
 * check-in already due is itself the question), and while paused off the mat
 * (paused_at + check_in). Never in the middle of a timed part, nor in a pause
 * the person chose with the button (pause_timeout alone governs that one).
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

/* Everything a screen shows, by value. Fields that do not apply are 0/"".
 *
 * The fields are listed once, here; the struct, screen equality
 * (engine.c), the event record's JSON (record.c), the caption's status
 * line (caption.c) and the soak checker (tests/soakcheck.h) are all made
 * from this list, so a field added here is in every one of them. A row:
 *
 *   X(ctype, name, dims, type, namer, key, key0, when, caption)
 *
 * ctype name dims  the member: `ctype name dims;`
 * type        how it is compared and written: SF_TEXT (a string, compared
 *             with strcmp), SF_INT, SF_BOOL (true/false), SF_NAME (an enum
 *             written as the string namer(value))
 * key, key0   its key in the record: key0 when the screen is not about
 *             one exercise (index 0), key otherwise
 * when        whether the record writes it: an expression of `s`, the
 *             screen. The record writes the rows in this order.
 * caption     whether the terminal caption's status line (HOLD and REPS)
 *             shows it, when `when` holds: CAP_SHOW or CAP_NO
 */
#define SCREEN_FIELDS(X)                                                       \
	X(enum screen_kind, kind, , SF_NAME, engine_screen_name, "screen",     \
	  "screen", true, CAP_NO)                                              \
	/* exercise, or routine name */                                        \
	X(char, title, [ROUTINE_NAME_BYTES], SF_TEXT, -, "exercise",           \
	  "routine", true, CAP_NO)                                             \
	/* exercise k of n (1-based); done: how many were done */              \
	X(int, index, , SF_INT, -, "index", "index", s->index, CAP_NO)         \
	X(int, exercises, , SF_INT, -, "of", "exercises",                      \
	  s->index || s->kind == SCREEN_DONE, CAP_NO)                          \
	/* attract: routine length in minutes; lying down starts */            \
	X(int, minutes, , SF_INT, -, "minutes", "minutes",                     \
	  s->kind == SCREEN_ATTRACT, CAP_NO)                                   \
	X(bool, mat_start, , SF_BOOL, -, "mat_start", "mat_start",             \
	  s->kind == SCREEN_ATTRACT, CAP_NO)                                   \
	/* waiting: what starts the part */                                    \
	X(enum start_trigger, trigger, , SF_NAME, routine_trigger_name,        \
	  "trigger", "trigger", s->kind == SCREEN_WAITING, CAP_NO)             \
	/* waiting: "are you still there?" asked before a part */              \
	X(bool, check_in, , SF_BOOL, -, "check_in", "check_in",                \
	  s->kind == SCREEN_WAITING && s->check_in, CAP_NO)                    \
	/* redflags: awaiting its press */                                     \
	X(bool, confirm, , SF_BOOL, -, "confirm", "confirm",                   \
	  s->kind == SCREEN_REDFLAGS && s->confirm, CAP_NO)                    \
	/* paused: why */                                                      \
	X(enum pause_reason, reason, , SF_NAME, pause_reason_name, "reason",   \
	  "reason", s->kind == SCREEN_PAUSED, CAP_NO)                          \
	/* rest: what comes next */                                            \
	X(char, next, [ROUTINE_NAME_BYTES], SF_TEXT, -, "next", "next",        \
	  s->kind == SCREEN_REST && s->next[0], CAP_NO)                        \
	/* done: session length, seconds */                                    \
	X(int, elapsed, , SF_INT, -, "elapsed", "elapsed",                     \
	  s->kind == SCREEN_DONE, CAP_NO)                                      \
	/* no button is wired: don't offer it */                               \
	X(bool, no_button, , SF_BOOL, -, "no_button", "no_button",             \
	  s->no_button, CAP_NO)                                                \
	/* seconds */                                                          \
	X(int, remaining, , SF_INT, -, "remaining", "remaining",               \
	  screen_counts_down(s), CAP_NO)                                       \
	X(int, total, , SF_INT, -, "total", "total", s->total, CAP_NO)         \
	X(int, repeat, , SF_INT, -, "repeat", "repeat", s->repeats > 1,        \
	  CAP_NO)                                                              \
	X(int, repeats, , SF_INT, -, "repeats", "repeats", s->repeats > 1,     \
	  CAP_NO)                                                              \
	X(int, rep, , SF_INT, -, "rep", "rep", s->reps, CAP_NO)                \
	X(int, reps, , SF_INT, -, "reps", "reps", s->reps, CAP_NO)             \
	X(enum breath_phase, breath, , SF_NAME, routine_breath_name, "breath", \
	  "breath", s->breath != BREATH_NONE, CAP_SHOW)                        \
	/* second within the breath phase, 1-based */                          \
	X(int, count, , SF_INT, -, "count", "count", s->breath != BREATH_NONE, \
	  CAP_SHOW)                                                            \
	/* seconds in this breath phase */                                     \
	X(int, phase_len, , SF_INT, -, "phase", "phase",                       \
	  s->breath != BREATH_NONE, CAP_NO)                                    \
	X(char, illustration, [ROUTINE_PATH_MAX + 1], SF_TEXT, -,              \
	  "illustration", "illustration", s->illustration[0], CAP_NO)          \
	/* the line being spoken */                                            \
	X(char, caption, [ROUTINE_TEXT_BYTES], SF_TEXT, -, "caption",          \
	  "caption", s->caption[0], CAP_NO)

enum screen_field_type { SF_TEXT, SF_INT, SF_BOOL, SF_NAME };
enum { CAP_NO, CAP_SHOW };

#define SCREEN_MEMBER(ctype, name, dims, ...) ctype name dims;
struct screen {
	SCREEN_FIELDS(SCREEN_MEMBER)
};
#undef SCREEN_MEMBER

/* Whether a screen shows a countdown (the record's "remaining"). */
static inline bool screen_counts_down(const struct screen *s)
{
	return s->kind == SCREEN_READY || s->kind == SCREEN_HOLD ||
	       s->kind == SCREEN_REPS || s->kind == SCREEN_REST ||
	       (s->kind == SCREEN_PAUSED && s->total);
}

/* The same content field by field (made from SCREEN_FIELDS). */
bool screen_equal(const struct screen *a, const struct screen *b);

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

/* The screen the engine's state shows at `now`; before engine_start, the
 * idle screen it will start with (so that it can be made ready while the
 * window opens). */
void engine_screen(const struct engine *e, kt_ms now, struct screen *out);

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
kt_ms engine_estimate(const struct routine *r,
		      const struct engine_options *opt);

/* The same run, showing every action to `visit` as it comes: how the
 * kiosk learns, before a session, every line it will say and in what
 * order. Returns the same length as engine_estimate. */
typedef void (*routine_visit_fn)(void *ctx, const struct action *a);
kt_ms engine_walk(const struct routine *r, const struct engine_options *opt,
		  routine_visit_fn visit, void *ctx);

const char *engine_state_name(enum kiosk_state s);
const char *engine_screen_name(enum screen_kind s);
const char *pause_reason_name(enum pause_reason r); /* "button", "mat" */
const char *engine_result_name(enum session_result r);

#endif
