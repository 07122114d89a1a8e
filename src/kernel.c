/* Embedding-bag forward: argument checks, variant choice, row encoding and
 * the worker threads.  The gathering loops are in kernel-<isa>.c. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "kernel-impl.h"
#include "topology.h"

static const char *const dtype_names[] = { "fp32", "fp16", "bf16", "int8" };
static const char *const pooling_names[] = { "sum", "mean", "weighted_sum" };
static const char *const isa_names[] = { "auto", "scalar", "avx2", "avx512" };

size_t rs_emb_row_bytes(enum rs_emb_dtype dtype, int dim)
{
	switch (dtype) {
	case RS_EMB_FP32:
		return 4 * (size_t)dim;
	case RS_EMB_FP16:
	case RS_EMB_BF16:
		return 2 * (size_t)dim;
	case RS_EMB_INT8:
		return (size_t)dim + 8;
	}
	return 0;
}

const char *rs_emb_dtype_name(enum rs_emb_dtype dtype)
{
	return (unsigned)dtype < 4 ? dtype_names[dtype] : "unknown";
}

int rs_emb_dtype_parse(const char *name, enum rs_emb_dtype *dtype)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, dtype_names[i]) == 0) {
			*dtype = (enum rs_emb_dtype)i;
			return 0;
		}
	return -1;
}

const char *rs_emb_pooling_name(enum rs_emb_pooling pooling)
{
	return (unsigned)pooling < 3 ? pooling_names[pooling] : "unknown";
}

int rs_emb_pooling_parse(const char *name, enum rs_emb_pooling *pooling)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, pooling_names[i]) == 0) {
			*pooling = (enum rs_emb_pooling)i;
			return 0;
		}
	return -1;
}

const char *rs_emb_isa_name(enum rs_emb_isa isa)
{
	return (unsigned)isa < 4 ? isa_names[isa] : "unknown";
}

int rs_emb_isa_supported(enum rs_emb_isa isa)
{
	switch (isa) {
	case RS_EMB_ISA_AUTO:
	case RS_EMB_ISA_SCALAR:
		return 1;
#ifdef RS_HAVE_X86_TARGETS
	case RS_EMB_ISA_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2")
			&& __builtin_cpu_supports("fma")
			&& __builtin_cpu_supports("f16c");
	case RS_EMB_ISA_AVX512:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx512f")
			&& __builtin_cpu_supports("avx512bw")
			&& __builtin_cpu_supports("avx512vl")
			&& __builtin_cpu_supports("fma")
			&& __builtin_cpu_supports("f16c");
#else
	case RS_EMB_ISA_AVX2:
	case RS_EMB_ISA_AVX512:
		return 0;
#endif
	}
	return 0;
}

enum rs_emb_isa rs_emb_isa_best(void)
{
	if (rs_emb_isa_supported(RS_EMB_ISA_AVX512))
		return RS_EMB_ISA_AVX512;
	if (rs_emb_isa_supported(RS_EMB_ISA_AVX2))
		return RS_EMB_ISA_AVX2;
	return RS_EMB_ISA_SCALAR;
}

/* The prefetch distance keeps about RS_EMB_PREFETCH_BYTES of rows in
 * flight, and at most RS_EMB_PREFETCH_MAX_ROWS rows: 32 rows of 64 B to
 * 512 B, 16 of 1 KiB.  caffe2's generated embedding-lookup kernels
 * (caffe2/perfkernels/hp_emblookup_codegen.py), which PyTorch uses,
 * prefetch 16 rows ahead into L1 for every row size.  The rule was
 * measured on a 2-core Zen 4 guest with prefetches into L2, fp32 rows,
 * pooling 1 and 20, uniform and Zipf(1.05) indices, one and two threads,
 * distances 4 to 64 rows (bench/kernel-vs-torch.py, five interleaved
 * samples).  On a 4 GiB table, 64-byte rows gathered 11-54% faster 32
 * rows ahead than 16 and 35-80% faster than 8.  Rows of 256 B to 1 KiB
 * changed by less than 10% between 16 and 64 rows, except 256-byte rows
 * with Zipf indices at pooling 20, 10-23% faster at 32 or 64 rows than at
 * 16.  On a 16 MiB table the ordering was the same.
 * NOTE: 4 KiB pages were not swept; their best distance may differ. */
int rs_emb_prefetch_rows(size_t row_bytes)
{
	size_t lines = (row_bytes + 63) / 64;
	size_t rows = RS_EMB_PREFETCH_BYTES / (64 * (lines ? lines : 1));

	if (rows > RS_EMB_PREFETCH_MAX_ROWS)
		rows = RS_EMB_PREFETCH_MAX_ROWS;
	return rows < 1 ? 1 : (int)rows;
}

/* The per-core cache that the default prefetch distance compares tables
 * with: the L2 size from sysconf, or 1 MiB when the C library cannot
 * report it. */
static size_t l2_bytes;
static pthread_once_t l2_once = PTHREAD_ONCE_INIT;

static void read_l2_size(void)
{
	long size = -1;

#ifdef _SC_LEVEL2_CACHE_SIZE
	size = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
	l2_bytes = size > 0 ? (size_t)size : (size_t)1 << 20;
}

/* A table that fits in the L2 cache gets no prefetch: its rows come from
 * L1 or L2 in a few cycles, and a prefetch only takes a load slot from the
 * gather.  On a 2-core Zen 4 guest (1 MiB L2), prefetching a 1 MiB fp32
 * table 8 or 16 rows ahead cost 5-34% at pooling 20 and gained at most 7%
 * at pooling 1 (BENCHMARKS.md). */
int rs_emb_table_prefetch_rows(const struct rs_emb_table *t)
{
	pthread_once(&l2_once, read_l2_size);
	if (t->n_rows >= 0 && (uint64_t)t->n_rows
	    <= l2_bytes / (t->row_bytes ? t->row_bytes : 1))
		return 0;
	return rs_emb_prefetch_rows(t->row_bytes);
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

/* Round an fp32 to the nearest IEEE half, ties to even. */
static uint16_t float_to_half(float f)
{
	uint32_t x = float_bits(f);
	uint32_t sign = (x >> 16) & 0x8000u;
	uint32_t mantissa = x & 0x7fffffu;
	int exponent = (int)((x >> 23) & 0xffu) - 127 + 15;
	uint32_t half, rest, halfway;
	int shift;

	if (((x >> 23) & 0xffu) == 0xffu)	/* inf stays inf, NaN quiet */
		return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
	if (exponent >= 31)
		return (uint16_t)(sign | 0x7c00u);
	if (exponent > 0) {
		half = sign | ((uint32_t)exponent << 10) | (mantissa >> 13);
		rest = mantissa & 0x1fffu;
		if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
			half++;		/* may carry into the exponent: right */
		return (uint16_t)half;
	}
	/* A half subnormal: m x 2^-24 with m = 1.mantissa x 2^(exponent-1)
	 * x 2^24, so the 24-bit significand shifts right by 14 - exponent. */
	if (exponent < -10)
		return (uint16_t)sign;
	mantissa |= 0x800000u;
	shift = 14 - exponent;
	half = mantissa >> shift;
	rest = mantissa & ((1u << shift) - 1u);
	halfway = 1u << (shift - 1);
	if (rest > halfway || (rest == halfway && (half & 1u)))
		half++;
	return (uint16_t)(sign | half);
}

static uint16_t float_to_bf16(float f)
{
	uint32_t x = float_bits(f);

	if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu))
		return (uint16_t)((x >> 16) | 0x40u);	/* quiet NaN */
	x += 0x7fffu + ((x >> 16) & 1u);
	return (uint16_t)(x >> 16);
}

void rs_emb_encode_row(enum rs_emb_dtype dtype, const float *src, int dim,
	void *dst)
{
	unsigned char *row = dst;
	float lo = src[0], hi = src[0], scale;

	switch (dtype) {
	case RS_EMB_FP32:
		memcpy(row, src, 4 * (size_t)dim);
		return;
	case RS_EMB_FP16:
	case RS_EMB_BF16:
		for (int k = 0; k < dim; k++) {
			uint16_t h = dtype == RS_EMB_FP16
				? float_to_half(src[k]) : float_to_bf16(src[k]);

			memcpy(row + 2 * k, &h, sizeof h);
		}
		return;
	case RS_EMB_INT8:
		for (int k = 1; k < dim; k++) {
			lo = src[k] < lo ? src[k] : lo;
			hi = src[k] > hi ? src[k] : hi;
		}
		scale = (hi - lo) / 255.0f;
		for (int k = 0; k < dim; k++) {
			float code = scale > 0.0f
				? (src[k] - lo) / scale + 0.5f : 0.0f;

			row[k] = (unsigned char)(code >= 255.0f ? 255
				: code <= 0.0f ? 0 : (int)code);
		}
		memcpy(row + dim, &scale, sizeof scale);
		memcpy(row + dim + 4, &lo, sizeof lo);
		return;
	}
}

float rs_emb_decode(enum rs_emb_dtype dtype, const void *row, int dim, int k)
{
	const unsigned char *bytes = row;
	float f, scale, bias;
	uint16_t h;

	switch (dtype) {
	case RS_EMB_FP32:
		memcpy(&f, bytes + 4 * (size_t)k, sizeof f);
		return f;
	case RS_EMB_FP16:
		memcpy(&h, bytes + 2 * (size_t)k, sizeof h);
		return rs_emb_half_to_float(h);
	case RS_EMB_BF16:
		memcpy(&h, bytes + 2 * (size_t)k, sizeof h);
		return rs_emb_bf16_to_float(h);
	case RS_EMB_INT8:
		memcpy(&scale, bytes + dim, sizeof scale);
		memcpy(&bias, bytes + dim + 4, sizeof bias);
		return scale * (float)bytes[k] + bias;
	}
	return 0.0f;
}

/* Worker threads.  The calling thread is worker 0, and threads 1..n-1
 * wait for work.  The caller publishes a job and bumps generation.  The
 * workers pool chunks of bags until none is left, and the last one to
 * finish signals done.  Both sides spin before they sleep on a condition
 * variable, because waking a sleeping thread on a virtual machine can take
 * longer than a whole call.  One rs_emb_bag_forward call at a time may use
 * a pool. */

/* Pauses a thread spins for before it sleeps: 2 ms on a Zen 4 guest at
 * 25 ns per pause, and less on CPUs with shorter pauses.  With 20000, the
 * samples of two-thread calls made from Python spread by a median of 44%,
 * and with 80000 by 9-19% (BENCHMARKS.md, "Spinning before sleeping"). */
#define SPIN_ITERATIONS 80000

struct rs_emb_worker {
	struct rs_emb_pool *pool;
	pthread_t thread;
	int index;
	int64_t bad_position;
	int status;
	double busy_s;
	int64_t n_lookups;
};

struct rs_emb_pool {
	pthread_mutex_t lock;
	pthread_cond_t start, done;
	atomic_ulong generation;
	atomic_int n_running;
	atomic_int stop;
	const struct rs_emb_job *job;
	rs_emb_range_fn fn;
	atomic_llong next_bag;	/* the first bag no worker has taken yet */
	int64_t n_bags, chunk_bags;
	int n_threads;
	int n_started;		/* threads 1..n_started are running */
	const struct rs_topology *topo;	/* non-NULL: the caller was bound */
	void *caller_binding;	/* the caller's binding before, to restore */
	struct rs_emb_worker workers[];
};

/* One step of a spin wait: a pause, and every 64th step a yield, so that
 * a spinning thread hands its core to any other runnable thread.  Without
 * the yield, 3 workers on 2 cores, or 2 on a machine busy with another
 * process, ran 8-15x slower than 1, because a worker with work waited
 * for a core that a finished worker kept spinning on. */
static void spin_pause(int step)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
	if (step % 64 == 63)
		sched_yield();
}

static double elapsed_s(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec)
		+ 1e-9 * (double)(t1->tv_nsec - t0->tv_nsec);
}

/* Pool chunks of bags taken from the shared counter until none is left or
 * one fails.  Chunks, rather than one fixed share per worker, let a worker
 * that lost its core for a while take fewer of them.  Chunks are taken in
 * order, so every bag before a failing one is pooled or has failed with an
 * earlier position, and the lowest position any worker reports is the
 * first bad one. */
static void run_chunks(struct rs_emb_worker *w)
{
	struct rs_emb_pool *pool = w->pool;
	const int64_t *offsets = pool->job->offsets;
	struct timespec t0, t1;

	w->bad_position = -1;
	w->status = 0;
	w->n_lookups = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int64_t lo = atomic_fetch_add(&pool->next_bag,
			pool->chunk_bags);
		int64_t hi = lo + pool->chunk_bags;

		if (lo >= pool->n_bags)
			break;
		if (hi > pool->n_bags)
			hi = pool->n_bags;
		w->status = pool->fn(pool->job, lo, hi, &w->bad_position);
		if (w->status < 0)
			break;
		w->n_lookups += offsets[hi] - offsets[lo];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	w->busy_s = elapsed_s(&t0, &t1);
}

/* Wait until generation differs from seen or the pool stops. */
static unsigned long wait_for_work(struct rs_emb_pool *pool,
	unsigned long seen)
{
	unsigned long now;

	for (int i = 0; i < SPIN_ITERATIONS; i++) {
		now = atomic_load(&pool->generation);
		if (now != seen || atomic_load(&pool->stop))
			return now;
		spin_pause(i);
	}
	pthread_mutex_lock(&pool->lock);
	while ((now = atomic_load(&pool->generation)) == seen
	       && !atomic_load(&pool->stop))
		pthread_cond_wait(&pool->start, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	return now;
}

static void *worker_main(void *arg)
{
	struct rs_emb_worker *w = arg;
	struct rs_emb_pool *pool = w->pool;
	unsigned long seen = 0;

	for (;;) {
		seen = wait_for_work(pool, seen);
		if (atomic_load(&pool->stop))
			break;
		run_chunks(w);
		if (atomic_fetch_sub(&pool->n_running, 1) == 1) {
			pthread_mutex_lock(&pool->lock);
			pthread_cond_signal(&pool->done);
			pthread_mutex_unlock(&pool->lock);
		}
	}
	return NULL;
}

struct rs_emb_pool *rs_emb_pool_new(int n_threads,
	const struct rs_topology *topo, int *n_unbound, struct rs_error *err)
{
	struct rs_emb_pool *pool;

	if (n_unbound != NULL)
		*n_unbound = 0;
	if (n_threads < 1 || n_threads > 1024) {
		rs_fail(err, "%d worker threads requested; give 1 to 1024",
			n_threads);
		return NULL;
	}
	pool = calloc(1, sizeof *pool + (size_t)n_threads
		* sizeof pool->workers[0]);
	if (pool == NULL) {
		rs_fail(err, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->start, NULL);
	pthread_cond_init(&pool->done, NULL);
	atomic_init(&pool->generation, 0);
	atomic_init(&pool->n_running, 0);
	atomic_init(&pool->stop, 0);
	atomic_init(&pool->next_bag, 0);
	pool->n_threads = n_threads;

	for (int i = 0; i < n_threads; i++) {
		struct rs_emb_worker *w = &pool->workers[i];
		int rc;

		w->pool = pool;
		w->index = i;
		if (i == 0)
			continue;	/* the caller of rs_emb_bag_forward */
		rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0) {
			rs_fail(err, "starting worker thread %d of %d failed: "
				"%s", i + 1, n_threads, strerror(rc));
			rs_emb_pool_free(pool);
			return NULL;
		}
		pool->n_started = i;
		if (topo != NULL && rs_topo_bind_thread(topo, w->thread, i,
				NULL) < 0 && n_unbound != NULL)
			(*n_unbound)++;
	}
	if (topo != NULL && n_threads > 1) {
		pool->topo = topo;
		pool->caller_binding = rs_topo_save_binding(topo);
		if (rs_topo_bind_thread(topo, pthread_self(), 0, NULL) < 0
		    && n_unbound != NULL)
			(*n_unbound)++;
	}
	return pool;
}

int rs_emb_pool_threads(const struct rs_emb_pool *pool)
{
	return pool ? pool->n_threads : 1;
}

void rs_emb_pool_last_call(const struct rs_emb_pool *pool, int worker,
	double *busy_s, int64_t *n_lookups)
{
	const struct rs_emb_worker *w = &pool->workers[worker];

	*busy_s = w->busy_s;
	*n_lookups = w->n_lookups;
}

void rs_emb_pool_free(struct rs_emb_pool *pool)
{
	if (pool == NULL)
		return;
	pthread_mutex_lock(&pool->lock);
	atomic_store(&pool->stop, 1);
	pthread_cond_broadcast(&pool->start);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 1; i <= pool->n_started; i++)
		pthread_join(pool->workers[i].thread, NULL);
	if (pool->topo != NULL)
		rs_topo_restore_binding(pool->topo, pool->caller_binding);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->start);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

/* The first bag b with offsets[b] >= position, searching [lo, hi]. */
static int64_t first_bag_at(const int64_t *offsets, int64_t lo, int64_t hi,
	int64_t position)
{
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offsets[mid] < position)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Lookups per chunk of bags that a worker takes at a time: about 20
 * chunks for a call of 40960 lookups, few enough that taking one costs
 * nothing next to pooling it. */
#define CHUNK_LOOKUPS 2048

/* Run the job on the workers, the calling thread among them.
 * Returns 0, -1 with *bad set to the first position whose index is
 * outside the table, or -2 when a worker found offsets out of order. */
static int run_on_pool(struct rs_emb_pool *pool,
	const struct rs_emb_job *job, rs_emb_range_fn fn, int64_t n_bags,
	int64_t *bad)
{
	int status = 0;

	{
		int64_t total = job->prefetch_end - job->offsets[0];
		int64_t per_bag = total / n_bags > 0 ? total / n_bags : 1;

		pool->chunk_bags = CHUNK_LOOKUPS / per_bag > 0
			? CHUNK_LOOKUPS / per_bag : 1;
	}
	pool->n_bags = n_bags;
	atomic_store(&pool->next_bag, 0);
	pool->job = job;
	pool->fn = fn;
	atomic_store(&pool->n_running, pool->n_threads - 1);
	pthread_mutex_lock(&pool->lock);
	atomic_fetch_add(&pool->generation, 1);
	pthread_cond_broadcast(&pool->start);
	pthread_mutex_unlock(&pool->lock);

	run_chunks(&pool->workers[0]);

	for (int i = 0; i < SPIN_ITERATIONS
	     && atomic_load(&pool->n_running) > 0; i++)
		spin_pause(i);
	pthread_mutex_lock(&pool->lock);
	while (atomic_load(&pool->n_running) > 0)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
	pool->job = NULL;	/* it lives on the caller's stack */

	*bad = -1;
	for (int i = 0; i < pool->n_threads; i++) {
		const struct rs_emb_worker *w = &pool->workers[i];

		if (w->status == -2)
			status = -2;
		else if (w->status == -1 && status != -2) {
			status = -1;
			if (*bad < 0 || w->bad_position < *bad)
				*bad = w->bad_position;
		}
	}
	return status;
}

static int check_table(const struct rs_emb_table *t, struct rs_error *err)
{
	if ((unsigned)t->dtype > RS_EMB_INT8)
		return rs_fail(err, "embedding table: unknown row type %d",
			(int)t->dtype);
	if (t->dim < 1 || t->dim > RS_EMB_MAX_DIM)
		return rs_fail(err, "embedding table: dimension %d is out of "
			"range; give 1 to %d", t->dim, RS_EMB_MAX_DIM);
	if (t->n_rows < 0)
		return rs_fail(err, "embedding table: %lld rows; the count "
			"cannot be negative", (long long)t->n_rows);
	if (t->n_rows > 0 && t->rows == NULL)
		return rs_fail(err, "embedding table: %lld rows but no row "
			"data", (long long)t->n_rows);
	if (t->row_bytes < rs_emb_row_bytes(t->dtype, t->dim))
		return rs_fail(err, "embedding table: row stride %zu bytes is "
			"less than the %zu bytes of a %s row of dimension %d",
			t->row_bytes, rs_emb_row_bytes(t->dtype, t->dim),
			rs_emb_dtype_name(t->dtype), t->dim);
	return 0;
}

/* The first pair of offsets out of order, as an error; 0 when every
 * offset is at least the one before it. */
static int check_offset_order(const struct rs_emb_bags *bags,
	struct rs_error *err)
{
	for (int64_t b = 0; b < bags->n_bags; b++)
		if (bags->offsets[b + 1] < bags->offsets[b])
			return rs_fail(err, "bags: offsets[%lld] = %lld is less "
				"than offsets[%lld] = %lld; offsets must not "
				"decrease", (long long)(b + 1),
				(long long)bags->offsets[b + 1], (long long)b,
				(long long)bags->offsets[b]);
	return 0;
}

/* The checks that take constant time.  That the offsets do not decrease
 * is checked bag by bag in the workers (kernel-impl.h), and
 * check_offset_order names the culprit when one fails. */
static int check_bags(const struct rs_emb_bags *bags,
	enum rs_emb_pooling pooling, struct rs_error *err)
{
	if (bags->n_bags < 0 || bags->offsets == NULL)
		return rs_fail(err, "bags: %s", bags->offsets == NULL
			? "offsets missing" : "negative bag count");
	if (bags->offsets[0] < 0)
		return rs_fail(err, "bags: offsets[0] = %lld is negative",
			(long long)bags->offsets[0]);
	if (bags->offsets[bags->n_bags] < bags->offsets[0])
		return check_offset_order(bags, err);
	if (bags->offsets[bags->n_bags] > bags->n_indices)
		return rs_fail(err, "bags: the last offset %lld is past the "
			"%lld indices", (long long)bags->offsets[bags->n_bags],
			(long long)bags->n_indices);
	if (bags->offsets[bags->n_bags] > bags->offsets[0]
	    && bags->indices == NULL)
		return rs_fail(err, "bags: indices missing");
	if (pooling == RS_EMB_WEIGHTED_SUM && bags->weights == NULL
	    && bags->offsets[bags->n_bags] > bags->offsets[0])
		return rs_fail(err, "bags: weighted_sum pooling needs one "
			"weight per index");
	if (pooling != RS_EMB_WEIGHTED_SUM && bags->weights != NULL)
		return rs_fail(err, "bags: weights given for %s pooling; "
			"use weighted_sum or pass no weights",
			rs_emb_pooling_name(pooling));
	return 0;
}

static rs_emb_range_fn choose_variant(enum rs_emb_isa isa)
{
	switch (isa) {
#ifdef RS_HAVE_X86_TARGETS
	case RS_EMB_ISA_AVX512:
		return rs_embbag_fwd_avx512;
	case RS_EMB_ISA_AVX2:
		return rs_embbag_fwd_avx2;
#endif
	default:
		return rs_embbag_fwd_scalar;
	}
}

int rs_emb_bag_forward(struct rs_emb_pool *pool,
	const struct rs_emb_table *table, const struct rs_emb_bags *bags,
	const struct rs_emb_options *options, float *out,
	struct rs_error *err)
{
	enum rs_emb_isa isa = options->isa;
	struct rs_emb_job job;
	rs_emb_range_fn fn;
	int64_t bad = -1;
	int status;

	if (check_table(table, err) < 0
	    || check_bags(bags, options->pooling, err) < 0)
		return -1;
	if ((unsigned)options->pooling > RS_EMB_WEIGHTED_SUM)
		return rs_fail(err, "unknown pooling %d", (int)options->pooling);
	if (isa == RS_EMB_ISA_AUTO)
		isa = rs_emb_isa_best();
	if ((unsigned)isa > RS_EMB_ISA_AVX512 || !rs_emb_isa_supported(isa))
		return rs_fail(err, "the %s kernel cannot run on this CPU; "
			"use auto", rs_emb_isa_name(isa));
	if (bags->n_bags == 0)
		return 0;
	if (out == NULL)
		return rs_fail(err, "no output buffer for %lld bags",
			(long long)bags->n_bags);

	memset(&job, 0, sizeof job);
	job.rows = table->rows;
	job.n_rows = (uint64_t)table->n_rows;
	job.row_bytes = table->row_bytes;
	job.dim = table->dim;
	job.dtype = table->dtype;
	job.indices = bags->indices;
	job.offsets = bags->offsets;
	job.weights = options->pooling == RS_EMB_WEIGHTED_SUM
		? bags->weights : NULL;
	job.mean = options->pooling == RS_EMB_MEAN;
	job.prefetch_end = bags->offsets[bags->n_bags];
	job.prefetch_rows = options->prefetch_rows >= 0
		? options->prefetch_rows : rs_emb_table_prefetch_rows(table);
	job.out = out;
	/* Weighted sum over no indices at all may come without weights:
	 * every bag is empty, and the sum variant writes the same zeros. */
	fn = choose_variant(isa);

	if (pool != NULL)
		status = run_on_pool(pool, &job, fn, bags->n_bags, &bad);
	else
		status = fn(&job, 0, bags->n_bags, &bad);
	if (status == -2)
		return check_offset_order(bags, err);

	if (status == -1) {
		int64_t bag = first_bag_at(bags->offsets, 0, bags->n_bags,
			bad + 1) - 1;

		return rs_fail(err, "index %lld at position %lld (bag %lld) is "
			"outside the table of %lld rows; indices must be in "
			"[0, %lld)", (long long)bags->indices[bad],
			(long long)bad, (long long)bag,
			(long long)table->n_rows, (long long)table->n_rows);
	}
	return 0;
}
