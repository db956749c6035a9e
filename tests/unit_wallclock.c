/*
 * unit_wallclock.c - the wall-clock shim (tests/wallclock_shim.c) answers
 * to every name this platform's glibc sends a wall-clock read to. The
 * shim is linked into this program, so a call binds to it exactly as it
 * would through LD_PRELOAD: by name. Built with _TIME_BITS=64, as all of
 * Debian 13's armhf is, so that on a 32-bit system time() and the rest
 * are glibc's 64-bit-time names (__time64, __clock_gettime64, ...), and
 * the 32-bit names are called too, under their own names. On a 64-bit
 * system both are the one set of names. A read the shim missed comes
 * back unshifted, and the test fails. make check-cross runs it on arm64
 * and armhf under qemu-user.
 */
#define _TIME_BITS 64
#include "testutil.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SHIFT (-7200)

static char offset_file[64];

/* The true time, from the kernel itself: its 64-bit call on a 32-bit
 * system (where struct timespec is now 64-bit, and the old call's is
 * not), its only one on a 64-bit system. */
static int64_t wall_truth(void)
{
#ifdef SYS_clock_gettime64
	struct {
		int64_t sec, nsec;
	} k;
	assert_int_equal(syscall(SYS_clock_gettime64, CLOCK_REALTIME, &k), 0);
	return k.sec;
#else
	struct timespec ts;
	assert_int_equal(syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts), 0);
	return (int64_t)ts.tv_sec;
#endif
}

static int setup(void **state)
{
	(void)state;
	snprintf(offset_file, sizeof offset_file, "/tmp/wallclock-XXXXXX");
	int fd = mkstemp(offset_file);
	if (fd < 0)
		return -1;
	int ok = dprintf(fd, "%d\n", SHIFT) > 0;
	close(fd);
	return ok && setenv("KIOSK_WALLCLOCK_FILE", offset_file, 1) == 0 ? 0
									 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(offset_file);
	return 0;
}

/* Moved by SHIFT, give or take the second that may tick between reads. */
static void assert_shifted(int64_t got, const char *what)
{
	int64_t moved = got - wall_truth();
	print_message("   %s: %+lld s\n", what, (long long)moved);
	if (moved < SHIFT - 2 || moved > SHIFT + 2)
		fail_msg("%s moved the clock by %lld s, not %d", what,
			 (long long)moved, SHIFT);
}

static void test_time(void **state)
{
	(void)state;
	time_t t = 0;
	time_t got = time(&t);
	assert_true(got == t);
	assert_shifted((int64_t)got, "time()");
}

static void test_clock_gettime_wall_clocks(void **state)
{
	(void)state;
	static const struct {
		clockid_t id;
		const char *name;
	} clocks[] = {
	    {CLOCK_REALTIME, "clock_gettime(CLOCK_REALTIME)"},
	    {CLOCK_REALTIME_COARSE, "clock_gettime(CLOCK_REALTIME_COARSE)"},
	};
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		struct timespec ts;
		assert_int_equal(clock_gettime(clocks[i].id, &ts), 0);
		assert_shifted((int64_t)ts.tv_sec, clocks[i].name);
	}
}

/* The monotonic clock is the kiosk's timing: never moved. */
static void test_monotonic_untouched(void **state)
{
	(void)state;
	struct timespec ts, k;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
#ifdef SYS_clock_gettime64
	struct {
		int64_t sec, nsec;
	} k64;
	assert_int_equal(syscall(SYS_clock_gettime64, CLOCK_MONOTONIC, &k64),
			 0);
	k.tv_sec = (time_t)k64.sec;
#else
	assert_int_equal(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &k), 0);
#endif
	assert_true(k.tv_sec - ts.tv_sec >= 0 && k.tv_sec - ts.tv_sec <= 2);
}

static void test_gettimeofday(void **state)
{
	(void)state;
	struct timeval tv;
	assert_int_equal(gettimeofday(&tv, NULL), 0);
	assert_shifted((int64_t)tv.tv_sec, "gettimeofday()");
}

static void test_timespec_get(void **state)
{
	(void)state;
	struct timespec ts;
	assert_int_equal(timespec_get(&ts, TIME_UTC), TIME_UTC);
	assert_shifted((int64_t)ts.tv_sec, "timespec_get()");
}

/* On a 32-bit system, the names a program built without _TIME_BITS=64
 * calls (Debian 12's armhf kiosk): declared here under their own names. */
static void test_32bit_time_names(void **state)
{
	(void)state;
#if defined(__TIMESIZE) && __TIMESIZE == 32
	struct ts32 {
		int32_t sec, nsec;
	} ts;
	extern int32_t time32(int32_t *) __asm__("time");
	extern int clock_gettime32(clockid_t, struct ts32 *) __asm__(
	    "clock_gettime");
	assert_shifted(time32(NULL), "time() (32-bit)");
	assert_int_equal(clock_gettime32(CLOCK_REALTIME, &ts), 0);
	assert_shifted(ts.sec, "clock_gettime() (32-bit)");
#else
	print_message("   64-bit time is the only time here\n");
#endif
	assert_int_equal(sizeof(time_t), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_clock_gettime_wall_clocks),
	    cmocka_unit_test(test_monotonic_untouched),
	    cmocka_unit_test(test_gettimeofday),
	    cmocka_unit_test(test_timespec_get),
	    cmocka_unit_test(test_32bit_time_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
