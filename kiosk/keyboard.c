/*
 * keyboard.c - raw-mode terminal keys as button and mat gestures.
 */
#include "keyboard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct keyboard {
	int fd;
	struct termios saved;
	char path[64];	    /* the terminal's name; "": not known */
	double reopened_at; /* CLOCK_MONOTONIC seconds; 0: never */
};

/* Keys arrive one at a time and are not echoed; ^C still signals. */
static void make_raw(int fd, struct termios raw)
{
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &raw);
}

struct keyboard *keyboard_open(int fd)
{
	struct termios raw;
	if (!isatty(fd) || tcgetattr(fd, &raw) < 0)
		return NULL;
	struct keyboard *k = malloc(sizeof *k);
	if (!k)
		return NULL;
	k->fd = fd;
	k->saved = raw;
	if (ttyname_r(fd, k->path, sizeof k->path) != 0)
		k->path[0] = '\0';
	k->reopened_at = 0;
	make_raw(fd, raw);
	return k;
}

/* The terminal was hung up under the kiosk: its descriptor reads 0 (or
 * EIO) for ever. systemd does that to tty1 for every command the unit
 * runs, `systemctl reload`'s kill -HUP too (TTYVHangup=, TTYReset=), so
 * a keyboard on the appliance stopped after the first reload. The same
 * terminal is opened again by name onto the same descriptor number (the
 * loop keeps polling it) and made raw again; a terminal that is really
 * gone (a closed pseudo-terminal) cannot be, and that is the end. At most
 * once a second, so that a terminal hung up over and over cannot make the
 * loop spin. */
static int reopen(struct keyboard *k)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	double now = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
	if (!k->path[0] || (k->reopened_at && now - k->reopened_at < 1))
		return -1;
	k->reopened_at = now;
	int fd = open(k->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct termios raw;
	bool ok = fd >= 0 && isatty(fd) && tcgetattr(fd, &raw) == 0 &&
		  dup2(fd, k->fd) >= 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		return -1;
	make_raw(k->fd, raw);
	return 0;
}

int keyboard_fd(const struct keyboard *k)
{
	return k ? k->fd : -1;
}

int keyboard_read(struct keyboard *k, enum key_action *out, int n)
{
	if (!k)
		return 0;
	char buf[64];
	ssize_t got = read(k->fd, buf, sizeof buf);
	/* A terminal reads 0 or fails with EIO only once hung up (in raw
	 * mode, with nothing to read, poll() does not wake us). Opened
	 * again if it can be; if not, the end: said once by the caller,
	 * rather than woken by it for ever. */
	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
		return reopen(k);
	int count = 0;
	for (ssize_t i = 0; i < got && count < n; i++) {
		enum key_action a = KEY_NONE;
		switch (buf[i]) {
		case ' ':
		case '\n':
		case '\r':
			a = KEY_PRESS;
			break;
		case 'l':
		case 'L':
			a = KEY_LONG;
			break;
		case 'm':
		case 'M':
			a = KEY_MAT;
			break;
		case 'd':
		case 'D':
			a = KEY_DOUBLE;
			break;
		case 'q':
		case 'Q':
			a = KEY_QUIT;
			break;
		case '\033':
			/* Esc alone quits; Esc starting a sequence (arrows)
			 * not. */
			if (got == 1)
				a = KEY_QUIT;
			i = got;
			break;
		}
		if (a != KEY_NONE)
			out[count++] = a;
	}
	return count;
}

void keyboard_close(struct keyboard *k)
{
	if (!k)
		return;
	tcsetattr(k->fd, TCSANOW, &k->saved);
	free(k);
}
