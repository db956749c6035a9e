/*
 * strmap.h - names to numbers, in time that does not grow with how many
 * there are: an open-addressing hash table (FNV-1a, linear probing,
 * doubled at 1/2 full).
 *
 * For the readers of the state files, which meet as many distinct
 * exercise names as a file holds (progress.tsv at start, sessions.tsv in
 * --stats): looking each up in a list made 100 000 names take seconds.
 *
 * Ownership: the map copies each key and owns the copies (strmap_free).
 * A zeroed struct strmap is an empty map. Not thread-safe.
 */
#ifndef KIOSK_STRMAP_H
#define KIOSK_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
	char *key; /* NULL: empty */
	size_t value;
};

struct strmap {
	struct strmap_slot *slot;
	size_t cap, count; /* cap: 0 or a power of two */
};

/* true and *value when key is in the map. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);

/* Add key (not already there) with value: 0, or -1 out of memory (the
 * map is unchanged). */
int strmap_put(struct strmap *m, const char *key, size_t value);

void strmap_free(struct strmap *m);

#endif
