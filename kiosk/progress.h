/*
 * progress.h - progression for home use: an exercise that grows over the
 * weeks ("hold about 30 seconds, work up toward 5 minutes").
 *
 * The routine file says where each progressing exercise starts (its own
 * `seconds` or `reps`), how much a step adds, the most it goes up to, and
 * how many completed sessions make a step (struct progression in
 * routine.h). This module remembers how many sessions each of those
 * exercises has completed, and sets its seconds or reps for the next
 * session:
 *
 *   value = min(max, start + step * floor(completed / every))
 *
 * Only sessions that reach the end count (not stopped, walked away from,
 * or cut short by the kiosk stopping).
 *
 * The store: STATE_DIR/progress.tsv, plain text, one line per exercise:
 * its name, a TAB, the completed sessions counted. The name is the key,
 * so staff may reorder, add and remove exercises; an exercise renamed
 * starts again from zero, and a removed one keeps its count in the file
 * (it carries on if it comes back). Exercises with the same name share
 * one count. A name is written as the routine spells it, with any control
 * character (the file allows a TAB inside a name) turned into a space.
 * The first line is a '#' comment saying what the file is. A missing file
 * is no progress yet; a damaged line is skipped, with one log line naming
 * FILE:LINE (the first PROGRESS_DAMAGE_LOGGED of them, then a count).
 * The file is read through readfile.h (a regular file of at most
 * PROGRESS_FILE_MAX, never blocking; CRLF taken) and names are looked up
 * in a hash table, so 100 000 names load in a fraction of a second. A
 * file that is there but cannot be read (a FIFO, too large, no
 * permission) is never saved over until it can be read: the counts stay
 * in memory, and the log says so once; once it can be read, the sessions
 * counted meanwhile are added to what it holds, and saved.
 *
 * Saving is atomic: a temporary file in the same folder, fsync, rename()
 * over progress.tsv, fsync of the folder. A reader or a power cut sees the
 * old file or the new one, never half. When run as root (sudo kiosk
 * --reset-progress) the new file is given to the folder's owner, so the
 * kiosk's own user can still read and replace it. A save that fails (full
 * disk, read-only or missing folder) is logged once, the counts are kept
 * in memory and saved with the next change; it is never fatal. Logged
 * again when saving works.
 *
 * Two writers: the kiosk and `kiosk --reset-progress` run by staff. The
 * file is the truth: progress_refresh re-reads it when it changed on disk
 * (unless counts of our own are still unsaved, which then win), and
 * progress_completed refreshes before counting, so a reset made while the
 * kiosk runs is not written over.
 *
 * How the kiosk uses it: progress_open at start; progress_apply to every
 * routine it loads (at start and on each reload), before the engine or
 * the speech walk sees it; progress_refresh then progress_apply when a
 * session is about to start (an input on the idle screen), so a reset
 * made meanwhile counts; progress_completed then progress_apply when a
 * session completes; progress_close at exit. A simulated run keeps no
 * store unless given --state-dir, like the session record.
 *
 * Ownership: the caller owns the struct progress (progress_close). It
 * copies the folder name, and keeps no pointer into a routine. A NULL
 * store is allowed everywhere: no counts (apply sets every start value),
 * nothing saved. Main thread only; no threads inside.
 */
#ifndef KIOSK_PROGRESS_H
#define KIOSK_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "routine.h"

#define PROGRESS_FILE	       "progress.tsv"
#define PROGRESS_COUNT_MAX     999999 /* sessions counted; stays there */
#define PROGRESS_FILE_MAX      (16 * 1024 * 1024) /* read no larger file */
#define PROGRESS_DAMAGE_LOGGED 5

struct progress;

/* The store in `state_dir`, read now (a missing folder or file: no
 * progress yet; an unreadable one is logged and counted from zero). The
 * folder is made, one level, at the first save. NULL only when out of
 * memory. */
struct progress *progress_open(const char *state_dir);

/* Tries once more to save counts a failed save left in memory, then
 * frees. NULL is fine. */
void progress_close(struct progress *p);

/* Re-read the file if it changed on disk since this store last read or
 * wrote it (staff ran kiosk --reset-progress, or edited it), unless counts
 * of our own are still unsaved. A file gone means every count is zero.
 * Cheap when nothing changed (one stat). Returns true if a count changed:
 * then progress_apply again. */
bool progress_refresh(struct progress *p);

/* Set each progressing exercise's seconds (hold, free) or reps for the
 * next session from its progression and its count. Exercises without
 * progression are left alone. Idempotent. Returns true if any value
 * changed. Call only while no session runs on r. */
bool progress_apply(const struct progress *p, struct routine *r);

/* A session of r completed: +1 for every progressing exercise (once per
 * name), after a refresh, then save. 0, or -1 if the save failed (the
 * counts are kept in memory and saved next time; logged once). Does not
 * change r: call progress_apply after it. */
int progress_completed(struct progress *p, const struct routine *r);

/* The same, but the exercises skipped in that session (bit i: exercise
 * i + 1, as in the engine's session action) are not counted: skipping
 * one does not make it grow. */
int progress_completed_skipping(struct progress *p, const struct routine *r,
				unsigned skipped);

/* Forget counts: every one (name NULL), or one exercise's (its exact
 * name), then save. Returns how many exercises' counts were forgotten (0:
 * none were stored, nothing written), or -1 if the save failed (errno set;
 * the counts are forgotten in memory all the same). Not logged: the
 * caller says what happened. */
int progress_reset(struct progress *p, const char *name);

/* Completed sessions counted for the exercise called `name` (0: none). */
int progress_count(const struct progress *p, const char *name);

/* The value an exercise with progression `g` has after `completed`
 * sessions (the formula above), in the progression's unit. */
int progress_value(const struct progression *g, int completed);

/* One line for people about x's progression, like "30 s up to 5 min,
 * 15 s more every 2 completed sessions". "" if it has none. */
void progress_describe(const struct exercise *x, char *out, size_t size);

/* kiosk --stats: for each progressing exercise of r, the value for the
 * next session, the sessions counted, and the sessions to the next step
 * or "at the maximum"; then counts stored for exercises not in r. Prints
 * nothing at all when r has no progression and nothing is stored (a
 * clinic's kiosk). */
void progress_print(const struct progress *p, const struct routine *r,
		    FILE *out);

/* kiosk --reset-progress[=NAME] with everything it says: reads the store
 * in `dir`, forgets, saves. NAME matches exactly, else without regard to
 * ASCII case when only one stored name matches that way. Returns the exit
 * status: 0 when done (also when nothing was stored and NAME is NULL), 1
 * when NAME has no count stored or the file cannot be read or written
 * (said on err). */
int progress_reset_command(FILE *out, FILE *err, const char *dir,
			   const char *name);

/* "DIR/progress.tsv" into out. -1 if it does not fit. */
int progress_path(const char *dir, char *out, size_t size);

#endif
