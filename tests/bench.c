/*
 * bench.c - `make bench`: how long a whole default session takes on the
 * virtual clock and how much memory it needs, against the same binary
 * doing nothing (--version) measured in the same run, so the ratios hold
 * on a busy machine. Prints a Markdown table.
 */
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "audio.h"
#include "config.h"
#include "engine.h"
#include "gesture.h"
#include "metrics.h"
#include "mixer.h"
#include "speech.h"

#define RUNS 21

extern char **environ;

struct sample {
	double ms;
	long rss_kb;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct sample run_once(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	struct rusage ru;
	int status = 0;
	double t0 = now_ms();
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
			environ) != 0) {
		perror(argv[0]);
		exit(1);
	}
	wait4(pid, &status, 0, &ru);
	double t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s failed\n", argv[0]);
		exit(1);
	}
	return (struct sample){t1 - t0, ru.ru_maxrss};
}

static int by_ms(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->ms;
	double y = ((const struct sample *)b)->ms;
	return (x > y) - (x < y);
}

static struct sample median(const char *const argv[])
{
	struct sample s[RUNS];
	for (int i = 0; i < RUNS; i++)
		s[i] = run_once(argv);
	qsort(s, RUNS, sizeof *s, by_ms);
	return s[RUNS / 2];
}

static struct routine *builtin_routine(void)
{
	size_t len;
	const char *text = config_builtin(&len);
	struct diags d;
	diag_init(&d, "builtin");
	struct routine *r = config_load_text(text, len, NULL, "assets", &d);
	diag_free(&d);
	return r;
}

static double engine_sessions_per_second(void)
{
	struct routine *r = builtin_routine();
	if (!r)
		return 0;
	struct engine_options o = {.have_button = true, .have_mat = true};
	int n = 0;
	double t0 = now_ms(), t1;
	do {
		engine_estimate(r, &o);
		n++;
		t1 = now_ms();
	} while (t1 - t0 < 1000);
	routine_free(r);
	return n * 1000.0 / (t1 - t0);
}

/* ---- a process watched while it runs ---- */

struct watch {
	double t0;	     /* spawn time, ms */
	double at[4096];     /* sample times since spawn, ms */
	long switches[4096]; /* voluntary context switches, all threads */
	double cpu_ms[4096]; /* CPU time used so far, all threads */
	int n;
	long peak_rss_kb, peak_pss_kb;
	char log[65536]; /* what it wrote on stderr */
};

static long field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, key, n)) {
			v = atol(line + n);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

/* Voluntary context switches of one thread (its status file). */
static double task_switches(const char *task)
{
	char path[512];
	snprintf(path, sizeof path, "%.300s/status", task);
	long v = field(path, "voluntary_ctxt_switches:");
	return v > 0 ? (double)v : 0;
}

/* CPU time of one thread so far, ms: the scheduler's own count (ns),
 * finer than the 10 ms ticks of /proc/PID/stat. */
static double task_cpu_ms(const char *task)
{
	char path[512];
	snprintf(path, sizeof path, "%.300s/schedstat", task);
	FILE *f = fopen(path, "r");
	unsigned long long ns = 0;
	double ms = f && fscanf(f, "%llu", &ns) == 1 ? (double)ns / 1e6 : 0;
	if (f)
		fclose(f);
	return ms;
}

/* One figure summed over every thread of pid. */
static double over_tasks(pid_t pid, double (*each)(const char *task))
{
	char path[256];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	double sum = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char task[300];
		snprintf(task, sizeof task, "%s/%.32s", path, e->d_name);
		sum += each(task);
	}
	if (d)
		closedir(d);
	return sum;
}

/* Each voluntary switch is a wake-up. */
static long wakeups(pid_t pid)
{
	return (long)over_tasks(pid, task_switches);
}

static double cpu_ms(pid_t pid)
{
	return over_tasks(pid, task_cpu_ms);
}

static void sample(struct watch *w, pid_t pid)
{
	char path[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	long rss = field(path, "VmRSS:");
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	long pss = field(path, "Pss:");
	if (rss > w->peak_rss_kb)
		w->peak_rss_kb = rss;
	if (pss > w->peak_pss_kb)
		w->peak_pss_kb = pss;
	if (w->n < 4096) {
		w->at[w->n] = now_ms() - w->t0;
		w->cpu_ms[w->n] = cpu_ms(pid);
		w->switches[w->n++] = wakeups(pid);
	}
}

/* Run argv with `env` added, sampling /proc every 50 ms until it exits. */
static int watch_run(struct watch *w, const char *const argv[], const char *env)
{
	int err[2];
	if (pipe(err) < 0)
		return -1;
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addclose(&fa, err[0]);
	if (env)
		putenv((char *)env);
	memset(w, 0, sizeof *w);
	w->t0 = now_ms();
	pid_t pid;
	int status = -1;
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
			environ) != 0)
		return -1;
	close(err[1]);
	size_t got = 0;
	for (;;) {
		sample(w, pid);
		ssize_t r = read(err[0], w->log + got, sizeof w->log - 1 - got);
		if (r > 0)
			got += (size_t)r;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		struct timespec t = {0, 50 * 1000000};
		nanosleep(&t, NULL);
	}
	ssize_t r;
	while ((r = read(err[0], w->log + got, sizeof w->log - 1 - got)) > 0)
		got += (size_t)r;
	close(err[0]);
	posix_spawn_file_actions_destroy(&fa);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Wake-ups a second between two times since spawn (ms). */
static double rate_between(const struct watch *w, double from, double to)
{
	int a = -1, b = -1;
	for (int i = 0; i < w->n; i++) {
		if (a < 0 && w->at[i] >= from)
			a = i;
		if (w->at[i] <= to)
			b = i;
	}
	if (a < 0 || b <= a)
		return -1;
	return (double)(w->switches[b] - w->switches[a]) * 1000.0 /
	       (w->at[b] - w->at[a]);
}

/* The number after `key` in the first log line that has `line` in it. */
static double logged_in(const struct watch *w, const char *line,
			const char *key)
{
	const char *p = strstr(w->log, line);
	const char *end = p ? strchr(p, '\n') : NULL;
	p = p ? strstr(p, key) : NULL;
	return p && (!end || p < end) ? atof(p + strlen(key)) : -1;
}

static double logged(const struct watch *w, const char *key)
{
	return logged_in(w, key, key);
}

/* The first event record line of this type (and screen), its "t" in ms. */
static double event_at(const char *file, const char *needle, int nth)
{
	FILE *f = fopen(file, "r");
	char line[4096];
	double t = -1;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, needle) && nth-- == 0) {
			t = atof(strstr(line, "\"t\":") + 4) * 1000;
			break;
		}
	if (f)
		fclose(f);
	return t;
}

/* ---- voice ---- */

struct said {
	char text[512][ROUTINE_TEXT_BYTES];
	int n;
};

static void collect_line(void *ctx, const struct action *a)
{
	struct said *l = ctx;
	if (a->kind != ACTION_SAY || l->n == 512)
		return;
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->text[i], a->u.say.text))
			return;
	snprintf(l->text[l->n++], ROUTINE_TEXT_BYTES, "%s", a->u.say.text);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, int n, int p)
{
	qsort(v, (size_t)n, sizeof *v, by_double);
	return n ? v[(n - 1) * p / 100] : 0;
}

/* A sound card stand-in: renders 256-frame buffers paced by the monotonic
 * clock, as a device's callback would be called. */
struct device {
	struct mixer *m;
	double t0; /* when frame 0 is heard, ms */
	volatile int stop;
	double late[1024]; /* heard minus due, ms */
	int n;
};

static void on_start(void *ctx, int64_t tag, int64_t at, int64_t start)
{
	struct device *d = ctx;
	(void)tag;
	if (d->n < 1024)
		d->late[d->n++] = (double)(start - at) * 1000.0 / AUDIO_RATE;
}

static void *device_thread(void *arg)
{
	struct device *d = arg;
	int16_t buf[256];
	for (int64_t frame = 0; !d->stop; frame += 256) {
		double due = d->t0 + (double)frame * 1000.0 / AUDIO_RATE - 12;
		double wait = due - now_ms();
		if (wait > 0) {
			struct timespec t = {0, (long)(wait * 1e6)};
			nanosleep(&t, NULL);
		}
		mixer_render(d->m, buf, 256);
	}
	return NULL;
}

/* espeak-ng as a program, once a line: until its first sound comes out
 * of the pipe, and until it has finished. */
static int spawn_espeak(const char *text, double *first, double *all)
{
	int out[2];
	if (pipe(out) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	const char *argv[] = {"espeak-ng", "-v",       "en", "-s",
			      "150",	   "--stdout", text, NULL};
	double t0 = now_ms();
	pid_t pid;
	if (posix_spawnp(&pid, "espeak-ng", &fa, NULL, (char *const *)argv,
			 environ) != 0)
		return -1;
	close(out[1]);
	char buf[65536];
	ssize_t r;
	long got = 0;
	*first = -1;
	while ((r = read(out[0], buf, sizeof buf)) > 0) {
		/* The first 44 bytes are the WAV header, not sound. */
		got += r;
		if (*first < 0 && got > 44)
			*first = now_ms() - t0;
	}
	int status;
	waitpid(pid, &status, 0);
	*all = now_ms() - t0;
	close(out[0]);
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}

static int voice(void)
{
	static struct said l;
	struct routine *r = builtin_routine();
	struct engine_options eo = {.have_button = true, .have_mat = true};
	engine_walk(r, &eo, collect_line, &l);
	struct speech_voice v = {"en", "", 150, 50};
	char err[256];
	struct speech *sp = speech_open(&v, err, sizeof err);
	if (!sp) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	/* Synthesis, one line at a time as the engine would first ask. */
	static double fresh[512];
	for (int i = 0; i < l.n; i++) {
		double t0 = now_ms();
		speech_get(sp, l.text[i], true);
		fresh[i] = now_ms() - t0;
	}
	struct speech_stats st;
	speech_stats(sp, &st);
	/* Cached lines onto a paced device, asked for with the kiosk's lead. */
	struct device d = {.m = mixer_new(AUDIO_RATE)};
	mixer_on_start(d.m, on_start, &d);
	d.t0 = now_ms() + 50;
	pthread_t th;
	pthread_create(&th, NULL, device_thread, &d);
	static double ask[512];
	for (int i = 0; i < l.n && i < 120; i++) {
		double due = d.t0 + 200 + i * 25.0; /* a line every 25 ms */
		double wait = due - 40 - now_ms();  /* the lead: 40 ms */
		if (wait > 0) {
			struct timespec t = {0, (long)(wait * 1e6)};
			nanosleep(&t, NULL);
		}
		double t0 = now_ms();
		const struct clip *c = speech_get(sp, l.text[i], false);
		int64_t at = (int64_t)((due - d.t0) * AUDIO_RATE / 1000.0);
		mixer_hush(d.m, at); /* lines never overlap in the kiosk */
		mixer_play(d.m, c, at, BUS_SPEECH);
		ask[i] = (now_ms() - t0) * 1000.0; /* microseconds */
	}
	struct timespec t = {0, 300 * 1000000};
	nanosleep(&t, NULL);
	d.stop = 1;
	pthread_join(th, NULL);
	int asked = l.n < 120 ? l.n : 120;
	/* The way many Pi projects speak: a program per line. */
	static double first[40], all[40];
	int spawned = 0;
	for (int i = 0; i < l.n && spawned < 40; i += l.n / 40 + 1, spawned++)
		if (spawn_espeak(l.text[i], &first[spawned], &all[spawned]) < 0)
			break;
	printf("\n### Voice (eSpeak NG %s, en, 150 words a minute)\n\n",
	       "1.51");
	printf("Synthesis: %d distinct lines of the default routine, %.1f s "
	       "of speech in %.3f s of CPU: **%.0fx real time**.\n\n",
	       st.lines, st.audio_s, st.synth_s, st.audio_s / st.synth_s);
	printf("| speech onset: due time to the line's first sample | p50 | "
	       "p99 |\n|---|---|---|\n");
	printf("| kiosk, line rendered ahead (the normal case): first sample "
	       "heard minus due, paced 256-frame device | %.2f ms | %.2f ms "
	       "|\n",
	       pct(d.late, d.n, 50), pct(d.late, d.n, 99));
	printf("| kiosk, line rendered ahead: speech_get + mixer_play on the "
	       "main loop | %.1f us | %.1f us |\n",
	       pct(ask, asked, 50), pct(ask, asked, 99));
	printf("| kiosk, line not rendered yet: synthesis in process | %.1f "
	       "ms | %.1f ms |\n",
	       pct(fresh, l.n, 50), pct(fresh, l.n, 99));
	if (spawned > 0 && first[0] >= 0) {
		printf("| `espeak-ng --stdout` spawned per line: first sound "
		       "out of the pipe | %.1f ms | %.1f ms |\n",
		       pct(first, spawned, 50), pct(first, spawned, 99));
		printf("| `espeak-ng --stdout` spawned per line: whole line "
		       "| %.1f ms | %.1f ms |\n",
		       pct(all, spawned, 50), pct(all, spawned, 99));
	}
	int late = 0;
	for (int i = 0; i < d.n; i++)
		late += d.late[i] > 0;
	printf("\nThe paced device started %d of %d lines, %d of them "
	       "late.\n",
	       d.n, asked, late);
	mixer_free(d.m);
	speech_close(sp);
	routine_free(r);
	return 0;
}

/* ---- screens ---- */

static int screens(const char *kiosk, const char *floor)
{
	static struct watch fl, on, off;
	const char *fargv[] = {floor, "12", NULL};
	if (watch_run(&fl, fargv, "SDL_VIDEODRIVER=dummy") != 0) {
		fprintf(stderr, "bench: %s failed:\n%s", floor, fl.log);
		return -1;
	}
	FILE *f = fopen("build/bench-screens.script", "w");
	if (!f)
		return -1;
	fputs("7 press\n", f);
	fclose(f);
	f = fopen("build/bench-still.conf", "w");
	FILE *in = fopen("tests/bench/short.conf", "r");
	char line[512];
	while (f && in && fgets(line, sizeof line, in)) {
		fputs(line, f);
		if (!strncmp(line, "[settings]", 10))
			fputs("animation = no\n", f);
	}
	if (in)
		fclose(in);
	if (f)
		fclose(f);
	const char *common[] = {"--input",
				"script:build/bench-screens.script",
				"--video",
				"sdl",
				"--assets",
				"assets",
				"--exit-after-session",
				"--config"};
	const char *argv[16] = {kiosk};
	int n = 1;
	for (size_t i = 0; i < sizeof common / sizeof *common; i++)
		argv[n++] = common[i];
	/* With screens and voice (into a WAV), animation on. */
	argv[n++] = "tests/bench/short.conf";
	argv[n++] = "--audio";
	argv[n++] = "wav:build/bench.wav";
	argv[n++] = "--events";
	argv[n++] = "build/bench-on.jsonl";
	if (watch_run(&on, argv, "SDL_VIDEODRIVER=dummy") != 0) {
		fprintf(stderr, "bench: kiosk failed:\n%s", on.log);
		return -1;
	}
	/* Screens alone, animation off: the loop as quiet as it gets. */
	argv[n - 5] = "build/bench-still.conf";
	argv[n - 3] = "none";
	argv[n - 1] = "build/bench-off.jsonl";
	if (watch_run(&off, argv, "SDL_VIDEODRIVER=dummy") != 0) {
		fprintf(stderr, "bench: kiosk failed:\n%s", off.log);
		return -1;
	}
	/* Windows with a margin: attract before the press, and the hold. */
	double hold_on =
	    event_at("build/bench-on.jsonl", "\"screen\":\"hold\"", 0);
	double hold_off =
	    event_at("build/bench-off.jsonl", "\"screen\":\"hold\"", 0);
	double floor_rate = rate_between(&fl, 2000, 11000);
	printf("\n### Screens (SDL dummy driver, 1280x720, software "
	       "renderer)\n\n");
	printf("| what | kiosk | floor: SDL2+TTF drawing one number | kiosk / "
	       "floor |\n");
	printf("|---|---|---|---|\n");
	double ff = logged(&on, "first frame "),
	       fff = logged(&fl, "first frame ");
	printf(
	    "| start to first frame presented | %.0f ms | %.0f ms | %.2fx |\n",
	    ff, fff, ff / fff);
	double ffo = logged(&off, "first frame ");
	printf("| the same, no voice (--audio none) | %.0f ms | %.0f ms | "
	       "%.2fx |\n",
	       ffo, fff, ffo / fff);
	double rm = logged(&on, "render mean "),
	       frm = logged(&fl, "render mean ");
	printf("| frame render + present, mean | %.2f ms | %.2f ms | %.2fx |\n",
	       rm, frm, rm / frm);
	printf("| peak RSS | %ld KiB | %ld KiB | %.2fx |\n", on.peak_rss_kb,
	       fl.peak_rss_kb, (double)on.peak_rss_kb / fl.peak_rss_kb);
	printf("| peak PSS | %ld KiB | %ld KiB | %.2fx |\n", on.peak_pss_kb,
	       fl.peak_pss_kb, (double)on.peak_pss_kb / fl.peak_pss_kb);
	double a_on = rate_between(&on, 1500, 6500);
	double a_off = rate_between(&off, 1500, 6500);
	double h_on = rate_between(&on, hold_on + 1000, hold_on + 16000);
	double h_off = rate_between(&off, hold_off + 1000, hold_off + 16000);
	printf("| wake-ups/s, attract, animation off | %.1f | %.1f | %.2fx |\n",
	       a_off, floor_rate, a_off / floor_rate);
	printf("| wake-ups/s, hold, animation off | %.1f | %.1f | %.2fx |\n",
	       h_off, floor_rate, h_off / floor_rate);
	printf(
	    "| wake-ups/s, attract, animation on (30 fps) | %.1f | - | - |\n",
	    a_on);
	printf("| wake-ups/s, hold with pacer (30 fps) | %.1f | - | - |\n",
	       h_on);
	printf("\nOn the beat, over the whole run with screens and voice: "
	       "frames shown %.1f ms (p50) and %.1f ms (p99) after their "
	       "time; sound heard %.1f ms (p50) and %.1f ms (p99) after "
	       "its time (WAV sink).\n",
	       logged(&on, "shown p50 "), logged_in(&on, "shown p50", "p99 "),
	       logged(&on, "heard p50 "), logged_in(&on, "heard p50", "p99 "));
	printf("\nWake-ups are voluntary context switches of all threads, read "
	       "from /proc every 50 ms;\nthe floor sleeps a second between "
	       "frames, so its rate is the least a countdown can do.\n");
	return 0;
}

/* ---- what the screens cost, at three sizes ---- */

/* Percent of one core used between two times since spawn (ms). */
static double cpu_between(const struct watch *w, double from, double to)
{
	int a = -1, b = -1;
	for (int i = 0; i < w->n; i++) {
		if (a < 0 && w->at[i] >= from)
			a = i;
		if (w->at[i] <= to)
			b = i;
	}
	if (a < 0 || b <= a)
		return -1;
	return (w->cpu_ms[b] - w->cpu_ms[a]) * 100.0 / (w->at[b] - w->at[a]);
}

/* The kiosk in SDL's software renderer (dummy driver) at each size, on
 * the real clock with animation on: the idle screen for its first
 * seconds, then a press and a hold with the breath pacer
 * (tests/bench/short.conf); against the floor program redrawing its
 * number as often as the kiosk's frame_rate (30 a second), measured in
 * the same run. */
static int screen_sizes(const char *kiosk, const char *floor)
{
	static const char *const size[] = {"480x320", "1280x720", "1920x1080"};
	static struct watch k, fl;
	FILE *f = fopen("build/bench-sizes.script", "w");
	if (!f)
		return -1;
	fputs("9 press\n34 quit\n", f);
	fclose(f);
	printf("\n### Screens at three sizes (SDL dummy driver, software "
	       "renderer, animation on, 30 frames a second)\n\n");
	printf("| size | CPU, idle screen | CPU, hold with pacer | floor at 30 "
	       "fps | idle / floor | hold / floor | render + present, mean "
	       "(max) | floor's | kiosk / floor |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < sizeof size / sizeof *size; i++) {
		const char *fargv[] = {floor, "8", size[i], "30", NULL};
		if (watch_run(&fl, fargv, "SDL_VIDEODRIVER=dummy") != 0) {
			fprintf(stderr, "bench: %s failed:\n%s", floor, fl.log);
			return -1;
		}
		const char *argv[] = {kiosk,
				      "--config",
				      "tests/bench/short.conf",
				      "--assets",
				      "assets",
				      "--input",
				      "script:build/bench-sizes.script",
				      "--video",
				      "sdl",
				      "--audio",
				      "none",
				      "--window",
				      size[i],
				      "--events",
				      "build/bench-sizes.jsonl",
				      "--exit-after-session",
				      NULL};
		if (watch_run(&k, argv, "SDL_VIDEODRIVER=dummy") != 0) {
			fprintf(stderr, "bench: kiosk failed:\n%s", k.log);
			return -1;
		}
		double hold = event_at("build/bench-sizes.jsonl",
				       "\"screen\":\"hold\"", 0);
		double idle = cpu_between(&k, 2000, 8500);
		double held = cpu_between(&k, hold + 1000, hold + 15000);
		double floor_cpu = cpu_between(&fl, 2000, 7500);
		double rm = logged(&k, "render mean "),
		       rmax = logged_in(&k, "render mean", "max "),
		       frm = logged(&fl, "render mean ");
		printf("| %s | %.2f%% | %.2f%% | %.2f%% | %.1fx | %.1fx | %.2f "
		       "(%.1f) ms | %.2f ms | %.2fx |\n",
		       size[i], idle, held, floor_cpu, idle / floor_cpu,
		       held / floor_cpu, rm, rmax, frm, rm / frm);
	}
	printf("\nCPU is the scheduler's count for all the kiosk's threads "
	       "(/proc/PID/task/*/schedstat),\nin percent of one core: the "
	       "idle screen from 2 to 8.5 s, the hold from 1 s to 15 s "
	       "into it.\nThe kiosk's render mean covers every frame of "
	       "the run: the still screen painted\nwhen it changes (the max), "
	       "the moving disc alone on the frames between.\n");
	return 0;
}

/* From a button's last raw edge to the engine's actions, in process:
 * the settle time (by design: a change counts once the contact has been
 * still that long) plus the work of recognising the gesture and running
 * the engine on it, measured on the wall clock. The GPIO read itself is
 * one read() of a ready descriptor, not measured here (no chip). */
static int edge_to_action(void)
{
	struct routine *r = builtin_routine();
	if (!r)
		return -1;
	struct engine_options o = {.have_button = true, .have_mat = true};
	struct engine *e = engine_new(r, &o);
	struct gestures g;
	const struct settings *s = &r->settings;
	kt_ms settle[LINE_COUNT];
	for (int l = 0; l < LINE_COUNT; l++)
		settle[l] = s->input[l].debounce;
	gesture_init(&g, settle, s->long_press);
	struct actions out;
	enum { N = 2000 };
	static double work_us[N];
	kt_ms t = 0, watch_settle_sum = 0;
	int n = 0, acted = 0;
	engine_start(e, t, &out);
	for (int i = 0; i < N; i++) {
		/* A press with a burst of bounce at each end. */
		t += 5000;
		double t0 = now_ms();
		for (int b = 0; b < 5; b++)
			gesture_edge(&g, LINE_BUTTON, b % 2 == 0, t + b);
		for (int b = 0; b < 3; b++)
			gesture_edge(&g, LINE_BUTTON, b % 2 != 0, t + 150 + b);
		kt_ms last = t + 152;
		struct gesture_event ev[GESTURE_QUEUE];
		kt_ms due = gesture_wake(&g);
		int k = gesture_poll(&g, due, ev, GESTURE_QUEUE);
		for (int j = 0; j < k; j++) {
			engine_input(e, INPUT_PRESS, ev[j].at, &out);
			acted += out.count > 0;
		}
		work_us[n++] = (now_ms() - t0) * 1000;
		watch_settle_sum += due - last;
		t = due;
		engine_tick(e, t, &out);
	}
	printf("\nButton edge to engine action, in process (%d bounced "
	       "presses):\n",
	       N);
	printf("| what | figure |\n|---|---|\n");
	printf("| settle after the last raw edge (button_debounce_ms) | %.0f "
	       "ms |\n",
	       (double)watch_settle_sum / N);
	printf("| gesture + engine work, p50 / p99 | %.1f / %.1f us |\n",
	       pct(work_us, N, 50), pct(work_us, N, 99));
	printf("| presses that produced actions | %d / %d |\n", acted, N);
	engine_free(e);
	routine_free(r);
	return 0;
}

/* ---- the record: --stats and start-up against big state files ---- */

/* DIR/sessions.tsv of about `mb` MB: sessions over 28 days; `distinct`
 * different exercise names among the stopped ones (0: the six of the
 * default routine). DIR/progress.tsv holds `progress` names. */
static int write_record(const char *dir, int mb, int distinct, int progress)
{
	char path[256];
	snprintf(path, sizeof path, "mkdir -p %s", dir);
	if (system(path) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/sessions.tsv", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	static const char *const result[] = {"completed", "stopped",
					     "abandoned", "shutdown"};
	long long target = (long long)mb * 1000 * 1000, written = 0;
	for (long i = 0; written < target; i++) {
		char name[64];
		if (distinct)
			snprintf(name, sizeof name, "Exercise %ld",
				 i / 4 % distinct);
		else
			snprintf(name, sizeof name, "Cat-cow %ld", i % 6);
		int n = fprintf(f,
				"2026-11-%02ldT14:03:07+01:00\t%ld\t%s\t%ld\t%s"
				"\tMid-back mobility\n",
				1 + i % 28, 200 + i % 300, result[i % 4],
				1 + i % 6, name);
		if (n < 0)
			break;
		written += n;
	}
	if (fclose(f) != 0)
		return -1;
	snprintf(path, sizeof path, "%s/progress.tsv", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (int i = 0; i < progress; i++)
		fprintf(f, "Exercise %d\t%d\n", i, 1 + i % 40);
	return fclose(f);
}

static struct sample stats_run(const char *kiosk, const char *dir)
{
	const char *argv[] = {kiosk, "--stats", "--state-dir", dir, NULL};
	struct sample s[3];
	for (int i = 0; i < 3; i++)
		s[i] = run_once(argv);
	qsort(s, 3, sizeof *s, by_ms);
	return s[1];
}

static int records(const char *kiosk)
{
	static const struct {
		const char *what, *dir;
		int mb, distinct, progress;
	} c[] = {
	    {"sessions.tsv 10 MB", "build/bench-record/a", 10, 0, 0},
	    {"sessions.tsv 100 MB", "build/bench-record/b", 100, 0, 0},
	    {"3 MB, 10 000 distinct names (and in progress.tsv)",
	     "build/bench-record/c", 3, 10000, 10000},
	    {"30 MB, 100 000 distinct names (and in progress.tsv)",
	     "build/bench-record/d", 30, 100000, 100000},
	};
	struct sample s[4];
	for (int i = 0; i < 4; i++) {
		if (write_record(c[i].dir, c[i].mb, c[i].distinct,
				 c[i].progress) < 0) {
			perror(c[i].dir);
			return -1;
		}
		s[i] = stats_run(kiosk, c[i].dir);
	}
	printf("\nThe record: kiosk --stats (reads sessions.tsv and "
	       "progress.tsv, as start-up reads progress.tsv), median of 3:\n"
	       "\n| record | wall time | peak RSS |\n|---|---|---|\n");
	for (int i = 0; i < 4; i++)
		printf("| %s | %.0f ms | %ld KiB |\n", c[i].what, s[i].ms,
		       s[i].rss_kb);
	printf("| 100 MB / 10 MB | %.2fx | %.2fx |\n", s[1].ms / s[0].ms,
	       (double)s[1].rss_kb / (double)s[0].rss_kb);
	printf("| 100 000 / 10 000 names (30 MB / 3 MB) | %.2fx | %.2fx |\n",
	       s[3].ms / s[2].ms, (double)s[3].rss_kb / (double)s[2].rss_kb);
	return system("rm -rf build/bench-record") == 0 ? 0 : -1;
}

/* ---- the fleet's metrics file ---- */

static int by_plain_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* What writing kiosk.prom costs: formatting it in process, one whole
 * write (temp file, fdatasync, rename) into a folder on this disk, and a
 * whole session with metrics against one without, measured in the same
 * run. The kiosk writes the file about three times a session (start,
 * session end, a health change). */
static int fleet_metrics(const char *kiosk, const char *scriptarg)
{
	char dir[] = "/tmp/kiosk-bench-metrics-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	struct metrics *m = metrics_open(dir);
	if (!m)
		return -1;
	struct logged_session ls = {.start = time(NULL), .seconds = 480,
				    .result = LOGGED_COMPLETED, .index = 6};
	snprintf(ls.exercise, sizeof ls.exercise, "Standing wall stretch");
	for (int i = 0; i < 6; i++)
		metrics_session(m, &ls);
	static char text[METRICS_TEXT_MAX];
	int n = 20000;
	double t0 = now_ms();
	for (int i = 0; i < n; i++)
		metrics_format(metrics_counts(m), text, sizeof text);
	double format_us = (now_ms() - t0) * 1000 / n;
	double w[RUNS];
	for (int i = 0; i < RUNS; i++) {
		double a = now_ms();
		if (metrics_write(m) < 0)
			return -1;
		w[i] = now_ms() - a;
	}
	qsort(w, RUNS, sizeof *w, by_plain_double);
	metrics_close(m);

	const char *with[] = {
	    kiosk,	  "--input",	   scriptarg, "--clock", "virtual",
	    "--video",	  "none",	   "--audio", "none",	 "--events",
	    "/dev/null",  "--metrics-dir", dir, "--exit-after-session",
	    NULL};
	const char *without[] = {
	    kiosk,	 "--input", scriptarg, "--clock",  "virtual",
	    "--video",	 "none",    "--audio", "none",	   "--events",
	    "/dev/null", "--exit-after-session", NULL};
	struct sample off = median(without);
	struct sample on = median(with);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	printf("\nMetrics file (kiosk.prom, node_exporter's textfile "
	       "collector):\n\n");
	printf("| what | time |\n|---|---|\n");
	printf("| format the text, in process | %.1f us |\n", format_us);
	printf("| write it (temp file, fdatasync, rename), median of %d | "
	       "%.3f ms |\n",
	       RUNS, w[RUNS / 2]);
	printf("| whole session without metrics (median of %d) | %.2f ms |\n",
	       RUNS, off.ms);
	printf("| whole session with metrics (median of %d) | %.2f ms |\n",
	       RUNS, on.ms);
	printf("| with / without | %.3fx |\n", on.ms / off.ms);
	printf("| three writes / the shortest real session (60 s) | %.5f%% "
	       "|\n",
	       3 * w[RUNS / 2] / 60000 * 100);
	return 0;
}

/* ---- start to first frame, many times ---- */

/* One start is one sample of a busy machine's scheduling (single starts
 * of one binary ranged from 6 to 13 ms on the 2-core build machine): the
 * kiosk with its voice, without, and the floor are started in turn,
 * STARTS times, and their medians compared. */
#define STARTS 21

static int first_frames(const char *kiosk, const char *floor)
{
	static struct watch w;
	double voice[STARTS], mute[STARTS], fl[STARTS];
	FILE *f = fopen("build/bench-start.script", "w");
	if (!f)
		return -1;
	fputs("1 quit\n", f);
	fclose(f);
	const char *fargv[] = {floor, "1", NULL};
	const char *kargv[] = {kiosk,
			       "--input",
			       "script:build/bench-start.script",
			       "--video",
			       "sdl",
			       "--assets",
			       "assets",
			       "--config",
			       "tests/bench/short.conf",
			       "--audio",
			       "wav:build/bench-start.wav",
			       NULL};
	for (int i = 0; i < STARTS; i++) {
		if (watch_run(&w, fargv, "SDL_VIDEODRIVER=dummy") != 0)
			return -1;
		fl[i] = logged(&w, "first frame ");
		if (watch_run(&w, kargv, "SDL_VIDEODRIVER=dummy") != 0)
			return -1;
		voice[i] = logged(&w, "first frame ");
		kargv[10] = "none";
		if (watch_run(&w, kargv, "SDL_VIDEODRIVER=dummy") != 0)
			return -1;
		mute[i] = logged(&w, "first frame ");
		kargv[10] = "wav:build/bench-start.wav";
	}
	double v = pct(voice, STARTS, 50), m = pct(mute, STARTS, 50),
	       ff = pct(fl, STARTS, 50);
	printf("\n### Start to first frame presented, median of %d "
	       "interleaved starts (1280x720, dummy driver)\n\n",
	       STARTS);
	printf("| what | median | fastest | floor's median | kiosk / floor "
	       "|\n|---|---|---|---|---|\n");
	printf("| kiosk, voice on (WAV) | %.1f ms | %.1f ms | %.1f ms | "
	       "%.2fx |\n",
	       v, voice[0], ff, v / ff);
	printf("| kiosk, --audio none | %.1f ms | %.1f ms | %.1f ms | %.2fx "
	       "|\n",
	       m, mute[0], ff, m / ff);
	return 0;
}

int main(int argc, char **argv)
{
	const char *kiosk = argc > 1 ? argv[1] : "build/kiosk";
	const char *floor = argc > 2 ? argv[2] : "build/tests/bench_floor";
	const char *script = "build/bench.script";
	FILE *f = fopen(script, "w");
	if (!f)
		return 1;
	fputs("0 mat on\n", f);
	fclose(f);
	char scriptarg[256];
	snprintf(scriptarg, sizeof scriptarg, "script:%s", script);
	const char *session[] = {
	    kiosk,     "--input",  scriptarg,	"--clock",
	    "virtual", "--video",  "none",	"--audio",
	    "none",    "--events", "/dev/null", "--exit-after-session",
	    NULL};
	const char *idle[] = {kiosk, "--version", NULL};

	struct sample base = median(idle);
	struct sample full = median(session);
	double sps = engine_sessions_per_second();

	printf("| what (median of %d runs) | wall time | peak RSS |\n", RUNS);
	printf("|---|---|---|\n");
	printf("| kiosk --version (process floor) | %.2f ms | %ld KiB |\n",
	       base.ms, base.rss_kb);
	printf("| whole default session, virtual clock | %.2f ms | %ld KiB |\n",
	       full.ms, full.rss_kb);
	printf("| session / floor | %.2fx | %.2fx |\n", full.ms / base.ms,
	       (double)full.rss_kb / (double)base.rss_kb);
	printf("\nEngine alone, in process: %.0f whole sessions a second "
	       "(%.3f ms each).\n",
	       sps, 1000.0 / sps);
	if (system("command -v valgrind >/dev/null 2>&1") == 0)
		printf("\nInstruction counts (repeatable on a busy machine):\n"
		       "  valgrind --tool=callgrind --callgrind-out-file="
		       "build/callgrind.out %s --input %s --clock virtual "
		       "--video none --audio none --exit-after-session\n"
		       "  callgrind_annotate build/callgrind.out | head -30\n",
		       kiosk, scriptarg);
	if (system("perf stat -e instructions true >/dev/null 2>&1") == 0)
		printf("  perf stat -e instructions,task-clock %s --input %s "
		       "--clock virtual --video none --audio none "
		       "--exit-after-session\n",
		       kiosk, scriptarg);
	if (edge_to_action() < 0 || voice() < 0 || screens(kiosk, floor) < 0 ||
	    first_frames(kiosk, floor) < 0 || screen_sizes(kiosk, floor) < 0)
		return 1;
	if (records(kiosk) < 0)
		return 1;
	if (fleet_metrics(kiosk, scriptarg) < 0)
		return 1;
	return 0;
}
