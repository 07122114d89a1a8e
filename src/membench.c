/* Bandwidth, latency and random-access throughput; see membench.h. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "indexgen.h"
#include "kernelbench.h"
#include "membench.h"

#define MAX_SAMPLES 101
#define MAX_THREADS 256

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One measured pass: every thread repeats its work `repeats` times.  The
 * time runs from a barrier that all threads leave together to the moment
 * the last one finishes. */
struct team {
	void (*work)(struct team *team, int thread);
	struct rs_huge_buf *buf;
	size_t bytes;			/* the part of buf in use */
	int n_threads;
	uint64_t repeats;
	pthread_barrier_t barrier;
	pthread_mutex_t lock;
	pthread_cond_t go_changed;
	int go;				/* 0 wait, 1 run, -1 give up */
	double start_s, end_s;
	volatile uint64_t sink;		/* keeps results alive */
};

struct member {
	struct team *team;
	int thread;
};

static void *member_main(void *arg)
{
	struct member *m = arg;
	struct team *team = m->team;
	int go;

	pthread_mutex_lock(&team->lock);
	while ((go = team->go) == 0)
		pthread_cond_wait(&team->go_changed, &team->lock);
	pthread_mutex_unlock(&team->lock);
	if (go < 0)
		return NULL;
	pthread_barrier_wait(&team->barrier);
	if (m->thread == 0)
		team->start_s = now_s();
	team->work(team, m->thread);
	pthread_barrier_wait(&team->barrier);
	if (m->thread == 0)
		team->end_s = now_s();
	return NULL;
}

/* Run one pass on n_threads pinned threads; returns seconds, or -1 when a
 * thread cannot be started.  Threads wait for `go` until all of them
 * exist, so that a failed start can release the others. */
static double run_team(struct team *team, const struct rs_topology *topo)
{
	pthread_t threads[MAX_THREADS];
	struct member members[MAX_THREADS];
	int started = 0;

	if (pthread_barrier_init(&team->barrier, NULL,
			(unsigned)team->n_threads) != 0)
		return -1.0;
	pthread_mutex_init(&team->lock, NULL);
	pthread_cond_init(&team->go_changed, NULL);
	team->go = 0;
	for (int i = 0; i < team->n_threads; i++) {
		members[i].team = team;
		members[i].thread = i;
		if (pthread_create(&threads[i], NULL, member_main,
				&members[i]) != 0)
			break;
		if (topo != NULL)
			rs_topo_bind_thread(topo, threads[i], i, NULL);
		started++;
	}
	pthread_mutex_lock(&team->lock);
	team->go = started == team->n_threads ? 1 : -1;
	pthread_cond_broadcast(&team->go_changed);
	pthread_mutex_unlock(&team->lock);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_cond_destroy(&team->go_changed);
	pthread_mutex_destroy(&team->lock);
	pthread_barrier_destroy(&team->barrier);
	return started == team->n_threads ? team->end_s - team->start_s : -1.0;
}

/* Size a pass to min_sample_s, then take n_samples passes; each sample's
 * figure is units_per_repeat x repeats / seconds. */
static struct rs_mem_figure measure(struct team *team, double units_per_repeat,
	const struct rs_mem_timing *timing)
{
	struct rs_mem_figure figure = { NAN, NAN };
	double values[MAX_SAMPLES], t;
	int n = timing->n_samples < MAX_SAMPLES ? timing->n_samples
		: MAX_SAMPLES;

	team->repeats = 1;
	t = run_team(team, timing->topo);	/* warm-up */
	if (t < 0.0)
		return figure;
	while (t < timing->min_sample_s && team->repeats < (1ull << 40)) {
		team->repeats = (uint64_t)ceil((double)team->repeats * 1.25
			* timing->min_sample_s / (t > 1e-6 ? t : 1e-6));
		t = run_team(team, timing->topo);
		if (t < 0.0)
			return figure;
	}
	for (int s = 0; s < n; s++) {
		t = run_team(team, timing->topo);
		if (t <= 0.0)
			return figure;
		values[s] = units_per_repeat * (double)team->repeats / t;
	}
	figure.median = rs_median(values, n);
	figure.spread_frac = (values[n - 1] - values[0]) / figure.median;
	return figure;
}

/* Thread i's share [lo, hi) of count items. */
static void share(size_t count, int thread, int n_threads, size_t *lo,
	size_t *hi)
{
	*lo = count * (size_t)thread / (size_t)n_threads;
	*hi = count * (size_t)(thread + 1) / (size_t)n_threads;
}

/* Two 64-bit lanes, a GCC vector extension: on x86-64 each load reads 16
 * bytes into an SSE2 register.  A loop of 8-byte loads read one core's
 * share more slowly on a Zen 4 guest (22.8 against 33.7 GB/s). */
typedef uint64_t lanes2 __attribute__((vector_size(16)));

static void read_work(struct team *team, int thread)
{
	const lanes2 *v = team->buf->data;
	lanes2 s0 = { 0, 0 }, s1 = s0, s2 = s0, s3 = s0;
	size_t lo, hi;

	share(team->bytes / 64, thread, team->n_threads, &lo, &hi);
	for (uint64_t r = 0; r < team->repeats; r++)
		for (size_t i = 4 * lo; i < 4 * hi; i += 4) {
			s0 += v[i];
			s1 += v[i + 1];
			s2 += v[i + 2];
			s3 += v[i + 3];
		}
	s0 += s1 + s2 + s3;
	team->sink = s0[0] + s0[1];
}

struct rs_mem_figure rs_mem_read_bw(struct rs_huge_buf *buf, int n_threads,
	const struct rs_mem_timing *timing)
{
	struct team team;

	memset(&team, 0, sizeof team);
	team.work = read_work;
	team.buf = buf;
	team.bytes = buf->bytes / 64 * 64;
	team.n_threads = n_threads;
	return measure(&team, (double)team.bytes, timing);
}

static void triad_work(struct team *team, int thread)
{
	size_t n = team->bytes / 3 / sizeof(double), lo, hi;
	double *a = team->buf->data, *b = a + n, *c = b + n;
	const double q = 3.0;

	share(n, thread, team->n_threads, &lo, &hi);
	for (uint64_t r = 0; r < team->repeats; r++)
		for (size_t i = lo; i < hi; i++)
			a[i] = b[i] + q * c[i];
	team->sink = (uint64_t)a[lo];
}

struct rs_mem_figure rs_mem_triad_bw(struct rs_huge_buf *buf, int n_threads,
	const struct rs_mem_timing *timing)
{
	struct team team;
	size_t n = buf->bytes / 3 / sizeof(double);

	memset(&team, 0, sizeof team);
	team.work = triad_work;
	team.buf = buf;
	team.bytes = buf->bytes;
	team.n_threads = n_threads;
	return measure(&team, 24.0 * (double)n, timing);
}

/* A single random cycle through the lines: Sattolo's shuffle of the
 * identity, stored as line numbers and then turned into pointers. */
static void build_cycle(struct rs_huge_buf *buf, size_t lines)
{
	uint64_t *words = buf->data, state = 12345;

	for (size_t i = 0; i < lines; i++)
		words[8 * i] = i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = (size_t)(((unsigned __int128)rs_random_next(&state)
			* i) >> 64);
		uint64_t t = words[8 * i];

		words[8 * i] = words[8 * j];
		words[8 * j] = t;
	}
	for (size_t i = 0; i < lines; i++)
		words[8 * i] = (uint64_t)(uintptr_t)&words[8 * words[8 * i]];
}

static void chase_work(struct team *team, int thread)
{
	void *p = team->buf->data;
	uint64_t steps = team->repeats * 1024;

	(void)thread;
	for (uint64_t i = 0; i < steps; i++)
		p = *(void **)p;
	team->sink = (uint64_t)(uintptr_t)p;
}

struct rs_mem_figure rs_mem_latency(struct rs_huge_buf *buf, size_t bytes,
	const struct rs_mem_timing *timing)
{
	struct rs_mem_figure loads_per_s, latency;
	struct team team;
	size_t lines = bytes / 64;

	if (lines < 2 || bytes > buf->bytes) {
		latency.median = latency.spread_frac = NAN;
		return latency;
	}
	build_cycle(buf, lines);
	memset(&team, 0, sizeof team);
	team.work = chase_work;
	team.buf = buf;
	team.bytes = bytes;
	team.n_threads = 1;
	loads_per_s = measure(&team, 1024.0, timing);
	latency.median = 1.0 / loads_per_s.median;
	latency.spread_frac = loads_per_s.spread_frac;
	return latency;
}

static void random_work(struct team *team, int thread)
{
	const uint64_t *words = team->buf->data;
	uint64_t lines = team->bytes / 64, mask = 1, x, sum = 0;
	uint64_t loads = team->repeats * 4096;

	while (mask * 2 <= lines)
		mask *= 2;
	mask -= 1;
	x = 0x9e3779b97f4a7c15u * (uint64_t)(thread + 1);
	/* A 64-bit linear congruential generator; its high bits pick the
	 * line.  Each address depends only on the generator, not on any
	 * loaded value. */
	for (uint64_t i = 0; i < loads; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		sum += words[8 * ((x >> 24) & mask)];
	}
	team->sink = sum;
}

struct rs_mem_figure rs_mem_random_lines(struct rs_huge_buf *buf,
	int n_threads, const struct rs_mem_timing *timing)
{
	struct team team;

	memset(&team, 0, sizeof team);
	team.work = random_work;
	team.buf = buf;
	team.bytes = buf->bytes;
	team.n_threads = n_threads;
	return measure(&team, 4096.0 * n_threads, timing);
}
