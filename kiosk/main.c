/*
 * main.c - the kiosk's entry point: the one-shot commands (--help,
 * --version, --print-config, --check, --stats, --reset-progress,
 * --self-test) and otherwise the kiosk itself.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "engine.h"
#include "kiosk.h"
#include "load.h"
#include "progress.h"
#include "selftest.h"
#include "speech.h"
#include "stats.h"
#include "voice.h"

static void print_summary(const char *file, const struct routine *r)
{
	struct engine_options eo = {.have_button = true, .have_mat = true};
	kt_ms total = routine_estimate(r, &eo);
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

/* The voice is tried only once the file itself is good: eSpeak NG knows
 * which voices exist; the file's checker does not. */
static struct routine *check_voice(struct routine *r, struct diags *d)
{
	struct speech *builtin_voice;
	speech_close(voice_open(r, d, &builtin_voice));
	if (!builtin_voice)
		return r; /* good, or eSpeak NG cannot tell here (logged) */
	speech_close(builtin_voice);
	routine_free(r);
	return NULL;
}

static int check(const struct options *o)
{
	const char *path = cli_config_path(o);
	struct diags d;
	diags_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	struct routine *r = load_routine(path, cli_assets_dir(o), &d);
	if (r)
		r = check_voice(r, &d);
	if (r)
		print_summary(d.file, r);
	else
		diags_print(&d, stderr);
	diags_free(&d);
	routine_free(r);
	return r ? 0 : 1;
}

/* --stats: the session record, then the progression of the routine the
 * kiosk would run (its file, or the built-in one when there is none or it
 * has errors, as the kiosk itself does). */
static int stats(const struct options *o)
{
	const char *dir = cli_state_dir(o);
	int status = stats_print(stdout, stderr, dir, time(NULL));
	const char *path = cli_config_path(o);
	struct diags d;
	bool fell_back;
	diags_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	struct routine *r =
	    load_routine_in_use(path, cli_assets_dir(o), &d, &fell_back);
	diags_free(&d);
	if (fell_back)
		fprintf(stderr,
			"kiosk: --stats: %s has errors (kiosk --check shows "
			"them); the progression shown is the built-in "
			"routine's, which the kiosk runs until it is fixed\n",
			path);
	struct progress *p = r ? progress_open(dir) : NULL;
	if (p)
		progress_print(p, r, stdout);
	progress_close(p);
	routine_free(r);
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc = cli_parse(argc, argv, &o, stderr);
	if (rc)
		return rc;
	if (o.help) {
		cli_help(stdout);
		return 0;
	}
	if (o.version) {
		printf("kiosk %s\n", KIOSK_VERSION);
		return 0;
	}
	if (o.print_config) {
		size_t len;
		const char *text = config_builtin(&len);
		return fwrite(text, 1, len, stdout) == len ? 0 : 1;
	}
	if (o.check)
		return check(&o);
	if (o.self_test)
		return selftest_run(&o);
	if (o.reset_progress)
		return progress_reset_command(stdout, stderr, cli_state_dir(&o),
					      o.reset_progress_name);
	if (o.stats)
		return stats(&o);
	return kiosk_run(&o);
}
