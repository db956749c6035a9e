/*
 * check.c - kiosk --check; see check.h.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "engine.h"
#include "glyphs.h"
#include "load.h"
#include "progress.h"
#include "speech.h"
#include "voice.h"

/* Longer than this, a session is surely not what a waiting room wants:
 * said, not refused (a home routine may mean it). */
#define CHECK_LONG_MS (60 * 60 * 1000)

static void print_summary(const char *file, const struct routine *r)
{
	struct engine_options eo = {.have_button = true, .have_mat = true};
	kt_ms total = engine_estimate(r, &eo);
	int secs = (int)((total + 500) / 1000);
	printf("%s: OK. Routine \"%s\": %d exercise%s (", file, r->name,
	       r->exercises, r->exercises == 1 ? "" : "s");
	for (int i = 0; i < r->exercises; i++)
		printf("%s%s", i ? ", " : "", r->exercise[i].name);
	printf("); a session takes about %d min %02d s when every part is "
	       "started at once.",
	       secs / 60, secs % 60);
	/* Said either way: a screen turned off should never go unnoticed. */
	if (!r->redflags_screen)
		printf(" Red-flag screen: OFF (redflags_screen = off).");
	else
		printf(" Red-flag screen: %d line%s%s, then %s.",
		       r->redflags.count, r->redflags.count == 1 ? "" : "s",
		       r->redflags_builtin
			   ? " (the built-in English ones: this file has no "
			     "'redflags' lines of its own)"
			   : "",
		       r->redflags_confirm ? "waits for a press"
					   : "goes on hands-free");
	/* Progression, as read: staff see the file meant what they meant. */
	const char *sep = " Progression: ";
	for (int i = 0; i < r->exercises; i++) {
		char how[200];
		progress_describe(&r->exercise[i], how, sizeof how);
		if (!how[0])
			continue;
		printf("%s%s %s", sep, r->exercise[i].name, how);
		sep = "; ";
	}
	printf("%s\n", sep[0] == ';' ? "." : "");
}

/* eSpeak NG alone knows which voices exist. Asked even when the file has
 * other mistakes (with what was read of it), so a bad voice is never
 * found only once everything else is fixed. */
static void check_voice(const struct routine *r, struct diags *d)
{
	struct speech *builtin_voice;
	speech_close(voice_open(r, d, &builtin_voice));
	speech_close(builtin_voice);
}

/* Asked only of a file with no errors: the length of a routine read in
 * part would mean nothing. */
static void check_length(const struct routine *r, struct diags *d)
{
	struct engine_options eo = {.have_button = true, .have_mat = true};
	if (!load_length_ok(r, d))
		return;
	kt_ms total = engine_estimate(r, &eo);
	if (total > CHECK_LONG_MS)
		diag_warn(d, 0,
			  "a session of this routine takes about %lld "
			  "minutes, more than an hour: check the seconds, "
			  "reps and repeats if that is not meant",
			  (long long)((total + 30000) / 60000));
}

/* Whether the screen's fonts can draw the text: asked of every file,
 * whatever else is wrong with it. */
static void check_glyphs(const char *text, size_t len, struct diags *d)
{
	char err[512];
	struct glyphs *g = glyphs_open(NULL, err, sizeof err);
	if (!g) {
		diag_warn(d, 0,
			  "%s: whether the screen can draw every character "
			  "of the text is not checked",
			  err);
		return;
	}
	struct config_glyphs has = {glyphs_has, g};
	config_check_glyphs(text, len, &has, d);
	glyphs_close(g);
}

int check_run(const struct options *o)
{
	const char *path = cli_config_path(o);
	struct diags d;
	diag_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	d.want_warnings = true;
	char *file_text = NULL;
	size_t len = 0;
	const char *text = config_builtin(&len);
	struct routine *r =
	    path ? config_check_file(path, cli_assets_dir(o), &d, &file_text,
				     &len)
		 : config_check_text(text, len, cli_assets_dir(o), &d);
	bool read_whole = r && !diag_errors(&d);
	if (path)
		text = file_text;
	if (r)
		check_voice(r, &d);
	if (read_whole)
		check_length(r, &d);
	if (text)
		check_glyphs(text, len, &d);
	bool ok = r && !diag_errors(&d);
	diag_print(&d, stderr);
	if (ok)
		print_summary(d.file, r);
	diag_free(&d);
	routine_free(r);
	free(file_text);
	return ok ? 0 : 1;
}
