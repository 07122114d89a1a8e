/* The fitter on data drawn from known laws with multiplicative Gaussian
 * noise of relative SD 1e-4, the order of the residuals of NE fits.
 *
 * Tolerances are five standard deviations of each estimate.  SD_* below is
 * the standard deviation of the estimate over 500 noise draws at the same
 * design and noise, measured with this fitter (least squares on log
 * residuals, started at the true parameters).  The pure power law has a
 * closed form instead, because it is a linear regression of log y on
 * log x. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "fit.h"
#include "tap.h"

#define N_POINTS 30
#define NOISE 1e-4
#define N_SD 5.0

/* y = 0.05 (x / 1e9)^-0.1 + 0.98 over x from 1e7 to 1e11 */
#define POWER_ALPHA (0.05 * 7.943282347242815)	/* 0.05 * 1e9^0.1 */
#define POWER_BETA 0.1
#define POWER_GAMMA 0.98
#define SD_POWER_ALPHA 0.0043
#define SD_POWER_BETA 0.00106
#define SD_POWER_GAMMA 0.00055

/* y = 0.98 + 0.03 (N / 1e8)^-0.2 + 0.02 (D / 1e10)^-0.15 on a 6 x 6 grid,
 * N from 1e6 to 1e10 and D from 1e8 to 1e12 */
#define SD_ADD_GAMMA 0.000225
#define SD_ADD_A 0.0094
#define SD_ADD_LOWER_A 0.00065
#define SD_ADD_B 0.0134
#define SD_ADD_LOWER_B 0.00137

/* y = 0.98 + 0.05 (x / 1e9)^-0.1 (1 + x / 1e9)^-(0.4 - 0.1) */
#define SD_BROKEN_ALPHA 0.0060
#define SD_BROKEN_BETA 0.00112
#define SD_BROKEN_GAMMA 0.00038
#define SD_BROKEN_X_BREAK 4.7e7
#define SD_BROKEN_BETA_ABOVE 0.0100

#define COVERAGE_REPS 200
/* 400 replicates put 10 in each 2.5% tail, enough for a percentile
 * interval.  The coverage check then took 1.5 s on two cores of an AMD EPYC
 * virtual machine. */
#define COVERAGE_BOOTSTRAP 400

static gsl_rng *rng;

static void log_spaced(double *x, int n, double low, double high)
{
	int i;

	for (i = 0; i < n; i++)
		x[i] = low * pow(high / low, i / (n - 1.0));
}

/* Fills y with the law at x times (1 + noise * a standard normal draw). */
static void draw(enum rs_fit_form form, const double *params, const double *x0,
	const double *x1, int n, double noise, unsigned long seed, double *y)
{
	int i;

	gsl_rng_set(rng, seed);
	for (i = 0; i < n; i++) {
		double x[2] = { x0[i], x1 != NULL ? x1[i] : 0.0 };

		y[i] = rs_fit_eval(form, params, x)
			* (1.0 + noise * gsl_ran_gaussian(rng, 1.0));
	}
}

static void init_options(struct rs_fit_options *opt, enum rs_fit_form form)
{
	memset(opt, 0, sizeof *opt);
	opt->form = form;
	opt->n_threads = 2;
}

static int fit(const double *x0, const double *x1, const double *y, int n,
	const struct rs_fit_options *opt, struct rs_fit_result *result)
{
	struct rs_fit_data data = { n, x1 != NULL ? 2 : 1, { x0, x1 }, y };
	struct rs_error err;

	if (rs_fit(&data, opt, result, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Passes when got is within n_sd * sd of want. */
static int near_sd(double got, double want, double sd, const char *name)
{
	return tap_near(got, want, N_SD * sd / fabs(want), "%s", name);
}

static void check_forms(void)
{
	enum rs_fit_form form = RS_N_FORMS;
	struct rs_fit_result zeroed;

	tap_ok(rs_fit_form_parse("power", &form) == 0
		&& form == RS_FORM_POWER, "form power parses");
	tap_ok(rs_fit_form_parse("power_offset", &form) == 0
		&& form == RS_FORM_POWER_OFFSET, "form power_offset parses");
	tap_ok(rs_fit_form_parse("additive", &form) == 0
		&& form == RS_FORM_ADDITIVE, "form additive parses");
	tap_ok(rs_fit_form_parse("broken", &form) == 0
		&& form == RS_FORM_BROKEN, "form broken parses");
	tap_ok(rs_fit_form_parse("cubic", &form) == -1,
		"unknown form is rejected");
	tap_ok(strcmp(rs_fit_param_name(RS_FORM_ADDITIVE, 1), "A") == 0,
		"additive parameter 1 is A");
	tap_ok(strcmp(rs_fit_param_name(RS_FORM_POWER_OFFSET, 3), "x0") == 0,
		"power_offset parameter 3 is x0");
	tap_ok(strcmp(rs_fit_param_name(RS_FORM_BROKEN, 4), "beta_above")
		== 0, "broken parameter 4 is beta_above");
	tap_ok(rs_fit_param_name(RS_FORM_POWER, 3) == NULL,
		"power has no parameter 3");
	memset(&zeroed, 0, sizeof zeroed);
	rs_fit_result_free(&zeroed);
	tap_ok(zeroed.boot == NULL && zeroed.n_boot == 0,
		"zeroed result can be freed");
}

static void check_power(const double *x, const double *y)
{
	struct rs_fit_options opt;
	struct rs_fit_result result;

	init_options(&opt, RS_FORM_POWER);
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &result) == 0,
		"power law fits from the grid");
	near_sd(result.value[0], POWER_ALPHA, SD_POWER_ALPHA,
		"power alpha within 5 SD");
	near_sd(result.value[1], POWER_BETA, SD_POWER_BETA,
		"power beta within 5 SD");
	near_sd(result.value[2], POWER_GAMMA, SD_POWER_GAMMA,
		"power gamma within 5 SD");
	tap_ok(result.n_starts > 1, "power grid tries several starts");
	tap_ok(result.n_starts_at_best >= 1, "power best start is counted");
	/* Every start near the best cost reached the same minimum. */
	tap_ok(result.flatness < 1e-3, "power optimum is not flat");
	/* The covariance SE estimates SD_POWER_BETA from one draw; its
	 * relative error is about 1/sqrt(2 * 27) = 14%. */
	tap_ok(result.stderr_[1] > 0.5 * SD_POWER_BETA
		&& result.stderr_[1] < 2.0 * SD_POWER_BETA,
		"power beta SE near the noise SD");
	/* Log residuals of relative noise 1e-4 have an RMS near 1e-4. */
	tap_ok(result.rmse > 0.5 * NOISE && result.rmse < 2.0 * NOISE,
		"power RMSE near the noise level");
	tap_ok(result.max_abs_rel_residual < 5.0 * NOISE,
		"power max relative residual within 5 SD");
	rs_fit_result_free(&result);

	init_options(&opt, RS_FORM_POWER);
	opt.linear_residuals = 1;
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &result) == 0,
		"power law fits with linear residuals");
	near_sd(result.value[1], POWER_BETA, SD_POWER_BETA,
		"linear-residual beta within 5 SD");
	rs_fit_result_free(&result);
}

/* y = 2 x^-0.3 with gamma fixed at 0: log y = log alpha - beta log x, so
 * SD(beta) = s / sqrt(Sxx) and SD(log alpha) = s sqrt(1/n + mean^2 / Sxx),
 * with mean and Sxx of log x and s = NOISE. */
static void check_pure_power(const double *x)
{
	const double law[3] = { 2.0, 0.3, 0.0 };
	struct rs_fit_options opt;
	struct rs_fit_result result;
	double y[N_POINTS], mean = 0.0, sxx = 0.0, sd_beta, sd_log_alpha;
	int i;

	for (i = 0; i < N_POINTS; i++)
		mean += log(x[i]) / N_POINTS;
	for (i = 0; i < N_POINTS; i++)
		sxx += (log(x[i]) - mean) * (log(x[i]) - mean);
	sd_beta = NOISE / sqrt(sxx);
	sd_log_alpha = NOISE * sqrt(1.0 / N_POINTS + mean * mean / sxx);

	draw(RS_FORM_POWER, law, x, NULL, N_POINTS, NOISE, 45, y);
	init_options(&opt, RS_FORM_POWER);
	opt.fixed_mask = 1u << 2;
	opt.fixed[2] = 0.0;
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &result) == 0,
		"pure power law fits with gamma fixed");
	tap_near(result.value[0], law[0], N_SD * sd_log_alpha,
		"pure power alpha within 5 SD");
	near_sd(result.value[1], law[1], sd_beta,
		"pure power beta within 5 SD");
	tap_ok(result.value[2] == 0.0, "fixed gamma stays 0");
	tap_ok(result.stderr_[2] == 0.0, "fixed gamma has no SE");
	rs_fit_result_free(&result);
}

static void check_additive(void)
{
	const double law[5] = { 0.98, 0.03 * pow(1e8, 0.2), 0.2,
		0.02 * pow(1e10, 0.15), 0.15 };
	double n_params[36], n_samples[36], y[36];
	struct rs_fit_options opt;
	struct rs_fit_result result;
	int a, b, i = 0;

	for (a = 0; a < 6; a++) {
		for (b = 0; b < 6; b++) {
			n_params[i] = 1e6 * pow(1e4, a / 5.0);
			n_samples[i] = 1e8 * pow(1e4, b / 5.0);
			i++;
		}
	}
	draw(RS_FORM_ADDITIVE, law, n_params, n_samples, 36, NOISE, 43, y);
	init_options(&opt, RS_FORM_ADDITIVE);
	tap_ok(fit(n_params, n_samples, y, 36, &opt, &result) == 0,
		"additive law fits from the grid");
	near_sd(result.value[0], law[0], SD_ADD_GAMMA,
		"additive gamma within 5 SD");
	near_sd(result.value[1], law[1], SD_ADD_A, "additive A within 5 SD");
	near_sd(result.value[2], law[2], SD_ADD_LOWER_A,
		"additive a within 5 SD");
	near_sd(result.value[3], law[3], SD_ADD_B, "additive B within 5 SD");
	near_sd(result.value[4], law[4], SD_ADD_LOWER_B,
		"additive b within 5 SD");
	rs_fit_result_free(&result);
}

static void check_broken(const double *x)
{
	const double law[5] = { POWER_ALPHA, 0.1, 0.98, 1e9, 0.4 };
	struct rs_fit_options opt;
	struct rs_fit_result result;
	double y[N_POINTS];

	draw(RS_FORM_BROKEN, law, x, NULL, N_POINTS, NOISE, 44, y);
	init_options(&opt, RS_FORM_BROKEN);
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &result) == 0,
		"broken law fits from the grid");
	near_sd(result.value[0], law[0], SD_BROKEN_ALPHA,
		"broken alpha within 5 SD");
	near_sd(result.value[1], law[1], SD_BROKEN_BETA,
		"broken beta within 5 SD");
	near_sd(result.value[2], law[2], SD_BROKEN_GAMMA,
		"broken gamma within 5 SD");
	near_sd(result.value[3], law[3], SD_BROKEN_X_BREAK,
		"broken x_break within 5 SD");
	near_sd(result.value[4], law[4], SD_BROKEN_BETA_ABOVE,
		"broken beta_above within 5 SD");
	rs_fit_result_free(&result);
}

/* Three runs off by 1%, a hundred times the noise. */
static void check_huber(const double *x, const double *y)
{
	struct rs_fit_options opt;
	struct rs_fit_result clean, ls, huber;
	double dirty[N_POINTS];

	memcpy(dirty, y, sizeof dirty);
	dirty[3] *= 1.01;
	dirty[15] *= 0.99;
	dirty[27] *= 1.01;

	init_options(&opt, RS_FORM_POWER);
	fit(x, NULL, y, N_POINTS, &opt, &clean);
	tap_ok(fit(x, NULL, dirty, N_POINTS, &opt, &ls) == 0,
		"least squares fits data with outliers");
	tap_ok(fabs(ls.value[1] - POWER_BETA) > 10.0 * SD_POWER_BETA,
		"outliers pull least-squares beta");

	opt.huber_delta = 1.345;
	tap_ok(fit(x, NULL, dirty, N_POINTS, &opt, &huber) == 0,
		"Huber fits data with outliers");
	near_sd(huber.value[0], POWER_ALPHA, SD_POWER_ALPHA,
		"Huber alpha within 5 SD");
	near_sd(huber.value[1], POWER_BETA, SD_POWER_BETA,
		"Huber beta within 5 SD");
	near_sd(huber.value[2], POWER_GAMMA, SD_POWER_GAMMA,
		"Huber gamma within 5 SD");
	tap_ok(fabs(huber.value[1] - clean.value[1]) < 2.0 * SD_POWER_BETA,
		"Huber beta near the clean-data fit");
	rs_fit_result_free(&clean);
	rs_fit_result_free(&ls);
	rs_fit_result_free(&huber);
}

static void check_holdout(const double *x)
{
	const double law[3] = { POWER_ALPHA, POWER_BETA, POWER_GAMMA };
	struct rs_fit_options opt;
	struct rs_fit_result plain, held;
	double y[N_POINTS];

	draw(RS_FORM_POWER, law, x, NULL, N_POINTS, 0.0, 1, y);
	init_options(&opt, RS_FORM_POWER);
	fit(x, NULL, y, N_POINTS, &opt, &plain);
	opt.holdout_largest = 5;
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &held) == 0,
		"holdout fit succeeds on clean data");
	tap_ok(held.n_holdout == 5, "holdout counts 5 runs");
	/* Exact data: the law fitted on the 25 smaller runs predicts the 5
	 * largest to rounding error. */
	tap_ok(held.holdout_mean_abs_rel_error < 1e-8,
		"holdout mean error is tiny");
	tap_ok(held.holdout_max_abs_rel_error < 1e-8,
		"holdout max error is tiny");
	tap_ok(memcmp(held.value, plain.value, sizeof held.value) == 0,
		"holdout leaves the main fit unchanged");
	rs_fit_result_free(&plain);
	rs_fit_result_free(&held);
}

static void check_bootstrap(const double *x, const double *y)
{
	const double law[3] = { 2.0, 0.3, 0.0 };
	struct rs_fit_options opt;
	struct rs_fit_result one, two, other;
	double pure[N_POINTS];
	size_t bytes;
	int i, all_zero = 1;

	init_options(&opt, RS_FORM_POWER);
	opt.n_bootstrap = 200;
	opt.seed = 11;
	opt.n_threads = 1;
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &one) == 0,
		"bootstrap on one thread");
	opt.n_threads = 2;
	tap_ok(fit(x, NULL, y, N_POINTS, &opt, &two) == 0,
		"bootstrap on two threads");
	tap_ok(one.n_boot == 200 && two.n_boot == 200,
		"every replicate converges");
	bytes = (size_t)one.n_boot * 3 * sizeof *one.boot;
	tap_ok(one.n_boot == two.n_boot && one.boot != NULL && two.boot != NULL
		&& memcmp(one.boot, two.boot, bytes) == 0,
		"same seed gives the same samples on 1 and 2 threads");
	opt.seed = 12;
	fit(x, NULL, y, N_POINTS, &opt, &other);
	tap_ok(other.n_boot == one.n_boot && other.boot != NULL
		&& memcmp(one.boot, other.boot, bytes) != 0,
		"another seed gives other samples");
	tap_ok(one.stderr_[1] > 0.5 * SD_POWER_BETA
		&& one.stderr_[1] < 2.0 * SD_POWER_BETA,
		"bootstrap beta SE near the noise SD");
	rs_fit_result_free(&one);
	rs_fit_result_free(&two);
	rs_fit_result_free(&other);

	draw(RS_FORM_POWER, law, x, NULL, N_POINTS, NOISE, 46, pure);
	opt.fixed_mask = 1u << 2;
	opt.fixed[2] = 0.0;
	tap_ok(fit(x, NULL, pure, N_POINTS, &opt, &one) == 0,
		"bootstrap with gamma fixed");
	for (i = 0; i < one.n_boot; i++)
		if (one.boot[i * 3 + 2] != 0.0)
			all_zero = 0;
	tap_ok(one.n_boot > 0 && all_zero,
		"fixed gamma is 0 in every sample");
	rs_fit_result_free(&one);
}

/* Over COVERAGE_REPS noise draws, the 95% percentile interval of beta
 * should cover the true value about 95% of the time.  A percentile
 * bootstrap on 30 points covers a little less (about 93% in 1000 draws),
 * so the check requires 90%. */
static void check_coverage(const double *x)
{
	const double law[3] = { POWER_ALPHA, POWER_BETA, POWER_GAMMA };
	const double start[3] = { 0.3, 0.2, 0.95 };
	struct rs_fit_options opt;
	struct rs_fit_result result;
	double y[N_POINTS];
	int rep, n_ok = 0, n_covered = 0;

	for (rep = 0; rep < COVERAGE_REPS; rep++) {
		draw(RS_FORM_POWER, law, x, NULL, N_POINTS, NOISE,
			1000 + (unsigned long)rep, y);
		init_options(&opt, RS_FORM_POWER);
		opt.start = start;
		opt.n_bootstrap = COVERAGE_BOOTSTRAP;
		opt.seed = (uint64_t)rep + 1;
		if (fit(x, NULL, y, N_POINTS, &opt, &result) < 0)
			continue;
		n_ok++;
		if (result.ci_low[1] <= POWER_BETA
		    && POWER_BETA <= result.ci_high[1])
			n_covered++;
		rs_fit_result_free(&result);
	}
	tap_ok(n_ok == COVERAGE_REPS, "every coverage fit succeeds");
	tap_ok(n_covered >= 0.9 * COVERAGE_REPS,
		"bootstrap interval covers beta at least 90%%");
	printf("# beta covered in %d of %d draws\n", n_covered,
		COVERAGE_REPS);
}

/* Fits bad data and checks for -1 and a message containing key. */
static void check_rejected(const double *x, const double *y, int n,
	int linear, const char *key, const char *name)
{
	struct rs_fit_data data = { n, 1, { x, NULL }, y };
	struct rs_fit_options opt;
	struct rs_fit_result result;
	struct rs_error err;

	init_options(&opt, RS_FORM_POWER);
	opt.linear_residuals = linear;
	err.msg[0] = '\0';
	tap_ok(rs_fit(&data, &opt, &result, &err) == -1, "%s is rejected",
		name);
	if (!tap_ok(strstr(err.msg, key) != NULL, "%s message names it", name))
		printf("# message: %s\n", err.msg);
}

static void check_bad_input(const double *x, const double *y)
{
	double bad_x[N_POINTS], bad_y[N_POINTS], flat[N_POINTS];
	const double bad_start[3] = { -1.0, 0.1, 0.98 };
	struct rs_fit_data data = { N_POINTS, 1, { x, NULL }, y };
	struct rs_fit_options opt;
	struct rs_fit_result result;
	struct rs_error err;
	int i;

	check_rejected(x, y, 3, 0, "too few points", "three points");

	memcpy(bad_x, x, sizeof bad_x);
	bad_x[4] = 0.0;
	check_rejected(bad_x, y, N_POINTS, 0, "must be positive", "x of 0");

	memcpy(bad_y, y, sizeof bad_y);
	bad_y[7] = -0.5;
	check_rejected(x, bad_y, N_POINTS, 0, "need positive y",
		"negative y with log residuals");

	bad_y[7] = NAN;
	check_rejected(x, bad_y, N_POINTS, 1, "finite", "NaN y");

	for (i = 0; i < N_POINTS; i++)
		flat[i] = 0.99;
	check_rejected(x, flat, N_POINTS, 0, "constant response",
		"constant y");

	init_options(&opt, RS_FORM_POWER);
	opt.start = bad_start;
	tap_ok(rs_fit(&data, &opt, &result, &err) == -1
		&& strstr(err.msg, "start value -1 of alpha is not positive") != NULL,
		"negative alpha start with log residuals is rejected");
	tap_ok(result.n_params == 0 && result.boot == NULL,
		"failed fit leaves the result empty");

	init_options(&opt, RS_FORM_POWER);
	opt.holdout_largest = N_POINTS - 3;
	tap_ok(rs_fit(&data, &opt, &result, &err) == -1
		&& strstr(err.msg, "hold out at most 26") != NULL,
		"holdout leaving too few points is rejected");
}

int main(void)
{
	const double law[3] = { POWER_ALPHA, POWER_BETA, POWER_GAMMA };
	double x[N_POINTS], y[N_POINTS];

	gsl_set_error_handler_off();
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		return 1;
	log_spaced(x, N_POINTS, 1e7, 1e11);
	draw(RS_FORM_POWER, law, x, NULL, N_POINTS, NOISE, 42, y);

	tap_plan(74);
	check_forms();
	check_power(x, y);
	check_pure_power(x);
	check_additive();
	check_broken(x);
	check_huber(x, y);
	check_holdout(x);
	check_bootstrap(x, y);
	check_coverage(x);
	check_bad_input(x, y);
	gsl_rng_free(rng);
	return tap_done();
}
