/* recscale optimize and the Monte Carlo bands: the optimiser against a
 * brute-force enumeration, monotonicity in budget and target over seeded
 * random cases, and Monte Carlo against the point plan and against the
 * quantiles of a known normal law parameter. */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "montecarlo.h"
#include "optimize.h"
#include "tap.h"

/* Shrink the default scenario's search to a grid small enough to
 * enumerate here: 2 x 2 x 2 lever values on 2 profiles per year. */
static void small_grid(struct rs_scenario *sc)
{
	struct rs_levers *lv = &sc->levers;

	for (int l = 0; l < RS_N_LEVERS; l++)
		lv->n[l] = 1;
	lv->value[RS_LEVER_RETENTION_DAYS][0] = 30.0;
	lv->value[RS_LEVER_RETENTION_DAYS][1] = 90.0;
	lv->n[RS_LEVER_RETENTION_DAYS] = 2;
	lv->value[RS_LEVER_NEGATIVE_KEEP_FRAC][0] = 0.125;
	lv->value[RS_LEVER_NEGATIVE_KEEP_FRAC][1] = 0.5;
	lv->n[RS_LEVER_NEGATIVE_KEEP_FRAC] = 2;
	lv->value[RS_LEVER_EMBEDDING_ROWS][0] = 1.0;
	lv->value[RS_LEVER_EMBEDDING_ROWS][1] = 2.0;
	lv->n[RS_LEVER_EMBEDDING_ROWS] = 2;
	lv->value[RS_LEVER_EMBEDDING_DIM][0] = 1.0;
	lv->value[RS_LEVER_TOP_MLP][0] = 1.0;
	lv->value[RS_LEVER_ALL_MLP][0] = 1.0;
	for (int k = 0; k <= sc->last_year - sc->first_year; k++)
		lv->hw_mask[k] = 0x3u;	/* the first two profiles */
}

/* The brute-force optimum: evaluate every combination independently and
 * keep the lowest NE within the budget, the lower cost on a tie. */
static int brute_force(const struct rs_scenario *sc, int k, double budget,
	struct rs_candidate *best)
{
	int found = 0;
	struct rs_error err;

	for (int r = 0; r < 2; r++)
	for (int q = 0; q < 2; q++)
	for (int e = 0; e < 2; e++)
	for (int h = 0; h < 2; h++) {
		struct rs_candidate c;
		memset(&c, 0, sizeof c);
		c.index[RS_LEVER_RETENTION_DAYS] = r;
		c.index[RS_LEVER_NEGATIVE_KEEP_FRAC] = q;
		c.index[RS_LEVER_EMBEDDING_ROWS] = e;
		c.hw = h;
		if (rs_evaluate_candidate(sc, k, &c, &err) < 0 || !c.feasible
		    || c.cost_usd > budget)
			continue;
		if (!found || c.ne < best->ne
		    || (c.ne == best->ne && c.cost_usd < best->cost_usd)) {
			*best = c;
			found = 1;
		}
	}
	return found;
}

int main(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	struct rs_scenario sc;
	struct rs_optimization opt;
	struct rs_uncertainty_result *mc = malloc(sizeof *mc);
	struct rs_plan *plan = malloc(sizeof *plan);
	struct rs_error err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int ok;

	gsl_set_error_handler_off();
	snprintf(path, sizeof path, "%s/scenarios/default.cfg",
		srcdir ? srcdir : ".");
	tap_plan(23);
	if (!tap_ok(rs_scenario_load(path, &sc, &err) == 0,
			"default scenario loads")) {
		printf("# %s\n", err.msg);
		return 1;
	}
	tap_ok(sc.n_hardware >= 2, "the scenario offers two profiles or more");
	small_grid(&sc);

	/* Optimiser against brute force, every year, one budget. */
	ok = rs_optimize(&sc, RS_MIN_NE_WITHIN_BUDGET, 1.0e6, 2, &opt,
		&err) == 0;
	tap_ok(ok, "optimize runs on the small grid");
	for (int k = 0; ok && k < opt.n_years; k++) {
		struct rs_candidate best;
		const struct rs_year_choice *y = &opt.years[k];
		int found = brute_force(&sc, k, 1.0e6, &best);
		const struct rs_candidate *c = y->chosen >= 0
			? &y->candidates[y->chosen] : NULL;

		/* Several combinations can tie (storage caps D, so two
		 * retention values give the same plan): compare the optimum's
		 * NE and cost, which are unique. */
		tap_ok(found == (c != NULL) && (!found
			|| (best.ne == c->ne && best.cost_usd == c->cost_usd)),
			"year %d: optimum equals brute force", y->year);
		if (found && c != NULL && (best.ne != c->ne
				|| best.cost_usd != c->cost_usd))
			printf("# brute force NE %.9g cost %.9g, optimize NE "
				"%.9g cost %.9g\n", best.ne, best.cost_usd,
				c->ne, c->cost_usd);
	}
	rs_optimization_free(&opt);

	/* More budget never yields a worse optimal NE. */
	{
		double budgets[12], prev_ne[RS_MAX_YEARS];
		int monotone = 1;

		gsl_rng_set(rng, 7);
		for (int i = 0; i < 12; i++)
			budgets[i] = 3e5 + gsl_rng_uniform(rng) * 2.7e6;
		for (int i = 0; i < 12; i++)	/* sort ascending */
			for (int j = i + 1; j < 12; j++)
				if (budgets[j] < budgets[i]) {
					double t = budgets[i];
					budgets[i] = budgets[j];
					budgets[j] = t;
				}
		for (int k = 0; k < RS_MAX_YEARS; k++)
			prev_ne[k] = INFINITY;
		for (int i = 0; i < 12; i++) {
			rs_optimize(&sc, RS_MIN_NE_WITHIN_BUDGET, budgets[i], 2,
				&opt, &err);
			for (int k = 0; k < opt.n_years; k++) {
				const struct rs_year_choice *y = &opt.years[k];
				double ne = y->chosen >= 0
					? y->candidates[y->chosen].ne : INFINITY;
				if (ne > prev_ne[k])
					monotone = 0;
				prev_ne[k] = ne;
			}
			rs_optimization_free(&opt);
		}
		tap_ok(monotone, "more budget never gives a worse NE");
	}

	/* A stricter (lower) target NE never costs less. */
	{
		double targets[10], prev_cost[RS_MAX_YEARS];
		int monotone = 1;

		gsl_rng_set(rng, 11);
		for (int i = 0; i < 10; i++)
			targets[i] = 0.9975 + gsl_rng_uniform(rng) * 0.004;
		for (int i = 0; i < 10; i++)	/* sort descending: looser first */
			for (int j = i + 1; j < 10; j++)
				if (targets[j] > targets[i]) {
					double t = targets[i];
					targets[i] = targets[j];
					targets[j] = t;
				}
		for (int k = 0; k < RS_MAX_YEARS; k++)
			prev_cost[k] = 0.0;
		for (int i = 0; i < 10; i++) {
			rs_optimize(&sc, RS_MIN_COST_FOR_TARGET, targets[i], 2,
				&opt, &err);
			for (int k = 0; k < opt.n_years; k++) {
				const struct rs_year_choice *y = &opt.years[k];
				double cost = y->chosen >= 0
					? y->candidates[y->chosen].cost_usd
					: INFINITY;
				if (cost < prev_cost[k])
					monotone = 0;
				prev_cost[k] = cost;
			}
			rs_optimization_free(&opt);
		}
		tap_ok(monotone, "a stricter target never costs less");
	}

	/* An unreachable target leaves the year without a plan and reports
	 * the best feasible NE. */
	rs_optimize(&sc, RS_MIN_COST_FOR_TARGET, 0.5, 2, &opt, &err);
	tap_ok(opt.years[0].chosen == -1, "an unreachable target finds no plan");
	tap_ok(opt.years[0].best_feasible_ne > 0.5
		&& isfinite(opt.years[0].best_feasible_ne),
		"the best feasible NE is reported");
	rs_optimization_free(&opt);

	/* Monte Carlo with no uncertainty reproduces the point plan. */
	memset(&sc.uncertainty, 0, sizeof sc.uncertainty);
	rs_engine_run(&sc, plan, &err);
	tap_ok(rs_monte_carlo(&sc, 50, 3, mc, &err) == 0,
		"Monte Carlo runs without uncertainty");
	ok = 1;
	for (int k = 0; k < plan->n_years; k++)
		ok &= mc->years[k].ne_p10 == plan->years[k].ne
			&& mc->years[k].ne_p90 == plan->years[k].ne
			&& mc->years[k].cost_p10 == plan->years[k].cost.total_usd
			&& mc->years[k].cost_p90 == plan->years[k].cost.total_usd;
	tap_ok(ok, "zero uncertainty gives the point plan exactly");

	/* A normal gamma: NE moves one for one with it, so its quantiles are
	 * the point NE plus z_q sigma, within sampling error. */
	{
		struct rs_scheme_law *law = &sc.law.schemes[sc.law_scheme];
		const int n = 4000;
		const double sigma = 0.001;
		double *gamma = malloc(n * sizeof *gamma);
		/* Standard error of a sample quantile, sigma * sqrt(q (1 - q)
		 * / n) / phi(z_q), from the law's samples and again from the
		 * draws: 4 combined standard errors. */
		double tol10 = 4.0 * sqrt(2.0) * sigma * sqrt(0.09 / n) / 0.17550;
		double tol50 = 4.0 * sqrt(2.0) * sigma * sqrt(0.25 / n) / 0.39894;

		gsl_rng_set(rng, 5);
		for (int i = 0; i < n; i++)
			gamma[i] = law->gamma.value
				+ gsl_ran_gaussian(rng, sigma);
		law->samples[RS_SAMPLE_GAMMA] = gamma;
		law->n_samples = n;
		tap_ok(rs_monte_carlo(&sc, n, 9, mc, &err) == 0,
			"Monte Carlo runs over normal gamma samples");
		for (int k = 0; k < plan->n_years; k += 4) {
			tap_near(mc->years[k].ne_p10 - plan->years[k].ne,
				-1.2815516 * sigma, tol10 / (1.2815516 * sigma),
				"%d: P10 of NE is NE - 1.2816 sigma",
				plan->years[k].year);
			tap_ok(fabs(mc->years[k].ne_p50 - plan->years[k].ne)
				<= tol50, "%d: P50 of NE is the point NE",
				plan->years[k].year);
			tap_near(mc->years[k].ne_p90 - plan->years[k].ne,
				1.2815516 * sigma, tol10 / (1.2815516 * sigma),
				"%d: P90 of NE is NE + 1.2816 sigma",
				plan->years[k].year);
		}
		tap_ok(rs_sensitivity_analysis(&sc, mc, &err) == 0
			&& mc->n_sensitivity == 1, "sensitivity ranks the law");
		tap_ok(mc->sensitivity[0].ne_high > mc->sensitivity[0].ne_low,
			"the law's P90 sample gives a higher NE than its P10");
	}

	rs_scenario_free(&sc);
	gsl_rng_free(rng);
	free(mc);
	free(plan);
	return tap_done();
}
