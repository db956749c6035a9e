/*
 * main.c - the kiosk's entry point: the one-shot commands (--help,
 * --version, --print-config, --check, --stats, --reset-progress,
 * --self-test) and otherwise the kiosk itself.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
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
	diag_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	struct routine *r =
	    load_routine_in_use(path, cli_assets_dir(o), &d, &fell_back);
	diag_free(&d);
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
		return check_run(&o);
	if (o.self_test)
		return selftest_run(&o);
	if (o.reset_progress)
		return progress_reset_command(stdout, stderr, cli_state_dir(&o),
					      o.reset_progress_name);
	if (o.stats)
		return stats(&o);
	return kiosk_run(&o);
}
