/*
 * loop.h - where the kiosk waits: every part that can wake it registers
 * once, with its descriptor and its next wake-up, and loop_wait sleeps in
 * poll() until the earliest of them (after swaylock's loop.c). Adding a
 * part that wakes the kiosk (an input, an output with a device or a
 * timer) is one registration; the loop itself does not change.
 *
 * Unlike swaylock's one-shot timers, a part is asked for its next wake-up
 * and its descriptor each time the loop is about to wait: every part
 * already knows when it is next due (and its descriptor may come and go:
 * a keyboard at end of input, GPIO opened again), so nothing has to be
 * re-armed or removed. A part that is not there answers -1 and KT_NEVER.
 *
 * Virtual clock (--clock virtual): the loop never sleeps; time jumps to
 * the earliest wake-up, and the descriptors are only looked at (poll with
 * no wait), so a run is the same however fast the machine is.
 *
 * Ownership: struct loop lives in its owner (kiosk.c) and allocates
 * nothing; it borrows the clock and each part's context for its whole
 * life. Main thread only.
 */
#ifndef KIOSK_LOOP_H
#define KIOSK_LOOP_H

#include <stdbool.h>

#include "clock.h"
#include "ktime.h"

/* Parts at most: a fixed table, as the kiosk has a fixed set of parts. */
#define LOOP_PARTS 16

/* One part's registration. Any function may be NULL: no descriptor, no
 * wake-up, nothing to do when woken. */
struct loop_part {
	const char *name; /* for the log */
	/* Its descriptor now (-1: none at the moment). */
	int (*fd)(const void *ctx);
	/* When it is next due on the monotonic clock; KT_NEVER: not. */
	kt_ms (*wake)(const void *ctx);
	/* Its descriptor turned readable (or hung up); or, with every_wake,
	 * the loop woke for whatever reason. Deadlines are not called here:
	 * the owner does what is due after loop_wait returns. */
	void (*ready)(void *ctx);
	/* ready after every wake: a part that may have news without its
	 * descriptor saying so (SDL on a console has none). */
	bool every_wake;
};

struct loop {
	struct kclock *clock;
	int count;
	struct {
		const struct loop_part *part;
		void *ctx;
	} reg[LOOP_PARTS];
};

void loop_init(struct loop *l, struct kclock *clock);

/* Register `part` (borrowed: a static table row) with its context. The
 * parts are woken in the order they were added. -1 when the table is
 * full: a bug, logged. */
int loop_add(struct loop *l, const struct loop_part *part, void *ctx);

/* The earliest wake-up of all parts, on the monotonic clock. */
kt_ms loop_next_wake(const struct loop *l);

/* Sleep (real clock) or jump (virtual clock) until a part is due or its
 * descriptor is readable, then call the ready functions of those whose
 * descriptors are, and of every every_wake part. A real-clock sleep
 * towards a wake-up is cut to a minute at most; with no wake-up at all
 * it waits on the descriptors alone (an idle kiosk does not wake). */
void loop_wait(struct loop *l);

#endif
