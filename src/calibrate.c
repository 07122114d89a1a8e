/* Calibration runs and the profile they produce; see calibrate.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "calibrate.h"
#include "kernelbench.h"

#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)
#define LOOKUPS_PER_CALL 40960
#define MIN_SAMPLE_S 0.025
#define RETRY_SPREAD 0.5

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double read_cpu_mhz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0.0;

	if (f == NULL)
		return 0.0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			break;
	fclose(f);
	return mhz;
}

static void fill_provenance(const struct rs_calib_options *o,
	struct rs_calibration *c)
{
	const struct rs_topology *t = o->topo;
	time_t now = time(NULL);
	struct tm utc;

	snprintf(c->cpu_model, sizeof c->cpu_model, "%s", t->cpu_model);
	gmtime_r(&now, &utc);
	strftime(c->date, sizeof c->date, "%Y-%m-%d", &utc);
	rs_topo_summary(t, c->summary, sizeof c->summary);
#ifdef __VERSION__
	snprintf(c->compiler, sizeof c->compiler, "gcc-compatible %s",
		__VERSION__);
#else
	snprintf(c->compiler, sizeof c->compiler, "unknown");
#endif
	c->quick = o->quick;
	c->n_packages = t->n_packages;
	c->n_cores = t->n_cores;
	c->n_pus = t->n_pus;
	c->n_numa_nodes = t->n_numa_nodes;
	c->memory_bytes = (double)t->memory_bytes;
	for (int level = 1; level <= RS_TOPO_MAX_CACHE_LEVEL; level++)
		c->cache_bytes[level] = (double)t->cache[level].size_bytes;
	c->cpu_mhz = read_cpu_mhz();
#ifdef RS_HAVE_X86_TARGETS
	__builtin_cpu_init();
	c->avx512_bf16 = __builtin_cpu_supports("avx512bf16") != 0;
#endif
}

/* The largest buffer the run maps: at most half of the memory that is
 * available now, 256 MiB for a quick run and 4 GiB for a full one.
 * Returns 0 when too little memory is available. */
static size_t buffer_bytes(const struct rs_calibration *c, int quick)
{
	double available = (double)rs_available_memory_bytes();
	double budget = 0.5 * (available > 0.0 && available < c->memory_bytes
		? available : c->memory_bytes);
	double want = quick ? 256.0 * MIB : 4.0 * GIB;
	double bytes = want < budget ? want : budget;

	bytes = floor(bytes / MIB) * MIB;
	return bytes >= 64.0 * MIB ? (size_t)bytes : 0;
}

/* A view of the first bytes of buf. */
static struct rs_huge_buf view(const struct rs_huge_buf *buf, size_t bytes)
{
	struct rs_huge_buf v = *buf;

	v.bytes = bytes < buf->bytes ? bytes : buf->bytes;
	return v;
}

struct progress {
	const struct rs_calib_options *options;
	int done, total;
};

static void step(struct progress *p, const char *what)
{
	if (p->options->progress != NULL)
		p->options->progress(p->options->progress_ctx, what, p->done,
			p->total);
	p->done++;
}

typedef struct rs_mem_figure (*mem_measure_fn)(struct rs_huge_buf *buf,
	int n_threads, const struct rs_mem_timing *timing);

/* Measure with fn, and again when the samples spread by more than
 * RETRY_SPREAD; returns the steadier result. */
static struct rs_mem_figure measure_steady(struct rs_calibration *c,
	mem_measure_fn fn, struct rs_huge_buf *buf, int n_threads,
	const struct rs_mem_timing *timing)
{
	struct rs_mem_figure first = fn(buf, n_threads, timing), again;

	if (!(first.spread_frac > RETRY_SPREAD))
		return first;
	again = fn(buf, n_threads, timing);
	c->n_retried++;
	return again.spread_frac < first.spread_frac ? again : first;
}

static void measure_memory(struct rs_calibration *c, struct rs_huge_buf *big,
	const struct rs_calib_options *o, struct progress *p)
{
	struct rs_mem_timing timing = { o->quick ? 3 : 5, MIN_SAMPLE_S,
		o->topo };
	double l3 = c->cache_bytes[3] > 0.0 ? c->cache_bytes[3] : 32.0 * MIB;
	double stream = o->quick ? fmax(4.0 * l3, 64.0 * MIB)
		: fmax(8.0 * l3, 1.0 * GIB);
	struct rs_huge_buf stream_buf = view(big, (size_t)stream);
	char what[96];

	c->stream_bytes = (double)stream_buf.bytes;
	c->random_bytes = (double)big->bytes;
	for (int i = 0; i < c->n_thread_counts; i++) {
		int n = c->thread_counts[i];

		snprintf(what, sizeof what, "read bandwidth, %d thread%s", n,
			n == 1 ? "" : "s");
		step(p, what);
		c->read_bw[i] = measure_steady(c, rs_mem_read_bw, &stream_buf,
			n, &timing);
		snprintf(what, sizeof what, "triad bandwidth, %d thread%s", n,
			n == 1 ? "" : "s");
		step(p, what);
		c->triad_bw[i] = measure_steady(c, rs_mem_triad_bw,
			&stream_buf, n, &timing);
		snprintf(what, sizeof what, "random cache-line loads, %d "
			"thread%s", n, n == 1 ? "" : "s");
		step(p, what);
		c->random_lines[i] = measure_steady(c, rs_mem_random_lines,
			big, n, &timing);
	}
}

static const double latency_sizes_quick[] = {
	16.0 * 1024, 256.0 * 1024, 4.0 * MIB, 16.0 * MIB, 64.0 * MIB,
	256.0 * MIB
};
static const double latency_sizes_full[] = {
	16.0 * 1024, 64.0 * 1024, 256.0 * 1024, 1.0 * MIB, 4.0 * MIB,
	8.0 * MIB, 16.0 * MIB, 32.0 * MIB, 64.0 * MIB, 256.0 * MIB,
	1.0 * GIB
};

static int latency_sizes(int quick, const double **sizes)
{
	*sizes = quick ? latency_sizes_quick : latency_sizes_full;
	return quick ? (int)(sizeof latency_sizes_quick / sizeof(double))
		: (int)(sizeof latency_sizes_full / sizeof(double));
}

static void measure_latency(struct rs_calibration *c,
	struct rs_huge_buf *big, const struct rs_calib_options *o,
	struct progress *p)
{
	struct rs_mem_timing timing = { o->quick ? 3 : 5, MIN_SAMPLE_S,
		o->topo };
	const double *sizes;
	int n = latency_sizes(o->quick, &sizes);
	char what[96];

	for (int i = 0; i < n && c->n_latency < RS_CALIB_MAX_LATENCY; i++) {
		if (sizes[i] > (double)big->bytes)
			break;
		snprintf(what, sizeof what, "load latency, %.0f KiB",
			sizes[i] / 1024.0);
		step(p, what);
		c->latency_bytes[c->n_latency] = sizes[i];
		c->latency_s[c->n_latency] = rs_mem_latency(big,
			(size_t)sizes[i], &timing);
		c->n_latency++;
	}
}

/* The cache lines a row of row_bytes touches on average when rows are
 * packed from a line boundary. */
static double lines_per_row(size_t row_bytes)
{
	return row_bytes % 64 == 0 ? (double)(row_bytes / 64)
		: 1.0 + (double)(row_bytes - 1) / 64.0;
}

struct sweep_point {
	double table_bytes;
	int dim;
	enum rs_emb_dtype dtype;
	int pooling_factor;
	int zipf;
	int thread_index;
};

/* The kernel points of a run, in the order they are measured. */
static int plan_sweep(const struct rs_calibration *c, double big_bytes,
	int quick, struct sweep_point *points, int max)
{
	static const double tables_full[] = { 1.0 * MIB, 16.0 * MIB,
		256.0 * MIB };
	static const int dims_full[] = { 16, 64, 128, 256 };
	static const int dims_quick[] = { 16, 64, 256 };
	static const int poolings_full[] = { 1, 20, 80 };
	double tables[4];
	int n_tables = 0, n = 0;
	const int *dims = quick ? dims_quick : dims_full;
	int n_dims = quick ? 3 : 4;

	tables[n_tables++] = 1.0 * MIB;
	for (int i = 1; !quick && i < 3; i++)
		if (tables_full[i] < big_bytes)
			tables[n_tables++] = tables_full[i];
	tables[n_tables++] = big_bytes;

	for (int t = 0; t < n_tables; t++)
		for (int d = 0; d < n_dims; d++)
			for (int l = 0; l < (quick ? 1 : 3); l++)
				for (int z = 0; z < (quick ? 1 : 2); z++)
					for (int k = 0; k < c->n_thread_counts
					     && n < max; k++)
						points[n++] = (struct sweep_point){
							tables[t], dims[d],
							RS_EMB_FP32, quick ? 20
							: poolings_full[l], z,
							k };
	/* Narrow row types at d = 64, pooling 20, uniform indices. */
	for (int t = quick ? n_tables - 1 : 0; t < n_tables; t++)
		for (int k = 0; k < c->n_thread_counts && n + 1 < max; k++) {
			points[n++] = (struct sweep_point){ tables[t], 64,
				RS_EMB_INT8, 20, 0, k };
			if (!quick)
				points[n++] = (struct sweep_point){ tables[t],
					64, RS_EMB_FP16, 20, 0, k };
		}
	/* A quick run still shows the effect of skew once per thread
	 * count. */
	for (int k = 0; quick && k < c->n_thread_counts && n < max; k++)
		points[n++] = (struct sweep_point){ big_bytes, 64, RS_EMB_FP32,
			20, 1, k };
	return n;
}

static int measure_kernel(struct rs_calibration *c, struct rs_huge_buf *big,
	const struct rs_calib_options *o, struct progress *p,
	const struct sweep_point *points, int n_points, struct rs_error *err)
{
	for (int i = 0; i < n_points; i++) {
		const struct sweep_point *sp = &points[i];
		struct rs_calib_kernel_point *kp = &c->kernel[c->n_kernel];
		size_t row_bytes = rs_emb_row_bytes(sp->dtype, sp->dim);
		struct rs_huge_buf table = view(big, (size_t)sp->table_bytes);
		struct rs_kbench_spec spec;
		struct rs_kbench_result r;
		char what[128];
		double bound;

		snprintf(what, sizeof what, "kernel, %.0f MiB table, %s d=%d, "
			"pooling %d, %s, %d thread%s",
			sp->table_bytes / MIB, rs_emb_dtype_name(sp->dtype),
			sp->dim, sp->pooling_factor, sp->zipf ? "zipf:1.05"
			: "uniform", c->thread_counts[sp->thread_index],
			c->thread_counts[sp->thread_index] == 1 ? "" : "s");
		step(p, what);

		rs_kbench_defaults(&spec);
		spec.n_rows = (int64_t)(table.bytes / row_bytes);
		spec.dim = sp->dim;
		spec.dtype = sp->dtype;
		spec.pooling_factor = sp->pooling_factor;
		spec.n_bags = LOOKUPS_PER_CALL / sp->pooling_factor;
		spec.dist.kind = sp->zipf ? RS_DIST_ZIPF : RS_DIST_UNIFORM;
		spec.dist.zipf_s = sp->zipf ? 1.05 : 0.0;
		spec.n_threads = c->thread_counts[sp->thread_index];
		spec.n_samples = 5;
		spec.min_sample_s = MIN_SAMPLE_S;
		spec.shared_table = &table;
		if (rs_kbench_run(&spec, o->topo, &r, err) < 0)
			return -1;
		/* Samples spread by more than half of their median mean the
		 * machine stalled, so measure the point again and keep the
		 * steadier result (measure_steady does the same for memory).
		 * On a 2-vCPU guest, one point in about 50 ran at a tenth of
		 * its usual rate for a whole measurement. */
		if (r.spread_frac > RETRY_SPREAD) {
			struct rs_kbench_result again;

			if (rs_kbench_run(&spec, o->topo, &again, err) < 0)
				return -1;
			if (again.spread_frac < r.spread_frac)
				r = again;
			c->n_retried++;
		}

		kp->table_bytes = (double)spec.n_rows * (double)row_bytes;
		kp->dim = sp->dim;
		kp->dtype = sp->dtype;
		kp->pooling_factor = sp->pooling_factor;
		kp->dist = spec.dist;
		kp->n_threads = spec.n_threads;
		kp->lookups_per_s = r.lookups_per_s;
		kp->bytes_per_s = r.bytes_per_s;
		kp->spread_frac = r.spread_frac;
		kp->huge_page_frac = r.huge_page_frac;
		bound = c->random_lines[sp->thread_index].median
			/ lines_per_row(row_bytes);
		kp->bound_frac = r.lookups_per_s / bound;
		c->n_kernel++;
	}
	return 0;
}

static int is_fit_point(const struct rs_calibration *c,
	const struct rs_calib_kernel_point *k, double big_bytes)
{
	return k->table_bytes >= 0.5 * big_bytes && k->dtype == RS_EMB_FP32
		&& k->pooling_factor == 20 && k->dist.kind == RS_DIST_UNIFORM
		&& k->n_threads == c->thread_counts[c->n_thread_counts - 1];
}

/* Fit seconds per lookup = slope x row bytes + intercept by least squares
 * over the fp32 points of the largest table, uniform indices, pooling 20
 * and every core. */
static void fit_gather(struct rs_calibration *c, double big_bytes)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, slope, intercept, worst = 0;
	int n = 0;

	for (int i = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *k = &c->kernel[i];
		double x = (double)rs_emb_row_bytes(k->dtype, k->dim);
		double y = 1.0 / k->lookups_per_s;

		if (!is_fit_point(c, k, big_bytes))
			continue;
		sx += x;
		sy += y;
		sxx += x * x;
		sxy += x * y;
		n++;
	}
	c->gather_fit_points = n;
	if (n < 2 || n * sxx - sx * sx <= 0.0
	    || n * sxy - sx * sy <= 0.0) {
		c->gather_bw_bytes_per_s = NAN;
		return;
	}
	slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	intercept = (sy - slope * sx) / n;
	c->gather_bw_bytes_per_s = 1.0 / slope;
	c->gather_overhead_bytes = intercept / slope;
	c->gather_efficiency_frac = c->gather_bw_bytes_per_s
		/ c->read_bw[c->n_thread_counts - 1].median;

	for (int i = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *k = &c->kernel[i];
		double x = (double)rs_emb_row_bytes(k->dtype, k->dim);
		double y = 1.0 / k->lookups_per_s;

		if (is_fit_point(c, k, big_bytes))
			worst = fmax(worst, fabs(slope * x + intercept - y) / y);
	}
	c->gather_fit_max_error_frac = worst;
}

int rs_calib_is_curve_point(const struct rs_calibration *c,
	const struct rs_calib_kernel_point *k)
{
	return k->dtype == RS_EMB_FP32 && k->pooling_factor == 20
		&& k->dist.kind == RS_DIST_UNIFORM
		&& k->n_threads == c->thread_counts[c->n_thread_counts - 1];
}

double rs_calib_curve_efficiency(const struct rs_calibration *c,
	const struct rs_calib_kernel_point *k)
{
	return k->bytes_per_s / c->read_bw[c->n_thread_counts - 1].median;
}

int rs_calibrate(const struct rs_calib_options *o, struct rs_calibration *c,
	struct rs_error *err)
{
	struct sweep_point *points;
	struct progress p = { o, 0, 0 };
	struct rs_huge_buf big;
	const double *sizes;
	double start = now_s();
	size_t bytes;
	int n_points, n_latency, rc = -1;

	memset(c, 0, sizeof *c);
	fill_provenance(o, c);
	c->thread_counts[c->n_thread_counts++] = 1;
	if (c->n_cores > 1)
		c->thread_counts[c->n_thread_counts++] = c->n_cores;

	bytes = buffer_bytes(c, o->quick);
	if (bytes == 0)
		return rs_fail(err, "calibrate: less than 128 MiB of memory is "
			"available; free some memory and run again");
	points = calloc(RS_CALIB_MAX_KERNEL, sizeof *points);
	if (points == NULL)
		return rs_fail(err, "out of memory");
	n_points = plan_sweep(c, (double)bytes, o->quick, points,
		RS_CALIB_MAX_KERNEL);
	n_latency = latency_sizes(o->quick, &sizes);
	while (n_latency > 0 && sizes[n_latency - 1] > (double)bytes)
		n_latency--;
	p.total = 3 * c->n_thread_counts + n_latency + n_points + 1;

	step(&p, "mapping and filling the buffer");
	if (rs_huge_alloc(&big, bytes, 1) < 0) {
		free(points);
		return rs_fail(err, "calibrate: cannot map %.0f MiB",
			(double)bytes / MIB);
	}
	memset(big.data, 0x3c, big.bytes);
	c->huge_page_frac = rs_huge_frac(&big);

	measure_memory(c, &big, o, &p);
	measure_latency(c, &big, o, &p);
	/* The pointer chase left pointers in the buffer; the kernel needs
	 * finite row values again. */
	memset(big.data, 0x3c, big.bytes);
	if (measure_kernel(c, &big, o, &p, points, n_points, err) < 0)
		goto out;
	fit_gather(c, (double)bytes);
	c->elapsed_s = now_s() - start;
	rc = 0;
out:
	rs_huge_free(&big);
	free(points);
	return rc;
}
