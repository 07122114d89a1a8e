/* Generated lookup indices: uniform, or Zipf-distributed over the rows.
 *
 * Zipf(s) over n rows draws rank k in 1..n with probability
 * k^-s / sum_{j=1..n} j^-s, by rejection-inversion (W. Hormann and G.
 * Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", ACM TOMACS 6(3), 1996), which needs O(1) memory
 * and time for any n.  Ranks are scattered over the rows by a fixed
 * bijection, so the hot rows are not neighbours in memory.
 */
#ifndef RS_INDEXGEN_H
#define RS_INDEXGEN_H

#include <stdint.h>

#include "error.h"

enum rs_dist_kind { RS_DIST_UNIFORM, RS_DIST_ZIPF };

struct rs_dist {
	enum rs_dist_kind kind;
	double zipf_s;		/* exponent, for RS_DIST_ZIPF */
};

/* Parse "uniform" or "zipf:S" with S in (0, 10].  Returns 0, or -1 with
 * err filled. */
int rs_dist_parse(const char *text, struct rs_dist *dist,
	struct rs_error *err);
/* "uniform" or "zipf:1.05". */
void rs_dist_format(const struct rs_dist *dist, char *buf, size_t size);

/* splitmix64: a 64-bit state advanced by a constant, then mixed. */
uint64_t rs_random_next(uint64_t *state);

struct rs_zipf {
	uint64_t n;
	double s;
	double h_x1, h_n, accept;	/* rejection-inversion constants */
};

int rs_zipf_init(struct rs_zipf *z, uint64_t n, double s,
	struct rs_error *err);
/* One rank in 1..n. */
uint64_t rs_zipf_draw(const struct rs_zipf *z, uint64_t *state);

/* Fill indices[0..count) with rows in [0, n_rows) drawn from dist, from
 * seed. */
int rs_fill_indices(int64_t *indices, int64_t count, int64_t n_rows,
	const struct rs_dist *dist, uint64_t seed, struct rs_error *err);

#endif
