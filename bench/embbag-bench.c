/* A shared-library face of recscale's embedding-bag kernel for
 * bench/kernel-vs-torch.py, which calls it through ctypes on the same
 * buffers it hands to PyTorch, plus the plain scalar loops the kernel is
 * compared with.  Built by bench/kernel-vs-torch.sh; not part of the
 * recscale program. */
#include <stdlib.h>
#include <string.h>

#include "hugepage.h"
#include "indexgen.h"
#include "kernel.h"
#include "membench.h"
#include "topology.h"

static struct rs_topology topo;
static int topo_loaded;

static const struct rs_topology *host_topology(void)
{
	struct rs_error err;

	if (!topo_loaded && rs_topo_load(&topo, NULL, &err) == 0)
		topo_loaded = 1;
	return topo_loaded ? &topo : NULL;
}

/* Unbound workers: a bound pool binds its calling thread too, and
 * PyTorch's OpenMP threads, started later by the same thread, would
 * inherit that binding (kernel.h). */
void *eb_pool_new(int n_threads)
{
	return rs_emb_pool_new(n_threads, NULL, NULL, NULL);
}

void eb_pool_free(void *pool)
{
	rs_emb_pool_free(pool);
}

/* Sum pooling with the kernel; dtype as enum rs_emb_dtype, isa as enum
 * rs_emb_isa.  Returns 0 or -1. */
int eb_forward(void *pool, const void *rows, int64_t n_rows, int dim,
	int dtype, const int64_t *indices, const int64_t *offsets,
	int64_t n_bags, int isa, int prefetch_rows, float *out)
{
	struct rs_emb_table table = { rows, n_rows, dim,
		(enum rs_emb_dtype)dtype,
		rs_emb_row_bytes((enum rs_emb_dtype)dtype, dim) };
	struct rs_emb_bags bags = { indices, offsets, NULL, n_bags,
		offsets[n_bags] };
	struct rs_emb_options options = { RS_EMB_SUM, (enum rs_emb_isa)isa,
		prefetch_rows };

	return rs_emb_bag_forward(pool, &table, &bags, &options, out, NULL);
}

/* The plain loop: accumulate each row into the output row, one element
 * at a time, with no prefetch and no bounds check. */
void eb_naive_fp32(const float *rows, int dim, const int64_t *indices,
	const int64_t *offsets, int64_t n_bags, float *out)
{
	for (int64_t b = 0; b < n_bags; b++) {
		float *o = out + b * dim;

		for (int k = 0; k < dim; k++)
			o[k] = 0.0f;
		for (int64_t p = offsets[b]; p < offsets[b + 1]; p++) {
			const float *r = rows + indices[p] * dim;

			for (int k = 0; k < dim; k++)
				o[k] += r[k];
		}
	}
}

void eb_naive_int8(const unsigned char *rows, int dim,
	const int64_t *indices, const int64_t *offsets, int64_t n_bags,
	float *out)
{
	size_t stride = (size_t)dim + 8;

	for (int64_t b = 0; b < n_bags; b++) {
		float *o = out + b * dim;

		for (int k = 0; k < dim; k++)
			o[k] = 0.0f;
		for (int64_t p = offsets[b]; p < offsets[b + 1]; p++) {
			const unsigned char *r = rows + indices[p] * stride;
			float scale, bias;

			memcpy(&scale, r + dim, 4);
			memcpy(&bias, r + dim + 4, 4);
			for (int k = 0; k < dim; k++)
				o[k] += scale * r[k] + bias;
		}
	}
}

/* A buffer in huge pages, filled with 0x3c (a small finite value for
 * every row type) and touched. */
void *eb_alloc(size_t bytes)
{
	struct rs_huge_buf *buf = calloc(1, sizeof *buf);

	if (buf == NULL || rs_huge_alloc(buf, bytes, 1) < 0) {
		free(buf);
		return NULL;
	}
	memset(buf->data, 0x3c, buf->bytes);
	return buf;
}

void *eb_data(void *buf)
{
	return ((struct rs_huge_buf *)buf)->data;
}

double eb_huge_frac(void *buf)
{
	return rs_huge_frac(buf);
}

void eb_free(void *buf)
{
	if (buf != NULL)
		rs_huge_free(buf);
	free(buf);
}

/* Independent random 64-byte loads per second over buf with n_threads
 * pinned threads: the random-access bound.  Leaves buf's values alone. */
double eb_random_lines(void *buf, int n_threads)
{
	struct rs_mem_timing timing = { 5, 0.025, host_topology() };

	return rs_mem_random_lines(buf, n_threads, &timing).median;
}

/* zipf_s 0: uniform. */
int eb_fill_indices(int64_t *indices, int64_t count, int64_t n_rows,
	double zipf_s, uint64_t seed)
{
	struct rs_dist dist = { zipf_s > 0.0 ? RS_DIST_ZIPF : RS_DIST_UNIFORM,
		zipf_s };

	return rs_fill_indices(indices, count, n_rows, &dist, seed, NULL);
}
