/*
 * text.h - small pure helpers for the words the kiosk speaks and shows.
 *
 * No allocation, no global state; safe from any thread.
 */
#ifndef KIOSK_TEXT_H
#define KIOSK_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ktime.h"

/* Values that may stand in a template as {n}, {total}, {name}, {repeat},
 * {repeats} and {minutes}; words on the screens may also use {rep},
 * {reps}, {seconds}, {exercises} and {time} (like 8:05). */
struct text_args {
	int n, total, repeat, repeats, minutes;
	const char *name;
	int rep, reps, seconds, exercises;
	const char *time;
};

/* Expand a template into out (always NUL-terminated, truncated to fit).
 * Unknown {words} are copied as they are; config.c rejects them earlier. */
void text_format(char *out, size_t size, const char *tmpl,
		 const struct text_args *a);

/* Whether every {placeholder} in tmpl is one text_format knows (with
 * `screen`, also those only the screens fill in); on false, *bad points at
 * the first unknown one. */
bool text_template_ok(const char *tmpl, bool screen, const char **bad);

/* The placeholders a template may use, as a list for messages. */
const char *text_placeholders(bool screen);

/* Rough length of a spoken line at `rate` words per minute, from its
 * characters and commas. Used until the voice adapter measures the real
 * synthesised audio. */
kt_ms text_speech_estimate(const char *text, int rate);

/* Well-formed UTF-8 with no control characters (tab allowed). */
bool text_is_clean_utf8(const char *s, size_t len);

/* Copy at most size-1 bytes, never splitting a UTF-8 sequence. */
void text_copy(char *out, size_t size, const char *in);

/* A name as one field of a tab-separated line: control characters
 * (tabs, newlines) become spaces, and it is cut to ROUTINE_NAME_BYTES - 1
 * bytes on a character boundary. `out` holds ROUTINE_NAME_BYTES. */
void text_name_field(char *out, const char *in);

/* 64-bit FNV-1a, the kiosk's one hash (speech cache, name map, routine
 * fingerprint, the painter's widths): text_hash of a string, or
 * text_hash_bytes to go on from TEXT_HASH_START (or an earlier result)
 * over bytes that come in pieces. */
#define TEXT_HASH_START UINT64_C(14695981039346656037)
uint64_t text_hash_bytes(uint64_t h, const void *bytes, size_t n);
uint64_t text_hash(const char *s);

#endif
