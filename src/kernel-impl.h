/* What the embedding-bag variants share: one job, already validated, and
 * the signature each instruction-set variant implements.  Only kernel.c and
 * the kernel-<isa>.c files include this. */
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

/* Pool bags [bag_lo, bag_hi) of job.  Returns 0, or -1 with *bad_position
 * set to the position of the first index outside the table; bags before
 * that one are complete. */
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

/* IEEE half and bfloat16 bit patterns widened to float, in portable C. */
float rs_emb_half_to_float(uint16_t h);
static inline float rs_emb_bf16_to_float(uint16_t b)
{
	union { uint32_t u; float f; } v = { (uint32_t)b << 16 };

	return v.f;
}

#endif
