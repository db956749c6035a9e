/*
 * config.c - routine file parsing (libinih) and validation.
 *
 * inih splits lines into sections, keys and values; it does not give the
 * handler a line number in Debian's build, nor tell it when a section
 * starts. So the file is fed to inih through our own reader (read_line),
 * which counts lines, rejects lines inih would mangle (too long, NUL
 * bytes, broken UTF-8) and mirrors inih's rules just far enough to see
 * section headers and syntax errors. Everything about meaning is decided
 * here from the key table.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linespec.h"
#include "readfile.h"
#include "text.h"

enum section {
	SEC_NONE,
	SEC_SETTINGS,
	SEC_PHRASES,
	SEC_SCREEN,
	SEC_ROUTINE,
	SEC_EXERCISE,
	SEC_UNKNOWN,
	SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
    [SEC_SETTINGS] = "settings", [SEC_PHRASES] = "phrases",
    [SEC_SCREEN] = "screen",	 [SEC_ROUTINE] = "routine",
    [SEC_EXERCISE] = "exercise",
};

enum type {
	T_NAME,	   /* one line of text, at most ROUTINE_NAME_MAX */
	T_TEXT,	   /* one spoken line, at most ROUTINE_TEXT_MAX */
	T_LINES,   /* repeatable T_TEXT */
	T_INT,	   /* whole number in [min, max] */
	T_SECONDS, /* seconds, decimals allowed, stored as kt_ms */
	T_WHOLE_SECONDS,
	T_MS, /* milliseconds, stored as kt_ms */
	T_BOOL,
	T_KIND,
	T_START,
	T_BREATH,
	T_CUES,
	T_WORD,	  /* language, voice: a short token */
	T_LINE,	  /* a GPIO line: see linespec.h */
	T_DEVICE, /* audio device name: any short text */
	T_PATH,
};

/* One row a key. Rows name their fields; a row leaves out what does not
 * concern it (0: no limit, every kind, may not be empty). [exercise] keys
 * that only some kinds use carry their group (routine.h); the kind table
 * says which kinds use and need each group. */
struct keydef {
	enum section sec;
	const char *name;
	enum type type;
	size_t off;
	double min, max;
	unsigned group;	     /* [exercise]: enum key_group, 0 = every kind */
	bool required;	     /* [exercise]: every kind must have it */
	bool optional_empty; /* an empty value is allowed (means none) */
};

#define S(f)                                                                   \
	.sec = SEC_SETTINGS, .name = #f, .off = offsetof(struct settings, f)
#define R(f) .sec = SEC_ROUTINE, .name = #f, .off = offsetof(struct routine, f)
#define E(f)                                                                   \
	.sec = SEC_EXERCISE, .name = #f, .off = offsetof(struct exercise, f)
/* For a key whose name is not its field's. */
#define S_AS(key, f)                                                           \
	.sec = SEC_SETTINGS, .name = key, .off = offsetof(struct settings, f)
#define E_AS(key, f)                                                           \
	.sec = SEC_EXERCISE, .name = key, .off = offsetof(struct exercise, f)
#define CUE_OFF(p) (offsetof(struct exercise, cue) + (p) * sizeof(char *))

static const struct keydef keys[] = {
    {S(language), .type = T_WORD, .min = 1, .max = 32},
    {S(voice), .type = T_WORD, .max = 64, .optional_empty = true},
    {S(rate), .type = T_INT, .min = 80, .max = 450},
    {S(pitch), .type = T_INT, .max = 99},
    {S(volume), .type = T_INT, .max = 100},
    {S(audio_device), .type = T_DEVICE, .min = 1, .max = 100},
    {S(long_press), .type = T_SECONDS, .min = 0.5, .max = 10},
    {S_AS("button_debounce_ms", input[LINE_BUTTON].debounce), .type = T_MS,
     .min = 5, .max = 500},
    {S_AS("mat_debounce_ms", input[LINE_MAT].debounce), .type = T_MS, .min = 5,
     .max = 2000},
    {S(mat_start), .type = T_BOOL},
    {S(start_timeout), .type = T_SECONDS, .min = 10, .max = 3600},
    {S(pause_timeout), .type = T_SECONDS, .min = 10, .max = 7200},
    {S(get_ready), .type = T_WHOLE_SECONDS, .max = 60},
    {S(check_in), .type = T_WHOLE_SECONDS, .max = 600},
    {S(countdown), .type = T_INT, .max = 10},
    {S(cues), .type = T_CUES},
    {S(done_time), .type = T_SECONDS, .min = 3, .max = 600},
    {S(frame_rate), .type = T_INT, .min = 5, .max = 60},
    {S(animation), .type = T_BOOL},
    {S_AS("button_line", input[LINE_BUTTON].line), .type = T_LINE,
     .optional_empty = true},
    {S_AS("mat_line", input[LINE_MAT].line), .type = T_LINE,
     .optional_empty = true},
    {S_AS("button_active_low", input[LINE_BUTTON].active_low), .type = T_BOOL},
    {S_AS("mat_active_low", input[LINE_MAT].active_low), .type = T_BOOL},

    {R(name), .type = T_NAME},
    {R(intro), .type = T_LINES},
    {R(safety), .type = T_LINES},
    {R(safety_mat), .type = T_LINES},
    {R(outro), .type = T_LINES},
    {R(redflags), .type = T_LINES},
    {R(redflags_screen), .type = T_BOOL},
    {R(redflags_confirm), .type = T_BOOL},

    {E(name), .type = T_NAME, .required = true},
    {E(illustration), .type = T_PATH},
    {E(say), .type = T_LINES, .required = true},
    {E(caution), .type = T_LINES},
    {E(kind), .type = T_KIND, .required = true},
    {E(seconds), .type = T_WHOLE_SECONDS, .min = 5, .max = 3600,
     .group = KEYS_SECONDS},
    {E(reps), .type = T_INT, .min = 1, .max = 200, .group = KEYS_REPS},
    {E(breath), .type = T_BREATH, .group = KEYS_BREATH},
    {.sec = SEC_EXERCISE,
     .name = "cue_in",
     .off = CUE_OFF(BREATH_IN),
     .type = T_TEXT,
     .group = KEYS_CUES},
    {.sec = SEC_EXERCISE,
     .name = "cue_hold",
     .off = CUE_OFF(BREATH_HOLD),
     .type = T_TEXT,
     .group = KEYS_CUES},
    {.sec = SEC_EXERCISE,
     .name = "cue_out",
     .off = CUE_OFF(BREATH_OUT),
     .type = T_TEXT,
     .group = KEYS_CUES},
    {E(encourage), .type = T_LINES, .group = KEYS_ENCOURAGE},
    {E(encourage_every), .type = T_WHOLE_SECONDS, .min = 5, .max = 600,
     .group = KEYS_ENCOURAGE},
    {E(repeats), .type = T_INT, .min = 1, .max = 20},
    {E(between), .type = T_LINES},
    {E(rest), .type = T_WHOLE_SECONDS, .max = 600},
    {E(start), .type = T_START},
    {E(get_ready), .type = T_WHOLE_SECONDS, .max = 60},
    {E(check_in), .type = T_WHOLE_SECONDS, .max = 600},
    /* Progression: in the kind's unit (seconds, or reps); the limits that
     * depend on the kind are checked in finish_progress. */
    {E_AS("progress_step", progress.step), .type = T_INT, .min = 1,
     .max = 3600},
    {E_AS("progress_max", progress.max), .type = T_INT, .min = 1, .max = 3600},
    {E_AS("progress_every", progress.every), .type = T_INT, .min = 1,
     .max = 100},
};

#define KEY_COUNT (sizeof keys / sizeof *keys)

struct parser {
	struct diags *d;
	struct routine *r;
	const char *base_dir, *assets_dir;

	const char *text;
	size_t len, pos;
	int line;      /* the line inih is working on */
	bool line_bad; /* already reported: ignore what inih makes of it */
	bool have_key; /* an indented line would continue a key */
	int last_key_line; /* the line of the key it would continue */

	enum section sec;
	int sec_line;
	int first_line[SEC_COUNT]; /* where a one-off section first began */
	struct exercise *ex;
	int key_line[KEY_COUNT];   /* where each key of this section was set */
	bool kind_ok;		   /* this [exercise] has a valid kind */
	int breath_line;	   /* where 'breath = none' was given */
	int routine_name_line;	   /* where [routine] name was given */
	int redflags_off_line;	   /* where redflags_screen = off was given */
	int redflags_confirm_line; /* where redflags_confirm = yes was */
	int button_none_line;	   /* where button_line = none was */
	bool redflags_named;	   /* a [routine] redflags* key was given */
	int phrase_line[PHRASE_COUNT];
	int word_line[WORD_COUNT];
};

static void *arena(struct parser *p, size_t size)
{
	void *m = routine_arena_alloc(&p->r->arena, size);
	if (!m)
		diag_add(p->d, p->line, "out of memory");
	return m;
}

static const char *arena_strdup(struct parser *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = arena(p, n);
	if (copy)
		memcpy(copy, s, n);
	return copy;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

/* ---- helpful hints: the key the writer probably meant ---- */

static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 31 || lb > 31)
		return 99;
	int row[32];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *closest_key(enum section sec, const char *name)
{
	const char *best = NULL;
	int best_d = 3;
	for (size_t i = 0; i < KEY_COUNT; i++) {
		int dist =
		    keys[i].sec == sec ? edit_distance(name, keys[i].name) : 99;
		if (dist < best_d)
			best = keys[i].name, best_d = dist;
	}
	for (int i = 0; sec == SEC_PHRASES && i < PHRASE_COUNT; i++) {
		int dist = edit_distance(name, routine_phrase_key(i));
		if (dist < best_d)
			best = routine_phrase_key(i), best_d = dist;
	}
	for (int i = 0; sec == SEC_SCREEN && i < WORD_COUNT; i++) {
		int dist = edit_distance(name, routine_word_key(i));
		if (dist < best_d)
			best = routine_word_key(i), best_d = dist;
	}
	return best;
}

/* ---- values ---- */

/* A plain decimal number: digits, optionally a point and more digits. */
static bool parse_decimal(const char *s, bool whole, double *out)
{
	const char *p = s;
	double v = 0, scale = 1;
	bool digits = false, point = false;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			digits = true;
			if (point)
				v += (*p - '0') * (scale /= 10);
			else if (v < 1e9)
				v = v * 10 + (*p - '0');
		} else if (*p == '.' && !point && !whole) {
			point = true;
		} else {
			return false;
		}
	}
	*out = v;
	return digits;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = true, true;
		if (!strcasecmp(s, no[i]))
			return *out = false, true;
	}
	return false;
}

/* Words staff type (yes, hold, mat, ...) are read in any case. */
static int word_index(const char *s, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcasecmp(s, words[i]))
			return i;
	return -1;
}

static bool parse_breath(struct parser *p, const char *v, struct breath *b)
{
	static const char *const phase_words[] = {"in", "hold", "out"};
	static const enum breath_phase phases[] = {BREATH_IN, BREATH_HOLD,
						   BREATH_OUT};
	memset(b, 0, sizeof *b);
	if (!strcasecmp(v, "none"))
		return true;
	bool in = false, out = false;
	for (const char *s = v; *s;) {
		char word[8];
		double secs;
		s = skip_space(s);
		size_t letters = strspn(s, "abcdefghijklmnopqrstuvwxyz"
					   "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		const char *num = skip_space(s + letters);
		size_t digits = strspn(num, "0123456789");
		char n[4];
		/* Digits only, at most three: no sign, no wrap-around. */
		if (b->count == ROUTINE_PHASES_MAX || !letters ||
		    letters >= sizeof word || !digits || digits >= sizeof n)
			goto bad;
		snprintf(word, sizeof word, "%.*s", (int)letters, s);
		snprintf(n, sizeof n, "%.*s", (int)digits, num);
		int k = word_index(word, phase_words, 3);
		if (k < 0 || !parse_decimal(n, true, &secs) || secs < 1 ||
		    secs > 20)
			goto bad;
		b->phase[b->count] = phases[k];
		b->seconds[b->count++] = (int)secs;
		in |= phases[k] == BREATH_IN;
		out |= phases[k] == BREATH_OUT;
		s = skip_space(num + digits);
		if (*s == ',')
			s++;
		else if (*s)
			goto bad;
	}
	if (in && out)
		return true;
	diag_add(p->d, p->line,
		 "'breath' needs an 'in' and an 'out' phase, like "
		 "'in 4, out 4'");
	return false;
bad:
	diag_add(p->d, p->line,
		 "'breath' must be 'none' or up to %d phases like "
		 "'in 3, hold 2, out 4' (each 1 to 20 seconds), got '%s'",
		 ROUTINE_PHASES_MAX, v);
	return false;
}

static bool parse_cues(struct parser *p, const char *v, unsigned *out)
{
	static const char *const names[] = {
	    "exercise", "next", "get_ready", "halfway", "countdown", "end"};
	char copy[256];
	text_copy(copy, sizeof copy, v);
	*out = 0;
	char *save = NULL;
	for (char *w = strtok_r(copy, " ,", &save); w;
	     w = strtok_r(NULL, " ,", &save)) {
		int k = word_index(w, names, 6);
		if (!strcasecmp(w, "all"))
			*out |= CUE_ALL;
		else if (!strcasecmp(w, "none"))
			continue;
		else if (k >= 0)
			*out |= 1u << k;
		else {
			diag_add(p->d, p->line,
				 "unknown cue '%s' in 'cues'; known cues: "
				 "exercise next get_ready halfway countdown "
				 "end (or all, none)",
				 w);
			return false;
		}
	}
	return true;
}

static bool token_ok(const char *v)
{
	for (const char *s = v; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+.:",
			    *s))
			return false;
	return true;
}

static const char *find_file(struct parser *p, const char *v)
{
	char path[PATH_MAX];
	const char *dirs[] = {p->base_dir, p->assets_dir};
	struct stat st;
	/* v lives in inih's line buffer, which the next line overwrites:
	 * an absolute path is kept as a copy, like one found in a folder. */
	if (v[0] == '/')
		return stat(v, &st) == 0 && S_ISREG(st.st_mode) &&
			       st.st_size <= ROUTINE_PICTURE_MAX
			   ? arena_strdup(p, v)
			   : NULL;
	for (int i = 0; i < 2; i++) {
		if (!dirs[i])
			continue;
		int n = snprintf(path, sizeof path, "%s/%s", dirs[i], v);
		if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode) && st.st_size <= ROUTINE_PICTURE_MAX &&
		    access(path, R_OK) == 0)
			return arena_strdup(p, path);
	}
	return NULL;
}

static bool check_text(struct parser *p, const struct keydef *k,
		       const char *name, const char *v, size_t max)
{
	const char *bad;
	size_t n = utf8_chars(v);
	if (n == 0) {
		diag_add(p->d, p->line, "'%s' is empty", name);
		return false;
	}
	if (n > max) {
		diag_add(p->d, p->line,
			 "'%s' is %zu characters long, more than the %zu "
			 "that fit on screen: %s",
			 name, n, max,
			 k && k->type == T_NAME ? "shorten it"
						: "split it into two lines");
		return false;
	}
	if (k && k->type == T_NAME)
		return true;
	bool screen = p->sec == SEC_SCREEN;
	if (!text_template_ok(v, screen, &bad)) {
		diag_add(
		    p->d, p->line,
		    "'%s' has an unknown placeholder at '%.20s'; known: %s",
		    name, bad, text_placeholders(screen));
		return false;
	}
	return true;
}

static void add_line(struct parser *p, const char *name, struct lines *l,
		     const char *v)
{
	if (l->count == ROUTINE_LINES_MAX) {
		diag_add(p->d, p->line, "more than %d '%s' lines",
			 ROUTINE_LINES_MAX, name);
		return;
	}
	if (!l->line)
		l->line = arena(p, sizeof *l->line * ROUTINE_LINES_MAX);
	const char *copy = arena_strdup(p, v);
	if (l->line && copy)
		l->line[l->count++] = copy;
}

static void set_number(struct parser *p, const struct keydef *k, void *f,
		       const char *v)
{
	bool whole =
	    k->type == T_INT || k->type == T_WHOLE_SECONDS || k->type == T_MS;
	double x;
	if (!parse_decimal(v, whole, &x) || x < k->min || x > k->max) {
		const char *unit = k->type == T_INT  ? ""
				   : k->type == T_MS ? " milliseconds"
						     : " seconds";
		diag_add(p->d, p->line,
			 "'%s' must be a %snumber from %g to %g%s, got '%s'",
			 k->name, whole ? "whole " : "", k->min, k->max, unit,
			 v);
		return;
	}
	if (k->type == T_INT)
		*(int *)f = (int)x;
	else if (k->type == T_MS)
		*(kt_ms *)f = (kt_ms)x;
	else
		*(kt_ms *)f = (kt_ms)(x * 1000 + 0.5);
}

/* The kinds are the kind table's (routine.c); the message lists them
 * all: "hold, reps or free". */
static void set_kind(struct parser *p, const struct keydef *k, void *f,
		     const char *v)
{
	int i = kind_find(v);
	if (i >= 0) {
		*(enum exercise_kind *)f = (enum exercise_kind)i;
		p->kind_ok = true;
		return;
	}
	char all[128] = "";
	for (int n = 0; n < KIND_COUNT; n++)
		snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s",
			 n == 0		       ? ""
			 : n == KIND_COUNT - 1 ? " or "
					       : ", ",
			 routine_kind_name(n));
	diag_add(p->d, p->line, "'%s' must be %s, got '%s'", k->name, all, v);
}

static void set_value(struct parser *p, const struct keydef *k, void *base,
		      const char *v)
{
	static const char *const starts[] = {"auto", "button", "mat"};
	void *f = (char *)base + k->off;
	int i;
	bool b;
	switch (k->type) {
	case T_NAME:
	case T_TEXT:
		if (check_text(p, k, k->name, v,
			       k->type == T_NAME ? ROUTINE_NAME_MAX
						 : ROUTINE_TEXT_MAX))
			*(const char **)f = arena_strdup(p, v);
		break;
	case T_LINES:
		if (check_text(p, k, k->name, v, ROUTINE_TEXT_MAX))
			add_line(p, k->name, f, v);
		break;
	case T_INT:
	case T_SECONDS:
	case T_WHOLE_SECONDS:
	case T_MS:
		set_number(p, k, f, v);
		break;
	case T_BOOL:
		if (parse_bool(v, &b))
			*(bool *)f = b;
		else
			diag_add(p->d, p->line,
				 "'%s' must be yes or no, got '%s'", k->name,
				 v);
		break;
	case T_KIND:
		set_kind(p, k, f, v);
		break;
	case T_START:
		i = word_index(v, starts, 3);
		if (i >= 0)
			*(int *)f = i;
		else
			diag_add(p->d, p->line, "'%s' must be %s, got '%s'",
				 k->name, "auto, button or mat", v);
		break;
	case T_BREATH:
		/* A breath refused already needs no second message. */
		if (parse_breath(p, v, f) && !((struct breath *)f)->count)
			p->breath_line = p->line;
		break;
	case T_CUES:
		parse_cues(p, v, f);
		break;
	case T_WORD:
	case T_DEVICE: {
		size_t n = strlen(v);
		if (n < (size_t)k->min || n > (size_t)k->max ||
		    (k->type == T_WORD && !token_ok(v)))
			diag_add(p->d, p->line,
				 k->type == T_WORD
				     ? "'%s' must be %g to %g letters, "
				       "digits or - _ + . :, got '%s'"
				     : "'%s' must be %g to %g characters, "
				       "got '%s'",
				 k->name, k->min, k->max, v);
		else
			*(const char **)f = arena_strdup(p, v);
		break;
	}
	case T_LINE: {
		struct linespec spec;
		const char *why;
		if (linespec_parse(v, &spec, &why) < 0)
			diag_add(p->d, p->line,
				 "'%s' must be a line name like GPIO17, "
				 "CHIP:LINE like gpiochip0:17, or none; "
				 "got '%s': %s",
				 k->name, v, why);
		else
			*(const char **)f = arena_strdup(p, v);
		break;
	}
	case T_PATH: {
		if (!p->base_dir && !p->assets_dir)
			break; /* no folders to look in: shown without it */
		const char *found =
		    strlen(v) > ROUTINE_PATH_MAX ? NULL : find_file(p, v);
		if (found)
			*(const char **)f = found;
		else
			diag_add(p->d, p->line,
				 "illustration '%s' not found (looked in %s "
				 "and %s for a picture file of at most %d MiB)",
				 v, p->base_dir ? p->base_dir : "-",
				 p->assets_dir ? p->assets_dir : "-",
				 ROUTINE_PICTURE_MAX >> 20);
		break;
	}
	}
}

/* ---- sections ---- */

static size_t key_at(enum section sec, const char *name)
{
	size_t i = 0;
	while (i < KEY_COUNT - 1 &&
	       (keys[i].sec != sec || strcmp(keys[i].name, name)))
		i++;
	return i;
}

/* Progression is all or nothing: a step needs a maximum, and a maximum or
 * a pace without a step would do nothing, which is surely a mistake. The
 * start is the exercise's own seconds or reps, so the maximum is judged
 * against it and against the same limits. */
static void finish_progress(struct parser *p, struct exercise *x,
			    bool kind_known)
{
	struct progression *g = &x->progress;
	int step_line = p->key_line[key_at(SEC_EXERCISE, "progress_step")];
	int max_line = p->key_line[key_at(SEC_EXERCISE, "progress_max")];
	int every_line = p->key_line[key_at(SEC_EXERCISE, "progress_every")];
	if (!step_line) {
		if (max_line)
			diag_add(p->d, max_line,
				 "'progress_max' does nothing without "
				 "'progress_step' (how much to add each step)");
		if (every_line)
			diag_add(p->d, every_line,
				 "'progress_every' does nothing without "
				 "'progress_step' (how much to add each step)");
		return;
	}
	if (!max_line) {
		diag_add(p->d, step_line,
			 "'progress_step' needs 'progress_max', the most "
			 "this exercise may go up to");
		return;
	}
	if (!kind_known || !g->step || !g->max)
		return; /* a bad value, reported already */
	const struct keydef *unit_key =
	    &keys[key_at(SEC_EXERCISE, kind_def(x->kind)->unit_key)];
	int start = exercise_amount(x);
	int start_line = p->key_line[unit_key - keys];
	int limit = (int)unit_key->max;
	if (g->step > limit)
		diag_add(p->d, step_line,
			 "'progress_step' must be at most %d for kind = %s, "
			 "got %d",
			 limit, routine_kind_name(x->kind), g->step);
	if (g->max > limit)
		diag_add(p->d, max_line,
			 "'progress_max' must be at most %d for kind = %s "
			 "(the limit of '%s'), got %d",
			 limit, routine_kind_name(x->kind), unit_key->name,
			 g->max);
	else if (start && g->max < start)
		diag_add(p->d, max_line,
			 "'progress_max' is %d, less than where the exercise "
			 "starts: '%s' = %d on line %d",
			 g->max, unit_key->name, start, start_line);
	g->start = start;
}

/* At the end of an [exercise]: what is missing, and what its kind
 * does not use (the kind may be written after the keys it governs). */
static void finish_exercise(struct parser *p)
{
	struct exercise *x = p->ex;
	if (!x)
		return;
	p->ex = NULL;
	/* An invalid kind was reported already: judge nothing by it. */
	bool kind_known = p->kind_ok;
	const struct kind_def *kd = kind_def(x->kind);
	/* Unknown kind: nothing is judged to apply or to be needed. */
	unsigned uses = kind_known ? kd->uses : ~0u;
	unsigned needs = kind_known ? kd->needs : 0;
	if (kind_known && (needs & KEYS_BREATH) && x->breath.count == 0 &&
	    p->breath_line)
		diag_add(p->d, p->breath_line,
			 "kind = %s %s: 'breath' cannot be none", kd->name,
			 kd->breath_why);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct keydef *k = &keys[i];
		if (k->sec != SEC_EXERCISE)
			continue;
		if (p->key_line[i] && k->group && !(uses & k->group))
			diag_add(p->d, p->key_line[i],
				 "'%s' does not apply to kind = %s", k->name,
				 routine_kind_name(x->kind));
		else if (!p->key_line[i] && k->required)
			diag_add(p->d, p->sec_line,
				 "this [exercise] has no '%s'", k->name);
		else if (!p->key_line[i] && (needs & k->group))
			diag_add(p->d, p->sec_line,
				 "this [exercise] has no '%s', which kind = %s "
				 "needs",
				 k->name, routine_kind_name(x->kind));
	}
	finish_progress(p, x, kind_known);
}

static void begin_section(struct parser *p, const char *name)
{
	if (p->sec == SEC_EXERCISE)
		finish_exercise(p);
	memset(p->key_line, 0, sizeof p->key_line);
	p->kind_ok = false;
	p->breath_line = 0;
	p->sec_line = p->line;
	p->sec = SEC_UNKNOWN;
	for (int i = SEC_SETTINGS; i <= SEC_EXERCISE; i++)
		if (!strcasecmp(name, section_names[i]))
			p->sec = i;
	if (p->sec == SEC_UNKNOWN) {
		diag_add(p->d, p->line,
			 "unknown section [%s]; sections are [settings], "
			 "[phrases], [screen], [routine] and [exercise]",
			 name);
		return;
	}
	if (p->sec != SEC_EXERCISE) {
		if (p->first_line[p->sec]) {
			diag_add(p->d, p->line,
				 "[%s] appears twice (first on line %d)", name,
				 p->first_line[p->sec]);
			p->sec = SEC_UNKNOWN;
		} else {
			p->first_line[p->sec] = p->line;
		}
		return;
	}
	if (p->r->exercises == ROUTINE_EXERCISES_MAX) {
		diag_add(p->d, p->line, "more than %d exercises",
			 ROUTINE_EXERCISES_MAX);
		p->sec = SEC_UNKNOWN;
		return;
	}
	struct exercise *x = &p->r->exercise[p->r->exercises++];
	x->repeats = 1;
	x->rest = 10000;
	x->encourage_every = 15000;
	x->get_ready = -1;
	x->check_in = -1;
	x->progress.every = 1;
	x->line = p->line;
	p->ex = x;
}

static int unknown_key(struct parser *p, const char *name)
{
	const char *hint = closest_key(p->sec, name);
	if (hint)
		diag_add(p->d, p->line,
			 "unknown key '%s' in [%s] (did you mean '%s'?)", name,
			 section_names[p->sec], hint);
	else
		diag_add(p->d, p->line, "unknown key '%s' in [%s]", name,
			 section_names[p->sec]);
	return 1;
}

/* A key of [phrases] or [screen]: one text each, set at most once. 0 when
 * `name` is not one of them. */
static int set_text(struct parser *p, const char *name, const char *value)
{
	bool words = p->sec == SEC_SCREEN;
	int count = words ? WORD_COUNT : PHRASE_COUNT;
	int *line = words ? p->word_line : p->phrase_line;
	const char **out = words ? p->r->settings.word : p->r->settings.phrase;
	for (int i = 0; i < count; i++) {
		if (strcasecmp(name, words ? routine_word_key(i)
					   : routine_phrase_key(i)))
			continue;
		if (line[i])
			diag_add(p->d, p->line,
				 "'%s' is already set on line %d", name,
				 line[i]);
		else if (check_text(p, NULL, name, value, ROUTINE_TEXT_MAX))
			out[i] = arena_strdup(p, value);
		line[i] = p->line;
		return 1;
	}
	return 0;
}

/* Where the keys the red-flag rules weigh against each other were set
 * (check_redflags judges them once the whole file is read). */
static void note_redflags(struct parser *p, const char *name, const char *value)
{
	bool b;
	if (!parse_bool(value, &b))
		b = true; /* not a yes/no: reported by set_value */
	if (p->sec == SEC_ROUTINE && !strncasecmp(name, "redflags", 8))
		p->redflags_named = true;
	if (p->sec == SEC_ROUTINE && !strcasecmp(name, "redflags_screen"))
		p->redflags_off_line = b ? 0 : p->line;
	else if (p->sec == SEC_ROUTINE && !strcasecmp(name, "redflags_confirm"))
		p->redflags_confirm_line = b ? p->line : 0;
	else if (p->sec == SEC_SETTINGS && !strcasecmp(name, "button_line")) {
		struct linespec spec;
		const char *why;
		bool none = linespec_parse(value, &spec, &why) == 0 &&
			    spec.kind == LINESPEC_NONE;
		p->button_none_line = none ? p->line : 0;
	}
}

static int on_value(void *user, const char *section, const char *name,
		    const char *value)
{
	struct parser *p = user;
	(void)section; /* read_line tracks sections, with line numbers */
	if (p->line_bad || p->sec == SEC_UNKNOWN)
		return 1;
	if (p->sec == SEC_NONE) {
		diag_add(p->d, p->line,
			 "'%s' comes before any [section] header", name);
		return 1;
	}
	if (p->sec == SEC_PHRASES || p->sec == SEC_SCREEN)
		return set_text(p, name, value) || unknown_key(p, name);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct keydef *k = &keys[i];
		if (k->sec != p->sec || strcasecmp(k->name, name))
			continue;
		if (p->key_line[i] && k->type != T_LINES) {
			diag_add(p->d, p->line,
				 "'%s' is already set on line %d%s", name,
				 p->key_line[i],
				 p->sec == SEC_EXERCISE
				     ? " (start each exercise with its "
				       "own [exercise] line)"
				     : "");
			return 1;
		}
		p->key_line[i] = p->line;
		if (p->sec == SEC_ROUTINE && !strcasecmp(name, "name"))
			p->routine_name_line = p->line;
		note_redflags(p, name, value);
		/* Whether the voice exists is for the speech engine to say,
		 * later; keep the line its message will point at. */
		if (p->sec == SEC_SETTINGS &&
		    (!strcasecmp(name, "voice") ||
		     !strcasecmp(name, "language")) &&
		    *value)
			p->r->settings.voice_line = p->line;
		void *base = p->sec == SEC_SETTINGS  ? (void *)&p->r->settings
			     : p->sec == SEC_ROUTINE ? (void *)p->r
						     : (void *)p->ex;
		if (!*value && !k->optional_empty)
			diag_add(p->d, p->line, "'%s' has no value", name);
		else
			set_value(p, k, base, value);
		return 1;
	}
	return unknown_key(p, name);
}

/* ---- the reader: lines for inih, with their numbers ---- */

/* Mirror inih's reading of one line, enough to see sections and lines it
 * would reject; everything else is left to inih and on_value. */
static void classify(struct parser *p, const char *line)
{
	const char *s = line;
	if (p->line == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	bool indented = *s == ' ' || *s == '\t';
	s = skip_space(s);
	if (!*s || *s == '\n' || *s == ';' || *s == '#')
		return;
	if (indented && p->have_key) {
		size_t word = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
		if (*s == '[' || (word && *skip_space(s + word) == '='))
			diag_add(p->d, p->line,
				 "this indented line would be read as more "
				 "text for the key above: remove the spaces at "
				 "the start of the line");
		else
			diag_warn(p->d, p->line,
				  "this line starts with a space or a tab, so "
				  "it is joined to the key on line %d as one "
				  "more line of it; if it is a line of its "
				  "own, remove the spaces at the start",
				  p->last_key_line);
		return;
	}
	if (*s == '[') {
		const char *end = strchr(s, ']');
		p->have_key = false;
		if (!end) {
			diag_add(p->d, p->line,
				 "section header has no closing ']'");
			p->sec = SEC_UNKNOWN;
			p->line_bad = true;
			return;
		}
		char name[32];
		const char *a = skip_space(s + 1);
		size_t n = (size_t)(end - a);
		while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
			n--;
		snprintf(name, sizeof name, "%.*s", (int)n, a);
		begin_section(p, name);
		return;
	}
	if (!strpbrk(s, "=:")) {
		diag_add(p->d, p->line,
			 "expected 'key = value', a [section] header or a "
			 "comment");
		p->line_bad = true;
		return;
	}
	p->have_key = true;
	p->last_key_line = p->line;
}

static char *read_line(char *buf, int num, void *stream)
{
	struct parser *p = stream;
	/* Past DIAGS_MAX errors the file is still read to its end (at most
	 * CONFIG_FILE_MAX), so "N more errors not shown" can say N. */
	if (p->pos >= p->len || num < 4)
		return NULL;
	const char *start = p->text + p->pos;
	const char *nl = memchr(start, '\n', p->len - p->pos);
	size_t body = nl ? (size_t)(nl - start) : p->len - p->pos;
	p->pos += body + (nl != NULL);
	p->line++;
	p->line_bad = false;
	if (body && start[body - 1] == '\r')
		body--;
	/* inih needs room for "\r\n\0" besides the text (see ini.h). */
	size_t room = (size_t)num - 3;
	if (memchr(start, '\0', body)) {
		diag_add(p->d, p->line, "line contains a NUL byte");
		p->line_bad = true;
	} else if (body > room) {
		diag_add(p->d, p->line,
			 "line is %zu bytes long, more than the %zu a line "
			 "may have: split the text into two lines",
			 body, room);
		p->line_bad = true;
	} else if (!text_is_clean_utf8(start, body)) {
		diag_add(p->d, p->line,
			 "line is not plain UTF-8 text (a control character "
			 "or an invalid byte)");
		p->line_bad = true;
	}
	if (p->line_bad) {
		strcpy(buf, "\n"); /* inih sees a blank line */
		return buf;
	}
	memcpy(buf, start, body);
	buf[body] = '\n';
	buf[body + 1] = '\0';
	classify(p, buf);
	if (p->line_bad)
		strcpy(buf, "\n");
	return buf;
}

/* ---- characters the screen's font can draw ---- */

/* Keys whose values are never drawn on the screen (names of things, not
 * words for people). */
static bool value_is_drawn(const char *key, size_t n)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		enum type t = keys[i].type;
		if ((t == T_WORD || t == T_LINE || t == T_DEVICE ||
		     t == T_PATH) &&
		    strlen(keys[i].name) == n &&
		    !strncasecmp(keys[i].name, key, n))
			return false;
	}
	return true;
}

/* One UTF-8 character at *s (which is not NUL); 0 for a broken one
 * (reported by the loader already), one byte skipped. */
static uint32_t next_char(const char **s)
{
	const unsigned char *u = (const unsigned char *)*s;
	int more = u[0] < 0x80 ? 0 : u[0] >= 0xF0 ? 3 : u[0] >= 0xE0 ? 2
		   : u[0] >= 0xC0 ? 1 : -1;
	if (more < 0) { /* a continuation byte where a character starts */
		(*s)++;
		return 0;
	}
	uint32_t c = more == 0 ? u[0] : u[0] & (0x3Fu >> more);
	for (int i = 1; i <= more; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			(*s)++;
			return 0;
		}
		c = c << 6 | (u[i] & 0x3F);
	}
	*s += 1 + more;
	return c;
}

/* The text of one line as inih hands it on: what follows "key =" (or the
 * whole of an indented line), up to an inline " ;" comment. */
static void check_line_glyphs(const char *line, int num,
			      const struct config_glyphs *g, struct diags *d)
{
	bool indented = *line == ' ' || *line == '\t';
	const char *s = skip_space(line);
	if (!*s || *s == '#' || *s == ';' || *s == '[')
		return;
	if (!indented) {
		size_t key = strcspn(s, "=:");
		if (!s[key])
			return;
		size_t n = key;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!value_is_drawn(s, n))
			return;
		s += key + 1;
	}
	char list[200] = "";
	size_t used = 0;
	int missing = 0;
	for (const char *c = s; *c;) {
		if (*c == ';' && c > s && (c[-1] == ' ' || c[-1] == '\t'))
			break;
		const char *at = c;
		uint32_t ch = next_char(&c);
		if (ch < 0x20 || g->has(g->ctx, ch))
			continue;
		char one[32];
		int n = snprintf(one, sizeof one, "'%.*s' (U+%04X)",
				 (int)(c - at), at, (unsigned)ch);
		if (strstr(list, one) || used + (size_t)n + 3 >= sizeof list)
			continue; /* named once is enough */
		used += (size_t)snprintf(list + used, sizeof list - used,
					 "%s%s", missing++ ? ", " : "", one);
	}
	if (missing)
		diag_add(d, num,
			 "the screen's font cannot draw %s: %s would show as "
			 "an empty box; write the text without %s",
			 list, missing == 1 ? "it" : "each",
			 missing == 1 ? "it" : "them");
}

void config_check_glyphs(const char *text, size_t len,
			 const struct config_glyphs *g, struct diags *d)
{
	if (!g || !g->has)
		return;
	char line[ROUTINE_TEXT_BYTES * 2 + 64];
	int num = 0;
	for (size_t pos = 0; pos < len;) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl != NULL);
		num++;
		if (n && start[n - 1] == '\r')
			n--;
		if (n >= sizeof line || !text_is_clean_utf8(start, n))
			continue; /* refused by the loader already */
		memcpy(line, start, n);
		line[n] = '\0';
		const char *l = line;
		if (num == 1 && !strncmp(l, "\xEF\xBB\xBF", 3))
			l += 3;
		check_line_glyphs(l, num, g, d);
	}
}

/* ---- loading ---- */

/* A file written before the red-flag screen existed names none of its
 * keys: it gets the built-in routine's lines (in English), so the screen
 * is never lost and a routine that worked goes on working. */
static void builtin_redflags(struct parser *p)
{
	size_t len;
	const char *text = config_builtin(&len);
	struct diags d;
	diag_init(&d, "built-in routine");
	struct routine *b =
	    config_load_text(text, len, NULL, p->assets_dir, &d);
	for (int i = 0; b && i < b->redflags.count; i++)
		add_line(p, "redflags", &p->r->redflags, b->redflags.line[i]);
	p->r->redflags_builtin = b != NULL;
	routine_free(b);
	diag_free(&d);
}

/* The red-flag screen is there unless the file turns it off in so many
 * words. A file that names the screen's keys but has no lines (they were
 * deleted) is refused rather than quietly run without it; a press nobody
 * can give is refused too. */
static void check_redflags(struct parser *p)
{
	struct routine *r = p->r;
	if (!p->first_line[SEC_ROUTINE])
		return; /* reported as a missing [routine] already */
	if (p->redflags_off_line) {
		if (p->redflags_confirm_line)
			diag_add(p->d, p->redflags_confirm_line,
				 "'redflags_confirm' does nothing: the "
				 "red-flag screen is off (line %d)",
				 p->redflags_off_line);
		return;
	}
	if (!r->redflags.count && !p->redflags_named)
		builtin_redflags(p);
	if (!r->redflags.count)
		diag_add(
		    p->d, p->first_line[SEC_ROUTINE],
		    "[routine] has no 'redflags' lines, which say who should "
		    "not start: write them in this routine's language "
		    "(kiosk --print-config has the English ones), or turn "
		    "the screen off on purpose: 'redflags_screen = off'");
	if (p->redflags_confirm_line && p->button_none_line)
		diag_add(p->d, p->redflags_confirm_line,
			 "'redflags_confirm = yes' needs the button, but "
			 "'button_line = none' (line %d): with only the mat "
			 "nobody could confirm",
			 p->button_none_line);
}

/* Progression and the session record count exercises by name, so two
 * exercises with one name would share one count. */
static void check_names(struct parser *p)
{
	const struct routine *r = p->r;
	for (int i = 1; i < r->exercises; i++)
		for (int j = 0; j < i; j++)
			if (r->exercise[i].name && r->exercise[j].name &&
			    !strcasecmp(r->exercise[i].name,
					r->exercise[j].name)) {
				diag_add(p->d, r->exercise[i].line,
					 "this [exercise] is called '%s', like "
					 "the one on line %d: give each "
					 "exercise its own name (progress and "
					 "the session record go by name)",
					 r->exercise[i].name,
					 r->exercise[j].line);
				break;
			}
}

static void check_whole(struct parser *p)
{
	struct routine *r = p->r;
	int last = p->line > 0 ? p->line : 1;
	if (!p->first_line[SEC_ROUTINE])
		diag_add(p->d, last,
			 "no [routine] section: add one with at least "
			 "'name = ...'");
	else if (!p->routine_name_line)
		diag_add(p->d, p->first_line[SEC_ROUTINE],
			 "[routine] has no 'name'");
	if (r->exercises == 0)
		diag_add(p->d, last,
			 "the routine has no exercises: add at least one "
			 "[exercise] section");
	check_redflags(p);
	check_names(p);
	for (int i = 0; i < r->exercises; i++)
		if (r->exercise[i].get_ready < 0)
			r->exercise[i].get_ready = r->settings.get_ready;
	for (int i = 0; i < r->exercises; i++)
		if (r->exercise[i].check_in < 0)
			r->exercise[i].check_in = r->settings.check_in;
}

static struct routine *load_text(const char *text, size_t len,
				  const char *base_dir, const char *assets_dir,
				  struct diags *d, bool partial)
{
	struct routine *r = calloc(1, sizeof *r);
	if (!r) {
		diag_add(d, 0, "out of memory");
		return NULL;
	}
	struct parser p = {
	    .d = d,
	    .r = r,
	    .base_dir = base_dir,
	    .assets_dir = assets_dir,
	    .text = text,
	    .len = len,
	};
	routine_settings_defaults(&r->settings);
	r->redflags_screen = true;
	r->exercise = arena(&p, sizeof *r->exercise * ROUTINE_EXERCISES_MAX);
	if (r->exercise) {
		ini_parse_stream(read_line, &p, on_value, &p);
		if (p.sec == SEC_EXERCISE)
			finish_exercise(&p);
		check_whole(&p);
	}
	if (diag_errors(d) && !partial) {
		routine_free(r);
		return NULL;
	}
	return r;
}

struct routine *config_load_text(const char *text, size_t len,
				 const char *base_dir, const char *assets_dir,
				 struct diags *d)
{
	return load_text(text, len, base_dir, assets_dir, d, false);
}

static struct routine *load_file(const char *path, const char *assets_dir,
				 struct diags *d, char **text_out,
				 size_t *len_out)
{
	struct routine *r = NULL;
	char *dir = NULL, why[READFILE_WHY];
	size_t len;
	char *text = readfile_all(path, CONFIG_FILE_MAX, &len, why);
	if (!text) {
		diag_add(d, 0, "%s%s", why,
			 errno == EFBIG ? ": is this a routine file?" : "");
		return NULL;
	}
	dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	r = load_text(text, len, slash ? dir : ".", assets_dir, d,
		      text_out != NULL);
	free(dir);
	if (text_out)
		*text_out = text, *len_out = len;
	else
		free(text);
	return r;
}

struct routine *config_load_file(const char *path, const char *assets_dir,
				 struct diags *d)
{
	return load_file(path, assets_dir, d, NULL, NULL);
}

struct routine *config_check_file(const char *path, const char *assets_dir,
				  struct diags *d, char **text, size_t *len)
{
	*text = NULL;
	*len = 0;
	return load_file(path, assets_dir, d, text, len);
}

struct routine *config_check_text(const char *text, size_t len,
				  const char *assets_dir, struct diags *d)
{
	return load_text(text, len, NULL, assets_dir, d, true);
}

extern const char kiosk_builtin_conf[], kiosk_builtin_conf_end[];

const char *config_builtin(size_t *len)
{
	*len = (size_t)(kiosk_builtin_conf_end - kiosk_builtin_conf);
	return kiosk_builtin_conf;
}
