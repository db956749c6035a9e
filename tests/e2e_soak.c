/*
 * e2e_soak.c - a long, seeded soak of the kiosk binary. Random scripted
 * input (short and long presses, contact bounce, mat flapping, long holds
 * on the mat, long absences, quitting part-way) drives many sessions
 * through few kiosk processes on the virtual clock, and every line of
 * every event record is judged by soakcheck.h as it streams in. Memory and
 * open descriptors are watched while each process runs, and a run of N
 * sessions is set against one of 8N.
 *
 * It is an e2e_ program, so `make check` always runs it; its length is a
 * knob (SOAK_SESSIONS, default 600), and `make soak` runs the same code
 * with thousands of sessions under the sanitizers. One program for both
 * means the long soak cannot rot apart from the short one.
 *
 * Environment: SOAK_SEED (repeat a run; the seed is printed), SOAK_SESSIONS
 * (about how many sessions), SOAK_KEEP=1 (keep each record next to its
 * script in $KIOSK_OUT/soak/), SOAK_WRAP (a command put in front of the
 * kiosk, like valgrind: then only the few sessions of the memcheck plan
 * run). Run from the top of the tree with $KIOSK naming the binary.
 */
#include "soakcheck.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* A script's times must stay below a day (script.c); leave room. */
#define DAY_MS 86000000L
/* How far the record may run ahead of the reader: one page of pipe. The
 * kiosk then blocks while its descriptors and memory are looked at. */
#define PIPE_BYTES 4096
/* A sample taken with less than this of the record still to come may
 * have caught the kiosk tearing down: its pipe, its own stdio buffer and
 * ours, with room to spare. */
#define TAIL_BYTES (4 * PIPE_BYTES)
/* The painter keeps up to 24 fonts open (FONT_SLOTS in kiosk/screens.c),
 * each holding its file open, and opens them as sizes are first needed:
 * descriptors to font files may grow up to that, and no others at all. */
#define FONT_FDS_MAX 24

static char out_dir[512];

static void make_out_dir(void)
{
	const char *o = getenv("KIOSK_OUT");
	snprintf(out_dir, sizeof out_dir, "%s/soak", o ? o : "build");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mkdir -p %s", out_dir);
	assert_int_equal(run(cmd), 0);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- random numbers: splitmix64, so a seed means the same everywhere */

static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static long rnd(uint64_t *s, long lo, long hi)
{
	return lo + (long)(next_u64(s) % (uint64_t)(hi - lo + 1));
}

static bool chance(uint64_t *s, int percent)
{
	return rnd(s, 1, 100) <= percent;
}

/* Spread over orders of magnitude: as many short gaps as long ones. */
static long log_rnd(uint64_t *s, long lo, long hi)
{
	double u = (double)(next_u64(s) >> 11) / 9007199254740992.0;
	return (long)((double)lo * pow((double)hi / (double)lo, u));
}

/* ---- the routines soaked, and the settings the input is shaped by ---- */

struct routine_info {
	const char *label;
	const char *config; /* --config; NULL: the built-in routine */
	const char *source; /* where its settings are read from */
	long long_press, bsettle, msettle, start_timeout, pause_timeout;
	long done_time, length; /* ms */
};

static long setting_ms(const char *text, const char *key, double unit,
		       long fallback)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s = ", key);
	const char *p = strstr(text, pat);
	return p ? (long)(atof(p + strlen(pat)) * unit + 0.5) : fallback;
}

/* The settings the input is timed by: from the routine file (the
 * built-in routine is assets/kiosk.conf byte for byte), the defaults of
 * routine.c where a key is left out, and the session's length from
 * `kiosk --check`. */
static void routine_load(struct routine_info *r)
{
	char *text = read_file(r->source, NULL);
	assert_non_null(text);
	r->long_press = setting_ms(text, "long_press", 1000, 2000);
	r->bsettle = setting_ms(text, "button_debounce_ms", 1, 30);
	r->msettle = setting_ms(text, "mat_debounce_ms", 1, 150);
	r->start_timeout = setting_ms(text, "start_timeout", 1000, 90000);
	r->pause_timeout = setting_ms(text, "pause_timeout", 1000, 300000);
	r->done_time = setting_ms(text, "done_time", 1000, 20000);
	free(text);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s --check %s%s 2>&1", kiosk(),
		 r->config ? "--config " : "", r->config ? r->config : "");
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char buf[2048] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	assert_int_equal(pclose(p), 0);
	const char *about = strstr(buf, "takes about ");
	int min = 0, sec = 0;
	assert_non_null(about);
	assert_int_equal(sscanf(about, "takes about %d min %d s", &min, &sec),
			 2);
	r->length = (min * 60L + sec) * 1000;
}

static struct routine_info routines[] = {
    /* The built-in routine, named: /etc/kiosk/kiosk.conf, if the machine
     * has one, would otherwise be run in its place. */
    {"default", "assets/kiosk.conf", "assets/kiosk.conf", 0, 0, 0, 0, 0, 0, 0},
    {"quick", "tests/soak/quick.conf", "tests/soak/quick.conf", 0, 0, 0, 0, 0,
     0, 0},
    {"short", "tests/bench/short.conf", "tests/bench/short.conf", 0, 0, 0, 0, 0,
     0, 0},
    {"de", "assets/examples/kiosk-de.conf", "assets/examples/kiosk-de.conf", 0,
     0, 0, 0, 0, 0, 0},
    {"es", "assets/examples/kiosk-es.conf", "assets/examples/kiosk-es.conf", 0,
     0, 0, 0, 0, 0, 0},
};
enum { R_DEFAULT, R_QUICK, R_SHORT, R_DE, R_ES, R_COUNT };

/* ---- the input generator ---- */

struct gline {
	long t;
	char text[24];
};

/* One script being written, and the gestures it must give. The input is
 * blind to the kiosk's state, as a person is to the code: what shapes it
 * is only the routine's timing (settle times, long press, timeouts,
 * length), so presses land in every state over enough sessions. */
struct gen {
	uint64_t rng;
	const struct routine_info *r;
	long t; /* the script's clock */
	bool mat, mat_stable;
	struct gline *line;
	int n, cap;
	struct sk_input *in;
	int in_n, in_cap;
	long episode_t; /* where the last episode began */
	long pair_at;	/* the last single press, to pair; -1: none */
	int episodes;
	bool calm; /* endings are forced: nothing in between to spoil them */
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
emit(struct gen *g, long t, const char *fmt, ...)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 1024;
		g->line = realloc(g->line, sizeof *g->line * (size_t)g->cap);
		assert_non_null(g->line);
	}
	va_list ap;
	va_start(ap, fmt);
	g->line[g->n].t = t;
	vsnprintf(g->line[g->n].text, sizeof g->line[0].text, fmt, ap);
	va_end(ap);
	g->n++;
}

static void expect(struct gen *g, long t, enum sk_gesture k)
{
	if (g->in_n == g->in_cap) {
		g->in_cap = g->in_cap ? 2 * g->in_cap : 256;
		g->in = realloc(g->in, sizeof *g->in * (size_t)g->in_cap);
		assert_non_null(g->in);
	}
	g->in[g->in_n++] = (struct sk_input){t, k, false};
}

/* Contact bounce: edges a few ms apart, well inside the settle time. */
static long bounce_gap(struct gen *g, long settle)
{
	return rnd(&g->rng, 1, settle - 1 < 6 ? settle - 1 : 6);
}

/*
 * The button held for `hold` ms, optionally through bouncy contacts. What
 * it must give, from kiosk.conf(5) (long_press, the settle times, WIRING):
 * an edge counts once the level has stayed put for the settle time, so a
 * hold no longer than that is nothing; a long press fires when the button
 * has been down long_press (from the last edge of the press to the last
 * of the release), otherwise a press once the release settles.
 */
static void button(struct gen *g, long hold, bool bouncy)
{
	const struct routine_info *r = g->r;
	long t = g->t, down = t, up;
	if (!bouncy) {
		up = t + hold;
		if (hold == 150 && chance(&g->rng, 50))
			emit(g, t, "press");
		else if (chance(&g->rng, 70))
			emit(g, t, "hold %ld.%03ld", hold / 1000, hold % 1000);
		else {
			emit(g, t, "down");
			emit(g, up, "up");
		}
	} else {
		emit(g, t, "down");
		for (long k = rnd(&g->rng, 1, 6); k > 0; k--) {
			emit(g, t += bounce_gap(g, r->bsettle), "up");
			emit(g, t += bounce_gap(g, r->bsettle), "down");
		}
		down = t;
		emit(g, up = t + hold, "up");
		for (long k = rnd(&g->rng, 0, 5); k > 0; k--) {
			emit(g, up += bounce_gap(g, r->bsettle), "down");
			emit(g, up += bounce_gap(g, r->bsettle), "up");
		}
	}
	if (up - down >= r->long_press) {
		expect(g, down + r->bsettle + r->long_press, SK_LONG);
		g->pair_at = -1; /* a long press pairs with nothing */
	} else if (up - down > r->bsettle) {
		/* A press within a second of a single press is a double
		 * press (it skips), and the pair is used up. */
		long at = up + r->bsettle;
		bool second = g->pair_at >= 0 && at - g->pair_at <= 1000;
		expect(g, at, second ? SK_DOUBLE : SK_PRESS);
		g->pair_at = second ? -1 : at;
	}
	g->t = up + r->bsettle + 1;
}

static void press(struct gen *g)
{
	long hold = chance(&g->rng, 50) ? 150 : rnd(&g->rng, 40, 1200);
	if (hold >= g->r->long_press)
		hold = g->r->long_press - 1;
	button(g, hold, chance(&g->rng, 40));
}

static void long_press(struct gen *g)
{
	button(g, g->r->long_press + log_rnd(&g->rng, 1, 4000),
	       chance(&g->rng, 40));
}

/* Bounce alone, ending where it began: no gesture. */
static void blip(struct gen *g)
{
	long t = g->t;
	for (long k = rnd(&g->rng, 1, 8); k > 0; k--) {
		emit(g, t, "down");
		emit(g, t += bounce_gap(g, g->r->bsettle), "up");
		t += bounce_gap(g, g->r->bsettle);
	}
	g->t = t + g->r->bsettle + 1;
}

/* Raw mat edges: one that changes the level resets its settle timer. */
static void mat_edge(struct gen *g, long t, bool on)
{
	emit(g, t, on ? "mat on" : "mat off");
	g->mat = on;
}

static void mat_settles(struct gen *g, long last)
{
	if (g->mat != g->mat_stable)
		expect(g, last + g->r->msettle,
		       g->mat ? SK_MAT_ON : SK_MAT_OFF);
	g->mat_stable = g->mat;
	g->t = last + g->r->msettle + 1;
}

static void mat_set(struct gen *g, bool on)
{
	mat_edge(g, g->t, on); /* the same level again is no edge at all */
	mat_settles(g, g->t);
}

/* Chatter shorter than the settle time, ending on a chosen level. */
static void mat_chatter(struct gen *g, bool end)
{
	long t = g->t, gap = g->r->msettle - 1 < 40 ? g->r->msettle - 1 : 40;
	for (long k = rnd(&g->rng, 2, 16); k > 0; k--) {
		mat_edge(g, t, !g->mat);
		if (k > 1)
			t += rnd(&g->rng, 1, gap);
	}
	if (g->mat != end)
		mat_edge(g, t += rnd(&g->rng, 1, gap), end);
	mat_settles(g, t);
}

/* Someone shifting on and off the mat, each change long enough to count. */
static void mat_flap(struct gen *g)
{
	for (long k = rnd(&g->rng, 2, 7); k > 0; k--) {
		mat_set(g, !g->mat);
		g->t += rnd(&g->rng, 0, 1500);
	}
}

static void wait_ms(struct gen *g, long ms)
{
	g->t += ms;
}

static long longest_wait(const struct routine_info *r)
{
	return r->start_timeout > r->pause_timeout ? r->start_timeout
						   : r->pause_timeout;
}

/* Everything a person might do in the middle of a session. */
static void action(struct gen *g)
{
	const struct routine_info *r = g->r;
	long k = rnd(&g->rng, 1, 100);
	if (k <= 24) {
		press(g);
	} else if (k <= 30) {
		long_press(g);
	} else if (k <= 34) {
		/* Exactly at the edges kiosk.conf(5) gives. */
		long edge[] = {r->long_press - 1, r->long_press,
			       r->long_press + 1, r->bsettle, r->bsettle + 1};
		button(g, edge[rnd(&g->rng, 0, 4)], false);
	} else if (k <= 41) {
		blip(g);
	} else if (k <= 55) {
		mat_set(g, !g->mat);
	} else if (k <= 63) {
		mat_chatter(g, chance(&g->rng, 50));
	} else if (k <= 69) {
		mat_flap(g);
	} else if (k <= 74) {
		/* Away longer than a timeout, or just short of it. */
		long w =
		    chance(&g->rng, 50) ? r->start_timeout : r->pause_timeout;
		wait_ms(g, w + rnd(&g->rng, -2000, 5000));
	} else if (k <= 86) {
		/* Pause, then carry on. */
		press(g);
		wait_ms(g, log_rnd(&g->rng, 100, r->pause_timeout));
		press(g);
	} else if (k <= 93) {
		/* On the mat for a long hold. */
		mat_set(g, true);
		wait_ms(g, log_rnd(&g->rng, 5000, r->length / 2 + 5000));
	} else {
		wait_ms(g, log_rnd(&g->rng, 1000, longest_wait(r) / 2));
	}
}

/* The longest an episode can take: what stops a script short of a day. */
static long episode_max(const struct routine_info *r)
{
	long action =
	    40000 + 3 * r->long_press + 6000 +
	    (longest_wait(r) > r->length / 2 ? longest_wait(r) : r->length / 2);
	return 20000 + 10 * action + 13 * r->length / 10 + longest_wait(r) +
	       r->done_time + 30000;
}

enum end { END_STOP, END_ABANDON, END_FINISH, END_DONE_PRESS, END_NONE };

static void episode(struct gen *g, enum end end)
{
	const struct routine_info *r = g->r;
	g->episode_t = g->t;
	long k = rnd(&g->rng, 1, 10);
	if (end == END_DONE_PRESS || k > 6) {
		/* Onto the mat: with it, a routine of auto and mat parts
		 * runs its estimated length exactly. */
		if (g->mat) {
			mat_set(g, false);
			wait_ms(g, rnd(&g->rng, 0, 3000));
		}
		if (k == 10)
			mat_chatter(g, true);
		else
			mat_set(g, true);
	} else {
		press(g);
	}
	for (long n = end == END_DONE_PRESS || g->calm ? 0
						       : rnd(&g->rng, 0, 10);
	     n > 0; n--) {
		wait_ms(g, log_rnd(&g->rng, 1, 40000));
		action(g);
	}
	switch (end) {
	case END_STOP:
		wait_ms(g, log_rnd(&g->rng, 1, 20000));
		long_press(g);
		break;
	case END_ABANDON:
		/* Walks away: a mat part pauses, a part that waits waits. */
		if (g->mat)
			mat_set(g, false);
		wait_ms(g, longest_wait(r) + rnd(&g->rng, 1000, 10000));
		break;
	case END_FINISH:
		mat_set(g, true);
		wait_ms(g, r->length * 13 / 10 + r->done_time + 2000);
		break;
	case END_DONE_PRESS:
		/* Untouched, so the session ends on time: press or hold
		 * the button while the closing screen is up. */
		wait_ms(g, r->length + rnd(&g->rng, 300, r->done_time - 500));
		if (chance(&g->rng, 70))
			press(g);
		else
			long_press(g);
		wait_ms(g, r->done_time + 2000);
		break;
	case END_NONE:
		break;
	}
	wait_ms(g, log_rnd(&g->rng, 200, 8000));
	g->episodes++;
}

static enum end random_end(struct gen *g)
{
	long k = rnd(&g->rng, 1, 100);
	return k <= 40	 ? END_STOP
	       : k <= 60 ? END_ABANDON
	       : k <= 75 ? END_FINISH
	       : k <= 85 ? END_DONE_PRESS
			 : END_NONE;
}

static int by_t(const void *a, const void *b)
{
	long x = ((const struct sk_input *)a)->t,
	     y = ((const struct sk_input *)b)->t;
	return (x > y) - (x < y);
}

/* Quit part-way through the last episode: what the script says after the
 * quit is cut, and so is every gesture that would come after it. */
static void cut_at_quit(struct gen *g)
{
	long q = rnd(&g->rng, g->episode_t + 1, g->t);
	while (g->n > 0 && g->line[g->n - 1].t >= q)
		g->n--;
	int k = 0;
	for (int i = 0; i < g->in_n; i++)
		if (g->in[i].t <= q)
			g->in[k++] = g->in[i];
	g->in_n = k;
	emit(g, q, "quit");
}

static void write_script(const struct gen *g, const char *path)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# soak script: routine %s, %d episodes\n", g->r->label,
		g->episodes);
	for (int i = 0; i < g->n; i++)
		fprintf(f, "%ld.%03ld %s\n", g->line[i].t / 1000,
			g->line[i].t % 1000, g->line[i].text);
	assert_int_equal(fclose(f), 0);
}

/* ---- running the kiosk and watching it ---- */

struct run_spec {
	int index;
	const struct routine_info *r;
	bool media; /* screens through SDL's dummy driver, sound into a WAV */
	bool quit;
	bool live_rss; /* memory is measured: see quarantine_off() */
	int episodes;
	const enum end *ends; /* forced endings, or NULL: random */
	uint64_t seed;
};

struct sample {
	long session, offset; /* sessions ended, record bytes read */
	long rss_kb, hwm_kb;  /* resident now; at most since the reset */
	int fds, fonts;	      /* open descriptors; of them, to font files */
};

/* A session as the event record ends it: what the session record (the
 * staff's sessions.tsv) must say of it. */
struct ended {
	int seconds, index;
	const char *result;
};

struct run_result {
	int episodes, status;
	struct ended *ended;
	int n_ended;
	long events; /* in the script: what it costs to hold */
	double seconds;
	long peak_kb; /* VmHWM: start-up, or the sessions, whichever is more */
	struct soak_check c;
	struct sample *s;
	int ns;
	struct sample first, at8, last; /* after session 1, 1/8 and the end */
	int fd_max;
	int kept_first, kept_last; /* descriptors held, fonts left out */
	int vg_errors;		   /* from valgrind's ERROR SUMMARY, -1: none */
};

/* What descriptor `name` of /proc/PID/fd (`dir`) is open on; "" if it
 * is gone. */
static const char *fd_target(const char *dir, const char *name, char *target,
			     size_t size)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ssize_t n = readlink(path, target, size - 1);
	target[n < 0 ? 0 : n] = '\0';
	return target;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);
	return n >= t && !strcmp(s + n - t, tail);
}

/* Start the peak RSS (VmHWM) over from now: what the start-up cost, the
 * script's loading above all, is left out of the peak of the sessions. */
static void reset_peak(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

static bool sample_proc(pid_t pid, long session, struct sample *out)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	out->rss_kb = out->hwm_kb = -1;
	while (fgets(buf, sizeof buf, f)) {
		if (!strncmp(buf, "VmRSS:", 6))
			out->rss_kb = atol(buf + 6);
		if (!strncmp(buf, "VmHWM:", 6))
			out->hwm_kb = atol(buf + 6);
	}
	fclose(f);
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d || out->rss_kb < 0) {
		if (d)
			closedir(d);
		return false;
	}
	out->fds = out->fonts = 0;
	for (struct dirent *e; (e = readdir(d));) {
		char target[600];
		if (e->d_name[0] == '.')
			continue;
		fd_target(path, e->d_name, target, sizeof target);
		/* The session record is open only while a line is appended
		 * and synced, which on a busy disk is the very moment the
		 * record's pipe lets the kiosk go on: not a leak. */
		if (ends_with(target, "/sessions.tsv"))
			continue;
		out->fds++;
		out->fonts += strstr(target, ".ttf") || strstr(target, ".otf");
	}
	closedir(d);
	out->session = session;
	return true;
}

/* The words of SOAK_WRAP, then the kiosk's own arguments. */
static int build_argv(const char **argv, int max, char *wrap,
		      const char *script, const char *wav, const char *state,
		      const struct run_spec *sp)
{
	int n = 0;
	for (char *save = NULL, *w = wrap ? strtok_r(wrap, " ", &save) : NULL;
	     w && n < max - 20; w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	static char input[700], audio[700];
	snprintf(input, sizeof input, "script:%s", script);
	snprintf(audio, sizeof audio, "wav:%s", wav);
	argv[n++] = kiosk();
	argv[n++] = "--clock";
	argv[n++] = "virtual";
	argv[n++] = "--input";
	argv[n++] = input;
	argv[n++] = "--events";
	argv[n++] = "-";
	argv[n++] = "--video";
	argv[n++] = sp->media ? "sdl" : "none";
	if (sp->media) {
		argv[n++] = "--window";
		argv[n++] = "480x320";
	}
	argv[n++] = "--audio";
	argv[n++] = sp->media ? audio : "none";
	if (sp->r->config) {
		argv[n++] = "--config";
		argv[n++] = sp->r->config;
	}
	/* The session record too, on the virtual clock only when asked. */
	argv[n++] = "--state-dir";
	argv[n++] = state;
	argv[n] = NULL;
	return n;
}

static int valgrind_errors(const char *stderr_path)
{
	char *text = read_file(stderr_path, NULL);
	int n = -1;
	const char *p = text ? strstr(text, "ERROR SUMMARY: ") : NULL;
	if (p)
		n = atoi(p + strlen("ERROR SUMMARY: "));
	free(text);
	return n;
}

static void note_ended(struct run_result *res, const struct soak_check *c,
		       const char *line)
{
	char v[16] = "";
	struct ended e = {.index = -1};
	sk_int(line, "index", &e.index);
	e.seconds = (int)((c->t - c->session_t + 500) / 1000);
	json_get(line, "result", v, sizeof v);
	e.result = json_get(line, "quit", v, sizeof v) ? "shutdown"
		   : !strcmp(v, "completed")	       ? "completed"
		   : !strcmp(v, "stopped")	       ? "stopped"
						       : "abandoned";
	res->ended = realloc(res->ended,
			     sizeof *res->ended * (size_t)(res->n_ended + 1));
	assert_non_null(res->ended);
	res->ended[res->n_ended++] = e;
}

/* The staff's record of sessions (sessions.tsv) is a second witness:
 * one line per session, in order, with the same ending, length and
 * exercise as the event record gives. */
static void compare_session_record(struct run_result *res, const char *dir,
				   const char *label)
{
	char path[700];
	snprintf(path, sizeof path, "%s/sessions.tsv", dir);
	char *text = read_file(path, NULL);
	int k = 0, bad = 0;
	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL;
	     l; l = strtok_r(NULL, "\n", &save)) {
		if (l[0] == '#')
			continue;
		char result[16] = "";
		int seconds = -1, index = -1;
		bool ok = sscanf(l, "%*[^\t]\t%d\t%15[^\t]\t%d", &seconds,
				 result, &index) == 3 &&
			  k < res->n_ended &&
			  seconds == res->ended[k].seconds &&
			  !strcmp(result, res->ended[k].result) &&
			  index == res->ended[k].index;
		if (!ok && bad++ < 5)
			printf("soak: %s: session record line %d is '%s'; the "
			       "event record's session %d was %s after %d s "
			       "at exercise %d\n",
			       label, k + 1, l, k + 1,
			       k < res->n_ended ? res->ended[k].result : "-",
			       k < res->n_ended ? res->ended[k].seconds : -1,
			       k < res->n_ended ? res->ended[k].index : -1);
		k++;
	}
	free(text);
	if (k != res->n_ended) {
		printf("soak: %s: %d sessions in the session record, %d in the "
		       "event record\n",
		       label, k, res->n_ended);
		bad++;
	}
	res->c.violations += bad;
}

/* AddressSanitizer holds freed memory back in a quarantine of up to 256
 * MiB, to catch use after free; until it is full, RSS grows with every
 * free, leak or not. Where memory is measured it is turned off, so RSS
 * follows live memory; every other run keeps it. */
static void quarantine_off(void)
{
#if defined(__SANITIZE_ADDRESS__)
	const char *was = getenv("ASAN_OPTIONS");
	char opts[1024];
	snprintf(opts, sizeof opts,
		 "%s%squarantine_size_mb=0:thread_local_quarantine_size_kb=0",
		 was ? was : "", was && *was ? ":" : "");
	setenv("ASAN_OPTIONS", opts, 1);
#endif
}

/* Descriptors held through a stretch of samples: the fewest open, fonts
 * left out. One open for a moment is in one sample; one that leaked is in
 * every one after. */
static int held(const struct sample *s, int n)
{
	int least = s[0].fds - s[0].fonts;
	for (int i = 1; i < n; i++)
		if (s[i].fds - s[i].fonts < least)
			least = s[i].fds - s[i].fonts;
	return least;
}

static void run_one(const struct run_spec *sp, uint64_t seed,
		    struct run_result *res)
{
	struct gen g = {.rng = sp->seed, .r = sp->r, .calm = sp->ends, .pair_at = -1};
	for (int i = 0;
	     i < sp->episodes && (i == 0 || g.t < DAY_MS - episode_max(sp->r));
	     i++)
		episode(&g, sp->ends ? sp->ends[i] : random_end(&g));
	if (sp->quit)
		cut_at_quit(&g);
	qsort(g.in, (size_t)g.in_n, sizeof *g.in, by_t);

	/* The mixer renders every sample; where they go is not what is
	 * soaked (e2e_media judges the WAV), and a day of them is 3.8 GB. */
	const char *wav = "/dev/null";
	char script[600], err[600], keep[600], state[600], label[96];
	snprintf(script, sizeof script, "%s/run-%d.script", out_dir, sp->index);
	snprintf(err, sizeof err, "%s/run-%d.stderr", out_dir, sp->index);
	snprintf(keep, sizeof keep, "%s/run-%d.jsonl", out_dir, sp->index);
	snprintf(state, sizeof state, "%s/run-%d.state", out_dir, sp->index);
	char rm[700];
	snprintf(rm, sizeof rm, "rm -rf %s", state);
	assert_int_equal(run(rm), 0);
	snprintf(label, sizeof label, "seed %llu run %d (%s%s)",
		 (unsigned long long)seed, sp->index, sp->r->label,
		 sp->media ? ", screens and sound" : "");
	write_script(&g, script);

	memset(res, 0, sizeof *res);
	res->episodes = g.episodes;
	for (int i = 0; i < g.n; i++)
		res->events += 1 + (!strcmp(g.line[i].text, "press") ||
				    !strncmp(g.line[i].text, "hold", 4));
	res->vg_errors = -1;
	struct soak_check *c = &res->c;
	soak_check_init(c, strdup(label));
	c->start_timeout = sp->r->start_timeout;
	c->pause_timeout = sp->r->pause_timeout;
	c->quit = sp->quit;
	c->in = g.in;
	c->in_n = g.in_n;

	char *wrap = getenv("SOAK_WRAP") ? strdup(getenv("SOAK_WRAP")) : NULL;
	const char *argv[64];
	build_argv(argv, 64, wrap, script, wav, state, sp);
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	double t0 = now_s();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int e =
		    open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (e < 0 || dup2(fds[1], 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		if (sp->media)
			setenv("SDL_VIDEODRIVER", "dummy", 1);
		if (sp->live_rss)
			quarantine_off();
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETPIPE_SZ, PIPE_BYTES);
	FILE *rec = fdopen(fds[0], "r");
	assert_non_null(rec);
	FILE *kept = getenv("SOAK_KEEP") ? fopen(keep, "w") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long ended = 0, bytes = 0;
	while ((len = getline(&line, &cap, rec)) > 0) {
		bytes += len;
		if (kept)
			fputs(line, kept);
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		soak_check_line(c, line);
		long now_ended = c->results[0] + c->results[1] + c->results[2];
		if (now_ended != ended)
			note_ended(res, c, line);
		struct sample s;
		if (now_ended != ended && sample_proc(pid, now_ended, &s)) {
			if (!res->ns && sp->live_rss)
				reset_peak(pid);
			s.offset = bytes;
			res->s = realloc(res->s, sizeof *res->s *
						     (size_t)(res->ns + 1));
			assert_non_null(res->s);
			res->s[res->ns++] = s;
		}
		ended = now_ended;
	}
	fclose(rec);
	if (kept)
		fclose(kept);
	free(line);
	soak_check_end(c);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	res->seconds = now_s() - t0;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (wrap)
		res->vg_errors = valgrind_errors(err);
	free(wrap);
	if (res->status != 0)
		printf("soak: %s: the kiosk exited with status %d (see %s)\n",
		       label, res->status, err);
	/* A full action buffer is logged, and would be a lost action. */
	char *log = read_file(err, NULL);
	if (log && strstr(log, "engine dropped")) {
		printf("soak: %s: the engine dropped actions (see %s)\n", label,
		       err);
		res->status = res->status ? res->status : 1;
	}
	free(log);
	if (c->violations || res->status)
		printf("soak: %s: its script is %s; SOAK_SEED=%llu with the "
		       "same SOAK_SESSIONS makes it again, SOAK_KEEP=1 keeps "
		       "the record beside it\n",
		       label, script, (unsigned long long)seed);

	compare_session_record(res, state, label);

	while (res->ns > 1 && bytes - res->s[res->ns - 1].offset < TAIL_BYTES)
		res->ns--;
	if (res->ns) {
		res->first = res->s[0];
		res->last = res->s[res->ns - 1];
		res->at8 = res->s[0];
		/* Not wait4's ru_maxrss: exec keeps the high-water mark of
		 * the memory it replaces, so a child's counts the copy of
		 * this program it was forked from. */
		res->peak_kb = res->first.hwm_kb > res->last.hwm_kb
				   ? res->first.hwm_kb
				   : res->last.hwm_kb;
		res->kept_first = held(res->s, res->ns < 3 ? res->ns : 3);
		res->kept_last =
		    held(res->s + res->ns - (res->ns < 3 ? res->ns : 3),
			 res->ns < 3 ? res->ns : 3);
		for (int i = 0; i < res->ns; i++) {
			if (res->s[i].fds > res->fd_max)
				res->fd_max = res->s[i].fds;
			if (res->s[i].session * 8 <= res->last.session)
				res->at8 = res->s[i];
		}
	}
	free(g.line);
	c->in = NULL; /* g.in is freed with the result */
	free(g.in);
}

static void free_result(struct run_result *res)
{
	free((char *)res->c.label);
	free(res->s);
	free(res->ended);
}

static void print_result(const struct run_spec *sp,
			 const struct run_result *res)
{
	const struct soak_check *c = &res->c;
	printf("  run %2d %-8s %-6s %5ld sessions (%ld done, %ld stopped, "
	       "%ld abandoned)%s %8ld lines %6.2f s  peak %6ld KiB  fds "
	       "held %d->%d, fonts %d->%d (max open %d; end at session %ld)  "
	       "RSS %ld->%ld KiB  %d violations\n",
	       sp->index, sp->r->label, sp->media ? "media" : "none",
	       c->sessions, c->results[SK_COMPLETED], c->results[SK_STOPPED],
	       c->results[SK_ABANDONED], sp->quit ? " quit" : "     ", c->lines,
	       res->seconds, res->peak_kb, res->kept_first, res->kept_last,
	       res->first.fonts, res->last.fonts, res->fd_max,
	       res->last.session, res->at8.rss_kb, res->last.rss_kb,
	       c->violations);
}

/* ---- the plans ---- */

static uint64_t soak_seed;

static void print_seed(void)
{
	static bool said;
	if (said)
		return;
	said = true;
	printf("soak: seed %llu (SOAK_SEED=%llu repeats this soak)\n",
	       (unsigned long long)soak_seed, (unsigned long long)soak_seed);
}

static int setup(void **state)
{
	(void)state;
	const char *s = getenv("SOAK_SEED");
	soak_seed = s && *s
			? strtoull(s, NULL, 10)
			: (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	make_out_dir();
	for (int i = 0; i < R_COUNT; i++)
		routine_load(&routines[i]);
	return 0;
}

static long sessions_wanted(void)
{
	const char *s = getenv("SOAK_SESSIONS");
	long n = s ? atol(s) : 600;
	return n > 20 ? n : 20;
}

static uint64_t run_seed(int index)
{
	uint64_t s = soak_seed ^ (0x5851f42d4c957f2du * (uint64_t)(index + 1));
	return next_u64(&s);
}

/* Coverage over the whole soak, and its verdicts. */
struct totals {
	long sessions, lines, results[SK_RESULTS], violations, failed_runs;
	long inputs_in[SK_STATES][SK_GESTURES];
	long moves[SK_STATES][SK_STATES];
	double seconds;
	int runs;
	bool fds_grew;
};

static void add_totals(struct totals *t, const struct run_spec *sp,
		       const struct run_result *res)
{
	const struct soak_check *c = &res->c;
	t->runs++;
	t->sessions += c->sessions;
	t->lines += c->lines;
	t->violations += c->violations;
	t->seconds += res->seconds;
	t->failed_runs += res->status != 0;
	for (int i = 0; i < SK_RESULTS; i++)
		t->results[i] += c->results[i];
	for (int s = 0; s < SK_STATES; s++) {
		for (int k = 0; k < SK_GESTURES; k++)
			t->inputs_in[s][k] += c->inputs_in[s][k];
		for (int k = 0; k < SK_STATES; k++)
			t->moves[s][k] += c->moves[s][k];
	}
	/* Descriptors do not come and go between sessions: whatever is open
	 * after the first session is all there is at the end, but for the
	 * painter's bounded font cache. */
	if (res->ns && (res->kept_last > res->kept_first ||
			res->fd_max - res->kept_last > FONT_FDS_MAX + 1)) {
		printf("soak: seed %llu run %d: descriptors held grew from %d "
		       "(session %ld) to %d (session %ld), or more than %d "
		       "fonts were open (%d open at most)\n",
		       (unsigned long long)soak_seed, sp->index,
		       res->kept_first, res->first.session, res->kept_last,
		       res->last.session, FONT_FDS_MAX, res->fd_max);
		t->fds_grew = true;
	}
}

static void print_coverage(const struct totals *t)
{
	printf("  inputs by the state they came in:\n  %-8s", "");
	for (int k = 0; k < SK_GESTURES; k++)
		printf(" %7s", sk_gesture_name[k]);
	printf("\n");
	for (int s = 0; s < SK_STATES; s++) {
		printf("  %-8s", sk_state_name[s]);
		for (int k = 0; k < SK_GESTURES; k++)
			printf(" %7ld", t->inputs_in[s][k]);
		printf("\n");
	}
	int seen = 0, allowed = 0, skips = 0;
	for (int a = 0; a < SK_STATES; a++)
		for (int b = 0; b < SK_STATES; b++) {
			allowed += sk_allowed[a][b];
			seen += sk_allowed[a][b] && t->moves[a][b] > 0;
			/* Only a skip makes the others (soakcheck.h). */
			skips += !sk_allowed[a][b] && t->moves[a][b] > 0;
		}
	printf("  state changes: %d of the %d allowed were seen, and %d "
	       "more by skipping; not seen:",
	       seen, allowed, skips);
	for (int a = 0; a < SK_STATES; a++)
		for (int b = 0; b < SK_STATES; b++)
			if (sk_allowed[a][b] && !t->moves[a][b])
				printf(" %s->%s", sk_state_name[a],
				       sk_state_name[b]);
	printf("\n");
}

static void run_plan(struct run_spec *plan, int n, struct totals *t,
		     struct run_result *keep)
{
	for (int i = 0; i < n; i++) {
		struct run_result res;
		plan[i].index = i;
		plan[i].seed = run_seed(i);
		run_one(&plan[i], soak_seed, &res);
		print_result(&plan[i], &res);
		fflush(stdout);
		add_totals(t, &plan[i], &res);
		if (keep)
			keep[i] = res;
		else
			free_result(&res);
	}
}

/* Thousands of sessions in few processes: each routine gets its share of
 * the sessions asked for, split into processes of at most a virtual day;
 * a few runs paint every screen and mix every sound too. */
static void test_soak(void **state)
{
	(void)state;
	print_seed();
	long want = sessions_wanted();
	struct {
		int routine;
		bool media;
		long share; /* per thousand of the sessions */
		long per_run;
	} mix[] = {
	    {R_QUICK, false, 330, 900}, {R_DEFAULT, false, 250, 150},
	    {R_SHORT, false, 120, 400}, {R_DE, false, 100, 150},
	    {R_ES, false, 100, 150},	{R_QUICK, true, 25, 60},
	    {R_DEFAULT, true, 8, 10},
	};
	struct run_spec plan[256];
	int n = 0;
	for (size_t m = 0; m < sizeof mix / sizeof *mix; m++) {
		long left = want * mix[m].share / 1000;
		if (left < (mix[m].media ? 3 : 10))
			left = mix[m].media ? 3 : 10;
		while (left > 0 && n < 256) {
			long e = left < mix[m].per_run ? left : mix[m].per_run;
			plan[n] = (struct run_spec){
			    .r = &routines[mix[m].routine],
			    .media = mix[m].media,
			    .quit = n % 2 == 0,
			    .episodes = (int)e,
			};
			n++;
			left -= e;
		}
	}
	struct totals t = {0};
	double t0 = now_s();
	printf("soak: %d kiosk runs for about %ld sessions\n", n, want);
	run_plan(plan, n, &t, NULL);
	printf("soak: %ld sessions (%ld completed, %ld stopped, %ld "
	       "abandoned), %ld record lines, %d runs in %.1f s; %ld "
	       "invariant violations\n",
	       t.sessions, t.results[SK_COMPLETED], t.results[SK_STOPPED],
	       t.results[SK_ABANDONED], t.lines, t.runs, now_s() - t0,
	       t.violations);
	print_coverage(&t);
	assert_int_equal(t.violations, 0);
	assert_int_equal(t.failed_runs, 0);
	assert_false(t.fds_grew);
	/* The input really made sessions, of every ending, and pressed and
	 * held the button in every state a session passes through. */
	assert_true(t.sessions >= want / 2);
	for (int r = 0; r < SK_RESULTS; r++)
		assert_true(t.results[r] > 0);
	/* Long presses are rarer: a short soak may miss one state. */
	for (int s = 0; s < SK_STATES; s++) {
		if (!t.inputs_in[s][SK_PRESS])
			printf("soak: no press came while '%s'\n",
			       sk_state_name[s]);
		assert_true(t.inputs_in[s][SK_PRESS] > 0);
		if (want >= 2000 && s != SK_ATTRACT)
			assert_true(t.inputs_in[s][SK_LONG] > 0);
	}
}

/*
 * Flatness: the same input, N sessions and then 8N, each in one process.
 * Nothing in the kiosk grows with the sessions but the event record,
 * which goes out as it is made, and caches with a fixed number of slots
 * (fonts, texts, pictures; and the lines spoken, all prepared at start).
 * The peak RSS of the sessions (reset once the first has ended, so the
 * script's loading, 8 times longer in the long run, is left out) may
 * therefore differ only by the longer script's events, held all along
 * (16 bytes each, in an array that doubles as it grows: 32), and by
 * allocator slack: SLACK_KB plus 2%. The peak of the whole process is
 * reported too. Open descriptors, but for the font cache, must
 * be the same.
 */
#define SLACK_KB 1024

static void flat_pair(const struct routine_info *r, bool media, long n)
{
	struct run_spec plan[2] = {
	    {.r = r, .media = media, .live_rss = true, .episodes = (int)n},
	    {.r = r,
	     .media = media,
	     .live_rss = true,
	     .episodes = (int)(8 * n)},
	};
	struct run_result res[2];
	struct totals t = {0};
	/* Same seed for both: the long script starts with the short one. */
	for (int i = 0; i < 2; i++) {
		plan[i].index = 900 + 2 * (media ? 1 : 0) + i;
		plan[i].seed = run_seed(900 + (media ? 1 : 0));
		run_one(&plan[i], soak_seed, &res[i]);
		print_result(&plan[i], &res[i]);
		add_totals(&t, &plan[i], &res[i]);
	}
	const struct run_result *a = &res[0], *b = &res[1];
	long slack = SLACK_KB + a->last.hwm_kb / 50 +
		     32 * (b->events - a->events) / 1024;
	long growth = b->last.hwm_kb - a->last.hwm_kb;
	long inside = b->last.rss_kb - b->at8.rss_kb;
	printf("soak: flat (%s%s): peak RSS of the sessions %ld KiB over %ld "
	       "sessions, %ld KiB over %ld: x%.3f, %+ld KiB (bound %+ld); "
	       "whole process %ld and %ld KiB: x%.3f; in the long run RSS "
	       "%ld KiB at session %ld, %ld KiB at session %ld (%+ld); open "
	       "descriptors held %d and %d (and %d and %d fonts)\n",
	       r->label, media ? ", screens and sound" : "", a->last.hwm_kb,
	       a->c.sessions, b->last.hwm_kb, b->c.sessions,
	       (double)b->last.hwm_kb / (double)a->last.hwm_kb, growth, slack,
	       a->peak_kb, b->peak_kb, (double)b->peak_kb / (double)a->peak_kb,
	       b->at8.rss_kb, b->at8.session, b->last.rss_kb, b->last.session,
	       inside, a->kept_last, b->kept_last, a->last.fonts,
	       b->last.fonts);
	printf("soak: flat (%s%s): RSS of the long run by session:", r->label,
	       media ? ", screens and sound" : "");
	for (int k = 1, i = 0; k <= 8 && b->ns; k++) {
		long at = b->last.session * k / 8;
		while (i + 1 < b->ns && b->s[i + 1].session <= at)
			i++;
		printf(" %ld:%ld", b->s[i].session, b->s[i].rss_kb);
	}
	printf(" KiB\n");
	bool sampled = a->ns > 0 && b->ns > 0 && a->last.hwm_kb > 0;
	bool longer = b->c.sessions >= 4 * a->c.sessions;
	bool same_fds = b->kept_last == a->kept_last;
	for (int i = 0; i < 2; i++)
		free_result(&res[i]);
	assert_int_equal(t.violations, 0);
	assert_int_equal(t.failed_runs, 0);
	assert_false(t.fds_grew);
	assert_true(sampled);
	assert_true(longer);
	assert_true(same_fds);
	assert_true(growth <= slack);
	assert_true(inside <= slack);
}

static void test_flat(void **state)
{
	(void)state;
	print_seed();
	long want = sessions_wanted();
	/* 8N quick sessions must fit in the day a script may last. */
	long n = want / 8 < 25 ? 25 : want / 8 > 80 ? 80 : want / 8;
	flat_pair(&routines[R_QUICK], false, n);
	/* The painter's and the mixer's caches fill over the first few
	 * dozen sessions: only a long soak says whether they then stay. */
	if (want >= 2000)
		flat_pair(&routines[R_QUICK], true, 40);
}

/* Under valgrind: a few whole sessions of every ending, with screens and
 * sound and without; END_DONE_PRESS is a session left to run to its end. */
static void test_memcheck(void **state)
{
	(void)state;
	print_seed();
	static const enum end media_ends[] = {END_DONE_PRESS, END_STOP,
					      END_ABANDON, END_STOP};
	static const enum end plain_ends[] = {END_DONE_PRESS, END_STOP,
					      END_ABANDON,    END_DONE_PRESS,
					      END_NONE,	      END_STOP};
	struct run_spec plan[] = {
	    {.r = &routines[R_DEFAULT],
	     .media = true,
	     .quit = true,
	     .episodes = 4,
	     .ends = media_ends},
	    {.r = &routines[R_QUICK], .media = true, .episodes = 4},
	    {.r = &routines[R_DEFAULT], .episodes = 6, .ends = plain_ends},
	};
	enum { N = sizeof plan / sizeof *plan };
	struct run_result res[N];
	struct totals t = {0};
	long errors = 0;
	bool all_counted = true;
	run_plan(plan, N, &t, res);
	for (int i = 0; i < N; i++) {
		printf("soak: valgrind run %d: %ld sessions, ERROR SUMMARY %d "
		       "errors\n",
		       i, res[i].c.sessions, res[i].vg_errors);
		all_counted &= res[i].vg_errors >= 0;
		errors += res[i].vg_errors;
		free_result(&res[i]);
	}
	printf("soak: valgrind memcheck: %ld sessions (%ld completed, %ld "
	       "stopped, %ld abandoned), %ld errors\n",
	       t.sessions, t.results[SK_COMPLETED], t.results[SK_STOPPED],
	       t.results[SK_ABANDONED], errors);
	assert_true(all_counted);
	assert_int_equal(errors, 0);
	assert_int_equal(t.violations, 0);
	assert_int_equal(t.failed_runs, 0);
	for (int r = 0; r < SK_RESULTS; r++)
		assert_true(t.results[r] > 0);
}

int main(void)
{
	const struct CMUnitTest soak[] = {
	    cmocka_unit_test(test_soak),
	    cmocka_unit_test(test_flat),
	};
	const struct CMUnitTest memcheck[] = {
	    cmocka_unit_test(test_memcheck),
	};
	if (getenv("SOAK_WRAP"))
		return cmocka_run_group_tests(memcheck, setup, NULL);
	return cmocka_run_group_tests(soak, setup, NULL);
}
