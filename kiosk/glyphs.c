/*
 * glyphs.c - font coverage through SDL_ttf; see glyphs.h.
 *
 * A character counts as drawable only when the regular and the bold face
 * both have it: the screens use both, and a title in bold must not show a
 * box where its caption would not.
 */
#include "glyphs.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>

#include "fonts.h"

struct glyphs {
	struct fonts files;
	TTF_Font *face[FACES];
};

void glyphs_close(struct glyphs *g)
{
	if (!g)
		return;
	for (int i = 0; i < FACES; i++)
		if (g->face[i])
			TTF_CloseFont(g->face[i]);
	fonts_free(&g->files);
	free(g);
	TTF_Quit(); /* TTF_Init counts its callers: this undoes ours */
}

struct glyphs *glyphs_open(const char *font_dir, char *err, size_t errlen)
{
	if (TTF_Init() < 0) {
		snprintf(err, errlen, "TTF_Init: %s", TTF_GetError());
		return NULL;
	}
	struct glyphs *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		TTF_Quit();
		return NULL;
	}
	if (fonts_load(&g->files, font_dir, err, errlen) < 0) {
		glyphs_close(g);
		return NULL;
	}
	/* The size does not matter: coverage is the same at any. */
	for (int i = 0; i < FACES; i++) {
		g->face[i] = fonts_open(&g->files, (enum font_face)i, 12);
		if (!g->face[i]) {
			snprintf(err, errlen, "cannot open font: %s",
				 TTF_GetError());
			glyphs_close(g);
			return NULL;
		}
	}
	return g;
}

bool glyphs_has(void *ctx, uint32_t ch)
{
	struct glyphs *g = ctx;
	for (int i = 0; i < FACES; i++)
		if (!TTF_GlyphIsProvided32(g->face[i], ch))
			return false;
	return true;
}
