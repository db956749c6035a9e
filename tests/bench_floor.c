/*
 * bench_floor.c - the floor `make bench` measures the screens against: the
 * least an SDL2 + SDL2_ttf program can do to show a countdown, one big
 * number drawn in a window (1280x720 unless told), sleeping in between:
 * redrawn once a second, or FPS times a second (a clear and a copy of the
 * number's cached texture: the least an animated screen costs).
 *
 * Usage: bench_floor SECONDS [WxH [FPS]]. Prints the same figures the
 * kiosk logs: "first frame N ms after start" (once the present returned)
 * and "F frames, render mean M ms".
 */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static SDL_Texture *number(SDL_Renderer *r, TTF_Font *font, int n)
{
	char text[16];
	snprintf(text, sizeof text, "%d", n);
	SDL_Color white = {242, 242, 242, 255};
	SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, white);
	SDL_Texture *t = s ? SDL_CreateTextureFromSurface(r, s) : NULL;
	SDL_FreeSurface(s);
	return t;
}

static void draw(SDL_Renderer *r, SDL_Texture *t, int w, int h)
{
	int tw = 0, th = 0;
	SDL_QueryTexture(t, NULL, NULL, &tw, &th);
	SDL_SetRenderDrawColor(r, 11, 30, 45, 255);
	SDL_RenderClear(r);
	SDL_Rect box = {(w - tw) / 2, (h - th) / 2, tw, th};
	SDL_RenderCopy(r, t, NULL, &box);
	SDL_RenderPresent(r);
}

int main(int argc, char **argv)
{
	double start = now_ms();
	int seconds = argc > 1 ? atoi(argv[1]) : 5, w = 1280, h = 720;
	int fps = argc > 3 ? atoi(argv[3]) : 1;
	if (argc > 2 && sscanf(argv[2], "%dx%d", &w, &h) != 2)
		return 2;
	if (fps < 1)
		fps = 1;
	if (SDL_Init(SDL_INIT_VIDEO) < 0 || TTF_Init() < 0)
		return 1;
	SDL_Window *win = SDL_CreateWindow("floor", 0, 0, w, h, 0);
	SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, 0) : NULL;
	TTF_Font *font = TTF_OpenFont(
	    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", h * 5 / 12);
	if (!r || !font)
		return 1;
	double render = 0;
	int frames = seconds * fps + 1;
	SDL_Texture *t = NULL;
	for (int i = 0; i < frames; i++) {
		double t0 = now_ms();
		if (i % fps == 0) {
			SDL_DestroyTexture(t);
			t = number(r, font, seconds - i / fps);
		}
		draw(r, t, w, h);
		render += now_ms() - t0;
		if (i == 0)
			fprintf(stderr, "first frame %.1f ms after start\n",
				now_ms() - start);
		SDL_Event e;
		while (SDL_PollEvent(&e))
			;
		/* On the beat: each frame's time from the start, no drift. */
		double due = start + (double)(i + 1) * 1000.0 / fps;
		double wait = due - now_ms();
		struct timespec ts = {(time_t)(wait / 1000),
				      (long)(wait * 1e6) % 1000000000L};
		if (i + 1 < frames && wait > 0)
			nanosleep(&ts, NULL);
	}
	fprintf(stderr, "%d frames, render mean %.2f ms\n", frames,
		render / frames);
	SDL_DestroyTexture(t);
	TTF_CloseFont(font);
	SDL_DestroyRenderer(r);
	SDL_DestroyWindow(win);
	TTF_Quit();
	SDL_Quit();
	return 0;
}
