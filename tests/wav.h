/*
 * wav.h - reading a 16-bit mono WAV file in a test: the kiosk's WAV sink
 * (e2e_media) and arecord's capture from the appliance's sound card
 * (vm_appliance), judged the same way. Header-only, for test programs;
 * include after testutil.h (read_file and cmocka's asserts).
 */
#ifndef KIOSK_TESTS_WAV_H
#define KIOSK_TESTS_WAV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct wav {
	const int16_t *pcm;
	long frames;
	int rate;
	char *buf; /* the whole file; free() it */
};

/* Loads `path`. A data chunk whose size says more than the file holds
 * fails the test when `exact` (the kiosk writes its header right); else
 * the rest of the file is the data (arecord stopped by a signal may leave
 * the size unwritten). */
static inline void wav_load(const char *path, struct wav *w, bool exact)
{
	size_t len = 0;
	w->buf = read_file(path, &len);
	assert_non_null(w->buf);
	assert_true(len >= 44);
	assert_memory_equal(w->buf, "RIFF", 4);
	assert_memory_equal(w->buf + 8, "WAVE", 4);
	uint16_t channels, bits;
	uint32_t rate, size;
	memcpy(&channels, w->buf + 22, 2);
	memcpy(&rate, w->buf + 24, 4);
	memcpy(&bits, w->buf + 34, 2);
	assert_int_equal(channels, 1);
	assert_int_equal(bits, 16);
	w->rate = (int)rate;
	/* The data chunk, wherever it is. */
	size_t at = 12;
	while (at + 8 <= len && memcmp(w->buf + at, "data", 4)) {
		memcpy(&size, w->buf + at + 4, 4);
		at += 8 + size;
	}
	assert_true(at + 8 <= len);
	memcpy(&size, w->buf + at + 4, 4);
	size_t left = len - at - 8;
	if (exact)
		assert_true(size <= left);
	w->pcm = (const int16_t *)(const void *)(w->buf + at + 8);
	w->frames = (long)((exact || size <= left ? size : left) / 2);
}

/* Milliseconds times the sample rate passes 2^31 after 97 s at 22050 Hz:
 * 64-bit arithmetic, for a 32-bit long (armhf). */
static inline long wav_frame_at(const struct wav *w, long ms)
{
	int64_t f = (int64_t)ms * w->rate / 1000;
	return f < 0 ? 0 : f > w->frames ? w->frames : (long)f;
}

static inline long wav_ms_at(const struct wav *w, long frame)
{
	return (long)((int64_t)frame * 1000 / w->rate);
}

/* The loudest sample in [from, to) ms. */
static inline int wav_peak(const struct wav *w, long from, long to)
{
	int m = 0;
	for (long i = wav_frame_at(w, from); i < wav_frame_at(w, to); i++)
		m = abs(w->pcm[i]) > m ? abs(w->pcm[i]) : m;
	return m;
}

/* The time of the first sample at `level` or above in [from, to) ms; -1
 * if there is none. */
static inline long wav_onset(const struct wav *w, long from, long to, int level)
{
	for (long i = wav_frame_at(w, from); i < wav_frame_at(w, to); i++)
		if (abs(w->pcm[i]) >= level)
			return wav_ms_at(w, i);
	return -1;
}

#endif
