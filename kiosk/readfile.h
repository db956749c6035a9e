/*
 * readfile.h - the one way the kiosk reads a file: bounded, never
 * blocking, regular files only.
 *
 * Every file the kiosk reads (the routine file, the script, progress.tsv,
 * sessions.tsv, illustrations, the routine file the watcher fingerprints)
 * comes from staff or from a disk that a power cut may have damaged, and
 * may be anything: a FIFO, /dev/zero, a directory, a symbolic link to a
 * tty, a file still growing. So a file is
 *
 *   - looked at with stat() first, and refused without being opened
 *     unless it is a regular file (opening some devices does something);
 *     /dev/null alone is taken, as an empty file;
 *   - opened O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, so a FIFO put in
 *     its place between the stat() and the open() cannot block, and
 *     checked again with fstat() on what was really opened;
 *   - refused when larger than the cap its caller gives (one per kind of
 *     file, stated in kiosk.8), before anything is read;
 *   - read up to the size fstat() gave at open, and never more than the
 *     cap: a file that grows while read stays what it was, one that
 *     shrinks ends early. Interrupted and short reads are carried on.
 *
 * Errors are return values: -1 with errno set and a sentence for staff in
 * `why` ("is a FIFO, not a file", "larger than 1 MiB"), which the
 * caller prints after the file's name as "FILE: why". Nothing is logged
 * here.
 *
 * Ownership: readfile_all returns memory the caller frees. A struct
 * readfile belongs to its caller (readfile_close). Not thread-safe per
 * struct; no global state.
 */
#ifndef KIOSK_READFILE_H
#define KIOSK_READFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define READFILE_WHY	  128
#define READFILE_LINE_MAX 4096 /* longest TSV line kept; longer is damaged */

struct readfile {
	int fd;
	off_t left; /* bytes still to read: the size at open, capped */
	char why[READFILE_WHY];
	/* readfile_line's buffer */
	char buf[READFILE_LINE_MAX + 1];
	size_t have, at;
	bool eof;
};

/* Open `path` for reading if it is a regular file of at most `max`
 * bytes. 0, or -1 with errno (ENOENT when it does not exist; EINVAL when
 * it is not a regular file; EFBIG when it is too large) and f->why. */
int readfile_open(struct readfile *f, const char *path, off_t max);
void readfile_close(struct readfile *f);

/* Up to n bytes; 0 at the end (of the file or of its size at open), -1
 * with errno and f->why on a read error. */
ssize_t readfile_read(struct readfile *f, void *buf, size_t n);

/* The next line, without its "\n" or "\r\n", into *line (valid until the
 * next call; it may contain NUL bytes: see *len). 1 for a line, 0 at the
 * end, -1 on a read error. *whole is false for a last line that has no
 * newline (torn) and for a line longer than READFILE_LINE_MAX (the rest
 * of it is skipped; *line holds its start). */
int readfile_line(struct readfile *f, const char **line, size_t *len,
		  bool *whole);

/* The whole file (at most max bytes), NUL-terminated, into a new buffer;
 * its length in *len. NULL with errno and `why` (READFILE_WHY bytes). */
char *readfile_all(const char *path, size_t max, size_t *len, char *why);

/* "1 MiB", "64 KiB", "100 bytes": a cap as staff read it. */
const char *readfile_size_text(off_t n, char *buf, size_t size);

#endif
