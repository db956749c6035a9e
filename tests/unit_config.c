/*
 * unit_config.c - the routine loader's results, where the golden files of
 * e2e.c cannot see them: what a loaded routine holds, not what --check
 * prints.
 */
#include "testutil.h"

#include <limits.h>

#include "config.h"

/* Found by review while writing the fuzz harness (tests/fuzz): an
 * absolute illustration path was kept as a pointer into inih's line
 * buffer, so the routine ended up naming whatever line came later. */
static void test_absolute_illustration_is_kept(void **state)
{
	(void)state;
	char path[PATH_MAX], text[PATH_MAX + 512];
	assert_non_null(realpath("assets/illustrations/cat-cow.svg", path));
	snprintf(text, sizeof text,
		 "[routine]\n"
		 "name = Absolute\n"
		 "redflags_screen = off\n"
		 "[exercise]\n"
		 "name = One\n"
		 "illustration = %s\n"
		 "say = A line read after the path, into the same buffer.\n"
		 "kind = hold\n"
		 "seconds = 30\n",
		 path);
	struct diags d;
	diag_init(&d, "abs.conf");
	struct routine *r =
	    config_load_text(text, strlen(text), NULL, "assets", &d);
	assert_int_equal(d.count, 0);
	assert_non_null(r);
	assert_non_null(r->exercise[0].illustration);
	assert_string_equal(r->exercise[0].illustration, path);
	routine_free(r);
	diag_free(&d);
}

static struct routine *load(const char *text, struct diags *d)
{
	diag_init(d, "t.conf");
	return config_load_text(text, strlen(text), NULL, NULL, d);
}

/* Progression keys land in struct progression, in the kind's units, with
 * the start copied from seconds or reps; without them it is off. */
static void test_progression_is_loaded(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r = load("[routine]\n"
				 "name = P\n"
				 "redflags_screen = off\n"
				 "[exercise]\n"
				 "name = Roller\n"
				 "say = Lie back.\n"
				 "progress_step = 15\n"
				 "progress_max = 300\n"
				 "progress_every = 2\n"
				 "kind = hold\n"
				 "seconds = 30\n"
				 "[exercise]\n"
				 "name = Cat-cow\n"
				 "say = Hands and knees.\n"
				 "kind = reps\n"
				 "reps = 8\n"
				 "breath = in 2, out 2\n"
				 "progress_step = 2\n"
				 "progress_max = 8\n"
				 "[exercise]\n"
				 "name = Wall\n"
				 "say = Stand.\n"
				 "kind = free\n"
				 "seconds = 40\n",
				 &d);
	diag_print(&d, stderr);
	assert_non_null(r);
	const struct progression *g = &r->exercise[0].progress;
	assert_int_equal(g->start, 30);
	assert_int_equal(g->step, 15);
	assert_int_equal(g->max, 300);
	assert_int_equal(g->every, 2);
	assert_int_equal(r->exercise[0].seconds, 30000);
	/* Reps, with the default pace; a maximum equal to the start is
	 * allowed (progression written in, and held for now). */
	g = &r->exercise[1].progress;
	assert_int_equal(g->start, 8);
	assert_int_equal(g->step, 2);
	assert_int_equal(g->max, 8);
	assert_int_equal(g->every, 1);
	g = &r->exercise[2].progress;
	assert_int_equal(g->step, 0);
	assert_int_equal(g->max, 0);
	routine_free(r);
	diag_free(&d);
}

/* The kind may come after the progression keys: its limits still apply,
 * and every mistake of one exercise is reported together. */
static void test_progression_limits_follow_the_kind(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r = load("[routine]\n"
				 "name = P\n"
				 "redflags_screen = off\n"
				 "[exercise]\n"
				 "name = Cat-cow\n"
				 "say = Hands and knees.\n"
				 "progress_step = 201\n"
				 "progress_max = 201\n"
				 "progress_every = 3\n"
				 "reps = 8\n"
				 "breath = in 2, out 2\n"
				 "kind = reps\n",
				 &d);
	assert_null(r);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.item[0].line, 7);
	assert_non_null(strstr(d.item[0].message, "at most 200"));
	assert_int_equal(d.item[1].line, 8);
	diag_free(&d);
}

/* The example commented out on the foam roller in the built-in routine
 * works once its #s are removed, and the built-in routine itself has no
 * progression (a waiting room shares it). */
static void test_builtin_progression_example(void **state)
{
	(void)state;
	size_t len;
	const char *text = config_builtin(&len);
	char *home = malloc(len + 1);
	assert_non_null(home);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		bool line_start = i == 0 || text[i - 1] == '\n';
		if (line_start && !strncmp(text + i, "#progress_", 10))
			continue; /* drop the '#' */
		home[n++] = text[i];
	}
	struct diags d;
	diag_init(&d, "home.conf");
	struct routine *r = config_load_text(home, n, NULL, NULL, &d);
	diag_print(&d, stderr);
	assert_non_null(r);
	const struct exercise *x = &r->exercise[0];
	assert_string_equal(x->name, "Foam roller back extension");
	assert_int_equal(x->progress.start, 30);
	assert_int_equal(x->progress.step, 15);
	assert_int_equal(x->progress.max, 300);
	assert_int_equal(x->progress.every, 2);
	for (int i = 1; i < r->exercises; i++)
		assert_int_equal(r->exercise[i].progress.step, 0);
	routine_free(r);
	diag_free(&d);
	free(home);

	diag_init(&d, CONFIG_BUILTIN_NAME);
	r = config_load_text(text, len, NULL, NULL, &d);
	assert_non_null(r);
	for (int i = 0; i < r->exercises; i++)
		assert_int_equal(r->exercise[i].progress.step, 0);
	routine_free(r);
	diag_free(&d);
}

static char edited_head[32768]; /* the start of the last edited text */

/* The built-in routine with some of its lines taken out or changed:
 * each line that starts with `drop` is left out, and `from` becomes `to`
 * (NULL: nothing changed). Loaded; d holds its messages. */
static struct routine *builtin_edited(const char *drop, const char *from,
				      const char *to, struct diags *d)
{
	size_t len;
	const char *text = config_builtin(&len);
	char *out = malloc(2 * len + 64);
	assert_non_null(out);
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		size_t line = end - i;
		if (drop && !strncmp(text + i, drop, strlen(drop))) {
			i = end;
			continue;
		}
		if (from && line > strlen(from) &&
		    !strncmp(text + i, from, strlen(from))) {
			n += (size_t)sprintf(out + n, "%s\n", to);
		} else {
			memcpy(out + n, text + i, line);
			n += line;
		}
		i = end;
	}
	out[n] = '\0';
	diag_init(d, "edited.conf");
	struct routine *r = config_load_text(out, n, NULL, NULL, d);
	snprintf(edited_head, sizeof edited_head, "%s", out);
	free(out);
	return r;
}

/* The built-in routine: the red-flag screen on, hands-free, with its
 * lines in order and the question and screen words translatable. */
static void test_builtin_has_redflags(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r = builtin_edited(NULL, NULL, NULL, &d);
	assert_non_null(r);
	assert_true(r->redflags_screen);
	assert_false(r->redflags_confirm);
	assert_int_equal(r->redflags.count, 6);
	assert_non_null(strstr(r->redflags.line[0], "Do not start"));
	assert_non_null(strstr(r->redflags.line[1], "Chest pain"));
	assert_non_null(strstr(r->redflags.line[5], "osteoporosis"));
	assert_non_null(strstr(r->settings.phrase[PHRASE_REDFLAGS_CONFIRM],
			       "press the big button"));
	assert_string_equal(r->settings.word[WORD_REDFLAGS],
			    "Check before you start");
	routine_free(r);
	diag_free(&d);
}

/* Staff who delete every red-flag line get a refusal that says what to
 * do, at the [routine] line; only 'redflags_screen = off' turns the
 * screen off, and then no lines are needed. */
static void test_emptied_redflags_are_refused(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r = builtin_edited("redflags = ", NULL, NULL, &d);
	assert_null(r);
	assert_int_equal(d.count, 1);
	assert_non_null(strstr(d.item[0].message, "has no 'redflags' lines"));
	assert_non_null(strstr(d.item[0].message, "redflags_screen = off"));
	const char *sec = strstr(edited_head, "\n[routine]\n");
	assert_non_null(sec);
	int line = 2;
	for (const char *c = edited_head; c < sec; c++)
		line += *c == '\n';
	assert_int_equal(d.item[0].line, line);
	diag_free(&d);

	/* An emptied value is refused too: it would say nothing. */
	r = builtin_edited(NULL, "redflags = Chest", "redflags =", &d);
	assert_null(r);
	assert_int_equal(d.count, 1);
	assert_non_null(strstr(d.item[0].message, "'redflags' has no value"));
	diag_free(&d);

	/* Off on purpose: accepted, with or without its lines. */
	r = builtin_edited("redflags = ", "redflags_screen = yes",
			   "redflags_screen = off", &d);
	assert_non_null(r);
	assert_false(r->redflags_screen);
	assert_int_equal(r->redflags.count, 0);
	routine_free(r);
	diag_free(&d);
	r = builtin_edited(NULL, "redflags_screen = yes",
			   "redflags_screen = no", &d);
	assert_non_null(r);
	assert_false(r->redflags_screen);
	routine_free(r);
	diag_free(&d);
}

/* A file written before the red-flag screen existed names none of its
 * keys: it is still taken, and screens people with the built-in lines. */
static void test_file_without_redflag_keys_gets_the_builtin_lines(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r =
	    load("[routine]\n"
		 "name = Older\n"
		 "[exercise]\n"
		 "name = A\nsay = Go.\nkind = free\nseconds = 30\n",
		 &d);
	assert_int_equal(d.count, 0);
	assert_non_null(r);
	assert_true(r->redflags_screen);
	assert_true(r->redflags_builtin);
	assert_int_equal(r->redflags.count, 6);
	assert_non_null(strstr(r->redflags.line[1], "Chest pain"));
	routine_free(r);
	diag_free(&d);
}

/* A press to confirm: on with the button, refused where it could never
 * be given (no button wired) or would do nothing (the screen is off). */
static void test_redflags_confirm_needs_the_button(void **state)
{
	(void)state;
	struct diags d;
	struct routine *r = builtin_edited(NULL, "redflags_confirm = no",
					   "redflags_confirm = yes", &d);
	assert_non_null(r);
	assert_true(r->redflags_confirm);
	routine_free(r);
	diag_free(&d);

	r = load("[settings]\n"
		 "button_line = none\n"
		 "[routine]\n"
		 "name = Mat only\n"
		 "redflags = Not today if this.\n"
		 "redflags_confirm = yes\n"
		 "[exercise]\n"
		 "name = A\nsay = Go.\nkind = free\nseconds = 30\n",
		 &d);
	assert_null(r);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.item[0].line, 6);
	assert_non_null(strstr(d.item[0].message, "needs the button"));
	assert_non_null(strstr(d.item[0].message, "(line 2)"));
	diag_free(&d);

	r = load("[routine]\n"
		 "name = Off\n"
		 "redflags_screen = off\n"
		 "redflags_confirm = yes\n"
		 "[exercise]\n"
		 "name = A\nsay = Go.\nkind = free\nseconds = 30\n",
		 &d);
	assert_null(r);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.item[0].line, 4);
	assert_non_null(strstr(d.item[0].message, "does nothing"));
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_absolute_illustration_is_kept),
	    cmocka_unit_test(test_progression_is_loaded),
	    cmocka_unit_test(test_progression_limits_follow_the_kind),
	    cmocka_unit_test(test_builtin_progression_example),
	    cmocka_unit_test(test_builtin_has_redflags),
	    cmocka_unit_test(test_emptied_redflags_are_refused),
	    cmocka_unit_test(
		test_file_without_redflag_keys_gets_the_builtin_lines),
	    cmocka_unit_test(test_redflags_confirm_needs_the_button),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
