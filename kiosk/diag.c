/*
 * diag.c - collecting and printing "FILE:LINE: [warning: ]message".
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diags *d, const char *file)
{
	memset(d, 0, sizeof *d);
	d->file = file;
}

void diag_free(struct diags *d)
{
	for (int i = 0; i < d->count; i++)
		free(d->item[i].message);
	free(d->item);
	d->item = NULL;
	d->count = d->cap = d->dropped = d->warnings = 0;
}

static void add(struct diags *d, int line, bool warning, const char *fmt,
		va_list ap) __attribute__((format(printf, 4, 0)));

static void add(struct diags *d, int line, bool warning, const char *fmt,
		va_list ap)
{
	if (d->count >= DIAGS_MAX) {
		d->dropped += !warning;
		return;
	}
	if (d->count == d->cap) {
		int cap = d->cap ? d->cap * 2 : 8;
		struct diag *item =
		    realloc(d->item, sizeof *item * (size_t)cap);
		if (!item) {
			d->dropped += !warning;
			return;
		}
		d->item = item;
		d->cap = cap;
	}
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	char *message = strdup(buf);
	if (!message) {
		d->dropped += !warning;
		return;
	}
	d->item[d->count] = (struct diag){.line = line,
					  .seq = d->count,
					  .warning = warning,
					  .message = message};
	d->count++;
	d->warnings += warning;
}

void diag_add(struct diags *d, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, line, false, fmt, ap);
	va_end(ap);
}

void diag_warn(struct diags *d, int line, const char *fmt, ...)
{
	if (!d->want_warnings)
		return;
	va_list ap;
	va_start(ap, fmt);
	add(d, line, true, fmt, ap);
	va_end(ap);
}

int diag_errors(const struct diags *d)
{
	return d->count - d->warnings + d->dropped;
}

static int by_line(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq - y->seq;
}

void diag_print(const struct diags *d, FILE *to)
{
	struct diag *sorted = malloc(sizeof *sorted * (size_t)(d->count + 1));
	if (sorted && d->count) {
		memcpy(sorted, d->item, sizeof *sorted * (size_t)d->count);
		qsort(sorted, (size_t)d->count, sizeof *sorted, by_line);
	}
	const struct diag *list = sorted ? sorted : d->item;
	/* Line 0 is the file as a whole (it cannot be opened, say). */
	for (int i = 0; i < d->count; i++) {
		/* Only a reader that keeps warnings needs to say which is
		 * which; the kiosk's log and a script's errors stay as they
		 * always were. */
		const char *what = list[i].warning ? "warning: " : "";
		if (list[i].line > 0)
			fprintf(to, "%s:%d: %s%s\n", d->file, list[i].line,
				what, list[i].message);
		else
			fprintf(to, "%s: %s%s\n", d->file, what,
				list[i].message);
	}
	if (d->dropped)
		fprintf(to, "%s: %d more errors not shown; fix these first\n",
			d->file, d->dropped);
	free(sorted);
}
