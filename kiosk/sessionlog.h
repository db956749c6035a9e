/*
 * sessionlog.h - the kiosk's own record of sessions, for staff.
 *
 * One line per session in STATE_DIR/sessions.tsv (tab-separated text):
 *
 *   2026-11-21T14:03:07+01:00 <TAB> 312 <TAB> completed <TAB> 6
 *     <TAB> Standing wall stretch <TAB> Mid-back mobility
 *
 * when it started (local time, ISO 8601 with the UTC offset), how many
 * seconds it lasted, how it ended (completed, stopped, abandoned, or
 * shutdown: the kiosk itself was stopped mid-session), the exercise
 * reached (1-based; 0 and an empty name before the first, or 0 and
 * SESSIONLOG_REDFLAGS for a session that ended on the red-flag screen)
 * and the routine's name. Lines starting with '#' are comments.
 * A seventh field, written only for a session in which exercises were
 * skipped (a double press), lists their numbers: 2,5. Lines with six
 * fields, as every older kiosk wrote them, read as no skips.
 *
 * Writing: each line is appended with one write() under O_APPEND, then
 * fdatasync. A line that cannot be written (full disk, read-only or
 * missing folder) is kept in memory, up to SESSIONLOG_PENDING_MAX, and
 * written before the next one; the oldest is dropped beyond that. One log
 * line when writing starts failing and one when it works again: the kiosk
 * never stops for its record. Past max_bytes the file is cut to its
 * newest half, through a temporary file and rename().
 *
 * Reading (kiosk --stats): through readfile.h (a regular file of at most
 * SESSIONLOG_READ_MAX, never blocking), a line at a time in a fixed
 * buffer, so memory does not grow with the file; CRLF is taken. Damaged
 * lines (torn by a power cut, edited by hand, too long) are skipped and
 * counted. Lengths are at most SESSIONLOG_SECONDS_MAX, written and read.
 * The file is opened O_NONBLOCK for appending too: a FIFO or /dev/null in
 * its place never stalls the kiosk.
 *
 * Ownership: the caller owns the struct sessionlog and the history, and
 * frees them with sessionlog_close and sessionlog_history_free. The
 * sessionlog copies the folder name. Main thread only; no threads inside.
 */
#ifndef KIOSK_SESSIONLOG_H
#define KIOSK_SESSIONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "engine.h"
#include "ktime.h"
#include "readfile.h"
#include "routine.h"

#define SESSIONLOG_FILE	       "sessions.tsv"
#define SESSIONLOG_MAX_BYTES   (1024 * 1024) /* about 10 000 sessions */
#define SESSIONLOG_PENDING_MAX 32
/* The exercise field, with index 0, of a session that ended on the
 * red-flag screen: people who perhaps should not have started. */
#define SESSIONLOG_REDFLAGS "red-flag screen"
/* The longest session the record holds, written and read: a longer one
 * is written as this long (kiosk --check refuses a routine that would
 * last longer). */
#define SESSIONLOG_SECONDS_MAX (7 * 86400)
/* The largest record --stats reads (streamed: memory does not grow with
 * it); a larger file is refused, not read in part. */
#define SESSIONLOG_READ_MAX (1024LL * 1024 * 1024)

enum logged_result {
	LOGGED_COMPLETED,
	LOGGED_STOPPED,
	LOGGED_ABANDONED,
	LOGGED_SHUTDOWN, /* the kiosk was stopped during the session */
	LOGGED_COUNT
};

struct logged_session {
	time_t start;  /* wall clock */
	int start_day; /* read back: the local date written, days since
			  1970-01-01 */
	int seconds;   /* how long it lasted */
	enum logged_result result;
	int index; /* exercise reached, 1-based; 0 before the first */
	char exercise[ROUTINE_NAME_BYTES];
	char routine[ROUTINE_NAME_BYTES];
	unsigned skipped; /* bit i: exercise i + 1 was skipped */
};

const char *sessionlog_result_name(enum logged_result r);

/* The engine's ending, as the record words it. */
enum logged_result sessionlog_result_of(enum session_result r, bool quit);

/* ---- writing ---- */

struct sessionlog;

/* The record in `dir` (created if missing, one level). max_bytes 0: the
 * default. Never NULL unless out of memory: a folder that cannot be
 * written is logged and tried again at every session. */
struct sessionlog *sessionlog_open(const char *dir, size_t max_bytes);

/* Writes what is still pending, then frees. */
void sessionlog_close(struct sessionlog *l);

/* A session began: `wall` is the wall-clock time, `now` the kiosk's
 * monotonic time (the length comes from the latter, so setting the clock
 * mid-session does not change it). */
void sessionlog_begin(struct sessionlog *l, time_t wall, kt_ms now);

/* The session begun last ended at `now`. exercise may be NULL or "" with
 * index 0; skipped as in struct logged_session. Returns 0 when it is on disk, -1 when it is kept in memory
 * (or there was no begin: a bug, logged). */
int sessionlog_end(struct sessionlog *l, kt_ms now, enum session_result r,
		   bool quit, int index, const char *exercise,
		   const char *routine, unsigned skipped);

/* Append one session as given (sessionlog_end uses it; tests too). */
int sessionlog_add(struct sessionlog *l, const struct logged_session *s);

/* Sessions waiting in memory, and those dropped for lack of room. */
int sessionlog_pending(const struct sessionlog *l);
int sessionlog_dropped(const struct sessionlog *l);

/* ---- reading ---- */

struct session_history {
	struct logged_session *session; /* in file order */
	size_t count, cap;
	int damaged;	   /* lines skipped */
	int first_damaged; /* line number of the first, 0 if none */
};

struct session_scan {
	int damaged;	   /* lines skipped */
	int first_damaged; /* line number of the first, 0 if none */
	char why[READFILE_WHY]; /* on failure: why, for "FILE: why" */
};

/* Each session in the file at `path`, in file order, handed to each()
 * (which returns 0, or -1 with errno to stop). Reads through a fixed
 * buffer: memory does not grow with the file. CRLF line ends are taken.
 * 0, or -1 with errno (ENOENT: no session recorded yet; EINVAL: not a
 * regular file; EFBIG: larger than SESSIONLOG_READ_MAX) and sc->why. */
int sessionlog_scan(const char *path,
		    int (*each)(const struct logged_session *s, void *ctx),
		    void *ctx, struct session_scan *sc);

/* Every session in the file at `path`, held in memory (for tests and
 * small records; --stats uses sessionlog_scan). 0, or -1 with errno
 * (ENOENT: no session recorded yet). */
int sessionlog_read(const char *path, struct session_history *h);
void sessionlog_history_free(struct session_history *h);

/* Parse one line (without its newline). false: damaged. */
bool sessionlog_parse(const char *line, struct logged_session *s);

/* "DIR/sessions.tsv" into out. -1 if it does not fit. */
int sessionlog_path(const char *dir, char *out, size_t size);

#endif
