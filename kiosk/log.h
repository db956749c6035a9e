/*
 * log.h - one-line messages for people running or looking after the kiosk.
 *
 * Everything goes to stderr as "kiosk: message" (journald adds the rest
 * under systemd), or to the stream log_to chose. log_msg from any thread
 * (a line is written whole, under the stream's lock); log_to and the
 * quiet pair from the main thread only.
 */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

#include <stdio.h>

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where log_msg writes from now on (the self-test's report is its log). */
void log_to(FILE *stream);

/* Libraries that print their own chatter while probing devices (ALSA and
 * JACK under PortAudio, Wayland under SDL) are called between these two:
 * stderr goes to /dev/null meanwhile. Their errors still reach us as
 * return values, and the kiosk logs those itself. */
int log_quiet_begin(void);
void log_quiet_end(int saved);

#endif
