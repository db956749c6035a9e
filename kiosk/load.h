/*
 * load.h - the routine as both the kiosk and --check load it: the file (or
 * the built-in one) read and checked line by line (config.h), then its
 * voice tried by eSpeak NG, which alone knows which voices exist.
 *
 * Ownership: the caller owns what comes back (routine_free,
 * speech_close). Main thread only.
 */
#ifndef KIOSK_LOAD_H
#define KIOSK_LOAD_H

#include <stdbool.h>

#include "diag.h"
#include "routine.h"
#include "speech.h"

/* The routine in `path`, or the built-in one when path is NULL. NULL with
 * the reasons in `d` (which must name the same file). */
struct routine *load_routine(const char *path, const char *assets,
			     struct diags *d);

/* Whether one session of `r` fits in the session record (at most 7
 * days); if not, an error in `d`. */
bool load_length_ok(const struct routine *r, struct diags *d);

/* The routine a kiosk started now would run: the file at `path` when it
 * has no errors, else the built-in one (the file's errors left in `d`,
 * which must name `path`, and *fell_back set). `path` NULL: the built-in
 * one. Voices are not tried. NULL only when out of memory. */
struct routine *load_routine_in_use(const char *path, const char *assets,
				    struct diags *d, bool *fell_back);

/* The built-in routine; without its illustrations if `assets` lacks them.
 * NULL only when out of memory. */
struct routine *load_builtin(const char *assets);

/* eSpeak NG speaking with the routine's voice. NULL when it cannot. If the
 * voice is to blame, a message is added to `d` at the line that chose it
 * and *builtin_voice is eSpeak NG with the built-in routine's voice; if
 * eSpeak NG itself cannot start, that is logged and *builtin_voice is
 * NULL too. */
struct speech *load_voice(const struct routine *r, struct diags *d,
			  struct speech **builtin_voice);

#endif
