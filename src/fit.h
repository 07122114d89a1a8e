/* Fitting scaling laws to measured runs with GSL's nonlinear least squares.
 *
 * Forms, with their parameters in this order (the order of value[] and of
 * the bootstrap samples):
 *
 *   RS_FORM_POWER         y = alpha x^-beta + gamma          alpha beta gamma
 *   RS_FORM_POWER_OFFSET  y = alpha (x + x0)^-beta + gamma   alpha beta gamma x0
 *   RS_FORM_ADDITIVE      y = gamma + A x1^-a + B x2^-b       gamma A a B b
 *   RS_FORM_BROKEN        y = gamma + alpha x^-beta
 *                             * (1 + x / x_break)^-(beta_above - beta)
 *                                                            alpha beta gamma
 *                                                            x_break beta_above
 *
 * The broken form is a smoothly broken power law with one break: exponent
 * beta well below x_break and beta_above well above it.  Parameters are in
 * the raw units of x and y.  Any parameter can be held fixed.
 */
#ifndef RS_FIT_H
#define RS_FIT_H

#include <stdint.h>

#include "error.h"

#define RS_FIT_MAX_PARAMS 5

enum rs_fit_form {
	RS_FORM_POWER,
	RS_FORM_POWER_OFFSET,
	RS_FORM_ADDITIVE,
	RS_FORM_BROKEN,
	RS_N_FORMS
};

struct rs_fit_data {
	int n;			/* points */
	int n_x;		/* 1, or 2 for the additive form */
	const double *x[2];	/* x[0][i], x[1][i]: resources of point i */
	const double *y;	/* response of point i */
};

struct rs_fit_options {
	enum rs_fit_form form;
	unsigned fixed_mask;	/* bit k set: parameter k held at fixed[k] */
	double fixed[RS_FIT_MAX_PARAMS];
	int linear_residuals;	/* 0: residual = log y - log model */
	double huber_delta;	/* 0: least squares; else Huber threshold in
				 * units of the robust residual scale */
	const double *start;	/* NULL: grid of starts; else one start */
	int n_bootstrap;	/* 0: no bootstrap */
	uint64_t seed;
	int n_threads;		/* for the starts and the bootstrap; 0 or 1:
				 * one thread */
	int holdout_largest;	/* fit without the K largest x[0], predict them */
};

struct rs_fit_result {
	int n_params;
	const char *names[RS_FIT_MAX_PARAMS];
	double value[RS_FIT_MAX_PARAMS];
	double stderr_[RS_FIT_MAX_PARAMS];	/* bootstrap SD if bootstrapped,
						 * else from the covariance */
	double ci_low[RS_FIT_MAX_PARAMS];	/* 95%: bootstrap percentiles,
						 * else +-1.96 stderr */
	double ci_high[RS_FIT_MAX_PARAMS];

	double rss;		/* sum of squared residuals, in the residual
				 * space used (log or linear) */
	double rss_linear;	/* sum of squared linear residuals */
	double rmse;		/* sqrt(rss / n), residual space used */
	double max_abs_rel_residual;	/* max |y - model| / |y| */
	int n_starts;		/* starting points tried */
	int n_starts_at_best;	/* starts whose cost is within 1e-6 relative
				 * of the best */
	double flatness;	/* over converged starts with cost within 1%
				 * of the best: the largest (max - min) of
				 * any free parameter, relative to its best
				 * value; near 0: one well-defined minimum */
	int iterations;		/* of the best start */

	int n_boot;		/* bootstrap replicates that converged */
	double *boot;		/* n_boot x n_params, row-major; free with
				 * rs_fit_result_free */

	int n_holdout;
	double holdout_mean_abs_rel_error;	/* predicting the held-out runs */
	double holdout_max_abs_rel_error;
};

/* Number of parameters of form and their names. */
int rs_fit_n_params(enum rs_fit_form form);
const char *rs_fit_param_name(enum rs_fit_form form, int k);
const char *rs_fit_form_name(enum rs_fit_form form);
int rs_fit_form_parse(const char *name, enum rs_fit_form *form);

/* The model value at x (x[1] used by the additive form only). */
double rs_fit_eval(enum rs_fit_form form, const double *params,
	const double *x);

/* Fit data.  Fails (-1 with err) on fewer points than free parameters
 * plus one, a non-positive x or (for log residuals) y, a non-finite value,
 * a constant response, or no convergence from any start.  result is
 * overwritten, and left zeroed on failure.  GSL's default error handler
 * aborts the process, so callers switch it off with
 * gsl_set_error_handler_off() first. */
int rs_fit(const struct rs_fit_data *data, const struct rs_fit_options *opt,
	struct rs_fit_result *result, struct rs_error *err);
void rs_fit_result_free(struct rs_fit_result *result);

#endif
