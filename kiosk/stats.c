/*
 * stats.c - the staff's summary of the session record.
 *
 * Days are the local dates written in the record (what the kiosk's clock
 * said at the time), so a summary reads the same in any time zone; only
 * "today" comes from the clock now. Numbers come first on each line and
 * names last, so names in any script need no column alignment.
 */
#include "stats.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define BAR_MAX 40

/* A day number printed as "Sat 2026-11-21": the date of a day number is
 * plain arithmetic, which gmtime does without any time zone. */
static const char *day_name(int day, char *buf, size_t size)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%a %Y-%m-%d", &tm))
		snprintf(buf, size, "day %d", day);
	return buf;
}

static int today_of(time_t now)
{
	struct tm tm;
	if (!localtime_r(&now, &tm))
		return 0;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (int)(timegm(&tm) / 86400);
}

static int percent(int part, int whole)
{
	return whole ? (part * 100 + whole / 2) / whole : 0;
}

static void print_length(FILE *out, long seconds)
{
	fprintf(out, "%ld min %02ld s", seconds / 60, seconds % 60);
}

/* ---- the summary, gathered one session at a time ---- */

/* Where people stop: stopped and abandoned sessions by the exercise
 * reached, index and name together (the routine may have changed over
 * the record). At most STATS_PLACES_MAX rows; more are counted apart. */
struct place {
	int index;
	const char *name; /* the key's copy in the map, after the TAB */
	bool redflags;	  /* index 0: ended on the red-flag screen */
	int stopped, abandoned;
};

struct summary {
	size_t count;
	int first_day, last_day;
	int today;
	int day[STATS_DAYS], day_done[STATS_DAYS], later;
	int result[LOGGED_COUNT];
	int redflags; /* sessions that ended on the red-flag screen */
	long long seconds, seconds_done;
	struct place *place;
	size_t places, place_cap;
	struct strmap place_of; /* "INDEX\tNAME" -> index into place */
	int other_stopped, other_abandoned; /* past STATS_PLACES_MAX */
	/* Exercises skipped with a double press, counted apart from how the
	 * session ended: by number, since that is what the record keeps. */
	int skip_sessions, skips, skipped[ROUTINE_EXERCISES_MAX];
};

/* The record marks such a session by the name of the place it ended. */
static bool ended_on_redflags(const struct logged_session *s)
{
	return s->index == 0 && !strcmp(s->exercise, SESSIONLOG_REDFLAGS);
}

static int add_place(struct summary *m, const struct logged_session *s)
{
	char key[16 + ROUTINE_NAME_BYTES];
	size_t k;
	snprintf(key, sizeof key, "%d\t%s", s->index, s->exercise);
	if (!strmap_get(&m->place_of, key, &k)) {
		if (m->places == STATS_PLACES_MAX) {
			m->other_stopped += s->result == LOGGED_STOPPED;
			m->other_abandoned += s->result == LOGGED_ABANDONED;
			return 0;
		}
		if (m->places == m->place_cap) {
			size_t cap = m->place_cap ? m->place_cap * 2 : 64;
			struct place *more =
			    realloc(m->place, cap * sizeof *more);
			if (!more)
				return -1;
			m->place = more;
			m->place_cap = cap;
		}
		k = m->places;
		if (strmap_put(&m->place_of, key, k) < 0)
			return -1;
		m->places++;
		m->place[k] =
		    (struct place){s->index, NULL, ended_on_redflags(s), 0, 0};
	}
	m->place[k].stopped += s->result == LOGGED_STOPPED;
	m->place[k].abandoned += s->result == LOGGED_ABANDONED;
	return 0;
}

static int add_session(const struct logged_session *s, void *ctx)
{
	struct summary *m = ctx;
	int ago = m->today - s->start_day;
	bool done = s->result == LOGGED_COMPLETED;
	m->first_day = m->count && m->first_day < s->start_day ? m->first_day
							       : s->start_day;
	m->last_day =
	    m->count && m->last_day > s->start_day ? m->last_day : s->start_day;
	m->count++;
	if (ago < 0)
		m->later++;
	if (ago >= 0 && ago < STATS_DAYS) {
		m->day[ago]++;
		m->day_done[ago] += done;
	}
	m->result[s->result]++;
	m->redflags += ended_on_redflags(s);
	m->seconds += s->seconds;
	m->seconds_done += done ? s->seconds : 0;
	m->skip_sessions += s->skipped != 0;
	for (int i = 0; i < ROUTINE_EXERCISES_MAX; i++)
		if (s->skipped & (1u << i)) {
			m->skipped[i]++;
			m->skips++;
		}
	if (s->result == LOGGED_STOPPED || s->result == LOGGED_ABANDONED)
		return add_place(m, s);
	return 0;
}

static void heading(FILE *out, const struct summary *m, const char *path)
{
	char a[32], b[32];
	fprintf(out, "Session record: %s\n%zu session%s, from %s to %s.\n",
		path, m->count, m->count == 1 ? "" : "s",
		day_name(m->first_day, a, sizeof a),
		day_name(m->last_day, b, sizeof b));
}

static void per_day(FILE *out, const struct summary *m)
{
	int most = 0, total = 0, total_done = 0;
	for (int ago = 0; ago < STATS_DAYS; ago++) {
		total += m->day[ago];
		total_done += m->day_done[ago];
		most = m->day[ago] > most ? m->day[ago] : most;
	}
	fprintf(out, "\nThe last %d days      sessions  completed\n",
		STATS_DAYS);
	for (int ago = STATS_DAYS - 1; ago >= 0; ago--) {
		char name[32];
		int n = m->day[ago];
		int bar =
		    most > BAR_MAX ? (int)((long long)n * BAR_MAX / most) : n;
		fprintf(out, "  %s %-5s %6d %10d%s",
			day_name(m->today - ago, name, sizeof name),
			ago ? "" : "today", n, m->day_done[ago],
			bar ? "  " : "");
		for (int i = 0; i < bar; i++)
			fputc('#', out);
		fputc('\n', out);
	}
	fprintf(out, "  %d sessions in %d days, %d completed.\n", total,
		STATS_DAYS, total_done);
	if (m->later)
		fprintf(out,
			"  %d session%s dated after today: the kiosk's clock "
			"was wrong then\n"
			"  (a Raspberry Pi keeps no time without the network "
			"or a clock module).\n",
			m->later, m->later == 1 ? " is" : "s are");
}

static void results(FILE *out, const struct summary *m)
{
	static const char *const why[LOGGED_COUNT] = {
	    [LOGGED_COMPLETED] = "went to the end",
	    [LOGGED_STOPPED] = "held the button to stop",
	    [LOGGED_ABANDONED] = "walked away (timed out)",
	    [LOGGED_SHUTDOWN] = "the kiosk was stopped or restarted",
	};
	const int *n = m->result;
	int all = (int)m->count;
	fprintf(out, "\nHow sessions ended (all %d)\n", all);
	for (int r = 0; r < LOGGED_COUNT; r++)
		fprintf(out, "  %-10s %6d %4d%%  %s\n",
			sessionlog_result_name((enum logged_result)r), n[r],
			percent(n[r], all), why[r]);
	fprintf(out, "Completion rate: %d%% (%d of %d)",
		percent(n[LOGGED_COMPLETED], all), n[LOGGED_COMPLETED], all);
	if (n[LOGGED_SHUTDOWN])
		fprintf(out,
			"; %d%% leaving out the %d cut short by a shutdown",
			percent(n[LOGGED_COMPLETED], all - n[LOGGED_SHUTDOWN]),
			n[LOGGED_SHUTDOWN]);
	fprintf(out, ".\n");
	fprintf(out,
		"Ended on the red-flag screen: %d (%d%%), people who perhaps "
		"should not start.\n",
		m->redflags, percent(m->redflags, all));
}

static void lengths(FILE *out, const struct summary *m)
{
	long long all = (long long)m->count;
	long long n_done = m->result[LOGGED_COMPLETED];
	fprintf(out, "\nAverage length: ");
	print_length(out, (long)((m->seconds + all / 2) / all));
	if (n_done) {
		fprintf(out, "; completed sessions ");
		print_length(out,
			     (long)((m->seconds_done + n_done / 2) / n_done));
	}
	fprintf(out, ".\n");
}

static int by_exercise(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void where_people_stop(FILE *out, struct summary *m)
{
	/* Each place's name is its key in the map, after "INDEX\t". */
	for (size_t i = 0; i < m->place_of.cap; i++) {
		const struct strmap_slot *s = &m->place_of.slot[i];
		if (s->key)
			m->place[s->value].name = strchr(s->key, '\t') + 1;
	}
	if (m->places)
		qsort(m->place, m->places, sizeof *m->place, by_exercise);
	fprintf(out, "\nWhere people stop\n");
	if (!m->places)
		fprintf(out, "  Nobody stopped or walked away.\n");
	else
		fprintf(out, "  stopped  abandoned  exercise reached\n");
	for (size_t k = 0; k < m->places; k++) {
		const struct place *p = &m->place[k];
		fprintf(out, "  %7d %10d  ", p->stopped, p->abandoned);
		if (p->index == 0)
			fprintf(out, "%s\n",
				p->redflags ? "on the red-flag screen"
					    : "before the first exercise");
		else
			fprintf(out, "%d. %s\n", p->index, p->name);
	}
	if (m->other_stopped || m->other_abandoned)
		fprintf(out,
			"  %7d %10d  other exercises (more than %d names)\n",
			m->other_stopped, m->other_abandoned, STATS_PLACES_MAX);
}

/* Only when anyone skipped: a record from before skipping existed reads
 * as it always did. */
static void skipped(FILE *out, const struct summary *m)
{
	if (!m->skips)
		return;
	fprintf(out,
		"\nSkipped exercises (two quick presses): %d, in %d of %zu "
		"sessions\n  skipped  exercise number\n",
		m->skips, m->skip_sessions, m->count);
	for (int i = 0; i < ROUTINE_EXERCISES_MAX; i++)
		if (m->skipped[i])
			fprintf(out, "  %7d  %d\n", m->skipped[i], i + 1);
}

static void report(FILE *out, struct summary *m, const struct session_scan *sc,
		   const char *path)
{
	if (m->count == 0) {
		fprintf(out, "No sessions recorded yet in %s.\n", path);
	} else {
		heading(out, m, path);
		per_day(out, m);
		results(out, m);
		lengths(out, m);
		where_people_stop(out, m);
		skipped(out, m);
	}
	if (sc->damaged)
		fprintf(out,
			"\n%d damaged line%s skipped (the first is line %d).\n",
			sc->damaged, sc->damaged == 1 ? " was" : "s were",
			sc->first_damaged);
}

int stats_print(FILE *out, FILE *err, const char *dir, time_t now)
{
	char path[PATH_MAX];
	if (sessionlog_path(dir, path, sizeof path) < 0) {
		fprintf(err, "kiosk: --stats: folder name too long: %s\n", dir);
		return 1;
	}
	return stats_print_file(out, err, path, now);
}

int stats_print_file(FILE *out, FILE *err, const char *path, time_t now)
{
	struct summary m = {.today = today_of(now)};
	struct session_scan sc;
	int status = 1;
	if (sessionlog_scan(path, add_session, &m, &sc) == 0) {
		report(out, &m, &sc, path);
		status = 0;
	} else if (errno == ENOENT) {
		fprintf(out, "No sessions recorded yet: %s does not exist.\n",
			path);
		status = 0;
	} else {
		fprintf(err, "kiosk: --stats: %s: %s%s\n", path, sc.why,
			errno == EACCES ? " (try: sudo kiosk --stats)" : "");
	}
	free(m.place);
	strmap_free(&m.place_of);
	return status;
}
