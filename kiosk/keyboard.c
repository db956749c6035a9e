/*
 * keyboard.c - raw-mode terminal keys as button and mat gestures.
 */
#include "keyboard.h"

#include <errno.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

struct keyboard {
	int fd;
	struct termios saved;
};

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
	/* Keys arrive one at a time and are not echoed; ^C still signals. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &raw);
	return k;
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
	/* The end, or a terminal gone bad (EIO after a hang-up): said once
	 * by the caller, rather than woken by it forever. */
	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
		return -1;
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
