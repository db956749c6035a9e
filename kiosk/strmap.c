/*
 * strmap.c - a string-keyed hash table; see strmap.h.
 */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* The slot holding key, or the empty one where it would go. */
static struct strmap_slot *slot_for(const struct strmap *m, const char *key)
{
	size_t mask = m->cap - 1, i = (size_t)text_hash(key) & mask;
	while (m->slot[i].key && strcmp(m->slot[i].key, key))
		i = (i + 1) & mask;
	return &m->slot[i];
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
	if (!m->cap)
		return false;
	const struct strmap_slot *s = slot_for(m, key);
	if (s->key)
		*value = s->value;
	return s->key != NULL;
}

static int grow(struct strmap *m)
{
	struct strmap bigger = {.cap = m->cap ? m->cap * 2 : 64,
				.count = m->count};
	bigger.slot = calloc(bigger.cap, sizeof *bigger.slot);
	if (!bigger.slot)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			*slot_for(&bigger, m->slot[i].key) = m->slot[i];
	free(m->slot);
	*m = bigger;
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t value)
{
	if ((m->count + 1) * 2 > m->cap && grow(m) < 0)
		return -1;
	char *copy = strdup(key);
	if (!copy)
		return -1;
	*slot_for(m, key) = (struct strmap_slot){copy, value};
	m->count++;
	return 0;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slot[i].key);
	free(m->slot);
	m->slot = NULL;
	m->cap = m->count = 0;
}
