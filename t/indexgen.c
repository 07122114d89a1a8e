/* Generated lookup indices: distribution names, the Zipf sampler against
 * the exact probabilities, and the spread of ranks over rows.  Draws come
 * from fixed seeds, so every run draws the same numbers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "indexgen.h"
#include "tap.h"

static void test_parse(void)
{
	static const char *const invalid[] = { "zipf:0", "zipf:", "zipf:abc",
		"normal", "zipf:11", "zipf:1.05x", "Uniform" };
	struct rs_dist dist;
	struct rs_error err = { "" };
	char text[32];

	tap_ok(rs_dist_parse("uniform", &dist, &err) == 0
		&& dist.kind == RS_DIST_UNIFORM, "uniform parses");
	tap_ok(rs_dist_parse("zipf:1.05", &dist, &err) == 0
		&& dist.kind == RS_DIST_ZIPF && dist.zipf_s == 1.05,
		"zipf:1.05 parses with s = 1.05");
	rs_dist_format(&dist, text, sizeof text);
	tap_ok(strcmp(text, "zipf:1.05") == 0, "zipf:1.05 formats back");
	for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
		err.msg[0] = '\0';
		tap_ok(rs_dist_parse(invalid[i], &dist, &err) == -1
			&& strstr(err.msg, invalid[i]) != NULL,
			"\"%s\" rejected with the value named", invalid[i]);
	}
}

/* Draw n_draws ranks from Zipf(s) over n and compare the frequencies with
 * k^-s / H(n, s): rank 1 and rank 2 within rel_tol, and the total
 * variation distance over power-of-two buckets of ranks below tv_max. */
static void test_zipf(uint64_t n, double s, int n_draws, double rel_tol,
	double tv_max)
{
	struct rs_zipf z;
	struct rs_error err;
	double *count = calloc(n + 1, sizeof *count), norm = 0.0, tv = 0.0;
	uint64_t state = 7, lo = n, hi = 1;

	if (count == NULL || rs_zipf_init(&z, n, s, &err) < 0) {
		printf("Bail out! zipf setup failed\n");
		exit(1);
	}
	for (int i = 0; i < n_draws; i++) {
		uint64_t k = rs_zipf_draw(&z, &state);

		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
		if (k >= 1 && k <= n)
			count[k] += 1.0;
	}
	for (uint64_t k = 1; k <= n; k++)
		norm += pow((double)k, -s);
	/* Over buckets [2^j, 2^(j+1)) of ranks, so that the many rare ranks
	 * of a large n do not turn sampling noise into distance. */
	for (uint64_t b = 1; b <= n; b *= 2) {
		double got = 0.0, want = 0.0;

		for (uint64_t k = b; k < 2 * b && k <= n; k++) {
			got += count[k] / n_draws;
			want += pow((double)k, -s) / norm;
		}
		tv += 0.5 * fabs(got - want);
	}

	tap_ok(lo >= 1 && hi <= n, "zipf n=%llu s=%g: ranks within 1..n",
		(unsigned long long)n, s);
	tap_near(count[1] / n_draws, 1.0 / norm, rel_tol,
		"zipf n=%llu s=%g: rank 1 frequency", (unsigned long long)n, s);
	tap_near(count[2] / n_draws, pow(2.0, -s) / norm, rel_tol,
		"zipf n=%llu s=%g: rank 2 frequency", (unsigned long long)n, s);
	tap_ok(tv < tv_max, "zipf n=%llu s=%g: total variation below %g",
		(unsigned long long)n, s, tv_max);
	if (tv >= tv_max)
		printf("# total variation %g\n", tv);
	free(count);
}

static void test_fill(void)
{
	enum { COUNT = 200000 };
	int64_t *indices = malloc(COUNT * sizeof *indices);
	struct rs_dist uniform = { RS_DIST_UNIFORM, 0.0 };
	struct rs_dist flat = { RS_DIST_ZIPF, 0.01 };
	struct rs_dist skew = { RS_DIST_ZIPF, 1.05 };
	struct rs_error err = { "" };
	int in_range = 1, every_row, seen[97];
	double mean = 0.0, top = 0.0, norm = 0.0;
	int64_t count96[96] = { 0 };

	if (indices == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}

	tap_ok(rs_fill_indices(indices, COUNT, 1000, &uniform, 1, &err) == 0,
		"uniform fill succeeds");
	for (int i = 0; i < COUNT; i++) {
		in_range &= indices[i] >= 0 && indices[i] < 1000;
		mean += (double)indices[i] / COUNT;
	}
	tap_ok(in_range, "uniform indices within the table");
	tap_near(mean, 499.5, 0.01, "uniform indices average (n - 1) / 2");

	/* Ranks map to rows one to one, for a prime and an even count. */
	memset(seen, 0, sizeof seen);
	rs_fill_indices(indices, COUNT, 97, &flat, 2, &err);
	for (int i = 0; i < COUNT; i++)
		seen[indices[i]] = 1;
	every_row = 1;
	for (int r = 0; r < 97; r++)
		every_row &= seen[r];
	tap_ok(every_row, "near-flat zipf reaches all 97 rows");
	rs_fill_indices(indices, COUNT, 96, &flat, 3, &err);
	for (int i = 0; i < COUNT; i++)
		count96[indices[i]]++;
	every_row = 1;
	for (int r = 0; r < 96; r++)
		every_row &= count96[r] > 0;
	tap_ok(every_row, "near-flat zipf reaches all 96 rows");

	/* The hottest row gets rank 1's share, wherever it landed. */
	memset(count96, 0, sizeof count96);
	rs_fill_indices(indices, COUNT, 96, &skew, 4, &err);
	in_range = 1;
	for (int i = 0; i < COUNT; i++) {
		in_range &= indices[i] >= 0 && indices[i] < 96;
		if (indices[i] >= 0 && indices[i] < 96)
			count96[indices[i]]++;
	}
	tap_ok(in_range, "zipf:1.05 indices within the table");
	for (int r = 0; r < 96; r++) {
		top = fmax(top, (double)count96[r] / COUNT);
		norm += pow(r + 1.0, -1.05);
	}
	tap_near(top, 1.0 / norm, 0.03, "zipf:1.05 hottest row has rank 1's "
		"share");

	err.msg[0] = '\0';
	tap_ok(rs_fill_indices(indices, 10, 0, &uniform, 1, &err) == -1
		&& strstr(err.msg, "0 rows") != NULL, "a table of 0 rows "
		"rejected");
	free(indices);
}

int main(void)
{
	tap_plan(3 + 7 + 4 * 4 + 8);
	test_parse();
	test_zipf(100, 1.05, 1000000, 0.01, 0.004);
	test_zipf(1000000, 1.05, 1000000, 0.01, 0.004);
	test_zipf(100, 1.0, 1000000, 0.01, 0.004);
	test_zipf(50, 2.0, 1000000, 0.01, 0.004);
	test_fill();
	return tap_done();
}
