/* Scaling laws: predicted normalized entropy (NE) from data, parameters and
 * compute.
 *
 * A law file has one entry per model-scaling scheme.  Each entry has the
 * irreducible floor gamma and three power-law terms
 *
 *     term(x) = coefficient * (x / ref)^(-exponent)
 *
 * in data samples, parameters and training FLOPs (see struct rs_term for
 * the offset and broken forms).  The coefficient depends on the unit of
 * x, so every term states its reference scale ref: at x = ref the term
 * equals its coefficient.  A term a file leaves out is zero.  Planning uses the additive joint
 * form NE(D, N) = gamma + data(D) + params(N); the compute law
 * NE(C) = gamma + compute(C) is a separate one-resource law.
 */
#ifndef RS_LAW_H
#define RS_LAW_H

#include <stdio.h>

#include "conf.h"
#include "error.h"

#define RS_LAW_MAX_SCHEMES 8

/* A projection further than this factor beyond the largest fitted run is
 * reported as an extrapolation. */
#define RS_EXTRAPOLATION_FACTOR 10.0

/* A resource is in the saturated phase once doubling it lowers NE by less
 * than this share of NE: production teams track NE changes of 0.1%. */
#define RS_SATURATION_GAIN_FRAC 0.001

/* One power-law term in resource x, zero when absent:
 *
 *   power:   c * (x / ref)^-e
 *   offset:  c * ((x + x0) / (ref + x0))^-e
 *   broken:  c * (x / ref)^-e * ((1 + x/b) / (1 + ref/b))^-(e_above - e)
 *
 * so that the term equals its coefficient c at x = ref in every form. */
struct rs_term {
	int present;
	struct rs_sourced coefficient;	/* NE units, at x = ref */
	struct rs_sourced exponent;	/* > 0 */
	struct rs_sourced ref;		/* reference scale, in unit */
	struct rs_sourced x0;		/* offset; 0 when not given */
	struct rs_sourced break_x;	/* 0: no break */
	struct rs_sourced exponent_above;	/* exponent beyond break_x */
	struct rs_sourced fit_min;	/* range of the fitted runs; */
	struct rs_sourced fit_max;	/* 0 when not known */
	char *unit;			/* "samples", "parameters", "flops" */
};

/* Parameters that bootstrap samples may vary: gamma, then for each term
 * (data, params, compute) its coefficient, exponent, x0, break_x and
 * exponent_above.  Named "gamma" and "<term>_<field>" in law files. */
enum rs_term_field {
	RS_FIELD_COEFFICIENT, RS_FIELD_EXPONENT, RS_FIELD_X0,
	RS_FIELD_BREAK_X, RS_FIELD_EXPONENT_ABOVE, RS_N_FIELDS
};
enum rs_term_kind { RS_TERM_DATA, RS_TERM_PARAMS, RS_TERM_COMPUTE,
	RS_N_TERMS };
#define RS_SAMPLE_GAMMA 0
#define RS_N_SAMPLE_PARAMS (1 + RS_N_TERMS * RS_N_FIELDS)
#define RS_SAMPLE_INDEX(term, field) (1 + (term) * RS_N_FIELDS + (field))

extern const char *const rs_sample_param_names[RS_N_SAMPLE_PARAMS + 1];
extern const char *const rs_term_names[RS_N_TERMS];
extern const char *const rs_term_field_names[RS_N_FIELDS];

struct rs_scheme_law {
	char *name;		/* "embedding_rows", "embedding_dim", ... */
	char *description;
	char *params_resource;	/* "params_embedding" or "params_dense" */
	struct rs_sourced gamma;
	struct rs_term data;
	struct rs_term params;
	struct rs_term compute;
	/* Bootstrap samples: samples[k] contains n_samples values of parameter
	 * k, or is NULL when k does not vary. */
	int n_samples;
	double *samples[RS_N_SAMPLE_PARAMS];
	char *fit_note;		/* how the law was fitted, or NULL */
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
/* The x at which the term equals value (> 0), or NAN when no x > 0
 * does. */
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

/* Fill out with a shallow copy of s whose values are bootstrap sample i;
 * out shares s's strings and must not be freed. */
void rs_law_sample(const struct rs_scheme_law *s, int i,
	struct rs_scheme_law *out);

/* The x beyond which the term is saturated (a doubling gains less than
 * RS_SATURATION_GAIN_FRAC of gamma + term), searched within e^40 of ref:
 * 0 when saturated everywhere, INFINITY when nowhere. */
double rs_term_saturation_point(const struct rs_scheme_law *s,
	const struct rs_term *term);
/* 1 when a doubling of x gains less than RS_SATURATION_GAIN_FRAC. */
int rs_term_is_saturated(const struct rs_scheme_law *s,
	const struct rs_term *term, double x);
/* The exponent of the term at x: -d ln term / d ln x, which differs from
 * the exponent with an offset or a break. */
double rs_term_local_exponent(const struct rs_term *term, double x);

/* The term of s of the given kind, and one of its fields. */
struct rs_term *rs_scheme_term(struct rs_scheme_law *s,
	enum rs_term_kind kind);
struct rs_sourced *rs_term_field(struct rs_term *t, enum rs_term_field f);

/* Write law as a law file that rs_law_load reads back. */
int rs_law_write(FILE *f, const struct rs_law *law);

/* 1 when source marks the value as an assumption rather than published or
 * measured. */
int rs_source_is_assumption(const char *source);

#endif
