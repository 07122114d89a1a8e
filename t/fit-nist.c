/* The fitter against two NIST StRD nonlinear regression problems, with the
 * certified values read from the data files' headers.
 *
 * DanWood, y = b1 x^b2, is the power form with gamma fixed at 0:
 * alpha = b1 and beta = -b2.  Bennett5, y = b1 (b2 + x)^(-1/b3), is the
 * power_offset form with gamma fixed at 0: alpha = b1, x0 = b2 and
 * beta = 1/b3.  Both use linear residuals, as NIST certifies least squares
 * on y. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "fit.h"
#include "tap.h"

#define MAX_POINTS 512
#define MAX_CERTIFIED 3

struct nist_problem {
	int n;
	double x[MAX_POINTS];
	double y[MAX_POINTS];
	int n_params;
	double start[2][MAX_CERTIFIED];
	double certified[MAX_CERTIFIED];
	double certified_sd[MAX_CERTIFIED];
	double certified_rss;
};

/* Reads a NIST StRD file: the data line range from the "File Format"
 * block, the parameter lines "b1 = start1 start2 value sd", the certified
 * residual sum of squares, and the data as "y x" lines.  Returns 0 when
 * every part was found. */
static int read_nist(const char *name, struct nist_problem *p)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], line[512];
	int line_no = 0, first = 0, last = 0, k, rss_found = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/t/data/nist/%s",
		srcdir ? srcdir : ".", name);
	f = fopen(path, "r");
	if (f == NULL) {
		printf("# cannot open %s\n", path);
		return -1;
	}
	memset(p, 0, sizeof *p);
	while (fgets(line, sizeof line, f) != NULL) {
		double start1, start2, value, sd;
		char *colon;

		line_no++;
		if (first == 0 && strncmp(line + strspn(line, " "), "Data", 4)
			== 0 && strstr(line, "(lines") != NULL)
			sscanf(strstr(line, "(lines"), "(lines %d to %d)",
				&first, &last);
		if (sscanf(line, " b%d = %lf %lf %lf %lf", &k, &start1, &start2,
			&value, &sd) == 5 && k >= 1 && k <= MAX_CERTIFIED) {
			p->start[0][k - 1] = start1;
			p->start[1][k - 1] = start2;
			p->certified[k - 1] = value;
			p->certified_sd[k - 1] = sd;
			if (k > p->n_params)
				p->n_params = k;
		}
		colon = strchr(line, ':');
		if (strncmp(line, "Residual Sum of Squares:", 24) == 0
		    && sscanf(colon + 1, "%lf", &p->certified_rss) == 1)
			rss_found = 1;
		if (first > 0 && line_no >= first && line_no <= last
		    && p->n < MAX_POINTS
		    && sscanf(line, "%lf %lf", &p->y[p->n], &p->x[p->n]) == 2)
			p->n++;
	}
	fclose(f);
	if (first == 0 || !rss_found || p->n != last - first + 1) {
		printf("# %s: header or data not as expected\n", path);
		return -1;
	}
	return 0;
}

static void init_options(struct rs_fit_options *opt, enum rs_fit_form form)
{
	memset(opt, 0, sizeof *opt);
	opt->form = form;
	opt->fixed_mask = 1u << 2;	/* gamma = 0 */
	opt->linear_residuals = 1;
	opt->n_threads = 2;
}

static int fit(const struct nist_problem *p, const struct rs_fit_options *opt,
	struct rs_fit_result *result)
{
	struct rs_fit_data data = { p->n, 1, { p->x, NULL }, p->y };
	struct rs_error err;

	if (rs_fit(&data, opt, result, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void check_danwood(const struct nist_problem *p)
{
	struct rs_fit_options opt;
	struct rs_fit_result result;
	double start[3];
	int s;

	for (s = 0; s < 2; s++) {
		init_options(&opt, RS_FORM_POWER);
		start[0] = p->start[s][0];
		start[1] = -p->start[s][1];
		start[2] = 0.0;
		opt.start = start;
		tap_ok(fit(p, &opt, &result) == 0, "DanWood fits from start %d",
			s + 1);
		tap_near(result.value[0], p->certified[0], 1e-6,
			"DanWood b1 from start %d", s + 1);
		tap_near(-result.value[1], p->certified[1], 1e-6,
			"DanWood b2 from start %d", s + 1);
		tap_near(result.rss, p->certified_rss, 1e-6,
			"DanWood RSS from start %d", s + 1);
		if (s == 0) {
			/* Looser than for the values, because the standard
			 * deviations also depend on J where the solver
			 * stopped. */
			tap_near(result.stderr_[0], p->certified_sd[0], 1e-3,
				"DanWood SD of b1 from the covariance");
			tap_near(result.stderr_[1], p->certified_sd[1], 1e-3,
				"DanWood SD of b2 from the covariance");
		}
		rs_fit_result_free(&result);
	}

	init_options(&opt, RS_FORM_POWER);
	tap_ok(fit(p, &opt, &result) == 0, "DanWood fits from the grid");
	tap_ok(result.n_starts > 1, "DanWood grid tries several starts");
	tap_near(result.value[0], p->certified[0], 1e-6,
		"DanWood b1 from the grid");
	tap_near(-result.value[1], p->certified[1], 1e-6,
		"DanWood b2 from the grid");
	tap_near(result.rss, p->certified_rss, 1e-6,
		"DanWood RSS from the grid");
	rs_fit_result_free(&result);
}

static void check_bennett5(const struct nist_problem *p)
{
	struct rs_fit_options opt;
	struct rs_fit_result result;
	double start[4];
	int s;

	for (s = 0; s < 2; s++) {
		init_options(&opt, RS_FORM_POWER_OFFSET);
		start[0] = p->start[s][0];
		start[1] = 1.0 / p->start[s][2];
		start[2] = 0.0;
		start[3] = p->start[s][1];
		opt.start = start;
		tap_ok(fit(p, &opt, &result) == 0, "Bennett5 fits from start %d",
			s + 1);
		tap_near(result.value[0], p->certified[0], 1e-4,
			"Bennett5 b1 from start %d", s + 1);
		tap_near(result.value[3], p->certified[1], 1e-4,
			"Bennett5 b2 from start %d", s + 1);
		tap_near(1.0 / result.value[1], p->certified[2], 1e-4,
			"Bennett5 b3 from start %d", s + 1);
		tap_near(result.rss, p->certified_rss, 1e-4,
			"Bennett5 RSS from start %d", s + 1);
		if (s == 0) {
			/* SD(b3) = SD(beta) b3^2 by the delta method, which
			 * is exact for the linearised covariance. */
			tap_near(result.stderr_[0], p->certified_sd[0], 1e-3,
				"Bennett5 SD of b1 from the covariance");
			tap_near(result.stderr_[3], p->certified_sd[1], 1e-3,
				"Bennett5 SD of b2 from the covariance");
			tap_near(result.stderr_[1] / (result.value[1]
				* result.value[1]), p->certified_sd[2], 1e-3,
				"Bennett5 SD of b3 from the covariance");
		}
		rs_fit_result_free(&result);
	}

	init_options(&opt, RS_FORM_POWER_OFFSET);
	tap_ok(fit(p, &opt, &result) == 0, "Bennett5 fits from the grid");
	tap_near(result.value[0], p->certified[0], 1e-4,
		"Bennett5 b1 from the grid");
	tap_near(result.value[3], p->certified[1], 1e-4,
		"Bennett5 b2 from the grid");
	tap_near(1.0 / result.value[1], p->certified[2], 1e-4,
		"Bennett5 b3 from the grid");
	rs_fit_result_free(&result);
}

int main(void)
{
	struct nist_problem danwood, bennett5;

	gsl_set_error_handler_off();
	tap_plan(34);
	if (!tap_ok(read_nist("DanWood.dat", &danwood) == 0
		&& danwood.n == 6 && danwood.n_params == 2,
		"DanWood file has 6 points and 2 parameters")
	    || !tap_ok(read_nist("Bennett5.dat", &bennett5) == 0
		&& bennett5.n == 154 && bennett5.n_params == 3,
		"Bennett5 file has 154 points and 3 parameters"))
		return 1;
	check_danwood(&danwood);
	check_bennett5(&bennett5);
	return tap_done();
}
