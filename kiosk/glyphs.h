/*
 * glyphs.h - which characters the screen's fonts can draw, for
 * kiosk --check: text they lack would show as empty boxes on the kiosk.
 *
 * An adapter over SDL_ttf (FreeType), so the routine file's checker
 * (config.c) stays free of it: it is handed glyphs_has through struct
 * config_glyphs. Needs no display. Ownership: the caller owns the struct
 * (glyphs_close). Main thread only (SDL_ttf's rule).
 */
#ifndef KIOSK_GLYPHS_H
#define KIOSK_GLYPHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct glyphs;

/* The fonts in `font_dir` (NULL: the screens' own, fonts.h). NULL with
 * the reason in err when one cannot be opened. */
struct glyphs *glyphs_open(const char *font_dir, char *err, size_t errlen);

/* Whether every face the screens use has `ch` (a Unicode code point).
 * `ctx` is a struct glyphs (the shape struct config_glyphs wants). */
bool glyphs_has(void *ctx, uint32_t ch);

void glyphs_close(struct glyphs *g);

#endif
