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
		 "[exercise]\n"
		 "name = One\n"
		 "illustration = %s\n"
		 "say = A line read after the path, into the same buffer.\n"
		 "kind = hold\n"
		 "seconds = 30\n",
		 path);
	struct diags d;
	diags_init(&d, "abs.conf");
	struct routine *r =
	    config_load_text(text, strlen(text), NULL, "assets", &d);
	assert_int_equal(d.count, 0);
	assert_non_null(r);
	assert_non_null(r->exercise[0].illustration);
	assert_string_equal(r->exercise[0].illustration, path);
	routine_free(r);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_absolute_illustration_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
