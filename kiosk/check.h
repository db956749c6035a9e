/*
 * check.h - kiosk --check: the routine file judged as the kiosk would
 * judge it, every mistake in one pass.
 *
 * What the file says (config.h), whether eSpeak NG has its voice
 * (load.h), whether the screen's fonts can draw its text (glyphs.h) and
 * how long a session lasts are all asked, whatever the others found, so
 * no error hides another. Errors print as "FILE:LINE: error: ..." and
 * make the exit status 1; warnings ("FILE:LINE: warning: ...") are for
 * what is allowed but probably not meant, and leave it 0. A good file
 * also gets a one-paragraph summary on stdout. Main thread only.
 */
#ifndef KIOSK_CHECK_H
#define KIOSK_CHECK_H

#include "cli.h"

/* The exit status: 0 the file can be used, 1 it cannot. */
int check_run(const struct options *o);

#endif
