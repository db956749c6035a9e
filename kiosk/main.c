/*
 * main.c - the kiosk's entry point: the one-shot commands (--help,
 * --version, --print-config, --check) and otherwise the kiosk itself.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "engine.h"
#include "kiosk.h"

static void print_summary(const char *file, const struct routine *r)
{
	struct engine_options eo = {.have_mat = true};
	kt_ms total = routine_estimate(r, &eo);
	int secs = (int)((total + 500) / 1000);
	printf("%s: OK. Routine \"%s\": %d exercise%s (", file, r->name,
	       r->exercises, r->exercises == 1 ? "" : "s");
	for (int i = 0; i < r->exercises; i++)
		printf("%s%s", i ? ", " : "", r->exercise[i].name);
	printf("); a session takes about %d min %02d s when every part is "
	       "started at once.\n",
	       secs / 60, secs % 60);
}

static int check(const struct options *o)
{
	const char *path = cli_config_path(o);
	const char *assets = cli_assets_dir(o);
	struct diags d;
	struct routine *r;
	diags_init(&d, path ? path : CONFIG_BUILTIN_NAME);
	if (path) {
		r = config_load_file(path, assets, &d);
	} else {
		size_t len;
		const char *text = config_builtin(&len);
		r = config_load_text(text, len, NULL, assets, &d);
	}
	if (r)
		print_summary(d.file, r);
	else
		diags_print(&d, stderr);
	diags_free(&d);
	routine_free(r);
	return r ? 0 : 1;
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
	return kiosk_run(&o);
}
