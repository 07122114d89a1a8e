/* Scaling laws: predicted normalized entropy (NE) from data, parameters and
 * compute.
 *
 * A law file holds one entry per model-scaling scheme.  Each entry has the
 * irreducible floor gamma and three power-law terms
 *
 *     term(x) = coefficient * (x / ref)^(-exponent)
 *
 * in data samples, parameters and training FLOPs.  The coefficient depends
 * on the unit of x, so every term states its reference scale ref: at
 * x = ref the term equals its coefficient.  Planning uses the additive joint
 * form NE(D, N) = gamma + data(D) + params(N); the compute law
 * NE(C) = gamma + compute(C) is a separate one-resource law.
 */
#ifndef RS_LAW_H
#define RS_LAW_H

#include "conf.h"
#include "error.h"

#define RS_LAW_MAX_SCHEMES 8

struct rs_term {
	struct rs_sourced coefficient;	/* NE units, at x = ref */
	struct rs_sourced exponent;	/* > 0 */
	struct rs_sourced ref;		/* reference scale, in unit */
	char *unit;			/* "samples", "parameters", "flops" */
};

struct rs_scheme_law {
	char *name;		/* "embedding_rows", "embedding_dim", ... */
	char *description;
	char *params_resource;	/* "params_embedding" or "params_dense" */
	struct rs_sourced gamma;
	struct rs_term data;
	struct rs_term params;
	struct rs_term compute;
};

struct rs_law {
	char *path;
	char *name;
	char *metric;
	char *source;
	int n_schemes;
	struct rs_scheme_law schemes[RS_LAW_MAX_SCHEMES];
};

int rs_law_load(const char *path, struct rs_law *law, struct rs_error *err);
void rs_law_free(struct rs_law *law);

/* Index of the scheme called name, or -1. */
int rs_law_scheme_index(const struct rs_law *law, const char *name);

double rs_term_eval(const struct rs_term *term, double x);
/* The x at which the term equals value (> 0). */
double rs_term_invert(const struct rs_term *term, double value);
/* NE reduction from doubling x. */
double rs_term_gain_per_doubling(const struct rs_term *term, double x);

/* Joint law: NE(data_samples, params). */
double rs_law_ne(const struct rs_scheme_law *s, double data_samples,
	double params);
/* Compute law: NE(training FLOPs). */
double rs_law_ne_compute(const struct rs_scheme_law *s, double flops);

/* Resource needed to reach target_ne.  Each fails, with err saying the
 * smallest reachable NE, when the target lies at or below what the other
 * resource allows. */
int rs_law_solve_data(const struct rs_scheme_law *s, double target_ne,
	double params, double *data_samples, struct rs_error *err);
int rs_law_solve_params(const struct rs_scheme_law *s, double target_ne,
	double data_samples, double *params, struct rs_error *err);
int rs_law_solve_compute(const struct rs_scheme_law *s, double target_ne,
	double *flops, struct rs_error *err);

/* 1 when source marks the value as an assumption rather than published or
 * measured. */
int rs_source_is_assumption(const char *source);

#endif
