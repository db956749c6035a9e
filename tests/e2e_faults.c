/*
 * e2e_faults.c - fault injection: the kiosk binary ($KIOSK) run as a user
 * would run it, with one piece of its world broken each time, judged by
 * what it leaves behind: its exit status, its log (stderr), its event
 * record, its session record (sessions.tsv), its CPU time and its timing.
 *
 * The faults: no sound device (the machine's default, and a named device
 * that is not there), no display (X11 without $DISPLAY, KMSDRM without a
 * card), no GPIO chip at the path in the routine, the routine file
 * unreadable, the session record on a full disk (and the disk freed
 * again), a damaged session record, a state folder that cannot be
 * written, the event record on a full disk, storms of SIGTERM, SIGINT and
 * SIGHUP, and the wall clock jumping a day and an hour while a hold is
 * timed. In each the kiosk stays up, or stops cleanly when asked, and
 * loses nothing it could have kept.
 *
 * Speed: the faults that need the real clock (sound, display, GPIO,
 * signals, the wall clock) each run one short session of
 * tests/faults/brief.conf (about 10 s), so they all start together in the
 * group set-up, each watched and driven by a thread of its own, and each
 * test then collects its run. The rest run on the virtual clock.
 *
 * The routine file changed, broken or deleted while the kiosk runs is in
 * e2e_reload.c, with the rest of reloading.
 *
 * Run from the top of the tree; $KIOSK_OUT is the build folder (make test
 * sets both), where the wall-clock shim wallclock.so is too.
 */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ROUTINE	 "tests/faults/brief.conf"
#define NOBODY	 65534 /* the unprivileged user the "unreadable" runs use */
#define STORM	 1000  /* signals in a storm */
#define EXIT_MAX 1.0   /* seconds from a stop signal to the exit */
#define SLACK_MS 100   /* allowed error of a timed part's length */

extern char **environ;

static char out[256]; /* $KIOSK_OUT/e2e-faults, absolute */
/* Where the runs as NOBODY keep their files: a folder of its own in /tmp,
 * since the checkout may sit below one only its owner can enter (mktemp
 * -d makes those), and then every path into it is "Permission denied"
 * for NOBODY, whatever the file's own mode. */
static char nobody_base[64];

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void pause_s(double s)
{
	struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void f_write(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Write a file whole under a new name, then rename() it into place: a
 * reader sees the old contents or the new, never half. */
static void replace_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s.new", path);
	write_file(tmp, text);
	assert_int_equal(rename(tmp, path), 0);
}

/* ---- running the kiosk ---- */

#define ARGS_MAX 24
#define ENV_MAX	 8

struct run {
	const char *name;
	char dir[512];
	char arg[ARGS_MAX][640];
	int argc;
	char env[ENV_MAX][640]; /* NAME=VALUE, set in the kiosk's */
	int nenv;
	const char *unset[4]; /* names taken out of its environment */
	bool as_nobody;	      /* drop to NOBODY before exec (when root) */
	void (*drive)(struct run *);

	pid_t pid;
	pthread_t thread;
	bool threaded;
	double started, signalled, ended; /* monotonic seconds */
	bool exited, timed_out;
	int status;
	struct rusage ru;
	char note[256]; /* what the driver could not do */
};

static void arg(struct run *r, const char *fmt, ...)
{
	assert_true(r->argc < ARGS_MAX);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->arg[r->argc++], sizeof r->arg[0], fmt, ap);
	va_end(ap);
}

static void env(struct run *r, const char *fmt, ...)
{
	assert_true(r->nenv < ENV_MAX);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->env[r->nenv++], sizeof r->env[0], fmt, ap);
	va_end(ap);
}

/* A run's folder, made fresh (and the unprivileged user's when the run
 * drops to it). */
static void prepare(struct run *r, const char *name)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	snprintf(r->dir, sizeof r->dir, "%s/%s", out, name);
	char cmd[1400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", r->dir,
		 r->dir);
	assert_int_equal(run(cmd), 0);
}

static bool same_name(const char *entry, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(entry, name, n) && entry[n] == '=';
}

/* The environment for the kiosk: ours, less r->unset and what r->env
 * replaces, plus r->env. Built before fork(): the test has threads. */
static char **kiosk_environ(struct run *r)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **e = calloc(n + ENV_MAX + 1, sizeof *e);
	assert_non_null(e);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool drop = false;
		for (int u = 0; u < 4 && r->unset[u]; u++)
			drop |= same_name(environ[i], r->unset[u]);
		for (int v = 0; v < r->nenv; v++) {
			char name[128];
			snprintf(name, sizeof name, "%.*s",
				 (int)strcspn(r->env[v], "="), r->env[v]);
			drop |= same_name(environ[i], name);
		}
		if (!drop)
			e[k++] = environ[i];
	}
	for (int v = 0; v < r->nenv; v++)
		e[k++] = r->env[v];
	return e;
}

/* Start the kiosk: stdin /dev/null, stdout to DIR/out, stderr to
 * DIR/err. */
static void spawn(struct run *r)
{
	char *argv[ARGS_MAX + 2];
	argv[0] = (char *)kiosk();
	for (int i = 0; i < r->argc; i++)
		argv[i + 1] = r->arg[i];
	argv[r->argc + 1] = NULL;
	char **envp = kiosk_environ(r);
	char out_path[700], err_path[700];
	snprintf(out_path, sizeof out_path, "%s/out", r->dir);
	snprintf(err_path, sizeof err_path, "%s/err", r->dir);
	bool drop = r->as_nobody && geteuid() == 0;
	r->started = mono();
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 ||
		    dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (drop && (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
			     setuid(NOBODY) < 0))
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	free(envp);
}

/* Has the kiosk exited? Reaps it if so. */
static bool gone(struct run *r)
{
	if (r->exited)
		return true;
	pid_t p = wait4(r->pid, &r->status, WNOHANG, &r->ru);
	if (p == r->pid) {
		r->ended = mono();
		r->exited = true;
	}
	return r->exited;
}

/* Wait for the exit, up to `limit` seconds; then SIGKILL. */
static void reap(struct run *r, double limit)
{
	double until = mono() + limit;
	while (!gone(r)) {
		if (mono() > until) {
			r->timed_out = true;
			kill(r->pid, SIGKILL);
			while (wait4(r->pid, &r->status, 0, &r->ru) < 0 &&
			       errno == EINTR)
				;
			r->ended = mono();
			r->exited = true;
			break;
		}
		pause_s(0.002);
	}
}

static char *run_file(const struct run *r, const char *name)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	return read_file(path, NULL);
}

/* Wait until the event record has `n` lines containing `needle`; the
 * time it did, or -1 (the kiosk ended first, or 30 s passed). */
static double await(struct run *r, const char *needle, int n)
{
	double until = mono() + 30;
	while (mono() < until && !gone(r)) {
		char *ev = run_file(r, "events.jsonl");
		int got = count_of(ev, needle);
		free(ev);
		if (got >= n)
			return mono();
		pause_s(0.002);
	}
	snprintf(r->note, sizeof r->note, "never saw %d x %s", n, needle);
	return -1;
}

static void storm(struct run *r, int sig, int n)
{
	if (!r->signalled)
		r->signalled = mono();
	for (int i = 0; i < n; i++)
		kill(r->pid, sig);
}

static void *watch(void *arg)
{
	struct run *r = arg;
	if (r->drive)
		r->drive(r);
	reap(r, 60);
	return NULL;
}

/* Start a run with its own thread to drive and reap it. */
static void start(struct run *r)
{
	spawn(r);
	assert_int_equal(pthread_create(&r->thread, NULL, watch, r), 0);
	r->threaded = true;
}

/* A run to its end: waited for, its log shown, its exit judged. */
static void finish(struct run *r, bool want_clean_exit)
{
	if (r->threaded) {
		pthread_join(r->thread, NULL);
		r->threaded = false;
	} else {
		reap(r, 60);
	}
	char *err = run_file(r, "err");
	printf("-- %s: %.2f s, CPU %.3f s, status 0x%x%s%s\n%s", r->name,
	       r->ended - r->started,
	       (double)r->ru.ru_utime.tv_sec + r->ru.ru_utime.tv_usec / 1e6 +
		   (double)r->ru.ru_stime.tv_sec + r->ru.ru_stime.tv_usec / 1e6,
	       r->status, r->timed_out ? " TIMED OUT" : "",
	       r->note[0] ? " (driver: see below)" : "", err ? err : "");
	if (r->note[0])
		printf("driver: %s\n", r->note);
	free(err);
	assert_false(r->timed_out);
	assert_string_equal(r->note, "");
	if (want_clean_exit) {
		assert_true(WIFEXITED(r->status));
		assert_int_equal(WEXITSTATUS(r->status), 0);
	}
}

static double cpu_s(const struct run *r)
{
	return (double)r->ru.ru_utime.tv_sec + r->ru.ru_utime.tv_usec / 1e6 +
	       (double)r->ru.ru_stime.tv_sec + r->ru.ru_stime.tv_usec / 1e6;
}

/* Run to the end in this thread (the virtual-clock runs). */
static void run_here(struct run *r)
{
	spawn(r);
	finish(r, true);
}

/* The usual arguments: a routine, a script, the event record and the
 * session record in the run's folder. */
static void session_args(struct run *r, const char *routine, const char *script)
{
	arg(r, "--config");
	arg(r, "%s", routine);
	arg(r, "--input");
	arg(r, "script:%s", script);
	arg(r, "--events");
	arg(r, "%s/events.jsonl", r->dir);
	arg(r, "--state-dir");
	arg(r, "%s/state", r->dir);
}

/* ---- reading what a run left ---- */

struct record {
	char *buf;
	char **line;
	int n;
};

static void read_record(const struct run *r, struct record *rec)
{
	char path[700];
	snprintf(path, sizeof path, "%s/events.jsonl", r->dir);
	rec->line = read_lines(path, &rec->buf);
	for (rec->n = 0; rec->line[rec->n]; rec->n++)
		;
}

static void free_record(struct record *rec)
{
	free(rec->line);
	free(rec->buf);
}

/* The first line at or after `from` with both key=value pairs (the
 * second may be NULL); its index or -1. */
static int find(const struct record *rec, int from, const char *k1,
		const char *v1, const char *k2, const char *v2)
{
	for (int i = from; i < rec->n; i++)
		if (json_is(rec->line[i], k1, v1) &&
		    (!k2 || json_is(rec->line[i], k2, v2)))
			return i;
	return -1;
}

static int count(const struct record *rec, const char *k1, const char *v1,
		 const char *k2, const char *v2)
{
	int n = 0;
	for (int i = find(rec, 0, k1, v1, k2, v2); i >= 0;
	     i = find(rec, i + 1, k1, v1, k2, v2))
		n++;
	return n;
}

/* The record is whole and in order: times never go back, and every line
 * is a complete object. */
static void assert_record_whole(const struct record *rec)
{
	long last = 0;
	assert_true(rec->n > 0);
	for (int i = 0; i < rec->n; i++) {
		const char *l = rec->line[i];
		assert_true(l[0] == '{' && l[strlen(l) - 1] == '}');
		long t = json_ms(l);
		assert_true(t >= last);
		last = t;
	}
}

/* One timed hold, judged from the record: it lasted its length, and
 * its countdown showed each whole second at its second (within
 * SLACK_MS of the part's start plus that many seconds). */
static void assert_hold_timed(const struct record *rec, int seconds)
{
	int s = find(rec, 0, "type", "part", "event", "start");
	int e = find(rec, 0, "type", "part", "event", "end");
	assert_true(s >= 0 && e > s);
	long start = json_ms(rec->line[s]), end = json_ms(rec->line[e]);
	printf("hold: %ld ms (start %ld, end %ld)\n", end - start, start, end);
	assert_true(labs(end - start - seconds * 1000L) <= SLACK_MS);
	int shown = 0;
	for (int i = s; i < e; i++) {
		char rem[16];
		if (!json_is(rec->line[i], "type", "screen") ||
		    !json_get(rec->line[i], "remaining", rem, sizeof rem))
			continue;
		int left = atoi(rem);
		long due = start + (seconds - left) * 1000L;
		if (labs(json_ms(rec->line[i]) - due) > SLACK_MS)
			fail_msg("remaining %d shown at %ld ms, due at %ld",
				 left, json_ms(rec->line[i]), due);
		shown |= 1 << left;
	}
	/* Every second of the countdown was shown. */
	for (int left = 1; left <= seconds; left++)
		assert_true(shown & (1 << left));
}

/* The session record's lines (not its header). */
static int tsv_sessions(const struct run *r, char ***lines, char **buf)
{
	char path[700];
	snprintf(path, sizeof path, "%s/state/sessions.tsv", r->dir);
	char **all = read_lines(path, buf);
	int n = 0;
	for (char **l = all; *l; l++)
		if (**l != '#')
			all[n++] = *l;
	all[n] = NULL;
	*lines = all;
	return n;
}

/* The log's lines that contain `needle`. */
static int log_count(const struct run *r, const char *needle)
{
	char *err = run_file(r, "err");
	int n = count_of(err, needle);
	free(err);
	return n;
}

/* Nothing on stderr but the kiosk's own lines: the sound and display
 * libraries' noise is silenced. */
static void assert_log_only_kiosk(const struct run *r)
{
	char *err = run_file(r, "err");
	assert_non_null(err);
	for (char *save = NULL, *l = strtok_r(err, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "kiosk: ", 7))
			fail_msg("a line not from the kiosk: %s", l);
	free(err);
}

/* The common ending of a whole brief.conf session. */
static void assert_session_completed(const struct run *r)
{
	struct record rec;
	read_record(r, &rec);
	assert_record_whole(&rec);
	assert_int_equal(count(&rec, "type", "session", NULL, NULL), 1);
	assert_true(find(&rec, 0, "result", "completed", NULL, NULL) >= 0);
	assert_hold_timed(&rec, 5);
	free_record(&rec);
	char **l, *buf;
	assert_int_equal(tsv_sessions(r, &l, &buf), 1);
	assert_non_null(strstr(l[0], "\tcompleted\t1\tShort hold\t"
				     "Fault routine"));
	free(l);
	free(buf);
}

/* ---- the real-clock runs, started together ---- */

enum {
	R_AUDIO_DEFAULT,
	R_AUDIO_NAMED,
	R_NO_X11,
	R_NO_KMSDRM,
	R_GPIO,
	R_TERM,
	R_INT,
	R_HUP,
	R_CLOCK,
	R_COUNT
};
static struct run runs[R_COUNT];
static bool have_card, have_dri;

/* A press at 0: one session of the routine. */
static void press_script(struct run *r)
{
	char path[700];
	snprintf(path, sizeof path, "%s/press.script", r->dir);
	write_file(path, "0 press\n");
}

static void one_session(struct run *r, const char *routine)
{
	press_script(r);
	char script[700];
	snprintf(script, sizeof script, "%s/press.script", r->dir);
	session_args(r, routine, script);
}

/* A home of our own, so the user's ~/.asoundrc plays no part. */
static void alsa_home(struct run *r, const char *asoundrc)
{
	char path[700];
	snprintf(path, sizeof path, "%s/home", r->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/home/.asoundrc", r->dir);
	write_file(path, asoundrc);
	env(r, "HOME=%s/home", r->dir);
}

static void drive_stop_in_hold(struct run *r, int sig)
{
	if (await(r, "\"event\":\"start\"", 1) < 0)
		return;
	pause_s(0.5);
	storm(r, sig, STORM);
}

static void drive_term(struct run *r)
{
	drive_stop_in_hold(r, SIGTERM);
}

static void drive_int(struct run *r)
{
	drive_stop_in_hold(r, SIGINT);
}

/* SIGHUP as the hold starts: STORM at once, then STORM / 5 more over a
 * second; after the session and its closing screen, SIGTERM. */
static void drive_hup(struct run *r)
{
	if (await(r, "\"event\":\"start\"", 1) < 0)
		return;
	for (int i = 0; i < STORM; i++)
		kill(r->pid, SIGHUP);
	pause_s(0.5);
	for (int i = 0; i < STORM / 5; i++) {
		kill(r->pid, SIGHUP);
		pause_s(0.005);
	}
	if (await(r, "\"state\":\"attract\"", 2) < 0)
		return;
	pause_s(0.2);
	storm(r, SIGTERM, 1);
}

/* The wall clock: a day ahead from the start, then during the hold back
 * to an hour behind, then three hours ahead. */
static void drive_clock(struct run *r)
{
	char path[700];
	snprintf(path, sizeof path, "%s/wallclock", r->dir);
	double t = await(r, "\"event\":\"start\"", 1);
	if (t < 0)
		return;
	pause_s(1.5 - (mono() - t));
	replace_file(path, "-3600\n");
	pause_s(3.0 - (mono() - t));
	replace_file(path, "10800\n");
}

static void drive_gpio(struct run *r)
{
	pause_s(1.5);
	storm(r, SIGTERM, 1);
}

/* libasan, when this program has it: ASan wants its runtime first in
 * LD_PRELOAD, before the shim. */
static int find_asan(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
		snprintf(data, 512, "%s", info->dlpi_name);
		return 1;
	}
	return 0;
}

static const char *shim_path(void)
{
	static char path[600];
	const char *o = getenv("KIOSK_OUT");
	snprintf(path, sizeof path, "%s/tests/wallclock.so", o ? o : "build");
	return path;
}

static int start_real_clock_runs(void **state)
{
	(void)state;
	/* Absolute: HOME is made one of the runs' folders. */
	const char *o = getenv("KIOSK_OUT");
	char rel[300], cmd[1200];
	snprintf(rel, sizeof rel, "%s/e2e-faults", o ? o : "build");
	snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", rel, rel);
	char abs[PATH_MAX];
	if (run(cmd) || !realpath(rel, abs) || strlen(abs) >= sizeof out)
		return -1;
	memcpy(out, abs, strlen(abs) + 1);
	snprintf(nobody_base, sizeof nobody_base, "/tmp/kiosk-faults-XXXXXX");
	if (!mkdtemp(nobody_base) || chmod(nobody_base, 0755) < 0)
		return -1;
	have_dri = access("/dev/dri", F_OK) == 0;
	have_card = access("/dev/snd", F_OK) == 0;
	struct run *r;

	/* 1. The machine's default sound device, which here is none. */
	r = &runs[R_AUDIO_DEFAULT];
	prepare(r, "audio-default");
	one_session(r, ROUTINE);
	arg(r, "--audio");
	arg(r, "portaudio");
	arg(r, "--video");
	arg(r, "none");
	arg(r, "--exit-after-session");
	alsa_home(r, "");

	/* 1b. A named device that is not there, among devices that are:
	 * ALSA's "default" made a file PCM over "null". */
	r = &runs[R_AUDIO_NAMED];
	prepare(r, "audio-named");
	snprintf(cmd, sizeof cmd,
		 "sed 's/^\\[settings\\]$/[settings]\\naudio_device = "
		 "no-such-card/' " ROUTINE " >'%s/named.conf'",
		 r->dir);
	if (run(cmd))
		return -1;
	char conf[700], asoundrc[1200];
	snprintf(conf, sizeof conf, "%s/named.conf", r->dir);
	one_session(r, conf);
	arg(r, "--audio");
	arg(r, "portaudio");
	arg(r, "--video");
	arg(r, "none");
	arg(r, "--exit-after-session");
	snprintf(asoundrc, sizeof asoundrc,
		 "pcm.!default {\n\ttype file\n\tslave.pcm \"null\"\n"
		 "\tfile \"%s/alsa.raw\"\n\tformat \"raw\"\n}\n",
		 r->dir);
	alsa_home(r, asoundrc);

	/* 2. No display: X11 without $DISPLAY, and KMSDRM without a card. */
	const char *drivers[] = {"x11", "kmsdrm"};
	for (int i = 0; i < 2; i++) {
		r = &runs[R_NO_X11 + i];
		prepare(r, i ? "no-kmsdrm" : "no-x11");
		one_session(r, ROUTINE);
		arg(r, "--video");
		arg(r, "sdl");
		arg(r, "--audio");
		arg(r, "none");
		arg(r, "--exit-after-session");
		env(r, "SDL_VIDEODRIVER=%s", drivers[i]);
		r->unset[0] = "DISPLAY";
		r->unset[1] = "WAYLAND_DISPLAY";
	}

	/* 3. No GPIO chip at the path the routine names. */
	r = &runs[R_GPIO];
	prepare(r, "gpio");
	snprintf(cmd, sizeof cmd,
		 "%s --print-config | sed "
		 "'s|^button_line = .*|button_line = /dev/gpiochip9:17|; "
		 "s|^mat_line = .*|mat_line = /dev/gpiochip9:27|' "
		 ">'%s/gpio.conf'",
		 kiosk(), r->dir);
	if (run(cmd))
		return -1;
	arg(r, "--config");
	arg(r, "%s/gpio.conf", r->dir);
	arg(r, "--input");
	arg(r, "gpio");
	arg(r, "--video");
	arg(r, "none");
	arg(r, "--audio");
	arg(r, "none");
	arg(r, "--state-dir");
	arg(r, "%s/state", r->dir);
	r->drive = drive_gpio;

	/* 7. Storms of signals, mid-session, with the voice on (its thread
	 * is where a stray signal used to land). */
	void (*drivers7[])(struct run *) = {drive_term, drive_int, drive_hup};
	const char *names7[] = {"sigterm", "sigint", "sighup"};
	for (int i = 0; i < 3; i++) {
		r = &runs[R_TERM + i];
		prepare(r, names7[i]);
		one_session(r, ROUTINE);
		arg(r, "--video");
		arg(r, "none");
		arg(r, "--audio");
		arg(r, "portaudio");
		alsa_home(r, "");
		r->drive = drivers7[i];
	}

	/* 8. The wall clock jumps; the screens and a WAV on the real
	 * clock. */
	r = &runs[R_CLOCK];
	prepare(r, "wallclock");
	one_session(r, ROUTINE);
	arg(r, "--video");
	arg(r, "sdl");
	arg(r, "--window");
	arg(r, "480x320");
	arg(r, "--audio");
	arg(r, "wav:%s/sound.wav", r->dir);
	arg(r, "--exit-after-session");
	env(r, "SDL_VIDEODRIVER=dummy");
	env(r, "TZ=UTC0");
	env(r, "KIOSK_WALLCLOCK_FILE=%s/wallclock", r->dir);
	char asan[512] = "";
	dl_iterate_phdr(find_asan, asan);
	env(r, "LD_PRELOAD=%s%s%s", asan, asan[0] ? ":" : "", shim_path());
	char path[700];
	snprintf(path, sizeof path, "%s/wallclock", r->dir);
	write_file(path, "86400\n");
	r->drive = drive_clock;

	for (int i = 0; i < R_COUNT; i++)
		start(&runs[i]);
	return 0;
}

static int stop_runs(void **state)
{
	(void)state;
	for (int i = 0; i < R_COUNT; i++)
		if (runs[i].threaded) {
			pthread_join(runs[i].thread, NULL);
			runs[i].threaded = false;
		}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", nobody_base);
	return nobody_base[0] ? run(cmd) : 0;
}

/* ---- 1. no sound device ---- */

/* The machine's default device: one clear line, the whole session with
 * captions, exit 0, and no busy loop while it waits (it tries the device
 * again every 5 s, quietly). */
static void test_no_sound_device(void **state)
{
	(void)state;
	struct run *r = &runs[R_AUDIO_DEFAULT];
	finish(r, true);
	if (have_card && !log_count(r, "no output device"))
		skip(); /* this machine has a sound device */
	assert_int_equal(log_count(r, "audio: "), 1);
	assert_int_equal(log_count(r, "kiosk: audio: no output device "
				      "'default' (no output devices); "
				      "speaking through captions only\n"),
			 1);
	assert_log_only_kiosk(r);
	assert_session_completed(r);
	char *captions = run_file(r, "out");
	assert_non_null(strstr(captions, "> Hold.\n"));
	assert_non_null(strstr(captions, "> And relax.\n"));
	free(captions);
	/* About 10 s of real time, mostly asleep: a busy loop would take
	 * a whole core for all of it. */
	double wall = r->ended - r->started, cpu = cpu_s(r);
	printf("CPU %.3f s over %.1f s (%.1f%%)\n", cpu, wall,
	       100 * cpu / wall);
	assert_true(wall > 8);
	assert_true(cpu < 0.15 * wall);
}

static void test_named_sound_device_missing(void **state)
{
	(void)state;
	struct run *r = &runs[R_AUDIO_NAMED];
	finish(r, true);
	assert_int_equal(log_count(r, "audio: "), 1);
	assert_int_equal(log_count(r, "kiosk: audio: no output device "
				      "'no-such-card' (no device by that "
				      "name); speaking through captions "
				      "only\n"),
			 1);
	assert_log_only_kiosk(r);
	assert_session_completed(r);
	assert_true(cpu_s(r) < 0.15 * (r->ended - r->started));
}

/* ---- 2. no display ---- */

static void no_display(struct run *r, const char *driver)
{
	finish(r, true);
	char want[200];
	snprintf(want, sizeof want,
		 "kiosk: video: no display (%s not available); the kiosk "
		 "goes on with its voice\n",
		 driver);
	assert_int_equal(log_count(r, want), 1);
	assert_int_equal(log_count(r, "video: "), 1);
	assert_log_only_kiosk(r);
	assert_session_completed(r);
	/* Captions in the terminal instead of the screens. */
	char *captions = run_file(r, "out");
	assert_non_null(strstr(captions, "== Fault routine =="));
	assert_non_null(strstr(captions, "> Hold.\n"));
	assert_non_null(strstr(captions, "Done: 1 exercises in"));
	free(captions);
	assert_true(cpu_s(r) < 0.15 * (r->ended - r->started));
}

static void test_no_display_x11(void **state)
{
	(void)state;
	no_display(&runs[R_NO_X11], "x11");
}

static void test_no_display_kmsdrm(void **state)
{
	(void)state;
	if (have_dri) {
		finish(&runs[R_NO_KMSDRM], false);
		skip(); /* this machine has a DRM card */
	}
	no_display(&runs[R_NO_KMSDRM], "kmsdrm");
}

/* ---- 3. no GPIO chip ---- */

/* e2e_gpio covers a chip path that is not a GPIO chip (/dev/null) and
 * the self-test; this is a chip path that is not there at all. The kiosk
 * says so once per line, falls back to the keys, sleeps (a retry every
 * 10 s) and stops cleanly on SIGTERM. */
static void test_gpio_chip_missing(void **state)
{
	(void)state;
	struct run *r = &runs[R_GPIO];
	finish(r, true);
	char *err = run_file(r, "err");
	bool none = strstr(err, "button: no GPIO chip on this machine") &&
		    strstr(err, "mat: no GPIO chip on this machine");
	bool not_this = strstr(err, "button: no chip /dev/gpiochip9") &&
			strstr(err, "mat: no chip /dev/gpiochip9");
	assert_true(none || not_this);
	assert_int_equal(count_of(err, "trying again every 10 s"), 2);
	assert_non_null(strstr(err, "inputs: no GPIO line: the keys only"));
	assert_non_null(strstr(err, "kiosk: Terminated: stopping\n"));
	free(err);
	assert_true(cpu_s(r) < 0.5);
}

/* ---- 7. signal storms ---- */

/* STORM stop signals mid-hold: a clean exit within EXIT_MAX of the first,
 * the session ended in the record as the kiosk quitting, and in the
 * session record as a shutdown. */
static void stop_storm(struct run *r, const char *logged)
{
	finish(r, true);
	double took = r->ended - r->signalled;
	printf("exit %.3f s after the first of %d signals\n", took, STORM);
	assert_true(r->signalled > 0);
	assert_true(took < EXIT_MAX);
	assert_true(log_count(r, logged) >= 1);
	assert_log_only_kiosk(r);

	struct record rec;
	read_record(r, &rec);
	assert_record_whole(&rec);
	assert_true(find(&rec, 0, "kind", "hold", "event", "start") >= 0);
	assert_int_equal(find(&rec, 0, "type", "part", "event", "end"), -1);
	assert_int_equal(count(&rec, "type", "session", NULL, NULL), 1);
	const char *last = rec.line[rec.n - 1];
	assert_true(json_is(last, "type", "session"));
	assert_true(json_is(last, "result", "stopped"));
	assert_true(json_is(last, "quit", "true"));
	free_record(&rec);

	char **l, *buf;
	assert_int_equal(tsv_sessions(r, &l, &buf), 1);
	assert_non_null(strstr(l[0], "\tshutdown\t1\tShort hold\t"));
	free(l);
	free(buf);
}

static void test_sigterm_storm(void **state)
{
	(void)state;
	stop_storm(&runs[R_TERM], "kiosk: Terminated: stopping\n");
}

static void test_sigint_storm(void **state)
{
	(void)state;
	stop_storm(&runs[R_INT], "kiosk: Interrupt: stopping\n");
}

/* The kiosk says it is stopping once, however many times it is told
 * (signals that arrive while the loop reads the first are read too). */
static void test_stop_storms_logged_once(void **state)
{
	(void)state;
	int term = log_count(&runs[R_TERM], "Terminated: stopping");
	int intr = log_count(&runs[R_INT], "Interrupt: stopping");
	printf("'stopping' logged %d times for %d SIGTERM, %d for %d "
	       "SIGINT\n",
	       term, STORM, intr, STORM);
	assert_int_equal(term, 1);
	assert_int_equal(intr, 1);
}

/* Two bursts of SIGHUP in a hold: the kiosk stays up and the session
 * goes on as if nothing happened; SIGTERM afterwards still stops it at
 * once. */
static void test_sighup_storm_session_unharmed(void **state)
{
	(void)state;
	struct run *r = &runs[R_HUP];
	finish(r, true);
	double took = r->ended - r->signalled;
	printf("exit %.3f s after SIGTERM\n", took);
	assert_true(took < EXIT_MAX);
	assert_log_only_kiosk(r);
	assert_session_completed(r);
	struct record rec;
	read_record(r, &rec);
	/* Nothing missing between the start and the end of the hold: a
	 * screen every second. */
	int s = find(&rec, 0, "type", "part", "event", "start");
	int e = find(&rec, 0, "type", "part", "event", "end");
	for (int i = s + 1; i <= e; i++)
		assert_true(json_ms(rec.line[i]) - json_ms(rec.line[i - 1]) <=
			    1000 + SLACK_MS);
	assert_int_equal(count(&rec, "quit", "true", NULL, NULL), 0);
	assert_true(count(&rec, "state", "attract", NULL, NULL) >= 2);
	free_record(&rec);
}

/* A storm of SIGHUP is one request, not hundreds: the file is read at
 * most once a second (the storm lasts about one). */
static void test_sighup_storm_coalesced(void **state)
{
	(void)state;
	struct run *r = &runs[R_HUP];
	int reads = log_count(r, "read again");
	printf("the routine read %d times for %d + %d SIGHUP\n", reads, STORM,
	       STORM / 5);
	assert_true(reads >= 1 && reads <= 3);
}

/* ---- 8. the wall clock jumps ---- */

/* The shim moves the wall clock of what it is loaded into, and only
 * that: checked on date(1) before it is trusted with the kiosk. */
static void test_wallclock_shim_works(void **state)
{
	(void)state;
	char path[700], cmd[2000];
	snprintf(path, sizeof path, "%s/shim-offset", out);
	write_file(path, "-7200\n");
	snprintf(cmd, sizeof cmd,
		 "KIOSK_WALLCLOCK_FILE=%s LD_PRELOAD=%s date +%%s >%s/shim.out",
		 path, shim_path(), out);
	time_t now = time(NULL);
	assert_int_equal(run(cmd), 0);
	snprintf(path, sizeof path, "%s/shim.out", out);
	char *got = read_file(path, NULL);
	assert_non_null(got);
	long long moved = atoll(got) - (long long)now;
	free(got);
	printf("date under the shim: %+lld s\n", moved);
	assert_true(moved <= -7200 + 2 && moved >= -7200 - 2);
}

/* The wall clock a day ahead from the start (the session record's date
 * shows it), then an hour behind and three hours ahead during the hold:
 * the hold, its countdown and the session's length do not move. */
static void test_wallclock_jumps_change_no_timing(void **state)
{
	(void)state;
	struct run *r = &runs[R_CLOCK];
	finish(r, true);
	assert_session_completed(r);

	char **l, *buf;
	assert_int_equal(tsv_sessions(r, &l, &buf), 1);
	/* Started a day ahead: the shim was in force. */
	char day[2][16];
	for (int i = 0; i < 2; i++) {
		time_t t = (time_t)(time(NULL) + 86400 - i * 60);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(day[i], sizeof day[i], "%Y-%m-%d", &tm);
	}
	printf("session record: %s\n", l[0]);
	assert_true(!strncmp(l[0], day[0], 10) || !strncmp(l[0], day[1], 10));
	/* Its length is the monotonic one, from the event record. */
	struct record rec;
	read_record(r, &rec);
	int b = find(&rec, 0, "state", "safety", NULL, NULL);
	int e = find(&rec, 0, "type", "session", NULL, NULL);
	long ms = json_ms(rec.line[e]) - json_ms(rec.line[b]);
	char want[32];
	snprintf(want, sizeof want, "\t%ld\tcompleted\t", (ms + 500) / 1000);
	assert_non_null(strstr(l[0], want));
	free_record(&rec);
	free(l);
	free(buf);
}

/* Occurrences of `word` not preceded by a letter, digit or '_'
 * (strftime( is not ftime(); a word starting with '_' is found anywhere. */
static int count_word(const char *text, const char *word)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, word)); p++)
		n += *word == '_' || p == text ||
		     !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
	return n;
}

/* The kiosk's own code reads the wall clock only where it is
 * documented: the session record's start and --stats' today. Timing
 * is the monotonic clock's alone (kiosk/clock.c). */
static void test_only_the_session_record_reads_the_wall_clock(void **state)
{
	(void)state;
	/* Whole words, but for the timed waits (pthread_cond_timedwait,
	 * sem_timedwait ...), whose default clock is the wall clock. */
	static const char *const calls[] = {
	    "CLOCK_REALTIME", "CLOCK_TAI", "gettimeofday",
	    "time(NULL)",     "time(&",	   "time(0)",
	    "timespec_get",   "ftime(",	   "_timedwait",
	};
	static const struct {
		const char *file, *call;
		int count;
	} allowed[] = {
	    {"kiosk.c", "time(NULL)", 1}, /* a session's start, for staff */
	    {"main.c", "time(NULL)", 1},  /* --stats: today's date */
	    {"metrics.c", "time(NULL)", 1}, /* start, for Prometheus */
	};
	DIR *d = opendir("kiosk");
	assert_non_null(d);
	int files = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t n = strlen(de->d_name);
		if (n < 3 || strcmp(de->d_name + n - 2, ".c"))
			continue;
		char path[300];
		snprintf(path, sizeof path, "kiosk/%s", de->d_name);
		char *src = read_file(path, NULL);
		assert_non_null(src);
		files++;
		for (size_t c = 0; c < sizeof calls / sizeof *calls; c++) {
			int uses = count_word(src, calls[c]), may = 0;
			for (size_t a = 0; a < sizeof allowed / sizeof *allowed;
			     a++)
				if (!strcmp(allowed[a].file, de->d_name) &&
				    !strcmp(allowed[a].call, calls[c]))
					may = allowed[a].count;
			if (uses > may)
				fail_msg("%s: %d x %s: timing must use the "
					 "monotonic clock (document a wall "
					 "clock use here if it is one)",
					 path, uses, calls[c]);
		}
		free(src);
	}
	closedir(d);
	assert_true(files > 20);
}

/* ---- 4. the routine file unreadable ---- */

static void nobody_folder(struct run *r, const char *name);

/* Can the kiosk run as NOBODY at all? Not when a library it loads by an
 * absolute path (libgpiod 2.x from build-gpiod2/, through its rpath) sits
 * below a folder NOBODY cannot enter: then these faults cannot be
 * injected, and the tests say so and skip. */
static bool nobody_can_run(void)
{
	static int known; /* 1 yes, -1 no */
	if (!known) {
		struct run r;
		nobody_folder(&r, "nobody-probe");
		arg(&r, "--version");
		spawn(&r);
		reap(&r, 10);
		known =
		    WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 ? 1 : -1;
	}
	return known > 0;
}

/* A run that drops to the unprivileged user, in a folder it owns. The
 * kiosk binary and the assets are named relative to the checkout, which
 * NOBODY can enter from there. */
static void prepare_nobody(struct run *r, const char *name)
{
	if (!nobody_can_run()) {
		printf("the kiosk cannot start as uid %d here (a library "
		       "below a folder it cannot enter): not injected\n",
		       NOBODY);
		skip();
	}
	nobody_folder(r, name);
}

static void nobody_folder(struct run *r, const char *name)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	r->as_nobody = true;
	snprintf(r->dir, sizeof r->dir, "%s/%s", nobody_base, name);
	assert_int_equal(mkdir(r->dir, 0755), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(r->dir, NOBODY, NOBODY), 0);
	/* Relative too: the kiosk finds it from its own absolute path. */
	arg(r, "--assets");
	arg(r, "assets");
}

/* The routine, made unreadable: mode 000 (root reads it anyway, so the
 * runs drop to NOBODY). A file of its own for each test: only root may
 * copy over the mode-000 file a test before left (an ordinary user, as
 * a Pi owner running make check is, gets "Permission denied"). */
static void locked_routine(char *path, size_t n, const char *name)
{
	char cmd[700];
	snprintf(path, n, "%s/%s.conf", nobody_base, name);
	snprintf(cmd, sizeof cmd, "cp " ROUTINE " '%s' && chmod 000 '%s'", path,
		 path);
	assert_int_equal(run(cmd), 0);
}

static void test_unreadable_routine_check_names_it(void **state)
{
	(void)state;
	char locked[300];
	locked_routine(locked, sizeof locked, "locked-check");
	struct run r;
	prepare_nobody(&r, "unreadable-check");
	arg(&r, "--check");
	arg(&r, "--config");
	arg(&r, "%s", locked);
	spawn(&r);
	finish(&r, false);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 1);
	char *err = run_file(&r, "err"), want[400];
	snprintf(want, sizeof want,
		 "%s: cannot open: Permission denied\n", locked);
	assert_string_equal(err, want);
	free(err);
}

/* The kiosk runs the built-in routine instead, whole, and says why. */
static void test_unreadable_routine_runs_the_builtin(void **state)
{
	(void)state;
	char locked[300];
	locked_routine(locked, sizeof locked, "locked-run");
	struct run r;
	prepare_nobody(&r, "unreadable-run");
	char script[700];
	snprintf(script, sizeof script, "%s/mat.script", r.dir);
	write_file(script, "0 mat on\n");
	session_args(&r, locked, script);
	arg(&r, "--clock");
	arg(&r, "virtual");
	arg(&r, "--video");
	arg(&r, "none");
	arg(&r, "--audio");
	arg(&r, "none");
	arg(&r, "--exit-after-session");
	run_here(&r);
	/* The file and the reason, then what the kiosk does about it (two
	 * lines, nothing else). */
	char *err = run_file(&r, "err"), want[800];
	snprintf(want, sizeof want,
		 "%s: cannot open: Permission denied\nkiosk: %s has ", locked,
		 locked);
	assert_true(!strncmp(err, want, strlen(want)));
	assert_non_null(strstr(err, "; running the built-in routine until it "
				    "is fixed\n"));
	assert_int_equal(count_of(err, "\n"), 2);
	free(err);
	struct record rec;
	read_record(&r, &rec);
	assert_record_whole(&rec);
	assert_true(find(&rec, 0, "routine", "Mid-back mobility", NULL, NULL) >=
		    0);
	assert_int_equal(count(&rec, "type", "exercise", NULL, NULL), 6);
	assert_int_equal(count(&rec, "result", "completed", NULL, NULL), 1);
	free_record(&rec);
	char **l, *buf;
	assert_int_equal(tsv_sessions(&r, &l, &buf), 1);
	assert_non_null(strstr(l[0], "\tcompleted\t6\t"));
	assert_non_null(strstr(l[0], "\tMid-back mobility"));
	free(l);
	free(buf);
}

/* The first screenshot in a run's shots/ folder. */
static SDL_Surface *first_shot(const struct run *r)
{
	char dir[600], path[900] = "";
	snprintf(dir, sizeof dir, "%s/shots", r->dir);
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));)
		if (!strncmp(de->d_name, "001-", 4))
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
	closedir(d);
	assert_true(path[0]);
	SDL_Surface *png = IMG_Load(path);
	assert_non_null(png);
	SDL_Surface *s =
	    SDL_ConvertSurfaceFormat(png, SDL_PIXELFORMAT_RGBA32, 0);
	SDL_FreeSurface(png);
	assert_non_null(s);
	return s;
}

static bool amber_at(const SDL_Surface *s, int x, int y)
{
	const Uint8 *p = (const Uint8 *)s->pixels + y * s->pitch + x * 4;
	return p[0] == 0xFF && p[1] == 0xC8 && p[2] == 0x61; /* AMBER */
}

static void shoot_idle_screen(struct run *r, const char *routine)
{
	char script[700];
	snprintf(script, sizeof script, "%s/quit.script", r->dir);
	write_file(script, "1 quit\n");
	arg(r, "--config");
	arg(r, "%s", routine);
	arg(r, "--input");
	arg(r, "script:%s", script);
	arg(r, "--clock");
	arg(r, "virtual");
	arg(r, "--video");
	arg(r, "sdl");
	arg(r, "--window");
	arg(r, "480x320");
	arg(r, "--audio");
	arg(r, "none");
	arg(r, "--screenshots");
	arg(r, "%s/shots", r->dir);
	env(r, "SDL_VIDEODRIVER=dummy");
	run_here(r);
}

/* And staff see it on the screen: the amber banner across the top, which
 * a readable routine does not have. */
static void test_unreadable_routine_banner_for_staff(void **state)
{
	(void)state;
	char locked[300];
	locked_routine(locked, sizeof locked, "locked-banner");
	struct run r;
	prepare_nobody(&r, "unreadable-banner");
	shoot_idle_screen(&r, locked);
	SDL_Surface *s = first_shot(&r);
	assert_true(amber_at(s, 2, 2) && amber_at(s, s->w - 3, 2));
	SDL_FreeSurface(s);

	prepare(&r, "readable-banner");
	shoot_idle_screen(&r, ROUTINE);
	s = first_shot(&r);
	assert_false(amber_at(s, 2, 2) || amber_at(s, s->w - 3, 2));
	SDL_FreeSurface(s);
}

/* ---- 6. the session record on a full disk, damaged, or unwritable ---- */

/* `sessions` sessions of the routine on the virtual clock, the session
 * record a link to /dev/full (writes fail with ENOSPC). The event record
 * goes through a FIFO of one page, so the kiosk can run only that far
 * ahead of this reader: once `free_after` sessions have ended in it, the
 * disk "frees" (the link becomes an empty file) with sessions still to
 * come. Returns the sessions the kiosk logged as lost. */
static int full_disk(struct run *r, int sessions, int free_after)
{
	char state_dir[600], tsv[700], fifo[600], script[600];
	snprintf(state_dir, sizeof state_dir, "%s/state", r->dir);
	snprintf(tsv, sizeof tsv, "%s/sessions.tsv", state_dir);
	snprintf(fifo, sizeof fifo, "%s/events.fifo", r->dir);
	snprintf(script, sizeof script, "%s/sessions.script", r->dir);
	assert_int_equal(mkdir(state_dir, 0755), 0);
	assert_int_equal(symlink("/dev/full", tsv), 0);
	FILE *f = fopen(script, "w");
	assert_non_null(f);
	for (int i = 0; i < sessions; i++)
		fprintf(f, "%d press\n", 20 * i);
	fclose(f);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	fcntl(fd, F_SETPIPE_SZ, 4096);

	arg(r, "--config");
	arg(r, ROUTINE);
	arg(r, "--input");
	arg(r, "script:%s", script);
	arg(r, "--clock");
	arg(r, "virtual");
	arg(r, "--video");
	arg(r, "none");
	arg(r, "--audio");
	arg(r, "none");
	arg(r, "--events");
	arg(r, "%s", fifo);
	arg(r, "--state-dir");
	arg(r, "%s", state_dir);
	spawn(r);

	size_t cap = 1 << 20, len = 0;
	char *ev = malloc(cap);
	assert_non_null(ev);
	int ended = 0, at_free = -1;
	double until = mono() + 30;
	for (;;) {
		if (len + 65536 > cap)
			assert_non_null(ev = realloc(ev, cap *= 2));
		ssize_t n = read(fd, ev + len, cap - len - 1);
		if (n > 0) {
			len += (size_t)n;
			ev[len] = '\0';
			ended = count_of(ev, "\"type\":\"session\"");
			if (at_free < 0 && ended >= free_after) {
				at_free = ended;
				replace_file(tsv, "");
			}
			continue;
		}
		if (n == 0 && gone(r))
			break;
		assert_true(mono() < until);
		pause_s(0.001);
	}
	close(fd);
	char path[700];
	snprintf(path, sizeof path, "%s/events.jsonl", r->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(ev, 1, len, f);
	fclose(f);
	free(ev);
	finish(r, true);
	printf("%d sessions; the disk freed when %d had ended (%zu bytes of "
	       "record a session)\n",
	       sessions, at_free, len / (size_t)sessions);

	/* Every session whole in the event record. */
	struct record rec;
	read_record(r, &rec);
	assert_record_whole(&rec);
	assert_int_equal(count(&rec, "result", "completed", NULL, NULL),
			 sessions);
	free_record(&rec);
	/* Said once when it failed, once when it worked again. */
	char want[1000];
	snprintf(want, sizeof want,
		 "kiosk: sessions: cannot write %s: No space left on device; "
		 "keeping up to 32 sessions in memory and trying again after "
		 "each one\n",
		 tsv);
	assert_int_equal(log_count(r, want), 1);
	assert_int_equal(log_count(r, "sessions: "), 2);
	char *err = run_file(r, "err");
	int lost = 0;
	const char *again = strstr(err, "again; ");
	assert_non_null(again);
	if (!strstr(again, "nothing lost"))
		lost = atoi(again + strlen("again; "));
	free(err);
	/* What was kept is on disk, after a fresh header. */
	char **l, *buf;
	int kept = tsv_sessions(r, &l, &buf);
	assert_int_equal(kept + lost, sessions);
	for (int i = 0; i < kept; i++)
		assert_non_null(strstr(l[i], "\tcompleted\t1\tShort hold\t"));
	free(l);
	free(buf);
	char *all = read_file(tsv, NULL);
	assert_true(!strncmp(all, "# kiosk sessions:", 17));
	free(all);
	return lost;
}

/* A few sessions while the disk is full: kept in memory, all written
 * once it frees, nothing lost. */
static void test_session_record_full_disk_then_freed(void **state)
{
	(void)state;
	struct run r;
	prepare(&r, "full-disk");
	assert_int_equal(full_disk(&r, 12, 1), 0);
	assert_int_equal(log_count(&r, "kiosk: sessions: writing "), 1);
	assert_int_equal(log_count(&r, "again; nothing lost\n"), 1);
}

/* More than the 32 kept in memory: the oldest go, counted in the log,
 * and the newest 32 are written. */
static void test_session_record_full_disk_past_the_memory(void **state)
{
	(void)state;
	struct run r;
	prepare(&r, "full-disk-long");
	int lost = full_disk(&r, 44, 36);
	printf("%d sessions lost, as logged\n", lost);
	assert_true(lost >= 36 - 32 && lost < 44 - 32);
}

/* Torn, garbled and binary lines in the record: the kiosk appends after
 * them (sealing the torn one), and --stats reads around them. */
static void test_damaged_session_record(void **state)
{
	(void)state;
	struct run r;
	prepare(&r, "damaged");
	char path[700];
	snprintf(path, sizeof path, "%s/state", r.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/state/sessions.tsv", r.dir);
	static const char damaged[] =
	    "# kiosk sessions: start\tseconds\tresult\texercise\tname\t"
	    "routine\n"
	    "2026-11-20T10:00:00+00:00\t300\tcompleted\t1\tShort hold\t"
	    "Fault routine\n"
	    "\x01\x02garbage\xff\xfe\0zero\0\n"
	    "2026-11-20T11:00:00+00:00\tnot-a-number\tstopped\n"
	    "2026-11-20T12:00:00+00:00\t31\tcomp"; /* torn */
	f_write(path, damaged, sizeof damaged - 1);
	one_session(&r, ROUTINE);
	arg(&r, "--clock");
	arg(&r, "virtual");
	arg(&r, "--video");
	arg(&r, "none");
	arg(&r, "--audio");
	arg(&r, "none");
	run_here(&r);
	assert_int_equal(log_count(&r, "sessions"), 0);
	size_t len;
	char *all = read_file(path, &len);
	assert_true(len > sizeof damaged);
	assert_memory_equal(all, damaged, sizeof damaged - 1);
	const char *tail = all + sizeof damaged - 1;
	assert_true(tail[0] == '\n'); /* the torn line sealed */
	assert_non_null(strstr(tail + 1, "\tcompleted\t1\tShort hold\tFault "
					 "routine\n"));
	assert_int_equal(all[len - 1], '\n');
	free(all);

	char cmd[1400];
	snprintf(cmd, sizeof cmd,
		 "%s --stats --state-dir '%s/state' >'%s/stats' 2>&1", kiosk(),
		 r.dir, r.dir);
	assert_int_equal(run(cmd), 0);
	char *stats = run_file(&r, "stats");
	fputs(stats, stdout);
	assert_non_null(strstr(stats, "\n2 sessions, from "));
	assert_non_null(strstr(stats, "Completion rate: 100% (2 of 2)"));
	assert_non_null(strstr(stats, "3 damaged lines were skipped (the "
				      "first is line 3)."));
	free(stats);
}

/* A state folder the kiosk's user cannot write in: said at start, the
 * sessions go on, and at exit what could not be kept is counted. */
static void test_state_dir_unwritable(void **state)
{
	(void)state;
	struct run r;
	prepare_nobody(&r, "state-unwritable");
	char path[700];
	snprintf(path, sizeof path, "%s/state", r.dir);
	assert_int_equal(mkdir(path, 0755), 0);
	if (geteuid() == 0)
		assert_int_equal(chown(path, 0, 0), 0);
	else
		assert_int_equal(chmod(path, 0555), 0);
	one_session(&r, ROUTINE);
	arg(&r, "--clock");
	arg(&r, "virtual");
	arg(&r, "--video");
	arg(&r, "none");
	arg(&r, "--audio");
	arg(&r, "none");
	run_here(&r);
	char *err = run_file(&r, "err"), want[2000];
	snprintf(want, sizeof want,
		 "kiosk: sessions: cannot write in %s: Permission denied; "
		 "sessions are kept in memory until it can be written\n"
		 "kiosk: sessions: 1 session could not be written to "
		 "%s/sessions.tsv and is lost\n",
		 path, path);
	assert_string_equal(err, want);
	free(err);
	struct record rec;
	read_record(&r, &rec);
	assert_record_whole(&rec);
	assert_int_equal(count(&rec, "result", "completed", NULL, NULL), 1);
	free_record(&rec);
}

/* ---- the event record on a full disk ---- */

/* The record cannot be written: the kiosk says so once and goes on;
 * the sessions are still recorded for staff. */
static void test_event_record_on_a_full_disk(void **state)
{
	(void)state;
	struct run r;
	prepare(&r, "events-full");
	char script[700];
	snprintf(script, sizeof script, "%s/two.script", r.dir);
	write_file(script, "0 press\n20 press\n");
	arg(&r, "--config");
	arg(&r, ROUTINE);
	arg(&r, "--input");
	arg(&r, "script:%s", script);
	arg(&r, "--events");
	arg(&r, "/dev/full");
	arg(&r, "--state-dir");
	arg(&r, "%s/state", r.dir);
	arg(&r, "--clock");
	arg(&r, "virtual");
	arg(&r, "--video");
	arg(&r, "none");
	arg(&r, "--audio");
	arg(&r, "none");
	run_here(&r);
	char *err = run_file(&r, "err");
	assert_string_equal(err, "kiosk: cannot write the event record "
				 "/dev/full: No space left on device; going "
				 "on without it\n");
	free(err);
	char **l, *buf;
	assert_int_equal(tsv_sessions(&r, &l, &buf), 2);
	free(l);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wallclock_shim_works),
	    cmocka_unit_test(test_only_the_session_record_reads_the_wall_clock),
	    cmocka_unit_test(test_unreadable_routine_check_names_it),
	    cmocka_unit_test(test_unreadable_routine_runs_the_builtin),
	    cmocka_unit_test(test_unreadable_routine_banner_for_staff),
	    cmocka_unit_test(test_session_record_full_disk_then_freed),
	    cmocka_unit_test(test_session_record_full_disk_past_the_memory),
	    cmocka_unit_test(test_damaged_session_record),
	    cmocka_unit_test(test_state_dir_unwritable),
	    cmocka_unit_test(test_event_record_on_a_full_disk),
	    cmocka_unit_test(test_no_sound_device),
	    cmocka_unit_test(test_named_sound_device_missing),
	    cmocka_unit_test(test_no_display_x11),
	    cmocka_unit_test(test_no_display_kmsdrm),
	    cmocka_unit_test(test_gpio_chip_missing),
	    cmocka_unit_test(test_sigterm_storm),
	    cmocka_unit_test(test_sigint_storm),
	    cmocka_unit_test(test_stop_storms_logged_once),
	    cmocka_unit_test(test_sighup_storm_session_unharmed),
	    cmocka_unit_test(test_sighup_storm_coalesced),
	    cmocka_unit_test(test_wallclock_jumps_change_no_timing),
	};
	return cmocka_run_group_tests(tests, start_real_clock_runs, stop_runs);
}
