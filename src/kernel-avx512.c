/* Embedding-bag forward with AVX-512 (F, BW, VL): 16 fp32 lanes per zmm
 * register, masked loads and stores for the last register of a row, so no
 * lane past the row is read or written.  kernel.h explains the design. */
#include "config.h"

#ifdef RS_HAVE_X86_TARGETS
#include <immintrin.h>
#include <string.h>

#include "kernel-impl.h"

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,fma,f16c")))
#define INLINE static inline __attribute__((always_inline)) AVX512

#define LANES 16
#define MAX_REGS 8		/* 128 floats per column block */

typedef int (*block_fn)(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int col, __mmask16 last_mask, int64_t *bad_position);

/* Bytes of one register's worth of elements of a row. */
#define REG_BYTES(dtype) (LANES * ((dtype) == RS_EMB_FP32 ? 4 \
	: (dtype) == RS_EMB_INT8 ? 1 : 2))

/* Load 16 elements of row from column col (the lanes set in mask only) and
 * widen them to fp32. */
INLINE __m512 load_lanes(enum rs_emb_dtype dtype, const unsigned char *row,
	int col, __mmask16 mask)
{
	__m512i wide;

	switch (dtype) {
	case RS_EMB_FP32:
		return _mm512_maskz_loadu_ps(mask, row + 4 * (size_t)col);
	case RS_EMB_FP16:
		return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask,
			row + 2 * (size_t)col));
	case RS_EMB_BF16:
		wide = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(mask,
			row + 2 * (size_t)col));
		return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
	case RS_EMB_INT8:
		wide = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mask,
			row + col));
		return _mm512_cvtepi32_ps(wide);
	}
	return _mm512_setzero_ps();
}

/* Pool columns [col, col + 16 n_regs) of bags [bag_lo, bag_hi), with the
 * last register limited to last_mask.  dtype, weighted, n_regs and exact
 * are compile-time constants in every caller, so acc[] lives in
 * registers.  An exact row is n_regs full registers (no int8 scale and
 * bias) and starts on a cache line.  Its loads and stores are unmasked,
 * and the lines to prefetch are known at compile time. */
INLINE int pool_block(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int col, __mmask16 last_mask, int64_t *bad_position,
	const enum rs_emb_dtype dtype, const int weighted, const int n_regs,
	const int exact)
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
		: exact ? (n_regs * REG_BYTES(dtype) + 63) / 64
		: rs_emb_aligned_row_lines(rows, row_bytes) > 0
		? rs_emb_aligned_row_lines(rows, row_bytes) : -1;
	/* Rows shifted to this block's first column, so that each register
	 * loads at a constant offset from the row.  An int8 row's scale and
	 * bias follow dim - col bytes further on. */
	const unsigned char *const block_rows = rows + (size_t)col
		* (dtype == RS_EMB_FP32 ? 4 : dtype == RS_EMB_INT8 ? 1 : 2);
	const size_t scale_offset = dim - (size_t)col;

	if (exact)
		last_mask = 0xffff;
	for (int64_t b = bag_lo; b < bag_hi; b++) {
		int64_t p0 = offsets[b], p1 = offsets[b + 1];
		float *out = out_rows + (size_t)b * dim + (size_t)col;
		__m512 acc[MAX_REGS];
		float bias_sum = 0.0f;

		if (!rs_emb_bag_ok(p0, p1, prefetch_end))
			return -2;
		_Pragma("GCC unroll 8")
		for (int r = 0; r < n_regs; r++)
			acc[r] = _mm512_setzero_ps();

		for (int64_t p = p0; p < p1; p++) {
			int64_t index = indices[p];
			const unsigned char *row;

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

			if (dtype == RS_EMB_INT8 || weighted) {
				float scale = weighted ? weights[p] : 1.0f;
				__m512 factor;

				if (dtype == RS_EMB_INT8) {
					float row_scale, row_bias;

					memcpy(&row_scale, row + scale_offset, 4);
					memcpy(&row_bias, row + scale_offset + 4,
						4);
					bias_sum += scale * row_bias;
					scale *= row_scale;
				}
				factor = _mm512_set1_ps(scale);
				_Pragma("GCC unroll 8")
				for (int r = 0; r < n_regs; r++)
					acc[r] = _mm512_fmadd_ps(load_lanes(dtype,
						row, LANES * r,
						r == n_regs - 1 ? last_mask
						: 0xffff), factor, acc[r]);
			} else {
				_Pragma("GCC unroll 8")
				for (int r = 0; r < n_regs; r++)
					acc[r] = _mm512_add_ps(acc[r],
						load_lanes(dtype, row, LANES * r,
						r == n_regs - 1 ? last_mask
						: 0xffff));
			}
		}

		{
			__m512 bias = _mm512_set1_ps(bias_sum);
			__m512 inverse = _mm512_set1_ps(mean && p1 > p0
				? 1.0f / (float)(p1 - p0) : 1.0f);

			_Pragma("GCC unroll 8")
			for (int r = 0; r < n_regs; r++) {
				__m512 v = acc[r];

				if (dtype == RS_EMB_INT8)
					v = _mm512_add_ps(v, bias);
				if (mean)
					v = _mm512_mul_ps(v, inverse);
				if (r == n_regs - 1)
					_mm512_mask_storeu_ps(out + LANES * r,
						last_mask, v);
				else
					_mm512_storeu_ps(out + LANES * r, v);
			}
		}
	}
	return 0;
}

/* One out-of-line specialisation per (dtype, weighted, register count,
 * exact); int8 rows are never exact. */
#define BLOCK(dt, w, n, x) \
static AVX512 int block_##dt##_##w##_##n##_##x(const struct rs_emb_job *job, \
	int64_t bag_lo, int64_t bag_hi, int col, __mmask16 last_mask, \
	int64_t *bad_position) \
{ \
	return pool_block(job, bag_lo, bag_hi, col, last_mask, bad_position, \
		RS_EMB_##dt, w, n, x); \
}
#define BLOCKS_BY_REGS(dt, w, x) BLOCK(dt, w, 1, x) BLOCK(dt, w, 2, x) \
	BLOCK(dt, w, 3, x) BLOCK(dt, w, 4, x) BLOCK(dt, w, 5, x) \
	BLOCK(dt, w, 6, x) BLOCK(dt, w, 7, x) BLOCK(dt, w, 8, x)
#define BLOCKS(dt, x) BLOCKS_BY_REGS(dt, 0, x) BLOCKS_BY_REGS(dt, 1, x)

BLOCKS(FP32, 0)
BLOCKS(FP16, 0)
BLOCKS(BF16, 0)
BLOCKS(INT8, 0)
BLOCKS(FP32, 1)
BLOCKS(FP16, 1)
BLOCKS(BF16, 1)

#define ROW(dt, w, x) { NULL, block_##dt##_##w##_1_##x, \
	block_##dt##_##w##_2_##x, block_##dt##_##w##_3_##x, \
	block_##dt##_##w##_4_##x, block_##dt##_##w##_5_##x, \
	block_##dt##_##w##_6_##x, block_##dt##_##w##_7_##x, \
	block_##dt##_##w##_8_##x }
#define ROWS(dt, x) { ROW(dt, 0, x), ROW(dt, 1, x) }

/* Indexed by exact, enum rs_emb_dtype, weighted, then register count. */
static const block_fn blocks[2][4][2][MAX_REGS + 1] = {
	{ ROWS(FP32, 0), ROWS(FP16, 0), ROWS(BF16, 0), ROWS(INT8, 0) },
	{ ROWS(FP32, 1), ROWS(FP16, 1), ROWS(BF16, 1), ROWS(INT8, 0) },
};

AVX512 int rs_embbag_fwd_avx512(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position)
{
	const int block_cols = LANES * MAX_REGS;
	int full_blocks = job->dim / block_cols;
	int rest = job->dim % block_cols;
	int rest_regs = (rest + LANES - 1) / LANES;
	__mmask16 rest_mask = rest % LANES
		? (__mmask16)((1u << (rest % LANES)) - 1) : 0xffff;
	/* Exact: one block of whole registers, rows starting on lines and
	 * each register's bytes dividing the row stride. */
	int exact = job->dtype != RS_EMB_INT8 && job->dim <= block_cols
		&& job->dim % LANES == 0 && ((uintptr_t)job->rows & 63) == 0
		&& job->row_bytes % 64 == 0;
	const block_fn *by_regs = blocks[exact][job->dtype]
		[job->weights != NULL];

	/* A row of one block: one call pools the whole range. */
	if (job->dim <= block_cols)
		return by_regs[rest_regs ? rest_regs : MAX_REGS](job, bag_lo,
			bag_hi, 0, rest ? rest_mask : 0xffff, bad_position);

	/* Wider rows: every bag is walked once per column block, while the
	 * rows gathered by the first block are still in L1 or L2. */
	for (int64_t b = bag_lo; b < bag_hi; b++) {
		int col = 0, rc = 0;

		for (int k = 0; k < full_blocks && rc == 0; k++,
		     col += block_cols)
			rc = by_regs[MAX_REGS](job, b, b + 1, col, 0xffff,
				bad_position);
		if (rc == 0 && rest_regs > 0)
			rc = by_regs[rest_regs](job, b, b + 1, col, rest_mask,
				bad_position);
		if (rc < 0)
			return rc;
	}
	return 0;
}

#endif
