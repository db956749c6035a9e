/*
 * speech.c - eSpeak NG text to speech on a thread of its own, with a cache
 * of trimmed clips keyed by text.
 *
 * One mutex and one condition variable guard the cache, the queue and the
 * requests between the threads; the speech thread never holds the mutex
 * while eSpeak NG works, so the main thread only ever waits for a few
 * pointer moves (or, by asking, for a line it wants now).
 */
#include "speech.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "text.h"

/* A sample counts as sound when |sample| >= SILENCE_LEVEL: 128 of 32767,
 * about -48 dBFS. eSpeak NG 1.51 pads lines with exact zeros and a few
 * samples of onset noise below 40; its voiced speech peaks near 20000. */
#define SILENCE_LEVEL 128
/* Kept either side of the sound so soft onsets and releases survive. */
#define MARGIN_MS      5
#define BUCKETS_MIN    64
#define VOICE_NAME_MAX 128

enum line_state { LINE_QUEUED, LINE_RENDERING, LINE_DONE, LINE_FAILED };

struct line {
	struct line *chain;	  /* next in its hash bucket */
	struct line *prev, *next; /* queue neighbours while queued */
	enum line_state state;
	struct clip clip; /* set once, before state becomes LINE_DONE */
	size_t hash;
	unsigned voice; /* which of the object's voices says it */
	char text[];
};

/* A voice check the main thread hands to the speech thread. */
struct voice_job {
	const struct speech_voice *v;
	bool keep; /* the voice from now on, not only a check */
	char *why;
	size_t n;
	int result;
	bool done;
};

struct speech {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* any change: work posted, line or job done */
	int efd;
	atomic_bool abort; /* read by the synthesis callback */

	/* Under lock. */
	struct line **bucket;
	size_t buckets, count;
	struct line *head, *tail; /* queue: head renders next */
	struct voice_job *job;
	unsigned voice_gen; /* bumped by speech_set_voice */
	int started;	    /* 0 starting, 1 running, -1 failed to start */
	bool stop, blocking;
	struct speech_stats stats;

	/* Speech thread only (and speech_open before/after the start). */
	const struct speech_voice *want;
	char err[256];
	char voice[VOICE_NAME_MAX]; /* the name eSpeak NG took */
	int rate, pitch;
};

/*
 * eSpeak NG is process-wide state. It is initialised once and kept: 1.51
 * hangs in the second espeak_ng_Terminate after an Initialize/Terminate
 * cycle (measured), so a later speech_open reuses it. Only one speech
 * object may exist at a time; `in_use` enforces that.
 */
static pthread_mutex_t espeak_guard = PTHREAD_MUTEX_INITIALIZER;
static bool espeak_ready, in_use;

/* ---- the cache and queue (callers hold sp->lock) ---- */

/* A 32-bit size_t keeps the hash's low half: as good a bucket index. */
static size_t hash_text(const char *s)
{
	return (size_t)text_hash(s);
}

static struct line *line_find(const struct speech *sp, const char *text)
{
	size_t h = hash_text(text);
	for (struct line *l = sp->bucket[h % sp->buckets]; l; l = l->chain)
		if (l->hash == h && l->voice == sp->voice_gen &&
		    !strcmp(l->text, text))
			return l;
	return NULL;
}

/* Doubling keeps chains short; when memory is short, long chains work. */
static void table_grow(struct speech *sp)
{
	size_t n = sp->buckets * 2;
	struct line **b = calloc(n, sizeof *b);
	if (!b)
		return;
	for (size_t i = 0; i < sp->buckets; i++) {
		for (struct line *l = sp->bucket[i], *next; l; l = next) {
			next = l->chain;
			l->chain = b[l->hash % n];
			b[l->hash % n] = l;
		}
	}
	free(sp->bucket);
	sp->bucket = b;
	sp->buckets = n;
}

static void queue_unlink(struct speech *sp, struct line *l)
{
	*(l->prev ? &l->prev->next : &sp->head) = l->next;
	*(l->next ? &l->next->prev : &sp->tail) = l->prev;
	l->prev = l->next = NULL;
}

static void queue_push(struct speech *sp, struct line *l, bool front)
{
	if (front) {
		l->prev = NULL;
		l->next = sp->head;
		*(sp->head ? &sp->head->prev : &sp->tail) = l;
		sp->head = l;
	} else {
		l->next = NULL;
		l->prev = sp->tail;
		*(sp->tail ? &sp->tail->next : &sp->head) = l;
		sp->tail = l;
	}
}

/* The line for this text, queued (at the front if urgent) when new or
 * still waiting. NULL only when out of memory. */
static struct line *line_want(struct speech *sp, const char *text, bool urgent)
{
	struct line *l = line_find(sp, text);
	/* eSpeak NG carries state from one line into the next (a line's
	 * length moves by a few samples with the line before it), so on a
	 * virtual clock lines are rendered strictly in the order they were
	 * first asked for: a replay must not depend on how fast this thread
	 * ran. Only the real clock lets a late line jump the queue. */
	if (sp->blocking)
		urgent = false;
	if (l) {
		if (l->state == LINE_QUEUED && urgent && sp->head != l) {
			queue_unlink(sp, l);
			queue_push(sp, l, true);
		}
		return l;
	}
	size_t len = strlen(text);
	l = calloc(1, sizeof *l + len + 1);
	if (!l)
		return NULL;
	memcpy(l->text, text, len + 1);
	l->hash = hash_text(text);
	l->voice = sp->voice_gen;
	l->state = LINE_QUEUED;
	if (sp->count >= sp->buckets * 2)
		table_grow(sp);
	l->chain = sp->bucket[l->hash % sp->buckets];
	sp->bucket[l->hash % sp->buckets] = l;
	sp->count++;
	sp->stats.bytes += sizeof *l + len + 1;
	queue_push(sp, l, urgent);
	pthread_cond_broadcast(&sp->cond);
	return l;
}

static kt_ms clip_ms(const struct clip *c)
{
	return ((kt_ms)c->frames * 1000 + c->rate - 1) / c->rate;
}

/* ---- synthesis (speech thread only) ---- */

struct pcm_buf {
	int16_t *pcm;
	size_t frames, cap;
	bool failed;
	atomic_bool *abort;
};

/* eSpeak NG hands over audio in pieces; user_data is our pcm_buf. */
static int on_synth(short *wav, int n, espeak_EVENT *ev)
{
	struct pcm_buf *b = ev ? ev->user_data : NULL;
	if (!b)
		return 0;
	if (atomic_load(b->abort) || b->failed)
		return 1;
	if (!wav || n <= 0)
		return 0;
	if (b->frames + (size_t)n > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		while (cap < b->frames + (size_t)n)
			cap *= 2;
		int16_t *p = realloc(b->pcm, cap * sizeof *p);
		if (!p) {
			b->failed = true;
			return 1;
		}
		b->pcm = p;
		b->cap = cap;
	}
	memcpy(b->pcm + b->frames, wav, (size_t)n * sizeof *wav);
	b->frames += (size_t)n;
	return 0;
}

static bool loud(int16_t s)
{
	return s >= SILENCE_LEVEL || s <= -SILENCE_LEVEL;
}

/* Cut the quiet eSpeak NG puts around the words, keeping MARGIN_MS. */
static void trim(struct pcm_buf *b, int rate)
{
	size_t first = 0, end = b->frames;
	while (first < end && !loud(b->pcm[first]))
		first++;
	while (end > first && !loud(b->pcm[end - 1]))
		end--;
	size_t margin = (size_t)rate * MARGIN_MS / 1000;
	if (first == end) {
		b->frames = 0;
		return;
	}
	first = first > margin ? first - margin : 0;
	end = end + margin < b->frames ? end + margin : b->frames;
	memmove(b->pcm, b->pcm + first, (end - first) * sizeof *b->pcm);
	b->frames = end - first;
	int16_t *fit = realloc(b->pcm, b->frames * sizeof *fit);
	if (fit)
		b->pcm = fit;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Render one line into a clip; false if eSpeak NG failed or we stopped. */
static bool render(struct speech *sp, const char *text, struct clip *out,
		   double *cpu)
{
	struct pcm_buf b = {.abort = &sp->abort};
	double t0 = thread_cpu_s();
	espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER,
				      0, espeakCHARS_UTF8, NULL, &b);
	*cpu = thread_cpu_s() - t0;
	if (e != EE_OK || b.failed || atomic_load(&sp->abort)) {
		free(b.pcm);
		return false;
	}
	int rate = espeak_ng_GetSampleRate();
	trim(&b, rate);
	if (!b.frames) {
		free(b.pcm);
		b.pcm = NULL;
	}
	*out = (struct clip){b.pcm, b.frames, rate};
	return true;
}

/* ---- voices (speech thread only) ---- */

static const char *base_name(const char *id)
{
	const char *slash = strrchr(id, '/');
	return slash ? slash + 1 : id;
}

/* How well an eSpeak NG voice answers to `want`: 0 by its file or name,
 * otherwise the priority it gives that language (lower is better), or
 * -1 not at all. Languages are (priority byte, name, NUL) pairs. */
static int voice_match(const espeak_VOICE *v, const char *want)
{
	if (!strcasecmp(want, v->identifier) ||
	    !strcasecmp(want, base_name(v->identifier)) ||
	    (v->name && !strcasecmp(want, v->name)))
		return 0;
	int best = -1;
	for (const char *p = v->languages; p && *p; p += strlen(p + 1) + 2) {
		int rank = 1 + (unsigned char)*p;
		if (!strcasecmp(want, p + 1) && (best < 0 || rank < best))
			best = rank;
	}
	return best;
}

/* Voices that start like `want`, as a hint for the staff. */
static void voice_hint(const espeak_VOICE **all, const char *want, char *out,
		       size_t n)
{
	size_t o = 0;
	int shown = 0;
	out[0] = '\0';
	for (int i = 0; all[i] && shown < 6; i++) {
		const char *name = base_name(all[i]->identifier);
		if (strncasecmp(name, want, 2))
			continue;
		int w =
		    snprintf(out + o, n - o, "%s%s", shown ? ", " : "", name);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
		shown++;
	}
	if (!shown)
		snprintf(out, n, "en, de, es, fr");
}

static int find_language(const char *lang, char *id, size_t size, char *why,
			 size_t n)
{
	const espeak_VOICE **all = espeak_ListVoices(NULL);
	const espeak_VOICE *best = NULL;
	int best_rank = -1;
	for (int i = 0; all && all[i]; i++) {
		int r = voice_match(all[i], lang);
		if (r >= 0 && (best_rank < 0 || r < best_rank)) {
			best = all[i];
			best_rank = r;
		}
	}
	if (best) {
		snprintf(id, size, "%s", best->identifier);
		return 0;
	}
	char hint[96] = "en, de, es, fr";
	if (all)
		voice_hint(all, lang, hint, sizeof hint);
	snprintf(why, n, "eSpeak NG has no voice '%s' (try %s ...)", lang,
		 hint);
	return -1;
}

/* Variant files are looked up by exact name: eSpeak NG silently drops a
 * variant it cannot open, so its own answer is not enough. */
static int find_variant(const char *variant, char *why, size_t n)
{
	espeak_VOICE spec = {.languages = "variant"};
	const espeak_VOICE **all = espeak_ListVoices(&spec);
	for (int i = 0; all && all[i]; i++)
		if (!strcmp(base_name(all[i]->identifier), variant))
			return 0;
	snprintf(why, n,
		 "eSpeak NG has no voice variant '%s' (try f1 to f5, m1 to "
		 "m7, or see espeak-ng --voices=variant)",
		 variant);
	return -1;
}

/* The name to give espeak_ng_SetVoiceByName for this voice, checked
 * against the installed voices and variants. */
static int voice_resolve(const struct speech_voice *v, char *name, size_t size,
			 char *why, size_t n)
{
	const char *lang = v->language ? v->language : "";
	const char *var = v->voice ? v->voice : "";
	char base[VOICE_NAME_MAX];
	const char *plus = strchr(var, '+');
	if (plus) {
		snprintf(base, sizeof base, "%.*s", (int)(plus - var), var);
		var = plus + 1;
	} else {
		snprintf(base, sizeof base, "%s", lang);
	}
	if (!*base) {
		snprintf(why, n,
			 "no eSpeak NG language given (try en, de, es)");
		return -1;
	}
	if (v->rate < espeakRATE_MINIMUM || v->rate > espeakRATE_MAXIMUM ||
	    v->pitch < 0 || v->pitch > 99) {
		snprintf(why, n,
			 "speech rate %d or pitch %d out of range "
			 "(rate 80..450, pitch 0..99)",
			 v->rate, v->pitch);
		return -1;
	}
	char id[VOICE_NAME_MAX];
	if (find_language(base, id, sizeof id, why, n))
		return -1;
	if (*var && find_variant(var, why, n))
		return -1;
	int w = snprintf(name, size, "%s%s%s", id, *var ? "+" : "", var);
	if (w < 0 || (size_t)w >= size) {
		snprintf(why, n, "eSpeak NG voice name '%s+%s' is too long", id,
			 var);
		return -1;
	}
	return 0;
}

static int say_status(espeak_ng_STATUS s, const char *what, char *why, size_t n)
{
	char msg[160];
	espeak_ng_GetStatusCodeMessage(s, msg, sizeof msg);
	snprintf(why, n, "eSpeak NG: %s: %s", what, msg);
	return -1;
}

/* Select a resolved voice and check eSpeak NG took all of it. */
static int voice_apply(const char *name, int rate, int pitch, char *why,
		       size_t n)
{
	espeak_ng_STATUS s = espeak_ng_SetVoiceByName(name);
	if (s != ENS_OK)
		return say_status(s, name, why, n);
	const espeak_VOICE *cur = espeak_GetCurrentVoice();
	const char *variant = strchr(name, '+');
	if (variant &&
	    (!cur || !cur->identifier || !strstr(cur->identifier, variant))) {
		snprintf(why, n, "eSpeak NG did not take voice variant '%s'",
			 variant + 1);
		return -1;
	}
	if ((s = espeak_ng_SetParameter(espeakRATE, rate, 0)) != ENS_OK)
		return say_status(s, "rate", why, n);
	if ((s = espeak_ng_SetParameter(espeakPITCH, pitch, 0)) != ENS_OK)
		return say_status(s, "pitch", why, n);
	return 0;
}

static int espeak_start(char *why, size_t n)
{
	int rc = 0;
	pthread_mutex_lock(&espeak_guard);
	if (!espeak_ready) {
		espeak_ng_InitializePath(NULL);
		espeak_ng_ERROR_CONTEXT ctx = NULL;
		espeak_ng_STATUS s = espeak_ng_Initialize(&ctx);
		espeak_ng_ClearErrorContext(&ctx);
		if (s == ENS_OK)
			s = espeak_ng_InitializeOutput(
			    ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
		if (s != ENS_OK)
			rc = say_status(s, "cannot start", why, n);
		espeak_ready = rc == 0;
	}
	pthread_mutex_unlock(&espeak_guard);
	if (rc == 0)
		espeak_SetSynthCallback(on_synth);
	return rc;
}

/* ---- the speech thread ---- */

static int thread_start(struct speech *sp)
{
	const struct speech_voice *v = sp->want;
	if (espeak_start(sp->err, sizeof sp->err) ||
	    voice_resolve(v, sp->voice, sizeof sp->voice, sp->err,
			  sizeof sp->err) ||
	    voice_apply(sp->voice, v->rate, v->pitch, sp->err, sizeof sp->err))
		return -1;
	sp->rate = v->rate;
	sp->pitch = v->pitch;
	return 0;
}

static void run_job(struct speech *sp, struct voice_job *job)
{
	char name[VOICE_NAME_MAX];
	job->result =
	    voice_resolve(job->v, name, sizeof name, job->why, job->n);
	if (job->result == 0)
		job->result = voice_apply(name, job->v->rate, job->v->pitch,
					  job->why, job->n);
	if (job->result == 0 && job->keep) {
		snprintf(sp->voice, sizeof sp->voice, "%s", name);
		sp->rate = job->v->rate;
		sp->pitch = job->v->pitch;
	} else if (job->result == 0) {
		char ignore[8];
		voice_apply(sp->voice, sp->rate, sp->pitch, ignore,
			    sizeof ignore);
	}
}

static void publish(struct speech *sp, struct line *l, bool ok,
		    const struct clip *c, double cpu)
{
	pthread_mutex_lock(&sp->lock);
	if (ok) {
		l->clip = *c;
		l->state = LINE_DONE;
		sp->stats.lines++;
		sp->stats.audio_s += (double)c->frames / c->rate;
		sp->stats.bytes += c->frames * sizeof *c->pcm;
	} else {
		l->state = LINE_FAILED;
	}
	sp->stats.synth_s += cpu;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	uint64_t one = 1;
	ssize_t w = write(sp->efd, &one, sizeof one);
	(void)w; /* a full counter is still readable: nothing to do */
}

static void *speech_main(void *arg)
{
	struct speech *sp = arg;
	int rc = thread_start(sp);
	pthread_mutex_lock(&sp->lock);
	sp->started = rc == 0 ? 1 : -1;
	pthread_cond_broadcast(&sp->cond);
	while (rc == 0) {
		while (!sp->stop && !sp->job && !sp->head)
			pthread_cond_wait(&sp->cond, &sp->lock);
		if (sp->stop)
			break;
		if (sp->job) {
			struct voice_job *job = sp->job;
			pthread_mutex_unlock(&sp->lock);
			run_job(sp, job);
			pthread_mutex_lock(&sp->lock);
			job->done = true;
			sp->job = NULL;
			pthread_cond_broadcast(&sp->cond);
			continue;
		}
		struct line *l = sp->head;
		queue_unlink(sp, l);
		l->state = LINE_RENDERING;
		pthread_mutex_unlock(&sp->lock);
		struct clip c;
		double cpu;
		bool ok = render(sp, l->text, &c, &cpu);
		publish(sp, l, ok, &c, cpu);
		pthread_mutex_lock(&sp->lock);
	}
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

/* ---- the public side ---- */

/* Take (or give back) the one speech object eSpeak NG allows. */
static bool claim_espeak(bool take)
{
	pthread_mutex_lock(&espeak_guard);
	bool ok = !take || !in_use;
	if (ok)
		in_use = take;
	pthread_mutex_unlock(&espeak_guard);
	return ok;
}

static void speech_free(struct speech *sp)
{
	for (size_t i = 0; sp->bucket && i < sp->buckets; i++) {
		for (struct line *l = sp->bucket[i], *next; l; l = next) {
			next = l->chain;
			free((void *)l->clip.pcm);
			free(l);
		}
	}
	free(sp->bucket);
	if (sp->efd >= 0)
		close(sp->efd);
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
	claim_espeak(false);
}

struct speech *speech_open(const struct speech_voice *v, char *err,
			   size_t errlen)
{
	if (!claim_espeak(true)) {
		snprintf(err, errlen,
			 "speech is already open (eSpeak NG "
			 "allows one voice engine per process)");
		return NULL;
	}
	struct speech *sp = calloc(1, sizeof *sp);
	if (!sp) {
		snprintf(err, errlen, "speech: out of memory");
		claim_espeak(false);
		return NULL;
	}
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	sp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	sp->buckets = BUCKETS_MIN;
	sp->bucket = calloc(sp->buckets, sizeof *sp->bucket);
	sp->want = v;
	if (sp->efd < 0 || !sp->bucket) {
		snprintf(err, errlen, "speech: %s", strerror(errno));
		speech_free(sp);
		return NULL;
	}
	/* The thread takes no signals: it starts with every one blocked.
	 * Otherwise a SIGTERM or SIGHUP sent to the process while the main
	 * thread has it blocked (for its signalfd) is delivered here, and
	 * its default action kills the whole kiosk. */
	sigset_t all, was;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &was);
	int e = pthread_create(&sp->thread, NULL, speech_main, sp);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (e) {
		snprintf(err, errlen, "speech: no thread: %s", strerror(e));
		speech_free(sp);
		return NULL;
	}
	pthread_mutex_lock(&sp->lock);
	while (!sp->started)
		pthread_cond_wait(&sp->cond, &sp->lock);
	pthread_mutex_unlock(&sp->lock);
	sp->want = NULL;
	if (sp->started < 0) {
		snprintf(err, errlen, "%s", sp->err);
		pthread_join(sp->thread, NULL);
		speech_free(sp);
		return NULL;
	}
	return sp;
}

void speech_close(struct speech *sp)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->stop = true;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	atomic_store(&sp->abort, true); /* cut a long line short */
	pthread_join(sp->thread, NULL);
	speech_free(sp);
}

/* Lines still queued for the old voice would come out in the new one
 * under the old one's name: drop them. Callers hold sp->lock. */
static void drop_queue(struct speech *sp)
{
	while (sp->head) {
		struct line *l = sp->head;
		queue_unlink(sp, l);
		l->state = LINE_FAILED;
	}
}

static int run_voice_job(struct speech *sp, const struct speech_voice *v,
			 bool keep, char *why, size_t n)
{
	if (!sp)
		return 0; /* no eSpeak NG: no voice to find fault with */
	struct voice_job job = {.v = v, .keep = keep, .why = why, .n = n};
	pthread_mutex_lock(&sp->lock);
	while (sp->job)
		pthread_cond_wait(&sp->cond, &sp->lock);
	sp->job = &job;
	pthread_cond_broadcast(&sp->cond);
	while (!job.done)
		pthread_cond_wait(&sp->cond, &sp->lock);
	if (keep && job.result == 0) {
		sp->voice_gen++;
		drop_queue(sp);
	}
	pthread_mutex_unlock(&sp->lock);
	return job.result;
}

int speech_voice_check(struct speech *sp, const struct speech_voice *v,
		       char *why, size_t n)
{
	return run_voice_job(sp, v, false, why, n);
}

int speech_set_voice(struct speech *sp, const struct speech_voice *v, char *why,
		     size_t n)
{
	return run_voice_job(sp, v, true, why, n);
}

void speech_prepare(struct speech *sp, const char *text)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	line_want(sp, text, false);
	pthread_mutex_unlock(&sp->lock);
}

const struct clip *speech_get(struct speech *sp, const char *text, bool wait)
{
	if (!sp)
		return NULL;
	pthread_mutex_lock(&sp->lock);
	struct line *l = line_want(sp, text, true);
	while (l && wait &&
	       (l->state == LINE_QUEUED || l->state == LINE_RENDERING))
		pthread_cond_wait(&sp->cond, &sp->lock);
	const struct clip *c = l && l->state == LINE_DONE ? &l->clip : NULL;
	pthread_mutex_unlock(&sp->lock);
	return c;
}

int speech_fd(const struct speech *sp)
{
	return sp ? sp->efd : -1;
}

kt_ms speech_length(void *ctx, const char *text, int rate)
{
	struct speech *sp = ctx;
	pthread_mutex_lock(&sp->lock);
	const struct line *l = line_find(sp, text);
	kt_ms ms = l && l->state == LINE_DONE ? clip_ms(&l->clip) : -1;
	bool blocking = sp->blocking;
	pthread_mutex_unlock(&sp->lock);
	if (ms >= 0)
		return ms;
	const struct clip *c = speech_get(sp, text, blocking);
	return c ? clip_ms(c) : text_speech_estimate(text, rate);
}

void speech_set_blocking(struct speech *sp, bool blocking)
{
	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->blocking = blocking;
	pthread_mutex_unlock(&sp->lock);
}

void speech_stats(struct speech *sp, struct speech_stats *out)
{
	if (!sp) {
		*out = (struct speech_stats){0};
		return;
	}
	pthread_mutex_lock(&sp->lock);
	*out = sp->stats;
	out->bytes += sizeof *sp + sp->buckets * sizeof *sp->bucket;
	pthread_mutex_unlock(&sp->lock);
}
