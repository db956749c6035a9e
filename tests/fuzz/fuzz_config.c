/*
 * fuzz_config.c - libFuzzer target for the routine file reader: any bytes
 * through config_load_text, the parser and the validator together.
 *
 * Crashes and sanitizer reports are not the only failures: config.h
 * promises that a routine comes back only when every check passed, so an
 * accepted routine is walked field by field and every promise the engine
 * relies on is checked here (lengths, counts, ranges, known placeholders,
 * kind-specific keys). A broken promise aborts, which libFuzzer records as
 * a crash like any other. Numbers are checked against the text too: a
 * value that wrapped (breath = in 4294967297 read as 1) lands in range,
 * so every number written in an accepted file must itself be digits only
 * and within the largest limit any key has.
 *
 * The input is read as if it were one of the shipped examples: beside it
 * is assets/examples, and the asset folder is assets (relative to the top
 * of the tree, where make fuzz runs; $KIOSK_FUZZ_ASSETS overrides it), so
 * illustrations are found both ways. An input that passes is read again
 * with no folders at all, the built-in routine's fallback. Every input is
 * also read as kiosk --check reads it (check_mode).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "linespec.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *assets_dir = "assets";
static char base_dir[4096];
static FILE *null_out;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_config: broken promise: %s\n",   \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *env = getenv("KIOSK_FUZZ_ASSETS");
	struct stat st;
	if (env)
		assets_dir = env;
	snprintf(base_dir, sizeof base_dir, "%s/examples", assets_dir);
	/* Without the pictures every illustration is "not found" and the
	 * paths that accept one go untested: say so rather than fuzz less. */
	if (stat(base_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr,
			"fuzz_config: no asset folder '%s': run from the top "
			"of the tree or set KIOSK_FUZZ_ASSETS\n",
			assets_dir);
		exit(2);
	}
	/* Diagnostics are printed too, as --check would, but to nowhere. */
	null_out = fopen("/dev/null", "w");
	if (!null_out)
		exit(2);
	return 0;
}

/* A text the loader accepted: clean, within its length, and (unless it is
 * a name) with known placeholders only. Formatting it must stay inside a
 * buffer the size the engine uses. */
static void check_text(const char *s, size_t max_chars, bool tmpl, bool screen)
{
	CHECK(s != NULL);
	size_t bytes = strlen(s), chars = 0;
	CHECK(text_is_clean_utf8(s, bytes));
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	CHECK(chars >= 1 && chars <= max_chars);
	if (!tmpl)
		return;
	const char *bad = NULL;
	CHECK(text_template_ok(s, screen, &bad));
	char out[ROUTINE_TEXT_BYTES];
	struct text_args a = {.n = 12,
			      .total = 32,
			      .name = "Forearms on the wall",
			      .repeat = 2,
			      .repeats = 20,
			      .minutes = 125,
			      .rep = 200,
			      .reps = 200,
			      .seconds = 3600,
			      .exercises = 32,
			      .time = "125:00"};
	text_format(out, sizeof out, s, &a);
	CHECK(text_speech_estimate(s, 80) > 0);
}

static void check_lines(const struct lines *l, bool required)
{
	CHECK(l->count >= (required ? 1 : 0));
	CHECK(l->count <= ROUTINE_LINES_MAX);
	CHECK(l->count == 0 || l->line != NULL);
	for (int i = 0; i < l->count; i++)
		check_text(l->line[i], ROUTINE_TEXT_MAX, true, false);
}

static void check_token(const char *s, size_t min, size_t max)
{
	CHECK(s != NULL);
	size_t n = strlen(s);
	CHECK(n >= min && n <= max);
	CHECK(text_is_clean_utf8(s, n));
}

static void check_exercise(const struct exercise *x)
{
	check_text(x->name, ROUTINE_NAME_MAX, false, false);
	check_lines(&x->say, true);
	check_lines(&x->caution, false);
	check_lines(&x->between, false);
	check_lines(&x->encourage, false);
	CHECK(x->kind >= KIND_HOLD && x->kind <= KIND_FREE);
	CHECK(x->start >= START_AUTO && x->start <= START_MAT);
	if (x->illustration) {
		struct stat st;
		CHECK(strlen(x->illustration) < 4096);
		CHECK(stat(x->illustration, &st) == 0 && S_ISREG(st.st_mode));
	}
	CHECK(x->breath.count >= 0 && x->breath.count <= ROUTINE_PHASES_MAX);
	bool in = false, out = false;
	for (int i = 0; i < x->breath.count; i++) {
		CHECK(x->breath.phase[i] >= BREATH_IN &&
		      x->breath.phase[i] <= BREATH_OUT);
		CHECK(x->breath.seconds[i] >= 1 && x->breath.seconds[i] <= 20);
		in |= x->breath.phase[i] == BREATH_IN;
		out |= x->breath.phase[i] == BREATH_OUT;
	}
	CHECK(x->breath.count == 0 || (in && out));
	switch (x->kind) {
	case KIND_HOLD:
	case KIND_FREE:
		CHECK(x->seconds >= 5000 && x->seconds <= 3600000);
		CHECK(x->reps == 0);
		break;
	case KIND_REPS:
		CHECK(x->reps >= 1 && x->reps <= 200);
		CHECK(x->breath.count >= 1);
		CHECK(x->seconds == 0);
		break;
	}
	for (int i = 0; i < 4; i++) {
		CHECK(x->kind == KIND_REPS || !x->cue[i]);
		if (x->cue[i])
			check_text(x->cue[i], ROUTINE_TEXT_MAX, true, false);
	}
	CHECK(x->kind == KIND_FREE || x->encourage.count == 0);
	CHECK(x->encourage_every >= 5000 && x->encourage_every <= 600000);
	CHECK(x->repeats >= 1 && x->repeats <= 20);
	CHECK(x->rest >= 0 && x->rest <= 600000);
	CHECK(x->get_ready >= 0 && x->get_ready <= 60000);
	/* Progression: off, or whole from its start up to a maximum within
	 * the limits of the value it changes. */
	const struct progression *g = &x->progress;
	int start = x->kind == KIND_REPS ? x->reps : (int)(x->seconds / 1000);
	int limit = x->kind == KIND_REPS ? 200 : 3600;
	CHECK(g->every >= 1 && g->every <= 100);
	if (g->step == 0) {
		CHECK(g->max == 0 && g->start == 0 && g->every == 1);
	} else {
		CHECK(g->step >= 1 && g->step <= limit);
		CHECK(g->start == start);
		CHECK(g->max >= start && g->max <= limit);
	}
	CHECK(x->line >= 1);
}

static void check_routine(const struct routine *r)
{
	const struct settings *s = &r->settings;
	check_text(r->name, ROUTINE_NAME_MAX, false, false);
	check_lines(&r->intro, false);
	check_lines(&r->safety, false);
	check_lines(&r->safety_mat, false);
	check_lines(&r->outro, false);
	CHECK(r->exercises >= 1 && r->exercises <= ROUTINE_EXERCISES_MAX);
	CHECK(r->exercise != NULL);
	for (int i = 0; i < r->exercises; i++)
		check_exercise(&r->exercise[i]);

	check_token(s->language, 1, 32);
	check_token(s->voice, 0, 64);
	check_token(s->audio_device, 1, 100);
	/* The GPIO adapter opens what linespec_parse makes of these. */
	struct linespec spec;
	const char *why;
	check_token(s->input[LINE_BUTTON].line, 0, 100);
	check_token(s->input[LINE_MAT].line, 0, 100);
	CHECK(linespec_parse(s->input[LINE_BUTTON].line, &spec, &why) == 0);
	CHECK(linespec_parse(s->input[LINE_MAT].line, &spec, &why) == 0);
	CHECK(s->rate >= 80 && s->rate <= 450);
	CHECK(s->pitch >= 0 && s->pitch <= 99);
	CHECK(s->volume >= 0 && s->volume <= 100);
	CHECK(s->voice_line >= 0);
	CHECK(s->long_press >= 500 && s->long_press <= 10000);
	CHECK(s->input[LINE_BUTTON].debounce >= 5 &&
	      s->input[LINE_BUTTON].debounce <= 500);
	CHECK(s->input[LINE_MAT].debounce >= 5 &&
	      s->input[LINE_MAT].debounce <= 2000);
	CHECK(s->start_timeout >= 10000 && s->start_timeout <= 3600000);
	CHECK(s->pause_timeout >= 10000 && s->pause_timeout <= 7200000);
	CHECK(s->get_ready >= 0 && s->get_ready <= 60000);
	CHECK(s->done_time >= 3000 && s->done_time <= 600000);
	CHECK(s->countdown >= 0 && s->countdown <= 10);
	CHECK((s->cues & ~(unsigned)CUE_ALL) == 0);
	CHECK(s->frame_rate >= 5 && s->frame_rate <= 60);
	for (int i = 0; i < PHRASE_COUNT; i++)
		check_text(s->phrase[i], ROUTINE_TEXT_MAX, true, false);
	for (int i = 0; i < WORD_COUNT; i++)
		check_text(s->word[i], ROUTINE_TEXT_MAX, true, true);
}

/* Keys whose values are numbers, and the largest limit of any of them
 * (pause_timeout: 7200 seconds). */
static const char *const number_keys[] = {
    "rate",	 "pitch",	    "volume",	       "long_press",
    "button_debounce_ms", "mat_debounce_ms", "start_timeout", "pause_timeout",
    "get_ready", "countdown",	    "done_time",       "frame_rate",
    "seconds",	 "reps",	    "encourage_every", "repeats",
    "rest",	 "progress_step",   "progress_max",    "progress_every",
};
#define NUMBER_LIMIT 7200.0L

/* Each number in v: digits only (no sign), and no larger than `limit`
 * read exactly (no wrap). */
static void check_numbers_in(const char *v, size_t n, long double limit)
{
	char buf[1024];
	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		CHECK(buf[i] != '+' && buf[i] != '-');
		if (isdigit((unsigned char)buf[i]) &&
		    (i == 0 || !isdigit((unsigned char)buf[i - 1])))
			CHECK(strtold(buf + i, NULL) <= limit);
	}
}

/* Every numeric key and every breath in the accepted text, as written:
 * in [settings] and [exercise] only (elsewhere such names are text keys,
 * [screen] rest for one), and up to an inline comment (" ;"), which
 * libinih drops. */
static void check_numbers(const char *text, size_t size)
{
	bool numbers = false;
	for (size_t pos = 0; pos < size;) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;
		pos += len + 1;
		size_t skip = 0;
		while (skip < len && isspace((unsigned char)line[skip]))
			skip++;
		if (skip < len && line[skip] == '[') {
			const char *name = line + skip + 1;
			size_t n = len - skip - 1;
			while (n && isspace((unsigned char)*name))
				name++, n--;
			numbers = (n >= 8 && !strncasecmp(name, "settings", 8)) ||
				  (n >= 8 && !strncasecmp(name, "exercise", 8));
			continue;
		}
		/* libinih splits at the first '=' or ':'. */
		const char *eq = memchr(line, '=', len);
		const char *colon = memchr(line, ':', len);
		if (colon && (!eq || colon < eq))
			eq = colon;
		if (!numbers || !eq)
			continue;
		size_t klen = (size_t)(eq - line);
		while (klen > skip && isspace((unsigned char)line[klen - 1]))
			klen--;
		char key[32];
		if (klen - skip >= sizeof key)
			continue;
		snprintf(key, sizeof key, "%.*s", (int)(klen - skip),
			 line + skip);
		const char *v = eq + 1;
		size_t vlen = len - (size_t)(v - line);
		for (size_t i = 1; i < vlen; i++)
			if (v[i] == ';' && (v[i - 1] == ' ' || v[i - 1] == '\t'))
				vlen = i;
		if (!strcasecmp(key, "breath"))
			check_numbers_in(v, vlen, 20);
		for (size_t i = 0;
		     i < sizeof number_keys / sizeof *number_keys; i++)
			if (!strcasecmp(key, number_keys[i]))
				check_numbers_in(v, vlen, NUMBER_LIMIT);
	}
}

/* What every call must leave: a routine exactly when there is nothing to
 * say, and messages that point into the file. */
static struct routine *load(const char *text, size_t size, const char *base,
			    const char *assets)
{
	struct diags d;
	diag_init(&d, "fuzz.conf");
	struct routine *r = config_load_text(text, size, base, assets, &d);
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	CHECK(d.count >= 0 && d.count <= DIAGS_MAX);
	CHECK((r != NULL) == (d.count == 0 && d.dropped == 0));
	for (int i = 0; i < d.count; i++) {
		CHECK(d.item[i].message && *d.item[i].message);
		CHECK(d.item[i].line >= 0 && (size_t)d.item[i].line <= lines);
	}
	diag_print(&d, null_out);
	diag_free(&d);
	if (r) {
		check_routine(r);
		check_numbers(text, size);
	}
	return r;
}

/* A made-up font for the scan: Latin-1 only, so most inputs have some
 * characters it lacks. */
static bool latin1(void *ctx, uint32_t ch)
{
	(void)ctx;
	return ch < 0x100;
}

/* kiosk --check's reading: the routine comes back even with errors (never
 * to run: only freed here), warnings are counted apart, and the scan for
 * characters the font lacks stays inside the text and points into it. */
static void check_mode(const char *text, size_t size)
{
	struct diags d;
	diag_init(&d, "fuzz.conf");
	d.want_warnings = true;
	struct routine *r = config_check_text(text, size, assets_dir, &d);
	struct config_glyphs g = {latin1, NULL};
	config_check_glyphs(text, size, &g, &d);
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	CHECK(d.warnings >= 0 && d.warnings <= d.count);
	for (int i = 0; i < d.count; i++)
		CHECK(d.item[i].line >= 0 && (size_t)d.item[i].line <= lines);
	diag_print(&d, null_out);
	diag_free(&d);
	routine_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The bytes exactly as given, not NUL-terminated: a read past the
	 * end is the sanitizer's to catch. */
	const char *text = (const char *)data;
	struct routine *r = load(text, size, base_dir, assets_dir);
	/* With no folders only a check goes (illustrations are skipped), so
	 * what passed must pass again. Only then is it worth the time: most
	 * inputs fail, and they would fail the same way twice. */
	if (r) {
		struct routine *without = load(text, size, NULL, NULL);
		CHECK(without != NULL);
		routine_free(without);
	}
	routine_free(r);
	check_mode(text, size);
	return 0;
}
