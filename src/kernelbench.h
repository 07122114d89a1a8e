/* Throughput of the embedding-bag kernel on generated inputs: the
 * measurement behind `recscale kernel` and the calibration sweep.
 *
 * A run prepares a table (in huge pages where allowed), a pool of index
 * batches large enough that consecutive calls do not reuse each other's
 * rows (at least 2^20 lookups), and pinned worker threads.  It then touches
 * every page of the table, runs calls until min_sample_s has passed to
 * warm up and to size a sample, and times n_samples samples of that many
 * calls.  Results are medians with their spread, because a shared virtual
 * machine is noisy; no result is meant for a pass/fail decision.
 */
#ifndef RS_KERNELBENCH_H
#define RS_KERNELBENCH_H

#include <stdint.h>

#include "error.h"
#include "hugepage.h"
#include "indexgen.h"
#include "kernel.h"
#include "topology.h"

#define RS_KBENCH_MAX_THREADS 256

struct rs_kbench_spec {
	int64_t n_rows;
	int dim;
	enum rs_emb_dtype dtype;
	enum rs_emb_pooling pooling;
	int pooling_factor;		/* lookups per bag */
	int64_t n_bags;			/* bags per call */
	struct rs_dist dist;
	int n_threads;
	enum rs_emb_isa isa;
	int prefetch_rows;		/* -1: the kernel's default */
	int huge_pages;			/* ask for transparent huge pages */
	int n_samples;
	double min_sample_s;
	uint64_t seed;
	/* Optional: rows taken from the start of this buffer, which must
	 * hold n_rows rows and contain finite values for every row type
	 * (memset to 0x3c does); NULL: the run maps and fills its own. */
	struct rs_huge_buf *shared_table;
};

struct rs_kbench_result {
	enum rs_emb_isa isa;		/* the variant that ran */
	int prefetch_rows;
	size_t row_bytes;
	double table_bytes;
	double huge_page_frac;		/* -1: unknown */
	int n_samples;
	int64_t calls_per_sample;
	double sample_s;		/* median length of a sample */
	double lookups_per_s;		/* median */
	double lookups_per_s_min;
	double lookups_per_s_max;
	double spread_frac;		/* (max - min) / median */
	double bytes_per_s;		/* median lookups/s x row_bytes */
	int n_threads;
	double thread_lookups_per_s[RS_KBENCH_MAX_THREADS];	/* medians */
};

/* Fill spec with the defaults: 1,000,000 fp32 rows of 64, sum pooling of
 * 20 lookups, 2048 bags, uniform indices, 1 thread, 7 samples of at least
 * 25 ms, huge pages. */
void rs_kbench_defaults(struct rs_kbench_spec *spec);

/* The bytes a run with spec maps: table (unless shared), indices, weights
 * and output. */
double rs_kbench_bytes(const struct rs_kbench_spec *spec);

/* Prepare, measure and release.  topo (may be NULL) pins the workers.
 * Returns 0, or -1 with err filled: invalid spec, not enough memory, a
 * kernel error. */
int rs_kbench_run(const struct rs_kbench_spec *spec,
	const struct rs_topology *topo, struct rs_kbench_result *result,
	struct rs_error *err);

/* The median of n values (reorders them). */
double rs_median(double *values, int n);

#endif
