/*
 * kiosk.c - set-up, the main loop and tear-down.
 *
 * The loop sleeps in poll() on its file descriptors (signals, keyboard)
 * with the timeout taken from the earliest deadline: the engine's, the
 * debouncer's and the script's next event. On the virtual clock it does
 * not sleep at all: time jumps to that earliest deadline. Everything that
 * happens is handed to the engine with the time it happened, and every
 * action the engine answers with goes to each output in turn.
 */
#include "kiosk.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "caption.h"
#include "clock.h"
#include "config.h"
#include "engine.h"
#include "gesture.h"
#include "keyboard.h"
#include "log.h"
#include "record.h"
#include "script.h"

struct kiosk {
	const struct options *opt;
	struct kclock clock;
	struct routine *routine;
	struct engine *engine;
	struct actions actions;
	kt_ms engine_wake;

	struct gestures gestures;
	struct script script;
	struct keyboard *keyboard;
	bool keyboard_mat; /* the mat as the keyboard's m key leaves it */

	struct record *record;
	struct caption *caption;
	int signal_fd;

	bool quit;
	bool session_ended;
};

/* ---- outputs ---- */

static void dispatch(struct kiosk *k, kt_ms now)
{
	const struct actions *a = &k->actions;
	for (int i = 0; i < a->count; i++) {
		record_action(k->record, now, &a->item[i]);
		caption_action(k->caption, &a->item[i]);
		if (a->item[i].kind == ACTION_SESSION)
			k->session_ended = true;
	}
	if (a->dropped)
		log_msg("engine dropped %d actions (a bug: please report)",
			a->dropped);
	k->engine_wake = a->wake;
}

static void engine_do(struct kiosk *k, enum engine_input in, kt_ms now)
{
	engine_input(k->engine, in, now, &k->actions);
	dispatch(k, now);
}

/* ---- inputs ---- */

static void gesture_to_engine(struct kiosk *k, const struct gesture_event *g,
			      kt_ms now)
{
	static const enum engine_input map[] = {
	    [GESTURE_PRESS] = INPUT_PRESS,
	    [GESTURE_LONG_PRESS] = INPUT_LONG_PRESS,
	    [GESTURE_MAT_ON] = INPUT_MAT_ON,
	    [GESTURE_MAT_OFF] = INPUT_MAT_OFF,
	};
	bool mat =
	    g->gesture == GESTURE_MAT_ON || g->gesture == GESTURE_MAT_OFF;
	record_input(k->record, now, mat ? "mat" : "button",
		     gesture_name(g->gesture));
	engine_do(k, map[g->gesture], now);
}

static void drain_gestures(struct kiosk *k, kt_ms now)
{
	struct gesture_event g[GESTURE_QUEUE];
	int n;
	while ((n = gestures_poll(&k->gestures, now, g, GESTURE_QUEUE)) > 0)
		for (int i = 0; i < n; i++)
			gesture_to_engine(k, &g[i], now);
}

static void run_script(struct kiosk *k, kt_ms now)
{
	while (script_next_at(&k->script) <= now) {
		const struct script_event *ev =
		    &k->script.event[k->script.next++];
		switch (ev->kind) {
		case SCRIPT_DOWN:
		case SCRIPT_UP:
			gestures_edge(&k->gestures, LINE_BUTTON,
				      ev->kind == SCRIPT_DOWN, ev->at);
			break;
		case SCRIPT_MAT_ON:
		case SCRIPT_MAT_OFF:
			gestures_edge(&k->gestures, LINE_MAT,
				      ev->kind == SCRIPT_MAT_ON, ev->at);
			break;
		case SCRIPT_QUIT:
			k->quit = true;
			return;
		}
	}
}

static void read_keyboard(struct kiosk *k, kt_ms now)
{
	enum key_action keys[16];
	int n = keyboard_read(k->keyboard, keys, 16);
	if (n < 0) {
		log_msg("keyboard: end of input; the keyboard is not read "
			"any more");
		keyboard_close(k->keyboard);
		k->keyboard = NULL;
		return;
	}
	for (int i = 0; i < n && !k->quit; i++) {
		struct gesture_event g = {.at = now};
		switch (keys[i]) {
		case KEY_PRESS:
			g.gesture = GESTURE_PRESS;
			break;
		case KEY_LONG:
			g.gesture = GESTURE_LONG_PRESS;
			break;
		case KEY_MAT:
			k->keyboard_mat = !k->keyboard_mat;
			g.gesture =
			    k->keyboard_mat ? GESTURE_MAT_ON : GESTURE_MAT_OFF;
			break;
		case KEY_QUIT:
		case KEY_NONE:
			k->quit = keys[i] == KEY_QUIT;
			continue;
		}
		gesture_to_engine(k, &g, now);
	}
}

static void read_signals(struct kiosk *k)
{
	struct signalfd_siginfo si;
	while (read(k->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			log_msg("SIGHUP: reloading the routine is not "
				"supported yet; keeping the current one");
			continue;
		}
		log_msg("%s: stopping", strsignal((int)si.ssi_signo));
		k->quit = true;
	}
}

/* ---- the loop ---- */

static kt_ms next_deadline(const struct kiosk *k)
{
	return kt_min(kt_min(k->engine_wake, gestures_wake(&k->gestures)),
		      script_next_at(&k->script));
}

/* Sleep (real clock) or jump (virtual clock) until something is due. */
static void wait_for_work(struct kiosk *k)
{
	struct pollfd fds[2];
	int n = 0;
	fds[n++] = (struct pollfd){.fd = k->signal_fd, .events = POLLIN};
	if (k->keyboard)
		fds[n++] = (struct pollfd){.fd = keyboard_fd(k->keyboard),
					   .events = POLLIN};
	kt_ms due = next_deadline(k);
	int timeout = 0;
	if (k->clock.is_virtual) {
		kclock_jump(&k->clock, due);
	} else if (due == KT_NEVER) {
		timeout = -1;
	} else {
		kt_ms wait = due - kclock_now(&k->clock);
		timeout = wait <= 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
	}
	if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
		log_msg("poll: %s", strerror(errno));
	if (fds[0].revents & POLLIN)
		read_signals(k);
	kt_ms now = kclock_now(&k->clock);
	if (n > 1 && (fds[1].revents & (POLLIN | POLLHUP)))
		read_keyboard(k, now);
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
	       gestures_wake(&k->gestures) == KT_NEVER;
}

static void run_loop(struct kiosk *k)
{
	kt_ms now = kclock_now(&k->clock);
	engine_start(k->engine, now, &k->actions);
	dispatch(k, now);
	record_flush(k->record);
	while (!finished(k)) {
		wait_for_work(k);
		now = kclock_now(&k->clock);
		run_script(k, now);
		drain_gestures(k, now);
		if (k->engine_wake <= now) {
			engine_tick(k->engine, now, &k->actions);
			dispatch(k, now);
		}
		record_flush(k->record);
	}
	if (engine_in_session(k->engine))
		engine_do(k, INPUT_QUIT, kclock_now(&k->clock));
	record_flush(k->record);
}

/* ---- set-up and tear-down ---- */

static struct routine *load_routine(const struct options *o)
{
	const char *path = cli_config_path(o);
	const char *assets = cli_assets_dir(o);
	struct diags d;
	struct routine *r = NULL;
	if (path) {
		diags_init(&d, path);
		r = config_load_file(path, assets, &d);
		if (!r) {
			diags_print(&d, stderr);
			log_msg("%s has errors; running the built-in routine "
				"until it is fixed",
				path);
		}
		diags_free(&d);
	}
	if (!r) {
		size_t len;
		const char *text = config_builtin(&len);
		diags_init(&d, CONFIG_BUILTIN_NAME);
		r = config_load_text(text, len, NULL, assets, &d);
		diags_free(&d);
		if (!r) {
			/* Only a missing asset folder can do this: run
			 * without pictures rather than not at all. */
			log_msg("no illustrations in %s; running without them",
				assets);
			diags_init(&d, CONFIG_BUILTIN_NAME);
			r = config_load_text(text, len, NULL, NULL, &d);
			diags_free(&d);
		}
	}
	return r;
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
	gestures_init(&k->gestures, s->button_debounce, s->mat_debounce,
		      s->long_press);
	if (o->input == SOURCE_SCRIPT) {
		struct diags d;
		diags_init(&d, o->script);
		int rc = script_load(o->script, &k->script, &d);
		diags_print(&d, stderr);
		diags_free(&d);
		return rc;
	}
	if (o->input == SOURCE_GPIO)
		log_msg("GPIO input is not built in yet; using the keyboard");
	k->keyboard = keyboard_open(STDIN_FILENO);
	if (!k->keyboard)
		log_msg("no terminal to read keys from: running without "
			"input");
	return 0;
}

static int setup_outputs(struct kiosk *k)
{
	const struct options *o = k->opt;
	if (o->video == VIDEO_SDL)
		log_msg("video: SDL screens are not built in yet; captions go "
			"to the terminal");
	if (o->audio == AUDIO_PORTAUDIO)
		log_msg("audio: speech is not built in yet; every spoken line "
			"is shown as a caption");
	else if (o->audio == AUDIO_WAV)
		log_msg("audio: WAV output is not built in yet; %s is not "
			"written",
			o->wav);
	if (o->screenshots)
		log_msg("screenshots: no display in this build; %s stays empty",
			o->screenshots);
	if (o->events) {
		k->record = record_open(o->events);
		if (!k->record) {
			log_msg("cannot write the event record %s: %s",
				o->events, strerror(errno));
			return -1;
		}
	}
	/* Captions are for people watching: not on a virtual clock, and on
	 * stderr when stdout carries the event record. */
	if (!k->clock.is_virtual) {
		bool stdout_taken = o->events && !strcmp(o->events, "-");
		k->caption = caption_open(stdout_taken ? stderr : stdout,
					  k->keyboard != NULL);
	}
	return 0;
}

int kiosk_run(const struct options *o)
{
	struct kiosk k = {.opt = o, .signal_fd = -1};
	int status = 1;
	kclock_init(&k.clock, o->virtual_clock);
	k.routine = load_routine(o);
	if (!k.routine)
		goto out;
	struct engine_options eo = {.have_mat = true};
	k.engine = engine_new(k.routine, &eo);
	k.signal_fd = open_signals();
	if (!k.engine || k.signal_fd < 0) {
		log_msg("cannot start: %s", strerror(errno));
		goto out;
	}
	if (setup_inputs(&k) < 0 || setup_outputs(&k) < 0)
		goto out;
	run_loop(&k);
	status = 0;
out:
	caption_close(k.caption);
	record_close(k.record);
	keyboard_close(k.keyboard);
	script_free(&k.script);
	if (k.signal_fd >= 0)
		close(k.signal_fd);
	engine_free(k.engine);
	routine_free(k.routine);
	return status;
}
