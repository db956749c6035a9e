/*
 * testutil.h - small helpers shared by the test programs: cmocka's
 * includes, reading files, running the kiosk binary, and reading fields of
 * the flat JSON objects in its event record. Header-only, static.
 */
#ifndef KIOSK_TESTUTIL_H
#define KIOSK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The whole file, NUL-terminated; NULL if unreadable. Caller frees. */
static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (size_t got;
	     buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
		n += got;
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
			}
			buf = bigger;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A file's lines: a NULL-terminated array into *buf (the file, cut at
 * its newlines). The caller frees both. */
static inline char **read_lines(const char *path, char **buf)
{
	*buf = read_file(path, NULL);
	assert_non_null(*buf);
	size_t n = 1;
	for (char *p = *buf; *p; p++)
		n += *p == '\n';
	char **lines = calloc(n + 1, sizeof *lines);
	assert_non_null(lines);
	size_t k = 0;
	for (char *save = NULL, *l = strtok_r(*buf, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		lines[k++] = l;
	return lines;
}

/* The kiosk binary under test: $KIOSK (make check sets it; a cross run
 * names a wrapper that runs it under qemu), else build/kiosk. */
static inline const char *kiosk(void)
{
	const char *k = getenv("KIOSK");
	return k ? k : "build/kiosk";
}

/* Run a shell command line; returns its exit status (or -1). */
static inline int run(const char *cmd)
{
	int st = system(cmd);
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The kiosk on the virtual clock, driven by `script` (written to
 * DIR/NAME.script), with the options `opts`; its event record is left in
 * DIR/NAME.jsonl and its log in DIR/NAME.stderr. Its exit status. */
static inline int kiosk_scripted(const char *dir, const char *name,
				 const char *script, const char *opts)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
	run(cmd);
	snprintf(cmd, sizeof cmd, "%s/%s.script", dir, name);
	write_file(cmd, script);
	snprintf(cmd, sizeof cmd,
		 "%s --input script:%s/%s.script --clock virtual --events "
		 "%s/%s.jsonl %s 2>%s/%s.stderr",
		 kiosk(), dir, name, dir, name, opts, dir, name);
	return run(cmd);
}

/* The built-in routine printed by the kiosk binary `kiosk`, with these
 * button_line and mat_line settings, into the file `path`. */
static inline void write_wired_config(const char *kiosk, const char *button,
				      const char *mat, const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd,
		 "%s --print-config | sed 's|^button_line = .*|button_line "
		 "= %s|; s|^mat_line = .*|mat_line = %s|' >'%s'",
		 kiosk, button, mat, path);
	assert_int_equal(run(cmd), 0);
}

/* A new empty folder /tmp/kiosk-NAME-XXXXXX, its path into path (room
 * for 64), and removing it with everything in it. */
static inline void tmp_dir_make(char *path, const char *name)
{
	snprintf(path, 64, "/tmp/kiosk-%s-XXXXXX", name);
	assert_non_null(mkdtemp(path));
}

/* DIR/NAME, in one of 16 buffers used in turn, so that several can be
 * arguments of one call (symlink(target, link) must not get one buffer
 * twice: which argument is made last differs between compilers and
 * machines). */
static inline const char *tmp_path(const char *dir, const char *name)
{
	static char path[16][160];
	static int next;
	char *p = path[next++ % 16];
	snprintf(p, sizeof path[0], "%s/%s", dir, name);
	return p;
}

static inline void tmp_dir_remove(const char *path)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	assert_int_equal(run(cmd), 0);
}

/* The value of "key" in one flat JSON object line, into out: strings
 * unescaped (\" \\ \uXXXX below 0x80), anything else as written. */
static inline bool json_get(const char *line, const char *key, char *out,
			    size_t size)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(line, pat);
	if (!p)
		return false;
	p += strlen(pat);
	size_t o = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"' && o + 1 < size; p++) {
			if (*p == '\\' && p[1] == 'u') {
				out[o++] = (char)strtol((char[]){p[4], p[5], 0},
							NULL, 16);
				p += 5;
			} else {
				out[o++] = *p == '\\' ? *++p : *p;
			}
		}
	} else {
		while (*p && *p != ',' && *p != '}' && o + 1 < size)
			out[o++] = *p++;
	}
	out[o] = '\0';
	return true;
}

static inline long json_ms(const char *line)
{
	char t[32];
	if (!json_get(line, "t", t, sizeof t))
		return -1;
	return (long)(atof(t) * 1000 + 0.5);
}

static inline bool json_is(const char *line, const char *key, const char *value)
{
	char v[512];
	return json_get(line, key, v, sizeof v) && !strcmp(v, value);
}

#endif
