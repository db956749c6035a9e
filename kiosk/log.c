/*
 * log.c - the kiosk's log lines.
 */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static FILE *log_stream;

void log_to(FILE *stream)
{
	log_stream = stream;
}

void log_msg(const char *fmt, ...)
{
	FILE *out = log_stream ? log_stream : stderr;
	va_list ap;
	va_start(ap, fmt);
	/* One line at a time: the painter's thread may log at start
	 * (video.c) while the main thread does. */
	flockfile(out);
	fputs("kiosk: ", out);
	vfprintf(out, fmt, ap);
	fputc('\n', out);
	fflush(out);
	funlockfile(out);
	va_end(ap);
}

int log_quiet_begin(void)
{
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

void log_quiet_end(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}
