/*
 * video.c - the SDL2 window and when its frames are drawn.
 *
 * What to show comes in ahead of time, stamped with the moment it must be
 * seen, and waits in a short queue; video_update applies what is due and
 * draws only if the picture changed, a caption ran out, or an animation
 * frame is due. The painter (screens.c) does the drawing.
 */
#include "video.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_syswm.h>
#include <SDL_ttf.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "screens.h"

#define QUEUE_MAX 32
#define SHOTS_MAX 512
#define LATE_MAX  4096
/* A caption stays up this long after its words end, to be read to the
 * end by someone slower than the voice. */
#define CAPTION_LINGER 2500

enum lead { LEAD_CHANGE, LEAD_MOVE, LEADS };

struct pending {
	kt_ms at;
	bool is_screen;
	kt_ms duration; /* say */
	union {
		struct screen screen;
		char text[ROUTINE_TEXT_BYTES];
	} u;
};

struct video {
	SDL_Window *window;
	SDL_Renderer *renderer;
	struct painter *painter;
	int fd;
	const char *shots;	    /* borrowed from the config */
	const struct kclock *clock; /* borrowed from the config */
	int fps;

	struct pending queue[QUEUE_MAX];
	int queued;

	struct view view;
	bool have_screen, dirty;
	char routine[ROUTINE_NAME_BYTES];
	char caption[ROUTINE_TEXT_BYTES];
	kt_ms caption_until;
	char banner[2 * ROUTINE_TEXT_BYTES];
	kt_ms next_frame;

	/* Drawing starts this much before a frame is due, so that it is
	 * shown on time: a running mean of how long drawing takes, apart
	 * for a change (the whole screen painted) and for an animation
	 * frame (the moving disc alone, many times cheaper). */
	double draw_ms[LEADS];
	kt_ms due; /* when the change being drawn is due; KT_NEVER: none */
	float shown_late[LATE_MAX]; /* shown minus due, ms, last LATE_MAX */
	int shown_n;

	char shot_seen[SHOTS_MAX][48]; /* screens already saved */
	int shot_seq;
	struct video_stats stats;
};

/* ---- opening ---- */

static int init_video(void)
{
	int q = log_quiet_begin();
	int rc = SDL_InitSubSystem(SDL_INIT_VIDEO);
	log_quiet_end(q);
	return rc;
}

/* SDL falls back to drawing in memory when it finds no display; nobody
 * would see that, so unless asked for by name it counts as no display. */
static bool nobody_sees(void)
{
	const char *d = SDL_GetCurrentVideoDriver();
	return d && (!strcmp(d, "offscreen") || !strcmp(d, "dummy")) &&
	       !getenv("SDL_VIDEODRIVER");
}

static int init_sdl(const struct video_config *c)
{
	/* The kiosk owns its signals (signalfd); SDL must not take them. */
	SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	const char *why = NULL;
	if (init_video() < 0) {
		why = SDL_GetError();
	} else if (nobody_sees()) {
		why = "only an off-screen driver";
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	} else {
		return 0;
	}
	log_msg("video: no display (%s)%s", why,
		c->screenshots ? "; drawing off-screen for the screenshots"
			       : "; the kiosk goes on with its voice");
	if (!c->screenshots)
		return -1;
	SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
	if (init_video() == 0)
		return 0;
	log_msg("video: no off-screen driver either (%s)", SDL_GetError());
	return -1;
}

/* The display connection's fd, so window events wake our poll(). SDL has
 * no call for it; Wayland's is looked up in the library SDL loaded, so the
 * kiosk does not link against it. */
static int display_fd(SDL_Window *w)
{
	SDL_SysWMinfo info;
	SDL_VERSION(&info.version);
	if (!SDL_GetWindowWMInfo(w, &info))
		return -1;
#if defined(SDL_VIDEO_DRIVER_X11)
	if (info.subsystem == SDL_SYSWM_X11)
		return ConnectionNumber(info.info.x11.display);
#endif
#if defined(SDL_VIDEO_DRIVER_WAYLAND)
	if (info.subsystem == SDL_SYSWM_WAYLAND) {
		void *lib =
		    dlopen("libwayland-client.so.0", RTLD_LAZY | RTLD_NOLOAD);
		int (*get_fd)(void *) = NULL;
		if (lib)
			*(void **)&get_fd = dlsym(lib, "wl_display_get_fd");
		int fd = get_fd ? get_fd(info.info.wl.display) : -1;
		if (lib)
			dlclose(lib);
		return fd;
	}
#endif
	return -1;
}

static bool on_console(void)
{
	const char *driver = SDL_GetCurrentVideoDriver();
	return driver && !strcmp(driver, "KMSDRM");
}

/* The size the window will have: the display's on a console (full
 * screen), else the one asked for. */
static void window_size(const struct video_config *c, int *w, int *h)
{
	SDL_DisplayMode mode;
	if (on_console() && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
		*w = mode.w, *h = mode.h;
		return;
	}
	*w = c->width > 0 ? c->width : 1280;
	*h = c->height > 0 ? c->height : 720;
}

static int open_window(struct video *v, const struct video_config *c)
{
	const char *driver = SDL_GetCurrentVideoDriver();
	bool console = on_console();
	int w, h;
	window_size(c, &w, &h);
	Uint32 flags =
	    console ? SDL_WINDOW_FULLSCREEN_DESKTOP : SDL_WINDOW_RESIZABLE;
	v->window = SDL_CreateWindow("Mid-back kiosk", SDL_WINDOWPOS_CENTERED,
				     SDL_WINDOWPOS_CENTERED, w, h, flags);
	if (!v->window)
		return -1;
	v->renderer = SDL_CreateRenderer(v->window, -1, 0);
	if (!v->renderer)
		return -1;
	if (console)
		SDL_ShowCursor(SDL_DISABLE);
	v->fd = display_fd(v->window);
	log_msg("video: %s, %dx%d", driver ? driver : "?", w, h);
	return 0;
}

/* The painter, made on a thread of its own while the main thread opens
 * the window, and given the first screen to lay out: its text (FreeType's
 * glyphs, HarfBuzz's widths) was half of the first frame's drawing, and
 * making SDL's renderer takes about as long (the pages of its output).
 * The thread owns the job from painter_job_start to painter_job_end. */
struct painter_job {
	struct view view; /* the first screen, as the first draw will see it */
	int w, h; /* the output's expected size; 0: nothing to lay out */
	pthread_t thread;
	bool beside; /* on a thread of its own */
	struct painter *painter;
	char err[256];
};

static void *make_painter(void *arg)
{
	struct painter_job *j = arg;
	j->painter = screens_new(NULL, NULL, j->err, sizeof j->err);
	if (j->painter && j->w > 0)
		screens_prepare(j->painter, &j->view, j->w, j->h);
	return NULL;
}

/* fn(arg) on a new thread, on any CPU but this thread's. Left to the
 * scheduler, a new thread was often queued behind its parent on the same
 * CPU until the next balancing tick, 1 to 4 ms later (measured on the
 * 2-core build machine; 30 to 90 us when placed), by which time the
 * window was open and nothing had overlapped. false when there is no
 * other CPU to run on (a single-core Pi), or no thread. */
static bool start_beside(pthread_t *t, void *(*fn)(void *), void *arg)
{
	cpu_set_t others;
	int me = sched_getcpu();
	if (me < 0 || sched_getaffinity(0, sizeof others, &others) < 0)
		return false;
	CPU_CLR(me, &others);
	if (CPU_COUNT(&others) == 0)
		return false;
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return false;
	bool started =
	    pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0 &&
	    pthread_create(t, &attr, fn, arg) == 0;
	pthread_attr_destroy(&attr);
	return started;
}

/* After SDL has its driver (the window's size depends on it) and after
 * TTF_Init (SDL_ttf counts its callers without a lock). With no thread
 * of its own, the job is done here and now. */
static void painter_job_start(struct painter_job *j,
			      const struct video_config *c)
{
	memset(j, 0, sizeof *j);
	if (c->first) {
		j->view = (struct view){.screen = *c->first,
					.banner = c->banner,
					.routine = c->routine ? c->routine : "",
					.words = c->words,
					.animate = c->animate};
		window_size(c, &j->w, &j->h);
	}
	j->beside = start_beside(&j->thread, make_painter, j);
	if (!j->beside)
		make_painter(j);
}

/* The painter the job made (the caller's from now on), or NULL with the
 * reason in j->err. */
static struct painter *painter_job_end(struct painter_job *j)
{
	if (j->beside)
		pthread_join(j->thread, NULL);
	return j->painter;
}

struct video *video_open(const struct video_config *c)
{
	struct video *v = calloc(1, sizeof *v);
	char err[256] = "";
	if (!v || init_sdl(c) < 0) {
		free(v);
		return NULL;
	}
	v->fd = -1;
	v->stats.first_frame = KT_NEVER;
	v->due = KT_NEVER;
	v->draw_ms[LEAD_CHANGE] = v->draw_ms[LEAD_MOVE] = 5;
	v->next_frame = KT_NEVER;
	v->caption_until = KT_NEVER;
	v->shots = c->screenshots;
	v->clock = c->clock;
	if (v->shots && mkdir(v->shots, 0777) < 0 && errno != EEXIST)
		log_msg("screenshots: cannot make %s: %s", v->shots,
			strerror(errno));
	if (TTF_Init() < 0) {
		snprintf(err, sizeof err, "%s", SDL_GetError());
		goto fail;
	}
	struct painter_job job;
	painter_job_start(&job, c);
	int opened = open_window(v, c);
	if (opened < 0)
		snprintf(err, sizeof err, "%s", SDL_GetError());
	v->painter = painter_job_end(&job);
	if (opened < 0)
		goto fail;
	if (!v->painter) {
		snprintf(err, sizeof err, "%s", job.err);
		goto fail;
	}
	screens_attach(v->painter, v->renderer);
	video_set_routine(v, c->routine, c->words, c->fps, c->animate);
	video_banner(v, c->banner);
	return v;
fail:
	log_msg("video: cannot open a window: %s; the kiosk goes on with its "
		"voice",
		err);
	video_close(v);
	return NULL;
}

void video_close(struct video *v)
{
	if (!v)
		return;
	struct video_stats st;
	video_stats(v, &st);
	if (st.frames)
		log_msg("video: %d frames, render mean %.2f ms, max %.2f ms; "
			"shown p50 %.1f ms, p99 %.1f ms after due; %d put off "
			"for the voice",
			st.frames, st.render_ms_total / st.frames,
			st.render_ms_max, st.shown_p50_ms, st.shown_p99_ms,
			st.put_off);
	screens_free(v->painter);
	if (v->renderer)
		SDL_DestroyRenderer(v->renderer);
	if (v->window)
		SDL_DestroyWindow(v->window);
	if (TTF_WasInit())
		TTF_Quit();
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
	SDL_Quit();
	free(v);
}

int video_fd(const struct video *v)
{
	return v ? v->fd : -1;
}

/* ---- what to show ---- */

static struct pending *enqueue(struct video *v, kt_ms at)
{
	if (v->queued == QUEUE_MAX)
		video_update(v, v->queue[0].at, KT_NEVER); /* make room */
	struct pending *p = &v->queue[v->queued++];
	p->at = at;
	return p;
}

void video_say(struct video *v, const char *text, kt_ms at, kt_ms duration)
{
	if (!v)
		return;
	struct pending *p = enqueue(v, at);
	p->is_screen = false;
	p->duration = duration;
	snprintf(p->u.text, sizeof p->u.text, "%s", text);
}

void video_banner(struct video *v, const char *text)
{
	if (!v)
		return;
	snprintf(v->banner, sizeof v->banner, "%s", text ? text : "");
	v->view.banner = text ? v->banner : NULL;
	v->dirty = true;
}

void video_set_routine(struct video *v, const char *name,
		       const char *const *words, int fps, bool animate)
{
	if (!v)
		return;
	v->view.words = words;
	snprintf(v->routine, sizeof v->routine, "%s", name ? name : "");
	v->view.routine = v->routine;
	v->view.animate = animate;
	v->fps = fps > 0 ? fps : 30;
	v->dirty = true;
	screens_invalidate(v->painter);
}

static void apply(struct video *v, const struct pending *p)
{
	v->due = p->at;
	if (p->is_screen) {
		v->view.screen = p->u.screen;
		v->view.shown_at = p->at;
		v->have_screen = true;
	} else {
		snprintf(v->caption, sizeof v->caption, "%s", p->u.text);
		v->view.caption = v->caption;
		v->caption_until = p->at + p->duration + CAPTION_LINGER;
	}
	v->dirty = true;
}

static void apply_due(struct video *v, kt_ms now)
{
	int n = 0;
	while (n < v->queued && v->queue[n].at <= now)
		apply(v, &v->queue[n++]);
	memmove(v->queue, v->queue + n,
		sizeof *v->queue * (size_t)(v->queued - n));
	v->queued -= n;
	if (v->view.caption && now >= v->caption_until) {
		v->view.caption = NULL;
		v->caption_until = KT_NEVER;
		v->dirty = true;
	}
}

void video_show(struct video *v, const struct screen *s, kt_ms at)
{
	if (!v)
		return;
	/* The first picture goes up as soon as it is drawn, not at its time:
	 * nothing has been said yet for it to keep time with, and holding it
	 * for the sound's lead (kiosk.c: up to a quarter of a second) only
	 * leaves the display blank that much longer after start. */
	if (!v->have_screen && !v->queued) {
		struct pending first = {.at = at, .is_screen = true};
		first.u.screen = *s;
		apply(v, &first);
		return;
	}
	struct pending *p = enqueue(v, at);
	p->is_screen = true;
	p->u.screen = *s;
}

/* ---- drawing ---- */

/* One PNG for each new screen: a new kind, exercise or round, and again
 * once its first words are shown. */
static void screenshot(struct video *v)
{
	const struct screen *s = &v->view.screen;
	char key[sizeof v->shot_seen[0]];
	if (!v->shots || v->shot_seq == SHOTS_MAX)
		return;
	snprintf(key, sizeof key, "%s-%d-%d%s", engine_screen_name(s->kind),
		 s->index, s->repeat, v->view.caption ? "-words" : "");
	for (int i = 0; i < v->shot_seq; i++)
		if (!strcmp(key, v->shot_seen[i]))
			return;
	snprintf(v->shot_seen[v->shot_seq], sizeof key, "%s", key);
	int w, h;
	SDL_GetRendererOutputSize(v->renderer, &w, &h);
	SDL_Surface *img = SDL_CreateRGBSurfaceWithFormat(
	    0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	char path[4096];
	snprintf(path, sizeof path, "%s/%03d-%s.png", v->shots, ++v->shot_seq,
		 key);
	if (!img ||
	    SDL_RenderReadPixels(v->renderer, NULL, img->format->format,
				 img->pixels, img->pitch) < 0 ||
	    IMG_SavePNG(img, path) < 0)
		log_msg("screenshots: cannot write %s: %s", path,
			SDL_GetError());
	else
		v->stats.screenshots++;
	SDL_FreeSurface(img);
}

static kt_ms lead_time(const struct video *v, enum lead l)
{
	return (kt_ms)ceil(v->draw_ms[l]);
}

static void draw(struct video *v, kt_ms now)
{
	/* The picture as it is when it will be seen. */
	kt_ms shown = v->due != KT_NEVER && v->due > now ? v->due : now;
	enum lead kind = v->dirty ? LEAD_CHANGE : LEAD_MOVE;
	Uint64 t0 = SDL_GetPerformanceCounter();
	if (screens_draw(v->painter, &v->view, shown) == 0)
		screenshot(v);
	SDL_RenderPresent(v->renderer);
	/* A frame counts as shown once its present has returned: that, not
	 * when drawing began, is when the first one was seen. */
	kt_ms presented = v->clock ? kclock_now(v->clock) : now;
	double ms = (double)(SDL_GetPerformanceCounter() - t0) * 1000.0 /
		    (double)SDL_GetPerformanceFrequency();
	v->draw_ms[kind] += (ms - v->draw_ms[kind]) / 8;
	if (v->due != KT_NEVER)
		v->shown_late[v->shown_n++ % LATE_MAX] =
		    (float)((double)(now - v->due) + ms);
	v->due = KT_NEVER;
	v->stats.frames++;
	v->stats.render_ms_total += ms;
	if (ms > v->stats.render_ms_max)
		v->stats.render_ms_max = ms;
	if (v->stats.first_frame == KT_NEVER) {
		v->stats.first_frame = presented;
		/* To the tenth: the figure make bench compares with a floor
		 * of a few milliseconds. */
		log_msg("video: first frame %.1f ms after start",
			v->clock ? kclock_now_exact(v->clock)
				 : (double)presented);
	}
	v->dirty = false;
	v->next_frame = screens_next_frame(v->painter, &v->view, shown, v->fps);
}

void video_update(struct video *v, kt_ms now, kt_ms free_by)
{
	if (!v)
		return;
	apply_due(v, now + lead_time(v, LEAD_CHANGE));
	if (!v->have_screen)
		return;
	if (v->dirty) {
		draw(v, now);
		return;
	}
	kt_ms done = now + lead_time(v, LEAD_MOVE);
	if (done < v->next_frame)
		return;
	/* The voice never waits for a picture: an animation frame that
	 * would still be drawing when the engine's next action is due (its
	 * words handed to the sound ahead of their time) is put off until
	 * after it. On a slow CPU drawing in software (a Pi Zero, an
	 * emulator) a frame can take longer than the sound's spare lead,
	 * and the line would begin late by the difference; the disc drops
	 * a frame instead. */
	if (done > free_by) {
		v->next_frame = free_by + lead_time(v, LEAD_MOVE);
		v->stats.put_off++;
		return;
	}
	draw(v, now);
}

kt_ms video_wake(const struct video *v)
{
	if (!v)
		return KT_NEVER;
	if (v->dirty && v->have_screen)
		return 0; /* at once */
	kt_ms change = KT_NEVER;
	if (v->queued)
		change = v->queue[0].at;
	if (v->view.caption)
		change = kt_min(change, v->caption_until);
	if (change != KT_NEVER)
		change -= lead_time(v, LEAD_CHANGE);
	kt_ms move = v->next_frame == KT_NEVER
			 ? KT_NEVER
			 : v->next_frame - lead_time(v, LEAD_MOVE);
	return kt_min(change, move);
}

/* ---- events ---- */

static enum key_action key_for(SDL_Keycode k)
{
	switch (k) {
	case SDLK_SPACE:
	case SDLK_RETURN:
	case SDLK_KP_ENTER:
		return KEY_PRESS;
	case SDLK_l:
		return KEY_LONG;
	case SDLK_d:
		return KEY_DOUBLE;
	case SDLK_m:
		return KEY_MAT;
	case SDLK_ESCAPE:
	case SDLK_q:
		return KEY_QUIT;
	default:
		return KEY_NONE;
	}
}

int video_keys(struct video *v, enum key_action *out, int n)
{
	if (!v)
		return 0;
	SDL_Event e;
	int got = 0;
	while (SDL_PollEvent(&e)) {
		enum key_action k = KEY_NONE;
		if (e.type == SDL_QUIT)
			k = KEY_QUIT;
		else if (e.type == SDL_KEYDOWN && !e.key.repeat)
			k = key_for(e.key.keysym.sym);
		else if (e.type == SDL_WINDOWEVENT) {
			v->dirty = true; /* exposed, resized: draw again */
			screens_invalidate(v->painter);
		}
		if (k != KEY_NONE && got < n)
			out[got++] = k;
	}
	return got;
}

static int by_value(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

void video_stats(const struct video *v, struct video_stats *out)
{
	float sorted[LATE_MAX];
	if (!v) {
		*out = (struct video_stats){0};
		return;
	}
	int n = v->shown_n < LATE_MAX ? v->shown_n : LATE_MAX;
	*out = v->stats;
	memcpy(sorted, v->shown_late, sizeof *sorted * (size_t)n);
	qsort(sorted, (size_t)n, sizeof *sorted, by_value);
	out->shown_p50_ms = n ? sorted[n / 2] : 0;
	out->shown_p99_ms = n ? sorted[n * 99 / 100] : 0;
}
