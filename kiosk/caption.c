/*
 * caption.c - spoken lines and countdowns as terminal text.
 */
#include "caption.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct caption {
	FILE *out;
	bool tty, keys_help;
	bool status_open; /* a countdown line is drawn and not yet ended */
	char shown[128];  /* what it shows, to draw again under a caption */
	int last_index;
};

struct caption *caption_open(FILE *out, bool keys_help)
{
	struct caption *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->out = out;
	c->tty = isatty(fileno(out));
	c->keys_help = keys_help;
	return c;
}

void caption_close(struct caption *c)
{
	if (c && c->status_open)
		fputc('\n', c->out);
	free(c);
}

/* Wipe the countdown line; the cursor is left at its start. */
static void clear_status(struct caption *c)
{
	if (c->status_open)
		fputs("\r\033[K", c->out);
}

/* The countdown is over: what follows starts on a fresh line. */
static void end_status(struct caption *c)
{
	clear_status(c);
	c->status_open = false;
}

/* The one line that is redrawn in place (terminals only). */
static void status(struct caption *c, const char *line, const char *extra)
{
	if (!c->tty)
		return;
	clear_status(c);
	snprintf(c->shown, sizeof c->shown, "      %s   %s", line, extra);
	fputs(c->shown, c->out);
	c->status_open = true;
}

/* The fields the list (engine.h) marks CAP_SHOW, as far as they apply,
 * with a space between: "in 3". */
#define SF_CAPTION_SF_TEXT(v, namer) "%s", v
#define SF_CAPTION_SF_INT(v, namer)  "%d", v
#define SF_CAPTION_SF_BOOL(v, namer) "%s", v ? "yes" : "no"
#define SF_CAPTION_SF_NAME(v, namer) "%s", namer(v)
#define FIELD_CAPTION(ctype, name, dims, type, namer, key, key0, when, cap)    \
	if (cap == CAP_SHOW && (when) && n < size)                             \
		n += (size_t)snprintf(out + n, size - n, "%s", n ? " " : "");  \
	if (cap == CAP_SHOW && (when) && n < size)                             \
		n += (size_t)snprintf(out + n, size - n,                       \
				      SF_CAPTION_##type(s->name, namer));

static void status_fields(const struct screen *s, char *out, size_t size)
{
	size_t n = 0;
	out[0] = '\0';
	SCREEN_FIELDS(FIELD_CAPTION)
}

/* A spoken line goes above the countdown, which stays on the bottom line:
 * a count spoken every second must not wipe the time left. */
static void say(struct caption *c, const char *text)
{
	clear_status(c);
	fprintf(c->out, "  > %s\n", text);
	if (c->status_open)
		fputs(c->shown, c->out);
}

static void screen(struct caption *c, const struct screen *s)
{
	char breath[64], line[64];
	status_fields(s, breath, sizeof breath);
	if (s->index && s->index != c->last_index) {
		end_status(c);
		fprintf(c->out, "\n  [%d/%d] %s\n", s->index, s->exercises,
			s->title);
	}
	c->last_index = s->index;
	switch (s->kind) {
	case SCREEN_ATTRACT:
		end_status(c);
		fprintf(c->out, "\n  == %s == about %d minutes\n", s->title,
			s->minutes);
		if (c->keys_help)
			fprintf(c->out,
				"  Keys: space = the big button, l = long "
				"press (stop), m = on/off the mat, q = quit\n");
		break;
	case SCREEN_HOLD:
		snprintf(line, sizeof line, "%d:%02d", s->remaining / 60,
			 s->remaining % 60);
		status(c, line, breath);
		break;
	case SCREEN_REPS:
		snprintf(line, sizeof line, "rep %d of %d", s->rep, s->reps);
		status(c, line, breath);
		break;
	case SCREEN_READY:
	case SCREEN_REST:
		snprintf(line, sizeof line, "%s %d",
			 s->kind == SCREEN_READY ? "get ready" : "rest",
			 s->remaining);
		status(c, line, "");
		break;
	case SCREEN_PAUSED:
		end_status(c);
		fprintf(c->out, "      || paused\n");
		break;
	case SCREEN_DONE:
		end_status(c);
		fprintf(c->out, "\n  Done: %d exercises in %d:%02d\n",
			s->exercises, s->elapsed / 60, s->elapsed % 60);
		break;
	default:
		break;
	}
}

void caption_action(struct caption *c, const struct action *a)
{
	if (!c)
		return;
	switch (a->kind) {
	case ACTION_SAY:
		say(c, a->u.say.text);
		break;
	case ACTION_SHOW:
		screen(c, &a->u.screen);
		break;
	default:
		break;
	}
	fflush(c->out);
}
