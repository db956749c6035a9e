/*
 * script.c - parsing scripted input files.
 */
#include "script.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "text.h"

#define SCRIPT_MAX_SECONDS 86400 /* a day: far beyond any session */
#define SCRIPT_FILE_MAX	   (4 * 1024 * 1024)

/* Seconds with up to millisecond precision: digits[.digits]. */
static bool parse_seconds(const char *s, kt_ms *out)
{
	kt_ms whole = 0, frac = 0, scale = 100;
	bool digits = false;
	for (; *s >= '0' && *s <= '9'; s++, digits = true)
		if ((whole = whole * 10 + (*s - '0')) > SCRIPT_MAX_SECONDS)
			return false;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9';
		     s++, digits = true, scale /= 10)
			frac += (*s - '0') * scale;
	*out = whole * 1000 + frac;
	return digits && !*s;
}

static int push(struct script *s, int *cap, kt_ms at, enum script_kind kind,
		int line)
{
	if (s->count == *cap) {
		int n = *cap ? *cap * 2 : 64;
		struct script_event *ev =
		    realloc(s->event, sizeof *ev * (size_t)n);
		if (!ev)
			return -1;
		s->event = ev;
		*cap = n;
	}
	s->event[s->count++] = (struct script_event){at, kind, line};
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct script_event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	/* Same time: file order, and a press's own up after its down. */
	return x->line != y->line ? x->line - y->line
				  : (int)x->kind - (int)y->kind;
}

/* One line's words, comment stripped; returns how many (at most max). */
static int split(char *line, char **word, int max)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	int n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r", &save); w;
	     w = strtok_r(NULL, " \t\r", &save))
		if (n++ < max)
			word[n - 1] = w;
	return n;
}

static int parse_line(struct script *s, int *cap, char *text, int line,
		      kt_ms *last, struct diags *d)
{
	char *w[4];
	int n = split(text, w, 4);
	kt_ms at, hold;
	if (n == 0)
		return 0;
	if (!parse_seconds(w[0], &at)) {
		diag_add(d, line,
			 "'%s' is not a time in seconds (like 12 or 12.5)",
			 w[0]);
		return 0;
	}
	if (at < *last) {
		diag_add(d, line, "time %s is earlier than the line before",
			 w[0]);
		return 0;
	}
	*last = at;
	const char *ev = n > 1 ? w[1] : "";
	int rc = 0;
	if (n == 2 && !strcmp(ev, "press")) {
		rc = push(s, cap, at, SCRIPT_DOWN, line) ||
		     push(s, cap, at + SCRIPT_PRESS_MS, SCRIPT_UP, line);
	} else if (!strcmp(ev, "hold")) {
		if (n != 3 || !parse_seconds(w[2], &hold) || hold == 0) {
			diag_add(
			    d, line,
			    "'hold' needs a time in seconds, like 'hold 3'");
			return 0;
		}
		rc = push(s, cap, at, SCRIPT_DOWN, line) ||
		     push(s, cap, at + hold, SCRIPT_UP, line);
	} else if (n == 2 && (!strcmp(ev, "down") || !strcmp(ev, "up"))) {
		rc = push(s, cap, at, ev[0] == 'd' ? SCRIPT_DOWN : SCRIPT_UP,
			  line);
	} else if (n == 3 && !strcmp(ev, "mat") &&
		   (!strcmp(w[2], "on") || !strcmp(w[2], "off"))) {
		rc =
		    push(s, cap, at,
			 w[2][1] == 'n' ? SCRIPT_MAT_ON : SCRIPT_MAT_OFF, line);
	} else if (n == 2 && !strcmp(ev, "quit")) {
		rc = push(s, cap, at, SCRIPT_QUIT, line);
	} else {
		diag_add(d, line,
			 "expected 'TIME EVENT' with EVENT one of: press, "
			 "hold SECONDS, down, up, mat on, mat off, quit");
		return 0;
	}
	if (rc)
		diag_add(d, line, "out of memory");
	return rc;
}

int script_parse(const char *text, size_t len, struct script *s,
		 struct diags *d)
{
	int cap = 0, line = 0;
	kt_ms last = 0;
	memset(s, 0, sizeof *s);
	for (size_t pos = 0; pos < len;) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl != NULL);
		line++;
		/* Files saved on Windows end lines in CRLF; a UTF-8 byte
		 * order mark may open the file. Both are taken. */
		if (n && start[n - 1] == '\r')
			n--;
		if (line == 1 && n >= 3 && !memcmp(start, "\xEF\xBB\xBF", 3))
			start += 3, n -= 3;
		char buf[256];
		if (n >= sizeof buf || !text_is_clean_utf8(start, n)) {
			diag_add(d, line,
				 n >= sizeof buf ? "line is too long"
						 : "line is not plain text");
			continue;
		}
		memcpy(buf, start, n);
		buf[n] = '\0';
		if (parse_line(s, &cap, buf, line, &last, d))
			break;
	}
	if (d->count || d->dropped) {
		script_free(s);
		return -1;
	}
	/* An empty script has no array at all, and qsort wants one. */
	if (s->count)
		qsort(s->event, (size_t)s->count, sizeof *s->event, by_time);
	return 0;
}

int script_load(const char *path, struct script *s, struct diags *d)
{
	char why[READFILE_WHY];
	size_t len;
	memset(s, 0, sizeof *s);
	char *text = readfile_all(path, SCRIPT_FILE_MAX, &len, why);
	if (!text) {
		diag_add(d, 0, "%s", why);
		return -1;
	}
	int rc = script_parse(text, len, s, d);
	free(text);
	return rc;
}

void script_free(struct script *s)
{
	free(s->event);
	memset(s, 0, sizeof *s);
}

bool script_edge(const struct script_event *ev, enum gesture_line *line,
		 bool *active)
{
	static const struct {
		enum gesture_line line;
		bool active;
	} edge[] = {
	    [SCRIPT_DOWN] = {LINE_BUTTON, true},
	    [SCRIPT_UP] = {LINE_BUTTON, false},
	    [SCRIPT_MAT_ON] = {LINE_MAT, true},
	    [SCRIPT_MAT_OFF] = {LINE_MAT, false},
	};
	if (ev->kind == SCRIPT_QUIT)
		return false;
	*line = edge[ev->kind].line;
	*active = edge[ev->kind].active;
	return true;
}

kt_ms script_next_at(const struct script *s)
{
	return s->next < s->count ? s->event[s->next].at : KT_NEVER;
}
