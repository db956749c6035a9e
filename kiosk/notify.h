/*
 * notify.h - telling systemd how the kiosk is doing, without libsystemd.
 *
 * Under systemd (Type=notify) the service manager passes a datagram
 * socket in $NOTIFY_SOCKET; the kiosk sends it short text messages:
 * READY=1 once it is up, STATUS=... for `systemctl status`, WATCHDOG=1 to
 * prove the main loop still turns (WatchdogSec=), RELOADING=1 and
 * STOPPING=1. That is the whole of sd_notify(3) the kiosk needs, so the
 * protocol is done here in a page rather than linking libsystemd.
 *
 * notify_open returns NULL when the kiosk is not under systemd (no
 * $NOTIFY_SOCKET) or the socket cannot be used (logged once); every other
 * function takes NULL and then does nothing, so callers need no "are we
 * under systemd" checks of their own.
 *
 * The watchdog fits the main loop's poll(): notify_wake() is the time the
 * next ping is due (KT_NEVER without a watchdog), to be folded into the
 * loop's earliest deadline, and notify_tick(now) sends the ping when it is
 * due. Pings go out every half of WatchdogSec, so one late wake-up never
 * trips it. Times are kt_ms on the monotonic clock the caller uses for its
 * own deadlines (not virtual time: the watchdog watches real time).
 *
 * Ownership: the caller owns the struct notify and frees it with
 * notify_close. Sends never block (a full socket drops the message: the
 * kiosk must not stall for its service manager). Main thread only.
 */
#ifndef KIOSK_NOTIFY_H
#define KIOSK_NOTIFY_H

#include <stdbool.h>

#include "ktime.h"

struct notify;

/* From $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, at time `now`.
 * The variables are removed from the environment, so that nothing the
 * kiosk might start could speak for it. NULL: not under systemd. */
struct notify *notify_open(kt_ms now);
void notify_close(struct notify *n);

/* READY=1, with a first STATUS= when status is not NULL. After a reload,
 * call it again to say the reload is done. */
void notify_ready(struct notify *n, const char *status);

/* STATUS=status, only when it differs from the last one sent. Newlines
 * are sent as spaces: one status is one line. */
void notify_status(struct notify *n, const char *status);

/* RELOADING=1 with MONOTONIC_USEC= (what systemd 253's Type=notify-reload
 * wants; older ones ignore it). Follow with notify_ready when done. */
void notify_reloading(struct notify *n);

/* STOPPING=1: the kiosk is shutting down on purpose. */
void notify_stopping(struct notify *n);

/* The watchdog: when the next ping is due (KT_NEVER: no watchdog), and
 * the ping itself, sent when now >= notify_wake(). */
kt_ms notify_wake(const struct notify *n);
void notify_tick(struct notify *n, kt_ms now);

/* The ping interval in ms (half of WatchdogSec), 0 without a watchdog. */
kt_ms notify_watchdog_interval(const struct notify *n);

#endif
