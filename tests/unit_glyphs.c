/*
 * unit_glyphs.c - which characters kiosk --check lets through: the font
 * adapter (glyphs.c) against the screens' own DejaVu fonts, and the
 * routine file's scan (config_check_glyphs) with a font made up here, so
 * each rule is seen on its own. Also the other --check findings that live
 * in config.c: duplicate names and continuation lines.
 */
#include "testutil.h"

#include "config.h"
#include "glyphs.h"

/* The real fonts: Latin, German and Spanish letters are there; Japanese
 * and a recent emoji are not. */
static void test_fonts_cover_latin_not_japanese(void **state)
{
	(void)state;
	char err[256];
	struct glyphs *g = glyphs_open(NULL, err, sizeof err);
	if (!g) {
		printf("no DejaVu fonts here: %s\n", err);
		skip();
	}
	assert_true(glyphs_has(g, 'A'));
	assert_true(glyphs_has(g, 0xDF)); /* ß */
	assert_true(glyphs_has(g, 0xF1)); /* ñ */
	assert_true(glyphs_has(g, 0xBF)); /* ¿ */
	assert_false(glyphs_has(g, 0x65E5));  /* 日 */
	assert_false(glyphs_has(g, 0x1F9B4)); /* bone emoji */
	glyphs_close(g);
}

/* Fonts that cannot be opened: NULL, and the reason names the file. */
static void test_missing_font_is_named(void **state)
{
	(void)state;
	char err[256];
	assert_null(glyphs_open("/nonexistent-fonts", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent-fonts/DejaVuSans.ttf"));
}

/* A made-up font with ASCII only. */
static bool ascii_only(void *ctx, uint32_t ch)
{
	(void)ctx;
	return ch < 0x80;
}

static void scan(const char *text, struct diags *d)
{
	struct config_glyphs g = {ascii_only, NULL};
	diag_init(d, "t.conf");
	config_check_glyphs(text, strlen(text), &g, d);
}

/* Shown text is checked, line by line, each missing character named
 * once; notes, names of things (language, pictures) and what follows an
 * inline " ;" comment are not shown, so not checked. */
static void test_scan_names_line_and_character(void **state)
{
	(void)state;
	struct diags d;
	scan("# Notes may say anything: \xC3\xA9\n"
	     "[settings]\n"
	     "language = \xC3\xA9\n"
	     "[routine]\n"
	     "name = Caf\xC3\xA9 \xC3\xA9 \xE2\x82\xAC\n"
	     "intro = Fine ; but not \xC3\xA9\n"
	     "[exercise]\n"
	     "illustration = pictures/\xC3\xA9.svg\n"
	     "  joined \xE2\x82\xAC\n",
	     &d);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.item[0].line, 5);
	assert_non_null(strstr(d.item[0].message, "'\xC3\xA9' (U+00E9), "
						  "'\xE2\x82\xAC' (U+20AC)"));
	assert_int_equal(d.item[1].line, 9);
	assert_non_null(strstr(d.item[1].message, "U+20AC"));
	diag_free(&d);
}

/* Windows line ends are read as the loader reads them; a line the loader
 * refuses as broken UTF-8 is not judged a second time. */
static void test_scan_crlf_and_broken_bytes(void **state)
{
	(void)state;
	struct diags d;
	scan("\xEF\xBB\xBF[routine]\r\n"
	     "name = Caf\xC3\xA9\r\n"
	     "intro = \x80\xC3\xA9 broken\r\n"
	     "outro = \xE2\x82\xAC\r\n",
	     &d);
	assert_int_equal(d.count, 2);
	assert_int_equal(d.item[0].line, 2);
	assert_int_equal(d.item[1].line, 4);
	diag_free(&d);
}

static const char two_wedges[] = "[routine]\n"
				 "name = Two\n"
				 "redflags_screen = off\n"
				 "[exercise]\n"
				 "name = Wedge\n"
				 "say = Lie back.\n"
				 "  Breathe slowly.\n"
				 "kind = hold\n"
				 "seconds = 30\n"
				 "[exercise]\n"
				 "name = wedge\n"
				 "say = Again.\n"
				 "kind = hold\n"
				 "seconds = 30\n";

/* Two exercises with one name are refused (progression goes by name),
 * at the second one's [exercise] line, by the kiosk as by --check. */
static void test_duplicate_names_refused(void **state)
{
	(void)state;
	struct diags d;
	diag_init(&d, "t.conf");
	struct routine *r = config_load_text(two_wedges, strlen(two_wedges),
					     NULL, NULL, &d);
	assert_null(r);
	assert_int_equal(d.count, 1);
	assert_int_equal(d.item[0].line, 10);
	assert_non_null(strstr(d.item[0].message, "like the one on line 4"));
	diag_free(&d);
}

/* The indented line is joined to 'say' as one more line: a warning, kept
 * only by --check, which leaves the routine usable. */
static void test_continuation_is_a_warning(void **state)
{
	(void)state;
	const char *text = "[routine]\n"
			   "name = One\n"
			   "redflags_screen = off\n"
			   "[exercise]\n"
			   "name = Wedge\n"
			   "say = Lie back.\n"
			   "\tBreathe slowly.\n"
			   "kind = hold\n"
			   "seconds = 30\n";
	struct diags d;
	diag_init(&d, "t.conf");
	struct routine *r =
	    config_load_text(text, strlen(text), NULL, NULL, &d);
	assert_non_null(r);
	assert_int_equal(d.count, 0); /* the kiosk itself: not a word */
	assert_int_equal(r->exercise[0].say.count, 2);
	routine_free(r);
	diag_free(&d);

	diag_init(&d, "t.conf");
	d.want_warnings = true;
	r = config_check_text(text, strlen(text), NULL, &d);
	assert_non_null(r);
	assert_int_equal(diag_errors(&d), 0);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(d.item[0].line, 7);
	assert_true(d.item[0].warning);
	assert_non_null(strstr(d.item[0].message, "key on line 6"));
	routine_free(r);
	diag_free(&d);
}

/* --check's reading keeps what it read even with errors (to try the
 * voice), and every error is there. */
static void test_check_reads_past_errors(void **state)
{
	(void)state;
	struct diags d;
	diag_init(&d, "t.conf");
	d.want_warnings = true;
	struct routine *r =
	    config_check_text(two_wedges, strlen(two_wedges), NULL, &d);
	assert_non_null(r);
	assert_int_equal(diag_errors(&d), 1);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(r->exercises, 2);
	routine_free(r);
	diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fonts_cover_latin_not_japanese),
	    cmocka_unit_test(test_missing_font_is_named),
	    cmocka_unit_test(test_scan_names_line_and_character),
	    cmocka_unit_test(test_scan_crlf_and_broken_bytes),
	    cmocka_unit_test(test_duplicate_names_refused),
	    cmocka_unit_test(test_continuation_is_a_warning),
	    cmocka_unit_test(test_check_reads_past_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
