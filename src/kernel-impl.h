/* Internals shared by the embedding-bag variants: the job, already
 * validated, and the signature each instruction-set variant implements.
 * Only kernel.c and the kernel-<isa>.c files include this. */
#ifndef RS_KERNEL_IMPL_H
#define RS_KERNEL_IMPL_H

#include "kernel.h"

struct rs_emb_job {
	const unsigned char *rows;
	uint64_t n_rows;
	size_t row_bytes;
	int dim;
	enum rs_emb_dtype dtype;
	const int64_t *indices;
	const int64_t *offsets;
	const float *weights;	/* non-NULL exactly for weighted sum */
	int mean;
	int64_t prefetch_end;	/* positions below this may be prefetched */
	int prefetch_rows;
	float *out;
};

/* Pool bags [bag_lo, bag_hi) of job.  Returns 0 on success.  Returns -1
 * with *bad_position set when an index is outside the table.  Returns -2
 * when a bag's offsets are out of order or past the last offset, before
 * any of its indices is read.  Bags before the failing one are complete.
 * The workers check the offsets because one pass over them on the calling
 * thread took 8-15% of a call at pooling 1. */
typedef int (*rs_emb_range_fn)(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position);

int rs_embbag_fwd_scalar(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position);
#ifdef RS_HAVE_X86_TARGETS
int rs_embbag_fwd_avx2(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position);
int rs_embbag_fwd_avx512(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position);
#endif

/* Check that a bag's offsets satisfy 0 <= p0 <= p1 <= end, where end is
 * the last offset, already checked against the indices.  The two compares
 * are unsigned, so negative offsets fail them too. */
static inline int rs_emb_bag_ok(int64_t p0, int64_t p1, int64_t end)
{
	return (uint64_t)p1 <= (uint64_t)end && (uint64_t)p0 <= (uint64_t)p1;
}

/* Locality 1 of __builtin_prefetch: prefetcht2 on x86, which fills the L2
 * cache (and L3) but not L1.  On a 2-core Zen 4 guest, prefetching 32 rows
 * ahead into L2 gathered 1.3-2.0x as many fp32 rows per second as
 * prefetching 16 rows ahead into L1.  That was a 4 GiB table, pooling 20,
 * uniform indices, rows of 64 to 512 bytes, one and two threads
 * (BENCHMARKS.md). */
#define RS_EMB_PREFETCH_LOCALITY 1

/* Prefetch every cache line of the row at position, from the line of its
 * first byte to the line of its last.  A position at or past end takes
 * the row at end - 1 instead.  The index is not checked, because the
 * address is computed in unsigned integers, where wrapping is defined, and
 * a prefetch of an address outside the table never faults.  Skipping the
 * check saves a compare and a branch per lookup. */
static inline __attribute__((always_inline)) void rs_emb_prefetch_position(
	const unsigned char *rows, size_t row_bytes, const int64_t *indices,
	int64_t position, int64_t end)
{
	uint64_t index = (uint64_t)indices[position < end ? position : end - 1];
	uintptr_t line = (uintptr_t)rows + (uintptr_t)(index * row_bytes);
	uintptr_t last = line + row_bytes - 1;

	for (line &= ~(uintptr_t)63; line <= last; line += 64)
		__builtin_prefetch((const void *)line, 0,
			RS_EMB_PREFETCH_LOCALITY);
}

/* The cache lines of every row when rows start on line boundaries: the
 * table starts on one and the row size is a multiple of 64 bytes or
 * divides 64.  Returns 0 otherwise, when rows may straddle lines. */
static inline int rs_emb_aligned_row_lines(const unsigned char *rows,
	size_t row_bytes)
{
	if (((uintptr_t)rows & 63) != 0
	    || (row_bytes % 64 != 0 && 64 % row_bytes != 0))
		return 0;
	return (int)((row_bytes + 63) / 64);
}

/* rs_emb_prefetch_position for rows of `lines` whole, aligned lines. */
static inline __attribute__((always_inline)) void rs_emb_prefetch_lines(
	const unsigned char *rows, size_t row_bytes, int lines,
	const int64_t *indices, int64_t position, int64_t end)
{
	uint64_t index = (uint64_t)indices[position < end ? position : end - 1];
	uintptr_t line = (uintptr_t)rows + (uintptr_t)(index * row_bytes);

	__builtin_prefetch((const void *)line, 0,
			RS_EMB_PREFETCH_LOCALITY);
	for (int k = 1; k < lines; k++)
		__builtin_prefetch((const void *)(line + 64 * (uintptr_t)k), 0,
			RS_EMB_PREFETCH_LOCALITY);
}

/* IEEE half and bfloat16 bit patterns widened to float, in portable C. */
float rs_emb_half_to_float(uint16_t h);
static inline float rs_emb_bf16_to_float(uint16_t b)
{
	union { uint32_t u; float f; } v = { (uint32_t)b << 16 };

	return v.f;
}

#endif
