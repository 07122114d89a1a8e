/* Fitting scaling laws to measured runs; fit.h lists the forms.
 *
 * Every start runs GSL's trust-region Levenberg-Marquardt solver
 * (gsl_multifit_nlinear) with an analytic Jacobian.  Internally x is divided
 * by its geometric mean s and y by its mean |y|, and each coefficient is
 * replaced by the value of its term at x = s, which decorrelates a term's
 * coefficient from its exponent.  With log residuals the free coefficients
 * are fitted as logarithms, so they stay positive.  Results are mapped back
 * to raw units, and covariances with them by the delta method.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "fit.h"

#define MAX_ITERATIONS 1000
/* xtol of gsl_multifit_nlinear_test: stop when every step is below
 * STEP_TOLERANCE relative to its parameter.  The gradient test of that
 * function is absolute while the cost is below 1, and NE residuals are of
 * order 1e-4, so its tolerance is set low enough never to stop early. */
#define STEP_TOLERANCE 1e-10
#define GRADIENT_TOLERANCE 1e-15
/* A claimed minimum is accepted when a full Gauss-Newton step from it would
 * lower the cost by at most DECREMENT_TOLERANCE of the cost.  It is also
 * accepted at the rounding level, where the root mean square residual is
 * below ROUNDING_RESIDUAL in units of the scaled y or of log y. */
#define DECREMENT_TOLERANCE 1e-8
#define ROUNDING_RESIDUAL 1e-12
/* Residual set at every point when a trial step leaves the model's domain,
 * so that the trust region rejects the step.  GSL 2.7 rejects a trial step
 * only when its cost grows or its reduction ratio is <= 0, and both tests
 * are false for a NaN cost, so NaN residuals would be accepted. */
#define DOMAIN_RESIDUAL 1e100
/* Relative size of a pivot of the QR decomposition of J below which
 * gsl_multifit_nlinear_covar treats the column as linearly dependent. */
#define RANK_TOLERANCE 1e-13

#define AT_BEST_RELATIVE 1e-6
#define NEAR_BEST_RELATIVE 1e-2

#define MAD_TO_SD 1.4826	/* median |r| to SD for normal residuals */
#define HUBER_MAX_STEPS 200
#define HUBER_WEIGHT_TOLERANCE 1e-6

#define MAX_THREADS 64

enum param_role {
	ROLE_COEFFICIENT,	/* positive with log residuals, else signed */
	ROLE_EXPONENT,
	ROLE_GAMMA,
	ROLE_OFFSET,		/* x0, added to x[0] */
	ROLE_BREAK		/* x_break, positive */
};

struct param_info {
	const char *name;
	enum param_role role;
	int dim;		/* a coefficient's resource: x[dim] */
	int exponent;		/* index of a coefficient's exponent */
};

struct form_info {
	const char *name;
	int n_params;
	int n_x;
	struct param_info params[RS_FIT_MAX_PARAMS];
};

static const struct form_info form_table[RS_N_FORMS] = {
	[RS_FORM_POWER] = { "power", 3, 1, {
		{ "alpha", ROLE_COEFFICIENT, 0, 1 },
		{ "beta", ROLE_EXPONENT, 0, 0 },
		{ "gamma", ROLE_GAMMA, 0, 0 },
	} },
	[RS_FORM_POWER_OFFSET] = { "power_offset", 4, 1, {
		{ "alpha", ROLE_COEFFICIENT, 0, 1 },
		{ "beta", ROLE_EXPONENT, 0, 0 },
		{ "gamma", ROLE_GAMMA, 0, 0 },
		{ "x0", ROLE_OFFSET, 0, 0 },
	} },
	[RS_FORM_ADDITIVE] = { "additive", 5, 2, {
		{ "gamma", ROLE_GAMMA, 0, 0 },
		{ "A", ROLE_COEFFICIENT, 0, 2 },
		{ "a", ROLE_EXPONENT, 0, 0 },
		{ "B", ROLE_COEFFICIENT, 1, 4 },
		{ "b", ROLE_EXPONENT, 1, 0 },
	} },
	[RS_FORM_BROKEN] = { "broken", 5, 1, {
		{ "alpha", ROLE_COEFFICIENT, 0, 1 },
		{ "beta", ROLE_EXPONENT, 0, 0 },
		{ "gamma", ROLE_GAMMA, 0, 0 },
		{ "x_break", ROLE_BREAK, 0, 0 },
		{ "beta_above", ROLE_EXPONENT, 0, 0 },
	} },
};

/* The scaled data and the parameterisation, shared read-only by every
 * solver.  theta is the internal parameter vector, indexed like the raw
 * parameters:
 *   coefficient  c / y_scale * x_scale^-e, or its log with log residuals
 *   exponent     as raw
 *   gamma        gamma / y_scale
 *   x0           x0 / x_scale[0]
 *   x_break      log(x_break / x_scale[0])
 * A fixed coefficient is never a logarithm, and expand() recomputes it
 * from its raw value whenever its exponent moves. */
struct problem {
	enum rs_fit_form form;
	const struct form_info *info;
	int n;
	int n_free;
	int free_index[RS_FIT_MAX_PARAMS];	/* free j is parameter
						 * free_index[j] */
	unsigned fixed_mask;
	double fixed_raw[RS_FIT_MAX_PARAMS];
	double fixed_theta[RS_FIT_MAX_PARAMS];
	int log_residuals;

	double x_scale[2];	/* geometric mean of x[dim] */
	double log_x_scale[2];
	double y_scale;		/* mean |y| */
	double *log_u[2];	/* log(x[dim][i] / x_scale[dim]) */
	double *u0;		/* x[0][i] / x_scale[0] */
	double *y;		/* y[i] / y_scale */
	double *log_y;		/* log(y[i] / y_scale), log residuals only */
	const struct rs_fit_data *data;
};

/* Parameters of the residual callbacks. */
struct evaluation {
	const struct problem *problem;
	const double *sqrt_weight;	/* NULL: every point has weight 1 */
};

/* One thread's GSL workspace and scratch buffers. */
struct solver {
	const struct problem *problem;
	gsl_multifit_nlinear_workspace *workspace;
	gsl_multifit_nlinear_fdf fdf;
	struct evaluation eval;
	gsl_vector *start;		/* n_free */
	gsl_vector *gradient;		/* n_free */
	gsl_vector *newton_step;	/* n_free */
	gsl_matrix *covariance;		/* n_free x n_free */
	double *sqrt_weight;		/* n: weights of bootstrap and Huber */
	double *count;			/* n: bootstrap multiplicities */
	double *residual_scratch;	/* n: residuals for the median */
	double *huber_factor;		/* n */
	gsl_rng *rng;			/* bootstrap only */
};

struct local_fit {
	int converged;
	int iterations;
	double cost;			/* sum of squared weighted residuals */
	double theta[RS_FIT_MAX_PARAMS];
};

struct fit_context;

typedef void job_fn(struct fit_context *ctx, struct solver *solver, int index);

struct job_queue {
	struct fit_context *ctx;
	job_fn *job;
	int n_jobs;
	atomic_int next;
};

struct worker {
	struct job_queue *queue;
	struct solver *solver;
};

struct fit_context {
	struct problem problem;
	const struct rs_fit_options *opt;
	struct solver solvers[MAX_THREADS];
	int n_solvers;

	double *starts;			/* theta of each start, n_starts x
					 * RS_FIT_MAX_PARAMS */
	int n_starts;
	struct local_fit *local;	/* n_starts */
	const double *start_sqrt_weight;	/* of the multi-start jobs */
	double *holdout_weight;		/* n: 0 for held-out points, else 1 */

	double best_theta[RS_FIT_MAX_PARAMS];	/* bootstrap start */
	double *boot_raw;		/* n_bootstrap x n_params */
	char *boot_ok;			/* n_bootstrap */
};

/* The result of a multi-start fit and, when requested, its Huber
 * refinement. */
struct fit_outcome {
	double theta[RS_FIT_MAX_PARAMS];
	int iterations;
	int n_starts_at_best;
	double flatness;
};

int rs_fit_n_params(enum rs_fit_form form)
{
	if ((unsigned)form >= RS_N_FORMS)
		return 0;
	return form_table[form].n_params;
}

const char *rs_fit_param_name(enum rs_fit_form form, int k)
{
	if ((unsigned)form >= RS_N_FORMS || k < 0
	    || k >= form_table[form].n_params)
		return NULL;
	return form_table[form].params[k].name;
}

const char *rs_fit_form_name(enum rs_fit_form form)
{
	if ((unsigned)form >= RS_N_FORMS)
		return NULL;
	return form_table[form].name;
}

int rs_fit_form_parse(const char *name, enum rs_fit_form *form)
{
	int f;

	for (f = 0; f < RS_N_FORMS; f++) {
		if (strcmp(name, form_table[f].name) == 0) {
			*form = (enum rs_fit_form)f;
			return 0;
		}
	}
	return -1;
}

/* Returns NaN outside the model's domain: x + x0 <= 0, or x_break <= 0. */
double rs_fit_eval(enum rs_fit_form form, const double *params,
	const double *x)
{
	const double *p = params;

	switch (form) {
	case RS_FORM_POWER:
		return p[0] * pow(x[0], -p[1]) + p[2];
	case RS_FORM_POWER_OFFSET:
		if (!(x[0] + p[3] > 0.0))
			return NAN;
		return p[0] * pow(x[0] + p[3], -p[1]) + p[2];
	case RS_FORM_ADDITIVE:
		return p[0] + p[1] * pow(x[0], -p[2]) + p[3] * pow(x[1], -p[4]);
	case RS_FORM_BROKEN:
		if (!(p[3] > 0.0))
			return NAN;
		return p[2] + p[0] * pow(x[0], -p[1])
			* pow(1.0 + x[0] / p[3], -(p[4] - p[1]));
	case RS_N_FORMS:
		break;
	}
	return NAN;
}

/* ---- Parameter transforms ---- */

static int is_fixed(const struct problem *problem, int k)
{
	return (problem->fixed_mask >> k) & 1u;
}

static int coefficient_is_log(const struct problem *problem, int k)
{
	return problem->log_residuals && !is_fixed(problem, k);
}

/* Converts raw parameters to theta.  Returns -1 and sets *bad to the first
 * parameter that has no internal value: a non-positive coefficient with log
 * residuals, a non-positive x_break, or an overflow. */
static int raw_to_theta(const struct problem *problem, const double *raw,
	double *theta, int *bad)
{
	int k;

	for (k = 0; k < problem->info->n_params; k++) {
		const struct param_info *p = &problem->info->params[k];
		double c;

		switch (p->role) {
		case ROLE_COEFFICIENT:
			c = raw[k] / problem->y_scale * exp(-raw[p->exponent]
				* problem->log_x_scale[p->dim]);
			if (coefficient_is_log(problem, k))
				theta[k] = c > 0.0 ? log(c) : NAN;
			else
				theta[k] = c;
			break;
		case ROLE_EXPONENT:
			theta[k] = raw[k];
			break;
		case ROLE_GAMMA:
			theta[k] = raw[k] / problem->y_scale;
			break;
		case ROLE_OFFSET:
			theta[k] = raw[k] / problem->x_scale[0];
			break;
		case ROLE_BREAK:
			theta[k] = raw[k] > 0.0
				? log(raw[k] / problem->x_scale[0]) : NAN;
			break;
		}
		if (!isfinite(theta[k])) {
			*bad = k;
			return -1;
		}
	}
	return 0;
}

static void theta_to_raw(const struct problem *problem, const double *theta,
	double *raw)
{
	int k;

	for (k = 0; k < problem->info->n_params; k++) {
		const struct param_info *p = &problem->info->params[k];
		double c;

		switch (p->role) {
		case ROLE_COEFFICIENT:
			c = coefficient_is_log(problem, k) ? exp(theta[k])
				: theta[k];
			raw[k] = c * problem->y_scale * exp(theta[p->exponent]
				* problem->log_x_scale[p->dim]);
			break;
		case ROLE_EXPONENT:
			raw[k] = theta[k];
			break;
		case ROLE_GAMMA:
			raw[k] = theta[k] * problem->y_scale;
			break;
		case ROLE_OFFSET:
			raw[k] = theta[k] * problem->x_scale[0];
			break;
		case ROLE_BREAK:
			raw[k] = exp(theta[k]) * problem->x_scale[0];
			break;
		}
	}
	for (k = 0; k < problem->info->n_params; k++)
		if (is_fixed(problem, k))
			raw[k] = problem->fixed_raw[k];
}

static int all_finite(const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/* Fills the full theta from the free parameters in v (NULL: keep the free
 * entries of theta) and the fixed values. */
static void expand(const struct problem *problem, const gsl_vector *v,
	double *theta)
{
	int j, k;

	for (j = 0; v != NULL && j < problem->n_free; j++)
		theta[problem->free_index[j]] = gsl_vector_get(v, (size_t)j);
	for (k = 0; k < problem->info->n_params; k++) {
		const struct param_info *p = &problem->info->params[k];

		if (!is_fixed(problem, k))
			continue;
		if (p->role == ROLE_COEFFICIENT)
			theta[k] = problem->fixed_raw[k] / problem->y_scale
				* exp(-theta[p->exponent]
					* problem->log_x_scale[p->dim]);
		else
			theta[k] = problem->fixed_theta[k];
	}
}

/* Fills G, the Jacobian of the free raw parameters with respect to the free
 * entries of theta, for the delta method. */
static void raw_jacobian(const struct problem *problem, const double *theta,
	gsl_matrix *g)
{
	double raw[RS_FIT_MAX_PARAMS];
	int j, l;

	theta_to_raw(problem, theta, raw);
	gsl_matrix_set_zero(g);
	for (j = 0; j < problem->n_free; j++) {
		int k = problem->free_index[j];
		const struct param_info *p = &problem->info->params[k];

		switch (p->role) {
		case ROLE_COEFFICIENT:
			gsl_matrix_set(g, (size_t)j, (size_t)j,
				coefficient_is_log(problem, k) ? raw[k]
				: problem->y_scale * exp(theta[p->exponent]
					* problem->log_x_scale[p->dim]));
			for (l = 0; l < problem->n_free; l++)
				if (problem->free_index[l] == p->exponent)
					gsl_matrix_set(g, (size_t)j, (size_t)l,
						raw[k]
						* problem->log_x_scale[p->dim]);
			break;
		case ROLE_EXPONENT:
			gsl_matrix_set(g, (size_t)j, (size_t)j, 1.0);
			break;
		case ROLE_GAMMA:
			gsl_matrix_set(g, (size_t)j, (size_t)j,
				problem->y_scale);
			break;
		case ROLE_OFFSET:
			gsl_matrix_set(g, (size_t)j, (size_t)j,
				problem->x_scale[0]);
			break;
		case ROLE_BREAK:
			gsl_matrix_set(g, (size_t)j, (size_t)j, raw[k]);
			break;
		}
	}
}

/* ---- Model and residuals in scaled units ---- */

/* Returns the term c u^-e of coefficient k, where log_base = log u, and
 * stores its derivatives with respect to theta[k] and theta[e] in dt. */
static double term(const struct problem *problem, const double *theta, int k,
	double log_base, double dt[2])
{
	const struct param_info *p = &problem->info->params[k];
	double e = theta[p->exponent];
	double power = exp(-e * log_base);
	double t;

	if (coefficient_is_log(problem, k)) {
		t = exp(theta[k] - e * log_base);
		dt[0] = t;
	} else {
		t = theta[k] * power;
		dt[0] = power;
	}
	dt[1] = -t * log_base;
	/* A fixed raw coefficient c makes theta[k] = c s^-e a function of e. */
	if (is_fixed(problem, k))
		dt[1] -= t * problem->log_x_scale[p->dim];
	return t;
}

/* Computes the model at point i in units of y_scale and, when dm is not
 * NULL, its derivatives with respect to theta.  Returns -1 outside the
 * model's domain (x + x0 <= 0) or when the value is not finite. */
static int model_at(const struct problem *problem, const double *theta, int i,
	double *m, double *dm)
{
	double dt[2], d2[2], t, t2, v, log_v, ratio, log_b, factor;

	switch (problem->form) {
	case RS_FORM_POWER:
		t = term(problem, theta, 0, problem->log_u[0][i], dt);
		*m = t + theta[2];
		if (dm != NULL) {
			dm[0] = dt[0];
			dm[1] = dt[1];
			dm[2] = 1.0;
		}
		break;
	case RS_FORM_POWER_OFFSET:
		v = problem->u0[i] + theta[3];
		if (!(v > 0.0))
			return -1;
		log_v = log(v);
		t = term(problem, theta, 0, log_v, dt);
		*m = t + theta[2];
		if (dm != NULL) {
			dm[0] = dt[0];
			dm[1] = dt[1];
			dm[2] = 1.0;
			dm[3] = -theta[1] * t / v;
		}
		break;
	case RS_FORM_ADDITIVE:
		t = term(problem, theta, 1, problem->log_u[0][i], dt);
		t2 = term(problem, theta, 3, problem->log_u[1][i], d2);
		*m = theta[0] + t + t2;
		if (dm != NULL) {
			dm[0] = 1.0;
			dm[1] = dt[0];
			dm[2] = dt[1];
			dm[3] = d2[0];
			dm[4] = d2[1];
		}
		break;
	case RS_FORM_BROKEN:
		/* term * (1 + u / u_break)^-(beta_above - beta), with
		 * theta[3] = log u_break */
		ratio = exp(problem->log_u[0][i] - theta[3]);
		log_b = log1p(ratio);
		t = term(problem, theta, 0, problem->log_u[0][i], dt);
		factor = exp(-(theta[4] - theta[1]) * log_b);
		*m = theta[2] + t * factor;
		if (dm != NULL) {
			dm[0] = dt[0] * factor;
			dm[1] = dt[1] * factor + t * factor * log_b;
			dm[2] = 1.0;
			dm[3] = (theta[4] - theta[1]) * t * factor * ratio
				/ (1.0 + ratio);
			dm[4] = -t * factor * log_b;
		}
		break;
	case RS_N_FORMS:
		return -1;
	}
	return isfinite(*m) ? 0 : -1;
}

/* Computes the unweighted residual of point i in the residual space used
 * (scaled y, or log y).  Returns -1 where the model is undefined. */
static int residual_at(const struct problem *problem, const double *theta,
	int i, double *r)
{
	double m;

	if (model_at(problem, theta, i, &m, NULL) < 0)
		return -1;
	if (problem->log_residuals) {
		if (!(m > 0.0))
			return -1;
		*r = log(m) - problem->log_y[i];
	} else {
		*r = m - problem->y[i];
	}
	return isfinite(*r) ? 0 : -1;
}

static int residual_f(const gsl_vector *v, void *params, gsl_vector *f)
{
	const struct evaluation *evaluation = params;
	const struct problem *problem = evaluation->problem;
	double theta[RS_FIT_MAX_PARAMS], r;
	int i;

	expand(problem, v, theta);
	for (i = 0; i < problem->n; i++) {
		double w = evaluation->sqrt_weight != NULL
			? evaluation->sqrt_weight[i] : 1.0;

		if (w == 0.0) {
			gsl_vector_set(f, (size_t)i, 0.0);
			continue;
		}
		if (residual_at(problem, theta, i, &r) < 0) {
			gsl_vector_set_all(f, DOMAIN_RESIDUAL);
			return GSL_SUCCESS;
		}
		gsl_vector_set(f, (size_t)i, w * r);
	}
	return GSL_SUCCESS;
}

/* GSL evaluates the Jacobian only at accepted points, where residual_f
 * found the model defined; a row is zeroed if that ever fails. */
static int residual_df(const gsl_vector *v, void *params, gsl_matrix *jac)
{
	const struct evaluation *evaluation = params;
	const struct problem *problem = evaluation->problem;
	double theta[RS_FIT_MAX_PARAMS], dm[RS_FIT_MAX_PARAMS], m, scale;
	int i, j;

	expand(problem, v, theta);
	for (i = 0; i < problem->n; i++) {
		double w = evaluation->sqrt_weight != NULL
			? evaluation->sqrt_weight[i] : 1.0;

		if (w == 0.0 || model_at(problem, theta, i, &m, dm) < 0
		    || (problem->log_residuals && !(m > 0.0))) {
			for (j = 0; j < problem->n_free; j++)
				gsl_matrix_set(jac, (size_t)i, (size_t)j, 0.0);
			continue;
		}
		scale = problem->log_residuals ? w / m : w;
		for (j = 0; j < problem->n_free; j++)
			gsl_matrix_set(jac, (size_t)i, (size_t)j,
				scale * dm[problem->free_index[j]]);
	}
	return GSL_SUCCESS;
}

/* ---- One local fit ---- */

static void solver_free(struct solver *solver)
{
	if (solver->workspace != NULL)
		gsl_multifit_nlinear_free(solver->workspace);
	gsl_vector_free(solver->start);
	gsl_vector_free(solver->gradient);
	gsl_vector_free(solver->newton_step);
	gsl_matrix_free(solver->covariance);
	free(solver->sqrt_weight);
	free(solver->count);
	free(solver->residual_scratch);
	free(solver->huber_factor);
	if (solver->rng != NULL)
		gsl_rng_free(solver->rng);
	memset(solver, 0, sizeof *solver);
}

static int solver_init(struct solver *solver, const struct problem *problem,
	int with_rng)
{
	gsl_multifit_nlinear_parameters params =
		gsl_multifit_nlinear_default_parameters();
	size_t n = (size_t)problem->n, p = (size_t)problem->n_free;

	memset(solver, 0, sizeof *solver);
	solver->problem = problem;
	params.trs = gsl_multifit_nlinear_trs_lm;
	solver->workspace = gsl_multifit_nlinear_alloc(
		gsl_multifit_nlinear_trust, &params, n, p);
	solver->start = gsl_vector_alloc(p);
	solver->gradient = gsl_vector_alloc(p);
	solver->newton_step = gsl_vector_alloc(p);
	solver->covariance = gsl_matrix_alloc(p, p);
	solver->sqrt_weight = malloc(n * sizeof *solver->sqrt_weight);
	solver->count = malloc(n * sizeof *solver->count);
	solver->residual_scratch = malloc(n * sizeof *solver->residual_scratch);
	solver->huber_factor = malloc(n * sizeof *solver->huber_factor);
	if (with_rng)
		solver->rng = gsl_rng_alloc(gsl_rng_mt19937);
	solver->eval.problem = problem;
	solver->fdf.f = residual_f;
	solver->fdf.df = residual_df;
	solver->fdf.fvv = NULL;
	solver->fdf.n = n;
	solver->fdf.p = p;
	solver->fdf.params = &solver->eval;
	if (solver->workspace == NULL || solver->start == NULL
	    || solver->gradient == NULL || solver->newton_step == NULL
	    || solver->covariance == NULL || solver->sqrt_weight == NULL
	    || solver->count == NULL || solver->residual_scratch == NULL
	    || solver->huber_factor == NULL
	    || (with_rng && solver->rng == NULL)) {
		solver_free(solver);
		return -1;
	}
	return 0;
}

/* Returns the first weighted point where the model at theta is undefined
 * (or not positive, with log residuals), or -1 if there is none. */
static int first_undefined(const struct problem *problem, const double *theta,
	const double *sqrt_weight)
{
	double r;
	int i;

	for (i = 0; i < problem->n; i++) {
		if (sqrt_weight != NULL && sqrt_weight[i] == 0.0)
			continue;
		if (residual_at(problem, theta, i, &r) < 0)
			return i;
	}
	return -1;
}

/* Verifies a minimum that GSL claims: finite parameters and residuals, and a
 * Gauss-Newton decrement g^T (J^T J)^-1 g, the cost a full Gauss-Newton step
 * would remove, that is negligible next to the cost.  A step test alone also
 * passes where heavy damping makes the steps tiny far from the minimum. */
static int verify_minimum(struct solver *solver, double *cost)
{
	gsl_multifit_nlinear_workspace *workspace = solver->workspace;
	gsl_vector *x = gsl_multifit_nlinear_position(workspace);
	gsl_vector *f = gsl_multifit_nlinear_residual(workspace);
	gsl_matrix *jac = gsl_multifit_nlinear_jac(workspace);
	double fnorm, decrement;
	size_t i;

	for (i = 0; i < x->size; i++)
		if (!isfinite(gsl_vector_get(x, i)))
			return -1;
	fnorm = gsl_blas_dnrm2(f);
	if (!isfinite(fnorm) || fnorm >= DOMAIN_RESIDUAL)
		return -1;
	*cost = fnorm * fnorm;

	/* The gradient g = J^T f, then the step (J^T J)^-1 g. */
	if (gsl_blas_dgemv(CblasTrans, 1.0, jac, f, 0.0, solver->gradient)
		!= GSL_SUCCESS)
		return -1;
	if (gsl_multifit_nlinear_covar(jac, RANK_TOLERANCE,
		solver->covariance) != GSL_SUCCESS)
		return -1;
	if (gsl_blas_dgemv(CblasNoTrans, 1.0, solver->covariance,
		solver->gradient, 0.0, solver->newton_step) != GSL_SUCCESS)
		return -1;
	if (gsl_blas_ddot(solver->gradient, solver->newton_step, &decrement)
		!= GSL_SUCCESS)
		return -1;
	if (!(decrement <= DECREMENT_TOLERANCE * *cost
		+ solver->problem->n * ROUNDING_RESIDUAL * ROUNDING_RESIDUAL))
		return -1;
	return 0;
}

/* Runs the trust-region solver from theta_start with the weights in
 * solver->eval and verifies the minimum it reports.  out->converged is 0 when
 * the start is outside the model's domain, GSL fails, the iteration limit
 * is reached, or the verification fails. */
static void solve_from(struct solver *solver, const double *theta_start,
	struct local_fit *out)
{
	const struct problem *problem = solver->problem;
	double theta[RS_FIT_MAX_PARAMS], raw[RS_FIT_MAX_PARAMS];
	int iter, info, status, j;

	out->converged = 0;
	out->iterations = 0;
	memcpy(theta, theta_start, sizeof theta);
	expand(problem, NULL, theta);
	if (first_undefined(problem, theta, solver->eval.sqrt_weight) >= 0)
		return;
	for (j = 0; j < problem->n_free; j++)
		gsl_vector_set(solver->start, (size_t)j,
			theta[problem->free_index[j]]);
	if (gsl_multifit_nlinear_init(solver->start, &solver->fdf,
		solver->workspace) != GSL_SUCCESS)
		return;

	for (iter = 0; iter < MAX_ITERATIONS; iter++) {
		status = gsl_multifit_nlinear_iterate(solver->workspace);
		/* No step lowers the cost: a minimum if the check below
		 * agrees. */
		if (status == GSL_ENOPROG)
			break;
		if (status != GSL_SUCCESS)
			return;
		status = gsl_multifit_nlinear_test(STEP_TOLERANCE,
			GRADIENT_TOLERANCE, 0.0, &info, solver->workspace);
		if (status == GSL_SUCCESS)
			break;
		if (status != GSL_CONTINUE)
			return;
	}
	if (iter == MAX_ITERATIONS)
		return;
	if (verify_minimum(solver, &out->cost) < 0)
		return;

	expand(problem, gsl_multifit_nlinear_position(solver->workspace),
		out->theta);
	theta_to_raw(problem, out->theta, raw);
	if (!all_finite(raw, problem->info->n_params))
		return;
	out->iterations = (int)gsl_multifit_nlinear_niter(solver->workspace);
	out->converged = 1;
}

/* ---- Threads ---- */

static void run_queue(struct job_queue *queue, struct solver *solver)
{
	int i;

	while ((i = atomic_fetch_add(&queue->next, 1)) < queue->n_jobs)
		queue->job(queue->ctx, solver, i);
}

static void *worker_main(void *arg)
{
	struct worker *worker = arg;

	run_queue(worker->queue, worker->solver);
	return NULL;
}

/* Runs job(ctx, solver, i) for i < n_jobs on up to ctx->n_solvers threads,
 * the calling thread included.  A job's output depends only on i, so the
 * results do not depend on the number of threads.  When a thread cannot be
 * created, the threads that exist take over its jobs. */
static void run_parallel(struct fit_context *ctx, job_fn *job, int n_jobs)
{
	struct job_queue queue;
	struct worker workers[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	int started[MAX_THREADS];
	int t, n_threads = ctx->n_solvers < n_jobs ? ctx->n_solvers : n_jobs;

	queue.ctx = ctx;
	queue.job = job;
	queue.n_jobs = n_jobs;
	atomic_init(&queue.next, 0);
	for (t = 1; t < n_threads; t++) {
		workers[t].queue = &queue;
		workers[t].solver = &ctx->solvers[t];
		started[t] = pthread_create(&threads[t], NULL, worker_main,
			&workers[t]) == 0;
	}
	run_queue(&queue, &ctx->solvers[0]);
	for (t = 1; t < n_threads; t++)
		if (started[t])
			pthread_join(threads[t], NULL);
}

/* ---- Starting points ---- */

/* Fills values with the starting values of parameter k in theta units and
 * returns their count.  Coefficients are magnitudes here, and
 * sign_coefficients gives a signed coefficient its sign. */
static int start_values(const struct problem *problem, int k, int short_lists,
	double *values)
{
	static const double exponents[] = { 0.05, 0.15, 0.5, 1.0, 2.0 };
	static const double exponents_short[] = { 0.1, 0.5, 1.5 };
	static const double magnitudes[] = { 1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0 };
	static const double magnitudes_short[] = { 1e-4, 1e-2, 1.0 };
	const struct param_info *p = &problem->info->params[k];
	double y_min = INFINITY, y_max = -INFINITY, u_min = INFINITY;
	double log_u_min = INFINITY, log_u_max = -INFINITY;
	int i, count = 0;

	for (i = 0; i < problem->n; i++) {
		y_min = fmin(y_min, problem->y[i]);
		y_max = fmax(y_max, problem->y[i]);
		u_min = fmin(u_min, problem->u0[i]);
		log_u_min = fmin(log_u_min, problem->log_u[0][i]);
		log_u_max = fmax(log_u_max, problem->log_u[0][i]);
	}

	switch (p->role) {
	case ROLE_COEFFICIENT:
		count = short_lists ? 3 : 6;
		for (i = 0; i < count; i++) {
			double c = short_lists ? magnitudes_short[i]
				: magnitudes[i];

			values[i] = coefficient_is_log(problem, k) ? log(c) : c;
		}
		break;
	case ROLE_EXPONENT:
		count = short_lists ? 3 : 5;
		for (i = 0; i < count; i++)
			values[i] = short_lists ? exponents_short[i]
				: exponents[i];
		break;
	case ROLE_GAMMA:
		/* Below the smallest y, where a decreasing law levels off. */
		values[count++] = y_min - 0.1 * (y_max - y_min);
		values[count++] = y_min - (y_max - y_min);
		values[count++] = 0.0;
		break;
	case ROLE_OFFSET:
		values[count++] = 0.0;
		values[count++] = u_min;
		values[count++] = 10.0 * u_min;
		break;
	case ROLE_BREAK:
		for (i = 1; i <= 3; i++)
			values[count++] = log_u_min
				+ 0.25 * i * (log_u_max - log_u_min);
		break;
	}
	return count;
}

/* Gives each signed (linear) free coefficient of a start the sign of
 * mean y - gamma, so that the law starts on the side of gamma where the
 * data lie. */
static void sign_coefficients(const struct problem *problem, double *theta)
{
	double y_mean = 0.0, gamma;
	int i, k, gamma_index = problem->form == RS_FORM_ADDITIVE ? 0 : 2;

	for (i = 0; i < problem->n; i++)
		y_mean += problem->y[i];
	y_mean /= problem->n;
	gamma = is_fixed(problem, gamma_index)
		? problem->fixed_theta[gamma_index]
		: theta[gamma_index];
	for (k = 0; k < problem->info->n_params; k++)
		if (problem->info->params[k].role == ROLE_COEFFICIENT
		    && !is_fixed(problem, k) && !coefficient_is_log(problem, k)
		    && y_mean < gamma)
			theta[k] = -theta[k];
}

/* Builds the grid of starts: every combination of the start values of the
 * free parameters, with shorter lists when more than three are free.
 * Returns the number of starts, or -1 when out of memory. */
static int make_grid(struct fit_context *ctx)
{
	const struct problem *problem = &ctx->problem;
	double values[RS_FIT_MAX_PARAMS][8];
	int count[RS_FIT_MAX_PARAMS], digit[RS_FIT_MAX_PARAMS];
	int short_lists = problem->n_free > 3, total = 1, i, j;

	for (j = 0; j < problem->n_free; j++) {
		count[j] = start_values(problem, problem->free_index[j],
			short_lists, values[j]);
		total *= count[j];
		digit[j] = 0;
	}
	ctx->starts = malloc((size_t)total * RS_FIT_MAX_PARAMS
		* sizeof *ctx->starts);
	if (ctx->starts == NULL)
		return -1;
	for (i = 0; i < total; i++) {
		double *theta = &ctx->starts[i * RS_FIT_MAX_PARAMS];

		memcpy(theta, problem->fixed_theta,
			sizeof problem->fixed_theta);
		for (j = 0; j < problem->n_free; j++)
			theta[problem->free_index[j]] = values[j][digit[j]];
		sign_coefficients(problem, theta);
		for (j = 0; j < problem->n_free; j++) {
			if (++digit[j] < count[j])
				break;
			digit[j] = 0;
		}
	}
	ctx->n_starts = total;
	return total;
}

/* Fills err with why start value k has no internal value. */
static int start_error(const struct problem *problem, const double *start,
	int k, struct rs_error *err)
{
	const char *name = problem->info->params[k].name;

	if (problem->info->params[k].role == ROLE_COEFFICIENT
	    && !(start[k] > 0.0))
		return rs_fail(err, "start value %g of %s is not positive, but "
			"log residuals keep coefficients positive; give %s > 0 "
			"or use --residuals linear", start[k], name, name);
	if (problem->info->params[k].role == ROLE_BREAK)
		return rs_fail(err, "start value %g of x_break is not "
			"positive; give x_break > 0", start[k]);
	return rs_fail(err, "start value %g of %s overflows with the start's "
		"exponents at the data's scale of x; give a start nearer the "
		"data", start[k], name);
}

/* Sets the one start the caller gave, after checking it. */
static int make_given_start(struct fit_context *ctx, const double *raw,
	struct rs_error *err)
{
	const struct problem *problem = &ctx->problem;
	double start[RS_FIT_MAX_PARAMS];
	int k, bad, point;

	for (k = 0; k < problem->info->n_params; k++) {
		start[k] = is_fixed(problem, k) ? problem->fixed_raw[k]
			: raw[k];
		if (!isfinite(start[k]))
			return rs_fail(err, "start value %g of %s is not "
				"finite; give finite start values", start[k],
				problem->info->params[k].name);
	}
	ctx->starts = malloc(RS_FIT_MAX_PARAMS * sizeof *ctx->starts);
	if (ctx->starts == NULL)
		return rs_fail(err, "out of memory for the fit's start");
	ctx->n_starts = 1;
	if (raw_to_theta(problem, start, ctx->starts, &bad) < 0)
		return start_error(problem, start, bad, err);
	expand(problem, NULL, ctx->starts);
	point = first_undefined(problem, ctx->starts, NULL);
	if (point >= 0)
		return rs_fail(err, "the start gives an undefined%s model "
			"value at point %d of %d; give a start where x + x0 > 0"
			"%s", problem->log_residuals ? " or non-positive" : "",
			point + 1, problem->n,
			problem->log_residuals
			? " and the model is positive" : "");
	return 0;
}

/* ---- Multi-start fit and Huber refinement ---- */

static void start_job(struct fit_context *ctx, struct solver *solver, int index)
{
	solver->eval.sqrt_weight = ctx->start_sqrt_weight;
	solve_from(solver, &ctx->starts[index * RS_FIT_MAX_PARAMS],
		&ctx->local[index]);
}

/* Returns the flatness of the minimum: among the converged starts whose
 * cost is within 1% of the best, the largest spread (max - min) of any free
 * parameter in raw units, relative to its magnitude at the best start.
 * Near 0, every good start found the same parameters.  Near 1 or above, the
 * cost is flat along a ridge, typically where a term's coefficient and
 * exponent trade off. */
static double flatness_near(const struct fit_context *ctx, int best)
{
	const struct problem *problem = &ctx->problem;
	double raw[RS_FIT_MAX_PARAMS], best_raw[RS_FIT_MAX_PARAMS];
	double low[RS_FIT_MAX_PARAMS], high[RS_FIT_MAX_PARAMS];
	double limit = ctx->local[best].cost * (1.0 + NEAR_BEST_RELATIVE);
	double flatness = 0.0;
	int i, j;

	theta_to_raw(problem, ctx->local[best].theta, best_raw);
	memcpy(low, best_raw, sizeof low);
	memcpy(high, best_raw, sizeof high);
	for (i = 0; i < ctx->n_starts; i++) {
		if (!ctx->local[i].converged || ctx->local[i].cost > limit)
			continue;
		theta_to_raw(problem, ctx->local[i].theta, raw);
		for (j = 0; j < problem->n_free; j++) {
			int k = problem->free_index[j];

			low[k] = fmin(low[k], raw[k]);
			high[k] = fmax(high[k], raw[k]);
		}
	}
	for (j = 0; j < problem->n_free; j++) {
		int k = problem->free_index[j];
		double scale = fabs(best_raw[k]);
		double spread = high[k] - low[k];

		if (spread == 0.0)
			continue;
		if (scale == 0.0)
			scale = fmax(fabs(low[k]), fabs(high[k]));
		flatness = fmax(flatness, spread / scale);
	}
	return flatness;
}

/* Returns the robust residual scale, 1.4826 times the median absolute
 * residual, where point i counts weight[i] times (NULL: once).  Weights
 * are whole numbers: bootstrap counts or 0/1 holdout masks, summing to at
 * most n, the size of work. */
static double robust_scale(const struct problem *problem, const double *theta,
	const double *weight, double *work)
{
	double r;
	int i, c, m = 0;

	for (i = 0; i < problem->n; i++) {
		int copies = weight != NULL ? (int)weight[i] : 1;

		if (copies == 0)
			continue;
		if (residual_at(problem, theta, i, &r) < 0)
			return NAN;
		for (c = 0; c < copies && m < problem->n; c++)
			work[m++] = fabs(r);
	}
	gsl_sort(work, 1, (size_t)m);
	return MAD_TO_SD * gsl_stats_median_from_sorted_data(work, 1,
		(size_t)m);
}

/* Fills solver->huber_factor with min(1, threshold / |r_i|) at theta and
 * returns the largest change from the previous factors. */
static double update_huber_factors(struct solver *solver, const double *theta,
	double threshold)
{
	const struct problem *problem = solver->problem;
	double r, factor, change = 0.0;
	int i;

	for (i = 0; i < problem->n; i++) {
		if (residual_at(problem, theta, i, &r) < 0)
			factor = 0.0;
		else
			factor = fabs(r) <= threshold ? 1.0
				: threshold / fabs(r);
		change = fmax(change, fabs(factor - solver->huber_factor[i]));
		solver->huber_factor[i] = factor;
	}
	return change;
}

/* Minimises the Huber loss from theta, which it updates, by iteratively
 * reweighted least squares.  weight contains the base weights (NULL: 1).  The
 * threshold is delta times the robust scale of the residuals at theta
 * (the least-squares fit, for the main fit) and is re-estimated after every
 * refit: a scale frozen at the least-squares fit stays inflated by the
 * outliers it should discount.  Stops when no Huber factor changes by more
 * than HUBER_WEIGHT_TOLERANCE.  Returns -1 if a refit fails or the factors
 * do not settle within HUBER_MAX_STEPS refits. */
static int huber_refine(struct solver *solver, const double *weight,
	double delta, double *theta)
{
	const struct problem *problem = solver->problem;
	struct local_fit fit;
	double scale = robust_scale(problem, theta, weight,
		solver->residual_scratch);
	int step, i;

	/* An exact fit at most points: every Huber weight would be 1. */
	if (!(scale > ROUNDING_RESIDUAL))
		return isnan(scale) ? -1 : 0;
	for (i = 0; i < problem->n; i++)
		solver->huber_factor[i] = 1.0;
	update_huber_factors(solver, theta, delta * scale);
	for (step = 0; step < HUBER_MAX_STEPS; step++) {
		double change, next;

		for (i = 0; i < problem->n; i++)
			solver->sqrt_weight[i] = sqrt((weight ? weight[i] : 1.0)
				* solver->huber_factor[i]);
		solver->eval.sqrt_weight = solver->sqrt_weight;
		solve_from(solver, theta, &fit);
		if (!fit.converged)
			return -1;
		memcpy(theta, fit.theta, sizeof fit.theta);

		/* Keep the last scale once the majority is fitted exactly. */
		next = robust_scale(problem, theta, weight,
			solver->residual_scratch);
		if (isnan(next))
			return -1;
		if (next > ROUNDING_RESIDUAL)
			scale = next;
		change = update_huber_factors(solver, theta, delta * scale);
		if (change <= HUBER_WEIGHT_TOLERANCE)
			return 0;
	}
	return -1;
}

/* Fits from every start with the weights in weight (NULL: all 1; else 0 or
 * 1), keeps the start of lowest cost, and refines it under the Huber loss
 * when requested.  On return solvers[0] contains the weights of the final
 * fit. */
static int fit_from_starts(struct fit_context *ctx, double *weight,
	struct fit_outcome *out, struct rs_error *err)
{
	struct solver *main_solver = &ctx->solvers[0];
	double limit;
	int i, best = -1;

	ctx->start_sqrt_weight = weight;
	run_parallel(ctx, start_job, ctx->n_starts);
	for (i = 0; i < ctx->n_starts; i++)
		if (ctx->local[i].converged
		    && (best < 0 || ctx->local[i].cost < ctx->local[best].cost))
			best = i;
	if (best < 0)
		return rs_fail(err, "no convergence from %d starting point%s: "
			"the best fit may lie where an exponent goes to 0 and a "
			"coefficient grows without bound, as an outlier or a "
			"curve that is not a power law can cause; check the "
			"runs, fix a parameter (e.g. --fix gamma=...) or give "
			"more runs", ctx->n_starts, ctx->n_starts == 1 ? "" : "s");

	limit = ctx->local[best].cost * (1.0 + AT_BEST_RELATIVE);
	out->n_starts_at_best = 0;
	for (i = 0; i < ctx->n_starts; i++)
		if (ctx->local[i].converged && ctx->local[i].cost <= limit)
			out->n_starts_at_best++;
	out->flatness = flatness_near(ctx, best);
	out->iterations = ctx->local[best].iterations;
	memcpy(out->theta, ctx->local[best].theta, sizeof out->theta);
	main_solver->eval.sqrt_weight = weight;
	if (ctx->opt->huber_delta == 0.0)
		return 0;
	if (huber_refine(main_solver, weight, ctx->opt->huber_delta,
		out->theta) < 0)
		return rs_fail(err, "the Huber refit from the least-squares "
			"fit failed to converge within %d reweighting steps; "
			"try a larger Huber delta or --loss ls",
			HUBER_MAX_STEPS);
	return 0;
}

/* ---- Uncertainty ---- */

/* Fills stderr_ and the 95% intervals from the covariance at theta with the
 * weights in solvers[0], scaled by the weighted rss / (n - free
 * parameters) and mapped to raw units by the delta method.  A parameter in
 * a direction the data do not determine (a dropped column of J) gets an
 * infinite standard error.
 * NOTE: under the Huber loss this treats the final IRLS weights as known,
 * not the sandwich estimator, so the errors are approximate. */
static int covariance_errors(struct fit_context *ctx, const double *theta,
	struct rs_fit_result *result, struct rs_error *err)
{
	const struct problem *problem = &ctx->problem;
	struct solver *solver = &ctx->solvers[0];
	size_t p = (size_t)problem->n_free;
	gsl_matrix *g = gsl_matrix_alloc(p, p), *tmp = gsl_matrix_alloc(p, p);
	gsl_matrix *cov_raw = gsl_matrix_alloc(p, p);
	double fnorm, variance;
	int i, j, n_used = 0, status = -1;

	if (g == NULL || tmp == NULL || cov_raw == NULL) {
		rs_fail(err, "out of memory for the covariance of %d "
			"parameters", problem->n_free);
		goto out;
	}
	for (j = 0; j < problem->n_free; j++)
		gsl_vector_set(solver->start, (size_t)j,
			theta[problem->free_index[j]]);
	if (gsl_multifit_nlinear_init(solver->start, &solver->fdf,
		solver->workspace) != GSL_SUCCESS
	    || gsl_multifit_nlinear_covar(
		gsl_multifit_nlinear_jac(solver->workspace), RANK_TOLERANCE,
		solver->covariance) != GSL_SUCCESS) {
		rs_fail(err, "GSL failed to compute the covariance at the "
			"fitted parameters; use --bootstrap for standard "
			"errors");
		goto out;
	}
	for (i = 0; i < problem->n; i++)
		if (solver->eval.sqrt_weight == NULL
		    || solver->eval.sqrt_weight[i] > 0.0)
			n_used++;
	fnorm = gsl_blas_dnrm2(gsl_multifit_nlinear_residual(
		solver->workspace));
	variance = fnorm * fnorm / (n_used - problem->n_free);

	raw_jacobian(problem, theta, g);
	/* cov_raw = G C G^T */
	if (gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, g,
		solver->covariance, 0.0, tmp) != GSL_SUCCESS
	    || gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, tmp, g, 0.0,
		cov_raw) != GSL_SUCCESS) {
		rs_fail(err, "GSL failed to map the covariance to raw units");
		goto out;
	}
	for (j = 0; j < problem->n_free; j++) {
		int k = problem->free_index[j];
		double internal = gsl_matrix_get(solver->covariance, (size_t)j,
			(size_t)j);
		double se = sqrt(variance * gsl_matrix_get(cov_raw, (size_t)j,
			(size_t)j));

		if (internal == 0.0)
			se = INFINITY;
		result->stderr_[k] = se;
		result->ci_low[k] = result->value[k] - 1.96 * se;
		result->ci_high[k] = result->value[k] + 1.96 * se;
	}
	status = 0;
out:
	gsl_matrix_free(g);
	gsl_matrix_free(tmp);
	gsl_matrix_free(cov_raw);
	return status;
}

/* Returns the 32-bit seed of bootstrap replicate i, a function of (seed, i)
 * alone so the samples do not depend on which thread runs the replicate.
 * mt19937 keeps only 32 bits of its seed, and i times an odd constant
 * modulo 2^32 makes the seeds of one bootstrap distinct for every i. */
static unsigned long replicate_seed(uint64_t seed, int i)
{
	uint32_t base = (uint32_t)(seed ^ (seed >> 32));

	return (unsigned long)(uint32_t)(base + (uint32_t)i * 0x9e3779b9u);
}

static void bootstrap_job(struct fit_context *ctx, struct solver *solver,
	int index)
{
	const struct problem *problem = &ctx->problem;
	struct local_fit fit;
	double theta[RS_FIT_MAX_PARAMS];
	int i, n_distinct = 0;

	ctx->boot_ok[index] = 0;
	gsl_rng_set(solver->rng, replicate_seed(ctx->opt->seed, index));
	for (i = 0; i < problem->n; i++)
		solver->count[i] = 0.0;
	for (i = 0; i < problem->n; i++) {
		unsigned long pick = gsl_rng_uniform_int(solver->rng,
			(unsigned long)problem->n);

		solver->count[pick] += 1.0;
	}
	for (i = 0; i < problem->n; i++)
		if (solver->count[i] > 0.0)
			n_distinct++;
	/* Too few distinct points leave the parameters undetermined. */
	if (n_distinct < problem->n_free + 1)
		return;

	memcpy(theta, ctx->best_theta, sizeof theta);
	if (ctx->opt->huber_delta > 0.0) {
		if (huber_refine(solver, solver->count, ctx->opt->huber_delta,
			theta) < 0)
			return;
	} else {
		for (i = 0; i < problem->n; i++)
			solver->sqrt_weight[i] = sqrt(solver->count[i]);
		solver->eval.sqrt_weight = solver->sqrt_weight;
		solve_from(solver, theta, &fit);
		if (!fit.converged)
			return;
		memcpy(theta, fit.theta, sizeof theta);
	}
	theta_to_raw(problem, theta,
		&ctx->boot_raw[index * problem->info->n_params]);
	ctx->boot_ok[index] = 1;
}

/* Resamples the points with replacement n_bootstrap times, refits each
 * resample from the best estimate, and fills result->boot with the
 * replicates that converged, in replicate order, and the standard errors
 * and percentile intervals from them.
 * NOTE: with 30 points the 95% percentile interval of a power-law exponent
 * covered the true value in about 93% of 1000 simulated data sets. */
static int bootstrap(struct fit_context *ctx, struct rs_fit_result *result,
	struct rs_error *err)
{
	const struct problem *problem = &ctx->problem;
	int n_rep = ctx->opt->n_bootstrap, n_params = problem->info->n_params;
	int r, k, m = 0;
	double *column;

	ctx->boot_raw = malloc((size_t)n_rep * (size_t)n_params
		* sizeof *ctx->boot_raw);
	ctx->boot_ok = malloc((size_t)n_rep);
	if (ctx->boot_raw == NULL || ctx->boot_ok == NULL)
		return rs_fail(err, "out of memory for %d bootstrap "
			"replicates; give a smaller bootstrap count", n_rep);
	run_parallel(ctx, bootstrap_job, n_rep);

	for (r = 0; r < n_rep; r++)
		if (ctx->boot_ok[r])
			m++;
	if (m < 2)
		return rs_fail(err, "only %d of %d bootstrap replicates "
			"converged; give more runs or fix a parameter", m,
			n_rep);
	result->boot = malloc((size_t)m * (size_t)n_params
		* sizeof *result->boot);
	column = malloc((size_t)m * sizeof *column);
	if (result->boot == NULL || column == NULL) {
		free(column);
		return rs_fail(err, "out of memory for %d bootstrap samples",
			m);
	}
	result->n_boot = m;
	m = 0;
	for (r = 0; r < n_rep; r++) {
		if (!ctx->boot_ok[r])
			continue;
		memcpy(&result->boot[m * n_params],
			&ctx->boot_raw[r * n_params],
			(size_t)n_params * sizeof *result->boot);
		m++;
	}

	for (k = 0; k < n_params; k++) {
		for (r = 0; r < m; r++)
			column[r] = result->boot[r * n_params + k];
		gsl_sort(column, 1, (size_t)m);
		result->stderr_[k] = gsl_stats_sd(column, 1, (size_t)m);
		result->ci_low[k] = gsl_stats_quantile_from_sorted_data(column,
			1, (size_t)m, 0.025);
		result->ci_high[k] = gsl_stats_quantile_from_sorted_data(
			column, 1, (size_t)m, 0.975);
	}
	free(column);
	return 0;
}

/* ---- Held-out check ---- */

static void point_x(const struct problem *problem, int i, double x[2])
{
	x[0] = problem->data->x[0][i];
	x[1] = problem->info->n_x > 1 ? problem->data->x[1][i] : 0.0;
}

struct ranked_point {
	double x;
	int index;
};

static int by_x_descending(const void *a, const void *b)
{
	const struct ranked_point *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? 1 : -1;
	return p->index < q->index ? 1 : -1;
}

/* Fits without the K runs of largest x[0] (ties: the later point first),
 * from the same starts, and stores the relative errors of predicting them.
 * The main fit is not changed. */
static int holdout(struct fit_context *ctx, struct rs_fit_result *result,
	struct rs_error *err)
{
	const struct problem *problem = &ctx->problem;
	const struct rs_fit_data *data = problem->data;
	int n_holdout = ctx->opt->holdout_largest, i;
	struct ranked_point *rank = malloc((size_t)problem->n * sizeof *rank);
	struct fit_outcome outcome;
	double raw[RS_FIT_MAX_PARAMS], sum = 0.0, max = 0.0;

	ctx->holdout_weight = malloc((size_t)problem->n
		* sizeof *ctx->holdout_weight);
	if (rank == NULL || ctx->holdout_weight == NULL) {
		free(rank);
		return rs_fail(err, "out of memory for the holdout fit");
	}
	for (i = 0; i < problem->n; i++) {
		rank[i].x = data->x[0][i];
		rank[i].index = i;
		ctx->holdout_weight[i] = 1.0;
	}
	qsort(rank, (size_t)problem->n, sizeof *rank, by_x_descending);
	for (i = 0; i < n_holdout; i++)
		ctx->holdout_weight[rank[i].index] = 0.0;
	free(rank);

	if (fit_from_starts(ctx, ctx->holdout_weight, &outcome, err) < 0) {
		char reason[RS_ERROR_MAX];

		snprintf(reason, sizeof reason, "%s", err ? err->msg : "");
		return rs_fail(err, "holdout fit without the %d largest runs: "
			"%s", n_holdout, reason);
	}
	theta_to_raw(problem, outcome.theta, raw);
	for (i = 0; i < problem->n; i++) {
		double x[2], prediction, error;

		if (ctx->holdout_weight[i] != 0.0)
			continue;
		point_x(problem, i, x);
		prediction = rs_fit_eval(problem->form, raw, x);
		error = fabs(prediction - data->y[i]) / fabs(data->y[i]);
		if (!isfinite(error))
			error = INFINITY;
		sum += error;
		max = fmax(max, error);
	}
	result->n_holdout = n_holdout;
	result->holdout_mean_abs_rel_error = sum / n_holdout;
	result->holdout_max_abs_rel_error = max;
	return 0;
}

/* ---- Input checks ---- */

static int check_options(const struct rs_fit_data *data,
	const struct rs_fit_options *opt, struct rs_error *err)
{
	const struct form_info *info;
	int k, n_free = 0;

	if ((unsigned)opt->form >= RS_N_FORMS)
		return rs_fail(err, "unknown fit form %d; use power, "
			"power_offset, additive or broken", (int)opt->form);
	info = &form_table[opt->form];
	if (opt->fixed_mask >> info->n_params != 0)
		return rs_fail(err, "fixed_mask 0x%x names parameters beyond "
			"the %d of the %s form; fix only its parameters",
			opt->fixed_mask, info->n_params, info->name);
	for (k = 0; k < info->n_params; k++) {
		if (!((opt->fixed_mask >> k) & 1u)) {
			n_free++;
			continue;
		}
		if (!isfinite(opt->fixed[k]))
			return rs_fail(err, "fixed value %g of %s is not "
				"finite; give a finite value", opt->fixed[k],
				info->params[k].name);
		if (info->params[k].role == ROLE_BREAK && !(opt->fixed[k] > 0))
			return rs_fail(err, "fixed value %g of x_break is not "
				"positive; give x_break > 0", opt->fixed[k]);
	}
	if (n_free == 0)
		return rs_fail(err, "every parameter of the %s form is fixed, "
			"so there is nothing to fit; free at least one",
			info->name);
	if (!(opt->huber_delta >= 0.0) || !isfinite(opt->huber_delta))
		return rs_fail(err, "Huber delta %g is invalid; give 0 for "
			"least squares or a positive multiple of the robust "
			"residual scale", opt->huber_delta);
	if (opt->n_bootstrap < 0)
		return rs_fail(err, "bootstrap count %d is negative; give 0 "
			"for none or a positive count", opt->n_bootstrap);
	if (opt->n_threads < 0)
		return rs_fail(err, "thread count %d is negative; give 1 or "
			"more", opt->n_threads);
	if (data == NULL || data->y == NULL || data->x[0] == NULL
	    || data->n < 1)
		return rs_fail(err, "no points to fit; give at least %d runs",
			n_free + 1);
	if (info->n_x == 2 && (data->n_x < 2 || data->x[1] == NULL))
		return rs_fail(err, "the additive form needs two resources "
			"per point but the data have %d; give two x columns",
			data->n_x);
	if (data->n < n_free + 1)
		return rs_fail(err, "too few points: %d point%s for %d free "
			"parameters; give at least %d runs or fix a parameter",
			data->n, data->n == 1 ? "" : "s", n_free, n_free + 1);
	if (opt->holdout_largest < 0)
		return rs_fail(err, "holdout count %d is negative; give 0 for "
			"none or a positive count", opt->holdout_largest);
	if (data->n - opt->holdout_largest < n_free + 1)
		return rs_fail(err, "holdout of %d largest runs leaves %d of "
			"%d points for %d free parameters; hold out at most %d",
			opt->holdout_largest, data->n - opt->holdout_largest,
			data->n, n_free, data->n - n_free - 1);
	return 0;
}

static int check_data(const struct rs_fit_data *data,
	const struct rs_fit_options *opt, struct rs_error *err)
{
	static const char *const x_names[2][2] = { { "x" }, { "x1", "x2" } };
	int n_x = form_table[opt->form].n_x, i, d;

	for (i = 0; i < data->n; i++) {
		for (d = 0; d < n_x; d++) {
			const char *name = x_names[n_x - 1][d];
			double x = data->x[d][i];

			if (!isfinite(x))
				return rs_fail(err, "%s of point %d of %d is "
					"%g; every x and y must be a finite "
					"number, so fix or remove that run",
					name, i + 1, data->n, x);
			if (!(x > 0.0))
				return rs_fail(err, "%s of point %d of %d is "
					"%g, but resources must be positive; "
					"fix or remove that run", name, i + 1,
					data->n, x);
		}
		if (!isfinite(data->y[i]))
			return rs_fail(err, "y of point %d of %d is %g; "
				"every x and y must be a finite number, so "
				"fix or remove that run", i + 1, data->n,
				data->y[i]);
		if (!opt->linear_residuals && !(data->y[i] > 0.0))
			return rs_fail(err, "y of point %d of %d is %g, but "
				"log residuals need positive y; fix that run "
				"or use --residuals linear", i + 1, data->n,
				data->y[i]);
	}
	for (i = 1; i < data->n; i++)
		if (data->y[i] != data->y[0])
			return 0;
	return rs_fail(err, "every y equals %g, and a constant response "
		"cannot determine the law's parameters; check the y column",
		data->y[0]);
}

/* ---- Set-up and the fit ---- */

static void context_free(struct fit_context *ctx)
{
	int t, d;

	for (t = 0; t < ctx->n_solvers; t++)
		solver_free(&ctx->solvers[t]);
	for (d = 0; d < 2; d++)
		free(ctx->problem.log_u[d]);
	free(ctx->problem.u0);
	free(ctx->problem.y);
	free(ctx->problem.log_y);
	free(ctx->starts);
	free(ctx->local);
	free(ctx->holdout_weight);
	free(ctx->boot_raw);
	free(ctx->boot_ok);
}

/* Scales the data and records the parameterisation in ctx->problem. */
static int problem_init(struct fit_context *ctx,
	const struct rs_fit_data *data, const struct rs_fit_options *opt,
	struct rs_error *err)
{
	struct problem *problem = &ctx->problem;
	size_t n = (size_t)data->n;
	int i, d, k;

	problem->form = opt->form;
	problem->info = &form_table[opt->form];
	problem->n = data->n;
	problem->data = data;
	problem->fixed_mask = opt->fixed_mask;
	problem->log_residuals = !opt->linear_residuals;
	for (k = 0; k < problem->info->n_params; k++) {
		if (is_fixed(problem, k))
			problem->fixed_raw[k] = opt->fixed[k];
		else
			problem->free_index[problem->n_free++] = k;
	}

	problem->u0 = malloc(n * sizeof *problem->u0);
	problem->y = malloc(n * sizeof *problem->y);
	problem->log_y = malloc(n * sizeof *problem->log_y);
	for (d = 0; d < 2; d++)
		problem->log_u[d] = malloc(n * sizeof *problem->log_u[d]);
	if (problem->u0 == NULL || problem->y == NULL || problem->log_y == NULL
	    || problem->log_u[0] == NULL || problem->log_u[1] == NULL)
		return rs_fail(err, "out of memory for %d points", data->n);

	for (d = 0; d < 2; d++) {
		double sum = 0.0;

		for (i = 0; d < problem->info->n_x && i < data->n; i++)
			sum += log(data->x[d][i]);
		problem->log_x_scale[d] = d < problem->info->n_x
			? sum / data->n : 0.0;
		problem->x_scale[d] = exp(problem->log_x_scale[d]);
		for (i = 0; i < data->n; i++)
			problem->log_u[d][i] = d < problem->info->n_x
				? log(data->x[d][i]) - problem->log_x_scale[d]
				: 0.0;
	}
	problem->y_scale = 0.0;
	for (i = 0; i < data->n; i++)
		problem->y_scale += fabs(data->y[i]) / data->n;
	for (i = 0; i < data->n; i++) {
		problem->u0[i] = data->x[0][i] / problem->x_scale[0];
		problem->y[i] = data->y[i] / problem->y_scale;
		problem->log_y[i] = problem->log_residuals
			? log(problem->y[i]) : 0.0;
	}

	/* A fixed coefficient's theta moves with its exponent, so expand()
	 * computes it; every other fixed parameter has a constant theta. */
	for (k = 0; k < problem->info->n_params; k++) {
		double raw = problem->fixed_raw[k];

		if (!is_fixed(problem, k))
			continue;
		switch (problem->info->params[k].role) {
		case ROLE_COEFFICIENT:
		case ROLE_EXPONENT:
			problem->fixed_theta[k] = raw;
			break;
		case ROLE_GAMMA:
			problem->fixed_theta[k] = raw / problem->y_scale;
			break;
		case ROLE_OFFSET:
			problem->fixed_theta[k] = raw / problem->x_scale[0];
			break;
		case ROLE_BREAK:
			problem->fixed_theta[k] = log(raw
				/ problem->x_scale[0]);
			break;
		}
	}
	return 0;
}

static int context_init(struct fit_context *ctx,
	const struct rs_fit_data *data, const struct rs_fit_options *opt,
	struct rs_error *err)
{
	int t, n_threads = opt->n_threads < 1 ? 1 : opt->n_threads;

	memset(ctx, 0, sizeof *ctx);
	ctx->opt = opt;
	if (problem_init(ctx, data, opt, err) < 0)
		return -1;

	if (n_threads > MAX_THREADS)
		n_threads = MAX_THREADS;
	for (t = 0; t < n_threads; t++) {
		if (solver_init(&ctx->solvers[t], &ctx->problem,
			opt->n_bootstrap > 0) < 0)
			return rs_fail(err, "out of memory for the GSL "
				"workspace of %d points and %d parameters",
				data->n, ctx->problem.n_free);
		ctx->n_solvers++;
	}

	if (opt->start != NULL) {
		if (make_given_start(ctx, opt->start, err) < 0)
			return -1;
	} else if (make_grid(ctx) < 0) {
		return rs_fail(err, "out of memory for the grid of starts");
	}
	ctx->local = calloc((size_t)ctx->n_starts, sizeof *ctx->local);
	if (ctx->local == NULL)
		return rs_fail(err, "out of memory for %d starts",
			ctx->n_starts);
	return 0;
}

/* Fills the goodness-of-fit fields from the raw parameters. */
static void summarise(const struct problem *problem,
	struct rs_fit_result *result)
{
	const struct rs_fit_data *data = problem->data;
	double rss = 0.0, rss_linear = 0.0, max_rel = 0.0;
	int i;

	for (i = 0; i < data->n; i++) {
		double x[2], m, y = data->y[i], r;

		point_x(problem, i, x);
		m = rs_fit_eval(problem->form, result->value, x);
		r = problem->log_residuals ? log(y) - log(m) : y - m;
		rss += r * r;
		rss_linear += (y - m) * (y - m);
		if (y != 0.0)
			max_rel = fmax(max_rel, fabs(y - m) / fabs(y));
	}
	result->rss = rss;
	result->rss_linear = rss_linear;
	result->rmse = sqrt(rss / data->n);
	result->max_abs_rel_residual = max_rel;
}

int rs_fit(const struct rs_fit_data *data, const struct rs_fit_options *opt,
	struct rs_fit_result *result, struct rs_error *err)
{
	struct fit_context *ctx;
	struct fit_outcome outcome;
	int k, status = -1;

	memset(result, 0, sizeof *result);
	if (check_options(data, opt, err) < 0 || check_data(data, opt, err) < 0)
		return -1;
	ctx = malloc(sizeof *ctx);
	if (ctx == NULL)
		return rs_fail(err, "out of memory for the fit");
	if (context_init(ctx, data, opt, err) < 0)
		goto out;

	if (fit_from_starts(ctx, NULL, &outcome, err) < 0)
		goto out;
	result->n_params = ctx->problem.info->n_params;
	for (k = 0; k < result->n_params; k++)
		result->names[k] = ctx->problem.info->params[k].name;
	theta_to_raw(&ctx->problem, outcome.theta, result->value);
	for (k = 0; k < result->n_params; k++) {
		result->ci_low[k] = result->value[k];
		result->ci_high[k] = result->value[k];
	}
	result->n_starts = ctx->n_starts;
	result->n_starts_at_best = outcome.n_starts_at_best;
	result->flatness = outcome.flatness;
	result->iterations = outcome.iterations;
	summarise(&ctx->problem, result);

	memcpy(ctx->best_theta, outcome.theta, sizeof outcome.theta);
	if (opt->n_bootstrap > 0) {
		if (bootstrap(ctx, result, err) < 0)
			goto out;
	} else if (covariance_errors(ctx, outcome.theta, result, err) < 0) {
		goto out;
	}
	if (opt->holdout_largest > 0 && holdout(ctx, result, err) < 0)
		goto out;
	status = 0;
out:
	context_free(ctx);
	free(ctx);
	if (status < 0) {
		rs_fit_result_free(result);
		memset(result, 0, sizeof *result);
	}
	return status;
}

void rs_fit_result_free(struct rs_fit_result *result)
{
	if (result == NULL)
		return;
	free(result->boot);
	result->boot = NULL;
	result->n_boot = 0;
}
