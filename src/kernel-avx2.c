/* Embedding-bag forward with AVX2, FMA and F16C: 8 fp32 lanes per ymm
 * register.  AVX2 has masked loads only for 32-bit lanes, so the tail of a
 * 16-bit or 8-bit row (1 to 7 elements) is assembled from scalar loads in
 * general registers.  Copying it through a stack buffer would make each
 * row wait on a store-to-load forward.  kernel.h explains the design. */
#include "config.h"

#ifdef RS_HAVE_X86_TARGETS
#include <immintrin.h>
#include <string.h>

#include "kernel-impl.h"

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE static inline __attribute__((always_inline)) AVX2

#define LANES 8
#define MAX_REGS 8		/* 64 floats per column block */

typedef int (*block_fn)(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int col, int tail, int64_t *bad_position);

/* Load 8 elements of row from column col and widen them to fp32. */
INLINE __m256 load_lanes(enum rs_emb_dtype dtype, const unsigned char *row,
	int col)
{
	__m256i wide;

	switch (dtype) {
	case RS_EMB_FP32:
		return _mm256_loadu_ps((const float *)(const void *)(row
			+ 4 * (size_t)col));
	case RS_EMB_FP16:
		return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)
			(const void *)(row + 2 * (size_t)col)));
	case RS_EMB_BF16:
		wide = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)
			(const void *)(row + 2 * (size_t)col)));
		return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
	case RS_EMB_INT8:
		wide = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)
			(const void *)(row + col)));
		return _mm256_cvtepi32_ps(wide);
	}
	return _mm256_setzero_ps();
}

/* Gather n (1..4) 16-bit elements at p into the low lanes of a 64-bit
 * value. */
INLINE uint64_t gather_u16(const unsigned char *p, int n)
{
	uint64_t bits = 0;

	for (int k = 0; k < n; k++) {
		uint16_t h;

		memcpy(&h, p + 2 * k, sizeof h);
		bits |= (uint64_t)h << (16 * k);
	}
	return bits;
}

/* Load the last tail (1..7) elements of a row from column col; lanes past
 * the tail are 0 and no byte past it is read.  mask has the tail lanes
 * set, for the 32-bit masked load. */
INLINE __m256 load_tail(enum rs_emb_dtype dtype, const unsigned char *row,
	int col, int tail, __m256i mask)
{
	__m128i bits;
	__m256i wide;
	uint64_t bytes = 0;

	switch (dtype) {
	case RS_EMB_FP32:
		return _mm256_maskload_ps((const float *)(const void *)(row
			+ 4 * (size_t)col), mask);
	case RS_EMB_FP16:
	case RS_EMB_BF16:
		row += 2 * (size_t)col;
		bits = _mm_set_epi64x((long long)(tail > 4
			? gather_u16(row + 8, tail - 4) : 0),
			(long long)gather_u16(row, tail < 4 ? tail : 4));
		if (dtype == RS_EMB_FP16)
			return _mm256_cvtph_ps(bits);
		wide = _mm256_cvtepu16_epi32(bits);
		return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
	case RS_EMB_INT8:
		for (int k = 0; k < tail; k++)
			bytes |= (uint64_t)row[col + k] << (8 * k);
		wide = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)bytes));
		return _mm256_cvtepi32_ps(wide);
	}
	return _mm256_setzero_ps();
}

/* Pool columns [col, col + 8 n_regs + tail) of bags [bag_lo, bag_hi).
 * dtype, weighted and n_regs are compile-time constants in every caller,
 * so acc[] lives in registers; tail (0..7) is the same for every row. */
INLINE int pool_block(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int col, int tail, int64_t *bad_position,
	const enum rs_emb_dtype dtype, const int weighted, const int n_regs)
{
	/* The job's fields in locals: the vector stores to out may alias
	 * any object, so fields read through job would be loaded again
	 * after every store. */
	const unsigned char *const rows = job->rows;
	const int64_t *const indices = job->indices;
	const int64_t *const offsets = job->offsets;
	const float *const weights = job->weights;
	float *const out_rows = job->out;
	const size_t dim = (size_t)job->dim;
	const int mean = job->mean;
	const uint64_t n_rows = job->n_rows;
	const size_t row_bytes = job->row_bytes;
	const int64_t prefetch_end = job->prefetch_end;
	const int distance = col == 0 ? job->prefetch_rows : 0;
	/* > 0: prefetch that many whole lines per row; < 0: rows may
	 * straddle lines, so work the lines out per row; 0: no prefetch. */
	const int prefetch_lines = distance <= 0 ? 0
		: rs_emb_aligned_row_lines(rows, row_bytes) > 0
		? rs_emb_aligned_row_lines(rows, row_bytes) : -1;
	/* Rows shifted to this block's first column, so that each register
	 * loads at a constant offset from the row.  An int8 row's scale and
	 * bias follow dim - col bytes further on. */
	const unsigned char *const block_rows = rows + (size_t)col
		* (dtype == RS_EMB_FP32 ? 4 : dtype == RS_EMB_INT8 ? 1 : 2);
	const size_t scale_offset = dim - (size_t)col;
	const int tail_col = LANES * n_regs;	/* from block_rows */
	const __m256i tail_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(tail),
		_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));

	for (int64_t b = bag_lo; b < bag_hi; b++) {
		int64_t p0 = offsets[b], p1 = offsets[b + 1];
		float *out = out_rows + (size_t)b * dim + (size_t)col;
		__m256 acc[MAX_REGS], acc_tail = _mm256_setzero_ps();
		float bias_sum = 0.0f;

		if (!rs_emb_bag_ok(p0, p1, prefetch_end))
			return -2;
		_Pragma("GCC unroll 8")
		for (int r = 0; r < n_regs; r++)
			acc[r] = _mm256_setzero_ps();

		for (int64_t p = p0; p < p1; p++) {
			int64_t index = indices[p];
			const unsigned char *row;
			float scale = 1.0f;
			__m256 factor;

			if ((uint64_t)index >= n_rows) {
				*bad_position = p;
				return -1;
			}
			if (prefetch_lines > 0)
				rs_emb_prefetch_lines(rows, row_bytes,
					prefetch_lines, indices, p + distance,
					prefetch_end);
			else if (prefetch_lines < 0)
				rs_emb_prefetch_position(rows, row_bytes,
					indices, p + distance, prefetch_end);
			row = block_rows + (size_t)index * row_bytes;

			if (weighted)
				scale = weights[p];
			if (dtype == RS_EMB_INT8) {
				float row_scale, row_bias;

				memcpy(&row_scale, row + scale_offset, 4);
				memcpy(&row_bias, row + scale_offset + 4, 4);
				bias_sum += scale * row_bias;
				scale *= row_scale;
			}
			factor = _mm256_set1_ps(scale);
			_Pragma("GCC unroll 8")
			for (int r = 0; r < n_regs; r++) {
				__m256 v = load_lanes(dtype, row, LANES * r);

				acc[r] = dtype == RS_EMB_INT8 || weighted
					? _mm256_fmadd_ps(v, factor, acc[r])
					: _mm256_add_ps(acc[r], v);
			}
			if (tail > 0) {
				__m256 v = load_tail(dtype, row, tail_col, tail,
					tail_mask);

				acc_tail = _mm256_fmadd_ps(v, factor, acc_tail);
			}
		}

		{
			__m256 bias = _mm256_set1_ps(dtype == RS_EMB_INT8
				? bias_sum : 0.0f);
			__m256 inverse = _mm256_set1_ps(mean && p1 > p0
				? 1.0f / (float)(p1 - p0) : 1.0f);

			_Pragma("GCC unroll 8")
			for (int r = 0; r < n_regs; r++)
				_mm256_storeu_ps(out + LANES * r, _mm256_mul_ps(
					_mm256_add_ps(acc[r], bias), inverse));
			if (tail > 0)
				_mm256_maskstore_ps(out + LANES * n_regs,
					tail_mask, _mm256_mul_ps(_mm256_add_ps(
					acc_tail, bias), inverse));
		}
	}
	return 0;
}

#define BLOCK(dt, w, n) \
static AVX2 int block_##dt##_##w##_##n(const struct rs_emb_job *job, \
	int64_t bag_lo, int64_t bag_hi, int col, int tail, \
	int64_t *bad_position) \
{ \
	return pool_block(job, bag_lo, bag_hi, col, tail, bad_position, \
		RS_EMB_##dt, w, n); \
}
#define BLOCKS_BY_REGS(dt, w) BLOCK(dt, w, 0) BLOCK(dt, w, 1) BLOCK(dt, w, 2) \
	BLOCK(dt, w, 3) BLOCK(dt, w, 4) BLOCK(dt, w, 5) BLOCK(dt, w, 6) \
	BLOCK(dt, w, 7) BLOCK(dt, w, 8)
#define BLOCKS(dt) BLOCKS_BY_REGS(dt, 0) BLOCKS_BY_REGS(dt, 1)

BLOCKS(FP32)
BLOCKS(FP16)
BLOCKS(BF16)
BLOCKS(INT8)

#define ROW(dt, w) { block_##dt##_##w##_0, block_##dt##_##w##_1, \
	block_##dt##_##w##_2, block_##dt##_##w##_3, block_##dt##_##w##_4, \
	block_##dt##_##w##_5, block_##dt##_##w##_6, block_##dt##_##w##_7, \
	block_##dt##_##w##_8 }
#define ROWS(dt) { ROW(dt, 0), ROW(dt, 1) }

/* Indexed by enum rs_emb_dtype, then weighted, then full registers. */
static const block_fn blocks[4][2][MAX_REGS + 1] = {
	ROWS(FP32), ROWS(FP16), ROWS(BF16), ROWS(INT8)
};

AVX2 int rs_embbag_fwd_avx2(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position)
{
	const block_fn *by_regs = blocks[job->dtype][job->weights != NULL];
	const int block_cols = LANES * MAX_REGS;
	int full_blocks = job->dim / block_cols;
	int rest = job->dim % block_cols;

	if (job->dim <= block_cols)
		return rest == 0
			? by_regs[MAX_REGS](job, bag_lo, bag_hi, 0, 0,
				bad_position)
			: by_regs[rest / LANES](job, bag_lo, bag_hi, 0,
				rest % LANES, bad_position);

	/* Wider rows: every bag is walked once per column block, while the
	 * rows gathered by the first block are still in L1 or L2. */
	for (int64_t b = bag_lo; b < bag_hi; b++) {
		int col = 0, rc = 0;

		for (int k = 0; k < full_blocks && rc == 0; k++,
		     col += block_cols)
			rc = by_regs[MAX_REGS](job, b, b + 1, col, 0,
				bad_position);
		if (rc == 0 && rest > 0)
			rc = by_regs[rest / LANES](job, b, b + 1, col,
				rest % LANES, bad_position);
		if (rc < 0)
			return rc;
	}
	return 0;
}

#endif
