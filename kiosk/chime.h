/*
 * chime.h - the two session chimes, made in code: a soft bell rising in
 * two notes for the start, one lower note for the end. Quiet (peaks near
 * -12 dBFS) so that speech over them stays on top.
 *
 * Ownership: chime_new allocates the clip and its samples in one block;
 * the caller owns it and frees it with chime_free once no mixer can play
 * it any more. Pure computation: any thread.
 */
#ifndef KIOSK_CHIME_H
#define KIOSK_CHIME_H

#include "clip.h"
#include "engine.h"

#define CHIME_PEAK 8192 /* -12 dBFS */

/* The chime at `rate` frames per second; NULL when out of memory. */
struct clip *chime_new(enum chime which, int rate);
void chime_free(struct clip *c);

#endif
