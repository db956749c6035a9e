/*
 * cli.c - option parsing, --help, and finding the config and assets.
 */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_CONFIG = 256,
	OPT_CHECK,
	OPT_PRINT_CONFIG,
	OPT_INPUT,
	OPT_CLOCK,
	OPT_VIDEO,
	OPT_AUDIO,
	OPT_EVENTS,
	OPT_SCREENSHOTS,
	OPT_ASSETS,
	OPT_EXIT_AFTER_SESSION,
	OPT_WINDOW,
	OPT_VERSION,
	OPT_STATS,
	OPT_STATE_DIR,
	OPT_SELF_TEST,
	OPT_RESET_PROGRESS,
	OPT_METRICS_DIR,
};

static const struct option long_options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"check", no_argument, NULL, OPT_CHECK},
    {"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
    {"input", required_argument, NULL, OPT_INPUT},
    {"clock", required_argument, NULL, OPT_CLOCK},
    {"video", required_argument, NULL, OPT_VIDEO},
    {"audio", required_argument, NULL, OPT_AUDIO},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"screenshots", required_argument, NULL, OPT_SCREENSHOTS},
    {"assets", required_argument, NULL, OPT_ASSETS},
    {"exit-after-session", no_argument, NULL, OPT_EXIT_AFTER_SESSION},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"version", no_argument, NULL, OPT_VERSION},
    {"stats", no_argument, NULL, OPT_STATS},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"self-test", no_argument, NULL, OPT_SELF_TEST},
    {"reset-progress", optional_argument, NULL, OPT_RESET_PROGRESS},
    {"metrics-dir", required_argument, NULL, OPT_METRICS_DIR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void cli_help(FILE *out)
{
	fprintf(
	    out,
	    "Usage: kiosk [OPTION]...\n"
	    "A voice-guided mid-back exercise kiosk: one big button, a floor "
	    "mat,\n"
	    "spoken steps and breath counts, big countdown screens.\n"
	    "\n"
	    "With no options it runs the kiosk with the routine in %s,\n"
	    "or the built-in routine when that file does not exist.\n"
	    "\n"
	    "Routine file:\n"
	    "  --config FILE         use this routine file\n"
	    "  --check               check the routine file and exit: 0 and a "
	    "summary,\n"
	    "                        or 1 and every error as FILE:LINE: "
	    "message\n"
	    "  --print-config        print the built-in routine file "
	    "(commented)\n"
	    "  --assets DIR          where illustrations/ is (default: found "
	    "beside\n"
	    "                        the program, else %s)\n"
	    "\n"
	    "Running:\n"
	    "  --input SOURCE        gpio (default), keyboard, or script:FILE\n"
	    "                        (keyboard: space = button, l = long "
	    "press,\n"
	    "                        d = double press (skip), m = on/off the "
	    "mat,\n"
	    "                        q = quit)\n"
	    "  --clock real|virtual  virtual: time jumps to the next deadline, "
	    "so a\n"
	    "                        whole session runs at once (needs script "
	    "input)\n"
	    "  --video sdl|none      screens (none: captions in the "
	    "terminal);\n"
	    "                        in a desktop window, the keys above work "
	    "too\n"
	    "  --window WxH          window size (default 1280x720; full "
	    "screen\n"
	    "                        on a console)\n"
	    "  --audio portaudio|wav:FILE|none\n"
	    "                        speech and chimes: the sound device "
	    "named by\n"
	    "                        audio_device, a WAV file on the event "
	    "record's\n"
	    "                        timeline, or silence\n"
	    "  --events FILE         write the JSON Lines event record (- = "
	    "stdout)\n"
	    "  --screenshots DIR     save a PNG of every distinct screen "
	    "(drawn\n"
	    "                        off-screen when there is no display)\n"
	    "  --exit-after-session  quit when the first session has ended\n"
	    "\n"
	    "Wiring:\n"
	    "  --self-test           report the button and mat lines found, "
	    "then show\n"
	    "                        every press and mat change until Ctrl-C\n"
	    "\n"
	    "Session record:\n"
	    "  --stats               summarise the sessions recorded (per day, "
	    "how\n"
	    "                        they ended, where people stop) and how "
	    "far each\n"
	    "                        exercise has progressed, and exit\n"
	    "  --reset-progress[=NAME]\n"
	    "                        progression starts again: forget the "
	    "completed\n"
	    "                        sessions counted for every exercise, or "
	    "for the\n"
	    "                        one called NAME\n"
	    "  --state-dir DIR       where sessions and progression are kept "
	    "(default:\n"
	    "                        $STATE_DIRECTORY, else %s)\n"
	    "\n"
	    "Fleet:\n"
	    "  --metrics-dir DIR     where kiosk.prom goes, for node_exporter's "
	    "textfile\n"
	    "                        collector (default, as a systemd "
	    "service:\n"
	    "                        %s;\n"
	    "                        otherwise, or with none: no metrics)\n"
	    "\n"
	    "  -h, --help            show this help\n"
	    "      --version         show the version\n"
	    "\n"
	    "See kiosk(8) and kiosk.conf(5).\n",
	    KIOSK_SYSCONF, KIOSK_DATADIR, KIOSK_STATEDIR, METRICS_DIR);
}

static int bad(FILE *err, const char *opt, const char *value,
	       const char *expected)
{
	fprintf(err, "kiosk: %s: '%s' is not %s\n", opt, value, expected);
	fprintf(err, "Try 'kiosk --help'.\n");
	return 2;
}

int cli_parse(int argc, char **argv, struct options *o, FILE *err)
{
	memset(o, 0, sizeof *o);
	o->input = SOURCE_GPIO;
	o->video = VIDEO_SDL;
	o->audio = AUDIO_PORTAUDIO;
	optind = 1;
	opterr = 0;
	bool audio_given = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		const char *v = optarg;
		switch (c) {
		case OPT_CONFIG:
			o->config = v;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_PRINT_CONFIG:
			o->print_config = true;
			break;
		case OPT_INPUT:
			if (!strcmp(v, "gpio"))
				o->input = SOURCE_GPIO;
			else if (!strcmp(v, "keyboard"))
				o->input = SOURCE_KEYBOARD;
			else if (!strncmp(v, "script:", 7) && v[7])
				o->input = SOURCE_SCRIPT, o->script = v + 7;
			else
				return bad(err, "--input", v,
					   "gpio, keyboard or script:FILE");
			break;
		case OPT_CLOCK:
			if (strcmp(v, "real") && strcmp(v, "virtual"))
				return bad(err, "--clock", v,
					   "real or virtual");
			o->virtual_clock = v[0] == 'v';
			break;
		case OPT_VIDEO:
			if (strcmp(v, "sdl") && strcmp(v, "none"))
				return bad(err, "--video", v, "sdl or none");
			o->video = v[0] == 's' ? VIDEO_SDL : VIDEO_NONE;
			break;
		case OPT_AUDIO:
			audio_given = true;
			if (!strcmp(v, "portaudio"))
				o->audio = AUDIO_PORTAUDIO;
			else if (!strcmp(v, "none"))
				o->audio = AUDIO_NONE;
			else if (!strncmp(v, "wav:", 4) && v[4])
				o->audio = AUDIO_WAV, o->wav = v + 4;
			else
				return bad(err, "--audio", v,
					   "portaudio, wav:FILE or none");
			break;
		case OPT_EVENTS:
			o->events = v;
			break;
		case OPT_SCREENSHOTS:
			o->screenshots = v;
			break;
		case OPT_ASSETS:
			o->assets = v;
			break;
		case OPT_EXIT_AFTER_SESSION:
			o->exit_after_session = true;
			break;
		case OPT_WINDOW: {
			char *end;
			long w = strtol(v, &end, 10), h = 0;
			if (*end == 'x')
				h = strtol(end + 1, &end, 10);
			if (*end || w < 160 || h < 160 || w > 7680 || h > 7680)
				return bad(err, "--window", v,
					   "WIDTHxHEIGHT, like 1280x720");
			o->width = (int)w, o->height = (int)h;
			break;
		}
		case OPT_VERSION:
			o->version = true;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_SELF_TEST:
			o->self_test = true;
			break;
		case OPT_RESET_PROGRESS:
			if (v && !*v)
				return bad(err, "--reset-progress", v,
					   "an exercise's name");
			o->reset_progress = true;
			o->reset_progress_name = v;
			break;
		case OPT_METRICS_DIR:
			if (!*v)
				return bad(err, "--metrics-dir", v,
					   "a folder or none");
			o->metrics_dir = v;
			break;
		case OPT_STATE_DIR:
			if (!*v)
				return bad(err, "--state-dir", v, "a folder");
			o->state_dir = v;
			break;
		case 'h':
			o->help = true;
			break;
		default:
			fprintf(err,
				"kiosk: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			fprintf(err, "Try 'kiosk --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(err, "kiosk: unexpected argument '%s'\n", argv[optind]);
		fprintf(err, "Try 'kiosk --help'.\n");
		return 2;
	}
	/* Virtual time cannot keep pace with a sound card: by default it is
	 * silent, and asking for both is a mistake. */
	if (o->virtual_clock && o->audio == AUDIO_PORTAUDIO) {
		if (audio_given) {
			fprintf(err, "kiosk: --clock virtual cannot play to a "
				     "sound device; use --audio wav:FILE or "
				     "--audio none\n");
			return 2;
		}
		o->audio = AUDIO_NONE;
	}
	if (o->virtual_clock && o->input != SOURCE_SCRIPT) {
		fprintf(err, "kiosk: --clock virtual needs --input script:FILE "
			     "(nobody can press a button in virtual time)\n");
		return 2;
	}
	return 0;
}

const char *cli_config_path(const struct options *o)
{
	if (o->config)
		return o->config;
	return access(KIOSK_SYSCONF, F_OK) == 0 ? KIOSK_SYSCONF : NULL;
}

const char *cli_state_dir(const struct options *o)
{
	static char first[PATH_MAX];
	if (o->state_dir)
		return o->state_dir;
	const char *env = getenv("STATE_DIRECTORY");
	if (env && *env) {
		size_t len = strcspn(env, ":");
		if (len < sizeof first) {
			memcpy(first, env, len);
			first[len] = '\0';
			return first;
		}
	}
	return KIOSK_STATEDIR;
}

const char *cli_metrics_dir(const struct options *o)
{
	if (o->metrics_dir)
		return strcmp(o->metrics_dir, "none") ? o->metrics_dir : NULL;
	/* By default only as a service ($INVOCATION_ID is systemd's mark of
	 * one): a kiosk run from a terminal (make demo, the tests) must not
	 * write into the machine's node_exporter folder. */
	const char *service = getenv("INVOCATION_ID");
	return !o->virtual_clock && service && *service ? METRICS_DIR : NULL;
}

static bool has_illustrations(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof path, "%s/illustrations", dir);
	return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 &&
	       S_ISDIR(st.st_mode);
}

const char *cli_assets_dir(const struct options *o)
{
	static char found[PATH_MAX];
	if (o->assets)
		return o->assets;
	const char *env = getenv("KIOSK_ASSETS");
	if (env && *env)
		return env;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		int len =
		    snprintf(found, sizeof found, "%.4000s/../assets", exe);
		if (len > 0 && has_illustrations(found))
			return found;
		len = snprintf(found, sizeof found, "%.4000s/../share/kiosk",
			       exe);
		if (len > 0 && has_illustrations(found))
			return found;
	}
	return KIOSK_DATADIR;
}
