/*
 * selftest.h - `kiosk --self-test`: check the wiring without a session.
 *
 * Reads the routine file's line settings, reports what it found for the
 * button and the mat (as the kiosk would log it), then echoes every raw
 * edge and every press, long press and mat change the kiosk would act
 * on, with times and how many raw edges (contact bounce) each took, until
 * Ctrl-C or SIGTERM. The report goes to stdout; nothing else runs.
 */
#ifndef KIOSK_SELFTEST_H
#define KIOSK_SELFTEST_H

#include "cli.h"

/* 0 after Ctrl-C; 1 when no line could be had; 2 on a failure to start. */
int selftest_run(const struct options *o);

#endif
