/*
 * progress.c - how far each exercise has progressed, kept in a small text
 * file that survives power cuts, full disks and staff; see progress.h.
 *
 * Why the whole file is rewritten (unlike the session record, which is
 * appended to): it holds one count per exercise, a few lines, and a count
 * changes in place. Rewriting through a temporary file and rename() means
 * a power cut leaves the old counts or the new, whole; appending and
 * editing lines in place could tear one. A save happens once per
 * completed session, after it, so its fsyncs cost the SD card nothing and
 * interrupt no count.
 */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "readfile.h"
#include "strmap.h"
#include "text.h"

static const char header[] =
    "# kiosk progress: exercise\tcompleted sessions (kiosk --reset-progress "
    "starts again)\n";

struct entry {
	char name[ROUTINE_NAME_BYTES];
	int count;
	int unsaved; /* sessions counted here since the file last had it */
};

struct progress {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	bool path_ok;
	struct entry *entry; /* in the order first counted */
	size_t count, cap;
	struct strmap names; /* name -> index into entry */
	/* The file is there but could not be read (a FIFO, too large, no
	 * permission): it is never written over until it can be read. */
	bool unreadable;
	char why[READFILE_WHY]; /* why it could not be read, for the log */
	bool dirty;   /* counts in memory that are not on disk */
	bool failing; /* a save failed and was logged: quiet until one works */
	/* The file as this store last read or wrote it: a change on disk is
	 * someone else's. */
	bool seen;
	struct stat seen_st;
};

int progress_path(const char *dir, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/" PROGRESS_FILE, dir);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* ---- names and counts ---- */

static struct entry *find(const struct progress *p, const char *key)
{
	size_t i;
	return strmap_get(&p->names, key, &i) ? &p->entry[i] : NULL;
}

/* The name index again, after entries moved. */
static int reindex(struct progress *p)
{
	strmap_free(&p->names);
	for (size_t i = 0; i < p->count; i++)
		if (strmap_put(&p->names, p->entry[i].name, i) < 0)
			return -1;
	return 0;
}

static struct entry *add(struct progress *p, const char *key, int count)
{
	if (p->count == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct entry *more = realloc(p->entry, cap * sizeof *more);
		if (!more)
			return NULL;
		p->entry = more;
		p->cap = cap;
	}
	struct entry *e = &p->entry[p->count];
	snprintf(e->name, sizeof e->name, "%s", key);
	e->count = count;
	e->unsaved = 0;
	if (strmap_put(&p->names, e->name, p->count) < 0)
		return NULL;
	p->count++;
	return e;
}

int progress_count(const struct progress *p, const char *name)
{
	char key[ROUTINE_NAME_BYTES];
	text_name_field(key, name);
	const struct entry *e = p ? find(p, key) : NULL;
	return e ? e->count : 0;
}

static bool progresses(const struct exercise *x)
{
	return x->progress.step > 0;
}

int progress_value(const struct progression *g, int completed)
{
	if (g->step <= 0)
		return g->start;
	int every = g->every > 0 ? g->every : 1;
	long long steps = completed > 0 ? completed / every : 0;
	long long v = g->start + (long long)g->step * steps;
	return v < g->max ? (int)v : g->max;
}

/* ---- reading ---- */

/* "name<TAB>count": a name the routine could have (clean UTF-8, no
 * control characters, not too long) and a count of 1 to 7 digits. */
static bool parse_line(const char *line, size_t len, char *name, int *count)
{
	const char *tab = memchr(line, '\t', len);
	if (!tab || tab == line)
		return false;
	size_t name_len = (size_t)(tab - line);
	const char *num = tab + 1;
	size_t num_len = len - name_len - 1;
	if (name_len > ROUTINE_NAME_BYTES - 1 || num_len < 1 || num_len > 7 ||
	    !text_is_clean_utf8(line, name_len))
		return false;
	int v = 0;
	for (size_t i = 0; i < num_len; i++) {
		if (num[i] < '0' || num[i] > '9')
			return false;
		v = v * 10 + (num[i] - '0');
	}
	memcpy(name, line, name_len);
	name[name_len] = '\0';
	*count = v > PROGRESS_COUNT_MAX ? PROGRESS_COUNT_MAX : v;
	return true;
}

static void damaged(const struct progress *p, int lineno, int *n,
		    const char *why)
{
	if (++*n <= PROGRESS_DAMAGE_LOGGED)
		log_msg("progress: %s:%d: %s; line skipped", p->path, lineno,
			why);
}

/* Read the file into p's counts, replacing them. 0, or -1 with errno
 * (ENOENT: no file, which means no progress yet; counts are then empty).
 * On any other failure p is unchanged. */
static int load(struct progress *p)
{
	struct readfile f;
	if (!p->path_ok) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (readfile_open(&f, p->path, PROGRESS_FILE_MAX) < 0) {
		if (errno == ENOENT) {
			p->count = 0;
			strmap_free(&p->names);
			p->seen = false;
			p->unreadable = false;
		} else {
			/* ENOTDIR: no folder, so no file to keep either. */
			p->unreadable = errno != ENOTDIR;
			snprintf(p->why, sizeof p->why, "%s", f.why);
		}
		return -1;
	}
	struct progress fresh = {.path_ok = true}; /* only its counts */
	const char *line;
	size_t len;
	bool whole;
	int rc = 0, got, lineno = 0, bad = 0;
	struct stat st;
	if (fstat(f.fd, &st) < 0)
		rc = -1;
	while (rc == 0 && (got = readfile_line(&f, &line, &len, &whole)) > 0) {
		char name[ROUTINE_NAME_BYTES];
		int count;
		lineno++;
		if (memchr(line, '\0', len))
			damaged(p, lineno, &bad, "a NUL byte");
		else if (!whole && len == 0)
			damaged(p, lineno, &bad, "a line far too long");
		else if (len == 0 || line[0] == '#')
			continue;
		else if (!parse_line(line, len, name, &count))
			damaged(p, lineno, &bad,
				"not an exercise name, a TAB and a count");
		else if (find(&fresh, name))
			damaged(p, lineno, &bad,
				"this exercise has a line already");
		else if (count > 0 && !add(&fresh, name, count))
			rc = -1;
	}
	if (rc == 0 && got < 0) {
		snprintf(p->why, sizeof p->why, "%s", f.why);
		rc = -1;
	}
	int saved = errno;
	readfile_close(&f);
	if (bad > PROGRESS_DAMAGE_LOGGED)
		log_msg("progress: %s: %d more damaged line%s skipped", p->path,
			bad - PROGRESS_DAMAGE_LOGGED,
			bad - PROGRESS_DAMAGE_LOGGED == 1 ? "" : "s");
	if (rc < 0) {
		free(fresh.entry);
		strmap_free(&fresh.names);
		p->unreadable = true;
		errno = saved;
		return -1;
	}
	free(p->entry);
	strmap_free(&p->names);
	p->entry = fresh.entry;
	p->count = fresh.count;
	p->cap = fresh.cap;
	p->names = fresh.names;
	p->seen = true;
	p->seen_st = st;
	p->unreadable = false;
	return 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool same_counts(const struct entry *a, size_t na, const struct entry *b,
			size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) || a[i].count != b[i].count)
			return false;
	return true;
}

/* The sessions counted while the file could not be read, added to what
 * it holds now that it can: nothing counted on either side is lost. */
static void merge_unsaved(struct progress *p, const struct entry *old,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!old[i].unsaved)
			continue;
		struct entry *e = find(p, old[i].name);
		if (!e)
			e = add(p, old[i].name, 0);
		if (!e)
			continue; /* out of memory: that count is lost */
		long long sum = (long long)e->count + old[i].unsaved;
		e->count = sum > PROGRESS_COUNT_MAX ? PROGRESS_COUNT_MAX
						    : (int)sum;
		e->unsaved = old[i].unsaved;
	}
}

bool progress_refresh(struct progress *p)
{
	struct stat st;
	/* Unsaved counts of our own win over the file, except over one that
	 * could not be read: that one was never seen, so it is read and the
	 * two are added up. */
	if (!p || !p->path_ok || (p->dirty && !p->unreadable))
		return false;
	if (stat(p->path, &st) < 0) {
		if (errno != ENOENT)
			return false; /* keep what we have */
		p->unreadable = false;
		if (p->dirty)
			return false; /* ours, saved at the next chance */
		bool had = p->count > 0;
		p->count = 0;
		strmap_free(&p->names);
		p->seen = false;
		p->unreadable = false;
		return had;
	}
	if (p->seen && same_file(&st, &p->seen_st))
		return false;
	struct entry *old = p->entry;
	size_t n = p->count;
	struct strmap old_names = p->names;
	p->entry = NULL;
	p->count = p->cap = 0;
	p->names = (struct strmap){0};
	if (load(p) < 0) {
		/* load changed nothing: the counts go back as they were */
		p->entry = old;
		p->count = n;
		p->cap = n;
		p->names = old_names;
		return false;
	}
	if (p->dirty)
		merge_unsaved(p, old, n);
	bool changed = !same_counts(old, n, p->entry, p->count);
	free(old);
	strmap_free(&old_names);
	return changed;
}

/* ---- writing ---- */

static int write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		s += w, len -= (size_t)w;
	}
	return 0;
}

static int write_counts(const struct progress *p, int fd)
{
	if (write_all(fd, header, sizeof header - 1) < 0)
		return -1;
	for (size_t i = 0; i < p->count; i++) {
		char line[ROUTINE_NAME_BYTES + 16];
		int n = snprintf(line, sizeof line, "%s\t%d\n",
				 p->entry[i].name, p->entry[i].count);
		if (write_all(fd, line, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

/* Every count onto disk, atomically. 0, or -1 with errno; nothing logged
 * and no temporary file left behind. */
static int save(struct progress *p)
{
	char tmp[PATH_MAX + 8];
	struct stat dir_st, st;
	if (!p->path_ok) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (p->unreadable) {
		errno = EPERM; /* see save_logged */
		return -1;
	}
	if (mkdir(p->dir, 0755) < 0 && errno != EEXIST)
		return -1;
	if (stat(p->dir, &dir_st) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", p->path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Root (sudo kiosk --reset-progress) writes the file for the
	 * folder's owner, the kiosk's user, who must go on reading and
	 * replacing it. */
	int rc = 0;
	if (geteuid() == 0 && dir_st.st_uid != 0 &&
	    fchown(fd, dir_st.st_uid, dir_st.st_gid) < 0)
		rc = -1;
	if (rc == 0)
		rc = write_counts(p, fd);
	if (rc == 0)
		rc = fsync(fd);
	if (rc == 0)
		rc = fstat(fd, &st);
	int saved = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc == 0 && rename(tmp, p->path) < 0) {
		rc = -1;
		saved = errno;
	}
	if (rc < 0) {
		unlink(tmp);
		errno = saved;
		return -1;
	}
	/* The rename itself, on disk. */
	int dir = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0) {
		fsync(dir);
		close(dir);
	}
	p->seen = true;
	p->seen_st = st;
	p->dirty = false;
	for (size_t i = 0; i < p->count; i++)
		p->entry[i].unsaved = 0;
	return 0;
}

/* One line when saving starts failing, one when it works again. */
static int save_logged(struct progress *p)
{
	if (save(p) == 0) {
		if (p->failing)
			log_msg("progress: saving %s again", p->path);
		p->failing = false;
		return 0;
	}
	int saved = errno;
	if (!p->failing && p->unreadable)
		log_msg("progress: not saving over %s, which could not be "
			"read (%s); the counts are kept in memory",
			p->path, p->why);
	else if (!p->failing)
		log_msg("progress: cannot save %s: %s; the counts are kept in "
			"memory and saved after the next completed session",
			p->path, strerror(errno));
	p->failing = true;
	errno = saved;
	return -1;
}

/* ---- the store ---- */

struct progress *progress_open(const char *state_dir)
{
	struct progress *p = calloc(1, sizeof *p);
	if (!p) {
		log_msg("progress: %s; progression is not kept",
			strerror(errno));
		return NULL;
	}
	snprintf(p->dir, sizeof p->dir, "%s", state_dir);
	p->path_ok = strlen(state_dir) < sizeof p->dir &&
		     progress_path(state_dir, p->path, sizeof p->path) == 0;
	if (!p->path_ok)
		log_msg("progress: folder name too long: %s", state_dir);
	else if (load(p) < 0 && errno != ENOENT)
		log_msg(
		    "progress: %s: %s; counting from zero until it can be "
		    "read, and not saving over it",
		    p->path, p->why);
	return p;
}

void progress_close(struct progress *p)
{
	if (!p)
		return;
	if (p->dirty && save_logged(p) < 0)
		log_msg("progress: the counts could not be saved to %s and "
			"are lost",
			p->path);
	free(p->entry);
	strmap_free(&p->names);
	free(p);
}

bool progress_apply(const struct progress *p, struct routine *r)
{
	bool changed = false;
	for (int i = 0; r && i < r->exercises; i++) {
		struct exercise *x = &r->exercise[i];
		if (!progresses(x))
			continue;
		int v =
		    progress_value(&x->progress, progress_count(p, x->name));
		changed |= exercise_amount(x) != v;
		exercise_set_amount(x, v);
	}
	return changed;
}

/* Whether an exercise before r->exercise[i] progresses under the same
 * name: a shared count goes up once a session. */
static bool counted_before(const struct routine *r, int i, const char *key)
{
	char other[ROUTINE_NAME_BYTES];
	for (int j = 0; j < i; j++) {
		if (!progresses(&r->exercise[j]))
			continue;
		text_name_field(other, r->exercise[j].name);
		if (!strcmp(other, key))
			return true;
	}
	return false;
}

int progress_completed(struct progress *p, const struct routine *r)
{
	return progress_completed_skipping(p, r, 0);
}

int progress_completed_skipping(struct progress *p, const struct routine *r,
				unsigned skipped)
{
	if (!p || !r)
		return 0; /* no store: nothing to save */
	progress_refresh(p);
	bool any = false;
	for (int i = 0; i < r->exercises; i++) {
		char key[ROUTINE_NAME_BYTES];
		const struct exercise *x = &r->exercise[i];
		if (!progresses(x) || (i < 32 && (skipped & (1u << i))))
			continue;
		text_name_field(key, x->name);
		if (counted_before(r, i, key))
			continue;
		struct entry *e = find(p, key);
		if (!e)
			e = add(p, key, 0);
		if (!e) {
			log_msg("progress: out of memory; %s is not counted",
				key);
			continue;
		}
		if (e->count < PROGRESS_COUNT_MAX)
			e->count++;
		e->unsaved++;
		any = true;
	}
	if (!any)
		return 0;
	p->dirty = true;
	return save_logged(p);
}

int progress_reset(struct progress *p, const char *name)
{
	int forgotten = 0;
	if (!p)
		return 0;
	if (!name) {
		forgotten = (int)p->count;
		p->count = 0;
		strmap_free(&p->names);
	} else {
		char key[ROUTINE_NAME_BYTES];
		text_name_field(key, name);
		struct entry *e = find(p, key);
		if (e) {
			size_t at = (size_t)(e - p->entry);
			memmove(e, e + 1,
				(p->count - at - 1) * sizeof *p->entry);
			p->count--;
			forgotten = 1;
			if (reindex(p) < 0)
				return -1;
		}
	}
	if (!forgotten)
		return 0;
	p->dirty = true;
	return save(p) < 0 ? -1 : forgotten;
}

/* ---- words for people ---- */

/* 45 s, 1 min, 2 min 30 s; or 12 reps. */
static const char *amount(const struct exercise *x, int v, char *buf,
			  size_t size)
{
	if (kind_def(x->kind)->unit == UNIT_REPS)
		snprintf(buf, size, "%d rep%s", v, v == 1 ? "" : "s");
	else if (v < 60)
		snprintf(buf, size, "%d s", v);
	else if (v % 60 == 0)
		snprintf(buf, size, "%d min", v / 60);
	else
		snprintf(buf, size, "%d min %02d s", v / 60, v % 60);
	return buf;
}

void progress_describe(const struct exercise *x, char *out, size_t size)
{
	const struct progression *g = &x->progress;
	char a[32], b[32], c[32], every[40] = "every completed session";
	if (!progresses(x)) {
		snprintf(out, size, "%s", "");
		return;
	}
	if (g->every > 1)
		snprintf(every, sizeof every, "every %d completed sessions",
			 g->every);
	/* Reps: "8 up to 12 reps, 2 more"; seconds each with its unit. */
	if (kind_def(x->kind)->unit == UNIT_REPS) {
		snprintf(a, sizeof a, "%d", g->start);
		snprintf(c, sizeof c, "%d", g->step);
	} else {
		amount(x, g->start, a, sizeof a);
		amount(x, g->step, c, sizeof c);
	}
	snprintf(out, size, "%s up to %s, %s more %s", a,
		 amount(x, g->max, b, sizeof b), c, every);
}

static bool progresses_in(const struct routine *r, const char *key)
{
	char other[ROUTINE_NAME_BYTES];
	for (int i = 0; i < r->exercises; i++) {
		text_name_field(other, r->exercise[i].name);
		if (progresses(&r->exercise[i]) && !strcmp(other, key))
			return true;
	}
	return false;
}

static void print_exercise(const struct progress *p, const struct exercise *x,
			   FILE *out)
{
	const struct progression *g = &x->progress;
	char now[32], then[200];
	int c = progress_count(p, x->name);
	int v = progress_value(g, c);
	fprintf(out,
		"  %s\n    next session: %s; %d completed session%s "
		"counted; ",
		x->name, amount(x, v, now, sizeof now), c, c == 1 ? "" : "s");
	if (v >= g->max) {
		fprintf(out, "at the maximum\n");
	} else {
		int next = (c / g->every + 1) * g->every;
		int more = next - c;
		fprintf(out, "%d more to reach %s\n", more,
			amount(x, progress_value(g, next), then, sizeof then));
	}
	progress_describe(x, then, sizeof then);
	fprintf(out, "    set in the routine: %s\n", then);
}

void progress_print(const struct progress *p, const struct routine *r,
		    FILE *out)
{
	int progressing = 0, others = 0;
	for (int i = 0; i < r->exercises; i++)
		progressing += progresses(&r->exercise[i]);
	for (size_t i = 0; p && i < p->count; i++)
		others += !progresses_in(r, p->entry[i].name);
	if (!progressing && !others)
		return;
	fprintf(out, "\nProgression (counted in %s)\n",
		p && p->path_ok ? p->path : PROGRESS_FILE);
	if (!progressing)
		fprintf(out,
			"  No exercise of \"%s\" progresses (see "
			"progress_step in kiosk.conf(5)).\n",
			r->name);
	for (int i = 0; i < r->exercises; i++)
		if (progresses(&r->exercise[i]))
			print_exercise(p, &r->exercise[i], out);
	if (others) {
		fprintf(out, "  Also counted, for exercises that do not "
			     "progress in this routine:\n");
		for (size_t i = 0; i < p->count; i++)
			if (!progresses_in(r, p->entry[i].name))
				fprintf(out, "    %s: %d completed session%s\n",
					p->entry[i].name, p->entry[i].count,
					p->entry[i].count == 1 ? "" : "s");
	}
	fprintf(out, "  To start again: kiosk --reset-progress, or "
		     "--reset-progress=NAME for one exercise.\n");
}

/* ---- kiosk --reset-progress ---- */

/* The stored name NAME means: exact, else the only one equal to it
 * without regard to ASCII case. NULL if none; *several when more than one
 * match that way. */
static const struct entry *match(const struct progress *p, const char *name,
				 bool *several)
{
	char key[ROUTINE_NAME_BYTES];
	const struct entry *found = NULL;
	text_name_field(key, name);
	*several = false;
	const struct entry *e = find(p, key);
	if (e)
		return e;
	for (size_t i = 0; i < p->count; i++) {
		if (strcasecmp(p->entry[i].name, key))
			continue;
		if (found)
			*several = true;
		found = &p->entry[i];
	}
	return *several ? NULL : found;
}

/* The stored names; only those equal to `like` without regard to case,
 * unless it is NULL. */
static void list_names(const struct progress *p, const char *like, FILE *to)
{
	const char *sep = "";
	for (size_t i = 0; i < p->count; i++) {
		if (like && strcasecmp(p->entry[i].name, like))
			continue;
		fprintf(to, "%s'%s'", sep, p->entry[i].name);
		sep = ", ";
	}
}

int progress_reset_command(FILE *out, FILE *err, const char *dir,
			   const char *name)
{
	struct progress *p = calloc(1, sizeof *p);
	int status = 1;
	if (!p) {
		fprintf(err, "kiosk: --reset-progress: %s\n", strerror(errno));
		return 1;
	}
	snprintf(p->dir, sizeof p->dir, "%s", dir);
	p->path_ok = strlen(dir) < sizeof p->dir &&
		     progress_path(dir, p->path, sizeof p->path) == 0;
	if (!p->path_ok) {
		fprintf(err,
			"kiosk: --reset-progress: folder name too long: "
			"%s\n",
			dir);
		goto out;
	}
	if (load(p) < 0 && errno != ENOENT) {
		fprintf(err, "kiosk: --reset-progress: %s: %s%s\n", p->path,
			p->why,
			errno == EACCES ? " (try: sudo kiosk --reset-progress)"
					: "");
		goto out;
	}
	bool several;
	const struct entry *e = name ? match(p, name, &several) : NULL;
	if (name && !e) {
		fprintf(err, "kiosk: --reset-progress: ");
		if (several) {
			fprintf(err, "'%s' could be any of ", name);
			list_names(p, name, err);
			fprintf(err, ": give the name exactly\n");
		} else if (p->count) {
			fprintf(err,
				"no progress is stored for '%s' in %s; "
				"stored: ",
				name, p->path);
			list_names(p, NULL, err);
			fprintf(err, "\n");
		} else {
			fprintf(err,
				"no progress is stored for '%s': %s "
				"has none\n",
				name, p->path);
		}
		goto out;
	}
	if (!name && p->count == 0) {
		fprintf(out,
			"No progress is stored in %s: nothing to forget.\n",
			p->path);
		status = 0;
		goto out;
	}
	struct entry one = {.count = 0};
	if (e)
		one = *e;
	size_t all = p->count;
	if (progress_reset(p, e ? one.name : NULL) < 0) {
		fprintf(err, "kiosk: --reset-progress: cannot write %s: %s%s\n",
			p->path, strerror(errno),
			errno == EACCES ? " (try: sudo kiosk --reset-progress)"
					: "");
		p->dirty = false; /* said; nothing to try again at close */
		goto out;
	}
	if (e)
		fprintf(out,
			"Forgot the progress of '%s' (%d completed session%s): "
			"it starts again from its first value at the next "
			"session.\n",
			one.name, one.count, one.count == 1 ? "" : "s");
	else
		fprintf(out,
			"Forgot the progress of %zu exercise%s: each starts "
			"again from its first value at the next session.\n",
			all, all == 1 ? "" : "s");
	status = 0;
out:
	free(p->entry);
	strmap_free(&p->names);
	free(p);
	return status;
}
