/*
 * fonts.h - the font files the screens are drawn with, mapped once: one
 * place, used by the painter (screens.c) and by kiosk --check (glyphs.c),
 * so the check judges text against the very fonts that will draw it.
 *
 * Each face's file is vetted as every file the kiosk reads (readfile.h:
 * regular files only, capped) and mapped into memory once; every size
 * is opened from those bytes. Opening by name had SDL_ttf read the file
 * through stdio, a seek and a read for each table and glyph FreeType asks
 * for (1557 lseek and 616 read calls before the first frame); reading
 * a face into fresh memory instead cost 0.6 ms a face in page faults.
 * Mapped, a face costs only the pages FreeType touches: opening the
 * painter's fonts went from 1.5-2 ms to 0.3-0.6 ms of the start.
 *
 * Ownership: struct fonts owns the bytes; a TTF_Font opened by fonts_open
 * borrows them and must be closed before fonts_free. Main thread only
 * (SDL_ttf's rule).
 */
#ifndef KIOSK_FONTS_H
#define KIOSK_FONTS_H

#include <SDL_ttf.h>
#include <stddef.h>

/* Debian's fonts-dejavu-core. */
#define FONTS_DIR     "/usr/share/fonts/truetype/dejavu"
#define FONTS_REGULAR "DejaVuSans.ttf"
#define FONTS_BOLD    "DejaVuSans-Bold.ttf"

enum font_face { REGULAR, BOLD, FACES };

struct fonts {
	char *data[FACES];
	size_t len[FACES];
};

/* Map both faces from `dir` (NULL: FONTS_DIR) and check that SDL_ttf
 * takes each. 0, or -1 with "cannot open font PATH: why" in err (nothing
 * kept). TTF_Init must have been called. */
int fonts_load(struct fonts *f, const char *dir, char *err, size_t errlen);

/* `face` at `px` pixels, from the bytes in memory; NULL with SDL's error
 * set. */
TTF_Font *fonts_open(const struct fonts *f, enum font_face face, int px);

void fonts_free(struct fonts *f);

#endif
