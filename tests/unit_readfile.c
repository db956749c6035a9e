/*
 * unit_readfile.c - the bounded reader (readfile.h) against what staff
 * and broken disks put where a file should be: FIFOs, devices, folders,
 * sockets, symbolic links to devices, files over the cap, files that
 * grow or shrink while read, long and CRLF lines; and the name table
 * (strmap.h) the state-file readers look names up in.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "readfile.h"
#include "strmap.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	tmp_dir_make(dir, "readfile");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tmp_dir_remove(dir);
	return 0;
}

static const char *in_dir(const char *name)
{
	return tmp_path(dir, name);
}

/* Refused at once, with errno and a sentence naming what it is. */
static void refused(const char *path, int err, const char *why)
{
	char got[READFILE_WHY];
	size_t len = 99;
	char *text = readfile_all(path, 1024, &len, got);
	assert_null(text);
	assert_int_equal(errno, err);
	assert_int_equal(len, 0);
	if (!strstr(got, why))
		fail_msg("%s: '%s' does not say '%s'", path, got, why);
}

static void test_not_regular_files(void **state)
{
	(void)state;
	assert_int_equal(mkfifo(in_dir("fifo"), 0644), 0);
	refused(in_dir("fifo"), EINVAL, "is a FIFO (named pipe), not a file");
	refused("/dev/zero", EINVAL, "is a device");
	refused("/dev/urandom", EINVAL, "is a device");
	refused(dir, EINVAL, "is a folder, not a file");
	assert_int_equal(symlink("/dev/zero", in_dir("zero-link")), 0);
	refused(in_dir("zero-link"), EINVAL, "is a device");
	assert_int_equal(symlink("/dev/tty", in_dir("tty-link")), 0);
	refused(in_dir("tty-link"), EINVAL, "is a device");
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *sock = in_dir("sock");
	assert_true(strlen(sock) < sizeof sa.sun_path);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	refused(in_dir("sock"), EINVAL, "is a socket, not a file");
	close(s);
	refused(in_dir("missing"), ENOENT,
		"cannot open: No such file or directory");
	assert_int_equal(symlink(in_dir("missing"), in_dir("dangling")), 0);
	refused(in_dir("dangling"), ENOENT, "cannot open");
}

/* /dev/null is the one device taken: an empty file. */
static void test_dev_null_is_empty(void **state)
{
	(void)state;
	char why[READFILE_WHY];
	size_t len = 99;
	char *text = readfile_all("/dev/null", 1024, &len, why);
	assert_non_null(text);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(text);
}

static void test_cap(void **state)
{
	(void)state;
	char big[2048];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	write_file(in_dir("big"), big);
	refused(in_dir("big"), EFBIG, "larger than 1 KiB");
	/* A sparse file of 64 GiB: refused without reading anything. */
	int fd = open(in_dir("sparse"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64LL << 30), 0);
	close(fd);
	refused(in_dir("sparse"), EFBIG, "larger than");
	char a[32];
	assert_string_equal(readfile_size_text(1024 * 1024, a, sizeof a),
			    "1 MiB");
	assert_string_equal(readfile_size_text(16 * 1024, a, sizeof a),
			    "16 KiB");
	assert_string_equal(readfile_size_text(1000, a, sizeof a),
			    "1000 bytes");
}

/* Bytes added after the file was opened are not read; a file cut short
 * while read ends where it now ends. */
static void test_grows_and_shrinks_while_read(void **state)
{
	(void)state;
	struct readfile f;
	char buf[64];
	write_file(in_dir("grow"), "0123456789");
	assert_int_equal(readfile_open(&f, in_dir("grow"), 1024), 0);
	FILE *w = fopen(in_dir("grow"), "a");
	fputs("more bytes that came later", w);
	fclose(w);
	assert_int_equal(readfile_read(&f, buf, sizeof buf), 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_int_equal(readfile_read(&f, buf, sizeof buf), 0);
	readfile_close(&f);

	write_file(in_dir("shrink"), "0123456789");
	assert_int_equal(readfile_open(&f, in_dir("shrink"), 1024), 0);
	assert_int_equal(truncate(in_dir("shrink"), 4), 0);
	assert_int_equal(readfile_read(&f, buf, sizeof buf), 4);
	assert_int_equal(readfile_read(&f, buf, sizeof buf), 0);
	readfile_close(&f);
}

/* Lines: CRLF and LF alike, a torn last line, a NUL kept visible, a
 * line past the buffer skipped whole, a UTF-8 BOM left to the parser. */
static void test_lines(void **state)
{
	(void)state;
	FILE *w = fopen(in_dir("lines"), "wb");
	fputs("one\r\ntwo\n\nnul", w);
	fputc('\0', w);
	fputs("byte\n", w);
	for (int i = 0; i < 3 * READFILE_LINE_MAX; i++)
		fputc('x', w);
	fputs("\nafter the long one\ntorn", w);
	fclose(w);
	struct readfile f;
	const char *line;
	size_t len;
	bool whole;
	assert_int_equal(readfile_open(&f, in_dir("lines"), 1 << 20), 0);
	const struct {
		const char *text;
		size_t len;
		bool whole;
	} want[] = {
	    {"one", 3, true},	  {"two", 3, true},
	    {"", 0, true},	  {"nul\0byte", 8, true},
	    {"", 0, false},	  {"after the long one", 18, true},
	    {"torn", 4, false},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_int_equal(readfile_line(&f, &line, &len, &whole), 1);
		assert_int_equal(len, want[i].len);
		assert_memory_equal(line, want[i].text, len);
		assert_int_equal(whole, want[i].whole);
	}
	assert_int_equal(readfile_line(&f, &line, &len, &whole), 0);
	readfile_close(&f);
}

static void test_strmap(void **state)
{
	(void)state;
	struct strmap m = {0};
	size_t v;
	assert_false(strmap_get(&m, "nothing", &v));
	char key[32];
	for (size_t i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "exercise %zu", i);
		assert_int_equal(strmap_put(&m, key, i), 0);
	}
	assert_int_equal(m.count, 100000);
	for (size_t i = 0; i < 100000; i += 997) {
		snprintf(key, sizeof key, "exercise %zu", i);
		assert_true(strmap_get(&m, key, &v));
		assert_int_equal(v, i);
	}
	assert_false(strmap_get(&m, "exercise 100000", &v));
	assert_false(strmap_get(&m, "", &v));
	strmap_free(&m);
	assert_int_equal(m.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_regular_files),
	    cmocka_unit_test(test_dev_null_is_empty),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_grows_and_shrinks_while_read),
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_strmap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
