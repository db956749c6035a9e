/*
 * journal.h - each session's end as one journal record with fields a
 * fleet's log tools can count: KIOSK_RESULT, KIOSK_SECONDS,
 * KIOSK_EXERCISE_INDEX, KIOSK_EXERCISE, KIOSK_ROUTINE.
 *
 * Only under systemd (stderr is the journal's stream: $JOURNAL_STREAM
 * names it): the record goes to the journal in its native protocol, a
 * line for people ("kiosk: session: ...") plus the fields; if the journal
 * does not take it, that line is logged to stderr, which is the journal
 * too. Elsewhere nothing is logged: the log for people stays as it was,
 * and sessions.tsv has every session. $KIOSK_JOURNAL_SOCKET names another
 * socket than /run/systemd/journal/socket (for tests). No state; main
 * thread only.
 */
#ifndef KIOSK_JOURNAL_H
#define KIOSK_JOURNAL_H

#include <stddef.h>

#include "sessionlog.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* The people's line for a session: "session: completed after 312 s at
 * exercise 6 (NAME); routine NAME". */
void journal_session_text(const struct logged_session *s, char *out,
			  size_t size);

/* The record for journald, in its native format, into out: 0, or -1 if
 * it does not fit. `message` is the MESSAGE= field. */
int journal_session_record(const struct logged_session *s,
			   const char *message, char *out, size_t size,
			   size_t *len);

/* The session's end, to the journal when stderr is the journal. */
void journal_session(const struct logged_session *s);

#endif
