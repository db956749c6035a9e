/*
 * fuzz_script.c - libFuzzer target for the scripted-input parser: any
 * bytes through script_parse.
 *
 * Besides crashes and sanitizer reports, what script.h promises is
 * checked: either events and no messages, or -1, messages and nothing
 * owned; events in time order, each from a real line, with a known kind,
 * and a press's or hold's up never before its down. A broken promise
 * aborts, which libFuzzer records as a crash. Times are checked against
 * the text: one that wrapped would land in range unnoticed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null_out;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "fuzz_script: broken promise: %s\n",   \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* Diagnostics are printed too, as the kiosk would, but to nowhere. */
	null_out = fopen("/dev/null", "w");
	if (!null_out)
		exit(2);
	return 0;
}

/* The milliseconds a time's digits say, worked out digit by digit:
 * seconds, then the first three decimals (milliseconds are cut, not
 * rounded). No floating point: 10.00499999999999999999 is 10004 ms,
 * which a long double rounds up to 10005. An accepted time is at most a
 * day, so the seconds cannot overflow here. */
static kt_ms exact_ms(const char *t, size_t n)
{
	kt_ms sec = 0, ms = 0;
	size_t i = 0;
	for (; i < n && t[i] >= '0' && t[i] <= '9' && sec <= 86400; i++)
		sec = sec * 10 + (t[i] - '0');
	if (i < n && t[i] == '.')
		for (int unit = 100;
		     ++i < n && unit && t[i] >= '0' && t[i] <= '9'; unit /= 10)
			ms += (t[i] - '0') * unit;
	return sec * 1000 + ms;
}

/* A time that wrapped would land in range: each accepted line's time,
 * read exactly from its text, must be the time its first event has. */
static void check_times(const uint8_t *data, size_t size,
			const struct script *s, size_t lines)
{
	kt_ms *first = malloc(sizeof *first * (lines + 1));
	CHECK(first != NULL);
	for (size_t i = 0; i <= lines; i++)
		first[i] = KT_NEVER;
	for (int i = 0; i < s->count; i++)
		if (s->event[i].at < first[s->event[i].line])
			first[s->event[i].line] = s->event[i].at;
	size_t line = 1;
	for (size_t pos = 0; pos < size; line++) {
		const char *p = (const char *)data + pos;
		const char *nl = memchr(p, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - p) : size - pos;
		pos += len + 1;
		if (first[line] == KT_NEVER)
			continue;
		size_t skip = 0;
		while (skip < len && strchr(" \t\xEF\xBB\xBF", p[skip]) &&
		       p[skip])
			skip++;
		CHECK(skip < len &&
		      ((p[skip] >= '0' && p[skip] <= '9') || p[skip] == '.'));
		CHECK(first[line] == exact_ms(p + skip, len - skip));
	}
	free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s;
	struct diags d;
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	diag_init(&d, "fuzz.script");
	/* The bytes exactly as given, not NUL-terminated: a read past the
	 * end is the sanitizer's to catch. */
	int rc = script_parse((const char *)data, size, &s, &d);
	CHECK(rc == 0 || rc == -1);
	CHECK((rc == 0) == (d.count == 0 && d.dropped == 0));
	CHECK(d.count >= 0 && d.count <= DIAGS_MAX);
	for (int i = 0; i < d.count; i++) {
		CHECK(d.item[i].message && *d.item[i].message);
		CHECK(d.item[i].line >= 1 && (size_t)d.item[i].line <= lines);
	}
	if (rc)
		CHECK(s.event == NULL && s.count == 0);
	CHECK(s.count >= 0 && s.next == 0);
	CHECK(s.count == 0 || s.event != NULL);
	/* Balance of button edges from each line: a press or hold gives a
	 * down first, then its up. */
	for (int i = 0; i < s.count; i++) {
		const struct script_event *e = &s.event[i];
		CHECK(e->kind >= SCRIPT_DOWN && e->kind <= SCRIPT_QUIT);
		CHECK(e->at >= 0 && e->at <= 2 * (86400 * 1000 + 999));
		CHECK(e->line >= 1 && (size_t)e->line <= lines);
		if (i > 0)
			CHECK(s.event[i - 1].at <= e->at);
		if (e->kind == SCRIPT_UP)
			for (int j = i + 1; j < s.count; j++)
				CHECK(s.event[j].line != e->line ||
				      s.event[j].kind != SCRIPT_DOWN);
	}
	CHECK(script_next_at(&s) == (s.count ? s.event[0].at : KT_NEVER));
	check_times(data, size, &s, lines);
	diag_print(&d, null_out);
	diag_free(&d);
	script_free(&s);
	CHECK(s.event == NULL && s.count == 0);
	return 0;
}
