/*
 * loop.c - poll() over the registered parts; see loop.h.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "log.h"

/* A sleep towards a wake-up is never longer than this: a clock step is
 * caught within a minute. */
#define LOOP_MAX_SLEEP_MS 60000

void loop_init(struct loop *l, struct kclock *clock)
{
	*l = (struct loop){.clock = clock};
}

int loop_add(struct loop *l, const struct loop_part *part, void *ctx)
{
	if (l->count == LOOP_PARTS) {
		log_msg("loop: no room for %s (a bug: please report)",
			part->name);
		return -1;
	}
	l->reg[l->count].part = part;
	l->reg[l->count].ctx = ctx;
	l->count++;
	return 0;
}

kt_ms loop_next_wake(const struct loop *l)
{
	kt_ms due = KT_NEVER;
	for (int i = 0; i < l->count; i++)
		if (l->reg[i].part->wake)
			due = kt_min(due, l->reg[i].part->wake(l->reg[i].ctx));
	return due;
}

/* The poll() timeout that sleeps until `due`; the virtual clock jumps
 * there instead and does not sleep. */
static int timeout_until(struct loop *l, kt_ms due)
{
	if (l->clock->is_virtual) {
		kclock_jump(l->clock, due);
		return 0;
	}
	if (due == KT_NEVER)
		return -1;
	kt_ms wait = due - kclock_now(l->clock);
	return wait <= 0		  ? 0
	       : wait > LOOP_MAX_SLEEP_MS ? LOOP_MAX_SLEEP_MS
					  : (int)wait;
}

void loop_wait(struct loop *l)
{
	struct pollfd fds[LOOP_PARTS];
	for (int i = 0; i < l->count; i++) {
		const struct loop_part *p = l->reg[i].part;
		fds[i] = (struct pollfd){
		    .fd = p->fd ? p->fd(l->reg[i].ctx) : -1, .events = POLLIN};
	}
	int timeout = timeout_until(l, loop_next_wake(l));
	if (poll(fds, (nfds_t)l->count, timeout) < 0 && errno != EINTR)
		log_msg("poll: %s", strerror(errno));
	for (int i = 0; i < l->count; i++) {
		const struct loop_part *p = l->reg[i].part;
		/* An error or a hang-up is news too: the part's read finds
		 * out which, and closes or reopens; left unread, poll()
		 * would return at once, again and again. */
		bool readable = fds[i].revents & (POLLIN | POLLHUP | POLLERR);
		if (p->ready && (readable || p->every_wake))
			p->ready(l->reg[i].ctx);
	}
}
