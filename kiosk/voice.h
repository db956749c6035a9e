/*
 * voice.h - the routine's voice, opened in eSpeak NG: the one place that
 * turns a routine's voice settings into speech (speech.h). Kept apart
 * from load.h so that reading a routine never needs speech: the core
 * library (Makefile: CORE_SRC) has no eSpeak NG in it.
 *
 * Ownership: the caller owns what comes back (speech_close). Main thread
 * only (eSpeak NG is not thread-safe; speech.h's thread is its only user
 * once open).
 */
#ifndef KIOSK_VOICE_H
#define KIOSK_VOICE_H

#include <stdbool.h>

#include "config.h"
#include "diag.h"
#include "routine.h"
#include "speech.h"

/* eSpeak NG speaking with the routine's voice. NULL when it cannot. If the
 * voice is to blame, a message is added to `d` at the line that chose it
 * and *builtin_voice is eSpeak NG with the built-in routine's voice; if
 * eSpeak NG itself cannot start, that is logged and *builtin_voice is
 * NULL too. */
struct speech *voice_open(const struct routine *r, struct diags *d,
			  struct speech **builtin_voice);

/* The voice settings of `s`, as speech.h takes them (borrowing s's
 * strings). */
struct speech_voice voice_of(const struct settings *s);

/* Do `a` and `b` ask for the same voice? */
bool voice_same(const struct settings *a, const struct settings *b);

#endif
