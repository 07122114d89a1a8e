/* Embedding-bag forward: gather rows of a table by index and pool each bag.
 *
 * For bag b with positions p in [offsets[b], offsets[b+1]):
 *
 *   sum:           out[b] = sum_p row(indices[p])
 *   mean:          out[b] = sum_p row(indices[p]) / n_b   (0 for an empty bag)
 *   weighted sum:  out[b] = sum_p weights[p] * row(indices[p])
 *
 * Here row(i) is row i widened to fp32: fp32 as stored, fp16 by IEEE half
 * conversion, bf16 by placing its 16 bits in the top of an fp32.  An int8
 * row is scale_i * q + bias_i for its 8-bit unsigned codes q, where scale_i
 * and bias_i are the two fp32 values stored after the codes: the "fused
 * 8-bit rowwise" layout of FBGEMM and PyTorch, d + 8 bytes per row.  For
 * fp32 rows this is what torch.nn.functional.embedding_bag computes with
 * include_last_offset=True.  The tests compare every variant with a scalar
 * reference accumulated in double precision.  Variants sum in another
 * order than the reference, so they agree within float rounding, (n + 4)
 * FLT_EPSILON times the sum of |terms| per element, not bit for bit.
 *
 * Bytes moved per lookup: the row (d x 4, d x 2, d x 2 or d + 8 bytes),
 * which touches ceil(row / 64) cache lines, one more when it straddles a
 * line boundary (int8 rows often do), plus the 8-byte index and, when
 * weighted, the 4-byte weight, both read sequentially.  Each bag also
 * writes d x 4 bytes of output, which for pooling factor 1 is as large as
 * the gathered row.  A gather from a table larger than the caches is
 * bound by how many cache-line misses a core keeps in flight, not by
 * streaming bandwidth, so the kernel is built to keep many rows in flight:
 *
 * - The accumulators of a bag stay in vector registers.  The row is walked
 *   in column blocks of at most 8 registers (128 floats with AVX-512, 64
 *   with AVX2), each block specialised at compile time for its register
 *   count, and the output is stored once per bag and block.  An array of
 *   accumulators indexed at run time would live on the stack, and its
 *   store and reload per bag would tie each bag to the previous bag's
 *   missing loads.
 * - Software prefetch: while gathering position p, the kernel prefetches
 *   every cache line of the row at position p + distance, across bag
 *   boundaries, so that short bags (pooling factor 1) keep misses in
 *   flight too.  The default distance keeps RS_EMB_PREFETCH_BYTES of rows
 *   in flight, at most RS_EMB_PREFETCH_MAX_ROWS rows; tables that fit in
 *   the L2 cache get none.  rs_emb_prefetch_rows() in kernel.c gives the
 *   measurements behind both rules.
 * - The prefetch goes to the L2 cache, not L1 (kernel-impl.h).  A core
 *   tracks few outstanding L1 misses, and 32 rows of several lines each
 *   would fill them.  The L2 tracks more, so more rows are in flight, and
 *   the last step, L2 to L1, takes a few cycles when the row is used.
 * - One row per loop iteration, no unrolling over rows, which was not
 *   measured against an unrolled variant.  Out-of-order execution already
 *   overlaps consecutive iterations, whose loads are independent, and a
 *   second set of accumulators would halve the widest row kept in
 *   registers.
 *
 * Rows may start at any byte address and row_bytes need not be a multiple
 * of anything.  indices, offsets, weights and out need the natural
 * alignment of their types, no more, and out must not overlap the other
 * arrays.  Tables in huge pages gather faster once they outgrow the TLB's
 * reach; mapping them is the caller's choice (hugepage.h).
 *
 * Vector variants are chosen at run time from what the CPU supports:
 * AVX-512 F/BW/VL, else AVX2 with FMA and F16C, else portable C.  Each
 * index is checked with one unsigned compare before its row is read, so
 * an index outside [0, n_rows) is returned as an error and its row is
 * never read.  The prefetch of an upcoming row is issued before its index
 * is checked, which is harmless because a prefetch never faults.
 */
#ifndef RS_KERNEL_H
#define RS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct rs_topology;

enum rs_emb_dtype {
	RS_EMB_FP32,
	RS_EMB_FP16,
	RS_EMB_BF16,
	RS_EMB_INT8		/* uint8 codes, then fp32 scale and bias */
};

enum rs_emb_pooling {
	RS_EMB_SUM,
	RS_EMB_MEAN,
	RS_EMB_WEIGHTED_SUM
};

enum rs_emb_isa {
	RS_EMB_ISA_AUTO,	/* the best variant the CPU supports */
	RS_EMB_ISA_SCALAR,
	RS_EMB_ISA_AVX2,
	RS_EMB_ISA_AVX512
};

/* Bytes of rows in flight that the default prefetch distance aims for, and
 * the cap in rows; rs_emb_prefetch_rows() in kernel.c gives the evidence. */
#define RS_EMB_PREFETCH_BYTES 16384
#define RS_EMB_PREFETCH_MAX_ROWS 32

/* The widest row accepted, in elements. */
#define RS_EMB_MAX_DIM 65536

struct rs_emb_table {
	const void *rows;	/* n_rows rows, row_bytes apart */
	int64_t n_rows;
	int dim;		/* elements per row, 1 .. RS_EMB_MAX_DIM */
	enum rs_emb_dtype dtype;
	size_t row_bytes;	/* stride; at least rs_emb_row_bytes() */
};

/* Bags in CSR form: bag b contains positions offsets[b] .. offsets[b+1]-1
 * of indices (and of weights). */
struct rs_emb_bags {
	const int64_t *indices;
	const int64_t *offsets;	/* n_bags + 1 entries, non-decreasing */
	const float *weights;	/* one per index; only for weighted sum */
	int64_t n_bags;
	int64_t n_indices;	/* length of indices; >= offsets[n_bags] */
};

struct rs_emb_options {
	enum rs_emb_pooling pooling;
	enum rs_emb_isa isa;
	int prefetch_rows;	/* -1: default for the row size; 0: none */
};

struct rs_emb_pool;

/* The packed size of one row of dim elements of dtype, in bytes. */
size_t rs_emb_row_bytes(enum rs_emb_dtype dtype, int dim);
/* "fp32", "fp16", "bf16", "int8"; parse returns -1 for other names. */
const char *rs_emb_dtype_name(enum rs_emb_dtype dtype);
int rs_emb_dtype_parse(const char *name, enum rs_emb_dtype *dtype);
const char *rs_emb_pooling_name(enum rs_emb_pooling pooling);
int rs_emb_pooling_parse(const char *name, enum rs_emb_pooling *pooling);
const char *rs_emb_isa_name(enum rs_emb_isa isa);

/* The variant RS_EMB_ISA_AUTO selects on this CPU, and whether the CPU
 * (and this build) can run isa. */
enum rs_emb_isa rs_emb_isa_best(void);
int rs_emb_isa_supported(enum rs_emb_isa isa);

/* The default prefetch distance in rows for rows of row_bytes. */
int rs_emb_prefetch_rows(size_t row_bytes);

/* The distance rs_emb_bag_forward uses for table when the options leave
 * it to the kernel: 0 for a table that fits in the L2 cache, else
 * rs_emb_prefetch_rows(). */
int rs_emb_table_prefetch_rows(const struct rs_emb_table *table);

/* Encode dim fp32 values as one row of dtype at dst, rs_emb_row_bytes()
 * bytes at any alignment.  fp16 and bf16 round to nearest even.  int8
 * maps [min, max] of the values onto codes 0..255 with scale
 * (max - min) / 255 and bias min, so each element is off by at most
 * scale / 2. */
void rs_emb_encode_row(enum rs_emb_dtype dtype, const float *src, int dim,
	void *dst);
/* Widen element k of a row to fp32, as the kernel does. */
float rs_emb_decode(enum rs_emb_dtype dtype, const void *row, int dim, int k);

/* Start a pool of n_threads workers (1 .. 1024) for rs_emb_bag_forward:
 * the thread that calls rs_emb_bag_forward is worker 0 and n_threads - 1
 * threads wait for work.  With topo (which must outlive the pool) and two
 * or more workers, worker i is bound to core i modulo the number of cores,
 * the calling thread included: it stays bound to core 0 until
 * rs_emb_pool_free restores its binding.  A failed binding leaves that
 * thread unbound and is counted in *n_unbound.  Threads the caller starts
 * meanwhile inherit its binding, so a process that runs another thread
 * pool (PyTorch's OpenMP threads, say) should pass no topo.  Binding only
 * the workers is worse than either.  On a 2-vCPU guest the calling thread
 * then often shared a core with a spinning worker, so two-thread gathers
 * ran 15% slower at the median than with no binding, and their samples
 * spread by 14-230% instead of 1-49% (BENCHMARKS.md).  Returns NULL
 * with err filled when a thread cannot be started. */
struct rs_emb_pool *rs_emb_pool_new(int n_threads,
	const struct rs_topology *topo, int *n_unbound, struct rs_error *err);
int rs_emb_pool_threads(const struct rs_emb_pool *pool);
/* The seconds worker spent pooling in the last rs_emb_bag_forward call on
 * pool, and the lookups it made; stragglers show as a longer time. */
void rs_emb_pool_last_call(const struct rs_emb_pool *pool, int worker,
	double *busy_s, int64_t *n_lookups);
/* Stop and join the workers; accepts NULL. */
void rs_emb_pool_free(struct rs_emb_pool *pool);

/* Pool the bags of table into out (n_bags x dim floats, row b at
 * out + b * dim).  With a pool the workers take chunks of about 2048
 * lookups' worth of consecutive bags from a shared counter until none is
 * left.  Without one the calling thread does all the work.  Returns 0,
 * or -1 with err filled for invalid arguments (offsets that decrease,
 * weights missing for weighted sum or given for another pooling, an
 * unsupported isa) or for an index outside the table.  After an error the
 * contents of out are unspecified. */
int rs_emb_bag_forward(struct rs_emb_pool *pool,
	const struct rs_emb_table *table, const struct rs_emb_bags *bags,
	const struct rs_emb_options *options, float *out,
	struct rs_error *err);

#endif
