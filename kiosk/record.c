/*
 * record.c - writing the JSON Lines event record.
 */
#include "record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct record {
	FILE *f;
	bool owned;
	bool failed; /* a write failed: logged once, nothing more written */
	char path[256];
};

struct record *record_open(const char *path)
{
	struct record *rec = calloc(1, sizeof *rec);
	if (!rec)
		return NULL;
	if (!strcmp(path, "-")) {
		rec->f = stdout;
	} else {
		rec->f = fopen(path, "w");
		rec->owned = true;
	}
	if (!rec->f) {
		free(rec);
		return NULL;
	}
	snprintf(rec->path, sizeof rec->path, "%s", path);
	return rec;
}

/* A write failed (a full disk, a pipe's reader gone): said once, and the
 * record ends there rather than going on with a hole in it. The kiosk
 * itself goes on. */
static void give_up(struct record *rec, int err)
{
	log_msg("cannot write the event record %s: %s; going on without it",
		rec->path, strerror(err));
	rec->failed = true;
	if (rec->owned)
		fclose(rec->f); /* its last try; fails again or ends it whole */
	rec->f = NULL;
}

void record_close(struct record *rec)
{
	if (!rec)
		return;
	if (!rec->failed) {
		int rc = rec->owned ? fclose(rec->f) : fflush(rec->f);
		if (rc != 0) {
			rec->owned = false; /* closed already */
			give_up(rec, errno);
		}
	}
	free(rec);
}

void record_flush(struct record *rec)
{
	if (rec && !rec->failed && (fflush(rec->f) != 0 || ferror(rec->f)))
		give_up(rec, errno ? errno : EIO);
}

void record_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void begin(struct record *rec, kt_ms t, const char *type)
{
	fprintf(rec->f, "{\"t\":%lld.%03lld,\"type\":\"%s\"",
		(long long)(t / 1000), (long long)(t % 1000), type);
}

static void str(struct record *rec, const char *key, const char *v)
{
	fprintf(rec->f, ",\"%s\":", key);
	record_json_string(rec->f, v);
}

static void num(struct record *rec, const char *key, long long v)
{
	fprintf(rec->f, ",\"%s\":%lld", key, v);
}

static void boolean(struct record *rec, const char *key, bool v)
{
	fprintf(rec->f, ",\"%s\":%s", key, v ? "true" : "false");
}

/* Each field of the screen the list (engine.h) says to write, in its
 * order, under the key it names. */
#define SF_WRITE_SF_TEXT(key, v, namer) str(rec, key, v)
#define SF_WRITE_SF_INT(key, v, namer)	num(rec, key, v)
#define SF_WRITE_SF_BOOL(key, v, namer) boolean(rec, key, v)
#define SF_WRITE_SF_NAME(key, v, namer) str(rec, key, namer(v))
#define FIELD_WRITE(ctype, name, dims, type, namer, key, key0, when, cap)      \
	if (when)                                                              \
		SF_WRITE_##type(s->index ? key : key0, s->name, namer);

static void screen(struct record *rec, const struct screen *s)
{
	SCREEN_FIELDS(FIELD_WRITE)
}

void record_action(struct record *rec, kt_ms t, const struct action *a)
{
	if (!rec || rec->failed)
		return;
	switch (a->kind) {
	case ACTION_STATE:
		begin(rec, t, "state");
		str(rec, "state", engine_state_name(a->u.state));
		break;
	case ACTION_SAY:
		begin(rec, t, "say");
		str(rec, "text", a->u.say.text);
		num(rec, "ms", a->u.say.duration);
		break;
	case ACTION_HUSH:
		begin(rec, t, "hush");
		break;
	case ACTION_SHOW:
		begin(rec, t, "screen");
		screen(rec, &a->u.screen);
		break;
	case ACTION_CHIME:
		begin(rec, t, "chime");
		str(rec, "chime", a->u.chime == CHIME_START ? "start" : "end");
		break;
	case ACTION_EXERCISE:
		begin(rec, t, "exercise");
		num(rec, "index", a->u.exercise.index);
		str(rec, "name", a->u.exercise.name);
		break;
	case ACTION_PART:
		begin(rec, t, "part");
		str(rec, "event", a->u.part.start ? "start" : "end");
		num(rec, "index", a->u.part.index);
		num(rec, "repeat", a->u.part.repeat);
		str(rec, "kind", routine_kind_name(a->u.part.kind));
		num(rec, "seconds", a->u.part.seconds);
		break;
	case ACTION_SESSION:
		begin(rec, t, "session");
		str(rec, "result", engine_result_name(a->u.session.result));
		num(rec, "index", a->u.session.index);
		if (a->u.session.quit)
			fputs(",\"quit\":true", rec->f);
		if (a->u.session.redflags)
			fputs(",\"redflags\":true", rec->f);
		if (a->u.session.skipped)
			num(rec, "skipped", a->u.session.skipped);
		break;
	case ACTION_CHECK_IN:
		begin(rec, t, "check_in");
		num(rec, "seconds", ENGINE_CHECK_IN_WAIT / 1000);
		break;
	case ACTION_SKIP:
		begin(rec, t, "skip");
		num(rec, "index", a->u.exercise.index);
		str(rec, "name", a->u.exercise.name);
		break;
	case ACTION_CONFIRMED:
		begin(rec, t, "confirmed");
		str(rec, "screen", engine_screen_name(SCREEN_REDFLAGS));
		break;
	}
	fputs("}\n", rec->f);
}

void record_input(struct record *rec, kt_ms t, const char *source,
		  const char *gesture)
{
	if (!rec || rec->failed)
		return;
	begin(rec, t, "input");
	str(rec, "source", source);
	str(rec, "gesture", gesture);
	fputs("}\n", rec->f);
}
