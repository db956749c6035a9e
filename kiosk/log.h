/*
 * log.h - one-line messages for people running or looking after the kiosk.
 *
 * Everything goes to stderr as "kiosk: message" (journald adds the rest
 * under systemd). Call from the main thread only.
 */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
