/*
 * unit_progress.c - progression across sessions: the values over many
 * simulated sessions (hold and reps), the store kept across close and open
 * and keyed by name (reordering keeps counts), atomic saves (no temporary
 * file left; a write that fails mid-file through RLIMIT_FSIZE, and a
 * folder that cannot be made, keep the counts in memory until a later
 * save works), damaged lines skipped and logged, resets of all and of one,
 * another writer (kiosk --reset-progress) seen by the running store, and
 * what --stats and --reset-progress print.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "progress.h"

struct dir {
	char path[64];
	char file[128];
};

static void make_dir(struct dir *d)
{
	tmp_dir_make(d->path, "progress");
	assert_int_equal(progress_path(d->path, d->file, sizeof d->file), 0);
}

static void remove_dir(struct dir *d)
{
	tmp_dir_remove(d->path);
}

/* How many entries the folder holds: the store must leave no temporary
 * file behind. */
static int files_in(const char *path)
{
	DIR *dir = opendir(path);
	assert_non_null(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(dir));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dir);
	return n;
}

/* Log lines go to memory while a test looks at them. */
static char *log_buf;
static size_t log_len;
static FILE *log_mem;

static void capture_log(void)
{
	log_mem = open_memstream(&log_buf, &log_len);
	assert_non_null(log_mem);
	log_to(log_mem);
}

static char *captured_log(void)
{
	log_to(NULL);
	fclose(log_mem);
	log_mem = NULL;
	return log_buf;
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A routine of three: a hold that progresses (30 s, 15 s more every 2
 * completed sessions, up to 5 min), reps that progress (8, 2 more every
 * session, up to 12) and a free hold that does not. */
static const char routine_text[] = "[routine]\n"
				   "name = Home\n"
				   "redflags_screen = off\n"
				   "[exercise]\n"
				   "name = Foam roller\n"
				   "say = Lie back over the roller.\n"
				   "kind = hold\n"
				   "seconds = 30\n"
				   "progress_step = 15\n"
				   "progress_max = 300\n"
				   "progress_every = 2\n"
				   "[exercise]\n"
				   "name = Cat-cow\n"
				   "say = Hands and knees.\n"
				   "kind = reps\n"
				   "reps = 8\n"
				   "breath = in 2, out 2\n"
				   "progress_step = 2\n"
				   "progress_max = 12\n"
				   "[exercise]\n"
				   "name = Ball on the wall\n"
				   "say = Lean into the ball.\n"
				   "kind = free\n"
				   "seconds = 40\n";

static struct routine *load(const char *text)
{
	struct diags d;
	diag_init(&d, "home.conf");
	struct routine *r =
	    config_load_text(text, strlen(text), NULL, NULL, &d);
	diag_print(&d, stderr);
	diag_free(&d);
	assert_non_null(r);
	return r;
}

static void test_value_formula(void **state)
{
	(void)state;
	/* The articles: hold about 30 s, work up toward 5 minutes. */
	struct progression g = {
	    .start = 30, .step = 15, .max = 300, .every = 2};
	static const int want[41] = {
	    30,	 30,  45,  45,	60,  60,  75,  75,  90,	 90,  105,
	    105, 120, 120, 135, 135, 150, 150, 165, 165, 180, 180,
	    195, 195, 210, 210, 225, 225, 240, 240, 255, 255, 270,
	    270, 285, 285, 300, 300, 300, 300, 300};
	for (int c = 0; c <= 40; c++)
		assert_int_equal(progress_value(&g, c), want[c]);
	assert_int_equal(progress_value(&g, PROGRESS_COUNT_MAX), 300);
	assert_int_equal(progress_value(&g, -3), 30);
	struct progression reps = {
	    .start = 8, .step = 2, .max = 12, .every = 1};
	assert_int_equal(progress_value(&reps, 0), 8);
	assert_int_equal(progress_value(&reps, 1), 10);
	assert_int_equal(progress_value(&reps, 2), 12);
	assert_int_equal(progress_value(&reps, 3), 12);
	/* A step past the maximum goes straight to it. */
	struct progression big = {
	    .start = 30, .step = 500, .max = 60, .every = 1};
	assert_int_equal(progress_value(&big, 1), 60);
}

/* Forty completed sessions, one store: each session runs with what
 * progress_apply set before it. */
static void test_progression_over_sessions(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	assert_non_null(p);
	for (int session = 0; session <= 40; session++) {
		bool changed = progress_apply(p, r);
		int want_hold = 30 + 15 * (session / 2);
		want_hold = want_hold > 300 ? 300 : want_hold;
		int want_reps = 8 + 2 * session > 12 ? 12 : 8 + 2 * session;
		assert_int_equal(r->exercise[0].seconds, want_hold * 1000);
		assert_int_equal(r->exercise[1].reps, want_reps);
		assert_int_equal(r->exercise[2].seconds, 40000);
		/* Changed exactly when a value moved; idempotent after. */
		bool moved =
		    session > 0 &&
		    ((session % 2 == 0 && session <= 36) || session <= 2);
		assert_int_equal(changed, moved);
		assert_false(progress_apply(p, r));
		assert_int_equal(progress_count(p, "Foam roller"), session);
		assert_int_equal(progress_completed(p, r), 0);
	}
	assert_int_equal(progress_count(p, "Foam roller"), 41);
	assert_int_equal(progress_count(p, "Cat-cow"), 41);
	assert_int_equal(progress_count(p, "Ball on the wall"), 0);
	/* The start is kept apart from the value in use. */
	assert_int_equal(r->exercise[0].progress.start, 30);
	assert_int_equal(r->exercise[1].progress.start, 8);
	progress_close(p);
	assert_int_equal(files_in(d.path), 1);
	routine_free(r);
	remove_dir(&d);
}

static void test_kept_across_close_and_open(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	for (int i = 0; i < 5; i++)
		assert_int_equal(progress_completed(p, r), 0);
	progress_close(p);

	char *text = read_file(d.file, NULL);
	assert_non_null(text);
	assert_string_equal(text, "# kiosk progress: exercise\tcompleted "
				  "sessions (kiosk --reset-progress starts "
				  "again)\n"
				  "Foam roller\t5\n"
				  "Cat-cow\t5\n");
	free(text);
	struct stat st;
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(st.st_mode & 0177, 0); /* rw------- */

	/* A new kiosk (after a restart) carries on. */
	p = progress_open(d.path);
	assert_int_equal(progress_count(p, "Foam roller"), 5);
	assert_true(progress_apply(p, r));
	assert_int_equal(r->exercise[0].seconds, 60000);
	assert_int_equal(r->exercise[1].reps, 12);
	progress_close(p);
	routine_free(r);
	remove_dir(&d);
}

/* Staff reorder the exercises: counts follow the names. */
static void test_reordering_keeps_counts(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	for (int i = 0; i < 4; i++)
		progress_completed(p, r);
	progress_close(p);
	routine_free(r);

	static const char reordered[] = "[routine]\n"
					"name = Home\n"
					"redflags_screen = off\n"
					"[exercise]\n"
					"name = Cat-cow\n"
					"say = Hands and knees.\n"
					"kind = reps\n"
					"reps = 6\n"
					"breath = in 2, out 2\n"
					"progress_step = 1\n"
					"progress_max = 20\n"
					"[exercise]\n"
					"name = Foam roller\n"
					"say = Lie back over the roller.\n"
					"kind = hold\n"
					"seconds = 30\n"
					"progress_step = 15\n"
					"progress_max = 300\n"
					"progress_every = 2\n";
	r = load(reordered);
	p = progress_open(d.path);
	progress_apply(p, r);
	assert_int_equal(r->exercise[0].reps, 6 + 4);
	assert_int_equal(r->exercise[1].seconds, (30 + 15 * 2) * 1000);
	progress_close(p);
	routine_free(r);
	remove_dir(&d);
}

/* Two exercises with one name share a count: it goes up once a session.
 * A routine file can no longer say so (kiosk --check and the loader
 * refuse duplicate names), so the second name is set in memory: progress
 * stays safe with whatever routine it is handed. */
static void test_same_name_counts_once(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	static const char twice[] = "[routine]\n"
				    "name = Twice\n"
				    "redflags_screen = off\n"
				    "[exercise]\n"
				    "name = Roller\n"
				    "say = Lie back.\n"
				    "kind = hold\n"
				    "seconds = 30\n"
				    "progress_step = 10\n"
				    "progress_max = 100\n"
				    "[exercise]\n"
				    "name = Roller again\n"
				    "say = Again, lower down.\n"
				    "kind = hold\n"
				    "seconds = 20\n"
				    "progress_step = 5\n"
				    "progress_max = 40\n";
	struct routine *r = load(twice);
	r->exercise[1].name = "Roller";
	struct progress *p = progress_open(d.path);
	progress_completed(p, r);
	progress_completed(p, r);
	assert_int_equal(progress_count(p, "Roller"), 2);
	progress_apply(p, r);
	assert_int_equal(r->exercise[0].seconds, 50000);
	assert_int_equal(r->exercise[1].seconds, 30000);
	progress_close(p);
	routine_free(r);
	remove_dir(&d);
}

static void test_damaged_lines_are_skipped(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "# kiosk progress: written by hand\n"
			   "Foam roller\t7\n"
			   "no tab here\n"
			   "Cat-cow\tmany\n"
			   "\t4\n"
			   "Foam roller\t9\n"
			   "Too long\t12345678\n"
			   "Bad \xff\t1\n"
			   "\n"
			   "Cat-cow\t3\r\n"
			   "Ball on the wall\t2");
	capture_log();
	struct progress *p = progress_open(d.path);
	char *log = captured_log();
	assert_int_equal(progress_count(p, "Foam roller"), 7);
	/* A Windows line end is fine; so is a last line without its
	 * newline (an editor). */
	assert_int_equal(progress_count(p, "Cat-cow"), 3);
	assert_int_equal(progress_count(p, "Ball on the wall"), 2);
	assert_non_null(strstr(log, "progress.tsv:3: not an exercise name, "
				    "a TAB and a count; line skipped\n"));
	assert_non_null(strstr(log, "progress.tsv:4: "));
	assert_non_null(strstr(log, "progress.tsv:5: "));
	assert_non_null(strstr(log, "progress.tsv:6: this exercise has a "
				    "line already"));
	assert_non_null(strstr(log, "progress.tsv:7: "));
	/* Five named, then the rest counted. */
	assert_int_equal(count_of(log, "; line skipped"),
			 PROGRESS_DAMAGE_LOGGED);
	assert_non_null(strstr(log, "progress.tsv: 1 more damaged line "
				    "skipped\n"));
	free(log);
	progress_close(p);
	remove_dir(&d);
}

static void test_nul_bytes_and_a_missing_newline(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	static const char bytes[] = "Foam roller\t7\n"
				    "Zer\0ed\t3\n"
				    "Cat-cow\t2";
	FILE *f = fopen(d.file, "w");
	assert_non_null(f);
	fwrite(bytes, 1, sizeof bytes - 1, f);
	fclose(f);
	capture_log();
	struct progress *p = progress_open(d.path);
	char *log = captured_log();
	assert_int_equal(progress_count(p, "Foam roller"), 7);
	assert_int_equal(progress_count(p, "Cat-cow"), 2);
	assert_non_null(strstr(log, "progress.tsv:2: a NUL byte"));
	assert_int_equal(count_of(log, "\n"), 1);
	free(log);
	progress_close(p);
	remove_dir(&d);
}

/* A write that fails in the middle of the file, as on a full disk: the
 * file size limit (RLIMIT_FSIZE) stops it, for root too. */
static void limit_file_size(rlim_t bytes, struct rlimit *saved)
{
	struct rlimit small;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, saved), 0);
	small = *saved;
	small.rlim_cur = bytes;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
}

static void test_failed_save_keeps_memory(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	assert_int_equal(progress_completed(p, r), 0);
	char *before = read_file(d.file, NULL);

	struct rlimit saved;
	capture_log();
	limit_file_size(40, &saved);
	int first = progress_completed(p, r);
	int first_errno = errno;
	int second = progress_completed(p, r);
	/* Another store does not see counts not yet saved; this one keeps
	 * them over what is on disk. */
	bool refreshed = progress_refresh(p);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(first, -1);
	assert_int_equal(first_errno, EFBIG);
	assert_int_equal(second, -1);
	assert_false(refreshed);
	assert_int_equal(progress_count(p, "Foam roller"), 3);
	char *after = read_file(d.file, NULL);
	assert_string_equal(after, before); /* the old file, whole */
	assert_int_equal(files_in(d.path), 1);

	/* Room again: the next save writes everything. */
	assert_int_equal(progress_completed(p, r), 0);
	char *log = captured_log();
	assert_int_equal(count_of(log, "cannot save"), 1);
	assert_int_equal(count_of(log, "saving "), 1);
	free(log);
	progress_close(p);
	p = progress_open(d.path);
	assert_int_equal(progress_count(p, "Foam roller"), 4);
	assert_int_equal(progress_count(p, "Cat-cow"), 4);
	progress_close(p);
	free(before);
	free(after);
	routine_free(r);
	remove_dir(&d);
}

/* A progress.tsv that is there but cannot be read (larger than the cap;
 * a FIFO): counted in memory, never saved over, said once; saved again
 * once it is a file that can be read. CRLF lines count like LF ones. */
static void test_unreadable_file_never_saved_over(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	int fd = open(d.file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PROGRESS_FILE_MAX + 1), 0);
	close(fd);
	capture_log();
	struct progress *p = progress_open(d.path);
	assert_non_null(p);
	assert_int_equal(progress_completed(p, r), -1);
	assert_int_equal(progress_completed(p, r), -1);
	assert_int_equal(progress_count(p, "Cat-cow"), 2);
	struct stat st;
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(st.st_size, PROGRESS_FILE_MAX + 1);
	assert_int_equal(files_in(d.path), 1);
	/* Now a FIFO: the same. */
	assert_int_equal(unlink(d.file), 0);
	assert_int_equal(mkfifo(d.file, 0644), 0);
	assert_int_equal(progress_completed(p, r), -1);
	assert_int_equal(stat(d.file, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* A readable file again (CRLF): its 5, the 3 counted meanwhile and
	 * this session's, saved. */
	assert_int_equal(unlink(d.file), 0);
	write_file(d.file, "# progress\r\nCat-cow\t5\r\n");
	assert_int_equal(progress_completed(p, r), 0);
	assert_int_equal(progress_count(p, "Cat-cow"), 9);
	progress_close(p);
	p = progress_open(d.path);
	assert_int_equal(progress_count(p, "Cat-cow"), 9);
	progress_close(p);
	char *log = captured_log();
	assert_int_equal(count_of(log, "larger than 16 MiB"), 2);
	assert_int_equal(count_of(log, "counting from zero until it can be "
				       "read, and not saving over it"),
			 1);
	assert_int_equal(count_of(log, "progress: not saving over"), 1);
	assert_int_equal(count_of(log, "saving"), 3);
	free(log);
	routine_free(r);
	remove_dir(&d);
}

/* The state folder cannot be made (its parent is a file): counted in
 * memory, saved once the folder can be made, the folder made then. */
static void test_unwritable_folder(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	char parent[128], below[160], cmd[400];
	snprintf(parent, sizeof parent, "%s/plain", d.path);
	write_file(parent, "not a folder\n");
	snprintf(below, sizeof below, "%s/state", parent);
	struct routine *r = load(routine_text);
	capture_log();
	struct progress *p = progress_open(below);
	assert_non_null(p);
	assert_int_equal(progress_completed(p, r), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(progress_completed(p, r), -1);
	assert_int_equal(progress_count(p, "Cat-cow"), 2);
	snprintf(cmd, sizeof cmd, "rm %s && mkdir %s", parent, parent);
	assert_int_equal(run(cmd), 0);
	assert_int_equal(progress_completed(p, r), 0);
	progress_close(p);
	char *log = captured_log();
	assert_int_equal(count_of(log, "cannot save"), 1);
	free(log);
	p = progress_open(below);
	assert_int_equal(progress_count(p, "Cat-cow"), 3);
	progress_close(p);

	/* Not root: a folder without write permission fails the same way. */
	if (geteuid() != 0) {
		assert_int_equal(chmod(below, 0555), 0);
		capture_log();
		p = progress_open(below);
		assert_int_equal(progress_completed(p, r), -1);
		assert_int_equal(progress_count(p, "Cat-cow"), 4);
		assert_int_equal(chmod(below, 0755), 0);
		progress_close(p); /* saved at close */
		free(captured_log());
		p = progress_open(below);
		assert_int_equal(progress_count(p, "Cat-cow"), 4);
		progress_close(p);
	}
	routine_free(r);
	remove_dir(&d);
}

/* Counts that cannot be saved before the kiosk stops are lost: said. */
static void test_lost_at_close_is_logged(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	char below[160];
	snprintf(below, sizeof below, "%s/plain/state", d.path);
	char parent[128];
	snprintf(parent, sizeof parent, "%s/plain", d.path);
	write_file(parent, "x\n");
	struct routine *r = load(routine_text);
	capture_log();
	struct progress *p = progress_open(below);
	progress_completed(p, r);
	progress_close(p);
	char *log = captured_log();
	assert_non_null(strstr(log, "could not be saved"));
	free(log);
	routine_free(r);
	remove_dir(&d);
}

static void test_reset_all_and_one(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	for (int i = 0; i < 6; i++)
		progress_completed(p, r);
	assert_int_equal(progress_reset(p, "Nobody"), 0);
	assert_int_equal(progress_reset(p, "cat-cow"), 0); /* exact here */
	assert_int_equal(progress_reset(p, "Cat-cow"), 1);
	assert_int_equal(progress_count(p, "Cat-cow"), 0);
	assert_int_equal(progress_count(p, "Foam roller"), 6);
	assert_true(progress_apply(p, r));
	assert_int_equal(r->exercise[1].reps, 8);
	assert_int_equal(r->exercise[0].seconds, 75000);
	progress_close(p);

	p = progress_open(d.path);
	assert_int_equal(progress_count(p, "Cat-cow"), 0);
	assert_int_equal(progress_count(p, "Foam roller"), 6);
	assert_int_equal(progress_reset(p, NULL), 1);
	assert_int_equal(progress_reset(p, NULL), 0);
	progress_close(p);
	char *text = read_file(d.file, NULL);
	assert_int_equal(strncmp(text, "# kiosk progress:", 17), 0);
	assert_int_equal(count_of(text, "\n"), 1);
	free(text);
	assert_int_equal(files_in(d.path), 1);
	routine_free(r);
	remove_dir(&d);
}

/* kiosk --reset-progress while the kiosk runs: the kiosk's store sees it
 * before the next session, and does not write its old counts back. */
static void test_another_writer_is_seen(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *kiosk = progress_open(d.path);
	for (int i = 0; i < 3; i++)
		progress_completed(kiosk, r);
	assert_false(progress_refresh(kiosk)); /* its own save */

	FILE *out = tmpfile(), *err = tmpfile();
	assert_int_equal(progress_reset_command(out, err, d.path, "Cat-cow"),
			 0);
	assert_true(progress_refresh(kiosk));
	assert_int_equal(progress_count(kiosk, "Cat-cow"), 0);
	assert_false(progress_refresh(kiosk));

	/* A reset between refreshes is seen when the session is counted. */
	assert_int_equal(progress_reset_command(out, err, d.path, NULL), 0);
	assert_int_equal(progress_completed(kiosk, r), 0);
	assert_int_equal(progress_count(kiosk, "Foam roller"), 1);
	assert_int_equal(progress_count(kiosk, "Cat-cow"), 1);

	/* The file taken away: nothing counted. */
	assert_int_equal(unlink(d.file), 0);
	assert_true(progress_refresh(kiosk));
	assert_int_equal(progress_count(kiosk, "Foam roller"), 0);
	assert_false(progress_refresh(kiosk));
	fclose(out);
	fclose(err);
	progress_close(kiosk);
	routine_free(r);
	remove_dir(&d);
}

/* Root writing for the kiosk's user (sudo kiosk --reset-progress): the
 * file goes to the folder's owner, or the kiosk could not read it. */
static void test_root_writes_for_the_folder_owner(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct dir d;
	make_dir(&d);
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	progress_completed(p, r);
	assert_int_equal(chown(d.path, 4242, 4343), 0);
	FILE *out = tmpfile();
	assert_int_equal(progress_reset_command(out, stderr, d.path, "Cat-cow"),
			 0);
	fclose(out);
	struct stat st;
	assert_int_equal(stat(d.file, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
	progress_close(p);
	routine_free(r);
	remove_dir(&d);
}

static char *command(const char *dir, const char *name, int *status,
		     char **err_text)
{
	char *out_text = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_text, &out_len);
	FILE *err = open_memstream(err_text, &err_len);
	*status = progress_reset_command(out, err, dir, name);
	fclose(out);
	fclose(err);
	return out_text;
}

static void test_reset_command(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	char *out, *err;
	int status;
	/* Nothing stored yet. */
	out = command(d.path, NULL, &status, &err);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "No progress is stored in"));
	free(out), free(err);
	out = command(d.path, "Cat-cow", &status, &err);
	assert_int_equal(status, 1);
	assert_non_null(strstr(err, "no progress is stored for 'Cat-cow'"));
	free(out), free(err);

	write_file(d.file, "# kiosk progress\n"
			   "Foam roller\t7\n"
			   "Cat-cow\t1\n"
			   "cat-cow low\t2\n"
			   "Wedge\t4\n"
			   "wedge\t5\n");
	/* Exact; else without regard to case when only one matches. */
	out = command(d.path, "foam ROLLER", &status, &err);
	assert_int_equal(status, 0);
	assert_string_equal(out, "Forgot the progress of 'Foam roller' (7 "
				 "completed sessions): it starts again from "
				 "its first value at the next session.\n");
	free(out), free(err);
	out = command(d.path, "WEDGE", &status, &err);
	assert_int_equal(status, 1);
	assert_string_equal(err, "kiosk: --reset-progress: 'WEDGE' could be "
				 "any of 'Wedge', 'wedge': give the name "
				 "exactly\n");
	free(out), free(err);
	out = command(d.path, "wedge", &status, &err);
	assert_int_equal(status, 0);
	free(out), free(err);
	out = command(d.path, "Foam roller", &status, &err);
	assert_int_equal(status, 1);
	assert_non_null(strstr(err, "stored: 'Cat-cow', 'cat-cow low', "
				    "'Wedge'\n"));
	free(out), free(err);
	out = command(d.path, NULL, &status, &err);
	assert_int_equal(status, 0);
	assert_string_equal(out, "Forgot the progress of 3 exercises: each "
				 "starts again from its first value at the "
				 "next session.\n");
	assert_string_equal(err, "");
	free(out), free(err);

	/* A file that cannot be read is not replaced. */
	char odd[128];
	snprintf(odd, sizeof odd, "%s/odd", d.path);
	assert_int_equal(mkdir(odd, 0755), 0);
	char inner[160];
	snprintf(inner, sizeof inner, "%s/progress.tsv", odd);
	assert_int_equal(mkdir(inner, 0755), 0);
	out = command(odd, NULL, &status, &err);
	assert_int_equal(status, 1);
	assert_non_null(strstr(err, "is a folder, not a file"));
	free(out), free(err);
	remove_dir(&d);
}

/* The --stats part: what each exercise does next, and how far it is. */
static void test_print(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "# kiosk progress\n"
			   "Foam roller\t3\n"
			   "Cat-cow\t9\n"
			   "Ball on the wall\t1\n"
			   "Old wedge\t4\n");
	struct routine *r = load(routine_text);
	struct progress *p = progress_open(d.path);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	progress_print(p, r, out);
	fclose(out);
	char want[2048];
	snprintf(want, sizeof want,
		 "\nProgression (counted in %s)\n"
		 "  Foam roller\n"
		 "    next session: 45 s; 3 completed sessions counted; 1 more "
		 "to reach 1 min\n"
		 "    set in the routine: 30 s up to 5 min, 15 s more every 2 "
		 "completed sessions\n"
		 "  Cat-cow\n"
		 "    next session: 12 reps; 9 completed sessions counted; at "
		 "the maximum\n"
		 "    set in the routine: 8 up to 12 reps, 2 more every "
		 "completed session\n"
		 "  Also counted, for exercises that do not progress in this "
		 "routine:\n"
		 "    Ball on the wall: 1 completed session\n"
		 "    Old wedge: 4 completed sessions\n"
		 "  To start again: kiosk --reset-progress, or "
		 "--reset-progress=NAME for one exercise.\n",
		 d.file);
	assert_string_equal(text, want);
	free(text);
	progress_close(p);

	/* A clinic: no progression and nothing stored, nothing printed. */
	struct dir empty;
	make_dir(&empty);
	size_t n;
	const char *builtin = config_builtin(&n);
	struct diags dg;
	diag_init(&dg, CONFIG_BUILTIN_NAME);
	struct routine *clinic = config_load_text(builtin, n, NULL, NULL, &dg);
	diag_free(&dg);
	assert_non_null(clinic);
	p = progress_open(empty.path);
	text = NULL;
	out = open_memstream(&text, &len);
	progress_print(p, clinic, out);
	fclose(out);
	assert_string_equal(text, "");
	free(text);
	progress_close(p);
	routine_free(clinic);
	remove_dir(&empty);
	routine_free(r);
	remove_dir(&d);
}

static void test_describe(void **state)
{
	(void)state;
	struct routine *r = load(routine_text);
	char buf[200];
	progress_describe(&r->exercise[0], buf, sizeof buf);
	assert_string_equal(buf, "30 s up to 5 min, 15 s more every 2 "
				 "completed sessions");
	progress_describe(&r->exercise[2], buf, sizeof buf);
	assert_string_equal(buf, "");
	r->exercise[0].progress.max = 150;
	progress_describe(&r->exercise[0], buf, sizeof buf);
	assert_string_equal(buf, "30 s up to 2 min 30 s, 15 s more every 2 "
				 "completed sessions");
	routine_free(r);
}

/* No store (a simulated run without --state-dir): every start value,
 * nothing counted, nothing written, nothing printed. */
static void test_without_a_store(void **state)
{
	(void)state;
	struct routine *r = load(routine_text);
	r->exercise[0].seconds = 99000;
	assert_true(progress_apply(NULL, r));
	assert_int_equal(r->exercise[0].seconds, 30000);
	assert_int_equal(progress_completed(NULL, r), 0);
	assert_false(progress_refresh(NULL));
	assert_int_equal(progress_reset(NULL, NULL), 0);
	assert_int_equal(progress_count(NULL, "Cat-cow"), 0);
	progress_close(NULL);
	routine_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_value_formula),
	    cmocka_unit_test(test_progression_over_sessions),
	    cmocka_unit_test(test_kept_across_close_and_open),
	    cmocka_unit_test(test_reordering_keeps_counts),
	    cmocka_unit_test(test_same_name_counts_once),
	    cmocka_unit_test(test_damaged_lines_are_skipped),
	    cmocka_unit_test(test_nul_bytes_and_a_missing_newline),
	    cmocka_unit_test(test_failed_save_keeps_memory),
	    cmocka_unit_test(test_unwritable_folder),
	    cmocka_unit_test(test_unreadable_file_never_saved_over),
	    cmocka_unit_test(test_lost_at_close_is_logged),
	    cmocka_unit_test(test_reset_all_and_one),
	    cmocka_unit_test(test_another_writer_is_seen),
	    cmocka_unit_test(test_root_writes_for_the_folder_owner),
	    cmocka_unit_test(test_reset_command),
	    cmocka_unit_test(test_print),
	    cmocka_unit_test(test_describe),
	    cmocka_unit_test(test_without_a_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
