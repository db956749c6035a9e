/*
 * wallclock_shim.c - an LD_PRELOAD library for tests that moves the wall
 * clock, and only the wall clock, of the program it is loaded into.
 *
 * $KIOSK_WALLCLOCK_FILE names a file holding a whole number of seconds
 * (e.g. "86400" or "-3600"); every read of the wall clock (time(),
 * gettimeofday(), timespec_get(), clock_gettime() of CLOCK_REALTIME,
 * CLOCK_REALTIME_COARSE and CLOCK_TAI) comes back shifted by it. The file
 * is read at every call, so a test jumps the clock mid-run by rewriting
 * it (write a new file and rename() it over, so a reader never sees half
 * a number). A missing or empty file is no shift. The monotonic clocks
 * are passed through untouched.
 *
 * The real clocks are read with the system call itself, so the shim
 * needs no dlsym() and works behind another interposer. Under
 * AddressSanitizer the test puts libasan first in LD_PRELOAD (ASan
 * insists on coming first); ASan's own clock interceptors then call on
 * into these functions.
 *
 * Built as a shared object without sanitizers (Makefile: wallclock.so).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Exported (and so interposed) functions need prototypes for -Wall;
 * the system headers give them. The shift is in seconds. */
static long long shift(void)
{
	const char *path = getenv("KIOSK_WALLCLOCK_FILE");
	if (!path)
		return 0;
	int saved = errno;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long long s = 0;
	if (fd >= 0) {
		char buf[32];
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			s = strtoll(buf, NULL, 10);
		}
	}
	errno = saved;
	return s;
}

static int real_clock(clockid_t id, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, id, ts);
}

static int is_wall(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE ||
	       id == CLOCK_TAI;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc = real_clock(id, ts);
	if (rc == 0 && is_wall(id))
		ts->tv_sec += (time_t)shift();
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return (time_t)-1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

/* The time zone argument is obsolete; like glibc, it is ignored. glibc
 * declares tv non-null. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	(void)tz;
	struct timespec ts;
	int rc = clock_gettime(CLOCK_REALTIME, &ts);
	if (rc == 0) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return rc;
}

int timespec_get(struct timespec *ts, int base)
{
	if (base != TIME_UTC || clock_gettime(CLOCK_REALTIME, ts) < 0)
		return 0;
	return base;
}
