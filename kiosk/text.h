/*
 * text.h - small pure helpers for the words the kiosk speaks and shows.
 *
 * No allocation, no global state; safe from any thread.
 */
#ifndef KIOSK_TEXT_H
#define KIOSK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "ktime.h"

/* Values that may stand in a phrase template as {n}, {total}, {name},
 * {repeat}, {repeats} and {minutes}. */
struct text_args {
	int n, total, repeat, repeats, minutes;
	const char *name;
};

/* Expand a template into out (always NUL-terminated, truncated to fit).
 * Unknown {words} are copied as they are; config.c rejects them earlier. */
void text_format(char *out, size_t size, const char *tmpl,
		 const struct text_args *a);

/* Whether a {placeholder} in tmpl is one text_format knows; on false,
 * *bad points at the first unknown one. */
bool text_template_ok(const char *tmpl, const char **bad);

/* Rough length of a spoken line at `rate` words per minute, from its
 * characters and commas. Used until the voice adapter measures the real
 * synthesised audio. */
kt_ms text_speech_estimate(const char *text, int rate);

/* Well-formed UTF-8 with no control characters (tab allowed). */
bool text_is_clean_utf8(const char *s, size_t len);

/* Copy at most size-1 bytes, never splitting a UTF-8 sequence. */
void text_copy(char *out, size_t size, const char *in);

#endif
