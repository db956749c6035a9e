/*
 * unit_video.c - the video adapter's own figures are true: "first frame N
 * ms after start" is the moment the first frame's present returned, not
 * when its drawing began. SDL_RenderPresent is wrapped here (the test
 * program's own definition wins over the library's for the calls in
 * libkiosk-adapters.a) to take 30 ms, as a display waiting for its refresh
 * may, and to note on the kiosk's clock when it returned. SDL's dummy driver,
 * so no display is needed. Also: the first screen is not held back for
 * the sound's lead, and an animation frame gives way to the engine.
 */
#include "testutil.h"

#include <SDL.h>
#include <dlfcn.h>
#include <time.h>

#include "clock.h"
#include "video.h"

#define PRESENT_MS 30

static struct kclock clk;
static kt_ms returned_at = KT_NEVER;
static int presents;

void SDL_RenderPresent(SDL_Renderer *r)
{
	static void (*real)(SDL_Renderer *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "SDL_RenderPresent");
	assert_non_null(real);
	struct timespec t = {0, PRESENT_MS * 1000000L};
	nanosleep(&t, NULL);
	real(r);
	presents++;
	if (returned_at == KT_NEVER)
		returned_at = kclock_now(&clk);
}

/* A 480x320 window on the real clock, 30 frames a second, and the idle
 * screen to show in *s. */
static struct video *open_video(bool animate, struct screen *s)
{
	kclock_init(&clk, false);
	struct video_config c = {.routine = "Test routine",
				 .width = 480,
				 .height = 320,
				 .fps = 30,
				 .animate = animate,
				 .clock = &clk};
	struct video *v = video_open(&c);
	assert_non_null(v);
	*s = (struct screen){.kind = SCREEN_ATTRACT, .minutes = 2};
	strcpy(s->title, "Test routine");
	return v;
}

static void test_first_frame_is_when_its_present_returned(void **state)
{
	(void)state;
	struct screen s;
	struct video *v = open_video(true, &s);
	kt_ms asked = kclock_now(&clk);
	video_show(v, &s, asked);
	video_update(v, asked, KT_NEVER);
	struct video_stats st;
	video_stats(v, &st);
	print_message("drawing asked at %lld ms, present returned at %lld "
		      "ms, first frame logged at %lld ms\n",
		      (long long)asked, (long long)returned_at,
		      (long long)st.first_frame);
	assert_int_equal(presents, 1);
	assert_int_equal(st.frames, 1);
	assert_true(returned_at != KT_NEVER);
	assert_true(st.first_frame >= returned_at);
	assert_true(st.first_frame >= asked + PRESENT_MS);
	video_close(v);
}

/* The first screen goes up as soon as it is drawn, though it is due a
 * sound's lead later; every screen after it waits for its time. */
static void test_first_screen_does_not_wait_for_the_lead(void **state)
{
	(void)state;
	struct screen s;
	struct video *v = open_video(false, &s);
	kt_ms now = kclock_now(&clk);
	int before = presents;
	video_show(v, &s, now + 250);
	video_update(v, now, KT_NEVER);
	assert_int_equal(presents, before + 1);
	s.kind = SCREEN_SAFETY;
	video_show(v, &s, now + 500);
	video_update(v, now, KT_NEVER);
	assert_int_equal(presents, before + 1); /* not yet due */
	video_update(v, now + 500, KT_NEVER);
	assert_int_equal(presents, before + 2);
	video_close(v);
}

/* The voice never waits for a picture: once frames are known to take
 * longer than the time left before the engine's next action, an
 * animation frame waits until after it (and the loop is not woken
 * before), while a change of picture is drawn at once. */
static void test_animation_frame_waits_for_the_engine(void **state)
{
	(void)state;
	struct screen s;
	struct video *v = open_video(true, &s);
	video_show(v, &s, kclock_now(&clk));
	video_update(v, kclock_now(&clk), KT_NEVER);
	/* Three animation frames, nothing else due: each drawn, and each
	 * takes the wrapped present's 30 ms. */
	for (int i = 0; i < 3; i++) {
		int before = presents;
		video_update(v, video_wake(v), KT_NEVER);
		assert_int_equal(presents, before + 1);
	}
	kt_ms due = video_wake(v), engine = due + 5;
	int before = presents;
	video_update(v, due, engine);
	assert_int_equal(presents, before); /* put off */
	assert_true(video_wake(v) >= engine);
	video_update(v, video_wake(v), KT_NEVER);
	assert_int_equal(presents, before + 1); /* drawn after it */
	/* A new picture is not put off: it carries the action's words. */
	s.kind = SCREEN_SAFETY;
	kt_ms now = kclock_now(&clk);
	video_show(v, &s, now);
	video_update(v, now, now + 1);
	assert_int_equal(presents, before + 2);
	struct video_stats st;
	video_stats(v, &st);
	assert_int_equal(st.put_off, 1);
	video_close(v);
}

static int setup(void **state)
{
	(void)state;
	return setenv("SDL_VIDEODRIVER", "dummy", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_frame_is_when_its_present_returned),
	    cmocka_unit_test(test_first_screen_does_not_wait_for_the_lead),
	    cmocka_unit_test(test_animation_frame_waits_for_the_engine),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
