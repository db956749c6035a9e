/*
 * fonts.c - the screens' font files, mapped once; see fonts.h.
 */
#include "fonts.h"

#include <stdio.h>
#include <sys/mman.h>

#include "readfile.h"

/* DejaVu's faces are under 1 MiB; a whole CJK face, which a clinic could
 * put in their place, about 20. */
#define FONT_FILE_MAX ((off_t)64 << 20)

TTF_Font *fonts_open(const struct fonts *f, enum font_face face, int px)
{
	SDL_RWops *rw = SDL_RWFromConstMem(f->data[face], (int)f->len[face]);
	return rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
}

void fonts_free(struct fonts *f)
{
	for (int i = 0; i < FACES; i++) {
		if (f->data[i])
			munmap(f->data[i], f->len[i]);
		f->data[i] = NULL;
		f->len[i] = 0;
	}
}

/* The file mapped, not read: FreeType touches a fraction of a face, and
 * copying one into fresh memory costs more than the whole first frame's
 * text (0.6 ms a face here). readfile_open vets it as it vets every file
 * the kiosk opens. A font is replaced by a package upgrade with a new
 * file, never rewritten in place, so the mapping stays whole. */
static int map_face(struct fonts *f, int i, const char *path, char *why)
{
	struct readfile rf;
	if (readfile_open(&rf, path, FONT_FILE_MAX) < 0) {
		snprintf(why, READFILE_WHY, "%s", rf.why);
		return -1;
	}
	size_t len = (size_t)rf.left;
	void *p = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, rf.fd, 0)
		      : MAP_FAILED;
	readfile_close(&rf);
	if (p == MAP_FAILED) {
		snprintf(why, READFILE_WHY, "%s", len ? "cannot be mapped"
						      : "is empty");
		return -1;
	}
	f->data[i] = p;
	f->len[i] = len;
	return 0;
}

int fonts_load(struct fonts *f, const char *dir, char *err, size_t errlen)
{
	static const char *const file[FACES] = {FONTS_REGULAR, FONTS_BOLD};
	*f = (struct fonts){0};
	for (int i = 0; i < FACES; i++) {
		char path[4096], why[READFILE_WHY];
		snprintf(path, sizeof path, "%s/%s", dir ? dir : FONTS_DIR,
			 file[i]);
		if (map_face(f, i, path, why) < 0) {
			snprintf(err, errlen, "cannot open font %s: %s", path,
				 why);
			fonts_free(f);
			return -1;
		}
		/* A file that is there but is no font is found now, not
		 * when the first frame is drawn. */
		TTF_Font *probe = fonts_open(f, (enum font_face)i, 12);
		if (!probe) {
			snprintf(err, errlen, "cannot open font %s: %s", path,
				 TTF_GetError());
			fonts_free(f);
			return -1;
		}
		TTF_CloseFont(probe);
	}
	return 0;
}
