/*
 * unit_watch.c - the settle rule of watch.h, on real files with the time
 * given: nothing is looked at while a writer has the file open, a save is
 * read only when two looks WATCH_SETTLE_MS apart agree with no event
 * between, bytes that change during the read are dropped, SIGHUP waits
 * for a writer and a storm of it is one settle; and the inotify events a
 * writer makes, as watch_changed reports them.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "watch.h"

struct dir {
	char path[64];
	char file[128];
};

static void make_dir(struct dir *d)
{
	tmp_dir_make(d->path, "watch");
	snprintf(d->file, sizeof d->file, "%s/kiosk.conf", d->path);
}

/* A settle from a finished save at `t` to the read: the times it asks
 * for, and what each step says. */
static kt_ms settle_to_read(struct settle *s, const char *file, kt_ms t)
{
	watch_settle_news(s, WATCH_FINISHED, t);
	assert_int_equal(s->due, t + WATCH_QUIET_MS);
	assert_int_equal(watch_settle_step(s, file, 0, s->due), SETTLE_WAIT);
	assert_int_equal(s->due, t + WATCH_QUIET_MS + WATCH_SETTLE_MS);
	assert_int_equal(watch_settle_step(s, file, 0, s->due), SETTLE_READ);
	assert_int_equal(s->due, KT_NEVER);
	return t + WATCH_QUIET_MS + WATCH_SETTLE_MS;
}

static void test_finished_save_read_after_a_second(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "[routine]\nname = A\n");
	struct settle s = {.due = KT_NEVER};
	kt_ms at = settle_to_read(&s, d.file, 1000);
	assert_int_equal(at, 2000);
	assert_true(watch_settle_confirm(&s, d.file, at));
	uint64_t sum;
	assert_int_equal(watch_fingerprint(d.file, &sum), 0);
	assert_true(watch_settle_sum(&s) == sum);
	/* The same bytes saved again: settled, and nothing new to read. */
	watch_settle_news(&s, WATCH_FINISHED, 5000);
	assert_int_equal(watch_settle_step(&s, d.file, sum, s.due),
			 SETTLE_WAIT);
	assert_int_equal(watch_settle_step(&s, d.file, sum, s.due),
			 SETTLE_SAME);
	assert_int_equal(s.due, KT_NEVER);
	tmp_dir_remove(d.path);
}

static void test_writer_at_work_is_not_looked_at(void **state)
{
	(void)state;
	struct settle s = {.due = KT_NEVER};
	watch_settle_news(&s, WATCH_WRITING, 100);
	assert_int_equal(s.due, KT_NEVER);
	/* A chmod while it writes ends nothing. */
	watch_settle_news(&s, WATCH_TOUCHED, 200);
	assert_int_equal(s.due, KT_NEVER);
	/* SIGHUP waits for it, however many come. */
	assert_true(watch_settle_ask(&s, 300));
	assert_true(watch_settle_ask(&s, 400));
	assert_int_equal(s.due, KT_NEVER);
	/* Closed: the settle starts, and SIGHUP's read is still owed. */
	watch_settle_news(&s, WATCH_FINISHED, 10000);
	assert_int_equal(s.due, 10000 + WATCH_QUIET_MS);
	assert_true(s.asked);
	/* Nothing to report: nothing changes. */
	watch_settle_news(&s, WATCH_NONE, 10100);
	assert_int_equal(s.due, 10000 + WATCH_QUIET_MS);
}

/* Changed between the two looks, or an event between them: the wait
 * starts over from the newer look. */
static void test_change_between_looks_starts_over(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "[routine]\nname = A\n");
	struct settle s = {.due = KT_NEVER};
	watch_settle_news(&s, WATCH_FINISHED, 0);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_WAIT);
	/* The same size, other bytes, no event seen (a link's target). */
	write_file(d.file, "[routine]\nname = B\n");
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_WAIT);
	assert_int_equal(s.due, WATCH_QUIET_MS + 2 * WATCH_SETTLE_MS);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_READ);
	assert_true(watch_settle_confirm(&s, d.file, s.due));
	/* An event between the looks: the first look is forgotten. */
	watch_settle_news(&s, WATCH_FINISHED, 5000);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_WAIT);
	watch_settle_news(&s, WATCH_TOUCHED, 5500);
	assert_int_equal(s.due, 5500 + WATCH_QUIET_MS);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_WAIT);
	tmp_dir_remove(d.path);
}

/* Bytes that changed while the file was read are dropped, and the wait
 * starts again. */
static void test_change_during_read_dropped(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "[routine]\nname = A\n");
	struct settle s = {.due = KT_NEVER};
	kt_ms at = settle_to_read(&s, d.file, 0);
	write_file(d.file, "[routine]\nname = A longer one\n");
	assert_false(watch_settle_confirm(&s, d.file, at));
	assert_int_equal(s.due, at + WATCH_QUIET_MS);
	tmp_dir_remove(d.path);
}

/* SIGHUP: a storm is one settle; a file that is not there is GONE; one
 * that cannot be read goes to the loader, which says why. */
static void test_sighup(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	struct settle s = {.due = KT_NEVER};
	for (int i = 0; i < 100; i++)
		assert_false(watch_settle_ask(&s, 1000 + i));
	assert_int_equal(s.due, 1000 + WATCH_QUIET_MS);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_GONE);
	assert_false(s.asked);
	assert_int_equal(s.due, KT_NEVER);
	/* Asked for: read although the bytes are the ones read before. */
	write_file(d.file, "x\n");
	uint64_t sum;
	assert_int_equal(watch_fingerprint(d.file, &sum), 0);
	watch_settle_ask(&s, 2000);
	assert_int_equal(watch_settle_step(&s, d.file, sum, s.due),
			 SETTLE_WAIT);
	assert_int_equal(watch_settle_step(&s, d.file, sum, s.due),
			 SETTLE_READ);
	assert_true(watch_settle_confirm(&s, d.file, s.due));
	/* A folder where the file should be: the loader says what it is. */
	assert_int_equal(unlink(d.file), 0);
	assert_int_equal(mkdir(d.file, 0755), 0);
	watch_settle_ask(&s, 3000);
	assert_int_equal(watch_settle_step(&s, d.file, 0, s.due), SETTLE_READ);
	assert_true(watch_settle_confirm(&s, d.file, 4000));
	tmp_dir_remove(d.path);
}

/* The kernel's events for each kind of writer, as watch_changed sums
 * them up: the last one decides. */
static void test_events_of_writers(void **state)
{
	(void)state;
	struct dir d;
	make_dir(&d);
	write_file(d.file, "old\n");
	struct watch *w = watch_open(d.file);
	assert_non_null(w);
	bool gone;
	assert_int_equal(watch_changed(w, &gone), WATCH_NONE);

	int fd = open(d.file, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "half", 4), 4);
	assert_int_equal(watch_changed(w, &gone), WATCH_WRITING);
	assert_int_equal(fchmod(fd, 0640), 0);
	assert_int_equal(watch_changed(w, &gone), WATCH_TOUCHED);
	assert_int_equal(write(fd, " whole\n", 7), 7);
	close(fd);
	assert_int_equal(watch_changed(w, &gone), WATCH_FINISHED);

	/* Another file in the folder is not ours. */
	char other[160];
	snprintf(other, sizeof other, "%s/other", d.path);
	write_file(other, "x\n");
	assert_int_equal(watch_changed(w, &gone), WATCH_NONE);
	/* Renamed into place; deleted. */
	assert_int_equal(rename(other, d.file), 0);
	assert_int_equal(watch_changed(w, &gone), WATCH_FINISHED);
	assert_int_equal(unlink(d.file), 0);
	assert_int_equal(watch_changed(w, &gone), WATCH_FINISHED);
	assert_false(gone);
	watch_close(w);
	tmp_dir_remove(d.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_finished_save_read_after_a_second),
	    cmocka_unit_test(test_writer_at_work_is_not_looked_at),
	    cmocka_unit_test(test_change_between_looks_starts_over),
	    cmocka_unit_test(test_change_during_read_dropped),
	    cmocka_unit_test(test_sighup),
	    cmocka_unit_test(test_events_of_writers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
