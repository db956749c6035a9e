/*
 * wall.c - the core library on its own. The Makefile links this program
 * with every object of libkiosk-core.a (--whole-archive) and nothing but
 * libc, inih and cmocka: a call from the core into SDL, eSpeak NG,
 * PortAudio or libgpiod cannot link, so the build fails before this runs.
 * What it runs shows the core alone does its work: the built-in routine
 * read, and a whole session of it walked by the engine.
 */
#include "testutil.h"

#include "config.h"
#include "engine.h"
#include "load.h"

static void count_line(void *ctx, const struct action *a)
{
	if (a->kind == ACTION_SAY)
		++*(int *)ctx;
}

static void test_core_alone_runs_the_builtin_routine(void **state)
{
	(void)state;
	struct diags d;
	diag_init(&d, CONFIG_BUILTIN_NAME);
	struct routine *r = load_routine(NULL, NULL, &d);
	assert_non_null(r);
	assert_int_equal(d.count, 0);
	diag_free(&d);
	assert_true(r->exercises > 0);
	struct engine_options eo = {.have_button = true, .have_mat = true};
	int lines = 0;
	kt_ms walked = engine_walk(r, &eo, count_line, &lines);
	assert_true(lines > 0);
	assert_int_equal(walked, engine_estimate(r, &eo));
	assert_true(walked > 60 * 1000);
	routine_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_core_alone_runs_the_builtin_routine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
