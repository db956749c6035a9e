/*
 * wallclock_shim.c - an LD_PRELOAD library for tests that moves the wall
 * clock, and only the wall clock, of the program it is loaded into.
 *
 * $KIOSK_WALLCLOCK_FILE names a file holding a whole number of seconds
 * (e.g. "86400" or "-3600"); every read of the wall clock (time(),
 * gettimeofday(), timespec_get(), clock_gettime() of CLOCK_REALTIME,
 * CLOCK_REALTIME_COARSE and CLOCK_TAI) comes back shifted by it. On a
 * 32-bit system glibc has a second name for each, taking a 64-bit time
 * (__time64, __clock_gettime64, __gettimeofday64, __timespec_get64),
 * which every program built with _TIME_BITS=64 calls (all of Debian 13's
 * armhf, and date(1) on Debian 12's): those are shifted too. The file
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
 * Built as a shared object without sanitizers (Makefile: wallclock.so),
 * and linked into tests/unit_wallclock.c, which checks each name.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* Both sets of names are defined here explicitly: the headers must not
 * rename time() and the rest to their 64-bit-time names. */
#undef _TIME_BITS
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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

#if defined(__TIMESIZE) && __TIMESIZE == 32
/* glibc's 64-bit time types on a 32-bit system (struct __timespec64 and
 * struct __timeval64), which its headers only declare for _TIME_BITS=64:
 * a 64-bit second and, for the timespec, a 32-bit nanosecond padded to 64
 * bits on the side the byte order puts it. */
struct ts64 {
	int64_t tv_sec;
#if __BYTE_ORDER == __BIG_ENDIAN
	int32_t pad, tv_nsec;
#else
	int32_t tv_nsec, pad;
#endif
};
struct tv64 {
	int64_t tv_sec;
	int64_t tv_usec;
};

int __clock_gettime64(clockid_t id, struct ts64 *ts);
int64_t __time64(int64_t *t);
int __gettimeofday64(struct tv64 *restrict tv, void *restrict tz);
int __timespec_get64(struct ts64 *ts, int base);

/* The 64-bit system call where the kernel has it (5.1 on), else the
 * 32-bit one. */
static int real_clock64(clockid_t id, struct ts64 *ts)
{
#ifdef SYS_clock_gettime64
	struct {
		int64_t sec, nsec;
	} k;
	if (syscall(SYS_clock_gettime64, id, &k) == 0) {
		ts->tv_sec = k.sec;
		ts->tv_nsec = (int32_t)k.nsec;
		ts->pad = 0;
		return 0;
	}
	if (errno != ENOSYS)
		return -1;
#endif
	struct timespec t;
	if (real_clock(id, &t) < 0)
		return -1;
	ts->tv_sec = t.tv_sec;
	ts->tv_nsec = (int32_t)t.tv_nsec;
	ts->pad = 0;
	return 0;
}

int __clock_gettime64(clockid_t id, struct ts64 *ts)
{
	int rc = real_clock64(id, ts);
	if (rc == 0 && is_wall(id))
		ts->tv_sec += shift();
	return rc;
}

int64_t __time64(int64_t *t)
{
	struct ts64 ts;
	if (__clock_gettime64(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int __gettimeofday64(struct tv64 *restrict tv, void *restrict tz)
{
	(void)tz;
	struct ts64 ts;
	int rc = __clock_gettime64(CLOCK_REALTIME, &ts);
	if (rc == 0) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return rc;
}

int __timespec_get64(struct ts64 *ts, int base)
{
	if (base != TIME_UTC || __clock_gettime64(CLOCK_REALTIME, ts) < 0)
		return 0;
	return base;
}
#endif
