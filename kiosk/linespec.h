/*
 * linespec.h - what a button_line or mat_line setting names.
 *
 *   GPIO17             a line found by its name, on whichever chip has it
 *                      (a Pi 4 and a Pi 5 name their header lines alike)
 *   gpiochip0:17       line 17 of /dev/gpiochip0
 *   0:17               the same
 *   /dev/gpiochip4:17  a chip given by its path
 *   none, or empty     not wired
 *
 * Pure parsing, shared by the config checker (which reports a bad value
 * at its line) and the GPIO adapter (which opens what it names).
 */
#ifndef KIOSK_LINESPEC_H
#define KIOSK_LINESPEC_H

#define LINESPEC_NAME_MAX   31 /* the kernel's line names are shorter */
#define LINESPEC_CHIP_MAX   63
#define LINESPEC_OFFSET_MAX 1023

enum linespec_kind { LINESPEC_NONE, LINESPEC_NAME, LINESPEC_OFFSET };

struct linespec {
	enum linespec_kind kind;
	char name[LINESPEC_NAME_MAX + 1]; /* LINESPEC_NAME */
	char chip[LINESPEC_CHIP_MAX + 1]; /* LINESPEC_OFFSET: a path */
	unsigned offset;
};

/* 0, or -1 with *why saying what is wrong (a static string). */
int linespec_parse(const char *text, struct linespec *out, const char **why);

/* "GPIO17" or "/dev/gpiochip0 line 17", for messages. */
const char *linespec_text(const struct linespec *s, char *buf, unsigned n);

#endif
