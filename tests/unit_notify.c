/*
 * unit_notify.c - the sd_notify protocol against a real AF_UNIX datagram
 * socket standing in for systemd: bound in a temporary folder, or as an
 * abstract name, read back message by message.
 */
#include "testutil.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

struct manager {
	char dir[64];
	char path[128]; /* what NOTIFY_SOCKET says */
	int fd;
};

static void bind_socket(struct manager *m, bool abstract)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(m->fd >= 0);
	if (abstract) {
		snprintf(m->path, sizeof m->path, "@kiosk-test-%ld",
			 (long)getpid());
		memcpy(a.sun_path, m->path, strlen(m->path));
		a.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				  strlen(m->path));
	} else {
		snprintf(m->path, sizeof m->path, "%s/notify", m->dir);
		strcpy(a.sun_path, m->path);
		len = sizeof a;
	}
	assert_int_equal(bind(m->fd, (struct sockaddr *)&a, len), 0);
}

/* A stand-in for systemd listening on a fresh socket, and the
 * environment pointing at it. */
static void manager_start(struct manager *m, bool abstract)
{
	strcpy(m->dir, "/tmp/kiosk-notify-XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	bind_socket(m, abstract);
	setenv("NOTIFY_SOCKET", m->path, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void manager_stop(struct manager *m)
{
	close(m->fd);
	if (m->path[0] == '/')
		unlink(m->path);
	rmdir(m->dir);
}

/* The next message, or "" if none comes within a second. */
static const char *next_message(struct manager *m)
{
	static char buf[1024];
	struct pollfd p = {.fd = m->fd, .events = POLLIN};
	buf[0] = '\0';
	if (poll(&p, 1, 1000) == 1) {
		ssize_t n = recv(m->fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
	}
	return buf;
}

/* Nothing waiting: sends are synchronous on a local socket, so anything
 * sent is already queued. */
static bool quiet(struct manager *m)
{
	char c;
	return recv(m->fd, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN;
}

static void test_not_under_systemd_is_a_no_op(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	struct notify *n = notify_open(0);
	assert_null(n);
	/* Every call takes the NULL and does nothing. */
	notify_ready(n, "up");
	notify_status(n, "idle");
	notify_reloading(n);
	notify_stopping(n);
	notify_tick(n, 1000);
	assert_true(notify_wake(n) == KT_NEVER);
	assert_int_equal(notify_watchdog_interval(n), 0);
	notify_close(n);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_null(notify_open(0));
}

static void test_messages_reach_a_path_socket(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	struct notify *n = notify_open(0);
	assert_non_null(n);
	/* Taken out of the environment: a child cannot speak for us. */
	assert_null(getenv("NOTIFY_SOCKET"));
	notify_ready(n, "Idle: Mid-back mobility");
	assert_string_equal(next_message(&m),
			    "READY=1\nSTATUS=Idle: Mid-back mobility");
	notify_status(n, "Session: exercise 2 of 6");
	assert_string_equal(next_message(&m),
			    "STATUS=Session: exercise 2 of 6");
	notify_stopping(n);
	assert_string_equal(next_message(&m), "STOPPING=1");
	notify_ready(n, NULL);
	assert_string_equal(next_message(&m), "READY=1");
	assert_true(quiet(&m));
	notify_close(n);
	manager_stop(&m);
}

static void test_abstract_socket(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, true);
	struct notify *n = notify_open(0);
	assert_non_null(n);
	notify_ready(n, "up");
	assert_string_equal(next_message(&m), "READY=1\nSTATUS=up");
	notify_close(n);
	manager_stop(&m);
}

static void test_status_only_when_it_changes(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	struct notify *n = notify_open(0);
	notify_status(n, "Idle");
	assert_string_equal(next_message(&m), "STATUS=Idle");
	notify_status(n, "Idle");
	notify_status(n, "Idle");
	assert_true(quiet(&m));
	/* READY's status counts as sent too. */
	notify_ready(n, "Session");
	assert_string_equal(next_message(&m), "READY=1\nSTATUS=Session");
	notify_status(n, "Session");
	assert_true(quiet(&m));
	notify_status(n, "Idle");
	assert_string_equal(next_message(&m), "STATUS=Idle");
	notify_close(n);
	manager_stop(&m);
}

static void test_status_is_one_line(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	struct notify *n = notify_open(0);
	/* A routine name with a newline must not become an assignment. */
	notify_status(n, "Routine\nREADY=1");
	assert_string_equal(next_message(&m), "STATUS=Routine READY=1");
	/* Long text is cut at 255 bytes, not inside a character. */
	char longer[600] = "";
	for (int i = 0; i < 150; i++)
		strcat(longer, "\xc3\xbc"); /* u-umlaut, 2 bytes */
	notify_status(n, longer);
	const char *got = next_message(&m);
	assert_int_equal(strlen(got), strlen("STATUS=") + 254);
	assert_int_equal(strncmp(got + 7, longer, 254), 0);
	notify_close(n);
	manager_stop(&m);
}

static void test_reloading_says_when(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	struct notify *n = notify_open(0);
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	unsigned long long before = (unsigned long long)t.tv_sec * 1000000 +
				    (unsigned long long)t.tv_nsec / 1000;
	notify_reloading(n);
	const char *got = next_message(&m);
	unsigned long long usec = 0;
	assert_int_equal(sscanf(got, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec),
			 1);
	assert_true(usec >= before && usec < before + 1000000);
	notify_close(n);
	manager_stop(&m);
}

static void test_watchdog_every_half_interval(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	char pid[32];
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_USEC", "10000000", 1); /* WatchdogSec=10 */
	setenv("WATCHDOG_PID", pid, 1);
	struct notify *n = notify_open(100);
	assert_null(getenv("WATCHDOG_USEC"));
	assert_int_equal(notify_watchdog_interval(n), 5000);
	/* The first ping is due at once. */
	assert_int_equal(notify_wake(n), 100);
	notify_tick(n, 99);
	assert_true(quiet(&m));
	notify_tick(n, 100);
	assert_string_equal(next_message(&m), "WATCHDOG=1");
	assert_int_equal(notify_wake(n), 5100);
	notify_tick(n, 5099);
	assert_true(quiet(&m));
	/* A late wake-up pings at once, and the next is counted from it. */
	notify_tick(n, 5400);
	assert_string_equal(next_message(&m), "WATCHDOG=1");
	assert_int_equal(notify_wake(n), 10400);
	notify_close(n);
	manager_stop(&m);
}

static void test_watchdog_for_another_process(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	setenv("WATCHDOG_USEC", "10000000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	struct notify *n = notify_open(0);
	assert_non_null(n);
	assert_int_equal(notify_watchdog_interval(n), 0);
	assert_true(notify_wake(n) == KT_NEVER);
	notify_tick(n, 100000);
	assert_true(quiet(&m));
	notify_close(n);
	/* No WATCHDOG_PID: the watchdog is ours. A nonsense value: none. */
	setenv("NOTIFY_SOCKET", m.path, 1);
	setenv("WATCHDOG_USEC", "3000", 1);
	n = notify_open(0);
	assert_int_equal(notify_watchdog_interval(n), 1);
	notify_close(n);
	setenv("NOTIFY_SOCKET", m.path, 1);
	setenv("WATCHDOG_USEC", "ten seconds", 1);
	n = notify_open(0);
	assert_int_equal(notify_watchdog_interval(n), 0);
	notify_close(n);
	manager_stop(&m);
}

static void test_unusable_socket_names(void **state)
{
	(void)state;
	const char *bad[] = {"relative/path", "@", "vsock:2:1234"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("NOTIFY_SOCKET", bad[i], 1);
		assert_null(notify_open(0));
	}
	char longer[200] = "/";
	memset(longer + 1, 'x', 150);
	setenv("NOTIFY_SOCKET", longer, 1);
	assert_null(notify_open(0));
	unsetenv("NOTIFY_SOCKET");
}

/* systemd gone, then back: sends fail quietly and a status that could
 * not be sent is sent once the socket is there again. */
static void test_socket_gone_and_back(void **state)
{
	(void)state;
	struct manager m;
	manager_start(&m, false);
	struct notify *n = notify_open(0);
	close(m.fd);
	unlink(m.path);
	notify_status(n, "Idle");
	notify_status(n, "Idle");
	notify_tick(n, 0);
	bind_socket(&m, false);
	notify_status(n, "Idle");
	assert_string_equal(next_message(&m), "STATUS=Idle");
	notify_close(n);
	manager_stop(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_under_systemd_is_a_no_op),
	    cmocka_unit_test(test_messages_reach_a_path_socket),
	    cmocka_unit_test(test_abstract_socket),
	    cmocka_unit_test(test_status_only_when_it_changes),
	    cmocka_unit_test(test_status_is_one_line),
	    cmocka_unit_test(test_reloading_says_when),
	    cmocka_unit_test(test_watchdog_every_half_interval),
	    cmocka_unit_test(test_watchdog_for_another_process),
	    cmocka_unit_test(test_unusable_socket_names),
	    cmocka_unit_test(test_socket_gone_and_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
