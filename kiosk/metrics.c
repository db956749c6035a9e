/*
 * metrics.c - the counts, their exposition text, and the file written for
 * node_exporter's textfile collector.
 *
 * node_exporter reads every *.prom file in its folder at each scrape, so
 * the file is written whole under another name (not ending in .prom) and
 * renamed over the old one: a scrape sees the old file or the new, never
 * half of one.
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

const int metrics_bucket_seconds[METRICS_BUCKETS] = {
    60, 120, 300, 600, 900, 1200, 1500, 1800, 2700};

static const char *const part_names[PART_COUNT] = {
    [PART_SOUND] = "sound",
    [PART_DISPLAY] = "display",
    [PART_BUTTON] = "button",
    [PART_MAT] = "mat",
};

const char *metrics_part_name(enum metrics_part p)
{
	return p >= 0 && p < PART_COUNT ? part_names[p] : "?";
}

/* ---- the counts ---- */

void metrics_counts_init(struct metrics_counts *c, double start_time,
			 const char *version)
{
	memset(c, 0, sizeof *c);
	for (int p = 0; p < PART_COUNT; p++)
		c->health[p] = HEALTH_UNUSED;
	c->start_time = start_time;
	c->version = version;
}

/* The slot counting `name`: found, or taken; past the last named slot,
 * the one for every other name. */
static struct metrics_exercise *exercise_slot(struct metrics_counts *c,
					      const char *name)
{
	char field[ROUTINE_NAME_BYTES];
	text_name_field(field, name);
	for (int i = 0; i < c->exercises; i++)
		if (!strcmp(c->exercise[i].name, field))
			return &c->exercise[i];
	struct metrics_exercise *e = &c->exercise[c->exercises];
	if (c->exercises == METRICS_EXERCISES_MAX) {
		snprintf(e->name, sizeof e->name, "%s", METRICS_OTHER);
		return e;
	}
	c->exercises++;
	memcpy(e->name, field, sizeof field);
	return e;
}

void metrics_count_session(struct metrics_counts *c,
			   const struct logged_session *s)
{
	if (s->result >= 0 && s->result < LOGGED_COUNT)
		c->sessions[s->result]++;
	int b = 0;
	while (b < METRICS_BUCKETS && s->seconds > metrics_bucket_seconds[b])
		b++;
	if (b < METRICS_BUCKETS)
		c->bucket[b]++;
	c->length_count++;
	c->length_sum += s->seconds;
	double end = (double)s->start + s->seconds;
	if (end > c->last_session)
		c->last_session = end;
	if (s->index > 0 || s->exercise[0])
		exercise_slot(c, s->exercise)->reached++;
}

void metrics_count_skip(struct metrics_counts *c, const char *exercise)
{
	exercise_slot(c, exercise)->skipped++;
}

/* ---- the text ---- */

size_t metrics_escape(char *out, size_t size, const char *value)
{
	size_t n = 0;
	for (const char *p = value; *p; p++) {
		const char *put = *p == '\\'   ? "\\\\"
				  : *p == '"'  ? "\\\""
				  : *p == '\n' ? "\\n"
					       : NULL;
		char one[2] = {*p, '\0'};
		for (const char *q = put ? put : one; *q; q++, n++)
			if (n + 1 < size)
				out[n] = *q;
	}
	if (size)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

/* The text being built: appended to while it fits, its length counted
 * on regardless (so the caller learns the size needed). */
struct text {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = t->len < t->size ? t->size - t->len : 0;
	int n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

static void head(struct text *t, const char *name, const char *type,
		 const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One label value, escaped, straight into the text. */
static void put_label(struct text *t, const char *value)
{
	size_t room = t->len < t->size ? t->size - t->len : 0;
	t->len += metrics_escape(room ? t->buf + t->len : NULL, room, value);
}

static void sessions(struct text *t, const struct metrics_counts *c)
{
	head(t, "kiosk_sessions_total", "counter",
	     "Sessions by how they ended (shutdown: the kiosk was stopped "
	     "during one).");
	for (int r = 0; r < LOGGED_COUNT; r++)
		put(t, "kiosk_sessions_total{result=\"%s\"} %" PRIu64 "\n",
		    sessionlog_result_name((enum logged_result)r),
		    c->sessions[r]);
}

static void exercises(struct text *t, const struct metrics_counts *c)
{
	int slots = c->exercises + (c->exercise[c->exercises].name[0] != 0);
	head(t, "kiosk_exercise_reached_total", "counter",
	     "Sessions that ended at this exercise, the furthest they "
	     "reached.");
	for (int i = 0; i < slots; i++) {
		put(t, "kiosk_exercise_reached_total{exercise=\"");
		put_label(t, c->exercise[i].name);
		put(t, "\"} %" PRIu64 "\n", c->exercise[i].reached);
	}
	head(t, "kiosk_exercise_skipped_total", "counter",
	     "Times this exercise was skipped.");
	for (int i = 0; i < slots; i++) {
		put(t, "kiosk_exercise_skipped_total{exercise=\"");
		put_label(t, c->exercise[i].name);
		put(t, "\"} %" PRIu64 "\n", c->exercise[i].skipped);
	}
}

static void lengths(struct text *t, const struct metrics_counts *c)
{
	const char *name = "kiosk_session_length_seconds";
	head(t, name, "histogram", "How long sessions lasted.");
	uint64_t below = 0;
	for (int b = 0; b < METRICS_BUCKETS; b++) {
		below += c->bucket[b];
		put(t, "%s_bucket{le=\"%d\"} %" PRIu64 "\n", name,
		    metrics_bucket_seconds[b], below);
	}
	put(t, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, c->length_count);
	put(t, "%s_sum %.0f\n%s_count %" PRIu64 "\n", name, c->length_sum,
	    name, c->length_count);
	head(t, "kiosk_last_session_timestamp_seconds", "gauge",
	     "When the last session ended, Unix time; 0: none yet.");
	put(t, "kiosk_last_session_timestamp_seconds %.0f\n", c->last_session);
}

static void health(struct text *t, const struct metrics_counts *c)
{
	head(t, "kiosk_part_healthy", "gauge",
	     "1 when this part works, 0 when it is missing or failed; no "
	     "series for a part not in use.");
	for (int p = 0; p < PART_COUNT; p++)
		if (c->health[p] != HEALTH_UNUSED)
			put(t, "kiosk_part_healthy{part=\"%s\"} %d\n",
			    part_names[p], c->health[p] == HEALTH_GOOD);
}

static void routine(struct text *t, const struct metrics_counts *c)
{
	head(t, "kiosk_routine_file_broken", "gauge",
	     "1 when the routine file has errors and is not in use.");
	put(t, "kiosk_routine_file_broken %d\n", c->routine_broken);
	head(t, "kiosk_routine_file_broken_since_timestamp_seconds", "gauge",
	     "Since when the routine file has had errors, Unix time; 0: it "
	     "has none.");
	put(t, "kiosk_routine_file_broken_since_timestamp_seconds %.0f\n",
	    c->routine_broken ? c->routine_broken_since : 0);
	head(t, "kiosk_routine_info", "gauge",
	     "The routine in use: its name and the file it came from.");
	put(t, "kiosk_routine_info{routine=\"");
	put_label(t, c->routine);
	put(t, "\",file=\"");
	put_label(t, c->routine_file);
	put(t, "\"} 1\n");
	head(t, "kiosk_routine_exercises", "gauge",
	     "Exercises in the routine in use.");
	put(t, "kiosk_routine_exercises %d\n", c->routine_exercises);
}

static void process(struct text *t, const struct metrics_counts *c)
{
	head(t, "kiosk_build_info", "gauge", "The kiosk's version.");
	put(t, "kiosk_build_info{version=\"");
	put_label(t, c->version ? c->version : "");
	put(t, "\"} 1\n");
	head(t, "kiosk_start_time_seconds", "gauge",
	     "When the kiosk started, Unix time.");
	put(t, "kiosk_start_time_seconds %.0f\n", c->start_time);
}

size_t metrics_format(const struct metrics_counts *c, char *buf, size_t size)
{
	struct text t = {.buf = buf, .size = size};
	if (size)
		buf[0] = '\0';
	sessions(&t, c);
	exercises(&t, c);
	lengths(&t, c);
	health(&t, c);
	routine(&t, c);
	process(&t, c);
	return t.len;
}

/* ---- the writer ---- */

struct metrics {
	struct metrics_counts counts;
	char path[4096], tmp[4096];
	bool dirty;
	int failing; /* errno of the failure logged last; 0: writing works */
	char text[METRICS_TEXT_MAX];
};

/* Prometheus wants points in time as Unix time: the start, and since
 * when the routine file is broken. The one wall clock read here. */
static double wall_now(void)
{
	return (double)time(NULL);
}

struct metrics *metrics_open(const char *dir)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	metrics_counts_init(&m->counts, wall_now(), KIOSK_VERSION);
	snprintf(m->path, sizeof m->path, "%s/%s", dir, METRICS_FILE);
	/* Not *.prom: node_exporter must not read it half written. */
	snprintf(m->tmp, sizeof m->tmp, "%s/.%s.tmp", dir, METRICS_FILE);
	m->dirty = true;
	return m;
}

void metrics_close(struct metrics *m)
{
	if (!m)
		return;
	metrics_flush(m);
	free(m);
}

static int seed_one(const struct logged_session *s, void *ctx)
{
	metrics_count_session(ctx, s);
	return 0;
}

void metrics_seed(struct metrics *m, const char *path)
{
	struct session_scan sc;
	if (!m || !path)
		return;
	if (sessionlog_scan(path, seed_one, &m->counts, &sc) < 0 &&
	    errno != ENOENT)
		log_msg("metrics: %s: %s; the counters start at 0", path,
			sc.why);
	m->dirty = true;
}

void metrics_session(struct metrics *m, const struct logged_session *s)
{
	if (!m)
		return;
	metrics_count_session(&m->counts, s);
	m->dirty = true;
}

void metrics_skipped(struct metrics *m, const char *exercise)
{
	if (!m)
		return;
	metrics_count_skip(&m->counts, exercise);
	m->dirty = true;
}

void metrics_health(struct metrics *m, enum metrics_part p, bool good)
{
	if (!m || p < 0 || p >= PART_COUNT)
		return;
	enum metrics_health h = good ? HEALTH_GOOD : HEALTH_BAD;
	m->dirty |= m->counts.health[p] != h;
	m->counts.health[p] = h;
}

void metrics_routine(struct metrics *m, const char *name, const char *file,
		     int exercises)
{
	if (!m)
		return;
	struct metrics_counts *c = &m->counts;
	text_copy(c->routine, sizeof c->routine, name);
	text_copy(c->routine_file, sizeof c->routine_file, file);
	c->routine_exercises = exercises;
	m->dirty = true;
}

void metrics_routine_broken(struct metrics *m, bool broken)
{
	if (!m || m->counts.routine_broken == broken)
		return;
	m->counts.routine_broken = broken;
	m->counts.routine_broken_since = broken ? wall_now() : 0;
	m->dirty = true;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The text into the temporary file, synced, renamed over the file.
 * Readable by all: node_exporter runs as its own user, and the kiosk's
 * unit sets a umask of 0077. */
static int write_file(struct metrics *m, size_t len)
{
	int fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				  O_NOFOLLOW | O_NONBLOCK,
		      0644);
	if (fd < 0)
		return -1;
	int rc = fchmod(fd, 0644);
	if (rc == 0)
		rc = write_all(fd, m->text, len);
	if (rc == 0)
		rc = fdatasync(fd);
	int saved = errno;
	if (close(fd) < 0 && rc == 0)
		rc = -1, saved = errno;
	if (rc == 0 && rename(m->tmp, m->path) < 0)
		rc = -1, saved = errno;
	if (rc < 0)
		unlink(m->tmp);
	errno = saved;
	return rc;
}

int metrics_write(struct metrics *m)
{
	if (!m)
		return 0;
	size_t len = metrics_format(&m->counts, m->text, sizeof m->text);
	int rc = -1;
	if (len >= sizeof m->text)
		errno = EOVERFLOW; /* cannot happen: the size is for the most */
	else
		rc = write_file(m, len);
	int err = errno;
	m->dirty = false;
	if (rc < 0 && err != m->failing)
		log_msg("metrics: cannot write %s: %s; the counts are kept "
			"and written at the next change",
			m->path, strerror(err));
	else if (rc == 0 && m->failing)
		log_msg("metrics: %s written again", m->path);
	m->failing = rc < 0 ? err : 0;
	errno = err;
	return rc;
}

void metrics_flush(struct metrics *m)
{
	if (m && m->dirty)
		metrics_write(m);
}

const struct metrics_counts *metrics_counts(const struct metrics *m)
{
	return m ? &m->counts : NULL;
}
