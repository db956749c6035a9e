/*
 * diag.h - error messages about a file, each as "FILE:LINE: message".
 *
 * A struct diags collects every problem found in one pass so staff see all
 * of them at once. It owns its messages; diags_free releases them. Not
 * thread-safe.
 */
#ifndef KIOSK_DIAG_H
#define KIOSK_DIAG_H

#include <stdio.h>

#define DIAGS_MAX 100 /* after this many, one more line says so and stops */

struct diag {
	int line;
	int seq; /* order found, to keep messages about one line in order */
	char *message;
};

struct diags {
	const char *file; /* borrowed: the name every message is about */
	struct diag *item;
	int count, cap;
	int dropped; /* messages past DIAGS_MAX */
};

void diags_init(struct diags *d, const char *file);
void diags_free(struct diags *d);

/* Record a problem at `line` (1-based). printf-style. */
void diag_add(struct diags *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print every message, in line order, one per line. */
void diags_print(const struct diags *d, FILE *to);

#endif
