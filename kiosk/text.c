/*
 * text.c - phrase templates, speech length estimates and UTF-8 checks.
 */
#include "text.h"

#include <stdio.h>
#include <string.h>

#include "routine.h"

/* Spoken text knows the first SPOKEN; screen words know them all. */
static const char *const placeholders[] = {
    "n",   "total", "name",    "repeat",    "repeats", "minutes",
    "rep", "reps",  "seconds", "exercises", "time",
};
enum { SPOKEN = 6, ALL = sizeof placeholders / sizeof *placeholders };

static int placeholder_index(const char *p, size_t len)
{
	for (size_t i = 0; i < ALL; i++)
		if (strlen(placeholders[i]) == len &&
		    memcmp(placeholders[i], p, len) == 0)
			return (int)i;
	return -1;
}

const char *text_placeholders(bool screen)
{
	return screen ? "{n} {total} {name} {repeat} {repeats} {minutes} "
			"{rep} {reps} {seconds} {exercises} {time}"
		      : "{n} {total} {name} {repeat} {repeats} {minutes}";
}

bool text_template_ok(const char *tmpl, bool screen, const char **bad)
{
	int known = screen ? ALL : SPOKEN;
	for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');
		int k = close
			    ? placeholder_index(p + 1, (size_t)(close - p - 1))
			    : -1;
		if (k < 0 || k >= known) {
			*bad = p;
			return false;
		}
	}
	return true;
}

void text_copy(char *out, size_t size, const char *in)
{
	size_t len = strlen(in);
	if (len >= size) {
		len = size - 1;
		/* Back up over UTF-8 continuation bytes to a whole character.
		 */
		while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, in, len);
	out[len] = '\0';
}

void text_format(char *out, size_t size, const char *tmpl,
		 const struct text_args *a)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = tmpl; *p && o + 1 < size;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		int k = close
			    ? placeholder_index(p + 1, (size_t)(close - p - 1))
			    : -1;
		if (k < 0) {
			out[o++] = *p++;
			continue;
		}
		char num[16];
		const char *val = num;
		int v[] = {a->n,       a->total,    0,	    a->repeat,
			   a->repeats, a->minutes,  a->rep, a->reps,
			   a->seconds, a->exercises};
		if (k == 2)
			val = a->name ? a->name : "";
		else if (k == ALL - 1)
			val = a->time ? a->time : "";
		else
			snprintf(num, sizeof num, "%d", v[k]);
		text_copy(out + o, size - o, val);
		o += strlen(out + o);
		p = close + 1;
	}
	out[o] = '\0';
}

kt_ms text_speech_estimate(const char *text, int rate)
{
	kt_ms chars = 0, pauses = 0;
	for (const char *p = text; *p; p++) {
		chars += ((unsigned char)*p & 0xC0) != 0x80;
		pauses += *p == ',' || *p == ';' || *p == ':';
	}
	if (rate < 1)
		rate = 1;
	/* Fitted to eSpeak NG 1.51 at 150 words a minute over the default
	 * routine's 61 distinct lines, as speech.c trims them (mean error
	 * 3 ms, rms 0.41 s): 56 ms a character, 250 ms a comma, and 300 ms
	 * for the first and last sounds. */
	return 300 + (56 * chars + 250 * pauses) * 150 / rate;
}

bool text_is_clean_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned c = *p++;
		int more;
		unsigned min;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7F)
				return false;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			more = 1, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			more = 2, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			more = 3, min = 0x10000, c &= 0x07;
		} else {
			return false;
		}
		if (end - p < more)
			return false;
		for (int i = 0; i < more; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			c = (c << 6) | (p[i] & 0x3F);
		}
		p += more;
		/* Overlong forms, surrogates, beyond Unicode; and the C1
		 * controls (U+0080 to U+009F), which are control characters
		 * like those below 0x20 and show as nothing or garbage. */
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) ||
		    c <= 0x9F)
			return false;
	}
	return true;
}

void text_name_field(char *out, const char *in)
{
	size_t len = in ? strlen(in) : 0;
	if (len > ROUTINE_NAME_BYTES - 1) {
		len = ROUTINE_NAME_BYTES - 1;
		while (len > 0 && ((unsigned char)in[len] & 0xC0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	out[len] = '\0';
}

uint64_t text_hash_bytes(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(1099511628211);
	return h;
}

uint64_t text_hash(const char *s)
{
	return text_hash_bytes(TEXT_HASH_START, s, strlen(s));
}
