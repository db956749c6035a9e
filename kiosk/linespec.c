/*
 * linespec.c - parsing a GPIO line setting.
 */
#include "linespec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

static int parse_offset(const char *s, unsigned *out)
{
	if (!*s || strlen(s) > 4 || strspn(s, "0123456789") != strlen(s))
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v > LINESPEC_OFFSET_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "gpiochip4", "4" and "/dev/gpiochip4" all mean the same device. */
static int parse_chip(const char *s, size_t n, char *out)
{
	if (n == 0 || n > LINESPEC_CHIP_MAX - 5)
		return -1;
	if (s[0] == '/' && strcspn(s, " \t") >= n) {
		snprintf(out, LINESPEC_CHIP_MAX + 1, "%.*s", (int)n, s);
		return 0;
	}
	if (strspn(s, "0123456789") >= n) {
		snprintf(out, LINESPEC_CHIP_MAX + 1, "/dev/gpiochip%.*s",
			 (int)n, s);
		return 0;
	}
	if (n > 8 && !strncmp(s, "gpiochip", 8) &&
	    strspn(s + 8, "0123456789") >= n - 8) {
		snprintf(out, LINESPEC_CHIP_MAX + 1, "/dev/%.*s", (int)n, s);
		return 0;
	}
	return -1;
}

#define NAME_CHARS                                                             \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+"

int linespec_parse(const char *text, struct linespec *out, const char **why)
{
	memset(out, 0, sizeof *out);
	if (!*text || !strcmp(text, "none")) {
		out->kind = LINESPEC_NONE;
		return 0;
	}
	const char *colon = strrchr(text, ':');
	if (!colon) {
		if (strlen(text) > LINESPEC_NAME_MAX)
			return fail(why,
				    "a line name is at most 31 characters");
		if (strspn(text, NAME_CHARS) != strlen(text))
			return fail(why, "a line name has only letters, digits "
					 "and - _ . +");
		out->kind = LINESPEC_NAME;
		strcpy(out->name, text);
		return 0;
	}
	out->kind = LINESPEC_OFFSET;
	if (parse_chip(text, (size_t)(colon - text), out->chip) < 0)
		return fail(why, "the chip before ':' must be gpiochipN, a "
				 "number or a /dev path");
	if (parse_offset(colon + 1, &out->offset) < 0)
		return fail(why, "the line after ':' must be a number from 0 "
				 "to 1023");
	return 0;
}

const char *linespec_text(const struct linespec *s, char *buf, unsigned n)
{
	switch (s->kind) {
	case LINESPEC_NAME:
		snprintf(buf, n, "%s", s->name);
		break;
	case LINESPEC_OFFSET:
		snprintf(buf, n, "%s line %u", s->chip, s->offset);
		break;
	default:
		snprintf(buf, n, "none");
		break;
	}
	return buf;
}
