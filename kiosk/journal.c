/*
 * journal.c - the journal's native protocol, by hand: one datagram of
 * FIELD=value lines to /run/systemd/journal/socket.
 *
 * By hand rather than with libsystemd's sd_journal_send: it is a dozen
 * lines (as notify.c is for sd_notify), it needs no new build dependency
 * on three Debian releases and two arm architectures, and a test can
 * stand in for the journal with its own socket. Values here never hold a
 * newline (text_name_field makes names one line), so the protocol's
 * binary form for such values is not needed.
 */
#include "journal.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

void journal_session_text(const struct logged_session *s, char *out,
			  size_t size)
{
	char at[ROUTINE_NAME_BYTES + 32] = "before the first exercise";
	if (s->index > 0)
		snprintf(at, sizeof at, "at exercise %d (%s)", s->index,
			 s->exercise);
	else if (s->exercise[0])
		snprintf(at, sizeof at, "at the %s", s->exercise);
	snprintf(out, size, "session: %s after %d s %s; routine %s",
		 sessionlog_result_name(s->result), s->seconds, at, s->routine);
}

int journal_session_record(const struct logged_session *s,
			   const char *message, char *out, size_t size,
			   size_t *len)
{
	int n = snprintf(out, size,
			 "MESSAGE=kiosk: %s\nPRIORITY=6\n"
			 "SYSLOG_IDENTIFIER=kiosk\n"
			 "KIOSK_RESULT=%s\nKIOSK_SECONDS=%d\n"
			 "KIOSK_EXERCISE_INDEX=%d\nKIOSK_EXERCISE=%s\n"
			 "KIOSK_ROUTINE=%s\n",
			 message, sessionlog_result_name(s->result), s->seconds,
			 s->index, s->exercise, s->routine);
	if (n < 0 || (size_t)n >= size)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* Our stderr is the journal's stream when $JOURNAL_STREAM ("DEV:INODE")
 * names it: then the journal is there, and the record goes to it rather
 * than as a plain line. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

static int send_record(const char *record, size_t len)
{
	const char *path = getenv("KIOSK_JOURNAL_SOCKET");
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (!path || !*path)
		path = JOURNAL_SOCKET;
	if (strlen(path) >= sizeof addr.sun_path)
		return -1;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t n = sendto(fd, record, len, MSG_NOSIGNAL,
			   (const struct sockaddr *)&addr, sizeof addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

void journal_session(const struct logged_session *s)
{
	char message[3 * ROUTINE_NAME_BYTES + 128];
	char record[sizeof message * 2 + 512];
	size_t len;
	if (!stderr_is_journal())
		return;
	journal_session_text(s, message, sizeof message);
	if (journal_session_record(s, message, record, sizeof record, &len) <
		0 ||
	    send_record(record, len) < 0)
		log_msg("%s", message);
}
