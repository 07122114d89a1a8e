/* Timing the embedding-bag kernel; see kernelbench.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernelbench.h"

#define MIN_POOL_LOOKUPS ((int64_t)1 << 20)
#define MAX_SAMPLES 101

void rs_kbench_defaults(struct rs_kbench_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->n_rows = 1000000;
	spec->dim = 64;
	spec->dtype = RS_EMB_FP32;
	spec->pooling = RS_EMB_SUM;
	spec->pooling_factor = 20;
	spec->n_bags = 2048;
	spec->dist.kind = RS_DIST_UNIFORM;
	spec->n_threads = 1;
	spec->isa = RS_EMB_ISA_AUTO;
	spec->prefetch_rows = -1;
	spec->huge_pages = 1;
	spec->n_samples = 7;
	spec->min_sample_s = 0.025;
	spec->seed = 42;
}

static int64_t batch_lookups(const struct rs_kbench_spec *spec)
{
	return spec->n_bags * spec->pooling_factor;
}

static int64_t n_batches(const struct rs_kbench_spec *spec)
{
	int64_t per_batch = batch_lookups(spec);

	if (per_batch <= 0)
		return 1;
	return (MIN_POOL_LOOKUPS + per_batch - 1) / per_batch;
}

double rs_kbench_bytes(const struct rs_kbench_spec *spec)
{
	double table = spec->shared_table ? 0.0 : (double)spec->n_rows
		* (double)rs_emb_row_bytes(spec->dtype, spec->dim);
	double lookups = (double)batch_lookups(spec) * (double)n_batches(spec);

	return table + 8.0 * lookups + 4.0 * (double)batch_lookups(spec)
		+ 8.0 * (double)(spec->n_bags + 1)
		+ 4.0 * (double)spec->n_bags * spec->dim;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double rs_median(double *values, int n)
{
	if (n <= 0)
		return NAN;
	qsort(values, (size_t)n, sizeof values[0], compare_doubles);
	return n % 2 ? values[n / 2]
		: 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int check_spec(const struct rs_kbench_spec *spec,
	struct rs_error *err)
{
	if (spec->n_rows < 1)
		return rs_fail(err, "rows %lld: give at least 1",
			(long long)spec->n_rows);
	if (spec->dim < 1 || spec->dim > RS_EMB_MAX_DIM)
		return rs_fail(err, "dimension %d: give 1 to %d", spec->dim,
			RS_EMB_MAX_DIM);
	if (spec->pooling_factor < 1 || spec->pooling_factor > 100000)
		return rs_fail(err, "pooling factor %d: give 1 to 100000",
			spec->pooling_factor);
	if (spec->n_bags < 1 || spec->n_bags > 10000000)
		return rs_fail(err, "bags %lld: give 1 to 10000000",
			(long long)spec->n_bags);
	if (spec->n_threads < 1 || spec->n_threads > RS_KBENCH_MAX_THREADS)
		return rs_fail(err, "threads %d: give 1 to %d", spec->n_threads,
			RS_KBENCH_MAX_THREADS);
	if (spec->n_samples < 1 || spec->n_samples > MAX_SAMPLES)
		return rs_fail(err, "samples %d: give 1 to %d", spec->n_samples,
			MAX_SAMPLES);
	if (rs_available_memory_bytes() > 0 && rs_kbench_bytes(spec)
			> 0.8 * (double)rs_available_memory_bytes())
		return rs_fail(err, "the run needs %.3g GB for its table, indices "
			"and output, more than 80%% of the %.3g GB of memory "
			"available; give fewer rows or bags, or a smaller "
			"pooling factor",
			rs_kbench_bytes(spec) / 1e9,
			(double)rs_available_memory_bytes() / 1e9);
	if (spec->shared_table && (double)spec->shared_table->bytes
			< (double)spec->n_rows
			* (double)rs_emb_row_bytes(spec->dtype, spec->dim))
		return rs_fail(err, "the shared table buffer is smaller than "
			"%lld rows", (long long)spec->n_rows);
	return 0;
}

/* Everything a run allocates, released by release(). */
struct bench {
	struct rs_huge_buf own_table;
	struct rs_huge_buf indices;
	int64_t *offsets;
	float *weights;
	float *out;
	struct rs_emb_pool *pool;
};

static void release(struct bench *b)
{
	rs_emb_pool_free(b->pool);
	free(b->out);
	free(b->weights);
	free(b->offsets);
	rs_huge_free(&b->indices);
	rs_huge_free(&b->own_table);
}

static int prepare(const struct rs_kbench_spec *spec,
	const struct rs_topology *topo, struct bench *b,
	struct rs_emb_table *table, struct rs_error *err)
{
	size_t row_bytes = rs_emb_row_bytes(spec->dtype, spec->dim);
	int64_t per_batch = batch_lookups(spec);
	int64_t count = per_batch * n_batches(spec);
	const struct rs_huge_buf *rows = spec->shared_table;

	if (rows == NULL) {
		if (rs_huge_alloc(&b->own_table, (size_t)spec->n_rows
				* row_bytes, spec->huge_pages) < 0)
			return rs_fail(err, "cannot map a table of %.3g bytes",
				(double)spec->n_rows * (double)row_bytes);
		/* 0x3c in every byte is a small finite value for every row
		 * type, so no sum meets a NaN or a subnormal. */
		memset(b->own_table.data, 0x3c, b->own_table.bytes);
		rows = &b->own_table;
	}
	table->rows = rows->data;
	table->n_rows = spec->n_rows;
	table->dim = spec->dim;
	table->dtype = spec->dtype;
	table->row_bytes = row_bytes;

	if (rs_huge_alloc(&b->indices, (size_t)count * sizeof(int64_t), 1) < 0)
		return rs_fail(err, "cannot map %lld indices",
			(long long)count);
	if (rs_fill_indices(b->indices.data, count, spec->n_rows, &spec->dist,
			spec->seed, err) < 0)
		return -1;

	b->offsets = malloc(sizeof(int64_t) * (size_t)(spec->n_bags + 1));
	b->out = malloc(sizeof(float) * (size_t)spec->n_bags
		* (size_t)spec->dim);
	if (spec->pooling == RS_EMB_WEIGHTED_SUM)
		b->weights = malloc(sizeof(float) * (size_t)per_batch);
	if (b->offsets == NULL || b->out == NULL
	    || (spec->pooling == RS_EMB_WEIGHTED_SUM && b->weights == NULL))
		return rs_fail(err, "out of memory");
	for (int64_t i = 0; i <= spec->n_bags; i++)
		b->offsets[i] = i * spec->pooling_factor;
	for (int64_t i = 0; b->weights && i < per_batch; i++)
		b->weights[i] = 0.5f;

	b->pool = rs_emb_pool_new(spec->n_threads, topo, NULL, err);
	return b->pool ? 0 : -1;
}

/* One call on batch k of the index pool. */
static int call(const struct rs_kbench_spec *spec, struct bench *b,
	const struct rs_emb_table *table, int64_t k, struct rs_error *err)
{
	int64_t per_batch = batch_lookups(spec);
	struct rs_emb_bags bags = {
		(const int64_t *)b->indices.data + (k % n_batches(spec))
			* per_batch,
		b->offsets, b->weights, spec->n_bags, per_batch
	};
	struct rs_emb_options options = { spec->pooling, spec->isa,
		spec->prefetch_rows };

	return rs_emb_bag_forward(b->pool, table, &bags, &options, b->out,
		err);
}

int rs_kbench_run(const struct rs_kbench_spec *spec,
	const struct rs_topology *topo, struct rs_kbench_result *result,
	struct rs_error *err)
{
	double rates[MAX_SAMPLES], lengths[MAX_SAMPLES];
	double thread_rates[MAX_SAMPLES];
	double (*per_thread)[MAX_SAMPLES] = NULL;
	struct rs_emb_table table;
	struct bench b;
	int64_t k = 0, calls = 0;
	double start;
	int rc = -1;

	memset(result, 0, sizeof *result);
	memset(&b, 0, sizeof b);
	if (check_spec(spec, err) < 0)
		return -1;
	per_thread = calloc((size_t)spec->n_threads, sizeof *per_thread);
	if (per_thread == NULL)
		return rs_fail(err, "out of memory");
	if (prepare(spec, topo, &b, &table, err) < 0)
		goto out;

	/* Map every page now, then warm up for one sample's time.  Size a
	 * sample by timing a second pass, because the first is slowed by
	 * cold caches and TLBs. */
	rs_huge_touch(spec->shared_table ? spec->shared_table : &b.own_table);
	start = now_s();
	do {
		if (call(spec, &b, &table, k++, err) < 0)
			goto out;
		calls++;
	} while (now_s() - start < spec->min_sample_s);
	start = now_s();
	for (int64_t c = 0; c < calls; c++)
		if (call(spec, &b, &table, k++, err) < 0)
			goto out;
	calls = (int64_t)ceil((double)calls * 1.1 * spec->min_sample_s
		/ (now_s() - start));
	if (calls < 1)
		calls = 1;

	for (int s = 0; s < spec->n_samples; s++) {
		double busy[RS_KBENCH_MAX_THREADS] = { 0 };
		double done[RS_KBENCH_MAX_THREADS] = { 0 };
		double t0 = now_s(), elapsed;
		int64_t calls_made = 0;

		/* The planned calls, then more until the sample is long
		 * enough, in case the machine sped up since the sizing pass. */
		while (calls_made < calls || now_s() - t0 < spec->min_sample_s) {
			if (call(spec, &b, &table, k++, err) < 0)
				goto out;
			calls_made++;
			for (int w = 0; w < spec->n_threads; w++) {
				double busy_s;
				int64_t n;

				rs_emb_pool_last_call(b.pool, w, &busy_s, &n);
				busy[w] += busy_s;
				done[w] += (double)n;
			}
		}
		elapsed = now_s() - t0;
		lengths[s] = elapsed;
		rates[s] = (double)calls_made * (double)batch_lookups(spec)
			/ elapsed;
		for (int w = 0; w < spec->n_threads; w++)
			per_thread[w][s] = busy[w] > 0.0 ? done[w] / busy[w] : 0.0;
	}

	result->isa = spec->isa == RS_EMB_ISA_AUTO ? rs_emb_isa_best()
		: spec->isa;
	result->prefetch_rows = spec->prefetch_rows < 0
		? rs_emb_table_prefetch_rows(&table) : spec->prefetch_rows;
	result->row_bytes = table.row_bytes;
	result->table_bytes = (double)spec->n_rows * (double)table.row_bytes;
	result->huge_page_frac = spec->shared_table
		? rs_huge_frac(spec->shared_table) : rs_huge_frac(&b.own_table);
	result->n_samples = spec->n_samples;
	result->calls_per_sample = calls;
	result->n_threads = spec->n_threads;
	for (int w = 0; w < spec->n_threads; w++) {
		memcpy(thread_rates, per_thread[w], sizeof thread_rates);
		result->thread_lookups_per_s[w] = rs_median(thread_rates,
			spec->n_samples);
	}
	result->sample_s = rs_median(lengths, spec->n_samples);
	/* rs_median sorts rates, so the first and last are min and max. */
	result->lookups_per_s = rs_median(rates, spec->n_samples);
	result->lookups_per_s_min = rates[0];
	result->lookups_per_s_max = rates[spec->n_samples - 1];
	result->spread_frac = (rates[spec->n_samples - 1] - rates[0])
		/ result->lookups_per_s;
	result->bytes_per_s = result->lookups_per_s * (double)table.row_bytes;
	rc = 0;
out:
	release(&b);
	free(per_thread);
	return rc;
}
