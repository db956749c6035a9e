/*
 * unit_soakcheck.c - the soak's judge (soakcheck.h) judged: a small event
 * record written by hand the way the kiosk writes one passes, and the
 * same record broken in each way the soak looks for is caught, with the
 * reason. A judge that passes everything would make the soak worthless.
 */
#include "soakcheck.h"

/* Three sessions: completed with a pause in its hold, stopped by a long
 * press, abandoned while waiting for the button (timeout 10 s). */
static const char *const base[] = {
    /* 0 */ "{\"t\":0.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":0.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":1.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":1.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":1.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\",\"caption\":\"Hello.\"}",
    /* 5 */ "{\"t\":1.000,\"type\":\"say\",\"text\":\"Hello.\",\"ms\":1000}",
    "{\"t\":2.600,\"type\":\"exercise\",\"index\":1,\"name\":\"X\"}",
    "{\"t\":2.600,\"type\":\"state\",\"state\":\"intro\"}",
    "{\"t\":2.600,\"type\":\"screen\",\"screen\":\"intro\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1}",
    "{\"t\":2.600,\"type\":\"say\",\"text\":\"Do X.\",\"ms\":1000}",
    /* 10 */ "{\"t\":4.200,\"type\":\"state\",\"state\":\"running\"}",
    "{\"t\":4.200,\"type\":\"chime\",\"chime\":\"start\"}",
    "{\"t\":4.200,\"type\":\"part\",\"event\":\"start\",\"index\":1,"
    "\"repeat\":1,\"kind\":\"hold\",\"seconds\":5}",
    "{\"t\":4.200,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":5,\"total\":5}",
    "{\"t\":5.200,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":4,\"total\":5}",
    /* 15 */
    "{\"t\":5.500,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":5.500,\"type\":\"state\",\"state\":\"paused\"}",
    "{\"t\":5.500,\"type\":\"say\",\"text\":\"Paused.\",\"ms\":900}",
    "{\"t\":5.500,\"type\":\"screen\",\"screen\":\"paused\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"reason\":\"button\",\"remaining\":4,"
    "\"total\":5}",
    "{\"t\":8.500,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    /* 20 */ "{\"t\":8.500,\"type\":\"state\",\"state\":\"running\"}",
    "{\"t\":8.500,\"type\":\"say\",\"text\":\"Carrying on.\",\"ms\":800}",
    "{\"t\":8.500,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":4,\"total\":5}",
    "{\"t\":9.200,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":3,\"total\":5}",
    "{\"t\":10.200,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":2,\"total\":5}",
    /* 25 */
    "{\"t\":11.200,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":1,\"total\":5}",
    "{\"t\":12.200,\"type\":\"part\",\"event\":\"end\",\"index\":1,"
    "\"repeat\":1,\"kind\":\"hold\",\"seconds\":5}",
    "{\"t\":12.200,\"type\":\"chime\",\"chime\":\"end\"}",
    "{\"t\":12.200,\"type\":\"session\",\"result\":\"completed\",\"index\":"
    "1}",
    "{\"t\":12.200,\"type\":\"state\",\"state\":\"done\"}",
    /* 30 */
    "{\"t\":12.200,\"type\":\"screen\",\"screen\":\"done\",\"routine\":"
    "\"R\",\"exercises\":1,\"elapsed\":11}",
    "{\"t\":12.800,\"type\":\"say\",\"text\":\"Bye.\",\"ms\":700}",
    "{\"t\":32.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":32.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":37.000,\"type\":\"input\",\"source\":\"mat\",\"gesture\":"
    "\"on\"}",
    /* 35: lying down starts a session once the mat has been on 3 s */
    "{\"t\":40.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":40.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    "{\"t\":42.030,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"long\"}",
    "{\"t\":42.030,\"type\":\"hush\"}",
    "{\"t\":42.030,\"type\":\"say\",\"text\":\"Stopped.\",\"ms\":900}",
    /* 40 */
    "{\"t\":42.030,\"type\":\"session\",\"result\":\"stopped\",\"index\":"
    "0}",
    "{\"t\":42.030,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":42.030,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":50.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":50.000,\"type\":\"state\",\"state\":\"safety\"}",
    /* 45 */
    "{\"t\":50.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    "{\"t\":51.000,\"type\":\"exercise\",\"index\":1,\"name\":\"X\"}",
    "{\"t\":51.000,\"type\":\"state\",\"state\":\"intro\"}",
    "{\"t\":51.000,\"type\":\"screen\",\"screen\":\"intro\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1}",
    "{\"t\":52.000,\"type\":\"state\",\"state\":\"waiting\"}",
    /* 50 */
    "{\"t\":52.000,\"type\":\"screen\",\"screen\":\"waiting\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"trigger\":\"button\"}",
    "{\"t\":52.000,\"type\":\"say\",\"text\":\"Press.\",\"ms\":800}",
    "{\"t\":62.000,\"type\":\"say\",\"text\":\"Gone.\",\"ms\":900}",
    "{\"t\":62.000,\"type\":\"session\",\"result\":\"abandoned\",\"index\":"
    "1}",
    "{\"t\":62.000,\"type\":\"state\",\"state\":\"attract\"}",
    /* 55 */
    "{\"t\":62.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
};
#define BASE_N ((int)(sizeof base / sizeof *base))

enum op { KEEP, REPLACE, INSERT, DELETE, CUT };

static long start_timeout = 10000; /* what the routine says, in ms */

/* The base record with one edit at line `at`, judged; the verdict is in
 * c. `inputs` (may be NULL) are the gestures the script would make. */
static int judge(enum op op, int at, const char *line, struct soak_check *c,
		 struct sk_input *inputs, int n_inputs, bool quit)
{
	soak_check_init(c, "unit");
	c->quiet = true;
	c->start_timeout = start_timeout;
	c->pause_timeout = 12000;
	c->in = inputs;
	c->in_n = n_inputs;
	c->quit = quit;
	for (int i = 0; i < BASE_N; i++) {
		if (i == at && op == CUT)
			break;
		if (i == at && op == INSERT)
			soak_check_line(c, line);
		if (i == at && op == DELETE)
			continue;
		soak_check_line(c, i == at && op == REPLACE ? line : base[i]);
	}
	if (at == BASE_N && op == INSERT)
		soak_check_line(c, line);
	soak_check_end(c);
	if (c->violations)
		printf("    (expected) %s\n", c->first);
	return c->violations;
}

/* The edit is caught, and for the reason given. */
static void caught(enum op op, int at, const char *line, const char *why)
{
	struct soak_check c;
	assert_true(judge(op, at, line, &c, NULL, 0, false) > 0);
	if (!strstr(c.first, why))
		fail_msg("caught '%s', expected '%s'", c.first, why);
}

static void test_a_good_record_passes(void **state)
{
	(void)state;
	struct soak_check c;
	struct sk_input in[] = {
	    {1000, SK_PRESS, false}, {5500, SK_PRESS, false},
	    {8500, SK_PRESS, false}, {37000, SK_MAT_ON, false},
	    {42030, SK_LONG, false}, {50000, SK_PRESS, false},
	};
	assert_int_equal(judge(KEEP, -1, NULL, &c, in, 6, false), 0);
	assert_int_equal(c.sessions, 3);
	assert_int_equal(c.results[SK_COMPLETED], 1);
	assert_int_equal(c.results[SK_STOPPED], 1);
	assert_int_equal(c.results[SK_ABANDONED], 1);
	assert_int_equal(c.inputs_in[SK_RUNNING][SK_PRESS], 1);
	assert_int_equal(c.inputs_in[SK_PAUSED][SK_PRESS], 1);
	assert_int_equal(c.moves[SK_PAUSED][SK_RUNNING], 1);
	for (int i = 0; i < 6; i++)
		assert_true(in[i].seen);
}

static void test_time_never_goes_back(void **state)
{
	(void)state;
	caught(REPLACE, 14,
	       "{\"t\":3.900,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"remaining\":4,\"total\":5}",
	       "time goes back");
	caught(REPLACE, 5, "{\"type\":\"say\",\"text\":\"Hello.\"}",
	       "not an event record line");
}

static void test_only_allowed_transitions(void **state)
{
	(void)state;
	caught(REPLACE, 3,
	       "{\"t\":1.000,\"type\":\"state\",\"state\":\"intro\"}",
	       "'attract' -> 'intro' is not a change the engine makes");
	caught(REPLACE, 20,
	       "{\"t\":8.500,\"type\":\"state\",\"state\":\"rest\"}",
	       "resumed into 'rest' but was paused from 'running'");
	caught(REPLACE, 49,
	       "{\"t\":52.000,\"type\":\"state\",\"state\":\"paused\"}",
	       "screen 'waiting' while 'paused'");
	caught(REPLACE, 0,
	       "{\"t\":0.000,\"type\":\"state\",\"state\":\"asleep\"}",
	       "unknown state 'asleep'");
}

static void test_every_session_ends_once(void **state)
{
	(void)state;
	/* Cut short in the middle of the hold: that session never ends. */
	caught(CUT, 26, NULL, "never ended");
	/* Back to attract from a session with no result. */
	caught(DELETE, 40, NULL, "with no session result");
	/* A second result for the same session. */
	caught(INSERT, 41,
	       "{\"t\":42.030,\"type\":\"session\",\"result\":\"stopped\","
	       "\"index\":0}",
	       "'attract' was due to be entered first");
	caught(INSERT, 43,
	       "{\"t\":45.000,\"type\":\"session\",\"result\":\"stopped\","
	       "\"index\":0}",
	       "a session result with no session open");
	/* Completed, but the part had not ended. */
	caught(DELETE, 26, NULL, "completed while 'running'");
}

static void test_nothing_after_the_result(void **state)
{
	(void)state;
	caught(INSERT, 43,
	       "{\"t\":42.030,\"type\":\"say\",\"text\":\"Next!\",\"ms\":500}",
	       "after the session's result");
	caught(INSERT, 43,
	       "{\"t\":42.030,\"type\":\"chime\",\"chime\":\"start\"}",
	       "a chime while 'attract'");
	caught(INSERT, 43,
	       "{\"t\":42.030,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"remaining\":4,\"total\":5}",
	       "screen 'hold' while 'attract'");
}

static void test_the_countdown_only_goes_down(void **state)
{
	(void)state;
	caught(REPLACE, 24,
	       "{\"t\":10.200,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"remaining\":4,\"total\":5}",
	       "countdown went up from 3 to 4");
	/* On time: one second a second, the pause left out. */
	caught(REPLACE, 24,
	       "{\"t\":10.200,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"remaining\":1,\"total\":5}",
	       "remaining 1, but the part started at 4.200 s");
	caught(REPLACE, 26,
	       "{\"t\":12.200,\"type\":\"part\",\"event\":\"end\",\"index\":1,"
	       "\"repeat\":2,\"kind\":\"hold\",\"seconds\":5}",
	       "not the one running");
}

/* The screen's keys come from struct screen's field list (engine.h): an
 * unknown key, or a known one of the wrong type, is caught. */
static void test_a_screen_has_only_its_fields(void **state)
{
	(void)state;
	caught(REPLACE, 14,
	       "{\"t\":5.200,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"exercise\":\"X\",\"index\":1,\"of\":1,\"remaining\":4,"
	       "\"total\":5,\"side\":\"left\"}",
	       "a screen with 'side', which is no field of struct screen");
	caught(REPLACE, 14,
	       "{\"t\":5.200,\"type\":\"screen\",\"screen\":\"hold\","
	       "\"exercise\":\"X\",\"index\":\"1\",\"of\":1,"
	       "\"remaining\":4,\"total\":5}",
	       "a screen's 'index' of the wrong type");
}

static void test_nothing_moves_while_paused(void **state)
{
	(void)state;
	caught(INSERT, 19,
	       "{\"t\":7.000,\"type\":\"screen\",\"screen\":\"paused\","
	       "\"reason\":\"button\",\"remaining\":3,\"total\":5}",
	       "countdown moved while paused: 4 then 3");
	caught(INSERT, 19,
	       "{\"t\":7.000,\"type\":\"say\",\"text\":\"3\",\"ms\":400}",
	       "said while nothing moves");
	caught(INSERT, 52,
	       "{\"t\":57.000,\"type\":\"say\",\"text\":\"Hurry.\",\"ms\":400}",
	       "said while nothing moves");
}

/* The bug the soak found: carrying on left the paused screen up. */
static void test_the_screen_follows_the_state(void **state)
{
	(void)state;
	caught(DELETE, 22, NULL,
	       "'running' (since line 21) still has the 'paused' screen");
}

static void test_why_a_session_ended(void **state)
{
	(void)state;
	/* Given up a second before its time. */
	start_timeout = 11000;
	caught(KEEP, -1, NULL,
	       "abandoned after 10.000 s 'waiting'; the timeout is 11.000 s");
	start_timeout = 10000;
	caught(DELETE, 37, NULL, "stopped with no long press");
	caught(REPLACE, 2,
	       "{\"t\":1.000,\"type\":\"input\",\"source\":\"button\","
	       "\"gesture\":\"long\"}",
	       "a session started with no press then, nor 3000 ms after "
	       "lying down");
	caught(
	    INSERT, 37,
	    "{\"t\":41.000,\"type\":\"input\",\"source\":\"mat\",\"gesture\":"
	    "\"on\"}",
	    "mat on twice in a row");
}

static void test_quit_ends_the_record(void **state)
{
	(void)state;
	const char *quit = "{\"t\":55.000,\"type\":\"session\",\"result\":"
			   "\"stopped\",\"index\":1,\"quit\":true}";
	struct soak_check c;
	/* Quit while waiting: the session ends stopped, and so does the
	 * record. */
	assert_true(judge(INSERT, 52, quit, &c, NULL, 0, true) > 0);
	assert_non_null(strstr(c.first, "goes on after the session ended"));
	assert_int_equal(judge(CUT, 52, NULL, &c, NULL, 0, true), 1);
	assert_non_null(strstr(c.first, "never ended"));
	/* Cut right after it: all is well. */
	struct soak_check d;
	soak_check_init(&d, "unit");
	d.quiet = d.quit = true;
	for (int i = 0; i < 52; i++)
		soak_check_line(&d, base[i]);
	soak_check_line(&d, quit);
	soak_check_end(&d);
	assert_int_equal(d.violations, 0);
	assert_int_equal(d.results[SK_STOPPED], 2);
	/* A quit the script never made. */
	assert_true(judge(INSERT, 52, quit, &c, NULL, 0, false) > 0);
	assert_non_null(strstr(c.first, "the script has none"));
}

static void test_the_scripts_gestures_and_no_others(void **state)
{
	(void)state;
	struct soak_check c;
	struct sk_input extra[] = {
	    {1000, SK_PRESS, false},   {5500, SK_PRESS, false},
	    {8500, SK_PRESS, false},   {20000, SK_PRESS, false},
	    {37000, SK_MAT_ON, false}, {42030, SK_LONG, false},
	    {50000, SK_PRESS, false},
	};
	assert_int_equal(judge(KEEP, -1, NULL, &c, extra, 7, false), 1);
	assert_non_null(strstr(c.first, "press at 20.000 s never came"));
	struct sk_input missing[] = {
	    {1000, SK_PRESS, false},   {8500, SK_PRESS, false},
	    {37000, SK_MAT_ON, false}, {42030, SK_LONG, false},
	    {50000, SK_PRESS, false},
	};
	assert_int_equal(judge(KEEP, -1, NULL, &c, missing, 5, false), 1);
	assert_non_null(
	    strstr(c.first, "button press that the script does not make"));
}

/* The red-flag screen with redflags_confirm: asked at 5 s, answered by a
 * press at 7 s in the first session; never answered in the second, given
 * up start_timeout (10 s) after the question. */
static const char *const flags[] = {
    /* 0 */ "{\"t\":0.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":0.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":1.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":1.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":1.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    /* 5 */ "{\"t\":2.000,\"type\":\"state\",\"state\":\"redflags\"}",
    "{\"t\":2.000,\"type\":\"screen\",\"screen\":\"redflags\",\"routine\":"
    "\"R\",\"caption\":\"Not if this.\"}",
    "{\"t\":2.000,\"type\":\"say\",\"text\":\"Not if this.\",\"ms\":2400}",
    "{\"t\":5.000,\"type\":\"screen\",\"screen\":\"redflags\",\"routine\":"
    "\"R\",\"confirm\":true,\"caption\":\"None? Press.\"}",
    "{\"t\":5.000,\"type\":\"say\",\"text\":\"None? Press.\",\"ms\":1000}",
    /* 10 */
    "{\"t\":7.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":7.000,\"type\":\"confirmed\",\"screen\":\"redflags\"}",
    "{\"t\":7.000,\"type\":\"exercise\",\"index\":1,\"name\":\"X\"}",
    "{\"t\":7.000,\"type\":\"state\",\"state\":\"intro\"}",
    "{\"t\":7.000,\"type\":\"screen\",\"screen\":\"intro\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1}",
    /* 15 */
    "{\"t\":8.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"long\"}",
    "{\"t\":8.000,\"type\":\"session\",\"result\":\"stopped\",\"index\":1}",
    "{\"t\":8.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":8.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":20.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    /* 20 */ "{\"t\":20.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":20.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    "{\"t\":21.000,\"type\":\"state\",\"state\":\"redflags\"}",
    "{\"t\":21.000,\"type\":\"screen\",\"screen\":\"redflags\",\"routine\":"
    "\"R\"}",
    "{\"t\":24.000,\"type\":\"screen\",\"screen\":\"redflags\",\"routine\":"
    "\"R\",\"confirm\":true}",
    /* 25 */ "{\"t\":34.000,\"type\":\"say\",\"text\":\"Gone.\",\"ms\":900}",
    "{\"t\":34.000,\"type\":\"session\",\"result\":\"abandoned\",\"index\":"
    "0,\"redflags\":true}",
    "{\"t\":34.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":34.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
};
#define FLAGS_N ((int)(sizeof flags / sizeof *flags))

/* The red-flag record with line `at` replaced (or left out: NULL); the
 * first violation, or "" when none. */
static long flags_timeout = 10000; /* start_timeout, in ms */

static const char *judge_flags(int at, const char *line, struct soak_check *c)
{
	soak_check_init(c, "unit");
	c->quiet = true;
	c->start_timeout = flags_timeout;
	c->pause_timeout = 12000;
	for (int i = 0; i < FLAGS_N; i++)
		if (i != at || line)
			soak_check_line(c, i == at ? line : flags[i]);
	soak_check_end(c);
	return c->violations ? c->first : "";
}

static void test_the_red_flag_screen(void **state)
{
	(void)state;
	struct soak_check c;
	assert_string_equal(judge_flags(-1, NULL, &c), "");
	assert_int_equal(c.moves[SK_SAFETY][SK_REDFLAGS], 2);
	assert_int_equal(c.moves[SK_REDFLAGS][SK_INTRO], 1);
	assert_int_equal(c.moves[SK_REDFLAGS][SK_ATTRACT], 1);
	/* An answer with no question asked, or with no press. */
	assert_non_null(strstr(judge_flags(8, NULL, &c),
			       "confirmed with no question asked"));
	assert_non_null(
	    strstr(judge_flags(10, NULL, &c), "confirmed with no press then"));
	/* Given up before its time, or with no question asked at all. */
	flags_timeout = 11000;
	assert_non_null(strstr(judge_flags(-1, NULL, &c),
			       "abandoned after 10.000 s 'redflags'; the "
			       "timeout is 11.000 s"));
	flags_timeout = 10000;
	assert_non_null(
	    strstr(judge_flags(24, NULL, &c), "abandoned while 'redflags'"));
	/* The red-flag screen only follows the safety words. */
	assert_non_null(
	    strstr(judge_flags(3,
			       "{\"t\":1.000,\"type\":\"state\",\"state\":"
			       "\"redflags\"}",
			       &c),
		   "'attract' -> 'redflags' is not a change"));
}

/* People who leave, or skip (engine.h): lying down starts a session 3 s
 * later, and getting up before the first exercise ends it 5 s after; a
 * check-in nobody answers ends one its 30 s later; a double press skips
 * the last exercise, straight to the closing words. */
static const char *const people[] = {
    /* 0 */ "{\"t\":0.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":0.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":0.000,\"type\":\"input\",\"source\":\"mat\",\"gesture\":\"on\"}",
    "{\"t\":3.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":3.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    /* 5 */
    "{\"t\":4.000,\"type\":\"input\",\"source\":\"mat\",\"gesture\":\"off\"}",
    "{\"t\":9.000,\"type\":\"say\",\"text\":\"Gone.\",\"ms\":900}",
    "{\"t\":9.000,\"type\":\"session\",\"result\":\"abandoned\",\"index\":0}",
    "{\"t\":9.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":9.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    /* 10 */
    "{\"t\":20.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    "{\"t\":20.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":20.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    "{\"t\":21.000,\"type\":\"exercise\",\"index\":1,\"name\":\"X\"}",
    "{\"t\":21.000,\"type\":\"state\",\"state\":\"intro\"}",
    /* 15 */
    "{\"t\":21.000,\"type\":\"screen\",\"screen\":\"intro\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1}",
    "{\"t\":22.000,\"type\":\"state\",\"state\":\"waiting\"}",
    "{\"t\":22.000,\"type\":\"check_in\",\"seconds\":30}",
    "{\"t\":22.000,\"type\":\"say\",\"text\":\"Still there?\",\"ms\":1000}",
    "{\"t\":22.000,\"type\":\"screen\",\"screen\":\"waiting\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"trigger\":\"button\",\"check_in\":true}",
    /* 20 */ "{\"t\":52.000,\"type\":\"say\",\"text\":\"Gone.\",\"ms\":900}",
    "{\"t\":52.000,\"type\":\"session\",\"result\":\"abandoned\",\"index\":1}",
    "{\"t\":52.000,\"type\":\"state\",\"state\":\"attract\"}",
    "{\"t\":52.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
    "{\"t\":60.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    /* 25 */ "{\"t\":60.000,\"type\":\"state\",\"state\":\"safety\"}",
    "{\"t\":60.000,\"type\":\"screen\",\"screen\":\"safety\",\"routine\":"
    "\"R\"}",
    "{\"t\":61.000,\"type\":\"exercise\",\"index\":1,\"name\":\"X\"}",
    "{\"t\":61.000,\"type\":\"state\",\"state\":\"intro\"}",
    "{\"t\":61.000,\"type\":\"screen\",\"screen\":\"intro\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1}",
    /* 30 */ "{\"t\":62.000,\"type\":\"state\",\"state\":\"running\"}",
    "{\"t\":62.000,\"type\":\"part\",\"event\":\"start\",\"index\":1,"
    "\"repeat\":1,\"kind\":\"hold\",\"seconds\":5}",
    "{\"t\":62.000,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":5,\"total\":5}",
    "{\"t\":63.000,\"type\":\"screen\",\"screen\":\"hold\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"remaining\":4,\"total\":5}",
    "{\"t\":63.500,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"press\"}",
    /* 35 */ "{\"t\":63.500,\"type\":\"state\",\"state\":\"paused\"}",
    "{\"t\":63.500,\"type\":\"screen\",\"screen\":\"paused\",\"exercise\":"
    "\"X\",\"index\":1,\"of\":1,\"reason\":\"button\",\"remaining\":4,"
    "\"total\":5}",
    "{\"t\":64.000,\"type\":\"input\",\"source\":\"button\",\"gesture\":"
    "\"double\"}",
    "{\"t\":64.000,\"type\":\"hush\"}",
    "{\"t\":64.000,\"type\":\"skip\",\"index\":1,\"name\":\"X\"}",
    /* 40 */
    "{\"t\":64.000,\"type\":\"session\",\"result\":\"completed\",\"index\":"
    "1,\"skipped\":1}",
    "{\"t\":64.000,\"type\":\"state\",\"state\":\"done\"}",
    "{\"t\":64.000,\"type\":\"screen\",\"screen\":\"done\",\"routine\":"
    "\"R\",\"exercises\":1,\"elapsed\":4}",
    "{\"t\":64.000,\"type\":\"say\",\"text\":\"Skipping X.\",\"ms\":900}",
    "{\"t\":84.000,\"type\":\"state\",\"state\":\"attract\"}",
    /* 45 */
    "{\"t\":84.000,\"type\":\"screen\",\"screen\":\"attract\",\"routine\":"
    "\"R\",\"minutes\":1,\"mat_start\":true}",
};
#define PEOPLE_N ((int)(sizeof people / sizeof *people))

/* The people record with line `at` left out; the first violation, or ""
 * when none. */
static const char *judge_people(int at, struct soak_check *c)
{
	soak_check_init(c, "unit");
	c->quiet = true;
	c->start_timeout = 10000;
	c->pause_timeout = 12000;
	for (int i = 0; i < PEOPLE_N; i++)
		if (i != at)
			soak_check_line(c, people[i]);
	soak_check_end(c);
	return c->violations ? c->first : "";
}

/* The people record's first session with a press at 9.000 s, the moment
 * the person (off the mat since 4 s) is given up: written before or
 * after the lines of giving up; the first violation, or "" when none. */
static const char *judge_press_at_the_end(bool after, struct soak_check *c)
{
	static const char press[] =
	    "{\"t\":9.000,\"type\":\"input\",\"source\":\"button\","
	    "\"gesture\":\"press\"}";
	soak_check_init(c, "unit");
	c->quiet = true;
	c->start_timeout = 10000;
	c->pause_timeout = 12000;
	for (int i = 0; i < 10; i++) {
		if (!after && i == 6)
			soak_check_line(c, press);
		soak_check_line(c, people[i]);
	}
	if (after)
		soak_check_line(c, press);
	soak_check_end(c);
	return c->violations ? c->first : "";
}

/* The kiosk takes what fell due before an input of the same moment, and
 * records it in that order (kiosk(8), EVENT RECORD): giving up, then the
 * press. A press written first would have been an answer, and then
 * giving up is a violation. As soaks once found: a press 5.000 s after
 * the mat went off in a pause, and the mat left at the moment its 3 s
 * started a session. */
static void test_what_fell_due_comes_before_the_input(void **state)
{
	(void)state;
	struct soak_check c;
	assert_string_equal(judge_press_at_the_end(true, &c), "");
	assert_non_null(strstr(judge_press_at_the_end(false, &c),
			       "abandoned while 'safety'"));
}

static void test_people_who_leave_or_skip(void **state)
{
	(void)state;
	struct soak_check c;
	assert_string_equal(judge_people(-1, &c), "");
	assert_int_equal(c.moves[SK_PAUSED][SK_DONE], 1);
	/* No lying down: nothing started that session. */
	assert_non_null(strstr(judge_people(2, &c),
			       "a session started with no press then"));
	/* Still on the mat: no reason to give it up. */
	assert_non_null(
	    strstr(judge_people(5, &c), "abandoned while 'safety'"));
	/* Nobody asked: only the start timeout could end the wait. */
	assert_non_null(strstr(judge_people(17, &c),
			       "abandoned after 30.000 s 'waiting'; the "
			       "timeout is 10.000 s"));
	/* A skip needs its double press. */
	assert_non_null(strstr(judge_people(37, &c),
			       "a skip with no double press then"));
	/* Without the skip, paused -> done is no change the engine makes. */
	assert_non_null(strstr(judge_people(39, &c), "completed while"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_good_record_passes),
	    cmocka_unit_test(test_time_never_goes_back),
	    cmocka_unit_test(test_only_allowed_transitions),
	    cmocka_unit_test(test_every_session_ends_once),
	    cmocka_unit_test(test_nothing_after_the_result),
	    cmocka_unit_test(test_the_countdown_only_goes_down),
	    cmocka_unit_test(test_nothing_moves_while_paused),
	    cmocka_unit_test(test_the_screen_follows_the_state),
	    cmocka_unit_test(test_why_a_session_ended),
	    cmocka_unit_test(test_quit_ends_the_record),
	    cmocka_unit_test(test_the_scripts_gestures_and_no_others),
	    cmocka_unit_test(test_the_red_flag_screen),
	    cmocka_unit_test(test_a_screen_has_only_its_fields),
	    cmocka_unit_test(test_people_who_leave_or_skip),
	    cmocka_unit_test(test_what_fell_due_comes_before_the_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
