/*
 * log.c - the kiosk's log lines.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void log_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kiosk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
