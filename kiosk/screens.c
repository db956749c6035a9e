/*
 * screens.c - paints the kiosk's screens with SDL2, SDL2_ttf and SDL2_image.
 *
 * Every size is computed from the output size, so one code path serves a
 * 480x320 panel and a 4K television, landscape or portrait. Fonts are
 * cached per pixel size, rendered text per (font, size, colour, string),
 * illustrations per (path, size); entries the last two paintings did not
 * use are dropped, so memory follows what is on screen. Measured widths
 * are kept per (font, size, string), the least used replaced. The text
 * caches are what screens_prepare fills ahead of a first painting.
 *
 * Two layers, so that an animation frame costs next to nothing (in
 * SDL's software renderer every blended triangle allocates, fills and
 * blits a surface of its own): the still layer is everything but the
 * moving disc, painted into a texture only when what the view shows
 * changes (its content, or the output size); the moving layer is the
 * attract circle's or the pacer's disc and glow, and the pacer's count on
 * it. The disc is one opaque sprite composed here over the still pixels
 * under it (read back once per still painting), for its radius. An
 * animation frame copies that sprite, only the square where the disc was
 * or now is when the renderer keeps its pixels between presents (the
 * software one does); other renderers get the whole still layer first.
 * A screen with no moving part sets none (struct motion); a new screen's
 * draw function calls set_motion if something on it moves.
 */
#include "screens.h"

#include <SDL_image.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fonts.h"
#include "log.h"
#include "readfile.h"
#include "text.h"

#define FONT_SLOTS	 24
#define TEXT_SLOTS	 64
#define IMAGE_SLOTS	 6
#define PAINTED_MAX	 64
#define LINES_MAX	 8
#define LINE_BYTES	 (ROUTINE_TEXT_BYTES + 4)
#define SPRITE_KEYS	 5
#define WIDTH_SLOTS	 128

/* Palette: every text colour here is at least 7:1 against every ground it
 * is drawn on (navy 15:1, teal 9:1, amber 11:1 for the light ones). */
static const SDL_Color NAVY = {0x0B, 0x1E, 0x2D, 0xFF};
static const SDL_Color PANEL = {0x13, 0x2B, 0x40, 0xFF};
static const SDL_Color TRACK = {0x22, 0x3F, 0x58, 0xFF};
static const SDL_Color WHITE = {0xF2, 0xF2, 0xF2, 0xFF};
static const SDL_Color SOFT = {0xB4, 0xC6, 0xD4, 0xFF};
static const SDL_Color TEAL = {0x5F, 0xD3, 0xC6, 0xFF};
static const SDL_Color AMBER = {0xFF, 0xC8, 0x61, 0xFF};

struct font_slot {
	int face, px;
	TTF_Font *font;
	unsigned used;
};

/* A line of text as pixels: a texture, or before the first painting
 * that draws it (screens_prepare) a surface still to be uploaded. A slot
 * is in use when it has a string. */
struct text_slot {
	int face, px;
	SDL_Color fg;
	char *s;
	SDL_Texture *tex;
	SDL_Surface *surf;
	int w, h;
	unsigned used;
};

/* A width measured (HarfBuzz shapes the whole string each time: most of
 * laying out a screen), kept like rendered text; hash first, to skip
 * most string compares. */
struct width_slot {
	uint64_t hash;
	int face, px, w;
	char *s;
	unsigned used;
};

struct image_slot {
	char *path;
	int w, h;
	SDL_Texture *tex; /* NULL: the file could not be loaded */
	unsigned used;
};

/* What the still layer was painted from: the view without the time. */
struct still_key {
	int w, h;
	struct screen screen;
	char caption[ROUTINE_TEXT_BYTES], banner[2 * ROUTINE_TEXT_BYTES],
	    routine[ROUTINE_NAME_BYTES];
	bool caption_set, banner_set, routine_set;
	const char *const *words;
	bool animate;
};

/* The moving part of a screen: a glowing disc whose radius goes from lo
 * to hi as `open` goes from 0 to 1, in a box it never leaves. */
enum motion_kind { MOTION_NONE, MOTION_ATTRACT, MOTION_PACER };
struct motion {
	enum motion_kind kind;
	float cx, cy, lo, hi, glow;
	SDL_Rect box;
	int count_px; /* pacer: the count's size on the disc; 0: none */
};

/* A paragraph laid out: its lines at one font size. */
struct para {
	int face, px, lines, skip, height, width;
	char line[LINES_MAX][LINE_BYTES];
	int line_w[LINES_MAX]; /* each line's width, measured as wrapped */
};

/* Paragraphs a stack lays out at most (stack()). */
#define ITEMS_MAX 5
/* Segments of one band (band()) at most. */
#define BAND_SEG_MAX 512

struct painter {
	SDL_Renderer *r;
	struct fonts files; /* the faces' bytes, mapped once */
	struct font_slot fonts[FONT_SLOTS];
	struct text_slot texts[TEXT_SLOTS];
	struct width_slot widths[WIDTH_SLOTS];
	struct image_slot images[IMAGE_SLOTS];
	struct painted_text painted[PAINTED_MAX];
	int npainted;
	unsigned frame;
	enum breath_phase last_moving; /* IN or OUT: what a HOLD keeps */
	struct settings english;       /* words when the view has none */
	bool failed;		       /* an SDL call failed this frame */
	bool ttf;		       /* TTF_Init done, to be undone */
	bool keeps_pixels; /* the renderer's output survives a present */
	bool dry; /* screens_prepare: lay out and render text, draw nothing */

	/* The still layer, and what it was painted for. */
	SDL_Texture *still; /* NULL: no render targets, paint every time */
	struct still_key key;
	bool still_valid;
	bool on_screen; /* the output holds our last frame, untouched */
	int nstill;	/* painted texts of the still layer */
	struct motion motion;
	SDL_Rect disc_shown; /* where the disc was drawn last */

	/* The moving disc and its glow, rasterised for one radius. */
	SDL_Texture *sprite;
	int sprite_side;
	float sprite_key[SPRITE_KEYS]; /* radius, square made */
	Uint32 *under_px; /* the still layer's pixels in the box */
	bool sprite_ok; /* under_px holds the still layer's pixels */

	/* Scratch of stack() and band(): too big for the stack, used by
	 * one call at a time (main thread only). */
	struct para stacked[ITEMS_MAX];
	SDL_Vertex band_vert[(BAND_SEG_MAX + 1) * 2];
	int band_idx[BAND_SEG_MAX * 6];
};

/* One frame being painted: the sizes every layout decision starts from. */
struct frame {
	struct painter *p;
	const struct view *v;
	kt_ms now;
	int w, h, s; /* output size and its short side */
	bool portrait;
	int margin, gap;	     /* outer margin, gap between blocks */
	int small, body, title, big; /* font pixel sizes */
	SDL_Rect area;		     /* what is left to lay out */
};

/* ---- errors ---- */

static void sdl_failed(struct painter *p, const char *what)
{
	if (!p->failed)
		log_msg("screens: %s: %s", what, SDL_GetError());
	p->failed = true;
}

/* ---- fonts ---- */

static TTF_Font *font(struct painter *p, int face, int px)
{
	struct font_slot *victim = &p->fonts[0];
	for (int i = 0; i < FONT_SLOTS; i++) {
		struct font_slot *f = &p->fonts[i];
		if (f->font && f->face == face && f->px == px) {
			f->used = p->frame;
			return f->font;
		}
		if (!f->font || (victim->font && f->used < victim->used))
			victim = f;
	}
	TTF_Font *ft = fonts_open(&p->files, face, px);
	if (!ft) {
		sdl_failed(p, "TTF_OpenFontRW");
		return NULL;
	}
	if (victim->font)
		TTF_CloseFont(victim->font);
	*victim = (struct font_slot){face, px, ft, p->frame};
	return ft;
}

static int text_width(struct frame *f, int face, int px, const char *s)
{
	struct painter *p = f->p;
	if (!*s)
		return 0;
	uint64_t hash = text_hash(s);
	struct width_slot *victim = &p->widths[0];
	for (int i = 0; i < WIDTH_SLOTS; i++) {
		struct width_slot *m = &p->widths[i];
		if (m->s && m->hash == hash && m->face == face && m->px == px &&
		    !strcmp(m->s, s)) {
			m->used = p->frame;
			return m->w;
		}
		if (!m->s || (victim->s && m->used < victim->used))
			victim = m;
	}
	TTF_Font *ft = font(p, face, px);
	int w = 0, h = 0;
	if (!ft)
		return 0;
	if (TTF_SizeUTF8(ft, s, &w, &h) < 0) {
		sdl_failed(p, "TTF_SizeUTF8");
		return w;
	}
	char *copy = strdup(s);
	if (copy) {
		free(victim->s);
		*victim =
		    (struct width_slot){hash, face, px, w, copy, p->frame};
	}
	return w;
}

static int line_height(struct frame *f, int face, int px)
{
	TTF_Font *ft = font(f->p, face, px);
	return ft ? TTF_FontHeight(ft) : px;
}

/* ---- text textures ---- */

static bool same_color(SDL_Color a, SDL_Color b)
{
	return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

static void text_slot_clear(struct text_slot *t)
{
	if (t->tex)
		SDL_DestroyTexture(t->tex);
	SDL_FreeSurface(t->surf);
	free(t->s);
	memset(t, 0, sizeof *t);
}

/* The slot's surface made into a texture (the surface is then freed).
 * false when SDL failed (logged). */
static bool text_upload(struct painter *p, struct text_slot *t)
{
	t->tex = SDL_CreateTextureFromSurface(p->r, t->surf);
	SDL_FreeSurface(t->surf);
	t->surf = NULL;
	if (!t->tex) {
		sdl_failed(p, "SDL_CreateTextureFromSurface");
		return false;
	}
	SDL_SetTextureScaleMode(t->tex, SDL_ScaleModeLinear);
	return true;
}

/* The text s, rendered: as a texture, or when dry as a surface only. */
static struct text_slot *text_tex(struct painter *p, int face, int px,
				  SDL_Color fg, const char *s)
{
	struct text_slot *victim = &p->texts[0], *t = NULL;
	for (int i = 0; i < TEXT_SLOTS && !t; i++) {
		struct text_slot *c = &p->texts[i];
		if (c->s && c->face == face && c->px == px &&
		    same_color(c->fg, fg) && !strcmp(c->s, s))
			t = c;
		else if (!c->s || (victim->s && c->used < victim->used))
			victim = c;
	}
	if (!t) {
		TTF_Font *ft = font(p, face, px);
		SDL_Surface *surf =
		    ft ? TTF_RenderUTF8_Blended(ft, s, fg) : NULL;
		char *copy = surf ? strdup(s) : NULL;
		if (!copy) {
			SDL_FreeSurface(surf);
			sdl_failed(p, "TTF_RenderUTF8_Blended");
			return NULL;
		}
		text_slot_clear(victim);
		t = victim;
		*t = (struct text_slot){.face = face,
					.px = px,
					.fg = fg,
					.s = copy,
					.surf = surf,
					.w = surf->w,
					.h = surf->h};
	}
	t->used = p->frame;
	if (!t->tex && !p->dry && !text_upload(p, t)) {
		text_slot_clear(t);
		return NULL;
	}
	return t;
}

static void note_text(struct painter *p, SDL_Rect box, SDL_Color fg,
		      SDL_Color bg, bool digits, const char *text)
{
	if (p->npainted < PAINTED_MAX)
		p->painted[p->npainted++] =
		    (struct painted_text){.box = box,
					  .fg = fg,
					  .bg = bg,
					  .digits = digits,
					  .text = text};
}

/* One line at (x, y), its top-left; returns its box. */
static SDL_Rect draw_line(struct frame *f, int face, int px, const char *s,
			  int x, int y, SDL_Color fg, SDL_Color bg)
{
	SDL_Rect dst = {x, y, 0, 0};
	struct text_slot *t = *s ? text_tex(f->p, face, px, fg, s) : NULL;
	if (!t || f->p->dry)
		return dst;
	dst.w = t->w, dst.h = t->h;
	if (SDL_RenderCopy(f->p->r, t->tex, NULL, &dst) < 0)
		sdl_failed(f->p, "SDL_RenderCopy");
	note_text(f->p, dst, fg, bg, false, t->s);
	return dst;
}

/* ---- wrapping ---- */

static size_t utf8_prev(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[--i] & 0xC0) == 0x80)
		;
	return i;
}

/* The longest prefix of s (bytes) that fits in w, at least one character. */
static size_t fit_prefix(struct frame *f, int face, int px, const char *s,
			 size_t n, int w)
{
	char buf[LINE_BYTES];
	size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
	for (;;) {
		memcpy(buf, s, k);
		buf[k] = '\0';
		size_t prev = utf8_prev(s, k);
		if (prev == 0 || text_width(f, face, px, buf) <= w)
			return k;
		k = prev;
	}
}

/* Greedy word wrap of s at width w; the count of lines it needs (which
 * may exceed LINES_MAX: only the first LINES_MAX are kept). */
static int wrap(struct frame *f, struct para *pa, const char *s, int w)
{
	char cur[LINE_BYTES] = "", cand[2 * LINE_BYTES];
	int n = 0, cur_w = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		size_t len = strcspn(s, " ");
		if (!len)
			break;
		snprintf(cand, sizeof cand, "%s%s%.*s", cur, *cur ? " " : "",
			 (int)len, s);
		int cand_w = strlen(cand) < LINE_BYTES
				 ? text_width(f, pa->face, pa->px, cand)
				 : w + 1;
		if (cand_w <= w) {
			strcpy(cur, cand);
			cur_w = cand_w;
			s += len;
			continue;
		}
		if (*cur) { /* the word starts the next line */
			if (n < LINES_MAX)
				strcpy(pa->line[n], cur), pa->line_w[n] = cur_w;
			n++;
			cur[0] = '\0';
			continue;
		}
		/* One word wider than the line: break it. */
		size_t k = fit_prefix(f, pa->face, pa->px, s, len, w);
		if (n < LINES_MAX) {
			snprintf(pa->line[n], LINE_BYTES, "%.*s", (int)k, s);
			pa->line_w[n] =
			    text_width(f, pa->face, pa->px, pa->line[n]);
		}
		n++;
		s += k;
	}
	if (*cur) {
		if (n < LINES_MAX)
			strcpy(pa->line[n], cur), pa->line_w[n] = cur_w;
		n++;
	}
	return n;
}

/* Cut the last kept line so that it ends in an ellipsis within w. */
static void ellipsize(struct frame *f, struct para *pa, int w)
{
	char *l = pa->line[pa->lines - 1], buf[LINE_BYTES];
	size_t n = strlen(l);
	int bw;
	for (;;) {
		snprintf(buf, sizeof buf, "%.*s\u2026", (int)n, l);
		bw = text_width(f, pa->face, pa->px, buf);
		if (n == 0 || bw <= w)
			break;
		n = utf8_prev(l, n);
	}
	strcpy(l, buf);
	pa->line_w[pa->lines - 1] = bw;
}

/* Lay out s in a box w x max_h: the largest size from px_max down to the
 * frame's smallest text size that fits in at most max_lines lines. At the
 * smallest size a text that still does not fit ends in an ellipsis. */
static void para_fit(struct frame *f, struct para *pa, const char *s, int face,
		     int px_max, int w, int max_h, int max_lines)
{
	if (max_lines > LINES_MAX)
		max_lines = LINES_MAX;
	int px = px_max > f->small ? px_max : f->small;
	for (;;) {
		memset(pa, 0, sizeof *pa);
		pa->face = face, pa->px = px;
		pa->skip = line_height(f, face, px);
		int n = wrap(f, pa, s, w);
		int room = max_h / (pa->skip > 0 ? pa->skip : 1);
		if (room > max_lines)
			room = max_lines;
		if (n <= room || px <= f->small) {
			pa->lines = n < room ? n : (room > 0 ? room : 1);
			if (pa->lines < n)
				ellipsize(f, pa, w);
			break;
		}
		px = px * 9 / 10 > f->small ? px * 9 / 10 : f->small;
	}
	pa->height = pa->lines * pa->skip;
	for (int i = 0; i < pa->lines; i++)
		pa->width = pa->line_w[i] > pa->width ? pa->line_w[i] : pa->width;
}

enum align { LEFT, CENTER, RIGHT };

static void para_draw(struct frame *f, const struct para *pa, SDL_Rect box,
		      enum align al, SDL_Color fg, SDL_Color bg)
{
	int y = box.y;
	for (int i = 0; i < pa->lines; i++, y += pa->skip) {
		int lw = pa->line_w[i];
		int x = al == LEFT    ? box.x
			: al == RIGHT ? box.x + box.w - lw
				      : box.x + (box.w - lw) / 2;
		draw_line(f, pa->face, pa->px, pa->line[i], x, y, fg, bg);
	}
}

/* ---- layout ---- */

static SDL_Rect cut_top(SDL_Rect *r, int h, int gap)
{
	SDL_Rect top = {r->x, r->y, r->w, h};
	r->y += h + gap;
	r->h -= h + gap;
	return top;
}

static SDL_Rect cut_bottom(SDL_Rect *r, int h, int gap)
{
	r->h -= h + gap;
	return (SDL_Rect){r->x, r->y + r->h + gap, r->w, h};
}

static SDL_Rect cut_left(SDL_Rect *r, int w, int gap)
{
	SDL_Rect left = {r->x, r->y, w, r->h};
	r->x += w + gap;
	r->w -= w + gap;
	return left;
}

/* A paragraph taking the top (or bottom) of the area; its height used. */
static int para_top(struct frame *f, const char *s, int face, int px,
		    int max_lines, enum align al, SDL_Color fg, SDL_Color bg)
{
	struct para pa;
	if (!s || !*s)
		return 0;
	para_fit(f, &pa, s, face, px, f->area.w, f->area.h, max_lines);
	SDL_Rect box = cut_top(&f->area, pa.height, f->gap / 2);
	para_draw(f, &pa, box, al, fg, bg);
	return pa.height;
}

/* Paragraphs stacked in a box, centred vertically. */
struct item {
	const char *s;
	int face, px, lines;
	SDL_Color fg;
};

/* Every item shrinks by the same factor until the stack fits; at the
 * smallest size items that still do not fit are left out from the end.
 * *icon (if not NULL) is the room asked for above the text: on return,
 * the room given (0 when too little was left) and *icon_y where it is. */
static void stack(struct frame *f, SDL_Rect box, const struct item *it, int n,
		  enum align al, int *icon_io, int *icon_y)
{
	int icon = icon_io ? *icon_io : 0;
	struct para *pa = f->p->stacked;
	int total = 0, shown = n, scale = 100;
	for (;; scale = scale * 9 / 10) {
		bool all_small = true;
		total = 0;
		for (int i = 0; i < n; i++) {
			int px = it[i].px * scale / 100;
			para_fit(f, &pa[i], it[i].s, it[i].face, px, box.w,
				 box.h, it[i].lines);
			all_small = all_small && pa[i].px <= f->small;
			total += pa[i].height + (i ? f->gap : 0);
		}
		if (total <= box.h || all_small)
			break;
	}
	while (total > box.h && shown > 1)
		total -= pa[--shown].height + f->gap;
	if (icon > box.h - total - f->gap)
		icon = box.h - total - f->gap;
	if (icon < f->s / 10) /* too small to be worth drawing */
		icon = 0;
	int y = box.y + (box.h - total - (icon ? icon + f->gap : 0)) / 2;
	if (icon_io)
		*icon_io = icon, *icon_y = y;
	if (icon)
		y += icon + f->gap;
	for (int i = 0; i < shown; i++) {
		SDL_Rect b = {box.x, y, box.w, pa[i].height};
		para_draw(f, &pa[i], b, al, it[i].fg, NAVY);
		y += pa[i].height + f->gap;
	}
}

/* ---- shapes (triangles, anti-aliased with a one-pixel feather) ---- */

#define PI_F 3.14159265f

static SDL_Vertex vert(float x, float y, SDL_Color c)
{
	return (SDL_Vertex){{x, y}, c, {0, 0}};
}

static SDL_Color fade(SDL_Color c, float a)
{
	c.a = (Uint8)(c.a * (a < 0 ? 0 : a > 1 ? 1 : a));
	return c;
}

/* Enough straight segments that no chord strays more than a tenth of a
 * pixel from the circle: under the one-pixel feather, invisible. (A fixed
 * 6 px chord gave a ring of 220 px 238 segments where 104 do; in SDL's
 * software renderer each blended triangle costs about half a
 * microsecond, whatever its size.) */
static int segments(float r, float sweep)
{
	const float tol = 0.1f;
	float step = r > tol ? 2 * acosf(1 - tol / r) : sweep;
	int n = (int)ceilf(sweep / step) + 1;
	return n > BAND_SEG_MAX ? BAND_SEG_MAX : n < 2 ? 2 : n;
}

/* A band between radii r0 < r1 over angles a0..a1 (0 = up, clockwise),
 * colour c0 at r0 and c1 at r1. The building block of every shape. */
static void band(struct frame *f, float cx, float cy, float r0, float r1,
		 float a0, float a1, SDL_Color c0, SDL_Color c1)
{
	SDL_Vertex *v = f->p->band_vert;
	int *idx = f->p->band_idx;
	int n = segments(r1, a1 - a0);
	for (int i = 0; i <= n; i++) {
		float a = a0 + (a1 - a0) * (float)i / (float)n;
		float dx = sinf(a), dy = -cosf(a);
		v[2 * i] = vert(cx + dx * r0, cy + dy * r0, c0);
		v[2 * i + 1] = vert(cx + dx * r1, cy + dy * r1, c1);
	}
	for (int i = 0; i < n; i++) {
		int *t = &idx[6 * i], b = 2 * i;
		t[0] = b, t[1] = b + 1, t[2] = b + 2;
		t[3] = b + 1, t[4] = b + 3, t[5] = b + 2;
	}
	if (!f->p->dry &&
	    SDL_RenderGeometry(f->p->r, NULL, v, 2 * (n + 1), idx, 6 * n) < 0)
		sdl_failed(f->p, "SDL_RenderGeometry");
}

/* A solid arc band with soft edges; r0 = 0 makes a disc (or a sector).
 * The feathers overlap the solid part, so no seam can show between them
 * (the same colour blended over itself is unchanged). */
static void arc(struct frame *f, float cx, float cy, float r0, float r1,
		float a0, float a1, SDL_Color c)
{
	const float fw = 1.0f; /* half the feather's width */
	SDL_Color clear = fade(c, 0);
	if (r1 - r0 < 1)
		return;
	band(f, cx, cy, r0, r1, a0, a1, c, c);
	band(f, cx, cy, r1 - fw, r1 + fw, a0, a1, c, clear);
	if (r0 > fw)
		band(f, cx, cy, r0 - fw, r0 + fw, a0, a1, clear, c);
}

static void disc(struct frame *f, float cx, float cy, float r, SDL_Color c)
{
	arc(f, cx, cy, 0, r, 0, 2 * PI_F, c);
}

/* A horizontal capsule (rounded bar) from x0 to x1, centred on cy. */
static void capsule(struct frame *f, float x0, float x1, float cy, float r,
		    SDL_Color c)
{
	if (f->p->dry)
		return;
	if (x1 - x0 < 2 * r)
		x1 = x0 + 2 * r;
	SDL_FRect mid = {x0 + r, cy - r + 0.5f, x1 - x0 - 2 * r, 2 * r - 1};
	SDL_SetRenderDrawColor(f->p->r, c.r, c.g, c.b, c.a);
	if (mid.w > 0 && SDL_RenderFillRectF(f->p->r, &mid) < 0)
		sdl_failed(f->p, "SDL_RenderFillRectF");
	/* Feathered top and bottom edges of the straight part. */
	SDL_Color clear = fade(c, 0);
	float ya = cy - r - 0.5f, yb = cy + r + 0.5f;
	SDL_Vertex v[8] = {
	    vert(x0 + r, ya, clear), vert(x1 - r, ya, clear),
	    vert(x0 + r, ya + 1, c), vert(x1 - r, ya + 1, c),
	    vert(x0 + r, yb - 1, c), vert(x1 - r, yb - 1, c),
	    vert(x0 + r, yb, clear), vert(x1 - r, yb, clear),
	};
	int idx[12] = {0, 1, 2, 1, 3, 2, 4, 5, 6, 5, 7, 6};
	if (mid.w > 0 && SDL_RenderGeometry(f->p->r, NULL, v, 8, idx, 12) < 0)
		sdl_failed(f->p, "SDL_RenderGeometry");
	arc(f, x0 + r, cy, 0, r, PI_F, 2 * PI_F, c);
	arc(f, x1 - r, cy, 0, r, 0, PI_F, c);
}

static void fill_rect(struct frame *f, SDL_Rect r, SDL_Color c)
{
	if (f->p->dry)
		return;
	SDL_SetRenderDrawColor(f->p->r, c.r, c.g, c.b, c.a);
	if (SDL_RenderFillRect(f->p->r, &r) < 0)
		sdl_failed(f->p, "SDL_RenderFillRect");
}

/* ---- pictures ---- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcasecmp(s + n - k, suffix);
}

/* SVG is rasterised at the size it is shown, so it is sharp at any size.
 * The bytes come through readfile (bounded, regular files only), not
 * SDL_image's own fopen: a FIFO or /dev/zero put in a picture's place
 * must not freeze the screen. */
static SDL_Texture *load_picture(struct painter *p, const char *path, int w,
				 int h)
{
	SDL_Surface *surf = NULL;
	char why[READFILE_WHY];
	size_t len;
	char *bytes = readfile_all(path, ROUTINE_PICTURE_MAX, &len, why);
	if (!bytes) {
		log_msg("screens: %s: %s", path, why);
		return NULL;
	}
	SDL_RWops *rw = SDL_RWFromConstMem(bytes, (int)len);
	if (rw && has_suffix(path, ".svg"))
		surf = IMG_LoadSizedSVG_RW(rw, w, h);
	else if (rw)
		surf = IMG_Load_RW(rw, 0);
	if (rw)
		SDL_RWclose(rw);
	free(bytes);
	if (!surf) {
		log_msg("screens: cannot load %s: %s", path, IMG_GetError());
		return NULL;
	}
	SDL_Texture *t = SDL_CreateTextureFromSurface(p->r, surf);
	SDL_FreeSurface(surf);
	if (t)
		SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
	return t;
}

static struct image_slot *picture(struct painter *p, const char *path, int w,
				  int h)
{
	struct image_slot *victim = &p->images[0];
	for (int i = 0; i < IMAGE_SLOTS; i++) {
		struct image_slot *im = &p->images[i];
		if (im->path && im->w == w && im->h == h &&
		    !strcmp(im->path, path)) {
			im->used = p->frame;
			return im;
		}
		if (!im->path || (victim->path && im->used < victim->used))
			victim = im;
	}
	char *copy = strdup(path);
	if (!copy)
		return NULL;
	if (victim->tex)
		SDL_DestroyTexture(victim->tex);
	free(victim->path);
	*victim = (struct image_slot){copy, w, h, load_picture(p, path, w, h),
				      p->frame};
	return victim;
}

/* The illustration, as large as fits in box at 4:3, centred. */
static void draw_picture(struct frame *f, const char *path, SDL_Rect box)
{
	int w = box.w, h = w * 3 / 4;
	if (h > box.h)
		h = box.h, w = h * 4 / 3;
	if (!path || !*path || w < 16 || h < 12 || f->p->dry)
		return;
	struct image_slot *im = picture(f->p, path, w, h);
	if (!im || !im->tex)
		return;
	SDL_Rect dst = {box.x + (box.w - w) / 2, box.y + (box.h - h) / 2, w, h};
	if (SDL_RenderCopy(f->p->r, im->tex, NULL, &dst) < 0)
		sdl_failed(f->p, "SDL_RenderCopy");
}

/* ---- the big number ---- */

static void format_time(char *out, size_t n, int seconds)
{
	/* Plain seconds read fastest; minutes only when they must. */
	if (seconds < 100)
		snprintf(out, n, "%d", seconds < 0 ? 0 : seconds);
	else
		snprintf(out, n, "%d:%02d", seconds / 60, seconds % 60);
}

/* Rows of ink of s in a text texture of face at px: [*top, *bottom). */
static void ink_rows(struct frame *f, int px, const char *s, int *top,
		     int *bottom)
{
	TTF_Font *ft = font(f->p, BOLD, px);
	int maxy = 0, miny = 0;
	for (; ft && *s; s++) {
		int x0, x1, y0, y1, adv;
		if (TTF_GlyphMetrics32(ft, (Uint32)(unsigned char)*s, &x0, &x1,
				       &y0, &y1, &adv) == 0) {
			maxy = y1 > maxy ? y1 : maxy;
			miny = y0 < miny ? y0 : miny;
		}
	}
	int asc = ft ? TTF_FontAscent(ft) : px;
	*top = asc - maxy - 1 > 0 ? asc - maxy - 1 : 0;
	*bottom = asc - miny + 1;
}

/* Digits whose ink is want_h tall, as wide as their shape wants but
 * squeezed (down to 55%) to fit box; smaller only when even that does
 * not fit. Centred in box; the ink box is returned and noted. */
static SDL_Rect draw_digits(struct frame *f, SDL_Rect box, const char *s,
			    int want_h, SDL_Color fg, SDL_Color bg)
{
	SDL_Rect out = {box.x + box.w / 2, box.y + box.h / 2, 0, 0};
	int h = want_h < box.h ? want_h : box.h, top, bottom;
	int px = h * 4 / 3;
	ink_rows(f, px, s, &top, &bottom);
	if (bottom - top > 0)
		px = px * h / (bottom - top);
	ink_rows(f, px, s, &top, &bottom);
	struct text_slot *t = text_tex(f->p, BOLD, px, fg, s);
	if (!t || bottom > t->h || bottom <= top || f->p->dry)
		return out;
	int ink = bottom - top;
	float scale = (float)h / (float)ink;
	float w = (float)t->w * scale;
	if (w > box.w) {
		float squeeze = (float)box.w / w;
		if (squeeze < 0.55f) {
			scale *= squeeze / 0.55f;
			squeeze = 0.55f;
		}
		w = (float)t->w * scale * squeeze;
	}
	SDL_Rect src = {0, top, t->w, ink};
	out.w = (int)w;
	out.h = (int)((float)ink * scale);
	out.x = box.x + (box.w - out.w) / 2;
	out.y = box.y + (box.h - out.h) / 2;
	if (SDL_RenderCopy(f->p->r, t->tex, &src, &out) < 0)
		sdl_failed(f->p, "SDL_RenderCopy");
	note_text(f->p, out, fg, bg, true, t->s);
	return out;
}

/* ---- pieces shared by several screens ---- */

/* Only the line being said, and for a little after: video.c times it
 * out, so "Halfway there." does not stay up for the rest of the hold. */
static const char *caption_of(const struct view *v)
{
	return v->caption && *v->caption ? v->caption : NULL;
}

/* The staff banner: a strip across the top of the idle screen. Only
 * there: someone in the middle of an exercise has no use for it. */
static void banner(struct frame *f)
{
	struct para pa;
	int pad = f->gap / 2;
	SDL_Rect inner = {f->margin, pad, f->w - 2 * f->margin, f->h / 4};
	if (!f->v->banner || !*f->v->banner ||
	    f->v->screen.kind != SCREEN_ATTRACT)
		return;
	para_fit(f, &pa, f->v->banner, BOLD, f->small, inner.w, inner.h, 3);
	SDL_Rect strip = {0, 0, f->w, pa.height + 2 * pad};
	fill_rect(f, strip, AMBER);
	inner.h = pa.height;
	para_draw(f, &pa, inner, LEFT, NAVY, AMBER);
	int below = strip.h + f->gap - f->area.y;
	if (below > 0)
		cut_top(&f->area, below, 0);
}

/* The caption: a panel along the bottom, as many lines as it needs up
 * to max_h; returns nothing, it takes its space from the area. */
static void caption_panel(struct frame *f, const char *s, int max_h)
{
	struct para pa;
	int pad = f->gap / 3;
	if (!s || !*s || max_h <= 2 * pad)
		return;
	para_fit(f, &pa, s, REGULAR, f->body, f->area.w - 2 * pad,
		 max_h - 2 * pad, LINES_MAX);
	SDL_Rect panel = cut_bottom(&f->area, pa.height + 2 * pad, f->gap);
	fill_rect(f, panel, PANEL);
	SDL_Rect text = {panel.x + pad, panel.y + pad, panel.w - 2 * pad,
			 pa.height};
	para_draw(f, &pa, text, f->portrait ? CENTER : LEFT, WHITE, PANEL);
}

/* A word of the screens, the routine's or English, filled in from the
 * screen shown. */
static const char *word(const struct frame *f, enum word w, char *out, size_t n)
{
	const struct screen *s = &f->v->screen;
	const char *const *words =
	    f->v->words ? f->v->words : f->p->english.word;
	char time[32];
	int m = s->elapsed / 60, sec = s->elapsed % 60;
	if (m > 0)
		snprintf(time, sizeof time, "%d min %d s", m, sec);
	else
		snprintf(time, sizeof time, "%d s", sec);
	struct text_args a = {.n = s->index,
			      .total = s->exercises,
			      .name = w == WORD_NEXT ? s->next : s->title,
			      .repeat = s->repeat,
			      .repeats = s->repeats,
			      .minutes = s->minutes,
			      .rep = s->rep,
			      .reps = s->reps,
			      .seconds = s->remaining,
			      .exercises = s->exercises,
			      .time = time};
	text_format(out, n, words[w], &a);
	return out;
}

static const char *breath_label(const struct frame *f, enum breath_phase b,
				char *out, size_t n)
{
	static const enum word w[] = {[BREATH_IN] = WORD_BREATHE_IN,
				      [BREATH_HOLD] = WORD_BREATHE_HOLD,
				      [BREATH_OUT] = WORD_BREATHE_OUT};
	if (b == BREATH_NONE)
		return "";
	return word(f, w[b], out, n);
}

/* "Exercise 2 of 6 · Round 1 of 2" */
static void where_line(const struct frame *f, char *out, size_t n)
{
	char round[ROUTINE_TEXT_BYTES];
	word(f, WORD_EXERCISE, out, n);
	size_t k = strlen(out);
	if (f->v->screen.repeats > 1 && k < n)
		snprintf(out + k, n - k, "  \u00B7  %s",
			 word(f, WORD_ROUND, round, sizeof round));
}

/* The exercise header: where we are (teal), then the name (bold). In
 * landscape both share one row when they fit; when they do not and the
 * caller has another place for it (`elsewhere`), where we are is left to
 * the caller, so the screen loses only one row to the header. */
static void exercise_header(struct frame *f, int px, char *elsewhere, size_t n)
{
	const struct screen *s = &f->v->screen;
	char where[96];
	where_line(f, where, sizeof where);
	int ww = text_width(f, REGULAR, f->small, where);
	int tw = text_width(f, BOLD, px, s->title);
	if (!f->portrait && ww + tw + 2 * f->gap <= f->area.w) {
		int h = line_height(f, BOLD, px);
		SDL_Rect row = cut_top(&f->area, h, f->gap);
		draw_line(f, BOLD, px, s->title, row.x, row.y, WHITE, NAVY);
		int sh = line_height(f, REGULAR, f->small);
		draw_line(f, REGULAR, f->small, where, row.x + row.w - ww,
			  row.y + (h - sh) / 2, TEAL, NAVY);
		return;
	}
	if (elsewhere && !f->portrait)
		snprintf(elsewhere, n, "%s", where);
	else
		para_top(f, where, REGULAR, f->small, 1, LEFT, TEAL, NAVY);
	para_top(f, s->title, BOLD, px, 2, LEFT, WHITE, NAVY);
	f->area.y += f->gap / 2, f->area.h -= f->gap / 2;
}

/* A progress bar along the bottom of the area: done out of total. */
static void progress_bar(struct frame *f, float done)
{
	int h = f->s / 36 > 6 ? f->s / 36 : 6;
	SDL_Rect bar = cut_bottom(&f->area, h, f->gap);
	float r = (float)h / 2, x0 = (float)bar.x, x1 = (float)(bar.x + bar.w);
	float cy = (float)bar.y + r;
	done = done < 0 ? 0 : done > 1 ? 1 : done;
	capsule(f, x0, x1, cy, r, TRACK);
	if (done > 0)
		capsule(f, x0, x0 + (x1 - x0) * done, cy, r, TEAL);
}

/* ---- the breath pacer ---- */

static float ease(float t)
{
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	return 0.5f - 0.5f * cosf(PI_F * t);
}

/* How open the pacer is, 0 (empty lungs) to 1 (full), at time now. */
static float breath_open(struct painter *p, const struct view *v, kt_ms now)
{
	const struct screen *s = &v->screen;
	int len = s->phase_len > 0 ? s->phase_len : 1;
	kt_ms into = v->animate ? now - v->shown_at : 1000;
	into = into < 0 ? 0 : into > 1000 ? 1000 : into;
	float t =
	    ((float)(s->count - 1) * 1000 + (float)into) / (len * 1000.0f);
	switch (s->breath) {
	case BREATH_IN:
		p->last_moving = BREATH_IN;
		return ease(t);
	case BREATH_OUT:
		p->last_moving = BREATH_OUT;
		return 1 - ease(t);
	default: /* a held breath keeps the size it reached */
		return p->last_moving == BREATH_OUT ? 0 : 1;
	}
}

/* The square a disc of radius r and its glow cover, in whole pixels
 * around the centre, within the output. */
static SDL_Rect disc_extent(float cx, float cy, float r, int w, int h)
{
	int half = (int)ceilf(r) + 2;
	SDL_Rect e = {(int)floorf(cx) - half, (int)floorf(cy) - half, 2 * half,
		      2 * half};
	SDL_Rect out = {0, 0, w, h};
	if (!SDL_IntersectRect(&e, &out, &e))
		e.w = e.h = 0;
	return e;
}

/* The moving disc of this screen (at most one): remembered with the still
 * layer, drawn on every frame by draw_motion. */
static void set_motion(struct frame *f, enum motion_kind kind, float cx,
		       float cy, float lo, float hi, float glow, int count_px)
{
	SDL_Rect box = disc_extent(cx, cy, hi + glow, f->w, f->h);
	if (box.w > 0)
		f->p->motion = (struct motion){kind, cx, cy, lo, hi, glow, box,
					       count_px};
}

/* A disc that fills the guide ring on the in-breath and empties on the
 * out-breath, the count inside it and the breath word below. The ring and
 * the word are still; the disc, its glow and the count move. */
static void pacer(struct frame *f, SDL_Rect box)
{
	const struct screen *s = &f->v->screen;
	int word_h = line_height(f, BOLD, f->body);
	SDL_Rect ring = box;
	SDL_Rect label = cut_bottom(&ring, word_h, f->gap / 2);
	float R = (float)(ring.w < ring.h ? ring.w : ring.h) / 2 * 0.92f;
	if (R < 8)
		return;
	float cx = ring.x + ring.w / 2.0f, cy = ring.y + ring.h / 2.0f;
	float rmin = R * 0.42f;
	arc(f, cx, cy, R - (float)f->s / 120 - 1, R, 0, 2 * PI_F, TRACK);
	int px = (int)(rmin * 0.9f);
	/* No count when it could not be read. */
	set_motion(f, MOTION_PACER, cx, cy, rmin, R, R * 0.14f,
		   px < f->small ? 0 : px);
	char said[ROUTINE_TEXT_BYTES];
	const char *label_text = breath_label(f, s->breath, said, sizeof said);
	int lw = text_width(f, BOLD, f->body, label_text);
	draw_line(f, BOLD, f->body, label_text, label.x + (label.w - lw) / 2,
		  label.y, WHITE, NAVY);
}

/* ---- the moving layer ---- */

/* How far the disc is open, 0 to 1, at time now. */
static float motion_open(struct painter *p, const struct view *v, kt_ms now)
{
	if (p->motion.kind == MOTION_PACER)
		return breath_open(p, v, now);
	/* The attract circle: one slow breath every ten seconds. */
	float t = v->animate ? (float)(now % 10000) / 10000.0f : 0.25f;
	return 0.5f - 0.5f * cosf(2 * PI_F * t);
}

/* The disc's radius at the frame's time, and the square it covers. */
static SDL_Rect disc_now(struct frame *f, float *r)
{
	const struct motion *m = &f->p->motion;
	*r = m->lo + (m->hi - m->lo) * motion_open(f->p, f->v, f->now);
	return disc_extent(m->cx, m->cy, *r + m->glow, f->w, f->h);
}

/* The ring between the solid disc and the glow's end: the disc solid to
 * r with a feather to r + 1 (alpha 1/2 to 0), over a glow from 35% at
 * r - 1 to nothing at r + glow; both in one colour, so one alpha says it
 * all. It depends on the distance only, so it is tabulated once a frame
 * over the squared distance (steps of well under a tenth of a pixel),
 * and a pixel costs no square root. */
#define RING_STEPS 4096

struct ring {
	float in2, scale;
	Uint16 alpha[RING_STEPS + 1]; /* out of 256 */
};

static void ring_init(struct ring *t, float r, float glow)
{
	float in = r - 1 > 0 ? r - 1 : 0, out = r + glow;
	float k = 0.35f / (glow + 1);
	t->in2 = in * in;
	t->scale = RING_STEPS / (out * out - t->in2);
	for (int i = 0; i <= RING_STEPS; i++) {
		float d = sqrtf(t->in2 + (float)i / t->scale);
		float ad = d <= r ? 1 : d < r + 1 ? (r + 1 - d) / 2 : 0;
		float ah = d < out ? k * (out - d) : 0;
		t->alpha[i] = (Uint16)((1 - (1 - ad) * (1 - ah)) * 256 + 0.5f);
	}
}

/* Pixels x0..x1 of a row of the ring, over the still pixels bg; out
 * is where pixel x0 goes. */
static void ring_span(const struct ring *t, Uint32 *out, const Uint32 *bg,
		      int x0, int x1, float fx, float dy2, Uint32 solid)
{
	for (int x = x0; x < x1; x++) {
		float dx = (float)x + 1 - fx;
		float i = (dx * dx + dy2 - t->in2) * t->scale;
		Uint32 a = t->alpha[i <= 0 ? 0 : i >= RING_STEPS ? RING_STEPS
								: (int)i];
		Uint32 b = bg[x], mix = 0xFFu << 24;
		for (int sh = 0; sh < 24; sh += 8) {
			Uint32 fg = solid >> sh & 0xFF, g = b >> sh & 0xFF;
			mix |= (fg * a + g * (256 - a)) >> 8 << sh;
		}
		out[x - x0] = mix;
	}
}

/* The disc of radius r and its glow over the still layer's pixels
 * `under` (side x side), as disc() and a band of fading colour drew them
 * with triangles (see struct ring), for the square `part` of it. Composed
 * here, so that the blit is a plain copy; only the ring between the solid
 * disc and the glow's end is computed, the spans inside and outside it
 * are filled. Written to px, pitch pixels a row, where part's top left
 * corner goes: the sprite's own pixels, locked (no copy in between). */
static void raster_disc(Uint32 *px, int pitch, const Uint32 *under, int side,
			SDL_Rect part, float fx, float fy, float r, float glow,
			SDL_Color c)
{
	static struct ring t;
	float in = r - 1, out = r + glow;
	Uint32 solid = 0xFFu << 24 | (Uint32)c.r << 16 | (Uint32)c.g << 8 | c.b;
	int left = part.x, right = part.x + part.w;
	ring_init(&t, r, glow);
	for (int y = part.y; y < part.y + part.h; y++) {
		Uint32 *row = px + (size_t)(y - part.y) * (size_t)pitch;
		const Uint32 *bg = under + (size_t)y * (size_t)side;
		/* SDL's triangles cover a pixel by its far corner: x + 1. */
		float dy = (float)y + 1 - fy, dy2 = dy * dy;
		int x0 = left, x1 = left, i0 = 0, i1 = 0;
		if (dy2 < out * out) {
			float w = sqrtf(out * out - dy2);
			x0 = (int)floorf(fx - 1 - w), x1 = (int)ceilf(fx - 1 + w);
		}
		x0 = x0 < left ? left : x0 > right ? right : x0;
		x1 = x1 > right ? right : x1 < x0 ? x0 : x1;
		if (in > 0 && dy2 < in * in) {
			float w = sqrtf(in * in - dy2);
			i0 = (int)ceilf(fx - 1 - w), i1 = (int)floorf(fx - 1 + w);
		}
		i0 = i0 < x0 ? x0 : i0 > x1 ? x1 : i0;
		i1 = i1 > x1 ? x1 : i1 < i0 ? i0 : i1;
		memcpy(row, bg + left, sizeof *row * (size_t)(x0 - left));
		memcpy(row + (x1 - left), bg + x1,
		       sizeof *row * (size_t)(right - x1));
		for (int x = i0; x < i1; x++)
			row[x - left] = solid;
		ring_span(&t, row + (x0 - left), bg, x0, i0, fx, dy2, solid);
		ring_span(&t, row + (i1 - left), bg, i1, x1, fx, dy2, solid);
	}
}

/* Room for the disc's sprite and the still pixels under it, and those
 * pixels, read from the still layer just painted (the render target):
 * all of the disc's box, or only the square `only` (w > 0) when the
 * layer was painted straight onto the output, which the next frame
 * paints and reads again (the first frame, or a renderer without render
 * targets). At start the idle circle is at its smallest: less than half
 * of its box to read. */
static void read_under(struct painter *p, SDL_Rect only)
{
	const struct motion *m = &p->motion;
	int side = m->box.w > m->box.h ? m->box.w : m->box.h;
	if (!p->sprite || p->sprite_side != side) {
		if (p->sprite)
			SDL_DestroyTexture(p->sprite);
		free(p->under_px);
		size_t n = (size_t)side * (size_t)side;
		p->sprite = SDL_CreateTexture(p->r, SDL_PIXELFORMAT_ARGB8888,
					      SDL_TEXTUREACCESS_STREAMING, side,
					      side);
		p->under_px = malloc(sizeof *p->under_px * n);
		p->sprite_side = side;
	}
	memset(p->sprite_key, 0, sizeof p->sprite_key);
	p->sprite_ok = false;
	if (!p->sprite || !p->under_px) {
		sdl_failed(p, "SDL_CreateTexture");
		return;
	}
	SDL_SetTextureBlendMode(p->sprite, SDL_BLENDMODE_NONE);
	SDL_Rect at = m->box;
	if (only.w > 0 && !SDL_IntersectRect(&m->box, &only, &at))
		return; /* nothing of the disc on the screen */
	Uint32 *dst = p->under_px + (size_t)(at.y - m->box.y) * (size_t)side +
		      (size_t)(at.x - m->box.x);
	if (SDL_RenderReadPixels(p->r, &at, SDL_PIXELFORMAT_ARGB8888, dst,
				 side * (int)sizeof(Uint32)) < 0) {
		sdl_failed(p, "SDL_RenderReadPixels");
		return;
	}
	p->sprite_ok = true;
}

/* The sprite for radius r over the square `part` of the box, made only
 * when they changed. */
static SDL_Texture *disc_sprite(struct painter *p, float r, SDL_Rect part)
{
	const struct motion *m = &p->motion;
	if (!p->sprite_ok)
		return NULL;
	int side = p->sprite_side;
	float key[SPRITE_KEYS] = {r,
				  (float)part.x,
				  (float)part.y,
				  (float)part.w,
				  (float)part.h};
	if (part.w > 0 && part.h > 0 &&
	    memcmp(key, p->sprite_key, sizeof key)) {
		void *px;
		int pitch;
		if (SDL_LockTexture(p->sprite, &part, &px, &pitch) < 0) {
			sdl_failed(p, "SDL_LockTexture");
			return NULL;
		}
		raster_disc(px, pitch / (int)sizeof(Uint32), p->under_px, side,
			    part, m->cx - (float)m->box.x,
			    m->cy - (float)m->box.y, r, m->glow, TEAL);
		SDL_UnlockTexture(p->sprite);
		memcpy(p->sprite_key, key, sizeof key);
	}
	return p->sprite;
}

/* The disc at its radius for now, and the count on it. With `partial`
 * the output holds the last frame: only the square where the disc was or
 * now is is drawn again. */
static void draw_motion(struct frame *f, bool partial)
{
	struct painter *p = f->p;
	struct motion *m = &p->motion;
	if (m->kind == MOTION_NONE)
		return;
	float r;
	SDL_Rect area = disc_now(f, &r);
	if (partial)
		SDL_UnionRect(&area, &p->disc_shown, &area);
	p->disc_shown = area;
	SDL_Rect part = {area.x - m->box.x, area.y - m->box.y, area.w, area.h};
	SDL_Texture *t = disc_sprite(p, r, part);
	if (t && area.w > 0 && SDL_RenderCopy(p->r, t, &part, &area) < 0)
		sdl_failed(p, "SDL_RenderCopy");
	if (!m->count_px)
		return;
	char count[16];
	snprintf(count, sizeof count, "%d", f->v->screen.count);
	int cw = text_width(f, BOLD, m->count_px, count);
	int ch = line_height(f, BOLD, m->count_px);
	draw_line(f, BOLD, m->count_px, count, (int)(m->cx - cw / 2.0f),
		  (int)(m->cy - ch / 2.0f), NAVY, TEAL);
}

/* ---- screens ---- */

/* Split the area into a main column and a side column (right in
 * landscape, below in portrait). */
static void split(struct frame *f, int main_share, SDL_Rect *main_box,
		  SDL_Rect *side)
{
	SDL_Rect a = f->area;
	if (f->portrait) {
		*main_box = cut_top(&a, a.h * main_share / 100, f->gap);
	} else {
		*main_box = cut_left(&a, a.w * main_share / 100, f->gap);
	}
	*side = a;
}

static void draw_attract(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	char line[ROUTINE_TEXT_BYTES];
	caption_panel(f, caption_of(f->v), f->area.h / 3);
	SDL_Rect circle, text;
	split(f, f->portrait ? 42 : 36, &circle, &text);
	float R = (float)(circle.w < circle.h ? circle.w : circle.h) / 2;
	float cx = circle.x + circle.w / 2.0f, cy = circle.y + circle.h / 2.0f;
	arc(f, cx, cy, R * 0.95f - 2, R * 0.95f, 0, 2 * PI_F, TRACK);
	/* The circle breathes between half and 82% of its ring. */
	set_motion(f, MOTION_ATTRACT, cx, cy, R * 0.5f, R * 0.82f, R * 0.14f,
		   0);
	char start[ROUTINE_TEXT_BYTES], mat[ROUTINE_TEXT_BYTES];
	const struct item it[] = {
	    {s->title, BOLD, f->big, 2, WHITE},
	    {word(f, WORD_ABOUT, line, sizeof line), REGULAR, f->body, 3, SOFT},
	    /* With no button the mat is the way in, said as an order. */
	    {word(f, s->no_button ? WORD_LIE_DOWN : WORD_START, start,
		  sizeof start),
	     BOLD, f->title, 3, TEAL},
	    {word(f, WORD_START_MAT, mat, sizeof mat), REGULAR, f->body, 2,
	     WHITE},
	};
	stack(f, text, it, s->mat_start && !s->no_button ? 4 : 3,
	      f->portrait ? CENTER : LEFT, NULL, NULL);
}

/* A heading, the line being said large in the middle (or, when nothing
 * is said, the `quiet` words; WORD_COUNT: none) and a hint at the foot:
 * the safety words, and the red-flag screen after them. */
static void draw_notice(struct frame *f, enum word heading, enum word hint_word,
			enum word quiet)
{
	const struct screen *s = &f->v->screen;
	struct para pa;
	para_top(f, s->title, REGULAR, f->small, 1, LEFT, TEAL, NAVY);
	char before[ROUTINE_TEXT_BYTES], hint[ROUTINE_TEXT_BYTES];
	para_top(f, word(f, heading, before, sizeof before), BOLD, f->title, 2,
		 LEFT, WHITE, NAVY);
	para_fit(f, &pa, word(f, hint_word, hint, sizeof hint), REGULAR,
		 f->small, f->area.w, f->area.h / 4, 3);
	SDL_Rect foot = cut_bottom(&f->area, pa.height, f->gap);
	para_draw(f, &pa, foot, LEFT, SOFT, NAVY);
	char quiet_text[ROUTINE_TEXT_BYTES];
	const char *c = caption_of(f->v);
	if ((!c || !*c) && quiet < WORD_COUNT)
		c = word(f, quiet, quiet_text, sizeof quiet_text);
	if (!c || !*c)
		return;
	para_fit(f, &pa, c, REGULAR, f->big * 3 / 4, f->area.w, f->area.h,
		 LINES_MAX);
	SDL_Rect box = {f->area.x, f->area.y + (f->area.h - pa.height) / 2,
			f->area.w, pa.height};
	para_draw(f, &pa, box, LEFT, WHITE, NAVY);
}

static void draw_safety(struct frame *f)
{
	draw_notice(f, WORD_BEFORE,
		    f->v->screen.no_button ? WORD_STOP_HINT_MAT
					   : WORD_STOP_HINT,
		    WORD_COUNT);
}

/* Once it asks for the press, the question stays up large after the
 * voice has said it, for as long as it waits. */
static void draw_redflags(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	draw_notice(f, WORD_REDFLAGS, WORD_REDFLAGS_HINT,
		    s->confirm && !s->no_button ? WORD_REDFLAGS_CONFIRM
						: WORD_COUNT);
}

/* Illustration and the spoken line, large: side by side in landscape,
 * stacked and centred together in portrait. */
static void draw_intro(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	struct para pa;
	exercise_header(f, f->title, NULL, 0);
	const char *c = caption_of(f->v);
	if (!c)
		c = "";
	if (f->portrait) {
		SDL_Rect a = f->area;
		para_fit(f, &pa, c, REGULAR, f->title, a.w, a.h / 2, LINES_MAX);
		int pic_h = a.w * 3 / 4;
		if (pic_h > a.h - pa.height - f->gap)
			pic_h = a.h - pa.height - f->gap;
		int y = a.y + (a.h - pic_h - f->gap - pa.height) / 2;
		draw_picture(f, s->illustration,
			     (SDL_Rect){a.x, y, a.w, pic_h});
		SDL_Rect box = {a.x, y + pic_h + f->gap, a.w, pa.height};
		para_draw(f, &pa, box, CENTER, WHITE, NAVY);
		return;
	}
	SDL_Rect pic, text;
	split(f, 52, &pic, &text);
	draw_picture(f, s->illustration, pic);
	para_fit(f, &pa, c, REGULAR, f->title, text.w, text.h, LINES_MAX);
	SDL_Rect box = {text.x, text.y + (text.h - pa.height) / 2, text.w,
			pa.height};
	para_draw(f, &pa, box, LEFT, WHITE, NAVY);
}

/* A labelled countdown beside the illustration: get ready, and rest. */
static void countdown_with_picture(struct frame *f, const char *label,
				   int seconds, int share, const char *below)
{
	const struct screen *s = &f->v->screen;
	char num[16];
	SDL_Rect main_box, side;
	caption_panel(f, caption_of(f->v), f->area.h / 3);
	split(f, share, &main_box, &side);
	f->area = main_box;
	para_top(f, label, BOLD, f->big * 3 / 4, 1, CENTER, TEAL, NAVY);
	struct para pa;
	if (below && *below) {
		para_fit(f, &pa, below, BOLD, f->title, f->area.w,
			 f->area.h / 3, 3);
		/* With no countdown (no rest between exercises), what comes
		 * next takes its place in the middle rather than leave it
		 * empty. */
		SDL_Rect b =
		    seconds > 0
			? cut_bottom(&f->area, pa.height, f->gap / 2)
			: (SDL_Rect){f->area.x,
				     f->area.y + (f->area.h - pa.height) / 2,
				     f->area.w, pa.height};
		para_draw(f, &pa, b, CENTER, WHITE, NAVY);
	}
	if (seconds > 0) {
		format_time(num, sizeof num, seconds);
		draw_digits(f, f->area, num, f->h * 36 / 100, WHITE, NAVY);
	}
	draw_picture(f, s->illustration, side);
}

static void draw_ready(struct frame *f)
{
	exercise_header(f, f->title, NULL, 0);
	char label[ROUTINE_TEXT_BYTES];
	countdown_with_picture(f, word(f, WORD_GET_READY, label, sizeof label),
			       f->v->screen.remaining, 50, NULL);
}

static void draw_rest(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	char next[ROUTINE_TEXT_BYTES], label[ROUTINE_TEXT_BYTES];
	exercise_header(f, f->title, NULL, 0);
	if (*s->next)
		word(f, WORD_NEXT, next, sizeof next);
	else if (s->repeats > 1)
		word(f, WORD_NEXT_ROUND, next, sizeof next);
	else
		next[0] = '\0';
	countdown_with_picture(f, word(f, WORD_REST, label, sizeof label),
			       s->remaining, 50, next);
}

static void draw_waiting(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	bool mat = s->trigger == START_MAT;
	char what[ROUTINE_TEXT_BYTES], more[ROUTINE_TEXT_BYTES];
	exercise_header(f, f->title, NULL, 0);
	caption_panel(f, caption_of(f->v), f->area.h / 3);
	SDL_Rect main_box, side;
	split(f, 50, &main_box, &side);
	draw_picture(f, s->illustration, side);
	const struct item it[] = {
	    {word(f, mat ? WORD_LIE_DOWN : WORD_PRESS, what, sizeof what), BOLD,
	     f->big, 3, TEAL},
	    {word(f, mat ? WORD_LIE_DOWN_MORE : WORD_PRESS_MORE, more,
		  sizeof more),
	     REGULAR, f->body, 3, WHITE},
	};
	/* lie_down_more offers the button as the other way in. */
	stack(f, main_box, it, mat && s->no_button ? 1 : 2,
	      f->portrait ? CENTER : LEFT, NULL, NULL);
}

/* The hold: the time left is the biggest thing on the screen, with the
 * breath pacer (or, with no breath counting, the picture) beside it. */
static void draw_hold(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	char num[16], where[96] = "";
	exercise_header(f, f->body, where, sizeof where);
	int want = f->h * (f->portrait ? 415 : 425) / 1000;
	int bar = f->s / 36 + f->gap;
	caption_panel(f, caption_of(f->v), f->area.h - want - bar - f->gap);
	float total = s->total > 0 ? (float)s->total : 1;
	progress_bar(f, (total - (float)s->remaining) / total);
	format_time(num, sizeof num, s->remaining);
	SDL_Rect main_box, side;
	if (f->portrait) {
		main_box = cut_top(&f->area, want + 2, f->gap);
		side = f->area;
	} else {
		split(f, 60, &main_box, &side);
	}
	draw_digits(f, main_box, num, want, WHITE, NAVY);
	if (*where) { /* one line each: "Exercise 1 of 6", "Round 1 of 2" */
		char *round = strstr(where, "  \u00B7  ");
		if (round)
			*round = '\0', round += strlen("  \u00B7  ");
		f->area = side;
		para_top(f, where, REGULAR, f->small, 1, CENTER, TEAL, NAVY);
		para_top(f, round, REGULAR, f->small, 1, CENTER, TEAL, NAVY);
		side = f->area;
	}
	if (s->breath != BREATH_NONE)
		pacer(f, side);
	else
		draw_picture(f, s->illustration, side);
}

/* Repetitions: which one, and the movement for this breath, large. */
static void draw_reps(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	char rep[ROUTINE_TEXT_BYTES], cue[ROUTINE_TEXT_BYTES];
	exercise_header(f, f->title, NULL, 0);
	const char *said = f->v->caption;
	if (said && *said && strcmp(said, s->caption))
		caption_panel(f, said, f->area.h / 4);
	float total = s->total > 0 ? (float)s->total : 1;
	progress_bar(f, (total - (float)s->remaining) / total);
	SDL_Rect main_box, side;
	split(f, f->portrait ? 45 : 58, &main_box, &side);
	word(f, WORD_REP, rep, sizeof rep);
	const struct item it[] = {
	    {rep, BOLD, f->title, 1, WHITE},
	    {*s->caption ? s->caption
			 : breath_label(f, s->breath, cue, sizeof cue),
	     BOLD, f->big, 4, TEAL},
	};
	stack(f, main_box, it, 2, f->portrait ? CENTER : LEFT, NULL, NULL);
	if (s->breath != BREATH_NONE)
		pacer(f, side);
}

/* Paused: an amber frame and pause sign nobody can miss, and how to go
 * on. */
static void draw_paused(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	int t = f->s / 50 > 3 ? f->s / 50 : 3;
	fill_rect(f, (SDL_Rect){0, 0, f->w, t}, AMBER);
	fill_rect(f, (SDL_Rect){0, f->h - t, f->w, t}, AMBER);
	fill_rect(f, (SDL_Rect){0, 0, t, f->h}, AMBER);
	fill_rect(f, (SDL_Rect){f->w - t, 0, t, f->h}, AMBER);
	exercise_header(f, f->title, NULL, 0);
	caption_panel(f, caption_of(f->v), f->area.h / 3);
	char left[ROUTINE_TEXT_BYTES] = "", paused[ROUTINE_TEXT_BYTES],
	     resume[ROUTINE_TEXT_BYTES], stop[ROUTINE_TEXT_BYTES];
	if (s->reps > 0)
		word(f, WORD_PAUSED_REP, left, sizeof left);
	else if (s->total > 0)
		word(f, WORD_PAUSED_TIME, left, sizeof left);
	const struct item it[] = {
	    {word(f, WORD_PAUSED, paused, sizeof paused), BOLD, f->big * 3 / 2,
	     1, AMBER},
	    {word(f, s->reason == PAUSE_MAT ? WORD_RESUME_MAT : WORD_RESUME,
		  resume, sizeof resume),
	     BOLD, f->title, 3, WHITE},
	    {left, REGULAR, f->body, 2, SOFT},
	    {word(f, WORD_HOLD_TO_STOP, stop, sizeof stop), REGULAR, f->small,
	     2, SOFT},
	};
	int icon = f->big * 3 / 2, y;
	stack(f, f->area, it, s->no_button ? 3 : 4, CENTER, &icon, &y);
	if (icon) {
		float bw = icon * 0.24f, cx = f->area.x + f->area.w / 2.0f;
		float rr = bw / 2;
		for (int i = 0; i < 2; i++) {
			float x = i ? cx + bw * 0.5f : cx - bw * 1.5f;
			SDL_Rect bar = {(int)x, y + (int)rr, (int)bw,
					icon - 2 * (int)rr};
			fill_rect(f, bar, AMBER);
			disc(f, x + rr, y + rr, rr, AMBER);
			disc(f, x + rr, y + icon - rr, rr, AMBER);
		}
	}
}

static void check_mark(struct frame *f, float cx, float cy, float R)
{
	if (f->p->dry)
		return;
	disc(f, cx, cy, R, TEAL);
	float w = R * 0.16f;
	/* Two strokes, each a thin quad with round ends. */
	float pts[3][2] = {{cx - R * 0.45f, cy + R * 0.02f},
			   {cx - R * 0.12f, cy + R * 0.35f},
			   {cx + R * 0.48f, cy - R * 0.3f}};
	for (int i = 0; i < 2; i++) {
		float x0 = pts[i][0], y0 = pts[i][1];
		float x1 = pts[i + 1][0], y1 = pts[i + 1][1];
		float dx = x1 - x0, dy = y1 - y0, l = sqrtf(dx * dx + dy * dy);
		float nx = -dy / l * w / 2, ny = dx / l * w / 2;
		SDL_Vertex v[4] = {
		    vert(x0 + nx, y0 + ny, NAVY), vert(x1 + nx, y1 + ny, NAVY),
		    vert(x0 - nx, y0 - ny, NAVY), vert(x1 - nx, y1 - ny, NAVY)};
		int idx[6] = {0, 1, 2, 1, 3, 2};
		if (SDL_RenderGeometry(f->p->r, NULL, v, 4, idx, 6) < 0)
			sdl_failed(f->p, "SDL_RenderGeometry");
		disc(f, x0, y0, w / 2, NAVY);
		disc(f, x1, y1, w / 2, NAVY);
	}
}

static void draw_done(struct frame *f)
{
	const struct screen *s = &f->v->screen;
	char what[ROUTINE_TEXT_BYTES], done[ROUTINE_TEXT_BYTES];
	caption_panel(f, caption_of(f->v), f->area.h / 3);
	word(f, WORD_DONE, what, sizeof what);
	const struct item it[] = {
	    {word(f, WORD_WELL_DONE, done, sizeof done), BOLD, f->big * 3 / 2,
	     2, TEAL},
	    {what, BOLD, f->title, 3, WHITE},
	    {s->title, REGULAR, f->body, 2, SOFT},
	};
	int icon = f->s / 4, y;
	stack(f, f->area, it, 3, CENTER, &icon, &y);
	if (icon)
		check_mark(f, f->area.x + f->area.w / 2.0f, y + icon / 2.0f,
			   icon / 2.0f);
}

/* ---- the painter ---- */

struct painter *screens_new(SDL_Renderer *r, const char *font_dir, char *err,
			    size_t errlen)
{
	struct painter *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	routine_settings_defaults(&p->english);
	p->last_moving = BREATH_IN;
	screens_attach(p, r);
	/* TTF_Init counts its callers; screens_free undoes this one. */
	if (TTF_Init() < 0) {
		snprintf(err, errlen, "TTF_Init: %s", TTF_GetError());
		free(p);
		return NULL;
	}
	p->ttf = true;
	if (fonts_load(&p->files, font_dir, err, errlen) < 0) {
		screens_free(p);
		return NULL;
	}
	return p;
}

void screens_attach(struct painter *p, SDL_Renderer *r)
{
	p->r = r;
	/* The software renderer draws into memory that stays as drawn
	 * after a present, so a frame may redraw only what moved; others
	 * (GPU back buffers) are redrawn whole every frame. */
	SDL_RendererInfo info;
	p->keeps_pixels = r && SDL_GetRendererInfo(r, &info) == 0 &&
			  (info.flags & SDL_RENDERER_SOFTWARE);
}

void screens_free(struct painter *p)
{
	if (!p)
		return;
	for (int i = 0; i < FONT_SLOTS; i++)
		if (p->fonts[i].font)
			TTF_CloseFont(p->fonts[i].font);
	for (int i = 0; i < TEXT_SLOTS; i++)
		text_slot_clear(&p->texts[i]);
	for (int i = 0; i < WIDTH_SLOTS; i++)
		free(p->widths[i].s);
	for (int i = 0; i < IMAGE_SLOTS; i++) {
		if (p->images[i].tex)
			SDL_DestroyTexture(p->images[i].tex);
		free(p->images[i].path);
	}
	fonts_free(&p->files); /* after the fonts opened from it */
	if (p->still)
		SDL_DestroyTexture(p->still);
	if (p->sprite)
		SDL_DestroyTexture(p->sprite);
	free(p->under_px);
	if (p->ttf)
		TTF_Quit();
	free(p);
}

/* Text not drawn in the last two paintings of the still layer is
 * dropped: big countdown digits at 4K are tens of megabytes each. */
static void forget_unused(struct painter *p)
{
	for (int i = 0; i < TEXT_SLOTS; i++)
		if (p->texts[i].s && p->frame - p->texts[i].used > 1)
			text_slot_clear(&p->texts[i]);
}

static void frame_init(struct frame *f, struct painter *p, const struct view *v,
		       kt_ms now, int w, int h)
{
	memset(f, 0, sizeof *f);
	f->p = p, f->v = v, f->now = now, f->w = w, f->h = h;
	f->s = w < h ? w : h;
	f->portrait = h > w;
	f->margin = f->s / 24;
	f->gap = f->s / 30;
	/* Smallest text: capitals about 1/24 of the short side. */
	f->small = (f->s * 10 + 169) / 170;
	f->body = f->s * 10 / 135;
	f->title = f->s * 10 / 110;
	f->big = f->s * 10 / 75;
	if (f->body < f->small)
		f->body = f->small;
	f->area = (SDL_Rect){f->margin, f->margin, w - 2 * f->margin,
			     h - 2 * f->margin};
}

/* ---- the still layer ---- */

/* A copy of s for the key; false when it does not fit (never the same). */
static bool key_text(char *out, size_t n, const char *s, bool *set)
{
	*set = s != NULL;
	return snprintf(out, n, "%s", s ? s : "") < (int)n;
}

static bool key_text_same(const char *kept, bool set, const char *s)
{
	return set == (s != NULL) && (!s || !strcmp(kept, s));
}

/* Is the still layer what v shows at w x h? Only ever wrong towards "no"
 * (bytes of the screen compared, padding and all), which costs a repaint. */
static bool still_same(const struct painter *p, const struct view *v, int w,
		       int h)
{
	const struct still_key *k = &p->key;
	return p->still_valid && k->w == w && k->h == h &&
	       !memcmp(&k->screen, &v->screen, sizeof k->screen) &&
	       key_text_same(k->caption, k->caption_set, v->caption) &&
	       key_text_same(k->banner, k->banner_set, v->banner) &&
	       key_text_same(k->routine, k->routine_set, v->routine) &&
	       k->words == v->words && k->animate == v->animate;
}

static void still_remember(struct painter *p, const struct view *v, int w,
			   int h)
{
	struct still_key *k = &p->key;
	k->w = w, k->h = h;
	memcpy(&k->screen, &v->screen, sizeof k->screen);
	k->words = v->words;
	k->animate = v->animate;
	p->still_valid =
	    key_text(k->caption, sizeof k->caption, v->caption,
		     &k->caption_set) &
	    key_text(k->banner, sizeof k->banner, v->banner, &k->banner_set) &
	    key_text(k->routine, sizeof k->routine, v->routine,
		     &k->routine_set);
}

/* A texture of the output's size to paint the still layer into; NULL
 * (and the layer painted straight on the output every frame) when the
 * renderer cannot draw into textures. */
static SDL_Texture *still_texture(struct painter *p, int w, int h)
{
	int tw = 0, th = 0;
	if (p->still && SDL_QueryTexture(p->still, NULL, NULL, &tw, &th) == 0 &&
	    tw == w && th == h)
		return p->still;
	if (p->still)
		SDL_DestroyTexture(p->still);
	p->still = NULL;
	if (!SDL_RenderTargetSupported(p->r))
		return NULL;
	p->still = SDL_CreateTexture(p->r, SDL_PIXELFORMAT_ARGB8888,
				     SDL_TEXTUREACCESS_TARGET, w, h);
	if (p->still)
		SDL_SetTextureBlendMode(p->still, SDL_BLENDMODE_NONE);
	return p->still;
}

/* What does not move on the screen f shows: the banner, and the
 * screen's own drawing. */
static void draw_screen(struct frame *f)
{
	static void (*const draw[])(struct frame *) = {
	    [SCREEN_ATTRACT] = draw_attract,   [SCREEN_SAFETY] = draw_safety,
	    [SCREEN_REDFLAGS] = draw_redflags, [SCREEN_INTRO] = draw_intro,
	    [SCREEN_READY] = draw_ready,       [SCREEN_WAITING] = draw_waiting,
	    [SCREEN_HOLD] = draw_hold,	       [SCREEN_REPS] = draw_reps,
	    [SCREEN_PAUSED] = draw_paused,     [SCREEN_REST] = draw_rest,
	    [SCREEN_DONE] = draw_done,
	};
	banner(f);
	unsigned k = (unsigned)f->v->screen.kind;
	if (k < sizeof draw / sizeof *draw && draw[k])
		draw[k](f);
}

/* Everything that does not move, for v at w x h. */
static void paint_still(struct painter *p, const struct view *v, kt_ms now,
			int w, int h)
{
	struct frame f;
	/* The very first painting goes straight onto the output: nothing
	 * has moved yet, and making and clearing a texture the size of the
	 * screen first cost 2 ms of the start (a third of the first frame).
	 * The layer is made by the next painting. */
	SDL_Texture *layer = p->frame ? still_texture(p, w, h) : NULL;
	p->frame++;
	p->npainted = 0;
	p->motion.kind = MOTION_NONE;
	if (layer && SDL_SetRenderTarget(p->r, layer) < 0) {
		sdl_failed(p, "SDL_SetRenderTarget");
		return;
	}
	frame_init(&f, p, v, now, w, h);
	SDL_SetRenderDrawBlendMode(p->r, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(p->r, NAVY.r, NAVY.g, NAVY.b, 0xFF);
	if (SDL_RenderClear(p->r) < 0)
		sdl_failed(p, "SDL_RenderClear");
	draw_screen(&f);
	if (p->motion.kind != MOTION_NONE) {
		float r;
		read_under(p, layer ? (SDL_Rect){0, 0, 0, 0} : disc_now(&f, &r));
	}
	if (layer && SDL_SetRenderTarget(p->r, NULL) < 0)
		sdl_failed(p, "SDL_SetRenderTarget");
	p->nstill = p->npainted;
	forget_unused(p);
	if (layer && !p->failed)
		still_remember(p, v, w, h);
}

int screens_draw(struct painter *p, const struct view *v, kt_ms now)
{
	struct frame f;
	int w = 0, h = 0;
	p->failed = false;
	if (SDL_GetRendererOutputSize(p->r, &w, &h) < 0 || w <= 0 || h <= 0) {
		sdl_failed(p, "SDL_GetRendererOutputSize");
		return -1;
	}
	bool fresh = !still_same(p, v, w, h);
	if (fresh) {
		p->still_valid = false;
		paint_still(p, v, now, w, h);
	}
	p->npainted = p->nstill;
	/* The still layer onto the output: all of it, unless the output
	 * still holds our last frame and only the disc moved. */
	bool partial = !fresh && p->on_screen && p->keeps_pixels &&
		       p->still && p->motion.kind != MOTION_NONE;
	if (!partial && p->still &&
	    SDL_RenderCopy(p->r, p->still, NULL, NULL) < 0)
		sdl_failed(p, "SDL_RenderCopy");
	frame_init(&f, p, v, now, w, h);
	draw_motion(&f, partial);
	p->on_screen = !p->failed;
	return p->failed ? -1 : 0;
}

/* The still layer laid out, dry: what it measures and renders is kept
 * in the painter's caches, where the painting finds it. Nothing of the
 * layout itself is kept (the painting lays out again, from the caches):
 * a guess that was wrong costs nothing but its own time. */
void screens_prepare(struct painter *p, const struct view *v, int w, int h)
{
	struct frame f;
	if (w <= 0 || h <= 0)
		return;
	p->dry = true;
	frame_init(&f, p, v, v->shown_at, w, h);
	draw_screen(&f);
	p->dry = false;
	p->npainted = 0;
	p->motion.kind = MOTION_NONE;
}

void screens_invalidate(struct painter *p)
{
	p->still_valid = false;
	p->on_screen = false;
}

kt_ms screens_next_frame(const struct painter *p, const struct view *v,
			 kt_ms now, int fps)
{
	(void)p;
	const struct screen *s = &v->screen;
	bool moving = s->kind == SCREEN_ATTRACT ||
		      ((s->kind == SCREEN_HOLD || s->kind == SCREEN_REPS) &&
		       (s->breath == BREATH_IN || s->breath == BREATH_OUT));
	if (!v->animate || !moving || fps <= 0)
		return KT_NEVER;
	return now + (1000 + fps - 1) / fps;
}

int screens_texts(const struct painter *p, const struct painted_text **out)
{
	*out = p->painted;
	return p->npainted;
}
