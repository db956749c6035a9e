/*
 * unit_gesture.c - debouncing and gestures on edge sequences with contact
 * bounce. The sequences are synthetic but shaped like the bounce of a
 * cheap arcade microswitch (a burst of 1-8 ms pulses for 5-20 ms on press
 * and release) and of a floor switch mat (tens of ms of chatter as
 * weight shifts).
 */
#include "testutil.h"

#include "gesture.h"

struct edge {
	kt_ms at;
	bool active;
};

/* Feed edges, polling in between the way the main loop does; collect
 * every gesture until `end`. */
static int play(struct gestures *g, enum gesture_line line,
		const struct edge *e, int n, kt_ms end,
		struct gesture_event *out, int max)
{
	int got = 0;
	for (int i = 0; i <= n; i++) {
		kt_ms next = i < n ? e[i].at : end;
		while (gesture_wake(g) <= next && got < max)
			got += gesture_poll(g, gesture_wake(g), out + got,
					    max - got);
		if (i < n)
			gesture_edge(g, line, e[i].active, e[i].at);
	}
	return got;
}

static const struct edge bouncy_press[] = {
    /* press: 12 ms of bounce */
    {1000, 1},
    {1002, 0},
    {1003, 1},
    {1006, 0},
    {1007, 1},
    {1011, 0},
    {1012, 1},
    /* release 180 ms later: 9 ms of bounce */
    {1192, 0},
    {1194, 1},
    {1195, 0},
    {1199, 1},
    {1201, 0},
};

static void test_bounce_is_one_press(void **state)
{
	(void)state;
	struct gestures g;
	struct gesture_event out[16];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_BUTTON, bouncy_press,
		     sizeof bouncy_press / sizeof *bouncy_press, 5000, out, 16);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].gesture, GESTURE_PRESS);
	/* Recognised once the release has settled: last edge + 30 ms. */
	assert_int_equal(out[0].at, 1231);
	assert_int_equal(gesture_wake(&g), KT_NEVER);
}

static void test_long_press_fires_while_held(void **state)
{
	(void)state;
	static const struct edge held[] = {
	    {0, 1},    {4, 0},	  {6, 1}, /* bounce, then held for 3 s */
	    {3006, 0}, {3010, 1}, {3013, 0},
	};
	struct gestures g;
	struct gesture_event out[16];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_BUTTON, held, 6, 10000, out, 16);
	assert_int_equal(n, 1); /* the long press, and no press on release */
	assert_int_equal(out[0].gesture, GESTURE_LONG_PRESS);
	assert_int_equal(out[0].at, 36 + 2000);
}

static void test_spike_shorter_than_settle_is_ignored(void **state)
{
	(void)state;
	static const struct edge spike[] = {{500, 1}, {520, 0}};
	struct gestures g;
	struct gesture_event out[4];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	assert_int_equal(play(&g, LINE_BUTTON, spike, 2, 5000, out, 4), 0);
}

static void test_chattering_mat_is_quiet_then_one_edge(void **state)
{
	(void)state;
	/* Ten minutes of chatter every 40 ms, then someone settles on it. */
	enum { N = 15000 };
	struct edge *e = calloc(N + 1, sizeof *e);
	for (int i = 0; i < N; i++)
		e[i] = (struct edge){1000 + (kt_ms)i * 40, i % 2 == 0};
	e[N] = (struct edge){1000 + (kt_ms)N * 40, 1};
	struct gestures g;
	struct gesture_event out[8];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_MAT, e, N + 1, 2000000, out, 8);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].gesture, GESTURE_MAT_ON);
	assert_int_equal(out[0].at, 1000 + (kt_ms)N * 40 + 150);
	free(e);
}

static void test_mat_on_and_off_with_chatter(void **state)
{
	(void)state;
	static const struct edge mat[] = {
	    {100, 1},  {130, 0},  {160, 1},  {210, 0}, {230, 1}, /* lie down */
	    {9000, 0}, {9040, 1}, {9100, 0},			 /* get up */
	};
	struct gestures g;
	struct gesture_event out[8];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_MAT, mat, 8, 20000, out, 8);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].gesture, GESTURE_MAT_ON);
	assert_int_equal(out[0].at, 380);
	assert_int_equal(out[1].gesture, GESTURE_MAT_OFF);
	assert_int_equal(out[1].at, 9250);
}

static void test_stuck_button_costs_nothing(void **state)
{
	(void)state;
	static const struct edge stuck[] = {{0, 1}};
	struct gestures g;
	struct gesture_event out[4];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_BUTTON, stuck, 1, 3600 * 1000, out, 4);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].gesture, GESTURE_LONG_PRESS);
	/* Held for an hour: nothing more to wake up for. */
	assert_int_equal(gesture_wake(&g), KT_NEVER);
}

static void test_button_held_at_start_is_not_a_gesture(void **state)
{
	(void)state;
	static const struct edge release[] = {{5000, 0}};
	struct gestures g;
	struct gesture_event out[4];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	gesture_set_level(&g, LINE_BUTTON, true);
	assert_int_equal(gesture_wake(&g), KT_NEVER);
	assert_int_equal(play(&g, LINE_BUTTON, release, 1, 9000, out, 4), 0);
}

/* Two quick presses: the first at once, the second as a double press;
 * a third right after starts a new pair; one slower is a plain press,
 * and so is one after a long press. */
static void test_double_press(void **state)
{
	(void)state;
	static const struct edge presses[] = {
	    {1000, 1}, {1150, 0}, /* press: 1180 */
	    {1500, 1}, {1650, 0}, /* double: 1680, 500 ms after */
	    {1900, 1}, {2050, 0}, /* press again: 2080, a new pair */
	    {3500, 1}, {3650, 0}, /* 1600 ms later: a press */
	    {5000, 1}, {7500, 0}, /* long press at 7030 */
	    {7700, 1}, {7850, 0}, /* a press: pairs with no long press */
	};
	static const enum gesture want[] = {
	    GESTURE_PRESS, GESTURE_DOUBLE_PRESS, GESTURE_PRESS,
	    GESTURE_PRESS, GESTURE_LONG_PRESS,	 GESTURE_PRESS,
	};
	struct gestures g;
	struct gesture_event out[16];
	gesture_init(&g, (kt_ms[LINE_COUNT]){30, 150}, 2000);
	int n = play(&g, LINE_BUTTON, presses, 12, 20000, out, 16);
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_int_equal(out[i].gesture, want[i]);
	assert_int_equal(out[0].at, 1180);
	assert_int_equal(out[1].at, 1680); /* nothing waited for it */
	assert_string_equal(gesture_name(GESTURE_DOUBLE_PRESS), "double");
	assert_int_equal(out[1].line, LINE_BUTTON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bounce_is_one_press),
	    cmocka_unit_test(test_long_press_fires_while_held),
	    cmocka_unit_test(test_spike_shorter_than_settle_is_ignored),
	    cmocka_unit_test(test_chattering_mat_is_quiet_then_one_edge),
	    cmocka_unit_test(test_mat_on_and_off_with_chatter),
	    cmocka_unit_test(test_stuck_button_costs_nothing),
	    cmocka_unit_test(test_button_held_at_start_is_not_a_gesture),
	    cmocka_unit_test(test_double_press),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
