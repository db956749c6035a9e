/*
 * unit_script.c - the scripted-input parser: events, order, and every
 * malformed line reported with its number.
 */
#include "testutil.h"

#include "script.h"

static int parse(const char *text, struct script *s, char *err, size_t size)
{
	struct diags d;
	diag_init(&d, "s");
	int rc = script_parse(text, strlen(text), s, &d);
	FILE *f = fmemopen(err, size, "w");
	diag_print(&d, f);
	fclose(f);
	diag_free(&d);
	return rc;
}

static void test_events_in_time_order(void **state)
{
	(void)state;
	struct script s;
	char err[512] = "";
	const char *text = "# a session\n"
			   "\n"
			   "0 press\n"
			   "0.1 mat on   # lie down\n"
			   "2.5 hold 3\n"
			   "10 down\n10.004 up\n"
			   "12 mat off\n"
			   "20 quit\n";
	assert_int_equal(parse(text, &s, err, sizeof err), 0);
	struct {
		kt_ms at;
		enum script_kind kind;
	} want[] = {
	    {0, SCRIPT_DOWN},	 {100, SCRIPT_MAT_ON},	  {150, SCRIPT_UP},
	    {2500, SCRIPT_DOWN}, {5500, SCRIPT_UP},	  {10000, SCRIPT_DOWN},
	    {10004, SCRIPT_UP},	 {12000, SCRIPT_MAT_OFF}, {20000, SCRIPT_QUIT},
	};
	assert_int_equal(s.count, 9);
	for (int i = 0; i < 9; i++) {
		assert_int_equal(s.event[i].at, want[i].at);
		assert_int_equal(s.event[i].kind, want[i].kind);
	}
	assert_int_equal(script_next_at(&s), 0);
	script_free(&s);
}

static void test_every_bad_line_is_named(void **state)
{
	(void)state;
	struct script s;
	char err[1024] = "";
	const char *text = "0 press\n"
			   "1 jump\n"
			   "soon press\n"
			   "3 hold\n"
			   "2 press\n"
			   "4 mat sideways\n"
			   "5 press extra\n";
	assert_int_equal(parse(text, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "s:2: expected 'TIME EVENT'"));
	assert_non_null(strstr(err, "s:3: 'soon' is not a time"));
	assert_non_null(strstr(err, "s:4: 'hold' needs a time"));
	assert_non_null(strstr(err, "s:5: time 2 is earlier"));
	assert_non_null(strstr(err, "s:6: expected"));
	assert_non_null(strstr(err, "s:7: expected"));
	assert_null(strstr(err, "s:1:"));
	assert_null(s.event);
}

static void test_binary_garbage_is_refused(void **state)
{
	(void)state;
	struct script s;
	char err[512] = "";
	const char text[] = "0 press\n\x01\x02\xff\n";
	assert_int_equal(parse(text, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "s:2: line is not plain text"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_events_in_time_order),
	    cmocka_unit_test(test_every_bad_line_is_named),
	    cmocka_unit_test(test_binary_garbage_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
