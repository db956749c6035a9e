/*
 * cli.h - the command line, and where the kiosk's files are.
 *
 * cli_parse fills a struct options from argv (borrowing argv's strings);
 * it prints usage errors itself. The path helpers return static or
 * borrowed strings. Main thread only.
 */
#ifndef KIOSK_CLI_H
#define KIOSK_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum input_source { SOURCE_GPIO, SOURCE_KEYBOARD, SOURCE_SCRIPT };
enum video_out { VIDEO_SDL, VIDEO_NONE };
enum audio_out { AUDIO_PORTAUDIO, AUDIO_WAV, AUDIO_NONE };

struct options {
	const char *config; /* NULL: the system file, else the built-in */
	bool check, print_config, help, version, stats, self_test;
	const char *state_dir; /* --state-dir; NULL: see cli_state_dir */
	const char *metrics_dir; /* --metrics-dir; NULL: cli_metrics_dir */
	bool reset_progress;   /* --reset-progress[=NAME] */
	const char *reset_progress_name; /* NAME; NULL: every exercise */
	enum input_source input;
	const char *script;
	bool virtual_clock;
	enum video_out video;
	enum audio_out audio;
	const char *wav;
	const char *events;
	const char *screenshots;
	const char *assets;
	bool exit_after_session;
	int width, height; /* --window; 0: the driver's choice */
};

/* 0: run with *o; 2: bad usage (already reported on err). */
int cli_parse(int argc, char **argv, struct options *o, FILE *err);
void cli_help(FILE *out);

/* The routine file to use: --config, else the system one if it exists,
 * else NULL (the built-in routine). */
const char *cli_config_path(const struct options *o);

/* The asset folder: --assets, $KIOSK_ASSETS, ../assets from the binary
 * (build/kiosk in a checkout), ../share/kiosk beside it (an install), or the
 * folder compiled in. The first that holds illustrations/ wins. */
const char *cli_assets_dir(const struct options *o);

/* Where the kiosk keeps its session record and progression counts:
 * --state-dir, else
 * $STATE_DIRECTORY (systemd's StateDirectory=; the first of a
 * colon-separated list), else the folder compiled in. */
const char *cli_state_dir(const struct options *o);

/* The folder for the metrics file (node_exporter's textfile collector):
 * --metrics-dir, else METRICS_DIR when run by systemd as a service
 * ($INVOCATION_ID) on the real clock; else NULL, for none (and for
 * --metrics-dir none). */
const char *cli_metrics_dir(const struct options *o);

/* Debian's prometheus-node-exporter reads this folder. */
#define METRICS_DIR "/var/lib/prometheus/node-exporter"

#ifndef KIOSK_SYSCONF
#define KIOSK_SYSCONF "/etc/kiosk/kiosk.conf"
#endif
#ifndef KIOSK_DATADIR
#define KIOSK_DATADIR "/usr/local/share/kiosk"
#endif
#ifndef KIOSK_STATEDIR
#define KIOSK_STATEDIR "/var/lib/kiosk"
#endif
#ifndef KIOSK_VERSION
#define KIOSK_VERSION "0.1.0"
#endif

#endif
