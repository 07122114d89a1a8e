/* Memory measurements behind `recscale calibrate`: streaming bandwidth,
 * load latency by working-set size, and the throughput of independent
 * random cache-line loads, which bounds an embedding gather.
 *
 * Every figure is the median of n_samples samples of at least
 * min_sample_s, taken on threads pinned to cores 0..n-1 (when a topology
 * is given), on buffers the caller maps (in huge pages where allowed) and
 * touches before the first sample.  The buffers must be far larger than the
 * last-level cache for the results to describe memory rather than cache.
 */
#ifndef RS_MEMBENCH_H
#define RS_MEMBENCH_H

#include <stddef.h>

#include "hugepage.h"
#include "topology.h"

struct rs_mem_timing {
	int n_samples;
	double min_sample_s;
	const struct rs_topology *topo;	/* NULL: threads unpinned */
};

/* A median with the spread of its samples, (max - min) / median. */
struct rs_mem_figure {
	double median;
	double spread_frac;
};

/* Read bandwidth in bytes/s: n_threads threads each sum their share of
 * buf, 16 bytes per load in 4 independent sums. */
struct rs_mem_figure rs_mem_read_bw(struct rs_huge_buf *buf, int n_threads,
	const struct rs_mem_timing *timing);

/* STREAM triad a = b + q c over doubles in bytes/s, counting 24 bytes per
 * element as STREAM does (not the write-allocate read of a).  buf
 * contains the three arrays. */
struct rs_mem_figure rs_mem_triad_bw(struct rs_huge_buf *buf, int n_threads,
	const struct rs_mem_timing *timing);

/* Latency of one dependent load in seconds: a pointer chase through a
 * random cycle over the 64-byte lines of the first bytes of buf, so that
 * neither the hardware prefetchers nor out-of-order execution can overlap
 * loads. */
struct rs_mem_figure rs_mem_latency(struct rs_huge_buf *buf, size_t bytes,
	const struct rs_mem_timing *timing);

/* Independent random 64-byte loads per second by all n_threads threads
 * together, over the largest power-of-two count of lines in buf.  Each
 * thread computes its addresses from a private generator, so the loads do
 * not depend on each other and a core keeps as many in flight as it can. */
struct rs_mem_figure rs_mem_random_lines(struct rs_huge_buf *buf,
	int n_threads, const struct rs_mem_timing *timing);

#endif
