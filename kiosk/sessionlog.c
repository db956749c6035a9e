/*
 * sessionlog.c - appending sessions to a text file that survives power
 * cuts and full disks, and reading it back.
 *
 * Why one write() per line under O_APPEND: the kernel moves to the end
 * and writes in one step, so even two writers (an old kiosk still
 * stopping while systemd starts the next, or someone's `echo >>`) never
 * interleave inside a line; on Linux a regular file's write is done under
 * the inode lock. Lines stay far below PIPE_BUF (4096), the size POSIX
 * promises atomic for pipes, so nothing here leans on more than that. A
 * crash can then only tear the last line, and the next append seals a
 * torn line with a newline first so it damages nothing but itself.
 *
 * Why fdatasync: a kiosk is switched off at the wall. A session ends every
 * few minutes at most, so one flush each costs the SD card nothing, and
 * it comes when the session is over, not in the middle of a count.
 */
#include "sessionlog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "text.h"

#define LINE_BYTES 512 /* a line is at most about 390 bytes */

static const char header[] = "# kiosk sessions: start\tseconds\tresult\t"
			     "exercise\tname\troutine\n";

_Static_assert(sizeof header + 1 + LINE_BYTES <= PIPE_BUF,
	       "one append must stay within PIPE_BUF");

static const char *const result_names[LOGGED_COUNT] = {
    [LOGGED_COMPLETED] = "completed",
    [LOGGED_STOPPED] = "stopped",
    [LOGGED_ABANDONED] = "abandoned",
    [LOGGED_SHUTDOWN] = "shutdown",
};

struct sessionlog {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	size_t max_bytes;
	/* Lines not yet on disk, oldest at `head`. */
	char pending[SESSIONLOG_PENDING_MAX][LINE_BYTES];
	int head, count;
	int dropped;	    /* in all */
	int dropped_before; /* when writing last started failing */
	bool failing;	    /* logged; quiet until it works again */
	bool begun;
	time_t begin_wall;
	kt_ms begin_now;
};

const char *sessionlog_result_name(enum logged_result r)
{
	return r >= 0 && r < LOGGED_COUNT ? result_names[r] : "?";
}

enum logged_result sessionlog_result_of(enum session_result r, bool quit)
{
	if (quit)
		return LOGGED_SHUTDOWN;
	return r == RESULT_COMPLETED ? LOGGED_COMPLETED
	       : r == RESULT_STOPPED ? LOGGED_STOPPED
				     : LOGGED_ABANDONED;
}

int sessionlog_path(const char *dir, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/" SESSIONLOG_FILE, dir);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- days and times ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): no time zone and no libc involved. */
static int days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* ---- writing ---- */

/* "\t2,5" for exercises 2 and 5 skipped; "" (no field) for none, so a
 * session without skips is the line older kiosks wrote and read. */
static void skipped_field(unsigned mask, char *out, size_t size)
{
	size_t n = 0;
	for (int i = 0; i < ROUTINE_EXERCISES_MAX && n < size; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(out + n, size - n, "%c%d",
					      n ? ',' : '\t', i + 1);
}

static int format_line(const struct logged_session *s, char *out, size_t size)
{
	struct tm tm;
	char when[32], exercise[ROUTINE_NAME_BYTES],
	    routine[ROUTINE_NAME_BYTES];
	if (!localtime_r(&s->start, &tm) ||
	    !strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm))
		return -1;
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	off = off < 0 ? -off : off;
	text_name_field(exercise, s->exercise);
	text_name_field(routine, s->routine);
	char skipped[4 * ROUTINE_EXERCISES_MAX] = "";
	skipped_field(s->skipped, skipped, sizeof skipped);
	int n = snprintf(
	    out, size, "%s%c%02ld:%02ld\t%d\t%s\t%d\t%s\t%s%s\n", when, sign,
	    off / 3600, off / 60 % 60,
	    s->seconds < 0			  ? 0
	    : s->seconds > SESSIONLOG_SECONDS_MAX ? SESSIONLOG_SECONDS_MAX
						  : s->seconds,
	    sessionlog_result_name(s->result), s->index < 0 ? 0 : s->index,
	    exercise, routine, skipped);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* What goes before a line: the header in a new file, and a newline after
 * a torn last line. Only a regular file has an end to look at. */
static size_t prefix(int fd, off_t size, char *out)
{
	char last;
	if (size == 0) {
		memcpy(out, header, sizeof header - 1);
		return sizeof header - 1;
	}
	if (pread(fd, &last, 1, size - 1) == 1 && last != '\n') {
		out[0] = '\n';
		return 1;
	}
	return 0;
}

/* Append the pending lines, oldest first, one write() each; stop at the
 * first failure (errno set). *size is the file's size after. */
static int append_pending(struct sessionlog *l, int fd, bool regular,
			  off_t *size)
{
	while (l->count > 0) {
		char buf[sizeof header + 1 + LINE_BYTES];
		const char *line = l->pending[l->head];
		size_t len = regular ? prefix(fd, *size, buf) : 0;
		size_t line_len = strlen(line);
		memcpy(buf + len, line, line_len);
		len += line_len;
		ssize_t w = write(fd, buf, len);
		if (w == (ssize_t)len) {
			*size += w;
			l->head = (l->head + 1) % SESSIONLOG_PENDING_MAX;
			l->count--;
			continue;
		}
		/* A short write is a full disk: take the piece back so the
		 * file ends on a whole line (if that fails too, the next
		 * append seals it). */
		if (w >= 0) {
			if (regular && ftruncate(fd, *size) < 0)
				*size += w;
			errno = ENOSPC;
		}
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, len -= (size_t)w;
	}
	return 0;
}

/* The newest part of `size` bytes into a new file: the header, then whole
 * lines only. */
static int copy_tail(const char *path, const char *tmp, off_t size, size_t keep)
{
	int rc = -1, in = -1, out = -1;
	char *buf = malloc(keep);
	if (!buf)
		return -1;
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		goto done;
	size_t got = 0;
	while (got < keep) {
		ssize_t r = pread(in, buf + got, keep - got,
				  size - (off_t)keep + (off_t)got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	char *start = memchr(buf, '\n', got);
	start = start ? start + 1 : buf + got;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0 || write_all(out, header, sizeof header - 1) < 0 ||
	    write_all(out, start, (size_t)(buf + got - start)) < 0 ||
	    fdatasync(out) < 0)
		goto done;
	rc = 0;
done:
	if (out >= 0 && close(out) < 0)
		rc = -1;
	if (in >= 0)
		close(in);
	free(buf);
	return rc;
}

/* Past the limit: keep the newest half, swapped in by rename() so a
 * reader or a power cut sees the old file or the new, never half. */
static void rotate(struct sessionlog *l, off_t size)
{
	size_t keep = l->max_bytes / 2;
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", l->path);
	if (copy_tail(l->path, tmp, size, keep) < 0 ||
	    rename(tmp, l->path) < 0) {
		log_msg("sessions: cannot shorten %s: %s", l->path,
			strerror(errno));
		unlink(tmp);
		return;
	}
	int dir = open(l->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir); /* the rename itself, on disk */
		close(dir);
	}
	log_msg("sessions: %s passed %zu KiB; kept the newest %zu KiB", l->path,
		l->max_bytes / 1024, keep / 1024);
}

/* Everything pending onto disk. 0, or -1 with errno. */
static int flush(struct sessionlog *l)
{
	/* O_NONBLOCK: a FIFO in its place takes what fits and never stalls
	 * the kiosk; the rest stays pending. */
	int fd = open(l->path,
		      O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY |
			  O_CLOEXEC,
		      0640);
	if (fd < 0)
		return -1;
	struct stat st;
	int rc = fstat(fd, &st);
	bool regular = rc == 0 && S_ISREG(st.st_mode);
	off_t size = regular ? st.st_size : 0;
	if (rc == 0)
		rc = append_pending(l, fd, regular, &size);
	if (rc == 0 && regular)
		rc = fdatasync(fd);
	int saved = errno;
	close(fd);
	if (rc == 0 && regular && (size_t)size > l->max_bytes)
		rotate(l, size);
	errno = saved;
	return rc;
}

static void keep_line(struct sessionlog *l, const char *line)
{
	if (l->count == SESSIONLOG_PENDING_MAX) {
		l->head = (l->head + 1) % SESSIONLOG_PENDING_MAX;
		l->count--;
		l->dropped++;
	}
	int tail = (l->head + l->count) % SESSIONLOG_PENDING_MAX;
	snprintf(l->pending[tail], LINE_BYTES, "%s", line);
	l->count++;
}

/* One line when writing starts failing, one when it works again. */
static int try_flush(struct sessionlog *l)
{
	if (flush(l) == 0) {
		int lost = l->dropped - l->dropped_before;
		if (l->failing && lost)
			log_msg("sessions: writing %s again; %d session%s "
				"lost meanwhile",
				l->path, lost, lost == 1 ? " was" : "s were");
		else if (l->failing)
			log_msg("sessions: writing %s again; nothing lost",
				l->path);
		l->failing = false;
		return 0;
	}
	int saved = errno;
	if (!l->failing) {
		log_msg("sessions: cannot write %s: %s; keeping up to %d "
			"sessions in memory and trying again after each one",
			l->path, strerror(errno), SESSIONLOG_PENDING_MAX);
		l->dropped_before = l->dropped;
	}
	l->failing = true;
	errno = saved;
	return -1;
}

struct sessionlog *sessionlog_open(const char *dir, size_t max_bytes)
{
	struct sessionlog *l = calloc(1, sizeof *l);
	if (!l) {
		log_msg("sessions: %s; sessions are not kept", strerror(errno));
		return NULL;
	}
	l->max_bytes = max_bytes ? max_bytes : SESSIONLOG_MAX_BYTES;
	snprintf(l->dir, sizeof l->dir, "%s", dir);
	if (sessionlog_path(dir, l->path, sizeof l->path) < 0) {
		log_msg("sessions: folder name too long: %s", dir);
		l->failing = true;
		return l;
	}
	/* Said now rather than at the end of the first session. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_msg("sessions: cannot make %s: %s; sessions are kept in "
			"memory until it can be written",
			dir, strerror(errno));
		l->failing = true;
	} else if (access(dir, W_OK) < 0) {
		log_msg("sessions: cannot write in %s: %s; sessions are kept "
			"in memory until it can be written",
			dir, strerror(errno));
		l->failing = true;
	}
	return l;
}

void sessionlog_close(struct sessionlog *l)
{
	if (!l)
		return;
	if (l->count > 0 && try_flush(l) < 0)
		log_msg("sessions: %d session%s could not be written to %s "
			"and %s lost",
			l->count, l->count == 1 ? "" : "s", l->path,
			l->count == 1 ? "is" : "are");
	free(l);
}

int sessionlog_add(struct sessionlog *l, const struct logged_session *s)
{
	char line[LINE_BYTES];
	if (!l)
		return -1;
	if (format_line(s, line, sizeof line) < 0) {
		log_msg("sessions: cannot format the session (a bug)");
		return -1;
	}
	keep_line(l, line);
	return try_flush(l);
}

int sessionlog_pending(const struct sessionlog *l)
{
	return l ? l->count : 0;
}

int sessionlog_dropped(const struct sessionlog *l)
{
	return l ? l->dropped : 0;
}

void sessionlog_begin(struct sessionlog *l, time_t wall, kt_ms now)
{
	if (!l)
		return;
	l->begun = true;
	l->begin_wall = wall;
	l->begin_now = now;
}

int sessionlog_end(struct sessionlog *l, kt_ms now, enum session_result r,
		   bool quit, int index, const char *exercise,
		   const char *routine, unsigned skipped)
{
	if (!l)
		return -1;
	if (!l->begun) {
		log_msg("sessions: a session ended that never began (a bug)");
		return -1;
	}
	l->begun = false;
	struct logged_session s = {
	    .start = l->begin_wall,
	    .seconds = (int)((now - l->begin_now + 500) / 1000),
	    .result = sessionlog_result_of(r, quit),
	    .index = index,
	    .skipped = skipped,
	};
	text_name_field(s.exercise, exercise);
	text_name_field(s.routine, routine);
	return sessionlog_add(l, &s);
}

/* ---- reading ---- */

static bool digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* YYYY-MM-DDTHH:MM:SS then Z or +HH:MM / -HH:MM, exactly. */
static bool parse_when(const char *p, size_t len, struct logged_session *s)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	if ((len != 20 && len != 25) || p[4] != '-' || p[7] != '-' ||
	    p[10] != 'T' || p[13] != ':' || p[16] != ':' || !digits(p, 4, &y) ||
	    !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
	    !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) ||
	    !digits(p + 17, 2, &sec))
		return false;
	if (len == 20 && p[19] != 'Z')
		return false;
	if (len == 25 && ((p[19] != '+' && p[19] != '-') || p[22] != ':' ||
			  !digits(p + 20, 2, &oh) || !digits(p + 23, 2, &om) ||
			  oh > 14 || om > 59))
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return false;
	int off = (oh * 3600 + om * 60) * (p[19] == '-' ? -1 : 1);
	s->start_day = days_from_civil(y, mo, d);
	s->start =
	    (time_t)s->start_day * 86400 + h * 3600 + mi * 60 + sec - off;
	return true;
}

static bool parse_count(const char *p, size_t len, int max, int *out)
{
	return len >= 1 && len <= 7 && digits(p, (int)len, out) && *out <= max;
}

/* A name as the writer makes it: clean UTF-8, no control characters
 * (an escape sequence would reach the terminal --stats prints to). */
static bool parse_name(const char *p, size_t len, char *out)
{
	if (len > ROUTINE_NAME_BYTES - 1 || !text_is_clean_utf8(p, len))
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* The seventh field: exercise numbers, 1 to ROUTINE_EXERCISES_MAX, each
 * once, separated by commas. */
static bool parse_skipped(const char *p, size_t len, unsigned *mask)
{
	*mask = 0;
	for (size_t i = 0; i < len;) {
		int v = 0;
		size_t start = i;
		while (i < len && p[i] >= '0' && p[i] <= '9' && i - start < 3)
			v = v * 10 + (p[i++] - '0');
		if (i == start || v < 1 || v > ROUTINE_EXERCISES_MAX ||
		    (*mask & (1u << (v - 1))))
			return false;
		*mask |= 1u << (v - 1);
		if (i < len && (p[i++] != ',' || i == len))
			return false;
	}
	return len > 0;
}

bool sessionlog_parse(const char *line, struct logged_session *s)
{
	const char *field[7];
	size_t len[7];
	const char *p = line;
	int fields = 0;
	/* Six fields, or seven with the skipped exercises. */
	for (;;) {
		if (fields == 7)
			return false; /* too many */
		const char *tab = strchr(p, '\t');
		field[fields] = p;
		len[fields++] = tab ? (size_t)(tab - p) : strlen(p);
		if (!tab)
			break;
		p = tab + 1;
	}
	if (fields < 6)
		return false; /* too few */
	memset(s, 0, sizeof *s);
	if ((fields == 7 && !parse_skipped(field[6], len[6], &s->skipped)) ||
	    !parse_when(field[0], len[0], s) ||
	    !parse_count(field[1], len[1], SESSIONLOG_SECONDS_MAX,
			 &s->seconds) ||
	    !parse_count(field[3], len[3], ROUTINE_EXERCISES_MAX, &s->index) ||
	    !parse_name(field[4], len[4], s->exercise) ||
	    !parse_name(field[5], len[5], s->routine))
		return false;
	for (int r = 0; r < LOGGED_COUNT; r++)
		if (len[2] == strlen(result_names[r]) &&
		    !strncmp(field[2], result_names[r], len[2])) {
			s->result = (enum logged_result)r;
			return true;
		}
	return false;
}

static int push(struct session_history *h, const struct logged_session *s)
{
	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct logged_session *more =
		    realloc(h->session, cap * sizeof *more);
		if (!more)
			return -1;
		h->session = more;
		h->cap = cap;
	}
	h->session[h->count++] = *s;
	return 0;
}

static void damaged(struct session_scan *sc, int lineno)
{
	if (!sc->damaged++)
		sc->first_damaged = lineno;
}

/* Line by line through a fixed buffer: memory does not grow with the
 * file, whatever its size (up to SESSIONLOG_READ_MAX). */
int sessionlog_scan(const char *path,
		    int (*each)(const struct logged_session *s, void *ctx),
		    void *ctx, struct session_scan *sc)
{
	struct readfile f;
	memset(sc, 0, sizeof *sc);
	if (readfile_open(&f, path, SESSIONLOG_READ_MAX) < 0) {
		snprintf(sc->why, sizeof sc->why, "%s", f.why);
		return -1;
	}
	const char *line;
	size_t n;
	bool whole;
	int rc = 0, got, lineno = 0;
	while ((got = readfile_line(&f, &line, &n, &whole)) > 0) {
		struct logged_session s;
		lineno++;
		/* A line without its newline was torn; one with a NUL in it
		 * (zeros after a power cut) is damaged too. */
		if (!whole || strlen(line) != n)
			damaged(sc, lineno);
		else if (n == 0 || line[0] == '#')
			continue;
		else if (!sessionlog_parse(line, &s))
			damaged(sc, lineno);
		else if (each(&s, ctx) < 0) {
			snprintf(sc->why, sizeof sc->why, "%s",
				 strerror(errno));
			rc = -1;
			break;
		}
	}
	if (got < 0) {
		snprintf(sc->why, sizeof sc->why, "%s", f.why);
		rc = -1;
	}
	int saved = errno;
	readfile_close(&f);
	errno = saved;
	return rc;
}

static int push_each(const struct logged_session *s, void *ctx)
{
	return push(ctx, s);
}

int sessionlog_read(const char *path, struct session_history *h)
{
	struct session_scan sc;
	memset(h, 0, sizeof *h);
	int rc = sessionlog_scan(path, push_each, h, &sc);
	int saved = errno;
	h->damaged = sc.damaged;
	h->first_damaged = sc.first_damaged;
	if (rc < 0)
		sessionlog_history_free(h);
	errno = saved;
	return rc;
}

void sessionlog_history_free(struct session_history *h)
{
	free(h->session);
	memset(h, 0, sizeof *h);
}
