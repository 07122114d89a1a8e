/* Monte Carlo bands and sensitivity of a plan; see montecarlo.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "montecarlo.h"

/* The input values one draw uses. */
struct draw {
	double value[RS_N_UNCERTAIN];
	int law_sample;			/* -1: the law's own values */
};

static double nominal(const struct rs_scenario *sc, int k)
{
	switch ((enum rs_uncertain)k) {
	case RS_UNCERTAIN_GROWTH: return sc->data.growth_per_year_frac;
	case RS_UNCERTAIN_PRICE_SCALE: return 1.0;
	case RS_UNCERTAIN_EFFICIENCY_SCALE: return 1.0;
	case RS_UNCERTAIN_USD_PER_KWH: return sc->cost.usd_per_kwh;
	case RS_N_UNCERTAIN: break;
	}
	return NAN;
}

/* Fill out, a shallow copy of sc, with the inputs of d.  out shares sc's
 * strings and arrays and must not be freed. */
static void apply(const struct rs_scenario *sc, const struct draw *d,
	struct rs_scenario *out)
{
	*out = *sc;
	out->data.growth_per_year_frac = d->value[RS_UNCERTAIN_GROWTH];
	out->cost.usd_per_kwh = d->value[RS_UNCERTAIN_USD_PER_KWH];
	for (int i = 0; i < out->n_hardware; i++) {
		struct rs_hwprofile *hw = &out->hardware[i];
		double e = d->value[RS_UNCERTAIN_EFFICIENCY_SCALE];

		hw->device_price_usd.value *=
			d->value[RS_UNCERTAIN_PRICE_SCALE];
		hw->dense_efficiency_frac.value = fmin(1.0,
			hw->dense_efficiency_frac.value * e);
		hw->gather_efficiency_frac.value = fmin(1.0,
			hw->gather_efficiency_frac.value * e);
		hw->network_efficiency_frac.value = fmin(1.0,
			hw->network_efficiency_frac.value * e);
		/* A measured curve may exceed 1 where rows fit in caches, so
		 * it is scaled without the cap. */
		for (int a = 0; a < hw->gather_curve.n_footprints; a++)
			for (int b = 0; b < hw->gather_curve.n_row_sizes; b++)
				hw->gather_curve.efficiency[a][b] *= e;
	}
	if (d->law_sample >= 0)
		rs_law_sample(&sc->law.schemes[sc->law_scheme], d->law_sample,
			&out->law.schemes[sc->law_scheme]);
}

static void nominal_draw(const struct rs_scenario *sc, struct draw *d)
{
	for (int k = 0; k < RS_N_UNCERTAIN; k++)
		d->value[k] = nominal(sc, k);
	d->law_sample = -1;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear-interpolated quantile q of the n values of v, which this sorts
 * in place. */
static double quantile(double *v, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)floor(pos);

	qsort(v, (size_t)n, sizeof *v, compare_doubles);
	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

int rs_monte_carlo(const struct rs_scenario *sc, int n_draws, uint64_t seed,
	struct rs_uncertainty_result *out, struct rs_error *err)
{
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	int n_years = sc->last_year - sc->first_year + 1, rc = 0;
	struct rs_scenario *draw_sc = malloc(sizeof *draw_sc);
	struct rs_plan *plan = malloc(sizeof *plan);
	double *ne = malloc((size_t)n_draws * n_years * sizeof *ne);
	double *cost = malloc((size_t)n_draws * n_years * sizeof *cost);
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	out->n_draws = n_draws;
	out->seed = seed;
	out->n_years = n_years;
	if (draw_sc == NULL || plan == NULL || ne == NULL || cost == NULL
	    || rng == NULL) {
		rc = rs_fail(err, "out of memory");
		goto done;
	}
	for (int i = 0; i < n_draws; i++) {
		struct draw d;

		/* One generator state per draw, from (seed, i) alone. */
		gsl_rng_set(rng, (unsigned long)(seed * 1000003u + (uint64_t)i
			+ 1u));
		nominal_draw(sc, &d);
		for (int k = 0; k < RS_N_UNCERTAIN; k++)
			if (sc->uncertainty.given[k])
				d.value[k] = sc->uncertainty.low[k]
					+ gsl_rng_uniform(rng)
					* (sc->uncertainty.high[k]
					   - sc->uncertainty.low[k]);
		if (law->n_samples >= 2)
			d.law_sample = (int)gsl_rng_uniform_int(rng,
				(unsigned long)law->n_samples);
		apply(sc, &d, draw_sc);
		if (rs_engine_run(draw_sc, plan, err) < 0) {
			rc = -1;
			goto done;
		}
		for (int k = 0; k < n_years; k++) {
			ne[(size_t)k * n_draws + i] = plan->years[k].ne;
			cost[(size_t)k * n_draws + i] =
				plan->years[k].cost.total_usd;
		}
	}
	for (int k = 0; k < n_years; k++) {
		double *n = ne + (size_t)k * n_draws;
		double *c = cost + (size_t)k * n_draws;
		struct rs_mc_year *y = &out->years[k];

		y->ne_p10 = quantile(n, n_draws, 0.10);
		y->ne_p50 = quantile(n, n_draws, 0.50);
		y->ne_p90 = quantile(n, n_draws, 0.90);
		y->cost_p10 = quantile(c, n_draws, 0.10);
		y->cost_p50 = quantile(c, n_draws, 0.50);
		y->cost_p90 = quantile(c, n_draws, 0.90);
	}
done:
	gsl_rng_free(rng);
	free(draw_sc);
	free(plan);
	free(ne);
	free(cost);
	return rc;
}

/* Final-year NE and cost of the plan with the inputs of d. */
static int final_year(const struct rs_scenario *sc, const struct draw *d,
	struct rs_scenario *scratch, struct rs_plan *plan, double *ne,
	double *cost, struct rs_error *err)
{
	apply(sc, d, scratch);
	if (rs_engine_run(scratch, plan, err) < 0)
		return -1;
	*ne = plan->years[plan->n_years - 1].ne;
	*cost = plan->years[plan->n_years - 1].cost.total_usd;
	return 0;
}

/* Larger NE swing first; among equal NE swings, larger cost swing. */
static int by_swing(const void *a, const void *b)
{
	const struct rs_sensitivity *x = a, *y = b;
	double sx = fabs(x->ne_high - x->ne_low);
	double sy = fabs(y->ne_high - y->ne_low);

	if (sx != sy)
		return (sx < sy) - (sx > sy);
	sx = fabs(x->cost_high - x->cost_low);
	sy = fabs(y->cost_high - y->cost_low);
	return (sx < sy) - (sx > sy);
}

/* A law sample and the final-year NE it predicts. */
struct ranked {
	double ne;
	int index;
};

static int by_ne(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	return (x->ne > y->ne) - (x->ne < y->ne);
}

/* The law samples whose final-year NE, at the plan's final D and N, sit
 * at the 10th and 90th percentiles. */
static int law_ends(const struct rs_scenario *sc, const struct rs_year *y,
	int *low, int *high)
{
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	double params = rs_engine_law_params(law, y->params_embedding,
		y->params_dense);
	int n = law->n_samples;
	struct ranked *r = malloc((size_t)n * sizeof *r);

	if (r == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		struct rs_scheme_law s;
		rs_law_sample(law, i, &s);
		r[i].ne = rs_law_ne(&s, y->data_samples, params);
		r[i].index = i;
	}
	qsort(r, (size_t)n, sizeof *r, by_ne);
	*low = r[(int)(0.10 * (n - 1))].index;
	*high = r[(int)ceil(0.90 * (n - 1))].index;
	free(r);
	return 0;
}

int rs_sensitivity_analysis(const struct rs_scenario *sc,
	struct rs_uncertainty_result *out, struct rs_error *err)
{
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	struct rs_scenario *scratch = malloc(sizeof *scratch);
	struct rs_plan *plan = malloc(sizeof *plan);
	int rc = -1;

	out->n_sensitivity = 0;
	if (scratch == NULL || plan == NULL) {
		rs_fail(err, "out of memory");
		goto done;
	}
	for (int k = 0; k < RS_N_UNCERTAIN; k++) {
		struct rs_sensitivity *s;
		struct draw d;

		if (!sc->uncertainty.given[k])
			continue;
		s = &out->sensitivity[out->n_sensitivity++];
		snprintf(s->input, sizeof s->input, "%s",
			rs_uncertain_names[k]);
		s->low = sc->uncertainty.low[k];
		s->high = sc->uncertainty.high[k];
		nominal_draw(sc, &d);
		d.value[k] = s->low;
		if (final_year(sc, &d, scratch, plan, &s->ne_low, &s->cost_low,
				err) < 0)
			goto done;
		d.value[k] = s->high;
		if (final_year(sc, &d, scratch, plan, &s->ne_high,
				&s->cost_high, err) < 0)
			goto done;
	}
	if (law->n_samples >= 2) {
		struct rs_sensitivity *s = &out->sensitivity[out->n_sensitivity];
		struct draw d;
		int low, high;

		nominal_draw(sc, &d);
		if (rs_engine_run(sc, plan, err) < 0)
			goto done;
		if (law_ends(sc, &plan->years[plan->n_years - 1], &low,
				&high) < 0) {
			rs_fail(err, "out of memory");
			goto done;
		}
		out->n_sensitivity++;
		snprintf(s->input, sizeof s->input, "law (bootstrap samples)");
		s->low = 10.0;
		s->high = 90.0;
		d.law_sample = low;
		if (final_year(sc, &d, scratch, plan, &s->ne_low, &s->cost_low,
				err) < 0)
			goto done;
		d.law_sample = high;
		if (final_year(sc, &d, scratch, plan, &s->ne_high,
				&s->cost_high, err) < 0)
			goto done;
	}
	qsort(out->sensitivity, (size_t)out->n_sensitivity,
		sizeof out->sensitivity[0], by_swing);
	rc = 0;
done:
	free(scratch);
	free(plan);
	return rc;
}
