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

static void heading(FILE *out, const struct session_history *h,
		    const char *path)
{
	int first = INT_MAX, last = INT_MIN;
	char a[32], b[32];
	for (size_t i = 0; i < h->count; i++) {
		int d = h->session[i].start_day;
		first = d < first ? d : first;
		last = d > last ? d : last;
	}
	fprintf(out, "Session record: %s\n%zu session%s, from %s to %s.\n",
		path, h->count, h->count == 1 ? "" : "s",
		day_name(first, a, sizeof a), day_name(last, b, sizeof b));
}

static void per_day(FILE *out, const struct session_history *h, int today)
{
	int n[STATS_DAYS] = {0}, done[STATS_DAYS] = {0}, most = 0, later = 0;
	int total = 0, total_done = 0;
	for (size_t i = 0; i < h->count; i++) {
		const struct logged_session *s = &h->session[i];
		int ago = today - s->start_day;
		if (ago < 0)
			later++;
		if (ago < 0 || ago >= STATS_DAYS)
			continue;
		n[ago]++, total++;
		done[ago] += s->result == LOGGED_COMPLETED;
		total_done += s->result == LOGGED_COMPLETED;
		most = n[ago] > most ? n[ago] : most;
	}
	fprintf(out, "\nThe last %d days      sessions  completed\n",
		STATS_DAYS);
	for (int ago = STATS_DAYS - 1; ago >= 0; ago--) {
		char name[32];
		int bar = most > BAR_MAX ? n[ago] * BAR_MAX / most : n[ago];
		fprintf(out, "  %s %-5s %6d %10d%s",
			day_name(today - ago, name, sizeof name),
			ago ? "" : "today", n[ago], done[ago], bar ? "  " : "");
		for (int i = 0; i < bar; i++)
			fputc('#', out);
		fputc('\n', out);
	}
	fprintf(out, "  %d sessions in %d days, %d completed.\n", total,
		STATS_DAYS, total_done);
	if (later)
		fprintf(out,
			"  %d session%s dated after today: the kiosk's clock "
			"was wrong then\n"
			"  (a Raspberry Pi keeps no time without the network "
			"or a clock module).\n",
			later, later == 1 ? " is" : "s are");
}

static bool ended_on_redflags(const struct logged_session *s)
{
	return s->index == 0 && !strcmp(s->exercise, SESSIONLOG_REDFLAGS);
}

static void results(FILE *out, const struct session_history *h)
{
	static const char *const why[LOGGED_COUNT] = {
	    [LOGGED_COMPLETED] = "went to the end",
	    [LOGGED_STOPPED] = "held the button to stop",
	    [LOGGED_ABANDONED] = "walked away (timed out)",
	    [LOGGED_SHUTDOWN] = "the kiosk was stopped or restarted",
	};
	int n[LOGGED_COUNT] = {0}, all = (int)h->count;
	for (size_t i = 0; i < h->count; i++)
		n[h->session[i].result]++;
	fprintf(out, "\nHow sessions ended (all %d)\n", all);
	for (int r = 0; r < LOGGED_COUNT; r++)
		fprintf(out, "  %-10s %6d %4d%%  %s\n",
			logged_result_name((enum logged_result)r), n[r],
			percent(n[r], all), why[r]);
	fprintf(out, "Completion rate: %d%% (%d of %d)",
		percent(n[LOGGED_COMPLETED], all), n[LOGGED_COMPLETED], all);
	if (n[LOGGED_SHUTDOWN])
		fprintf(out,
			"; %d%% leaving out the %d cut short by a shutdown",
			percent(n[LOGGED_COMPLETED], all - n[LOGGED_SHUTDOWN]),
			n[LOGGED_SHUTDOWN]);
	fprintf(out, ".\n");
	int flags = 0;
	for (size_t i = 0; i < h->count; i++)
		flags += ended_on_redflags(&h->session[i]);
	fprintf(out,
		"Ended on the red-flag screen: %d (%d%%), people who perhaps "
		"should not start.\n",
		flags, percent(flags, all));
}

static void lengths(FILE *out, const struct session_history *h)
{
	long all = 0, done = 0;
	int n_done = 0;
	for (size_t i = 0; i < h->count; i++) {
		const struct logged_session *s = &h->session[i];
		all += s->seconds;
		if (s->result == LOGGED_COMPLETED)
			done += s->seconds, n_done++;
	}
	fprintf(out, "\nAverage length: ");
	print_length(out, (all + (long)h->count / 2) / (long)h->count);
	if (n_done) {
		fprintf(out, "; completed sessions ");
		print_length(out, (done + n_done / 2) / n_done);
	}
	fprintf(out, ".\n");
}

struct place {
	int index;
	const char *name;
	int stopped, abandoned;
};

static int by_exercise(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Stopped and abandoned sessions by the exercise reached: index and name
 * together, since the routine may have changed over the record. */
static void where_people_stop(FILE *out, const struct session_history *h)
{
	struct place *p = calloc(h->count, sizeof *p);
	size_t n = 0;
	if (!p)
		return;
	for (size_t i = 0; i < h->count; i++) {
		const struct logged_session *s = &h->session[i];
		if (s->result != LOGGED_STOPPED &&
		    s->result != LOGGED_ABANDONED)
			continue;
		size_t k = 0;
		while (k < n && (p[k].index != s->index ||
				 strcmp(p[k].name, s->exercise)))
			k++;
		if (k == n)
			p[n++] = (struct place){s->index, s->exercise, 0, 0};
		p[k].stopped += s->result == LOGGED_STOPPED;
		p[k].abandoned += s->result == LOGGED_ABANDONED;
	}
	qsort(p, n, sizeof *p, by_exercise);
	fprintf(out, "\nWhere people stop\n");
	if (!n)
		fprintf(out, "  Nobody stopped or walked away.\n");
	else
		fprintf(out, "  stopped  abandoned  exercise reached\n");
	for (size_t k = 0; k < n; k++) {
		fprintf(out, "  %7d %10d  ", p[k].stopped, p[k].abandoned);
		if (p[k].index == 0)
			fprintf(out, "%s\n",
				strcmp(p[k].name, SESSIONLOG_REDFLAGS)
				    ? "before the first exercise"
				    : "on the red-flag screen");
		else
			fprintf(out, "%d. %s\n", p[k].index, p[k].name);
	}
	free(p);
}

void stats_report(FILE *out, const struct session_history *h, const char *path,
		  time_t now)
{
	if (h->count == 0) {
		fprintf(out, "No sessions recorded yet in %s.\n", path);
	} else {
		heading(out, h, path);
		per_day(out, h, today_of(now));
		results(out, h);
		lengths(out, h);
		where_people_stop(out, h);
	}
	if (h->damaged)
		fprintf(out,
			"\n%d damaged line%s skipped (the first is line %d).\n",
			h->damaged, h->damaged == 1 ? " was" : "s were",
			h->first_damaged);
}

int stats_print(FILE *out, FILE *err, const char *dir, time_t now)
{
	char path[PATH_MAX];
	struct session_history h;
	if (sessionlog_path(dir, path, sizeof path) < 0) {
		fprintf(err, "kiosk: --stats: folder name too long: %s\n", dir);
		return 1;
	}
	if (sessionlog_read(path, &h) < 0) {
		if (errno == ENOENT) {
			fprintf(out,
				"No sessions recorded yet: %s does not "
				"exist.\n",
				path);
			return 0;
		}
		fprintf(err, "kiosk: --stats: cannot read %s: %s%s\n", path,
			strerror(errno),
			errno == EACCES ? " (try: sudo kiosk --stats)" : "");
		return 1;
	}
	stats_report(out, &h, path, now);
	session_history_free(&h);
	return 0;
}
