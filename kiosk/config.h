/*
 * config.h - reading and validating a routine file.
 *
 * The file is INI, read with libinih. Every problem is collected in a
 * struct diags as "FILE:LINE: message" in one pass, so staff see all of
 * them at once; the loader never crashes on any bytes and never returns a
 * half-valid routine: either every check passed and a new routine comes
 * back (the caller owns it: routine_free), or NULL and the diagnostics.
 *
 * Paths: a relative illustration is looked for beside the routine file
 * first (base_dir), then in the kiosk's asset folder (assets_dir).
 * Not thread-safe (inih's reader state lives in the call), re-entrant.
 */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "routine.h"

#define CONFIG_FILE_MAX (1024 * 1024) /* a routine file is small text */

struct routine *config_load_file(const char *path, const char *assets_dir,
				 struct diags *d);

/* Same, from text in memory; `d->file` names it in messages. */
struct routine *config_load_text(const char *text, size_t len,
				 const char *base_dir, const char *assets_dir,
				 struct diags *d);

/* For kiosk --check: whether the screen's font has a character. The font
 * itself is read by an adapter (glyphs.h); this file only knows which
 * parts of a routine file are shown. */
struct config_glyphs {
	bool (*has)(void *ctx, uint32_t ch);
	void *ctx;
};

/* kiosk --check: like config_load_file, but the routine comes back even
 * when it has errors (to try its voice; never to run), and so does the
 * file's text (*text, the caller frees it). Errors are those of
 * diag_errors(d). NULL only when the file cannot be read or memory runs
 * out. */
struct routine *config_check_file(const char *path, const char *assets_dir,
				  struct diags *d, char **text, size_t *len);

/* The same for text in memory (the built-in routine). */
struct routine *config_check_text(const char *text, size_t len,
				  const char *assets_dir, struct diags *d);

/* Every text of a routine file that would be shown, line by line: a
 * character `g` lacks is an error at its line (the first one a line). */
void config_check_glyphs(const char *text, size_t len,
			 const struct config_glyphs *g, struct diags *d);

/* The built-in default routine file, embedded at build time. */
const char *config_builtin(size_t *len);

#define CONFIG_BUILTIN_NAME "<built-in>"

#endif
