/*
 * e2e_content.c - what the shipped routines say, as a person hears it:
 * the built-in routine and the examples (German, Spanish, home) run on the
 * virtual clock, judged by their event record (issue 16). The first
 * screen is short enough to take in, every encouragement is heard, no
 * routine promises growth it does not deliver, each exercise carries its
 * cautions in every language, and the home routine offers cat-cow by the
 * articles' 24 to 40 repetitions. Run from the top of the tree, with
 * $KIOSK naming the binary (make test sets it).
 */
#include "testutil.h"

#include "config.h"

#define OUT "build/e2e-content"

/* The spoken first screen (intro and safety lines, from the session's
 * start to the red-flag screen) may take this long: "about 20 seconds",
 * with the room a translation needs. */
#define FIRST_SCREEN_MAX_MS 25000

/* NULL: the built-in routine. */
static const char *const routines[] = {
    NULL,
    "assets/examples/kiosk-de.conf",
    "assets/examples/kiosk-es.conf",
    "assets/examples/kiosk-home.conf",
};
#define ROUTINES (sizeof routines / sizeof *routines)

static const char *label(const char *conf)
{
	return conf ? conf : CONFIG_BUILTIN_NAME;
}

static struct routine *load(const char *conf)
{
	struct diags d;
	size_t len;
	const char *text = config_builtin(&len);
	diag_init(&d, label(conf));
	struct routine *r = conf ? config_load_file(conf, "assets", &d)
				 : config_load_text(text, len, NULL, "assets",
						    &d);
	diag_print(&d, stderr);
	assert_non_null(r);
	diag_free(&d);
	return r;
}

/* A whole session, lying down at once (mat starts it, mat parts start by
 * themselves); the record's lines come back. */
static char **session(const char *conf, int i, char **buf)
{
	char cmd[1024], config[300] = "";
	run("mkdir -p " OUT);
	write_file(OUT "/mat.script", "0 mat on\n");
	if (conf)
		snprintf(config, sizeof config, "--config %s", conf);
	snprintf(cmd, sizeof cmd,
		 "%s %s --assets assets --input script:" OUT "/mat.script "
		 "--clock virtual --video none --audio none --events " OUT
		 "/%d.jsonl --exit-after-session 2>" OUT "/%d.stderr",
		 kiosk(), config, i, i);
	assert_int_equal(run(cmd), 0);
	snprintf(cmd, sizeof cmd, OUT "/%d.jsonl", i);
	return read_lines(cmd, buf);
}

static bool said(char **lines, const char *text)
{
	for (; *lines; lines++)
		if (json_is(*lines, "type", "say") &&
		    json_is(*lines, "text", text))
			return true;
	return false;
}

static long state_at(char **lines, const char *state)
{
	for (; *lines; lines++)
		if (json_is(*lines, "type", "state") &&
		    json_is(*lines, "state", state))
			return json_ms(*lines);
	return -1;
}

/* The first screen of a session (welcome and safety words) is read and
 * heard in about 20 seconds, in every language shipped. */
static void test_first_screen_is_short(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTINES; i++) {
		char *buf;
		char **lines = session(routines[i], (int)i, &buf);
		long from = state_at(lines, "safety");
		long to = state_at(lines, "redflags");
		assert_true(from >= 0 && to > from);
		printf("%s: first screen %.1f s\n", label(routines[i]),
		       (to - from) / 1000.0);
		assert_true(to - from <= FIRST_SCREEN_MAX_MS);
		free(lines), free(buf);
	}
}

/* Every line of encouragement of a free part is heard at least once
 * (the ball's third used to fall after the part had ended). */
static void test_every_encouragement_is_heard(void **state)
{
	(void)state;
	for (size_t i = 0; i < ROUTINES; i++) {
		struct routine *r = load(routines[i]);
		char *buf;
		char **lines = session(routines[i], (int)i, &buf);
		int free_parts = 0;
		for (int x = 0; x < r->exercises; x++) {
			const struct lines *e = &r->exercise[x].encourage;
			free_parts += e->count > 0;
			for (int k = 0; k < e->count; k++)
				if (!said(lines, e->line[k]))
					fail_msg("%s: '%s' is never said",
						 label(routines[i]),
						 e->line[k]);
		}
		assert_true(free_parts >= 1);
		free(lines), free(buf);
		routine_free(r);
	}
}

/* A routine speaks of building up to five minutes only where the hold
 * does grow (progress_step set). */
static void test_no_promise_without_progression(void **state)
{
	(void)state;
	static const char *const promise[] = {"five minutes", "fünf Minuten",
					      "cinco minutos"};
	for (size_t i = 0; i < ROUTINES; i++) {
		struct routine *r = load(routines[i]);
		for (int x = 0; x < r->exercises; x++) {
			const struct exercise *e = &r->exercise[x];
			const struct lines *all[] = {&e->say, &e->caution,
						     &e->between};
			for (size_t l = 0; l < 3; l++)
				for (int k = 0; k < all[l]->count; k++)
					for (size_t p = 0; p < 3; p++)
						if (strstr(all[l]->line[k],
							   promise[p]) &&
						    !e->progress.step)
							fail_msg(
							    "%s: '%s' promises "
							    "growth, but '%s' "
							    "never grows",
							    label(routines[i]),
							    all[l]->line[k],
							    e->name);
		}
		routine_free(r);
	}
}

/* The cautions of the articles, in the built-in routine's words: who
 * should ask first, when to stop, and each exercise's own. The German
 * and Spanish examples carry as many, exercise by exercise. */
static void test_cautions_of_the_articles(void **state)
{
	(void)state;
	struct routine *en = load(NULL);
	char safety[2048] = "", flags[2048] = "";
	for (int k = 0; k < en->safety.count; k++)
		strcat(strcat(safety, en->safety.line[k]), " ");
	for (int k = 0; k < en->redflags.count; k++)
		strcat(strcat(flags, en->redflags.line[k]), " ");
	assert_non_null(strstr(safety, "Ask a health professional first"));
	assert_non_null(strstr(safety, "any symptom gets worse, stop"));
	assert_non_null(strstr(flags, "tingling"));
	assert_non_null(strstr(flags, "surgery on your spine"));
	static const struct {
		const char *exercise, *words;
	} want[] = {
	    {"Foam roller back extension", "Sit down slowly"},
	    {"Foam roller back extension", "stop at once"},
	    {"Ball against the wall", "Ease off if it hurts"},
	    {"Cat-cow", "Get down slowly"},
	    {"Spinal wedge", "tingling or numbness"},
	    {"Spinal wedge", "roll onto your side"},
	    {"Standing wall stretch", "never strain"},
	    {"Standing wall stretch", "dizzy"},
	};
	for (size_t w = 0; w < sizeof want / sizeof *want; w++) {
		bool found = false;
		for (int x = 0; x < en->exercises; x++) {
			const struct exercise *e = &en->exercise[x];
			if (strcmp(e->name, want[w].exercise))
				continue;
			for (int k = 0; k < e->caution.count; k++)
				found |= strstr(e->caution.line[k],
						want[w].words) != NULL;
			for (int k = 0; k < e->say.count; k++)
				found |= strstr(e->say.line[k],
						want[w].words) != NULL;
		}
		if (!found)
			fail_msg("%s: no '%s'", want[w].exercise,
				 want[w].words);
	}
	for (size_t i = 1; i < ROUTINES; i++) {
		struct routine *r = load(routines[i]);
		assert_int_equal(r->exercises, en->exercises);
		assert_int_equal(r->safety.count, en->safety.count);
		assert_int_equal(r->redflags.count, en->redflags.count);
		for (int x = 0; x < r->exercises; x++) {
			assert_true(r->exercise[x].caution.count >= 1);
			/* The home routine adds one about its growth. */
			assert_true(r->exercise[x].caution.count >=
				    en->exercise[x].caution.count);
		}
		routine_free(r);
	}
	routine_free(en);
}

/* The home routine offers cat-cow by repetitions, within the articles'
 * 24 to 40, and its foam roller hold grows toward five minutes. */
static void test_home_routine_counts_cat_cow(void **state)
{
	(void)state;
	struct routine *r = load("assets/examples/kiosk-home.conf");
	bool cat_cow = false, roller = false;
	for (int x = 0; x < r->exercises; x++) {
		const struct exercise *e = &r->exercise[x];
		if (!strcmp(e->name, "Cat-cow")) {
			cat_cow = true;
			assert_int_equal(e->kind, KIND_REPS);
			assert_true(e->reps >= 24 && e->reps <= 40);
			assert_true(e->progress.step > 0);
			assert_true(e->progress.max <= 40);
		}
		if (e->kind == KIND_HOLD && e->progress.step) {
			roller = true;
			assert_int_equal(e->progress.max, 300);
		}
	}
	assert_true(cat_cow && roller);
	routine_free(r);
	/* ... and a session counts all 24 of them. */
	char *buf;
	char **lines = session("assets/examples/kiosk-home.conf", 9, &buf);
	int last = 0;
	for (char **l = lines; *l; l++)
		last += json_is(*l, "type", "screen") &&
			json_is(*l, "screen", "reps") &&
			json_is(*l, "exercise", "Cat-cow") &&
			json_is(*l, "rep", "24") && json_is(*l, "reps", "24");
	assert_true(last >= 1);
	free(lines), free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_screen_is_short),
	    cmocka_unit_test(test_every_encouragement_is_heard),
	    cmocka_unit_test(test_no_promise_without_progression),
	    cmocka_unit_test(test_cautions_of_the_articles),
	    cmocka_unit_test(test_home_routine_counts_cat_cow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
