/*
 * notify.c - the sd_notify datagram protocol, done by hand.
 *
 * A message is newline-separated VAR=value assignments in one datagram to
 * the AF_UNIX socket named by $NOTIFY_SOCKET: a path, or "@name" for an
 * abstract socket. The socket is unconnected and every message names the
 * address, so a service manager that re-executes itself and binds the
 * socket anew still hears us.
 */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* systemd keeps STATUS= for display only; a line is plenty. */
#define STATUS_MAX 256

struct notify {
	int fd;
	struct sockaddr_un addr;
	socklen_t addr_len;
	kt_ms interval; /* watchdog ping interval; 0: no watchdog */
	kt_ms next_ping;
	char status[STATUS_MAX]; /* the last STATUS= systemd has */
	bool failing;		 /* the last send failed (logged once) */
};

/* "/path" or "@abstract" into n->addr. Anything else (systemd 254 also
 * knows vsock:) is not for a kiosk on a Pi. */
static int parse_address(struct notify *n, const char *s)
{
	size_t len = strlen(s);
	if ((s[0] != '/' && s[0] != '@') || len < 2 ||
	    len >= sizeof n->addr.sun_path) {
		log_msg("systemd: NOTIFY_SOCKET '%s' is not a socket path the "
			"kiosk can use; not notifying",
			s);
		return -1;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, s, len);
	/* An abstract name starts with a NUL and has no terminating one:
	 * its length is exactly what is given. */
	if (s[0] == '@')
		n->addr.sun_path[0] = '\0';
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				  (s[0] == '/'));
	return 0;
}

/* WATCHDOG_USEC applies to us only if WATCHDOG_PID is unset or is our
 * pid (systemd sets it so a child cannot mistake it for its own). */
static kt_ms parse_watchdog(const char *usec, const char *pid)
{
	if (!usec || !*usec)
		return 0;
	char *end;
	errno = 0;
	unsigned long long us = strtoull(usec, &end, 10);
	if (errno || *end || us == 0) {
		log_msg("systemd: WATCHDOG_USEC '%s' is not a time; no "
			"watchdog pings",
			usec);
		return 0;
	}
	if (pid && *pid) {
		long p = strtol(pid, &end, 10);
		if (*end || p != (long)getpid())
			return 0;
	}
	/* Half the interval: a ping may come a whole late wake-up late and
	 * systemd still sees one in time. */
	kt_ms half = (kt_ms)(us / 2000);
	return half > 0 ? half : 1;
}

struct notify *notify_open(kt_ms now)
{
	const char *socket_name = getenv("NOTIFY_SOCKET");
	if (!socket_name || !*socket_name)
		return NULL;
	struct notify *n = calloc(1, sizeof *n);
	if (!n) {
		log_msg("systemd: %s; not notifying", strerror(errno));
		return NULL;
	}
	n->fd = -1;
	if (parse_address(n, socket_name) < 0)
		goto fail;
	n->interval =
	    parse_watchdog(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"));
	n->next_ping = n->interval ? now : KT_NEVER;
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		log_msg("systemd: cannot make a socket: %s; not notifying",
			strerror(errno));
		goto fail;
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (n->interval)
		log_msg("systemd: watchdog ping every %lld ms",
			(long long)n->interval);
	return n;
fail:
	free(n);
	return NULL;
}

void notify_close(struct notify *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}

/* One datagram. Never blocks: if systemd's queue is full the message is
 * dropped rather than stalling the session. A failure is logged once,
 * and once more when messages get through again. */
static bool send_message(struct notify *n, const char *msg)
{
	ssize_t sent =
	    sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (const struct sockaddr *)&n->addr, n->addr_len);
	bool ok = sent == (ssize_t)strlen(msg);
	if (!ok && !n->failing)
		log_msg("systemd: cannot notify: %s (further failures not "
			"logged)",
			sent < 0 ? strerror(errno) : "short send");
	else if (ok && n->failing)
		log_msg("systemd: notifying again");
	n->failing = !ok;
	return ok;
}

/* One line, at most STATUS_MAX - 1 bytes, cut on a UTF-8 character
 * boundary: a newline would start another assignment. */
static void clean_status(char *out, const char *status)
{
	size_t len = strlen(status);
	if (len > STATUS_MAX - 1) {
		len = STATUS_MAX - 1;
		while (len > 0 && ((unsigned char)status[len] & 0xC0) == 0x80)
			len--;
	}
	for (size_t i = 0; i < len; i++)
		out[i] =
		    status[i] == '\n' || status[i] == '\r' ? ' ' : status[i];
	out[len] = '\0';
}

void notify_ready(struct notify *n, const char *status)
{
	if (!n)
		return;
	char clean[STATUS_MAX], msg[STATUS_MAX + 32];
	if (!status) {
		send_message(n, "READY=1");
		return;
	}
	clean_status(clean, status);
	snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", clean);
	if (send_message(n, msg))
		memcpy(n->status, clean, sizeof clean);
}

void notify_status(struct notify *n, const char *status)
{
	if (!n || !status)
		return;
	char clean[STATUS_MAX], msg[STATUS_MAX + 16];
	clean_status(clean, status);
	if (!strcmp(clean, n->status))
		return;
	snprintf(msg, sizeof msg, "STATUS=%s", clean);
	/* Remembered only once sent, so a failed one is tried again. */
	if (send_message(n, msg))
		memcpy(n->status, clean, sizeof clean);
}

void notify_reloading(struct notify *n)
{
	if (!n)
		return;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	char msg[64];
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)t.tv_sec * 1000000ULL +
		     (unsigned long long)t.tv_nsec / 1000ULL);
	send_message(n, msg);
}

void notify_stopping(struct notify *n)
{
	if (n)
		send_message(n, "STOPPING=1");
}

kt_ms notify_wake(const struct notify *n)
{
	return n ? n->next_ping : KT_NEVER;
}

void notify_tick(struct notify *n, kt_ms now)
{
	if (!n || !n->interval || now < n->next_ping)
		return;
	send_message(n, "WATCHDOG=1");
	/* From now, not from the missed deadline: what systemd measures is
	 * the time since the last ping it got. */
	n->next_ping = now + n->interval;
}

kt_ms notify_watchdog_interval(const struct notify *n)
{
	return n ? n->interval : 0;
}
