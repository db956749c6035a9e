/*
 * log.h - one-line messages for people running or looking after the kiosk.
 *
 * Everything goes to stderr as "kiosk: message" (journald adds the rest
 * under systemd). Call from the main thread only.
 */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Libraries that print their own chatter while probing devices (ALSA and
 * JACK under PortAudio, Wayland under SDL) are called between these two:
 * stderr goes to /dev/null meanwhile. Their errors still reach us as
 * return values, and the kiosk logs those itself. */
int log_quiet_begin(void);
void log_quiet_end(int saved);

#endif
