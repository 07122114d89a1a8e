/* Calibration: measure this machine and turn the measurements into a
 * hardware profile of kind "cpu".
 *
 * The run discovers the machine with hwloc, then measures on one buffer
 * mapped in huge pages (where allowed) and sized from the memory that is
 * available.  It measures read and triad bandwidth with 1 thread and with
 * one per core, and the latency of dependent loads across working-set
 * sizes.  It measures the rate of independent random cache-line loads,
 * the memory-level-parallelism bound.  Last it times the embedding-bag
 * kernel across table sizes, row sizes, pooling factors, index skew and
 * thread counts.
 *
 * The profile takes the memory bandwidth (read, all cores) and the gather
 * efficiency from these measurements.  The cluster model charges a lookup
 * of b bytes (b + overhead) / (bandwidth x efficiency) seconds, so a line
 * fitted to the time per lookup against the row size on the largest table,
 * with every core gathering, gives both: its slope is 1 / (bandwidth x
 * efficiency) and its intercept over its slope is the overhead in bytes.
 * Everything the machine cannot measure (price, power, network) is written
 * as an assumption.
 */
#ifndef RS_CALIBRATE_H
#define RS_CALIBRATE_H

#include <stdio.h>

#include "error.h"
#include "indexgen.h"
#include "kernel.h"
#include "membench.h"
#include "topology.h"

#define RS_CALIB_MAX_THREAD_COUNTS 2
#define RS_CALIB_MAX_LATENCY 16
#define RS_CALIB_MAX_KERNEL 320

struct rs_calib_kernel_point {
	double table_bytes;
	int dim;
	enum rs_emb_dtype dtype;
	int pooling_factor;
	struct rs_dist dist;
	int n_threads;
	double lookups_per_s;
	double bytes_per_s;
	double spread_frac;
	double huge_page_frac;
	/* lookups/s over the random-line rate at the same thread count
	 * divided by the cache lines of a row: 1 means the kernel keeps as
	 * many lines in flight as independent loads do */
	double bound_frac;
};

struct rs_calibration {
	/* Provenance */
	char cpu_model[128];
	char date[32];			/* YYYY-MM-DD, UTC */
	char summary[256];		/* rs_topo_summary() */
	char compiler[96];
	int quick;
	double elapsed_s;

	/* The machine as hwloc reports it */
	int n_packages, n_cores, n_pus, n_numa_nodes;
	double memory_bytes;
	double cache_bytes[RS_TOPO_MAX_CACHE_LEVEL + 1];
	double cpu_mhz;			/* /proc/cpuinfo; 0 if unknown */
	int avx512_bf16;

	/* Memory, for thread counts 1 and n_cores */
	int n_thread_counts;
	int thread_counts[RS_CALIB_MAX_THREAD_COUNTS];
	struct rs_mem_figure read_bw[RS_CALIB_MAX_THREAD_COUNTS];
	struct rs_mem_figure triad_bw[RS_CALIB_MAX_THREAD_COUNTS];
	struct rs_mem_figure random_lines[RS_CALIB_MAX_THREAD_COUNTS];
	double stream_bytes;		/* buffer of the bandwidth runs */
	double random_bytes;		/* buffer of the random-line runs */
	double huge_page_frac;

	int n_latency;
	double latency_bytes[RS_CALIB_MAX_LATENCY];
	struct rs_mem_figure latency_s[RS_CALIB_MAX_LATENCY];

	int n_kernel;
	int n_retried;		/* measurements taken twice, too noisy */
	struct rs_calib_kernel_point kernel[RS_CALIB_MAX_KERNEL];

	/* Derived for the profile */
	double gather_bw_bytes_per_s;	/* 1 / slope of the line */
	double gather_overhead_bytes;	/* intercept / slope */
	double gather_efficiency_frac;	/* gather_bw over read_bw, all cores */
	int gather_fit_points;
	double gather_fit_max_error_frac;	/* worst point off the line */
};

typedef void (*rs_calib_progress_fn)(void *ctx, const char *step, int done,
	int total);

struct rs_calib_options {
	int quick;			/* a short run: fewer and smaller points */
	const struct rs_topology *topo;	/* the host, loaded by the caller */
	rs_calib_progress_fn progress;	/* NULL: no progress */
	void *progress_ctx;
};

/* Measure the machine.  Returns 0, or -1 with err filled when memory
 * cannot be mapped or a measurement fails. */
int rs_calibrate(const struct rs_calib_options *options,
	struct rs_calibration *c, struct rs_error *err);

/* Whether kernel point k belongs to the gather-efficiency curve: fp32 rows,
 * pooling 20, uniform indices, every core.  Its efficiency is its
 * gathered bytes per second over the read bandwidth of every core. */
int rs_calib_is_curve_point(const struct rs_calibration *c,
	const struct rs_calib_kernel_point *k);
double rs_calib_curve_efficiency(const struct rs_calibration *c,
	const struct rs_calib_kernel_point *k);

/* Write c as a hardware profile in the format of the files in
 * hwprofiles/, with the measurements as comments.  Returns 0, or -1
 * when writing fails. */
int rs_calib_write_profile(FILE *f, const struct rs_calibration *c,
	struct rs_error *err);

#endif
