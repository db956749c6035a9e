/*
 * diag.h - error messages about a file, each as "FILE:LINE: message".
 *
 * A struct diags collects every problem found in one pass so staff see all
 * of them at once. It owns its messages; diag_free releases them. Not
 * thread-safe.
 *
 * Errors make a file unusable. Warnings (kiosk --check only: the kiosk
 * itself runs a file with warnings as it is) point at what is allowed but
 * probably not meant; they are kept only when `want_warnings` is set, so
 * every other reader of a file sees errors alone. An error prints as
 * "FILE:LINE: message", the form DESIGN.md promises to scripts; a
 * warning as "FILE:LINE: warning: message", so the two never mix up.
 */
#ifndef KIOSK_DIAG_H
#define KIOSK_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#define DIAGS_MAX 100 /* after this many, one more line says so and stops */

struct diag {
	int line;
	int seq; /* order found, to keep messages about one line in order */
	bool warning;
	char *message;
};

struct diags {
	const char *file; /* borrowed: the name every message is about */
	struct diag *item;
	int count, cap;
	int dropped;	    /* messages past DIAGS_MAX */
	int warnings;	    /* how many of `count` are warnings */
	bool want_warnings; /* keep warnings (kiosk --check); else dropped */
};

void diag_init(struct diags *d, const char *file);
void diag_free(struct diags *d);

/* Record a problem at `line` (1-based). printf-style. */
void diag_add(struct diags *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A warning at `line`: kept only when d->want_warnings. */
void diag_warn(struct diags *d, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* How many errors (warnings not counted, dropped messages counted). */
int diag_errors(const struct diags *d);

/* Print every message, in line order, one per line. */
void diag_print(const struct diags *d, FILE *to);

#endif
