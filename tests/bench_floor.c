/*
 * bench_floor.c - the floor `make bench` measures the screens against: the
 * least an SDL2 + SDL2_ttf program can do to show a countdown, one big
 * number redrawn once a second in a 1280x720 window, sleeping in between.
 *
 * Usage: bench_floor SECONDS. Prints the same figures the kiosk logs:
 * "first frame N ms after start" and "F frames, render mean M ms".
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

static void draw(SDL_Renderer *r, TTF_Font *font, int n)
{
	char text[16];
	snprintf(text, sizeof text, "%d", n);
	SDL_SetRenderDrawColor(r, 11, 30, 45, 255);
	SDL_RenderClear(r);
	SDL_Color white = {242, 242, 242, 255};
	SDL_Surface *s = TTF_RenderUTF8_Blended(font, text, white);
	SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
	SDL_Rect box = {(1280 - s->w) / 2, (720 - s->h) / 2, s->w, s->h};
	SDL_RenderCopy(r, t, NULL, &box);
	SDL_DestroyTexture(t);
	SDL_FreeSurface(s);
	SDL_RenderPresent(r);
}

int main(int argc, char **argv)
{
	double start = now_ms();
	int seconds = argc > 1 ? atoi(argv[1]) : 5;
	if (SDL_Init(SDL_INIT_VIDEO) < 0 || TTF_Init() < 0)
		return 1;
	SDL_Window *w = SDL_CreateWindow("floor", 0, 0, 1280, 720, 0);
	SDL_Renderer *r = w ? SDL_CreateRenderer(w, -1, 0) : NULL;
	TTF_Font *font = TTF_OpenFont(
	    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 300);
	if (!r || !font)
		return 1;
	double render = 0;
	for (int i = 0; i <= seconds; i++) {
		double t0 = now_ms();
		draw(r, font, seconds - i);
		render += now_ms() - t0;
		if (i == 0)
			fprintf(stderr, "first frame %.1f ms after start\n",
				now_ms() - start);
		SDL_Event e;
		while (SDL_PollEvent(&e))
			;
		struct timespec due = {.tv_sec = 1};
		if (i < seconds)
			nanosleep(&due, NULL);
	}
	fprintf(stderr, "%d frames, render mean %.2f ms\n", seconds + 1,
		render / (seconds + 1));
	TTF_CloseFont(font);
	SDL_DestroyRenderer(r);
	SDL_DestroyWindow(w);
	TTF_Quit();
	SDL_Quit();
	return 0;
}
