/*
 * keyboard.h - the terminal as the kiosk's button and mat, for demos and
 * for desks without GPIO: space or Enter = a short press, l = a long press,
 * d = a double press (skip), m = step on or off the mat, q or Esc = quit.
 *
 * A terminal reports key presses, not releases, so keys map straight to
 * gestures (no debouncing). keyboard_open puts the terminal in raw mode;
 * keyboard_close puts it back. Main thread only.
 * Absent parts: keyboard_fd, keyboard_read and keyboard_close take NULL
 * for no terminal (-1, no keys, nothing).
 */
#ifndef KIOSK_KEYBOARD_H
#define KIOSK_KEYBOARD_H

enum key_action {
	KEY_NONE,
	KEY_PRESS,
	KEY_LONG,
	KEY_MAT,
	KEY_QUIT,
	KEY_DOUBLE, /* a double press: keys are gestures, never paired */
};

struct keyboard;

/* NULL when fd is not a terminal. */
struct keyboard *keyboard_open(int fd);
int keyboard_fd(const struct keyboard *k);

/* Read what is waiting; fills out (up to n); returns the count, or -1
 * when the terminal is gone. A terminal hung up (as systemd does to
 * tty1 on `systemctl reload`) is opened again by its name, in raw mode,
 * on the same descriptor: keyboard_fd does not change. */
int keyboard_read(struct keyboard *k, enum key_action *out, int n);
void keyboard_close(struct keyboard *k);

#endif
