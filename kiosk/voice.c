/*
 * voice.c - the routine's voice in eSpeak NG; see voice.h.
 */
#include "voice.h"

#include <string.h>

#include "log.h"

struct speech_voice voice_of(const struct settings *s)
{
	return (struct speech_voice){.language = s->language,
				     .voice = s->voice,
				     .rate = s->rate,
				     .pitch = s->pitch};
}

bool voice_same(const struct settings *a, const struct settings *b)
{
	return !strcmp(a->language, b->language) &&
	       !strcmp(a->voice, b->voice) && a->rate == b->rate &&
	       a->pitch == b->pitch;
}

static struct speech *open_voice(const struct settings *s, char *err, size_t n)
{
	struct speech_voice v = voice_of(s);
	return speech_open(&v, err, n);
}

struct speech *voice_open(const struct routine *r, struct diags *d,
			  struct speech **builtin_voice)
{
	char err[256], probe_err[256];
	*builtin_voice = NULL;
	struct speech *sp = open_voice(&r->settings, err, sizeof err);
	if (sp)
		return sp;
	/* Whose fault? If the built-in voice works, the routine's is bad. */
	struct settings builtin;
	routine_settings_defaults(&builtin);
	struct speech *probe =
	    open_voice(&builtin, probe_err, sizeof probe_err);
	if (probe) {
		*builtin_voice = probe;
		diag_add(d, r->settings.voice_line, "%s", err);
	} else {
		log_msg("speech: eSpeak NG cannot start (%s); every line is "
			"shown as a caption only",
			probe_err);
	}
	return NULL;
}
