/*
 * clip.h - a sound held in memory: mono signed 16-bit PCM at its own rate.
 *
 * A clip is immutable once published. Whoever made it (the speech cache,
 * the chime generator) owns it and keeps it alive for as long as any mixer
 * may still play it; the mixer only borrows. Safe to read from any thread.
 */
#ifndef KIOSK_CLIP_H
#define KIOSK_CLIP_H

#include <stddef.h>
#include <stdint.h>

struct clip {
	const int16_t *pcm;
	size_t frames;
	int rate; /* frames per second */
};

#endif
