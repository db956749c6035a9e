/*
 * kiosk.h - the running kiosk: one struct that owns every part of it.
 *
 * kiosk_run sets the parts up in order (routine, engine, inputs, outputs,
 * signals), runs the main loop until asked to stop, and tears everything
 * down through one cleanup path. A part that cannot start (no display, no
 * speaker, no GPIO) is logged and left out; only bad usage is fatal. The
 * routine file is read again when it is saved or on SIGHUP, and a good
 * one is used from the next session on.
 * Main thread only.
 */
#ifndef KIOSK_KIOSK_H
#define KIOSK_KIOSK_H

#include "cli.h"

/* Returns the process exit status. */
int kiosk_run(const struct options *o);

#endif
