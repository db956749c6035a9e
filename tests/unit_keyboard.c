/*
 * unit_keyboard.c - the terminal as button and mat, on a pseudo-terminal:
 * keys map to gestures; a terminal hung up under the kiosk (systemd does
 * it to tty1 on every `systemctl reload`) is opened again and keeps
 * working; one that is really gone ends the keyboard.
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "keyboard.h"

struct pty {
	int master, slave;
};

static void pty_open(struct pty *p)
{
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(p->master >= 0);
	assert_int_equal(grantpt(p->master), 0);
	assert_int_equal(unlockpt(p->master), 0);
	p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
	assert_true(p->slave >= 0);
}

static void type(const struct pty *p, const char *keys)
{
	size_t n = strlen(keys);
	assert_int_equal(write(p->master, keys, n), (ssize_t)n);
	usleep(20000); /* through the line discipline */
}

static void test_keys_are_gestures(void **state)
{
	(void)state;
	struct pty p;
	pty_open(&p);
	struct keyboard *k = keyboard_open(p.slave);
	assert_non_null(k);
	struct termios t;
	assert_int_equal(tcgetattr(p.slave, &t), 0);
	assert_false(t.c_lflag & ICANON);
	type(&p, " lmdq");
	enum key_action a[8];
	assert_int_equal(keyboard_read(k, a, 8), 5);
	assert_int_equal(a[0], KEY_PRESS);
	assert_int_equal(a[1], KEY_LONG);
	assert_int_equal(a[2], KEY_MAT);
	assert_int_equal(a[3], KEY_DOUBLE);
	assert_int_equal(a[4], KEY_QUIT);
	assert_int_equal(keyboard_read(k, a, 8), 0); /* nothing waiting */
	keyboard_close(k);
	assert_int_equal(tcgetattr(p.slave, &t), 0);
	assert_true(t.c_lflag & ICANON); /* put back */
	close(p.slave), close(p.master);
}

/* What systemd's TTYVHangup= does to the unit's terminal: every
 * descriptor of it reads 0 from then on. The keyboard opens the terminal
 * again, raw, on the same descriptor, and keys go on arriving. */
static void test_hung_up_terminal_is_opened_again(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* TIOCVHANGUP needs CAP_SYS_ADMIN */
	struct pty p;
	pty_open(&p);
	struct keyboard *k = keyboard_open(p.slave);
	assert_non_null(k);
	if (ioctl(p.slave, TIOCVHANGUP) < 0) {
		/* qemu-user (make check-cross) does not pass this ioctl
		 * on; the native runs hang the terminal up for real. */
		keyboard_close(k);
		close(p.slave), close(p.master);
		skip();
	}
	char c;
	assert_int_equal(read(p.slave, &c, 1), 0); /* hung up */
	enum key_action a[8];
	assert_int_equal(keyboard_read(k, a, 8), 0); /* opened again */
	assert_int_equal(keyboard_fd(k), p.slave);
	struct termios t;
	assert_int_equal(tcgetattr(p.slave, &t), 0);
	assert_false(t.c_lflag & ICANON); /* raw again */
	type(&p, "m");
	assert_int_equal(keyboard_read(k, a, 8), 1);
	assert_int_equal(a[0], KEY_MAT);
	keyboard_close(k);
	close(p.slave), close(p.master);
}

/* The other side of a pseudo-terminal closed: nothing to open again. */
static void test_gone_terminal_ends_the_keyboard(void **state)
{
	(void)state;
	struct pty p;
	pty_open(&p);
	struct keyboard *k = keyboard_open(p.slave);
	assert_non_null(k);
	close(p.master);
	enum key_action a[8];
	assert_int_equal(keyboard_read(k, a, 8), -1);
	keyboard_close(k);
	close(p.slave);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_are_gestures),
	    cmocka_unit_test(test_hung_up_terminal_is_opened_again),
	    cmocka_unit_test(test_gone_terminal_ends_the_keyboard),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
