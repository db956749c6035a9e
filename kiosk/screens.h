/*
 * screens.h - paints one frame of a kiosk screen onto an SDL renderer.
 *
 * Pure drawing: given what to show (a struct view, built from the engine's
 * SHOW and SAY actions) and the time, it paints a whole frame, scaled to
 * the renderer's output size, landscape or portrait, 480x320 to 3840x2160.
 * What does not move is painted once per change of the view into a
 * texture it keeps; an animation frame only puts the moving disc on it
 * (see screens.c), so the animation costs a few percent of a core even
 * in SDL's software renderer.
 * It knows nothing of windows, events, clocks or when to present (video.c
 * decides that); that is what lets the tests paint every screen into an
 * SDL software renderer with no display at all.
 *
 * Look: made to be read from 3 m away and by someone lying on the floor.
 * Light text on a dark navy ground, every text at least 7:1 contrast,
 * nothing smaller than 1/24 of the short side of the screen.
 *
 * Ownership: a painter belongs to one renderer and owns the fonts and the
 * textures (illustrations, cached text) it makes for it; free it before
 * the renderer. screens_new calls TTF_Init and screens_free TTF_Quit
 * (SDL_ttf counts them); SDL_image needs no init for SVG and PNG.
 *
 * Threads: one at a time. Everything but screens_prepare runs on the
 * thread that owns the renderer; screens_new and screens_prepare need no
 * renderer, and may run on another thread while the renderer is being
 * made, as long as nothing else touches the painter (nor SDL_ttf) until
 * they return. That is how the first screen's text is laid out and
 * rendered while SDL opens its window (video.c).
 *
 * Captions: view.caption, the line being said (video.c keeps it up a
 * little after the voice ends, then takes it down). On REPS the screen's
 * caption is the movement cue, shown large; view.caption is added below
 * only when it differs. Words of the screens ("Rest", "Paused", ...) come
 * from view.words, the routine's [screen] section.
 */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

#include <SDL.h>
#include <stdbool.h>

#include "engine.h"
#include "ktime.h"

struct view {
	struct screen screen; /* the engine's last SHOW */
	kt_ms shown_at;	      /* when that SHOW was due */
	const char *caption;  /* the line being said, or NULL when none */
	const char *banner;   /* staff banner (config errors) for the attract
				 screen, or NULL */
	const char *routine;  /* the routine's name */
	const char *const *words; /* [screen] words (settings.word), or NULL
				     for the English ones */
	bool animate;		  /* attract animation and pacer motion */
};

struct painter;

/* Fonts come from `font_dir` (or the system's DejaVu fonts when NULL):
 * DejaVuSans.ttf and DejaVuSans-Bold.ttf, both checked here. `r` may be
 * NULL until screens_attach. NULL on failure with the reason in `err`. */
struct painter *screens_new(SDL_Renderer *r, const char *font_dir, char *err,
			    size_t errlen);
/* The renderer to paint on, before the first screens_draw. */
void screens_attach(struct painter *p, SDL_Renderer *r);
void screens_free(struct painter *p);

/* Lay out v at w x h as screens_draw would, drawing nothing: the text it
 * would draw is rendered into memory and each width it measures is kept,
 * so the first screens_draw of that view at that size only uploads and
 * copies. A guess (a view or size that is not what gets drawn) costs only
 * its own time. Needs no renderer (see Threads above). */
void screens_prepare(struct painter *p, const struct view *v, int w, int h);

/* Paint the whole frame for `v` as it looks at time `now`. 0, or -1 when
 * SDL failed (logged). The view's content (not `now`) is compared with
 * the last one painted: the same content reuses the still layer. */
int screens_draw(struct painter *p, const struct view *v, kt_ms now);

/* Paint everything again at the next draw: when what the view points to
 * may have changed in place (the routine's words after a reload), or the
 * output lost its pixels (the window was exposed or resized). */
void screens_invalidate(struct painter *p);

/* The next time the picture changes by itself (an animation frame, at most
 * `fps` a second), or KT_NEVER when it is still until the view changes:
 * with view.animate, the attract circle, and the pacer while the breath
 * goes in or out. Countdown digits need no wake: the engine sends a new
 * SHOW each second. */
kt_ms screens_next_frame(const struct painter *p, const struct view *v,
			 kt_ms now, int fps);

/* For tests: the boxes of text drawn by the last screens_draw, with the
 * colours used, so the tests can check size, placement and contrast.
 * Boxes are line boxes, except the countdown's, which is its ink. The
 * array belongs to the painter and changes with the next draw. */
struct painted_text {
	SDL_Rect box;
	SDL_Color fg, bg;
	bool digits;	  /* the big countdown number */
	const char *text; /* what it says; valid until the next draw */
};
int screens_texts(const struct painter *p, const struct painted_text **out);

#endif
