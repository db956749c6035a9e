/*
 * unit_loop.c - the loop's contract: the earliest wake-up of all parts
 * wins (the virtual clock jumps to it), a part is woken when its
 * descriptor is readable and only then (unless it asks for every wake),
 * parts with no descriptor or no wake-up are fine, an error on a
 * descriptor wakes its part, and a full table is refused. Pipes stand in for the kiosk's descriptors.
 */
#include "testutil.h"

#include <unistd.h>

#include "loop.h"

struct fake {
	int fd;
	kt_ms wake;
	int woken;
};

static int fake_fd(const void *ctx)
{
	return ((const struct fake *)ctx)->fd;
}

static kt_ms fake_wake(const void *ctx)
{
	return ((const struct fake *)ctx)->wake;
}

static void fake_ready(void *ctx)
{
	struct fake *f = ctx;
	f->woken++;
	char c;
	if (f->fd >= 0)
		assert_int_equal(read(f->fd, &c, 1), 1);
}

static const struct loop_part part = {
    .name = "fake", .fd = fake_fd, .wake = fake_wake, .ready = fake_ready};
static const struct loop_part always = {
    .name = "always", .fd = fake_fd, .ready = fake_ready, .every_wake = true};
static const struct loop_part timer_only = {.name = "timer", .wake = fake_wake};

static void test_virtual_clock_jumps_to_earliest_wake(void **state)
{
	(void)state;
	struct kclock c;
	kclock_init(&c, true);
	struct loop l;
	loop_init(&l, &c);
	struct fake a = {.fd = -1, .wake = 5000}, b = {.fd = -1, .wake = 1200};
	struct fake never = {.fd = -1, .wake = KT_NEVER};
	loop_add(&l, &part, &a);
	loop_add(&l, &timer_only, &b);
	loop_add(&l, &part, &never);
	assert_int_equal(loop_next_wake(&l), 1200);
	loop_wait(&l);
	assert_int_equal(kclock_now(&c), 1200);
	assert_int_equal(a.woken + b.woken + never.woken, 0);
	b.wake = KT_NEVER;
	loop_wait(&l);
	assert_int_equal(kclock_now(&c), 5000);
}

static void test_readable_descriptor_wakes_its_part_only(void **state)
{
	(void)state;
	struct kclock c;
	kclock_init(&c, false);
	struct loop l;
	loop_init(&l, &c);
	int p1[2], p2[2];
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	struct fake quiet = {.fd = p1[0], .wake = KT_NEVER};
	struct fake told = {.fd = p2[0], .wake = KT_NEVER};
	struct fake every = {.fd = -1};
	loop_add(&l, &part, &quiet);
	loop_add(&l, &part, &told);
	loop_add(&l, &always, &every);
	assert_int_equal(write(p2[1], "x", 1), 1);
	loop_wait(&l); /* would sleep for ever if the pipe were not seen */
	assert_int_equal(quiet.woken, 0);
	assert_int_equal(told.woken, 1);
	assert_int_equal(every.woken, 1);
	/* A real-clock wake-up already past does not sleep. */
	told.wake = 0;
	loop_wait(&l);
	assert_int_equal(told.woken, 1);
	assert_int_equal(every.woken, 2);
	close(p1[0]);
	close(p1[1]);
	close(p2[0]);
	close(p2[1]);
}

static void count_only(void *ctx)
{
	((struct fake *)ctx)->woken++;
}

/* A descriptor in error (here the write end of a pipe nobody reads) is
 * news for its part, which finds out what by reading: were it ignored,
 * poll() would return at once, again and again. */
static void test_error_wakes_its_part(void **state)
{
	(void)state;
	static const struct loop_part counted = {
	    .name = "counted", .fd = fake_fd, .ready = count_only};
	struct kclock c;
	kclock_init(&c, false);
	struct loop l;
	loop_init(&l, &c);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	struct fake broken = {.fd = p[1], .wake = KT_NEVER};
	loop_add(&l, &counted, &broken);
	loop_wait(&l); /* poll() returns at once: the part must hear of it */
	assert_int_equal(broken.woken, 1);
	close(p[1]);
}

static void test_full_table_is_refused(void **state)
{
	(void)state;
	struct kclock c;
	kclock_init(&c, true);
	struct loop l;
	loop_init(&l, &c);
	struct fake f = {.fd = -1, .wake = KT_NEVER};
	for (int i = 0; i < LOOP_PARTS; i++)
		assert_int_equal(loop_add(&l, &part, &f), 0);
	assert_int_equal(loop_add(&l, &part, &f), -1);
	assert_int_equal(l.count, LOOP_PARTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_virtual_clock_jumps_to_earliest_wake),
	    cmocka_unit_test(test_readable_descriptor_wakes_its_part_only),
	    cmocka_unit_test(test_error_wakes_its_part),
	    cmocka_unit_test(test_full_table_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
