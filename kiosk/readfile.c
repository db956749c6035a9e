/*
 * readfile.c - bounded, non-blocking reading of regular files; see
 * readfile.h.
 */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *readfile_size_text(off_t n, char *buf, size_t size)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(buf, size, "%lld MiB", (long long)n / (1024 * 1024));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, size, "%lld KiB", (long long)n / 1024);
	else
		snprintf(buf, size, "%lld bytes", (long long)n);
	return buf;
}

/* What a file that is not a regular file is, for the message. */
static const char *kind_of(mode_t m)
{
	return S_ISDIR(m)    ? "is a folder, not a file"
	       : S_ISFIFO(m) ? "is a FIFO (named pipe), not a file"
	       : S_ISCHR(m)  ? "is a device (like /dev/zero or a tty), not a "
			       "file"
	       : S_ISBLK(m)  ? "is a disk device, not a file"
	       : S_ISSOCK(m) ? "is a socket, not a file"
			     : "is not a regular file";
}

static int refuse(struct readfile *f, int err, const char *why)
{
	snprintf(f->why, sizeof f->why, "%s", why);
	errno = err;
	return -1;
}

static int cannot_open(struct readfile *f)
{
	int e = errno;
	snprintf(f->why, sizeof f->why, "cannot open: %s", strerror(e));
	errno = e;
	return -1;
}

/* /dev/null is read as an empty file: "--input script:/dev/null" is the
 * usual way to say "no events", and reading it cannot block or grow. */
static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 &&
	       minor(st->st_rdev) == 3;
}

/* Regular, and no larger than max: 0, or -1 with f->why. */
static int judge(struct readfile *f, const struct stat *st, off_t max)
{
	char a[32];
	if (is_dev_null(st))
		return 0;
	if (!S_ISREG(st->st_mode))
		return refuse(f, EINVAL, kind_of(st->st_mode));
	if (st->st_size > max) {
		snprintf(f->why, sizeof f->why,
			 "larger than %s, the most this kind of file may be",
			 readfile_size_text(max, a, sizeof a));
		errno = EFBIG;
		return -1;
	}
	return 0;
}

int readfile_open(struct readfile *f, const char *path, off_t max)
{
	struct stat st;
	f->fd = -1;
	f->left = 0;
	f->have = f->at = 0;
	f->eof = false;
	f->why[0] = '\0';
	/* Judged before opening: opening a device may itself act. */
	if (stat(path, &st) < 0)
		return cannot_open(f);
	if (judge(f, &st, max) < 0)
		return -1;
	f->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f->fd < 0)
		return cannot_open(f);
	/* Again on what was opened: it may have been swapped meanwhile. */
	if (fstat(f->fd, &st) < 0 || judge(f, &st, max) < 0) {
		int e = errno;
		if (!f->why[0])
			snprintf(f->why, sizeof f->why, "%s", strerror(e));
		close(f->fd);
		f->fd = -1;
		errno = e;
		return -1;
	}
	f->left = is_dev_null(&st) ? 0 : st.st_size;
	return 0;
}

void readfile_close(struct readfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

ssize_t readfile_read(struct readfile *f, void *buf, size_t n)
{
	size_t got = 0;
	if ((off_t)n > f->left)
		n = (size_t)f->left;
	while (got < n) {
		ssize_t r = read(f->fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(f->why, sizeof f->why, "cannot read: %s",
				 strerror(errno));
			return -1;
		}
		if (r == 0) { /* it shrank: what is there is all */
			f->left = (off_t)got;
			break;
		}
		got += (size_t)r;
	}
	f->left -= (off_t)got;
	return (ssize_t)got;
}

/* Move what is unread to the front and fill the rest. */
static int refill(struct readfile *f)
{
	memmove(f->buf, f->buf + f->at, f->have - f->at);
	f->have -= f->at;
	f->at = 0;
	ssize_t r = readfile_read(f, f->buf + f->have,
				  READFILE_LINE_MAX - f->have);
	if (r < 0)
		return -1;
	f->have += (size_t)r;
	f->eof = f->left == 0;
	return 0;
}

static char *newline_in(struct readfile *f)
{
	return memchr(f->buf + f->at, '\n', f->have - f->at);
}

/* A line longer than the buffer: drop it up to its newline. */
static int skip_line(struct readfile *f)
{
	for (;;) {
		char *nl = newline_in(f);
		if (nl) {
			f->at = (size_t)(nl - f->buf) + 1;
			return 0;
		}
		f->at = f->have;
		if (f->eof)
			return 0;
		if (refill(f) < 0)
			return -1;
	}
}

int readfile_line(struct readfile *f, const char **line, size_t *len,
		  bool *whole)
{
	char *nl = newline_in(f);
	if (!nl && !f->eof) {
		if (refill(f) < 0)
			return -1;
		nl = newline_in(f);
	}
	if (f->at == f->have)
		return 0; /* refill read nothing more: the end */
	char *start = f->buf + f->at;
	*whole = nl != NULL;
	if (nl) {
		*len = (size_t)(nl - start);
		f->at += *len + 1;
	} else if (!f->eof) { /* the buffer is full and has no newline */
		if (skip_line(f) < 0)
			return -1;
		*line = "";
		*len = 0;
		return 1;
	} else { /* the last line, torn */
		*len = f->have - f->at;
		f->at = f->have;
	}
	if (*len && start[*len - 1] == '\r')
		--*len;
	start[*len] = '\0';
	*line = start;
	return 1;
}

char *readfile_all(const char *path, size_t max, size_t *len, char *why)
{
	struct readfile f;
	char *text = NULL;
	*len = 0;
	if (readfile_open(&f, path, (off_t)max) < 0)
		goto out;
	text = malloc((size_t)f.left + 1);
	if (!text) {
		refuse(&f, ENOMEM, "out of memory");
		goto out;
	}
	ssize_t n = readfile_read(&f, text, (size_t)f.left);
	if (n < 0) {
		free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
	*len = (size_t)n;
out:;
	int e = errno;
	snprintf(why, READFILE_WHY, "%s", f.why);
	readfile_close(&f);
	errno = e;
	return text;
}
