/* The embedding-bag kernel against a scalar reference in double precision,
 * for every variant the CPU runs, every row type and pooling mode, and
 * dimensions around the vector widths.  The table sits against an
 * inaccessible page on both sides, with an odd row stride, so reading past
 * the last row or before the first faults, and every row is unaligned. */
#define _DEFAULT_SOURCE
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel.h"
#include "topology.h"
#include "tap.h"

#define N_ROWS 50
#define N_BAGS 21
#define MAX_INDICES 160
#define STRIDE_PAD 3		/* bytes between packed rows: rows unaligned */

static const int dims[] = { 1, 15, 16, 17, 100, 128, 257 };
#define N_DIMS ((int)(sizeof dims / sizeof dims[0]))
static const enum rs_emb_isa isas[] = {
	RS_EMB_ISA_SCALAR, RS_EMB_ISA_AVX2, RS_EMB_ISA_AVX512
};
static const enum rs_emb_dtype dtypes[] = {
	RS_EMB_FP32, RS_EMB_FP16, RS_EMB_BF16, RS_EMB_INT8
};
static const enum rs_emb_pooling poolings[] = {
	RS_EMB_SUM, RS_EMB_MEAN, RS_EMB_WEIGHTED_SUM
};
static const int empty_bags[] = { 0, 4, N_BAGS - 1 };
#define ZERO_WEIGHT_BAG 6

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static double uniform(double lo, double hi)
{
	return lo + (hi - lo) * (double)(next_random() >> 11) * 0x1p-53;
}

/* Bags that cover the hard cases.  Bags 0, 4 and the last are empty, bag 1
 * is the last row alone and bag 2 is row 0 alone.  Bag 3 is long with
 * repeats, so prefetches cross into the next bags, and bag 6 has only
 * zero weights. */
struct bags_fixture {
	int64_t indices[MAX_INDICES];
	int64_t offsets[N_BAGS + 1];
	float weights[MAX_INDICES];
	int64_t n_indices;
};

static void make_bags(struct bags_fixture *f)
{
	int64_t n = 0;

	for (int b = 0; b < N_BAGS; b++) {
		int length;

		f->offsets[b] = n;
		switch (b) {
		case 0: case 4: case N_BAGS - 1:
			length = 0;
			break;
		case 1: case 2:
			length = 1;
			break;
		case 3:
			length = 40;
			break;
		default:
			length = (int)(next_random() % 7);
		}
		for (int k = 0; k < length; k++) {
			int64_t index = (int64_t)(next_random() % N_ROWS);

			if (b == 1 || (b == 3 && k % 9 == 0))
				index = N_ROWS - 1;
			if (b == 2)
				index = 0;
			f->indices[n] = index;
			f->weights[n] = b == ZERO_WEIGHT_BAG || k % 5 == 4
				? 0.0f : (float)uniform(-2.0, 2.0);
			n++;
		}
	}
	f->offsets[N_BAGS] = n;
	f->n_indices = n;
}

/* A region with an inaccessible page before and after; the usable bytes
 * end exactly at the second one. */
struct guarded {
	unsigned char *map;
	size_t map_bytes;
	unsigned char *data;
};

static int guarded_alloc(struct guarded *g, size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (bytes + page - 1) / page;

	g->map_bytes = (pages + 2) * page;
	g->map = mmap(NULL, g->map_bytes, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -1;
	if (mprotect(g->map, page, PROT_NONE) < 0
	    || mprotect(g->map + (pages + 1) * page, page, PROT_NONE) < 0)
		return -1;
	g->data = g->map + (pages + 1) * page - bytes;
	return 0;
}

static void guarded_free(struct guarded *g)
{
	munmap(g->map, g->map_bytes);
}

/* A table of N_ROWS random rows of dim, kept also as the fp32 values it
 * was encoded from. */
struct table_fixture {
	struct guarded mem;
	struct rs_emb_table table;
	float *source;		/* N_ROWS x dim */
};

/* A table of N_ROWS rows, pad bytes apart, ending at a guard page. */
static int make_padded_table(struct table_fixture *f,
	enum rs_emb_dtype dtype, int dim, size_t pad)
{
	size_t packed = rs_emb_row_bytes(dtype, dim);
	size_t stride = packed + pad;
	size_t bytes = stride * (N_ROWS - 1) + packed;

	f->source = malloc(sizeof(float) * N_ROWS * (size_t)dim);
	if (f->source == NULL || guarded_alloc(&f->mem, bytes) < 0)
		return -1;
	for (int r = 0; r < N_ROWS; r++) {
		for (int k = 0; k < dim; k++)
			f->source[(size_t)r * dim + k] = (float)uniform(-1.0,
				1.0);
		rs_emb_encode_row(dtype, f->source + (size_t)r * dim, dim,
			f->mem.data + (size_t)r * stride);
	}
	f->table.rows = f->mem.data;
	f->table.n_rows = N_ROWS;
	f->table.dim = dim;
	f->table.dtype = dtype;
	f->table.row_bytes = stride;
	return 0;
}

static int make_table(struct table_fixture *f, enum rs_emb_dtype dtype,
	int dim)
{
	return make_padded_table(f, dtype, dim, STRIDE_PAD);
}

static void free_table(struct table_fixture *f)
{
	guarded_free(&f->mem);
	free(f->source);
}

/* The test's own decoding, written from the format definitions and not
 * from the library's code. */
static double reference_half(uint16_t h)
{
	int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
	double sign = (h & 0x8000) ? -1.0 : 1.0;

	if (exponent == 0)
		return sign * ldexp(mantissa, -24);
	if (exponent == 31)
		return mantissa ? NAN : sign * INFINITY;
	return sign * ldexp(1024 + mantissa, exponent - 25);
}

/* Element k of row r as (value, magnitude): value = scale q + bias for
 * int8, and the magnitude |scale q| + |bias| bounds the rounding of the
 * two terms separately. */
static void reference_element(const struct rs_emb_table *t, int64_t r, int k,
	double *value, double *magnitude)
{
	const unsigned char *row = (const unsigned char *)t->rows
		+ (size_t)r * t->row_bytes;
	uint16_t h;
	uint32_t u;
	float f, scale, bias;

	switch (t->dtype) {
	case RS_EMB_FP32:
		memcpy(&f, row + 4 * k, 4);
		*value = f;
		break;
	case RS_EMB_FP16:
		memcpy(&h, row + 2 * k, 2);
		*value = reference_half(h);
		break;
	case RS_EMB_BF16:
		memcpy(&h, row + 2 * k, 2);
		u = (uint32_t)h << 16;
		memcpy(&f, &u, 4);
		*value = f;
		break;
	case RS_EMB_INT8:
		memcpy(&scale, row + t->dim, 4);
		memcpy(&bias, row + t->dim + 4, 4);
		*value = (double)scale * row[k] + bias;
		*magnitude = fabs((double)scale * row[k]) + fabs(bias);
		return;
	}
	*magnitude = fabs(*value);
}

/* Compare out with the double-precision pooling of the bags.  Each element
 * may differ by (n + 4) FLT_EPSILON times the sum of its terms' magnitudes:
 * float summation of n terms in any order is off by at most about n/2
 * FLT_EPSILON of that sum, and mean adds two roundings. */
static int matches_reference(const struct rs_emb_table *t,
	const struct bags_fixture *bags, enum rs_emb_pooling pooling,
	const float *out, char *why, size_t why_size)
{
	for (int b = 0; b < N_BAGS; b++) {
		int64_t p0 = bags->offsets[b], p1 = bags->offsets[b + 1];
		int64_t n = p1 - p0;

		for (int k = 0; k < t->dim; k++) {
			double sum = 0.0, magnitude = 0.0, tolerance, got;

			for (int64_t p = p0; p < p1; p++) {
				double w = pooling == RS_EMB_WEIGHTED_SUM
					? bags->weights[p] : 1.0, v = 0.0, m = 0.0;

				reference_element(t, bags->indices[p], k, &v,
					&m);
				sum += w * v;
				magnitude += fabs(w) * m;
			}
			if (pooling == RS_EMB_MEAN && n > 0) {
				sum /= (double)n;
				magnitude /= (double)n;
			}
			tolerance = (double)(n + 4) * FLT_EPSILON * magnitude;
			got = out[(size_t)b * t->dim + k];
			if (!(fabs(got - sum) <= tolerance)) {
				snprintf(why, why_size, "bag %d element %d: got "
					"%.9g, want %.9g within %.3g", b, k, got,
					sum, tolerance);
				return 0;
			}
		}
	}
	return 1;
}

/* Output with a float of slack before and 16 after, all set to a marker
 * that no pooled value equals, so writes outside the n_bags x dim floats
 * show. */
#define OUT_SLACK 16
static const uint32_t marker_bits = 0x7fa5a5a5u;	/* a NaN */

static float *out_alloc(int dim)
{
	size_t n = (size_t)N_BAGS * dim + 1 + OUT_SLACK;
	float *buf = malloc(n * sizeof(float));

	for (size_t i = 0; buf != NULL && i < n; i++)
		memcpy(&buf[i], &marker_bits, 4);
	return buf;
}

static int slack_untouched(const float *buf, int dim)
{
	size_t end = (size_t)N_BAGS * dim + 1;

	if (memcmp(&buf[0], &marker_bits, 4) != 0)
		return 0;
	for (size_t i = end; i < end + OUT_SLACK; i++)
		if (memcmp(&buf[i], &marker_bits, 4) != 0)
			return 0;
	return 1;
}

static void test_against_reference(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags)
{
	for (size_t t = 0; t < 4; t++)
		for (size_t q = 0; q < 3; q++)
			for (int d = 0; d < N_DIMS; d++) {
				const char *name = rs_emb_isa_name(isa);
				const char *type = rs_emb_dtype_name(dtypes[t]);
				const char *pool = rs_emb_pooling_name(
					poolings[q]);
				struct rs_emb_options options = {
					poolings[q], isa, 3 };
				struct rs_emb_bags csr = {
					bags->indices, bags->offsets,
					poolings[q] == RS_EMB_WEIGHTED_SUM
					? bags->weights : NULL, N_BAGS,
					bags->n_indices };
				struct table_fixture table;
				struct rs_error err = { "" };
				char why[RS_ERROR_MAX] = "";
				int zero = 1, rc;
				float *buf;

				if (!supported) {
					for (int i = 0; i < 3; i++)
						tap_ok(1, "%s %s %s d=%d # SKIP "
							"not supported by this CPU",
							name, type, pool, dims[d]);
					continue;
				}
				if (make_table(&table, dtypes[t], dims[d]) < 0
				    || (buf = out_alloc(dims[d])) == NULL) {
					printf("Bail out! out of memory\n");
					exit(1);
				}
				rc = rs_emb_bag_forward(NULL, &table.table,
					&csr, &options, buf + 1, &err);
				if (rc < 0)
					snprintf(why, sizeof why, "%s", err.msg);
				else
					matches_reference(&table.table, bags,
						poolings[q], buf + 1, why,
						sizeof why);
				tap_ok(rc == 0 && why[0] == '\0',
					"%s %s %s d=%d matches reference", name,
					type, pool, dims[d]);
				if (why[0] != '\0')
					printf("# %s\n", why);
				for (int e = 0; e < 3; e++)
					for (int k = 0; k < dims[d]; k++)
						zero &= buf[1 + (size_t)empty_bags[e]
							* dims[d] + k] == 0.0f;
				if (poolings[q] == RS_EMB_WEIGHTED_SUM)
					for (int k = 0; k < dims[d]; k++)
						zero &= buf[1 + (size_t)ZERO_WEIGHT_BAG
							* dims[d] + k] == 0.0f;
				tap_ok(zero, "%s %s %s d=%d empty and zero-weight "
					"bags are 0", name, type, pool, dims[d]);
				tap_ok(slack_untouched(buf, dims[d]),
					"%s %s %s d=%d writes only its output",
					name, type, pool, dims[d]);
				free(buf);
				free_table(&table);
			}
}

/* Rows that start on cache lines and fill whole vector registers, which
 * the AVX-512 variant gathers without masks: packed fp32 rows of 16 to 128
 * elements and 16-bit rows of 32 to 128, prefetched 3 rows ahead.  The
 * table ends at a page, so packed rows of whole lines start on one. */
static void test_aligned_rows(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags)
{
	static const int fp32_dims[] = { 16, 48, 64, 128 };
	static const int half_dims[] = { 32, 64, 96, 128 };

	for (size_t t = 0; t < 3; t++)
		for (size_t q = 0; q < 3; q++)
			for (int d = 0; d < 4; d++) {
				const char *name = rs_emb_isa_name(isa);
				const char *type = rs_emb_dtype_name(dtypes[t]);
				const char *pool = rs_emb_pooling_name(
					poolings[q]);
				int dim = dtypes[t] == RS_EMB_FP32
					? fp32_dims[d] : half_dims[d];
				struct rs_emb_options options = {
					poolings[q], isa, 3 };
				struct rs_emb_bags csr = {
					bags->indices, bags->offsets,
					poolings[q] == RS_EMB_WEIGHTED_SUM
					? bags->weights : NULL, N_BAGS,
					bags->n_indices };
				struct table_fixture table;
				struct rs_error err = { "" };
				char why[RS_ERROR_MAX] = "";
				int rc;
				float *buf;

				if (!supported) {
					for (int i = 0; i < 2; i++)
						tap_ok(1, "%s %s %s aligned d=%d "
							"# SKIP not supported by "
							"this CPU", name, type,
							pool, dim);
					continue;
				}
				if (make_padded_table(&table, dtypes[t], dim,
						0) < 0
				    || (buf = out_alloc(dim)) == NULL) {
					printf("Bail out! out of memory\n");
					exit(1);
				}
				if (((uintptr_t)table.table.rows & 63) != 0
				    || table.table.row_bytes % 64 != 0)
					snprintf(why, sizeof why, "rows are not "
						"line-aligned");
				else if ((rc = rs_emb_bag_forward(NULL,
						&table.table, &csr, &options,
						buf + 1, &err)) < 0)
					snprintf(why, sizeof why, "%s", err.msg);
				else
					matches_reference(&table.table, bags,
						poolings[q], buf + 1, why,
						sizeof why);
				tap_ok(why[0] == '\0', "%s %s %s aligned d=%d "
					"matches reference", name, type, pool,
					dim);
				if (why[0] != '\0')
					printf("# %s\n", why);
				tap_ok(slack_untouched(buf, dim),
					"%s %s %s aligned d=%d writes only its "
					"output", name, type, pool, dim);
				free(buf);
				free_table(&table);
			}
}

/* int8 rows against the fp32 rows they were encoded from: each element is
 * off by at most scale / 2, so a bag by sum of |w| scale / 2. */
static void test_int8_quantisation(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags)
{
	const int dim = 17;

	for (size_t q = 0; q < 3; q++) {
		struct rs_emb_options options = { poolings[q], isa, -1 };
		struct rs_emb_bags csr = { bags->indices, bags->offsets,
			poolings[q] == RS_EMB_WEIGHTED_SUM ? bags->weights : NULL,
			N_BAGS, bags->n_indices };
		struct table_fixture table;
		struct rs_error err;
		int within = 1;
		float *buf;

		if (!supported) {
			tap_ok(1, "%s int8 %s within quantisation error # SKIP "
				"not supported by this CPU", rs_emb_isa_name(isa),
				rs_emb_pooling_name(poolings[q]));
			continue;
		}
		if (make_table(&table, RS_EMB_INT8, dim) < 0
		    || (buf = out_alloc(dim)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		within = rs_emb_bag_forward(NULL, &table.table, &csr, &options,
			buf + 1, &err) == 0;
		for (int b = 0; within && b < N_BAGS; b++) {
			int64_t p0 = bags->offsets[b], p1 = bags->offsets[b + 1];

			for (int k = 0; within && k < dim; k++) {
				double exact = 0.0, bound = 0.0;

				for (int64_t p = p0; p < p1; p++) {
					const unsigned char *row = table.mem.data
						+ (size_t)bags->indices[p]
						* table.table.row_bytes;
					double w = poolings[q]
						== RS_EMB_WEIGHTED_SUM
						? bags->weights[p] : 1.0;
					float scale;

					memcpy(&scale, row + dim, 4);
					exact += w * table.source[(size_t)
						bags->indices[p] * dim + k];
					bound += fabs(w) * (scale / 2.0 + 4e-7);
				}
				if (poolings[q] == RS_EMB_MEAN && p1 > p0) {
					exact /= (double)(p1 - p0);
					bound /= (double)(p1 - p0);
				}
				within = fabs(buf[1 + (size_t)b * dim + k] - exact)
					<= bound;
				if (!within)
					printf("# bag %d element %d: got %.9g, "
						"encoded from %.9g, bound %.3g\n",
						b, k, buf[1 + (size_t)b * dim + k],
						exact, bound);
			}
		}
		tap_ok(within, "%s int8 %s within quantisation error",
			rs_emb_isa_name(isa), rs_emb_pooling_name(poolings[q]));
		free(buf);
		free_table(&table);
	}
}

/* A pool of workers splits the bags, but each bag is still pooled by one
 * thread with the same code, so the result is bit for bit the same.
 * Three workers on a two-core synthetic machine wrap around the cores. */
static void test_pools(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags, const struct rs_topology *topo)
{
	const int dim = 17;

	for (size_t t = 0; t < 4; t++)
		for (int n_threads = 2; n_threads <= 3; n_threads++) {
			struct rs_emb_options options = { RS_EMB_WEIGHTED_SUM,
				isa, -1 };
			struct rs_emb_bags csr = { bags->indices, bags->offsets,
				bags->weights, N_BAGS, bags->n_indices };
			struct table_fixture table;
			struct rs_emb_pool *pool;
			struct rs_error err;
			float *alone, *pooled;
			int unbound, same;

			if (!supported) {
				tap_ok(1, "%s %s %d threads match one # SKIP "
					"not supported by this CPU",
					rs_emb_isa_name(isa),
					rs_emb_dtype_name(dtypes[t]), n_threads);
				continue;
			}
			if (make_table(&table, dtypes[t], dim) < 0
			    || (alone = out_alloc(dim)) == NULL
			    || (pooled = out_alloc(dim)) == NULL) {
				printf("Bail out! out of memory\n");
				exit(1);
			}
			pool = rs_emb_pool_new(n_threads, n_threads == 3 ? topo
				: NULL, &unbound, &err);
			same = pool != NULL
				&& rs_emb_bag_forward(NULL, &table.table, &csr,
					&options, alone + 1, &err) == 0
				&& rs_emb_bag_forward(pool, &table.table, &csr,
					&options, pooled + 1, &err) == 0
				&& memcmp(alone, pooled, sizeof(float)
					* ((size_t)N_BAGS * dim + 1 + OUT_SLACK))
					== 0;
			tap_ok(same, "%s %s %d threads match one",
				rs_emb_isa_name(isa), rs_emb_dtype_name(dtypes[t]),
				n_threads);
			rs_emb_pool_free(pool);
			free(alone);
			free(pooled);
			free_table(&table);
		}
}

/* An index outside [0, N_ROWS) is an error naming its position.  Row
 * N_ROWS would start in the inaccessible page after the table, so reading
 * it would fault.  With two workers the lower bad position is reported. */
static void test_bad_indices(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags, const struct rs_topology *topo)
{
	static const int64_t bad_values[] = { -1, N_ROWS, INT64_MIN,
		INT64_MAX };
	const char *name = rs_emb_isa_name(isa);
	struct rs_emb_options options = { RS_EMB_SUM, isa, -1 };
	struct table_fixture table;
	struct rs_emb_pool *pool;
	struct bags_fixture bad;
	struct rs_emb_bags csr;
	struct rs_error err;
	float *buf;
	char want[64];
	int64_t late;

	if (!supported) {
		for (int i = 0; i < 11; i++)
			tap_ok(1, "%s bad index check %d # SKIP not supported "
				"by this CPU", name, i + 1);
		return;
	}
	if (make_table(&table, RS_EMB_FP32, 16) < 0
	    || (buf = out_alloc(16)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}

	for (int v = 0; v < 4; v++) {
		int rc;

		bad = *bags;
		bad.indices[bags->offsets[3] + 20] = bad_values[v];
		csr = (struct rs_emb_bags){ bad.indices, bad.offsets, NULL,
			N_BAGS, bad.n_indices };
		err.msg[0] = '\0';
		rc = rs_emb_bag_forward(NULL, &table.table, &csr, &options,
			buf + 1, &err);
		tap_ok(rc == -1, "%s index %lld rejected", name,
			(long long)bad_values[v]);
		snprintf(want, sizeof want, "at position %lld (bag 3)",
			(long long)(bags->offsets[3] + 20));
		tap_ok(strstr(err.msg, want) != NULL, "%s index %lld: message "
			"names its position and bag", name,
			(long long)bad_values[v]);
		if (strstr(err.msg, want) == NULL)
			printf("# message: %s\n", err.msg);
	}

	/* The first position of all, with the prefetch of the later bad
	 * index skipped rather than followed. */
	bad = *bags;
	bad.indices[bags->offsets[1]] = N_ROWS;
	bad.indices[bags->offsets[1] + 3] = -5;
	csr = (struct rs_emb_bags){ bad.indices, bad.offsets, NULL, N_BAGS,
		bad.n_indices };
	err.msg[0] = '\0';
	tap_ok(rs_emb_bag_forward(NULL, &table.table, &csr, &options, buf + 1,
		&err) == -1 && strstr(err.msg, "at position 0 ") != NULL,
		"%s bad first index reported at position 0", name);

	/* Two workers, a bad index in each half: the lower one wins. */
	late = bags->n_indices - 1;
	bad = *bags;
	bad.indices[bags->offsets[3] + 1] = N_ROWS + 7;
	bad.indices[late] = -2;
	csr = (struct rs_emb_bags){ bad.indices, bad.offsets, NULL, N_BAGS,
		bad.n_indices };
	pool = rs_emb_pool_new(2, topo, NULL, &err);
	snprintf(want, sizeof want, "at position %lld ",
		(long long)(bags->offsets[3] + 1));
	err.msg[0] = '\0';
	tap_ok(pool != NULL && rs_emb_bag_forward(pool, &table.table, &csr,
		&options, buf + 1, &err) == -1 && strstr(err.msg, want) != NULL,
		"%s two workers report the lowest bad position", name);
	if (strstr(err.msg, want) == NULL)
		printf("# message: %s\n", err.msg);

	/* Only the late bad index: the second worker finds it. */
	bad = *bags;
	bad.indices[late] = N_ROWS;
	snprintf(want, sizeof want, "at position %lld ", (long long)late);
	err.msg[0] = '\0';
	tap_ok(pool != NULL && rs_emb_bag_forward(pool, &table.table, &csr,
		&options, buf + 1, &err) == -1 && strstr(err.msg, want) != NULL,
		"%s second worker reports its bad index", name);
	rs_emb_pool_free(pool);

	free(buf);
	free_table(&table);
}

/* No prefetch, and a distance past the end of the indices. */
static void test_prefetch_distances(enum rs_emb_isa isa, int supported,
	const struct bags_fixture *bags)
{
	static const int distances[] = { 0, 1, 1000 };

	for (int i = 0; i < 3; i++) {
		struct rs_emb_options options = { RS_EMB_SUM, isa,
			distances[i] };
		struct rs_emb_bags csr = { bags->indices, bags->offsets, NULL,
			N_BAGS, bags->n_indices };
		struct table_fixture table;
		struct rs_error err;
		char why[RS_ERROR_MAX] = "";
		float *buf;

		if (!supported) {
			tap_ok(1, "%s prefetch %d rows matches reference # SKIP "
				"not supported by this CPU", rs_emb_isa_name(isa),
				distances[i]);
			continue;
		}
		if (make_table(&table, RS_EMB_FP16, 33) < 0
		    || (buf = out_alloc(33)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		if (rs_emb_bag_forward(NULL, &table.table, &csr, &options,
				buf + 1, &err) < 0)
			snprintf(why, sizeof why, "%s", err.msg);
		else
			matches_reference(&table.table, bags, RS_EMB_SUM,
				buf + 1, why, sizeof why);
		tap_ok(why[0] == '\0', "%s prefetch %d rows matches reference",
			rs_emb_isa_name(isa), distances[i]);
		if (why[0] != '\0')
			printf("# %s\n", why);
		free(buf);
		free_table(&table);
	}
}

/* Expect rs_emb_bag_forward to fail with phrase in its message, on the
 * calling thread alone or (pool not NULL) on a pool. */
static void expect_error_on(struct rs_emb_pool *pool,
	const struct rs_emb_table *table, const struct rs_emb_bags *bags,
	enum rs_emb_pooling pooling, const char *phrase, const char *name)
{
	struct rs_emb_options options = { pooling, RS_EMB_ISA_AUTO, -1 };
	struct rs_error err = { "" };
	float out[64 * N_BAGS];
	int rc = rs_emb_bag_forward(pool, table, bags, &options, out, &err);

	tap_ok(rc == -1, "%s rejected", name);
	tap_ok(strstr(err.msg, phrase) != NULL, "%s: message says \"%s\"",
		name, phrase);
	if (strstr(err.msg, phrase) == NULL)
		printf("# message: %s\n", err.msg);
}

static void expect_error(const struct rs_emb_table *table,
	const struct rs_emb_bags *bags, enum rs_emb_pooling pooling,
	const char *phrase, const char *name)
{
	expect_error_on(NULL, table, bags, pooling, phrase, name);
}

/* Offsets that go wrong in the middle, where only the workers look: the
 * call fails before any index at a wrong position is read. */
static void test_bad_middle_offsets(const struct bags_fixture *bags,
	const struct rs_emb_table *table)
{
	struct bags_fixture broken = *bags;
	struct rs_emb_bags csr = { bags->indices, broken.offsets, NULL, N_BAGS,
		bags->n_indices };
	struct rs_emb_pool *pool;
	struct rs_error err;

	broken.offsets[5] = 1000000;
	expect_error(table, &csr, RS_EMB_SUM, "offsets[6]",
		"an offset far past the indices in the middle");
	broken = *bags;
	broken.offsets[5] = -3;
	expect_error(table, &csr, RS_EMB_SUM, "offsets[5] = -3",
		"a negative offset in the middle");
	broken = *bags;
	broken.offsets[N_BAGS - 2] = broken.offsets[N_BAGS - 3] - 1;
	pool = rs_emb_pool_new(2, NULL, NULL, &err);
	if (pool == NULL) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	expect_error_on(pool, table, &csr, RS_EMB_SUM, "must not decrease",
		"a decrease in the second worker's bags");
	rs_emb_pool_free(pool);
}

static void test_invalid_arguments(const struct bags_fixture *bags)
{
	struct table_fixture f;
	struct rs_emb_table t;
	struct rs_emb_bags csr = { bags->indices, bags->offsets, NULL, N_BAGS,
		bags->n_indices };
	struct bags_fixture broken = *bags;
	struct rs_emb_options options = { RS_EMB_SUM, RS_EMB_ISA_AUTO, -1 };
	struct rs_error err;

	if (make_table(&f, RS_EMB_FP32, 8) < 0) {
		printf("Bail out! out of memory\n");
		exit(1);
	}

	broken.offsets[5] = broken.offsets[4] - 1 >= 0
		? broken.offsets[4] - 1 : 0;
	broken.offsets[4] = broken.offsets[5] + 1;
	csr.offsets = broken.offsets;
	expect_error(&f.table, &csr, RS_EMB_SUM, "must not decrease",
		"decreasing offsets");
	csr.offsets = bags->offsets;

	test_bad_middle_offsets(bags, &f.table);

	csr.n_indices = bags->n_indices - 1;
	expect_error(&f.table, &csr, RS_EMB_SUM, "past the",
		"last offset past the indices");
	csr.n_indices = bags->n_indices;

	csr.weights = bags->weights;
	expect_error(&f.table, &csr, RS_EMB_SUM, "weights given for sum",
		"weights with sum pooling");
	csr.weights = NULL;
	expect_error(&f.table, &csr, RS_EMB_WEIGHTED_SUM, "needs one weight",
		"weighted sum without weights");

	t = f.table;
	t.dim = 0;
	expect_error(&t, &csr, RS_EMB_SUM, "dimension 0", "dimension 0");
	t = f.table;
	t.row_bytes = 31;
	expect_error(&t, &csr, RS_EMB_SUM, "row stride 31", "short stride");
	t = f.table;
	t.n_rows = -1;
	expect_error(&t, &csr, RS_EMB_SUM, "cannot be negative",
		"negative row count");

	options.isa = (enum rs_emb_isa)9;
	tap_ok(rs_emb_bag_forward(NULL, &f.table, &csr, &options, NULL, &err)
		== -1, "unknown variant rejected");

	/* No bags: nothing to write, so no output buffer is needed. */
	csr.n_bags = 0;
	options.isa = RS_EMB_ISA_AUTO;
	tap_ok(rs_emb_bag_forward(NULL, &f.table, &csr, &options, NULL, &err)
		== 0, "no bags and no output succeeds");
	free_table(&f);
}

static void test_encoding(void)
{
	static const struct { float in; uint16_t half, bf16; } cases[] = {
		{ 1.0f, 0x3c00, 0x3f80 },
		{ -2.0f, 0xc000, 0xc000 },
		{ 65504.0f, 0x7bff, 0x4780 },
		{ 65520.0f, 0x7c00, 0x4780 },		/* half overflows */
		{ 1.0f + 0x1p-11f, 0x3c00, 0x3f80 },	/* tie, to even */
		{ 1.0f + 3 * 0x1p-11f, 0x3c02, 0x3f80 },	/* tie, up */
		{ 1.0f + 3 * 0x1p-8f, 0x3c0c, 0x3f82 },	/* bf16 tie, up */
		{ 0x1p-24f, 0x0001, 0x3380 },		/* smallest subnormal */
		{ 0x1p-25f, 0x0000, 0x3300 },		/* tie to even: 0 */
		{ 0x1.8p-25f, 0x0001, 0x3340 },
	};
	int all_round_trip = 1, all_decode = 1;
	unsigned char row[2];
	uint16_t got;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		rs_emb_encode_row(RS_EMB_FP16, &cases[i].in, 1, row);
		memcpy(&got, row, 2);
		tap_ok(got == cases[i].half, "fp16 encodes %a as 0x%04x",
			(double)cases[i].in, cases[i].half);
		if (got != cases[i].half)
			printf("# got 0x%04x\n", got);
		rs_emb_encode_row(RS_EMB_BF16, &cases[i].in, 1, row);
		memcpy(&got, row, 2);
		tap_ok(got == cases[i].bf16, "bf16 encodes %a as 0x%04x",
			(double)cases[i].in, cases[i].bf16);
		if (got != cases[i].bf16)
			printf("# got 0x%04x\n", got);
	}

	for (uint32_t h = 0; h < 0x10000u; h++) {
		uint16_t bits = (uint16_t)h, back;
		float f = rs_emb_decode(RS_EMB_FP16, &bits, 1, 0);
		double want = reference_half(bits);

		if (isnan(want)) {
			all_decode &= isnan(f);
			continue;
		}
		all_decode &= (double)f == want;
		rs_emb_encode_row(RS_EMB_FP16, &f, 1, row);
		memcpy(&back, row, 2);
		all_round_trip &= back == bits;
	}
	tap_ok(all_decode, "fp16 decodes all 65536 patterns");
	tap_ok(all_round_trip, "fp16 round-trips every non-NaN pattern");

	{
		const float values[3] = { -1.0f, 0.5f, 1.0f };
		unsigned char q[3 + 8];
		float scale, bias;

		rs_emb_encode_row(RS_EMB_INT8, values, 3, q);
		memcpy(&scale, q + 3, 4);
		memcpy(&bias, q + 7, 4);
		tap_ok(q[0] == 0 && q[1] == 191 && q[2] == 255,
			"int8 codes of -1, 0.5, 1 are 0, 191, 255");
		tap_near(scale, 2.0 / 255.0, 1e-7, "int8 scale is range / 255");
		tap_ok(bias == -1.0f, "int8 bias is the row minimum");
	}
}

static void test_helpers(void)
{
	enum rs_emb_dtype dtype;
	enum rs_emb_pooling pooling;

	tap_ok(rs_emb_prefetch_rows(64) == 32, "prefetch 32 rows of 64 B");
	tap_ok(rs_emb_prefetch_rows(512) == 32, "prefetch 32 rows of 512 B");
	tap_ok(rs_emb_prefetch_rows(1024) == 16, "prefetch 16 rows of 1 KiB");
	tap_ok(rs_emb_prefetch_rows(65536) == 1, "prefetch 1 row of 64 KiB");
	{
		struct rs_emb_table small = { NULL, 64, 16, RS_EMB_FP32, 64 };
		struct rs_emb_table large = { NULL, (int64_t)1 << 32, 16,
			RS_EMB_FP32, 64 };

		tap_ok(rs_emb_table_prefetch_rows(&small) == 0,
			"no prefetch for a 4 KiB table, which fits in L2");
		tap_ok(rs_emb_table_prefetch_rows(&large) == 32,
			"prefetch 32 rows ahead in a 256 GiB table");
	}
	tap_ok(rs_emb_row_bytes(RS_EMB_INT8, 64) == 72,
		"int8 row of 64 takes 72 bytes");
	tap_ok(rs_emb_dtype_parse("bf16", &dtype) == 0
		&& dtype == RS_EMB_BF16, "dtype bf16 parses");
	tap_ok(rs_emb_dtype_parse("int4", &dtype) == -1,
		"dtype int4 rejected");
	tap_ok(rs_emb_pooling_parse("weighted_sum", &pooling) == 0
		&& pooling == RS_EMB_WEIGHTED_SUM, "pooling weighted_sum parses");
	tap_ok(rs_emb_pooling_parse("max", &pooling) == -1,
		"pooling max rejected");
}

int main(void)
{
	struct bags_fixture bags;
	struct rs_topology topo;
	struct rs_error err;

	tap_plan(3 * (4 * 3 * N_DIMS * 3 + 3 * 3 * 4 * 2 + 3 + 8 + 11 + 3)
		+ 25 + 22 + 11);
	make_bags(&bags);
	if (rs_topo_load(&topo, "pack:1 core:2 pu:1", &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}

	for (size_t i = 0; i < 3; i++) {
		int supported = rs_emb_isa_supported(isas[i]);

		test_against_reference(isas[i], supported, &bags);
		test_aligned_rows(isas[i], supported, &bags);
		test_int8_quantisation(isas[i], supported, &bags);
		test_pools(isas[i], supported, &bags, &topo);
		test_bad_indices(isas[i], supported, &bags, &topo);
		test_prefetch_distances(isas[i], supported, &bags);
	}
	test_encoding();
	test_invalid_arguments(&bags);
	test_helpers();

	rs_topo_free(&topo);
	return tap_done();
}
