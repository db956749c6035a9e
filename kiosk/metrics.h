/*
 * metrics.h - health and use for Prometheus, as a file for node_exporter's
 * textfile collector (the kiosk opens no socket of its own).
 *
 * Two layers. struct metrics_counts and metrics_format are pure: counts
 * in, the text exposition format out (no I/O, no clock), so tests and the
 * benchmark use them directly. struct metrics is the writer: it owns the
 * counts, and writes DIR/kiosk.prom atomically (a temporary file in DIR,
 * fsync, rename) from metrics_flush whenever a hook has changed something:
 * once at start, after each session, when a part's health or the routine
 * file's state changes. A write that fails (full disk, read-only or
 * missing folder) is logged once per kind of failure and tried again at
 * the next change; the counts stay in memory, so nothing else is lost.
 *
 * Counters go on across restarts when the session record is kept:
 * metrics_seed counts the sessions in sessions.tsv at start. Without it
 * they start at 0 (Prometheus's rate() and increase() take resets).
 *
 * Every function takes a NULL struct metrics (metrics off) and does
 * nothing. The writer copies the strings it is given. Main thread only.
 */
#ifndef KIOSK_METRICS_H
#define KIOSK_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ktime.h"
#include "sessionlog.h"

#define METRICS_FILE "kiosk.prom"
/* Exercises counted by name; more distinct names than this (a routine
 * renamed many times) are counted together under METRICS_OTHER. */
#define METRICS_EXERCISES_MAX 64
#define METRICS_OTHER	      "(other)"
/* Session length buckets, seconds: sessions last 1 to 30 minutes. */
#define METRICS_BUCKETS 9
extern const int metrics_bucket_seconds[METRICS_BUCKETS];
/* Room for the whole file at its largest (every exercise slot used). */
#define METRICS_TEXT_MAX (96 * 1024)

/* The parts whose health is a gauge, labelled part="..." */
enum metrics_part {
	PART_SOUND,
	PART_DISPLAY,
	PART_BUTTON,
	PART_MAT,
	PART_COUNT
};
const char *metrics_part_name(enum metrics_part p);

enum metrics_health { HEALTH_UNUSED = -1, HEALTH_BAD = 0, HEALTH_GOOD = 1 };

struct metrics_exercise {
	char name[ROUTINE_NAME_BYTES];
	uint64_t reached; /* sessions that ended at it, the furthest reached */
	uint64_t skipped;
};

struct metrics_counts {
	uint64_t sessions[LOGGED_COUNT];
	struct metrics_exercise exercise[METRICS_EXERCISES_MAX + 1];
	int exercises; /* slots used; the last slot is METRICS_OTHER */
	uint64_t bucket[METRICS_BUCKETS]; /* per bucket, not cumulative */
	uint64_t length_count;
	double length_sum;
	double last_session; /* when the last one ended, Unix time; 0: none */
	enum metrics_health health[PART_COUNT]; /* UNUSED: no series */
	bool routine_broken;
	double routine_broken_since;
	char routine[ROUTINE_NAME_BYTES];
	char routine_file[256]; /* a path, or "built-in" */
	int routine_exercises;
	double start_time;
	const char *version; /* borrowed; a string literal */
};

void metrics_counts_init(struct metrics_counts *c, double start_time,
			 const char *version);
/* A session that ended: by result, length, end time, and the exercise it
 * reached (none when index is 0 and the exercise name is empty). */
void metrics_count_session(struct metrics_counts *c,
			   const struct logged_session *s);
/* A person skipped this exercise (the skip gesture). */
void metrics_count_skip(struct metrics_counts *c, const char *exercise);

/* The exposition text into buf (NUL-terminated when size > 0). Returns
 * the length it needs, as snprintf: a result >= size means it was cut. */
size_t metrics_format(const struct metrics_counts *c, char *buf, size_t size);

/* A label value with \ " and newline escaped, into out (as snprintf). */
size_t metrics_escape(char *out, size_t size, const char *value);

/* ---- the writer ---- */

struct metrics;

/* Metrics written into `dir` (which must exist: it is node_exporter's),
 * with now as the start time. NULL only when out of memory. */
struct metrics *metrics_open(const char *dir);
/* Writes what is pending, then frees. */
void metrics_close(struct metrics *m);

/* Counts the sessions recorded in the file at `path` (sessions.tsv);
 * a missing file is no session yet. */
void metrics_seed(struct metrics *m, const char *path);

void metrics_session(struct metrics *m, const struct logged_session *s);
void metrics_skipped(struct metrics *m, const char *exercise);
void metrics_health(struct metrics *m, enum metrics_part p, bool good);
void metrics_routine(struct metrics *m, const char *name, const char *file,
		     int exercises);
/* The routine file has errors (since now, the first time it is said),
 * or has none any more. */
void metrics_routine_broken(struct metrics *m, bool broken);

/* Writes the file if anything changed since it was last written. */
void metrics_flush(struct metrics *m);
/* Writes it now: 0, or -1 with errno (and logged once per kind). */
int metrics_write(struct metrics *m);

const struct metrics_counts *metrics_counts(const struct metrics *m);

#endif
