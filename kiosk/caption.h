/*
 * caption.h - the terminal front end: spoken lines and the countdown as
 * text, for a kiosk with no display and no speaker (and for demos).
 *
 * On a terminal the countdown is redrawn in place on one line, always the
 * bottom one: a spoken line is written above it and the countdown drawn
 * again under it, so "0:25" stays in sight while the counts are spoken.
 * Anywhere else (a file, a pipe) only whole lines are written. Owns nothing but its struct; the
 * FILE is borrowed. Main thread only.
 */
#ifndef KIOSK_CAPTION_H
#define KIOSK_CAPTION_H

#include <stdbool.h>
#include <stdio.h>

#include "engine.h"

struct caption;

struct caption *caption_open(FILE *out, bool keys_help);
void caption_action(struct caption *c, const struct action *a);
void caption_close(struct caption *c);

#endif
