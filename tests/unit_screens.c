/*
 * unit_screens.c - every screen painted into an SDL software renderer (no
 * display needed) at small, HD and portrait sizes, saved as PNGs in
 * $KIOSK_OUT/screens, and judged from the pixels: text inside the frame
 * and not overlapping, nothing tiny, 7:1 contrast measured from the
 * colours actually painted, the countdown at least 40% of the height, the
 * pacer growing on the in-breath and shrinking on the out-breath, long
 * captions wrapped, the staff banner shown on the idle screen. Content is the
 * default routine's.
 */
#include "testutil.h"

#include <SDL.h>
#include <SDL_image.h>
#include <math.h>
#include <sys/stat.h>

#include "load.h"
#include "people.h"
#include "screens.h"

#define ILLU "assets/illustrations/"

struct canvas {
	SDL_Surface *surf;
	SDL_Renderer *r;
	struct painter *p;
	int w, h;
};

static void canvas_open(struct canvas *c, int w, int h)
{
	char err[256] = "";
	c->w = w, c->h = h;
	c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32,
						 SDL_PIXELFORMAT_ARGB8888);
	assert_non_null(c->surf);
	c->r = SDL_CreateSoftwareRenderer(c->surf);
	assert_non_null(c->r);
	c->p = screens_new(c->r, NULL, err, sizeof err);
	if (!c->p)
		fail_msg("screens_new: %s", err);
}

static void canvas_close(struct canvas *c)
{
	screens_free(c->p);
	SDL_DestroyRenderer(c->r);
	SDL_FreeSurface(c->surf);
}

static SDL_Color pixel(const struct canvas *c, int x, int y)
{
	const Uint8 *row = (const Uint8 *)c->surf->pixels + y * c->surf->pitch;
	Uint32 v; /* memcpy: the row is bytes, not aligned Uint32s */
	memcpy(&v, row + (size_t)x * sizeof v, sizeof v);
	SDL_Color col = {0, 0, 0, 255};
	SDL_GetRGB(v, c->surf->format, &col.r, &col.g, &col.b);
	return col;
}

/* ---- WCAG 2 contrast ---- */

static double channel(Uint8 v)
{
	static double lin[256];
	static bool ready;
	for (int i = 0; !ready && i < 256; i++) {
		double c = i / 255.0;
		lin[i] =
		    c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
	}
	ready = true;
	return lin[v];
}

static double luminance(SDL_Color c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) +
	       0.0722 * channel(c.b);
}

static double contrast(SDL_Color a, SDL_Color b)
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static bool near(SDL_Color a, SDL_Color b, int tol)
{
	return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol &&
	       abs(a.b - b.b) <= tol;
}

/* The most frequent colour on the ring of pixels just outside box. */
static SDL_Color ground(const struct canvas *c, SDL_Rect b)
{
	enum { MAX = 64 };
	SDL_Color col[MAX];
	int n = 0, count[MAX] = {0};
	int x0 = b.x - 2, x1 = b.x + b.w + 1, y0 = b.y - 2, y1 = b.y + b.h + 1;
	for (int y = y0; y <= y1; y++)
		for (int x = x0; x <= x1; x++) {
			bool edge = y == y0 || y == y1 || x == x0 || x == x1;
			if (!edge || x < 0 || y < 0 || x >= c->w || y >= c->h)
				continue;
			SDL_Color p = pixel(c, x, y);
			int k = 0;
			while (k < n && !near(col[k], p, 0))
				k++;
			if (k == n && n < MAX)
				col[n++] = p;
			if (k < n)
				count[k]++;
		}
	int best = 0;
	for (int k = 1; k < n; k++)
		if (count[k] > count[best])
			best = k;
	return col[best];
}

/* ---- painting ---- */

static struct view view_of(enum screen_kind kind)
{
	struct view v = {.routine = "Mid-back mobility", .animate = false};
	struct screen *s = &v.screen;
	s->kind = kind;
	strcpy(s->title, "Foam roller back extension");
	strcpy(s->illustration, ILLU "foam-roller.svg");
	s->index = 1, s->exercises = 6, s->repeat = 1, s->repeats = 2;
	switch (kind) {
	case SCREEN_ATTRACT:
		strcpy(s->title, "Mid-back mobility");
		s->illustration[0] = '\0';
		s->index = s->exercises = s->repeat = s->repeats = 0;
		s->minutes = 8, s->mat_start = true;
		break;
	case SCREEN_SAFETY:
		strcpy(s->title, "Mid-back mobility");
		strcpy(s->caption, "Go gently. Stop if any pain increases, or "
				   "if anything feels wrong.");
		break;
	case SCREEN_REDFLAGS:
		/* The longest line of the built-in list. */
		strcpy(s->title, "Mid-back mobility");
		strcpy(s->caption, "Numbness or weakness in both arms or legs, "
				   "or bladder or bowel trouble.");
		s->illustration[0] = '\0';
		s->index = s->exercises = s->repeat = s->repeats = 0;
		break;
	case SCREEN_INTRO:
		strcpy(s->caption, "Sit on the mat, the roller behind you, "
				   "knees up and feet flat.");
		break;
	case SCREEN_READY:
		strcpy(s->caption, "Get ready.");
		s->remaining = 5;
		break;
	case SCREEN_WAITING:
		strcpy(s->caption, "Lie down on the mat when you are ready.");
		s->trigger = START_MAT;
		break;
	case SCREEN_HOLD:
		strcpy(s->caption, "Halfway there.");
		s->remaining = 15, s->total = 30;
		s->breath = BREATH_IN, s->count = 2, s->phase_len = 4;
		break;
	case SCREEN_REPS:
		strcpy(s->title, "Cat-cow");
		strcpy(s->illustration, ILLU "cat-cow.svg");
		strcpy(s->caption, "Belly down, look up");
		s->index = 4, s->repeat = 1, s->repeats = 1;
		s->remaining = 28, s->total = 40, s->rep = 4, s->reps = 10;
		s->breath = BREATH_IN, s->count = 1, s->phase_len = 2;
		break;
	case SCREEN_PAUSED:
		strcpy(s->caption,
		       "Paused. Press the button when you want to carry on.");
		s->repeat = 2, s->remaining = 9, s->total = 30;
		s->reason = PAUSE_BUTTON;
		break;
	case SCREEN_REST:
		strcpy(s->caption, "Move the roller a little, staying between "
				   "the bottom and top of your ribs.");
		s->repeat = 2, s->remaining = 7;
		break;
	case SCREEN_DONE:
		strcpy(s->title, "Mid-back mobility");
		strcpy(s->caption, "You have finished the routine.");
		s->illustration[0] = '\0';
		s->index = s->repeat = s->repeats = 0;
		s->elapsed = 520;
		break;
	}
	return v;
}

static const char *out_dir(void)
{
	static char dir[512];
	const char *o = getenv("KIOSK_OUT");
	snprintf(dir, sizeof dir, "%s/screens", o ? o : "build");
	mkdir(o ? o : "build", 0755);
	mkdir(dir, 0755);
	return dir;
}

static void save(const struct canvas *c, const char *name)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s-%dx%d.png", out_dir(), name, c->w,
		 c->h);
	assert_int_equal(IMG_SavePNG(c->surf, path), 0);
}

/* The line being said is shown as the caption, as video.c does it; on
 * the reps screen the engine's caption is the movement cue itself. The
 * caption points into v itself: v must stay where it is while used. */
static void said(struct view *v)
{
	if (!v->caption && v->screen.kind != SCREEN_REPS &&
	    v->screen.caption[0])
		v->caption = v->screen.caption;
}

static int paint(struct canvas *c, const struct view *v, kt_ms now,
		 const struct painted_text **t)
{
	struct view shown = *v;
	said(&shown);
	assert_int_equal(screens_draw(c->p, &shown, now), 0);
	SDL_RenderPresent(c->r);
	return screens_texts(c->p, t);
}

static bool overlap(SDL_Rect a, SDL_Rect b)
{
	return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
	       b.y < a.y + a.h;
}

/* Everything every screen must honour, judged from the pixels. */
static void check_texts(const struct canvas *c, const struct painted_text *t,
			int n, const char *what)
{
	int s = c->w < c->h ? c->w : c->h;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		SDL_Rect b = t[i].box;
		if (b.x < 0 || b.y < 0 || b.x + b.w > c->w || b.y + b.h > c->h)
			fail_msg("%s %dx%d: text %d at %d,%d %dx%d leaves the "
				 "frame",
				 what, c->w, c->h, i, b.x, b.y, b.w, b.h);
		if (b.h * 24 < s)
			fail_msg("%s %dx%d: text %d is %d px high, under 1/24",
				 what, c->w, c->h, i, b.h);
		for (int j = 0; j < i; j++)
			if (overlap(b, t[j].box))
				fail_msg("%s %dx%d: texts %d and %d overlap",
					 what, c->w, c->h, j, i);
		assert_true(contrast(t[i].fg, t[i].bg) >= 7.0);
		/* From the pixels: the ground around the box, and the ink
		 * that stands out most from it, which must be the text. */
		SDL_Color bg = ground(c, b), ink = bg;
		double lbg = luminance(bg), best = 1;
		for (int y = b.y; y < b.y + b.h; y++)
			for (int x = b.x; x < b.x + b.w; x++) {
				SDL_Color p = pixel(c, x, y);
				if (near(p, bg, 0))
					continue;
				double l = luminance(p);
				double k = l > lbg ? (l + 0.05) / (lbg + 0.05)
						   : (lbg + 0.05) / (l + 0.05);
				if (k > best)
					best = k, ink = p;
			}
		if (!near(ink, t[i].fg, 4) || !near(bg, t[i].bg, 4) ||
		    contrast(ink, bg) < 7.0)
			fail_msg("%s %dx%d: text %d: ink #%02X%02X%02X on "
				 "#%02X%02X%02X, contrast %.1f",
				 what, c->w, c->h, i, ink.r, ink.g, ink.b, bg.r,
				 bg.g, bg.b, contrast(ink, bg));
	}
}

static const int SIZES[][2] = {{480, 320}, {1280, 720}, {1080, 1920}};
#define NSIZES (int)(sizeof SIZES / sizeof *SIZES)

static void test_every_screen_at_every_size(void **state)
{
	(void)state;
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		for (int k = SCREEN_ATTRACT; k <= SCREEN_DONE; k++) {
			struct view v = view_of((enum screen_kind)k);
			const struct painted_text *t;
			int n = paint(&c, &v, 1000, &t);
			save(&c, engine_screen_name((enum screen_kind)k));
			check_texts(&c, t, n,
				    engine_screen_name((enum screen_kind)k));
		}
		canvas_close(&c);
	}
}

/* Other faces of the same screens: a free hold with no breath counting,
 * paused off the mat, waiting for the button, resting before the next
 * exercise, a long countdown. */
static void test_variants(void **state)
{
	(void)state;
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		struct view v[5];
		const char *name[5] = {"hold-free", "paused-mat",
				       "waiting-button", "rest-next",
				       "hold-long"};
		v[0] = view_of(SCREEN_HOLD);
		strcpy(v[0].screen.title, "Ball against the wall");
		strcpy(v[0].screen.illustration, ILLU "ball-on-wall.svg");
		strcpy(v[0].screen.caption,
		       "Press harder to work the muscles more deeply.");
		v[0].screen.breath = BREATH_NONE, v[0].screen.repeats = 1;
		v[1] = view_of(SCREEN_PAUSED);
		v[1].screen.reason = PAUSE_MAT;
		strcpy(v[1].screen.caption,
		       "Paused. Come back onto the mat to carry on.");
		v[2] = view_of(SCREEN_WAITING);
		v[2].screen.trigger = START_BUTTON;
		strcpy(v[2].screen.caption,
		       "Press the big button when you are in position.");
		v[3] = view_of(SCREEN_REST);
		strcpy(v[3].screen.next, "Ball against the wall");
		strcpy(v[3].screen.caption, "And relax.");
		v[4] = view_of(SCREEN_HOLD);
		strcpy(v[4].screen.title, "Spinal wedge");
		strcpy(v[4].screen.illustration, ILLU "spinal-wedge.svg");
		v[4].screen.remaining = 299, v[4].screen.total = 300;
		v[4].screen.breath = BREATH_OUT, v[4].screen.count = 3;
		v[4].screen.caption[0] = '\0';
		for (int i = 0; i < 5; i++) {
			const struct painted_text *t;
			int n = paint(&c, &v[i], 1000, &t);
			save(&c, name[i]);
			check_texts(&c, t, n, name[i]);
		}
		canvas_close(&c);
	}
}

/* A kiosk with only the mat: the idle screen says to lie down, the
 * safety screen how to stop without a button, the waiting and paused
 * screens offer only the mat. */
static void test_mat_only_variants(void **state)
{
	(void)state;
	enum { N = 4 };
	static const enum screen_kind kind[N] = {SCREEN_ATTRACT, SCREEN_SAFETY,
						 SCREEN_WAITING, SCREEN_PAUSED};
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		for (int i = 0; i < N; i++) {
			struct view v = view_of(kind[i]);
			char name[64];
			v.screen.no_button = true;
			v.screen.reason = PAUSE_MAT;
			if (kind[i] == SCREEN_PAUSED)
				strcpy(v.screen.caption, "Paused. Come back "
							 "onto the mat to "
							 "carry on.");
			const struct painted_text *t;
			int n = paint(&c, &v, 1000, &t);
			snprintf(name, sizeof name, "%s-mat-only",
				 engine_screen_name(kind[i]));
			save(&c, name);
			check_texts(&c, t, n, name);
			for (int k = 0; k < n; k++)
				if (people_mention(t[k].text, "button"))
					fail_msg("%s %dx%d shows '%s'", name,
						 c.w, c.h, t[k].text);
		}
		canvas_close(&c);
	}
}

/* Every screen of whole sessions with one wiring, painted with the
 * routine's words, and what the screens' own words say. */
struct wired_canvas {
	struct canvas c;
	const struct routine *r;
	const char *avoid;  /* no word of the screens may say this */
	struct screen last; /* skip what would paint the same words */
	int painted;
};

static void paint_shown(void *ctx, kt_ms t, const struct action *a)
{
	struct wired_canvas *w = ctx;
	if (a->kind != ACTION_SHOW)
		return;
	const struct screen *sc = &a->u.screen;
	if (w->painted && sc->kind == w->last.kind &&
	    sc->no_button == w->last.no_button &&
	    sc->trigger == w->last.trigger && sc->reason == w->last.reason &&
	    sc->mat_start == w->last.mat_start && sc->index == w->last.index &&
	    !strcmp(sc->next, w->last.next))
		return;
	w->last = *sc;
	w->painted++;
	/* Without the spoken line (unit_engine judges those): what is
	 * left is the screens' words, the names and the numbers. */
	struct view v = {.screen = *sc,
			 .routine = w->r->name,
			 .words = w->r->settings.word,
			 .caption = ""};
	v.screen.caption[0] = '\0';
	const struct painted_text *pt;
	int n = paint(&w->c, &v, t, &pt);
	check_texts(&w->c, pt, n, engine_screen_name(sc->kind));
	for (int i = 0; i < n; i++)
		if (people_mention(pt[i].text, w->avoid))
			fail_msg("the %s screen shows '%s'",
				 engine_screen_name(sc->kind), pt[i].text);
}

static void paint_sessions(bool button, bool mat, const char *avoid)
{
	struct routine *r = load_builtin("assets");
	struct wired_canvas w = {.r = r, .avoid = avoid};
	canvas_open(&w.c, 480, 320);
	struct people p;
	people_start(&p, r, button, mat, paint_shown, &w);
	people_live_all(&p);
	people_end(&p);
	printf("# %s only: %d screens painted\n", button ? "button" : "mat",
	       w.painted);
	assert_true(w.painted > 30);
	canvas_close(&w.c);
	routine_free(r);
}

/* Over whole sessions, with only the mat no screen asks for the button,
 * and with only the button none asks for the mat. */
static void test_wiring_decides_the_words(void **state)
{
	(void)state;
	paint_sessions(false, true, "button");
	paint_sessions(true, false, "mat");
}

/* Rows of box holding pixels of the text colour. */
static int ink_rows(const struct canvas *c, SDL_Rect b, SDL_Color fg)
{
	int rows = 0;
	for (int y = b.y; y < b.y + b.h; y++)
		for (int x = b.x; x < b.x + b.w; x++)
			if (near(pixel(c, x, y), fg, 6)) {
				rows++;
				break;
			}
	return rows;
}

static void test_hold_digits_are_the_biggest_thing(void **state)
{
	(void)state;
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		struct view v = view_of(SCREEN_HOLD);
		const struct painted_text *t;
		int n = paint(&c, &v, 1000, &t), found = 0;
		for (int i = 0; i < n; i++) {
			if (!t[i].digits)
				continue;
			found++;
			assert_true(t[i].box.h * 10 >= c.h * 4);
			int rows = ink_rows(&c, t[i].box, t[i].fg);
			printf("# hold %dx%d: digits box %d px, ink %d rows "
			       "(%.0f%% of the height)\n",
			       c.w, c.h, t[i].box.h, rows, 100.0 * rows / c.h);
			assert_true(rows * 10 >= c.h * 4);
			for (int j = 0; j < n; j++)
				assert_true(j == i || t[j].box.h < t[i].box.h);
		}
		assert_int_equal(found, 1);
		canvas_close(&c);
	}
}

/* Pixels of the pacer's colour: its disc's area. */
static long teal_area(const struct canvas *c)
{
	const SDL_Color teal = {0x5F, 0xD3, 0xC6, 255};
	long n = 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			n += near(pixel(c, x, y), teal, 2);
	return n;
}

static long pacer_at(struct canvas *c, enum breath_phase b, int count,
		     kt_ms into, const char *png)
{
	struct view v = view_of(SCREEN_HOLD);
	const struct painted_text *t;
	v.animate = true;
	v.shown_at = 50000;
	v.screen.breath = b, v.screen.count = count;
	v.screen.caption[0] = '\0';
	int n = paint(c, &v, v.shown_at + into, &t);
	check_texts(c, t, n, "pacer");
	if (png)
		save(c, png);
	return teal_area(c);
}

static void test_pacer_follows_the_breath(void **state)
{
	(void)state;
	struct canvas c;
	canvas_open(&c, 1280, 720);
	long in_start = pacer_at(&c, BREATH_IN, 1, 0, "pacer-in-start");
	long in_mid = pacer_at(&c, BREATH_IN, 2, 500, NULL);
	long in_end = pacer_at(&c, BREATH_IN, 4, 999, "pacer-in-end");
	long hold = pacer_at(&c, BREATH_HOLD, 1, 500, NULL);
	long out_start = pacer_at(&c, BREATH_OUT, 1, 0, NULL);
	long out_end = pacer_at(&c, BREATH_OUT, 4, 999, "pacer-out-end");
	printf("# pacer area: in %ld -> %ld -> %ld, hold %ld, out %ld -> "
	       "%ld\n",
	       in_start, in_mid, in_end, hold, out_start, out_end);
	assert_true(in_end > in_mid && in_mid > in_start);
	assert_true(in_end > in_start * 3);
	assert_true(labs(hold - in_end) < in_end / 50);
	assert_true(out_end < out_start && out_end * 3 < out_start);
	/* Within one second the disc moves smoothly, not in a jump. */
	long a = pacer_at(&c, BREATH_IN, 2, 0, NULL);
	long b = pacer_at(&c, BREATH_IN, 2, 250, NULL);
	long d = pacer_at(&c, BREATH_IN, 2, 500, NULL);
	assert_true(a < b && b < d);
	canvas_close(&c);
}

/* An animation frame redraws only the square of the moving disc over the
 * kept still layer: the result must be, pixel for pixel, what a painter
 * painting the whole screen at that moment makes; through a breath in
 * and out, on the idle screen and the hold. */
static void test_animation_frame_matches_a_full_paint(void **state)
{
	(void)state;
	const enum screen_kind kinds[] = {SCREEN_ATTRACT, SCREEN_HOLD};
	for (size_t k = 0; k < 2; k++) {
		struct canvas moving, fresh;
		canvas_open(&moving, 1280, 720);
		canvas_open(&fresh, 1280, 720);
		struct view v = view_of(kinds[k]);
		const struct painted_text *t;
		v.animate = true;
		v.shown_at = 1000;
		v.screen.caption[0] = '\0';
		for (int b = 0; b < 2; b++) {
			v.screen.breath = b ? BREATH_OUT : BREATH_IN;
			for (kt_ms ms = 0; ms < 1000; ms += 90) {
				paint(&moving, &v, v.shown_at + ms, &t);
				screens_invalidate(fresh.p);
				paint(&fresh, &v, v.shown_at + ms, &t);
				long differ = 0;
				for (int y = 0; y < 720; y++)
					for (int x = 0; x < 1280; x++)
						differ += !near(
						    pixel(&moving, x, y),
						    pixel(&fresh, x, y), 0);
				if (differ)
					fail_msg("%s at %lld ms: %ld pixels "
						 "differ",
						 engine_screen_name(kinds[k]),
						 (long long)ms, differ);
			}
		}
		canvas_close(&moving);
		canvas_close(&fresh);
	}
}

/* What video_open does: a painter made with no renderer, laying out a
 * guess of the first screen on a thread of its own, then given the
 * renderer. */
struct guess {
	struct painter *p;
	struct view v;
	int w, h;
};

static int prepare_guess(void *arg)
{
	struct guess *g = arg;
	screens_prepare(g->p, &g->v, g->w, g->h);
	return 0;
}

static void canvas_open_prepared(struct canvas *c, int w, int h,
				 const struct view *guess, int gw, int gh)
{
	char err[256] = "";
	c->w = w, c->h = h;
	c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32,
						 SDL_PIXELFORMAT_ARGB8888);
	assert_non_null(c->surf);
	c->p = screens_new(NULL, NULL, err, sizeof err);
	if (!c->p)
		fail_msg("screens_new: %s", err);
	struct guess g = {c->p, *guess, gw, gh};
	said(&g.v);
	SDL_Thread *t = SDL_CreateThread(prepare_guess, "prepare", &g);
	assert_non_null(t);
	c->r = SDL_CreateSoftwareRenderer(c->surf);
	assert_non_null(c->r);
	SDL_WaitThread(t, NULL);
	screens_attach(c->p, c->r);
}

static long pixels_differ(const struct canvas *a, const struct canvas *b)
{
	long differ = 0;
	for (int y = 0; y < a->h; y++)
		for (int x = 0; x < a->w; x++)
			differ += !near(pixel(a, x, y), pixel(b, x, y), 0);
	return differ;
}

/* A first frame laid out ahead (screens_prepare) is, pixel for pixel and
 * text for text, the frame painted without it: for every screen, at
 * every size, guessed right and guessed wrong (another screen, another
 * size), and so are the frames after it. */
static void test_prepared_first_frame_is_the_same(void **state)
{
	(void)state;
	for (int z = 0; z < NSIZES; z++)
		for (int k = SCREEN_ATTRACT; k <= SCREEN_DONE; k++) {
			int w = SIZES[z][0], h = SIZES[z][1];
			struct view v = view_of((enum screen_kind)k);
			struct view other = view_of(
			    k == SCREEN_ATTRACT ? SCREEN_HOLD : SCREEN_ATTRACT);
			struct canvas fresh, right, wrong, small;
			canvas_open(&fresh, w, h);
			canvas_open_prepared(&right, w, h, &v, w, h);
			canvas_open_prepared(&wrong, w, h, &other, w, h);
			canvas_open_prepared(&small, w, h, &v, 480, 320);
			struct canvas *c[] = {&right, &wrong, &small};
			const struct painted_text *tf, *tc;
			for (int frame = 0; frame < 2; frame++) {
				int nf = paint(&fresh, &v, 1000 + frame, &tf);
				for (int i = 0; i < 3; i++) {
					int nc =
					    paint(c[i], &v, 1000 + frame, &tc);
					long d = pixels_differ(&fresh, c[i]);
					if (d)
						fail_msg(
						    "%s %dx%d, guess %d, "
						    "frame %d: %ld pixels "
						    "differ",
						    engine_screen_name(
							(enum screen_kind)k),
						    w, h, i, frame, d);
					assert_int_equal(nc, nf);
					for (int j = 0; j < nf; j++) {
						assert_memory_equal(
						    &tc[j].box, &tf[j].box,
						    sizeof tf[j].box);
						assert_string_equal(tc[j].text,
								    tf[j].text);
					}
				}
				/* The next frame: a new screen's first. */
				v.screen.remaining -= 1;
			}
			canvas_close(&fresh);
			for (int i = 0; i < 3; i++)
				canvas_close(c[i]);
		}
}

static void test_long_captions_wrap_inside(void **state)
{
	(void)state;
	static const char *const long_line =
	    "Face a wall, 60 to 70 centimetres away, a bit more if you are "
	    "over 168 centimetres tall, and rest your palms high on the "
	    "wall.";
	static const enum screen_kind kinds[] = {SCREEN_SAFETY, SCREEN_INTRO,
						 SCREEN_HOLD,	SCREEN_REST,
						 SCREEN_DONE,	SCREEN_ATTRACT};
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
			struct view v = view_of(kinds[k]);
			char name[64];
			v.caption = long_line;
			const struct painted_text *t;
			int n = paint(&c, &v, 1000, &t);
			snprintf(name, sizeof name, "long-%s",
				 engine_screen_name(kinds[k]));
			if (kinds[k] == SCREEN_HOLD || kinds[k] == SCREEN_INTRO)
				save(&c, name); /* PNGs are most of the time */
			check_texts(&c, t, n, name);
			/* Wrapped: more lines, each well inside the frame. */
			int lines = 0;
			for (int i = 0; i < n; i++)
				lines += t[i].box.w < c.w;
			assert_true(lines >= 3);
		}
		canvas_close(&c);
	}
}

static void test_banner_shows_on_the_idle_screen_only(void **state)
{
	(void)state;
	const SDL_Color amber = {0xFF, 0xC8, 0x61, 255};
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		for (int k = SCREEN_ATTRACT; k <= SCREEN_DONE; k++) {
			struct view v = view_of((enum screen_kind)k);
			const struct painted_text *t;
			int n = paint(&c, &v, 1000, &t), on_amber = 0;
			for (int i = 0; i < n; i++)
				on_amber += near(t[i].bg, amber, 0);
			/* Without a banner only the pause screen has amber
			 * as text ground: none. */
			assert_int_equal(on_amber, 0);
			v.banner = "/etc/kiosk/kiosk.conf:123: 'seconds' must "
				   "be a whole number from 5 to 3600 seconds, "
				   "got '2'. Running the built-in routine.";
			n = paint(&c, &v, 1000, &t);
			char name[64];
			snprintf(name, sizeof name, "banner-%s",
				 engine_screen_name((enum screen_kind)k));
			if (k == SCREEN_HOLD || k == SCREEN_ATTRACT)
				save(&c, name);
			check_texts(&c, t, n, name);
			for (int i = 0; i < n; i++)
				on_amber += near(t[i].bg, amber, 0);
			/* Staff look at the idle screen; someone in the
			 * middle of an exercise is not distracted by it. */
			bool idle = k == SCREEN_ATTRACT;
			assert_true(idle ? on_amber >= 1 : on_amber == 0);
			if (idle)
				assert_true(
				    near(pixel(&c, c.w / 2, 1), amber, 0));
		}
		canvas_close(&c);
	}
}

/* The words of the screens are the routine's: a German [screen] section
 * replaces every English word, filled in, and still fits and reads. */
static void test_words_come_from_the_routine(void **state)
{
	(void)state;
	struct settings de;
	routine_settings_defaults(&de);
	de.word[WORD_PAUSED] = "Pause";
	de.word[WORD_RESUME] = "Drück den großen Knopf, um weiterzumachen";
	de.word[WORD_PAUSED_TIME] = "Noch {seconds} Sekunden";
	de.word[WORD_REP] = "Wiederholung {rep} von {reps}";
	de.word[WORD_EXERCISE] = "Übung {n} von {total}";
	const struct {
		enum screen_kind kind;
		const char *want;
	} cases[] = {
	    {SCREEN_PAUSED, "Pause"},
	    {SCREEN_PAUSED, "Drück den großen Knopf, um weiterzumachen"},
	    {SCREEN_PAUSED, "Noch 9 Sekunden"},
	    {SCREEN_REPS, "Wiederholung 4 von 10"},
	    {SCREEN_REPS, "Übung 4 von 6"},
	};
	for (int z = 0; z < NSIZES; z++) {
		struct canvas c;
		canvas_open(&c, SIZES[z][0], SIZES[z][1]);
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			struct view v = view_of(cases[i].kind);
			v.words = de.word;
			const struct painted_text *t;
			int n = paint(&c, &v, 1000, &t);
			check_texts(&c, t, n, "german");
			bool found = false, english = false;
			/* Long words wrap: a line that is a piece of it. */
			for (int k = 0; k < n; k++) {
				found |= strlen(t[k].text) >= 4 &&
					 strstr(cases[i].want, t[k].text);
				english |= !strcmp(t[k].text, "Paused");
			}
			if (!found)
				fail_msg("'%s' not drawn at %dx%d",
					 cases[i].want, c.w, c.h);
			assert_false(english);
			if (i == 0)
				save(&c, "paused-de");
		}
		canvas_close(&c);
	}
}

static void test_next_frame(void **state)
{
	(void)state;
	struct canvas c;
	canvas_open(&c, 480, 320);
	struct view v = view_of(SCREEN_ATTRACT);
	assert_int_equal(screens_next_frame(c.p, &v, 1000, 30), KT_NEVER);
	v.animate = true;
	assert_int_equal(screens_next_frame(c.p, &v, 1000, 30), 1034);
	v = view_of(SCREEN_HOLD);
	v.animate = true;
	assert_int_equal(screens_next_frame(c.p, &v, 1000, 20), 1050);
	v.screen.breath = BREATH_HOLD;
	assert_int_equal(screens_next_frame(c.p, &v, 1000, 20), KT_NEVER);
	for (int k = SCREEN_SAFETY; k <= SCREEN_DONE; k++) {
		if (k == SCREEN_HOLD || k == SCREEN_REPS)
			continue;
		v = view_of((enum screen_kind)k);
		v.animate = true;
		assert_int_equal(screens_next_frame(c.p, &v, 1000, 30),
				 KT_NEVER);
	}
	canvas_close(&c);
}

static void test_missing_picture_is_not_fatal(void **state)
{
	(void)state;
	struct canvas c;
	canvas_open(&c, 480, 320);
	struct view v = view_of(SCREEN_INTRO);
	strcpy(v.screen.illustration, "/nonexistent/picture.svg");
	const struct painted_text *t;
	int n = paint(&c, &v, 0, &t);
	check_texts(&c, t, n, "no-picture");
	canvas_close(&c);
}

/* Not a pass/fail test: the time one animated frame takes in the
 * software renderer, printed for the record. */
static void test_time_per_frame(void **state)
{
	(void)state;
	static const int sizes[][2] = {{1280, 720}, {3840, 2160}};
	for (int z = 0; z < 2; z++) {
		struct canvas c;
		canvas_open(&c, sizes[z][0], sizes[z][1]);
		for (int k = 0; k < 2; k++) {
			struct view v =
			    view_of(k ? SCREEN_HOLD : SCREEN_ATTRACT);
			v.animate = true;
			const struct painted_text *t;
			paint(&c, &v, 0, &t); /* fonts and text cached */
			int frames = 10;
			Uint64 t0 = SDL_GetPerformanceCounter();
			for (int i = 1; i <= frames; i++)
				paint(&c, &v, i * 33, &t);
			double ms = (double)(SDL_GetPerformanceCounter() - t0) *
				    1000.0 /
				    (double)SDL_GetPerformanceFrequency() /
				    frames;
			printf("# screens_draw %s %dx%d: %.1f ms a frame\n",
			       k ? "hold+pacer" : "attract", c.w, c.h, ms);
		}
		canvas_close(&c);
	}
}

static int setup(void **state)
{
	(void)state;
	return SDL_Init(0);
}

static int teardown(void **state)
{
	(void)state;
	SDL_Quit();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_screen_at_every_size),
	    cmocka_unit_test(test_variants),
	    cmocka_unit_test(test_mat_only_variants),
	    cmocka_unit_test(test_wiring_decides_the_words),
	    cmocka_unit_test(test_hold_digits_are_the_biggest_thing),
	    cmocka_unit_test(test_pacer_follows_the_breath),
	    cmocka_unit_test(test_animation_frame_matches_a_full_paint),
	    cmocka_unit_test(test_prepared_first_frame_is_the_same),
	    cmocka_unit_test(test_long_captions_wrap_inside),
	    cmocka_unit_test(test_banner_shows_on_the_idle_screen_only),
	    cmocka_unit_test(test_words_come_from_the_routine),
	    cmocka_unit_test(test_next_frame),
	    cmocka_unit_test(test_missing_picture_is_not_fatal),
	    cmocka_unit_test(test_time_per_frame),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
