/*
 * load.c - reading a routine; see load.h.
 */
#include "load.h"

#include "config.h"
#include "engine.h"
#include "log.h"
#include "sessionlog.h"

/* The session record holds sessions of up to SESSIONLOG_SECONDS_MAX: a
 * routine whose one session would last longer is refused, so the kiosk
 * never writes a length it would not read back. */
bool load_length_ok(const struct routine *r, struct diags *d)
{
	struct engine_options eo = {.have_button = true, .have_mat = true};
	kt_ms total = engine_estimate(r, &eo);
	if (total <= (kt_ms)SESSIONLOG_SECONDS_MAX * 1000)
		return true;
	diag_add(d, 0,
		 "a session of this routine takes about %lld hours, longer "
		 "than the %d hours (7 days) a session may last: shorten it",
		 (long long)(total / 3600000), SESSIONLOG_SECONDS_MAX / 3600);
	return false;
}

static struct routine *within_limit(struct routine *r, struct diags *d)
{
	if (!r || load_length_ok(r, d))
		return r;
	routine_free(r);
	return NULL;
}

struct routine *load_routine(const char *path, const char *assets,
			     struct diags *d)
{
	if (path)
		return within_limit(config_load_file(path, assets, d), d);
	size_t len;
	const char *text = config_builtin(&len);
	return within_limit(config_load_text(text, len, NULL, assets, d), d);
}

struct routine *load_builtin(const char *assets)
{
	struct diags d;
	diag_init(&d, CONFIG_BUILTIN_NAME);
	struct routine *r = load_routine(NULL, assets, &d);
	diag_free(&d);
	if (!r) {
		/* Only a missing asset folder can do this: run without
		 * pictures rather than not at all. */
		log_msg("no illustrations in %s; running without them",
			assets ? assets : "(none)");
		diag_init(&d, CONFIG_BUILTIN_NAME);
		r = load_routine(NULL, NULL, &d);
		diag_free(&d);
	}
	return r;
}

struct routine *load_routine_in_use(const char *path, const char *assets,
				    struct diags *d, bool *fell_back)
{
	struct routine *r = path ? load_routine(path, assets, d) : NULL;
	*fell_back = path && !r;
	return r ? r : load_builtin(assets);
}
