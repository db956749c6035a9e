/*
 * bench.c - `make bench`: how long a whole default session takes on the
 * virtual clock and how much memory it needs, against the same binary
 * doing nothing (--version) measured in the same run, so the ratios hold
 * on a busy machine. Prints a Markdown table.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"

#define RUNS 21

extern char **environ;

struct sample {
	double ms;
	long rss_kb;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct sample run_once(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	struct rusage ru;
	int status = 0;
	double t0 = now_ms();
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
			environ) != 0) {
		perror(argv[0]);
		exit(1);
	}
	wait4(pid, &status, 0, &ru);
	double t1 = now_ms();
	posix_spawn_file_actions_destroy(&fa);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s failed\n", argv[0]);
		exit(1);
	}
	return (struct sample){t1 - t0, ru.ru_maxrss};
}

static int by_ms(const void *a, const void *b)
{
	double x = ((const struct sample *)a)->ms;
	double y = ((const struct sample *)b)->ms;
	return (x > y) - (x < y);
}

static struct sample median(const char *const argv[])
{
	struct sample s[RUNS];
	for (int i = 0; i < RUNS; i++)
		s[i] = run_once(argv);
	qsort(s, RUNS, sizeof *s, by_ms);
	return s[RUNS / 2];
}

static double engine_sessions_per_second(void)
{
	size_t len;
	const char *text = config_builtin(&len);
	struct diags d;
	diags_init(&d, "builtin");
	struct routine *r = config_load_text(text, len, NULL, "assets", &d);
	diags_free(&d);
	if (!r)
		return 0;
	struct engine_options o = {.have_mat = true};
	int n = 0;
	double t0 = now_ms(), t1;
	do {
		routine_estimate(r, &o);
		n++;
		t1 = now_ms();
	} while (t1 - t0 < 1000);
	routine_free(r);
	return n * 1000.0 / (t1 - t0);
}

int main(int argc, char **argv)
{
	const char *kiosk = argc > 1 ? argv[1] : "build/kiosk";
	const char *script = "build/bench.script";
	FILE *f = fopen(script, "w");
	if (!f)
		return 1;
	fputs("0 mat on\n", f);
	fclose(f);
	char scriptarg[256];
	snprintf(scriptarg, sizeof scriptarg, "script:%s", script);
	const char *session[] = {
	    kiosk,     "--input",  scriptarg,	"--clock",
	    "virtual", "--video",  "none",	"--audio",
	    "none",    "--events", "/dev/null", "--exit-after-session",
	    NULL};
	const char *idle[] = {kiosk, "--version", NULL};

	struct sample base = median(idle);
	struct sample full = median(session);
	double sps = engine_sessions_per_second();

	printf("| what (median of %d runs) | wall time | peak RSS |\n", RUNS);
	printf("|---|---|---|\n");
	printf("| kiosk --version (process floor) | %.2f ms | %ld KiB |\n",
	       base.ms, base.rss_kb);
	printf("| whole default session, virtual clock | %.2f ms | %ld KiB |\n",
	       full.ms, full.rss_kb);
	printf("| session / floor | %.2fx | %.2fx |\n", full.ms / base.ms,
	       (double)full.rss_kb / (double)base.rss_kb);
	printf("\nEngine alone, in process: %.0f whole sessions a second "
	       "(%.3f ms each).\n",
	       sps, 1000.0 / sps);
	if (system("command -v valgrind >/dev/null 2>&1") == 0)
		printf("\nInstruction counts (repeatable on a busy machine):\n"
		       "  valgrind --tool=callgrind --callgrind-out-file="
		       "build/callgrind.out %s --input %s --clock virtual "
		       "--video none --audio none --exit-after-session\n"
		       "  callgrind_annotate build/callgrind.out | head -30\n",
		       kiosk, scriptarg);
	if (system("perf stat -e instructions true >/dev/null 2>&1") == 0)
		printf("  perf stat -e instructions,task-clock %s --input %s "
		       "--clock virtual --video none --audio none "
		       "--exit-after-session\n",
		       kiosk, scriptarg);
	return 0;
}
