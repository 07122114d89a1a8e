/* Uniform and Zipf lookup indices; see indexgen.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "indexgen.h"

uint64_t rs_random_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double random_unit(uint64_t *state)
{
	return (double)(rs_random_next(state) >> 11) * 0x1p-53;
}

int rs_dist_parse(const char *text, struct rs_dist *dist,
	struct rs_error *err)
{
	char *end = NULL;
	double s = 0.0;

	if (strcmp(text, "uniform") == 0) {
		dist->kind = RS_DIST_UNIFORM;
		dist->zipf_s = 0.0;
		return 0;
	}
	if (strncmp(text, "zipf:", 5) == 0)
		s = strtod(text + 5, &end);
	if (end == NULL || end == text + 5 || *end != '\0')
		return rs_fail(err, "index distribution \"%s\" is not known; "
			"write uniform or zipf:S with an exponent S in (0, 10], "
			"e.g. zipf:1.05", text);
	if (!(s > 0.0 && s <= 10.0))
		return rs_fail(err, "\"%s\": the Zipf exponent %s is out of "
			"range; give an exponent in (0, 10], e.g. zipf:1.05",
			text, text + 5);
	dist->kind = RS_DIST_ZIPF;
	dist->zipf_s = s;
	return 0;
}

void rs_dist_format(const struct rs_dist *dist, char *buf, size_t size)
{
	if (dist->kind == RS_DIST_UNIFORM)
		snprintf(buf, size, "uniform");
	else
		snprintf(buf, size, "zipf:%g", dist->zipf_s);
}

/* log1p(x) / x and expm1(x) / x, accurate near x = 0 where the exponent
 * 1 - s makes the closed forms cancel. */
static double log1p_over(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x / 2.0;
}

static double expm1_over(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x / 2.0;
}

/* H(x) = integral of t^-s from 1 to x, (x^(1-s) - 1) / (1 - s), and its
 * inverse; both reduce to log and exp when s = 1. */
static double zipf_h_integral(double s, double x)
{
	double log_x = log(x);

	return expm1_over((1.0 - s) * log_x) * log_x;
}

static double zipf_h_inverse(double s, double y)
{
	double t = y * (1.0 - s);

	if (t < -1.0)
		t = -1.0;
	return exp(log1p_over(t) * y);
}

int rs_zipf_init(struct rs_zipf *z, uint64_t n, double s,
	struct rs_error *err)
{
	if (n < 1 || !(s > 0.0 && isfinite(s)))
		return rs_fail(err, "zipf: need at least one row and a "
			"positive exponent, got %llu rows and s = %g",
			(unsigned long long)n, s);
	z->n = n;
	z->s = s;
	z->h_x1 = zipf_h_integral(s, 1.5) - 1.0;
	z->h_n = zipf_h_integral(s, (double)n + 0.5);
	z->accept = 2.0 - zipf_h_inverse(s, zipf_h_integral(s, 2.5)
		- pow(2.0, -s));
	return 0;
}

/* Draw u uniformly over the area under the hat function, invert it to a
 * real x, round to the rank k and accept k when x falls in the part of
 * the hat that lies under k's bar. */
uint64_t rs_zipf_draw(const struct rs_zipf *z, uint64_t *state)
{
	for (;;) {
		double u = z->h_n + random_unit(state) * (z->h_x1 - z->h_n);
		double x = zipf_h_inverse(z->s, u);
		double k = floor(x + 0.5);

		if (k < 1.0)
			k = 1.0;
		else if (k > (double)z->n)
			k = (double)z->n;
		if (k - x <= z->accept
		    || u >= zipf_h_integral(z->s, k + 0.5) - pow(k, -z->s))
			return (uint64_t)k;
	}
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int rs_fill_indices(int64_t *indices, int64_t count, int64_t n_rows,
	const struct rs_dist *dist, uint64_t seed, struct rs_error *err)
{
	uint64_t state = seed, n = (uint64_t)n_rows, stride, shift;
	struct rs_zipf z;

	if (n_rows < 1)
		return rs_fail(err, "cannot draw indices for a table of %lld "
			"rows", (long long)n_rows);
	if (dist->kind == RS_DIST_UNIFORM) {
		for (int64_t i = 0; i < count; i++)
			indices[i] = (int64_t)(((unsigned __int128)
				rs_random_next(&state) * n) >> 64);
		return 0;
	}
	if (rs_zipf_init(&z, n, dist->zipf_s, err) < 0)
		return -1;
	/* rank -> (rank - 1) x stride + shift mod n is a bijection when
	 * stride and n are coprime. */
	stride = (0x9e3779b97f4a7c15u % n) | 1u;
	while (gcd(stride, n) != 1)
		stride += 2;
	stride %= n;
	shift = rs_random_next(&state) % n;
	for (int64_t i = 0; i < count; i++) {
		uint64_t rank = rs_zipf_draw(&z, &state) - 1;

		indices[i] = (int64_t)(((unsigned __int128)rank * stride
			+ shift) % n);
	}
	return 0;
}
