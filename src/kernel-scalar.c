/* Embedding-bag forward in portable C: the fallback for CPUs without AVX2
 * and the variant every vector variant is tested against besides the
 * double-precision reference.  It accumulates in the output row and
 * reads rows with memcpy, because they may sit at any address. */
#include <string.h>

#include "kernel-impl.h"

float rs_emb_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exponent = (h >> 10) & 0x1fu;
	uint32_t mantissa = h & 0x3ffu;
	union { uint32_t u; float f; } v;

	if (exponent == 0x1fu) {
		v.u = sign | 0x7f800000u | (mantissa << 13);	/* inf, NaN */
	} else if (exponent != 0) {
		v.u = sign | ((exponent + 112u) << 23) | (mantissa << 13);
	} else if (mantissa == 0) {
		v.u = sign;
	} else {
		/* Subnormal half: mantissa x 2^-24, exact in float. */
		v.f = (float)mantissa * 0x1p-24f;
		v.u |= sign;
	}
	return v.f;
}

static float load_element(enum rs_emb_dtype dtype, const unsigned char *row,
	int k)
{
	uint16_t h;
	float f;

	switch (dtype) {
	case RS_EMB_FP32:
		memcpy(&f, row + 4 * (size_t)k, sizeof f);
		return f;
	case RS_EMB_FP16:
		memcpy(&h, row + 2 * (size_t)k, sizeof h);
		return rs_emb_half_to_float(h);
	case RS_EMB_BF16:
		memcpy(&h, row + 2 * (size_t)k, sizeof h);
		return rs_emb_bf16_to_float(h);
	case RS_EMB_INT8:
		return (float)row[k];
	}
	return 0.0f;
}

int rs_embbag_fwd_scalar(const struct rs_emb_job *job, int64_t bag_lo,
	int64_t bag_hi, int64_t *bad_position)
{
	const int dim = job->dim;

	for (int64_t b = bag_lo; b < bag_hi; b++) {
		int64_t p0 = job->offsets[b], p1 = job->offsets[b + 1];
		float *out = job->out + (size_t)b * (size_t)dim;
		float bias_sum = 0.0f;

		if (!rs_emb_bag_ok(p0, p1, job->prefetch_end))
			return -2;
		for (int k = 0; k < dim; k++)
			out[k] = 0.0f;
		for (int64_t p = p0; p < p1; p++) {
			int64_t index = job->indices[p];
			const unsigned char *row;
			float weight = job->weights ? job->weights[p] : 1.0f;
			float scale = weight;

			if ((uint64_t)index >= job->n_rows) {
				*bad_position = p;
				return -1;
			}
			if (job->prefetch_rows > 0)
				rs_emb_prefetch_position(job->rows,
					job->row_bytes, job->indices,
					p + job->prefetch_rows, job->prefetch_end);
			row = job->rows + (size_t)index * job->row_bytes;
			if (job->dtype == RS_EMB_INT8) {
				float row_scale, row_bias;

				memcpy(&row_scale, row + dim, sizeof row_scale);
				memcpy(&row_bias, row + dim + 4, sizeof row_bias);
				scale = weight * row_scale;
				bias_sum += weight * row_bias;
			}
			for (int k = 0; k < dim; k++)
				out[k] += scale * load_element(job->dtype, row, k);
		}
		if (job->mean && p1 > p0) {
			float inverse = 1.0f / (float)(p1 - p0);

			for (int k = 0; k < dim; k++)
				out[k] = (out[k] + bias_sum) * inverse;
		} else if (bias_sum != 0.0f) {
			for (int k = 0; k < dim; k++)
				out[k] += bias_sum;
		}
	}
	return 0;
}
