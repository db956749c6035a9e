/*
 * kiosk.c - set-up, the main loop and tear-down.
 *
 * The loop (loop.h) sleeps until one of the parts registered in parts[]
 * is due or has news: signals, keyboard, the window's display connection,
 * the speech thread's "line ready", the GPIO lines, the routine file's
 * folder; the engine's, the debouncer's, the script's, the screen's next
 * frame, the sound's, a reload's and the watchdog's deadlines. On the
 * virtual clock it does not sleep at all: time jumps to the earliest. A
 * part that is not there (NULL) answers "no descriptor, never due": every
 * adapter function takes NULL, so this file does not ask what is there.
 *
 * On the beat: on the real clock with a sound device, the engine runs a
 * fixed lead ahead of the monotonic clock. Every action is then known
 * that long before it must be heard and seen; the sound device starts the
 * line's first sample, and the screen presents its frame, exactly at the
 * action's time (but for the first screen after start, which has nothing
 * to keep time with: video.c shows it at once). Everything the engine,
 * the event record, the screen and the sound see is on that one timeline
 * ("kiosk time"); only the waiting in poll() converts back to the
 * monotonic clock.
 */
#include "kiosk.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "caption.h"
#include "clock.h"
#include "config.h"
#include "engine.h"
#include "gesture.h"
#include "gpio.h"
#include "journal.h"
#include "keyboard.h"
#include "load.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "notify.h"
#include "progress.h"
#include "record.h"
#include "script.h"
#include "sessionlog.h"
#include "speech.h"
#include "text.h"
#include "video.h"
#include "voice.h"
#include "watch.h"

/* How far ahead of the clock the engine runs when a sound device plays:
 * the device's output latency plus room for a late wake-up, and short
 * enough that a press still feels instant. */
#define LEAD_SPARE_MS 40
#define LEAD_MAX_MS   250
/* A line whose synthesis was late is still worth saying this late. */
#define LATE_LINE_MS 1500

struct kiosk {
	const struct options *opt;
	struct kclock clock;
	kt_ms lead;
	struct routine *routine;
	struct engine *engine;
	struct actions actions;
	kt_ms engine_wake;

	struct gestures gestures;
	struct gpio *gpio;
	struct script script;
	struct keyboard *keyboard;
	bool keyboard_mat; /* the mat as the keyboard's m key leaves it */

	struct speech *speech;
	struct audio *audio;
	struct video *video;
	struct {
		char text[ROUTINE_TEXT_BYTES];
		kt_ms at;
	} late; /* a line said before eSpeak NG had it ready */
	char banner[512];

	/* The routine file, watched and read again while running. */
	const char *config_path; /* --config or the system one */
	struct watch *watch;	 /* NULL: only SIGHUP reloads */
	bool builtin;		 /* k->routine is the built-in one */
	struct settle settle;	 /* a save or SIGHUP on its way to a read */
	uint64_t tried;		 /* fingerprint of the file last read */
	struct routine *next;	 /* accepted, waiting for the session to end */
	char status_note[160];	 /* why the file is not in use, for STATUS */

	struct record *record;
	struct caption *caption;
	int signal_fd;
	struct loop loop; /* what wakes the kiosk: see parts[] */

	struct notify *notify;	     /* NULL: not under systemd */
	struct sessionlog *sessions; /* NULL: no session record */
	bool in_session;	     /* begun in the session record */
	kt_ms began;		     /* when it began, kiosk time */
	time_t began_wall;	     /* and on the wall clock */
	struct metrics *metrics;     /* NULL: no metrics file */
	struct progress *progress;   /* NULL: hold times never change */
	bool progressed;	     /* a session completed: step up */
	struct {
		int index;
		char name[ROUTINE_NAME_BYTES];
	} exercise; /* the one going on, for the record and STATUS */

	bool quit;
	bool session_ended;
	bool media_late; /* sound and voice open after the first frame */
	bool failed;	 /* a fault that ends the run with status 1 */
};

/* Kiosk time: when what happens now is heard and seen. */
static kt_ms kiosk_now(const struct kiosk *k)
{
	return kclock_now(&k->clock) + k->lead;
}

/* ---- outputs ---- */

/* Counts and breath words are on the screen already, large: a caption of
 * them would only repeat it. */
static bool worth_a_caption(const struct kiosk *k, const char *text)
{
	const struct settings *s = &k->routine->settings;
	if (!strcmp(text, s->phrase[PHRASE_IN]) ||
	    !strcmp(text, s->phrase[PHRASE_OUT]) ||
	    !strcmp(text, s->phrase[PHRASE_HOLD]))
		return false;
	return strspn(text, "0123456789 .,!") < strlen(text);
}

static void say(struct kiosk *k, const struct action *a, kt_ms at)
{
	if (worth_a_caption(k, a->u.say.text))
		video_say(k->video, a->u.say.text, at, a->u.say.duration);
	/* No voice or no sound: the line is a caption only. */
	if (!k->audio || !k->speech)
		return;
	/* On the virtual clock time waits for synthesis; on the real one a
	 * line not yet rendered is said as soon as it is (see hear_late). */
	const struct clip *c =
	    speech_get(k->speech, a->u.say.text, k->clock.is_virtual);
	if (c) {
		audio_play(k->audio, c, at, true);
		k->late.text[0] = '\0';
	} else {
		snprintf(k->late.text, sizeof k->late.text, "%s",
			 a->u.say.text);
		k->late.at = at;
	}
}

/* One line for `systemctl status`: what the kiosk is doing now. */
static void tell_status(struct kiosk *k, enum kiosk_state st)
{
	char status[256];
	if (st == STATE_ATTRACT || !k->exercise.index)
		snprintf(status, sizeof status, "%s: %s",
			 st == STATE_ATTRACT ? "Waiting"
					     : engine_state_name(st),
			 k->routine->name);
	else
		snprintf(status, sizeof status, "%s: exercise %d of %d, %s",
			 engine_state_name(st), k->exercise.index,
			 k->routine->exercises, k->exercise.name);
	if (k->status_note[0]) {
		size_t n = strlen(status);
		snprintf(status + n, sizeof status - n, " (%s)",
			 k->status_note);
	}
	notify_status(k->notify, status);
}

/* The session that just ended, as the session record words it. */
static struct logged_session ended_session(const struct kiosk *k,
					   const struct action *a, kt_ms at)
{
	struct logged_session s = {
	    .start = k->began_wall,
	    .seconds = (int)((at - k->began + 500) / 1000),
	    .result =
		sessionlog_result_of(a->u.session.result, a->u.session.quit),
	    .index = a->u.session.index,
	    .skipped = a->u.session.skipped_mask,
	};
	text_name_field(s.exercise, a->u.session.index	   ? k->exercise.name
				    : a->u.session.redflags ? SESSIONLOG_REDFLAGS
							    : "");
	text_name_field(s.routine, k->routine->name);
	return s;
}

/* Sessions are kept for staff (kiosk --stats): begun when the engine
 * leaves the attract screen (every session opens with the safety words),
 * ended with its result. Read from the actions, not the engine's state
 * now: one batch may hold a whole session (lying down settles just as a
 * long press stops it). */
static void keep_session(struct kiosk *k, const struct action *a, kt_ms at)
{
	if (a->kind == ACTION_STATE && !k->in_session &&
	    a->u.state == STATE_SAFETY) {
		k->in_session = true;
		k->began = at;
		k->began_wall = time(NULL);
		sessionlog_begin(k->sessions, k->began_wall, at);
	} else if (a->kind == ACTION_EXERCISE) {
		k->exercise.index = a->u.exercise.index;
		snprintf(k->exercise.name, sizeof k->exercise.name, "%s",
			 a->u.exercise.name);
	} else if (a->kind == ACTION_SKIP) {
		metrics_skipped(k->metrics, a->u.exercise.name); /* fleet */
	} else if (a->kind == ACTION_SESSION && k->in_session) {
		k->in_session = false;
		/* Counted against the routine that ran it; applied once
		 * the engine has let go of this batch of actions. */
		if (a->u.session.result == RESULT_COMPLETED &&
		    !a->u.session.quit && k->progress) {
			progress_completed_skipping(
			    k->progress, k->routine,
			    a->u.session.skipped_mask);
			k->progressed = true;
		}
		struct logged_session s = ended_session(k, a, at);
		sessionlog_end(k->sessions, at, a->u.session.result,
			       a->u.session.quit, a->u.session.index,
			       s.exercise, k->routine->name,
			       a->u.session.skipped_mask);
		metrics_session(k->metrics, &s); /* fleet: Prometheus */
		journal_session(&s);		  /* fleet: the journal */
		k->exercise.index = 0;
	}
	if (a->kind == ACTION_STATE)
		tell_status(k, a->u.state);
}

static void output(struct kiosk *k, const struct action *a, kt_ms at)
{
	record_action(k->record, at, a);
	caption_action(k->caption, a);
	keep_session(k, a, at);
	switch (a->kind) {
	case ACTION_SAY:
		say(k, a, at);
		break;
	case ACTION_HUSH:
		k->late.text[0] = '\0';
		audio_hush(k->audio, at);
		break;
	case ACTION_SHOW:
		video_show(k->video, &a->u.screen, at);
		break;
	case ACTION_CHIME:
		audio_chime(k->audio, a->u.chime, at);
		break;
	case ACTION_SESSION:
		k->session_ended = true;
		break;
	default:
		break;
	}
}

static void adopt_routine(struct kiosk *k);
static void step_up(struct kiosk *k);
static int open_sound(struct kiosk *k);

static void dispatch(struct kiosk *k, kt_ms now)
{
	const struct actions *a = &k->actions;
	for (int i = 0; i < a->count; i++)
		output(k, &a->item[i], now);
	if (a->dropped)
		log_msg("engine dropped %d actions (a bug: please report)",
			a->dropped);
	k->engine_wake = a->wake;
	if (k->next && engine_routine(k->engine) == k->next)
		adopt_routine(k);
	if (k->progressed) {
		k->progressed = false;
		step_up(k);
	}
}

/* eSpeak NG finished a line the engine had already said. */
static void hear_late(void *ctx)
{
	struct kiosk *k = ctx;
	uint64_t n;
	if (read(speech_fd(k->speech), &n, sizeof n) < 0 || !k->late.text[0])
		return;
	const struct clip *c = speech_get(k->speech, k->late.text, false);
	kt_ms now = kiosk_now(k);
	if (!c)
		return;
	if (now - k->late.at <= LATE_LINE_MS)
		audio_play(k->audio, c, now, true);
	k->late.text[0] = '\0';
}

/* Whatever the engine has due by now. */
static void engine_catch_up(struct kiosk *k, kt_ms now)
{
	if (k->engine_wake <= now) {
		engine_tick(k->engine, now, &k->actions);
		dispatch(k, now);
	}
}

static void engine_do(struct kiosk *k, enum engine_input in, kt_ms now)
{
	/* Counts reset by staff (kiosk --reset-progress) since the last
	 * session: taken before this input can start the next one. */
	if (engine_state(k->engine) == STATE_ATTRACT &&
	    progress_refresh(k->progress))
		step_up(k);
	engine_input(k->engine, in, now, &k->actions);
	dispatch(k, now);
}

/* Hold times (and reps) for the next session from the progression
 * counts. Only between sessions: the engine reads them through one. It is
 * handed the routine again, so the idle screen's minutes follow. */
static void step_up(struct kiosk *k)
{
	bool changed = progress_apply(k->progress, k->routine);
	if (k->next)
		changed |= progress_apply(k->progress, k->next);
	if (!changed || engine_in_session(k->engine))
		return;
	kt_ms now = kiosk_now(k);
	engine_set_routine(k->engine, k->next ? k->next : k->routine, now,
			   &k->actions);
	dispatch(k, now);
}

/* ---- inputs ---- */

static void gesture_to_engine(struct kiosk *k, const struct gesture_event *g)
{
	static const enum engine_input map[] = {
	    [GESTURE_PRESS] = INPUT_PRESS,
	    [GESTURE_LONG_PRESS] = INPUT_LONG_PRESS,
	    [GESTURE_MAT_ON] = INPUT_MAT_ON,
	    [GESTURE_MAT_OFF] = INPUT_MAT_OFF,
	    [GESTURE_DOUBLE_PRESS] = INPUT_DOUBLE_PRESS,
	};
	kt_ms now = kiosk_now(k);
	/* What fell due by now comes first: the engine catches up on it
	 * before it takes the input (engine_input), and the record says so
	 * in that order. A mat left at the moment its 3 s started a session
	 * read as if leaving had started it. */
	engine_catch_up(k, now);
	record_input(k->record, now, line_def(g->line)->role,
		     gesture_name(g->gesture));
	engine_do(k, map[g->gesture], now);
}

static void drain_gestures(struct kiosk *k, kt_ms now)
{
	struct gesture_event g[GESTURE_QUEUE];
	int n;
	while ((n = gesture_poll(&k->gestures, now, g, GESTURE_QUEUE)) > 0)
		for (int i = 0; i < n; i++)
			gesture_to_engine(k, &g[i]);
}

static void log_wiring(bool button, bool mat)
{
	if (button && mat)
		log_msg("inputs: the button and the mat");
	else if (button)
		log_msg("inputs: the button only: parts that start on the "
			"mat wait for a press");
	else if (mat)
		log_msg("inputs: the mat only: lying down starts a session, "
			"and parts that wait for a press start by "
			"themselves");
	else
		log_msg("inputs: no GPIO line: the keys only");
}

/* What the engine may count on: the lines held, or with none at all the
 * keyboard in their place (its m key is the mat). Logged, for staff. */
static void rewire(struct kiosk *k)
{
	bool button = gpio_state(k->gpio, LINE_BUTTON) == GPIO_HELD;
	bool mat = gpio_state(k->gpio, LINE_MAT) == GPIO_HELD;
	log_wiring(button, mat);
	if (!button && !mat)
		button = mat = true;
	kt_ms now = kiosk_now(k);
	engine_set_wiring(k->engine, button, mat,
			  gpio_active(k->gpio, LINE_MAT), now, &k->actions);
	dispatch(k, now);
}

/* Edges to the gestures; true when a line was found or lost. */
static bool read_gpio(struct kiosk *k, kt_ms now)
{
	struct gpio_event ev[16];
	bool rewired = false;
	int n;
	while ((n = gpio_poll(k->gpio, now, ev, 16)) > 0)
		for (int i = 0; i < n; i++) {
			gpio_to_gestures(k->gpio, &ev[i], &k->gestures);
			rewired |= ev[i].kind != GPIO_EDGE;
		}
	return rewired;
}

static void run_script(struct kiosk *k, kt_ms now)
{
	while (script_next_at(&k->script) <= now) {
		const struct script_event *ev =
		    &k->script.event[k->script.next++];
		enum gesture_line line;
		bool active;
		if (!script_edge(ev, &line, &active)) {
			k->quit = true;
			return;
		}
		gesture_edge(&k->gestures, line, active, ev->at);
	}
}

/* Keys from the terminal or the window. A key is a whole gesture: neither
 * reports how long a key was held. */
static void key_gesture(struct kiosk *k, enum gesture x, enum gesture_line l)
{
	gesture_to_engine(k, &(struct gesture_event){x, l, 0});
}

static void keys_to_engine(struct kiosk *k, const enum key_action *keys, int n)
{
	for (int i = 0; i < n && !k->quit; i++) {
		switch (keys[i]) {
		case KEY_PRESS:
			key_gesture(k, GESTURE_PRESS, LINE_BUTTON);
			break;
		case KEY_LONG:
			key_gesture(k, GESTURE_LONG_PRESS, LINE_BUTTON);
			break;
		case KEY_DOUBLE:
			key_gesture(k, GESTURE_DOUBLE_PRESS, LINE_BUTTON);
			break;
		case KEY_MAT:
			k->keyboard_mat = !k->keyboard_mat;
			key_gesture(k,
				    k->keyboard_mat ? GESTURE_MAT_ON
						    : GESTURE_MAT_OFF,
				    LINE_MAT);
			break;
		case KEY_QUIT:
			k->quit = true;
			break;
		case KEY_NONE:
			break;
		}
	}
}

static void read_keyboard(void *ctx)
{
	struct kiosk *k = ctx;
	enum key_action keys[16];
	int n = keyboard_read(k->keyboard, keys, 16);
	if (n < 0) {
		log_msg("keyboard: end of input; the keyboard is not read "
			"any more");
		keyboard_close(k->keyboard);
		k->keyboard = NULL;
		return;
	}
	keys_to_engine(k, keys, n);
}

static void read_window(void *ctx)
{
	struct kiosk *k = ctx;
	enum key_action keys[16];
	int n = video_keys(k->video, keys, 16);
	keys_to_engine(k, keys, n);
}

static void read_signals(void *ctx)
{
	struct kiosk *k = ctx;
	struct signalfd_siginfo si;
	while (read(k->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			bool again = k->settle.asked;
			if (watch_settle_ask(&k->settle,
					     kclock_now(&k->clock)) &&
			    !again)
				log_msg("SIGHUP: %s is being written: it is "
					"read once its writer has closed it "
					"and it has not changed for a second",
					k->config_path);
			continue;
		}
		if (!k->quit)
			log_msg("%s: stopping", strsignal((int)si.ssi_signo));
		k->quit = true;
	}
}

/* ---- the routine file: read at start, and again when it changes ---- */

/* Every line the routine can say, queued for eSpeak NG in the order a
 * session needs them, so each is ready before it is due. */
static void prepare_line(void *ctx, const struct action *a)
{
	if (a->kind == ACTION_SAY)
		speech_prepare(ctx, a->u.say.text);
}

static void prepare_speech(struct kiosk *k)
{
	const struct settings *s = &k->routine->settings;
	struct engine_options eo = {.have_button = true, .have_mat = true};
	engine_walk(k->routine, &eo, prepare_line, k->speech);
	/* With only the mat some lines are its own (safety_mat). */
	eo.have_button = false;
	engine_walk(k->routine, &eo, prepare_line, k->speech);
	for (int i = 0; i < PHRASE_COUNT; i++)
		if (!strchr(s->phrase[i], '{'))
			speech_prepare(k->speech, s->phrase[i]);
}

/* A broken file never stops the kiosk: its errors go to the log, to a
 * banner for staff and to STATUS, and `running` (what runs instead) goes
 * on until it is fixed. */
static void refuse_file(struct kiosk *k, const char *path,
			const struct diags *d, const char *running)
{
	const char *s = d->count == 1 ? "" : "s";
	diag_print(d, stderr);
	log_msg("%s has %d error%s; %s until it is fixed", path, d->count, s,
		running);
	snprintf(k->banner, sizeof k->banner,
		 "%s has %d error%s: %s. Staff: kiosk --check shows them.",
		 path, d->count, s, running);
	snprintf(k->status_note, sizeof k->status_note, "%s has %d error%s: %s",
		 path, d->count, s, running);
	video_banner(k->video, k->banner);
	metrics_routine_broken(k->metrics, true); /* fleet */
}

static void clear_refusal(struct kiosk *k)
{
	metrics_routine_broken(k->metrics, false); /* fleet */
	k->banner[0] = k->status_note[0] = '\0';
	video_banner(k->video, NULL);
}

static bool same_wiring(const struct settings *a, const struct settings *b)
{
	for (int l = 0; l < LINE_COUNT; l++) {
		const struct line_settings *x = &a->input[l], *y = &b->input[l];
		if (strcmp(x->line, y->line) || x->active_low != y->active_low ||
		    x->debounce != y->debounce)
			return false;
	}
	return true;
}

static void open_gpio(struct kiosk *k)
{
	struct gpio_config gc;
	gpio_config_init(&gc, &k->routine->settings,
			 kclock_origin_ns(&k->clock));
	k->gpio = gpio_open(&gc, kclock_now(&k->clock));
	if (!k->gpio)
		log_msg("GPIO: cannot start: %s", strerror(errno));
}

/* New lines: the old ones are let go first (another program may be
 * waiting for them), and until the new ones are found nothing is held
 * down. */
static void rewire_gpio(struct kiosk *k)
{
	gpio_close(k->gpio);
	k->gpio = NULL;
	for (int l = 0; l < LINE_COUNT; l++)
		gesture_set_level(&k->gestures, (enum gesture_line)l, false);
	log_msg("GPIO: the line settings changed: opening the lines again");
	open_gpio(k);
	if (k->gpio) {
		read_gpio(k, kclock_now(&k->clock));
		rewire(k);
	}
}

/* A new sound device: its latency may need a longer lead, never a shorter
 * one (kiosk time must not go back). */
static void reopen_audio(struct kiosk *k)
{
	const struct settings *s = &k->routine->settings;
	audio_close(k->audio, kclock_now(&k->clock));
	k->audio = audio_open_device(s->audio_device, s->volume,
				     kclock_now(&k->clock));
	k->lead =
	    kt_max(k->lead, kt_min(audio_latency(k->audio) + LEAD_SPARE_MS,
				   LEAD_MAX_MS));
}

/* What the adapters took from the routine's settings, changed to the new
 * routine's (`was` is the old one's). The engine reads the rest itself. */
static void apply_settings(struct kiosk *k, const struct settings *was)
{
	const struct settings *s = &k->routine->settings;
	char why[256];
	if (!voice_same(s, was)) {
		struct speech_voice v = voice_of(s);
		if (speech_set_voice(k->speech, &v, why, sizeof why) < 0)
			log_msg("speech: %s; keeping the voice in use", why);
	}
	prepare_speech(k);
	/* A line the kernel debounces needs no settle time of ours. */
	for (int l = 0; l < LINE_COUNT; l++)
		if (!gpio_kernel_debounce(k->gpio, l))
			gesture_set_settle(&k->gestures, l,
					   s->input[l].debounce);
	gesture_set_long_press(&k->gestures, s->long_press);
	if (k->opt->input == SOURCE_GPIO && !same_wiring(s, was))
		rewire_gpio(k);
	if (k->opt->audio == AUDIO_PORTAUDIO &&
	    strcmp(s->audio_device, was->audio_device))
		reopen_audio(k);
	else
		audio_set_volume(k->audio, s->volume);
	video_set_routine(k->video, k->routine->name, s->word, s->frame_rate,
			  s->animation && !k->clock.is_virtual);
}

/* The routine in use, for the fleet's metrics. */
static void tell_routine(const struct kiosk *k)
{
	metrics_routine(k->metrics, k->routine->name,
			k->builtin ? "built-in" : k->config_path,
			k->routine->exercises);
}

/* The engine has moved on to the routine it was given. */
static void adopt_routine(struct kiosk *k)
{
	struct routine *old = k->routine;
	k->routine = k->next;
	k->next = NULL;
	k->builtin = false;
	apply_settings(k, &old->settings);
	routine_free(old);
	log_msg("routine: \"%s\" in use now", k->routine->name);
	tell_routine(k);
	tell_status(k, engine_state(k->engine));
}

/* A good routine goes to the engine for its next session (at once when
 * idle); one given earlier and not yet used is dropped. */
static void offer_routine(struct kiosk *k, struct routine *r)
{
	struct routine *dropped = k->next;
	kt_ms now = kiosk_now(k);
	k->next = r;
	engine_set_routine(k->engine, r, now, &k->actions);
	routine_free(dropped); /* the engine no longer borrows it */
	clear_refusal(k);
	log_msg("%s read again: \"%s\", %d exercises%s", k->config_path,
		r->name, r->exercises,
		engine_in_session(k->engine)
		    ? "; it starts with the next session"
		    : "");
	dispatch(k, now);
}

/* The voice a new routine asks for, tried before it is accepted: eSpeak
 * NG alone knows which voices exist. */
static void check_voice(struct kiosk *k, const struct routine *r,
			struct diags *d)
{
	char why[256];
	struct speech_voice v = voice_of(&r->settings);
	if (!voice_same(&r->settings, &k->routine->settings) &&
	    speech_voice_check(k->speech, &v, why, sizeof why) < 0)
		diag_add(d, r->settings.voice_line, "%s", why);
}

/* The routine just read (NULL: it could not be): offered to the engine
 * if it is good, refused with its errors otherwise. */
static void use_or_refuse(struct kiosk *k, struct routine *r, struct diags *d)
{
	if (r) {
		check_voice(k, r, d);
		progress_refresh(k->progress);
		progress_apply(k->progress, r);
	}
	if (!r || d->count) {
		refuse_file(k, k->config_path, d,
			    k->builtin && !k->next
				? "keeping the built-in routine"
				: "keeping the routine in use");
		routine_free(r);
	} else {
		offer_routine(k, r);
	}
}

/* No file where the routine file was: nothing changes. */
static void file_gone(struct kiosk *k, bool asked)
{
	const char *path = k->config_path;
	if (k->builtin && !k->next && asked)
		log_msg("%s does not exist: the built-in routine runs", path);
	else if (k->tried || asked)
		log_msg("%s is gone: keeping the routine in use (a restart "
			"would run the built-in one)",
			path);
	k->tried = 0;
}

/* A save, or SIGHUP, is due: the file is read once it is settled (see
 * watch.h), and what was read is used only if the file did not change
 * while it was read. A good routine is used from the next session on; a
 * bad one changes nothing but the banner. A file that is gone changes
 * nothing either: deleting it by mistake must not swap the routine under
 * the staff's feet. */
static void reload(struct kiosk *k)
{
	const char *path = k->config_path;
	bool asked = k->settle.asked;
	switch (watch_settle_step(&k->settle, path, k->tried,
				  kclock_now(&k->clock))) {
	case SETTLE_WAIT:
	case SETTLE_SAME:
		return;
	case SETTLE_GONE:
		file_gone(k, asked);
		return;
	case SETTLE_READ:
		break;
	}
	notify_reloading(k->notify);
	struct diags d;
	diag_init(&d, path);
	struct routine *r = load_routine(path, cli_assets_dir(k->opt), &d);
	if (!watch_settle_confirm(&k->settle, path, kclock_now(&k->clock))) {
		log_msg("%s changed while it was read: it is read again once "
			"it has not changed for a second",
			path);
		k->settle.asked = asked;
		routine_free(r);
	} else {
		k->tried = watch_settle_sum(&k->settle);
		use_or_refuse(k, r, &d);
	}
	diag_free(&d);
	notify_ready(k->notify, NULL);
	tell_status(k, engine_state(k->engine));
}

/* An editor is saving: the file is read once the save is finished and
 * settled. */
static void notice_edit(void *ctx)
{
	struct kiosk *k = ctx;
	bool gone;
	watch_settle_news(&k->settle, watch_changed(k->watch, &gone),
			  kclock_now(&k->clock));
	if (gone) {
		log_msg("routine: the folder of %s went away: only SIGHUP "
			"reloads it now",
			k->config_path);
		watch_close(k->watch);
		k->watch = NULL;
		/* No close will be heard now: a wait for a writer ends, and
		 * the two looks decide. */
		watch_settle_news(&k->settle, WATCH_FINISHED,
				  kclock_now(&k->clock));
	}
}

/* Watched on the real clock only: a simulated run is a replay, and must
 * not depend on when someone saves a file. SIGHUP works in both. */
static void watch_file(struct kiosk *k)
{
	if (k->clock.is_virtual)
		return;
	k->watch = watch_open(k->config_path);
	/* No folder is no file: the built-in routine runs (make demo on a
	 * fresh machine). Say that, not why watching failed. */
	if (!k->watch && errno == ENOENT)
		log_msg("routine: %s does not exist, so the built-in routine "
			"runs (kiosk --print-config prints it); to run your "
			"own, save it there and reload with SIGHUP "
			"(systemctl reload kiosk)",
			k->config_path);
	else if (!k->watch)
		log_msg("routine: cannot watch %s for changes (%s): after "
			"editing it, reload with SIGHUP (systemctl reload "
			"kiosk)",
			k->config_path, strerror(errno));
}

/* ---- the loop: every part that wakes the kiosk, registered once ---- */

static int signals_fd(const void *ctx)
{
	return ((const struct kiosk *)ctx)->signal_fd;
}

static int keyboard_part_fd(const void *ctx)
{
	return keyboard_fd(((const struct kiosk *)ctx)->keyboard);
}

static int speech_part_fd(const void *ctx)
{
	return speech_fd(((const struct kiosk *)ctx)->speech);
}

static int watch_part_fd(const void *ctx)
{
	return watch_fd(((const struct kiosk *)ctx)->watch);
}

static int window_fd(const void *ctx)
{
	return video_fd(((const struct kiosk *)ctx)->video);
}

static int gpio_part_fd(const void *ctx)
{
	return gpio_fd(((const struct kiosk *)ctx)->gpio);
}

static kt_ms window_wake(const void *ctx)
{
	return video_wake(((const struct kiosk *)ctx)->video);
}

static kt_ms gpio_part_wake(const void *ctx)
{
	return gpio_wake(((const struct kiosk *)ctx)->gpio);
}

/* The engine runs `lead` ahead: it is due that much earlier. */
static kt_ms engine_due(const void *ctx)
{
	const struct kiosk *k = ctx;
	return k->engine_wake == KT_NEVER ? KT_NEVER : k->engine_wake - k->lead;
}

static kt_ms gestures_due(const void *ctx)
{
	return gesture_wake(&((const struct kiosk *)ctx)->gestures);
}

static kt_ms script_due(const void *ctx)
{
	return script_next_at(&((const struct kiosk *)ctx)->script);
}

static kt_ms reload_due(const void *ctx)
{
	return ((const struct kiosk *)ctx)->settle.due;
}

/* Virtual time need not stop for the sound: it is written as time moves
 * on, and there is no device to retry. */
static kt_ms sound_due(const void *ctx)
{
	const struct kiosk *k = ctx;
	return k->clock.is_virtual ? KT_NEVER : audio_wake(k->audio);
}

static kt_ms watchdog_due(const void *ctx)
{
	return notify_wake(((const struct kiosk *)ctx)->notify);
}

/* What wakes the kiosk. What is due is done in step(), whatever woke the
 * loop: GPIO edges are read there too. */
static const struct loop_part parts[] = {
    {.name = "signals", .fd = signals_fd, .ready = read_signals},
    {.name = "keyboard", .fd = keyboard_part_fd, .ready = read_keyboard},
    {.name = "speech", .fd = speech_part_fd, .ready = hear_late},
    {.name = "routine file", .fd = watch_part_fd, .ready = notice_edit},
    /* SDL is drained after every wake: on a console it has no
     * descriptor to wake us with. */
    {.name = "window",
     .fd = window_fd,
     .wake = window_wake,
     .ready = read_window,
     .every_wake = true},
    {.name = "GPIO", .fd = gpio_part_fd, .wake = gpio_part_wake},
    {.name = "engine", .wake = engine_due},
    {.name = "gestures", .wake = gestures_due},
    {.name = "script", .wake = script_due},
    {.name = "reload", .wake = reload_due},
    {.name = "sound", .wake = sound_due},
    {.name = "watchdog", .wake = watchdog_due},
};

static void register_parts(struct kiosk *k)
{
	loop_init(&k->loop, &k->clock);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		loop_add(&k->loop, &parts[i], k);
}

static bool finished(const struct kiosk *k)
{
	if (k->quit)
		return true;
	bool idle = engine_state(k->engine) == STATE_ATTRACT;
	if (k->opt->exit_after_session && k->session_ended && idle)
		return true;
	/* In virtual time nothing can happen once the script is spent and
	 * the kiosk is back on its idle screen. */
	return k->clock.is_virtual && idle &&
	       script_next_at(&k->script) == KT_NEVER &&
	       gesture_wake(&k->gestures) == KT_NEVER &&
	       k->engine_wake == KT_NEVER; /* e.g. lying down, settling */
}

/* Each part's health, for the fleet's metrics (written only when one
 * changes): the sound device or file open, the window open, the GPIO
 * lines held. A part not asked for has no health to report. */
static void tell_health(const struct kiosk *k)
{
	const struct options *o = k->opt;
	if (o->audio != AUDIO_NONE)
		metrics_health(k->metrics, PART_SOUND, audio_playing(k->audio));
	if (o->video == VIDEO_SDL)
		metrics_health(k->metrics, PART_DISPLAY, k->video != NULL);
	if (o->input == SOURCE_GPIO) {
		metrics_health(k->metrics, PART_BUTTON,
			       gpio_state(k->gpio, LINE_BUTTON) == GPIO_HELD);
		metrics_health(k->metrics, PART_MAT,
			       gpio_state(k->gpio, LINE_MAT) == GPIO_HELD);
	}
}

/* Everything that is due by the monotonic time `mono`. */
static void step(struct kiosk *k, kt_ms mono)
{
	run_script(k, mono);
	if (read_gpio(k, mono))
		rewire(k);
	drain_gestures(k, mono);
	if (k->settle.due <= mono)
		reload(k);
	engine_catch_up(k, kiosk_now(k));
	video_update(k->video, mono, engine_due(k));
	audio_advance(k->audio, mono);
	/* The watchdog is fed from the loop itself: a stuck loop is
	 * restarted by systemd. */
	notify_tick(k->notify, mono);
	record_flush(k->record);
	tell_health(k);
	metrics_flush(k->metrics); /* fleet: written when something changed */
}

/* The file's routine, refused once its voice turned out not to exist:
 * the built-in routine takes over, as it would have at start. */
static void voice_refused(struct kiosk *k, struct diags *d)
{
	refuse_file(k, k->config_path, d, "running the built-in routine");
	struct routine *b = load_builtin(cli_assets_dir(k->opt));
	if (!b)
		return; /* out of memory: the file's routine goes on, mute */
	progress_apply(k->progress, b);
	k->next = b;
	kt_ms now = kiosk_now(k);
	engine_set_routine(k->engine, b, now, &k->actions);
	dispatch(k, now);
	k->builtin = k->routine == b;
}

/* The sound and the voice, once the first frame is up (see load): the
 * screen does not wait for eSpeak NG or the sound device. Nothing has
 * been said yet: the attract screen is silent, and no input has been
 * read. A voice eSpeak NG lacks is handled as a reload handles it:
 * logged, a banner for staff, and the kiosk goes on (with the built-in
 * routine and its voice, as a start with that file always did). A WAV
 * file that cannot be written stops the kiosk, as it does at start. */
static void open_media_late(struct kiosk *k)
{
	if (!k->media_late)
		return;
	k->media_late = false;
	if (open_sound(k) < 0) {
		k->quit = k->failed = true;
		return;
	}
	struct diags d;
	struct speech *builtin_voice = NULL;
	diag_init(&d, k->builtin ? CONFIG_BUILTIN_NAME : k->config_path);
	k->speech = voice_open(k->routine, &d, &builtin_voice);
	if (builtin_voice) {
		k->speech = builtin_voice;
		voice_refused(k, &d);
	}
	diag_free(&d);
	speech_set_blocking(k->speech, false);
	prepare_speech(k);
}

static void run_loop(struct kiosk *k)
{
	engine_start(k->engine, kiosk_now(k), &k->actions);
	dispatch(k, kiosk_now(k));
	step(k, kclock_now(&k->clock));
	open_media_late(k);
	notify_ready(k->notify, NULL);
	while (!finished(k)) {
		loop_wait(&k->loop);
		step(k, kclock_now(&k->clock));
	}
	notify_stopping(k->notify);
	if (engine_in_session(k->engine))
		engine_do(k, INPUT_QUIT, kiosk_now(k));
	step(k, kclock_now(&k->clock));
}

/* ---- set-up and tear-down ---- */

static int load(struct kiosk *k)
{
	const struct options *o = k->opt;
	const char *path = cli_config_path(o);
	const char *assets = cli_assets_dir(o);
	bool want_voice = o->audio != AUDIO_NONE;
	struct diags d;
	/* eSpeak NG and the sound take longer to start than the whole
	 * window: on the real clock with a screen they wait for the first
	 * frame (open_media_late). A replay (virtual clock) opens them at
	 * start, so its record and WAV do not depend on the machine. */
	if (want_voice && !k->clock.is_virtual && o->video == VIDEO_SDL) {
		k->media_late = true;
		want_voice = false;
	}
	if (path) {
		diag_init(&d, path);
		k->routine = load_routine(path, assets, &d);
		struct speech *builtin_voice = NULL;
		if (k->routine && want_voice) {
			k->speech = voice_open(k->routine, &d, &builtin_voice);
			want_voice = false; /* tried: don't log twice */
		}
		if (!k->routine || builtin_voice) {
			refuse_file(k, path, &d,
				    "running the built-in routine");
			routine_free(k->routine);
			k->routine = NULL;
			k->speech = builtin_voice;
		}
		diag_free(&d);
		watch_fingerprint(path, &k->tried);
	}
	if (!k->routine) {
		k->builtin = true;
		k->routine = load_builtin(assets);
		if (k->routine && want_voice) {
			struct speech
			    *unused; /* the built-in voice is itself */
			diag_init(&d, CONFIG_BUILTIN_NAME);
			k->speech = voice_open(k->routine, &d, &unused);
			diag_free(&d);
		}
	}
	return k->routine ? 0 : -1;
}

static int open_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int setup_inputs(struct kiosk *k)
{
	const struct options *o = k->opt;
	const struct settings *s = &k->routine->settings;
	kt_ms settle[LINE_COUNT];
	for (int l = 0; l < LINE_COUNT; l++)
		settle[l] = s->input[l].debounce;
	gesture_init(&k->gestures, settle, s->long_press);
	if (o->input == SOURCE_SCRIPT) {
		struct diags d;
		diag_init(&d, o->script);
		int rc = script_load(o->script, &k->script, &d);
		diag_print(&d, stderr);
		diag_free(&d);
		return rc;
	}
	if (o->input == SOURCE_GPIO) {
		log_msg("GPIO: %s", gpio_library());
		open_gpio(k);
	}
	/* Keys work beside the lines: for staff at a desk, and in place of
	 * any line that is missing. */
	k->keyboard = keyboard_open(STDIN_FILENO);
	if (!k->keyboard && !k->video)
		log_msg("no terminal to read keys from: running without "
			"input");
	return 0;
}

/* The sound sink. -1 only when the WAV file cannot be written. */
static int open_sound(struct kiosk *k)
{
	const struct options *o = k->opt;
	const struct settings *s = &k->routine->settings;
	if (o->audio == AUDIO_WAV) {
		/* Sample 0 is time 0, as the event record's: the file starts
		 * with silence for the time the window and the voice took to
		 * open, so a WAV and its record line up. */
		k->audio = audio_open_wav(o->wav, s->volume, 0);
		if (!k->audio) {
			log_msg("cannot write %s: %s", o->wav, strerror(errno));
			return -1;
		}
		/* The file takes what it is given at once, but the screen
		 * still needs a moment to draw: the same timeline as with a
		 * device, so what the WAV shows is what a speaker would. */
		if (!k->clock.is_virtual)
			k->lead = LEAD_SPARE_MS;
		return 0;
	}
	k->audio = audio_open_device(s->audio_device, s->volume,
				     kclock_now(&k->clock));
	/* Opened after the first frame, the device may need a longer lead
	 * than the one kiosk time started with; never a shorter one. */
	k->lead =
	    kt_max(k->lead, kt_min(audio_latency(k->audio) + LEAD_SPARE_MS,
				   LEAD_MAX_MS));
	return 0;
}

/* The voice opened at start (a replay's: see load) made ready, before
 * the engine, whose estimate of the routine's length asks it how long
 * each line is: on the virtual clock it waits for the real lengths, so
 * that a replay's record does not depend on the machine's speed. */
static void setup_voice(struct kiosk *k)
{
	if (k->opt->audio == AUDIO_NONE || k->media_late)
		return;
	speech_set_blocking(k->speech, k->clock.is_virtual);
	prepare_speech(k);
}

static int setup_sound(struct kiosk *k)
{
	if (k->opt->audio == AUDIO_NONE)
		return 0;
	if (k->media_late) {
		/* Kiosk time starts with the WAV's lead (see open_sound) and
		 * the sound is opened after the first frame (open_media_late):
		 * nothing is said before then. */
		k->lead = LEAD_SPARE_MS;
		return 0;
	}
	return open_sound(k);
}

static void setup_video(struct kiosk *k)
{
	const struct options *o = k->opt;
	const struct settings *s = &k->routine->settings;
	if (o->video == VIDEO_SDL) {
		struct screen first;
		engine_screen(k->engine, kiosk_now(k), &first);
		struct video_config vc = {
		    .screenshots = o->screenshots,
		    .routine = k->routine->name,
		    .words = s->word,
		    .banner = k->banner[0] ? k->banner : NULL,
		    .first = &first,
		    .width = o->width,
		    .height = o->height,
		    .fps = s->frame_rate,
		    /* Virtual time would stop for every animation frame. */
		    .animate = s->animation && !k->clock.is_virtual,
		    .clock = &k->clock,
		};
		k->video = video_open(&vc);
	} else if (o->screenshots) {
		log_msg("screenshots: --video none draws nothing; %s stays "
			"empty",
			o->screenshots);
	}
}

/* The fleet's metrics file, its counters going on from the session
 * record when there is one. */
static void open_metrics(struct kiosk *k)
{
	const char *dir = cli_metrics_dir(k->opt);
	char path[4096];
	if (!dir)
		return;
	k->metrics = metrics_open(dir);
	if (k->sessions &&
	    sessionlog_path(cli_state_dir(k->opt), path, sizeof path) == 0)
		metrics_seed(k->metrics, path);
	if (k->banner[0]) /* the routine file was refused at start */
		metrics_routine_broken(k->metrics, true);
	tell_routine(k);
}

static int setup_outputs(struct kiosk *k)
{
	const struct options *o = k->opt;
	if (setup_sound(k) < 0)
		return -1;
	/* Simulated runs keep no session record unless asked to: tests
	 * must not write to the machine's. */
	if (!k->clock.is_virtual || o->state_dir)
		k->sessions = sessionlog_open(cli_state_dir(o), 0);
	open_metrics(k);
	if (o->events) {
		k->record = record_open(o->events);
		if (!k->record) {
			log_msg("cannot write the event record %s: %s",
				o->events, strerror(errno));
			return -1;
		}
	}
	/* Captions are for people watching a terminal: not on a virtual
	 * clock, not with a screen, and on stderr when stdout carries the
	 * event record. */
	if (!k->clock.is_virtual && !k->video) {
		bool stdout_taken = o->events && !strcmp(o->events, "-");
		k->caption = caption_open(stdout_taken ? stderr : stdout,
					  k->keyboard != NULL);
	}
	return 0;
}

/* One line each at exit: what staff or a benchmark may want to know. */
static void log_figures(const struct kiosk *k)
{
	struct speech_stats sst;
	struct audio_stats ast;
	speech_stats(k->speech, &sst);
	audio_stats(k->audio, &ast);
	if (sst.lines)
		log_msg("speech: %d lines, %.1f s of audio in %.2f s "
			"(%.0fx real time), %zu KiB held",
			sst.lines, sst.audio_s, sst.synth_s,
			sst.synth_s > 0 ? sst.audio_s / sst.synth_s : 0,
			sst.bytes / 1024);
	if (ast.mix.started)
		log_msg("audio: %d sounds, heard p50 %.1f ms, p99 %.1f ms "
			"after due; %d late",
			ast.mix.started, ast.offset_p50_ms, ast.offset_p99_ms,
			ast.mix.late);
}

/* How long a line takes to say: eSpeak NG's own length once the voice
 * is open, the engine's estimate before (and without) it. */
static kt_ms spoken_length(void *ctx, const char *text, int rate)
{
	const struct kiosk *k = ctx;
	return k->speech ? speech_length(k->speech, text, rate)
			 : text_speech_estimate(text, rate);
}

/* Every part, in the order each needs the ones before it (cage's
 * habit: one linear set-up). -1 when the kiosk cannot start; what was
 * opened is closed by tear_down either way. */
static int start(struct kiosk *k)
{
	const struct options *o = k->opt;
	kclock_init(&k->clock, o->virtual_clock);
	k->notify = notify_open(kclock_now(&k->clock));
	/* Blocked before any thread starts, so that every thread inherits
	 * the mask and only the signalfd ever takes them. */
	k->signal_fd = open_signals();
	if (k->signal_fd < 0) {
		log_msg("cannot start: %s", strerror(errno));
		return -1;
	}
	if (load(k) < 0)
		return -1;
	/* Kept where the session record is, and like it not by simulated
	 * runs unless asked to: tests must not step up the machine's. */
	if (!k->clock.is_virtual || o->state_dir) {
		k->progress = progress_open(cli_state_dir(o));
		progress_apply(k->progress, k->routine);
	}
	setup_voice(k);
	/* Made before the window, which gets ready the screen it starts
	 * with while it opens; started in run_loop. */
	struct engine_options eo = {.have_button = true,
				    .have_mat = true,
				    .speech_length = spoken_length,
				    .speech_ctx = k};
	k->engine = engine_new(k->routine, &eo);
	if (!k->engine) {
		log_msg("cannot start: %s", strerror(errno));
		return -1;
	}
	setup_video(k);
	if (setup_inputs(k) < 0 || setup_outputs(k) < 0)
		return -1;
	watch_file(k);
	/* The lines found at start (their levels) and what they leave the
	 * engine to count on: said once. */
	if (k->gpio) {
		read_gpio(k, kclock_now(&k->clock));
		rewire(k);
	}
	register_parts(k);
	return 0;
}

/* The one cleanup path: every close takes a part that was never
 * opened. */
static void tear_down(struct kiosk *k)
{
	log_figures(k);
	audio_close(k->audio, kclock_now(&k->clock));
	video_close(k->video);
	speech_close(k->speech);
	caption_close(k->caption);
	record_close(k->record);
	sessionlog_close(k->sessions);
	metrics_close(k->metrics);
	progress_close(k->progress);
	notify_close(k->notify);
	keyboard_close(k->keyboard);
	gpio_close(k->gpio);
	watch_close(k->watch);
	script_free(&k->script);
	if (k->signal_fd >= 0)
		close(k->signal_fd);
	engine_free(k->engine);
	routine_free(k->next);
	routine_free(k->routine);
}

int kiosk_run(const struct options *o)
{
	struct kiosk k = {.opt = o,
			  .signal_fd = -1,
			  .settle = {.due = KT_NEVER},
			  .config_path = o->config ? o->config : KIOSK_SYSCONF};
	int status = 1;
	if (start(&k) == 0) {
		run_loop(&k);
		status = k.failed ? 1 : 0;
	}
	tear_down(&k);
	return status;
}
