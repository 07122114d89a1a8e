/* Choosing a plan: for each year, the lever values and hardware that give
 * the lowest predicted NE within a budget, or the lowest cost that reaches
 * a target NE.
 *
 * The search is exhaustive over the scenario's candidate values: every
 * combination of the levers (rs_lever) and every hardware profile allowed
 * that year is evaluated, each on the smallest cluster that trains within
 * the window.  Combinations whose training misses the window, or that use
 * a profile before its year_available, are infeasible.  Years are independent: a year's choice does not constrain
 * the next.
 */
#ifndef RS_OPTIMIZE_H
#define RS_OPTIMIZE_H

#include "engine.h"
#include "error.h"
#include "scenario.h"

/* One evaluated combination. */
struct rs_candidate {
	int index[RS_N_LEVERS];		/* into levers.value[lever] */
	int hw;				/* into scenario hardware[] */
	double data_samples;
	double ne;
	double cost_usd;
	long long nodes;
	enum rs_binding binding;
	int feasible;			/* trains within the window */
};

/* Return on a lever: moving it one candidate up from the chosen plan. */
struct rs_lever_return {
	int available;			/* a higher candidate exists */
	double ne_gain_pct;		/* NE improvement, percent */
	double extra_cost_usd;
	double usd_per_0p1pct_ne;	/* NAN when NE does not improve */
};

struct rs_year_choice {
	int year;
	int n_candidates;
	struct rs_candidate *candidates;	/* all evaluated */
	int chosen;			/* index, or -1 when none qualifies */
	int n_frontier;
	int *frontier;			/* Pareto frontier, by rising cost */
	struct rs_lever_return returns[RS_N_LEVERS];
	double cheapest_feasible_usd;	/* for messages when none qualifies */
	double best_feasible_ne;
};

enum rs_objective { RS_MIN_NE_WITHIN_BUDGET, RS_MIN_COST_FOR_TARGET };

struct rs_optimization {
	const struct rs_scenario *scenario;
	enum rs_objective objective;
	double limit;			/* budget in USD, or target NE */
	int n_years;
	struct rs_year_choice years[RS_MAX_YEARS];
};

/* Evaluate every candidate of every year with n_threads threads and pick
 * the optimum.  A year where no candidate qualifies has chosen = -1. */
int rs_optimize(const struct rs_scenario *sc, enum rs_objective objective,
	double limit, int n_threads, struct rs_optimization *opt,
	struct rs_error *err);
void rs_optimization_free(struct rs_optimization *opt);

/* Evaluate one combination of year index k. */
int rs_evaluate_candidate(const struct rs_scenario *sc, int k,
	struct rs_candidate *c, struct rs_error *err);

/* Index of the best candidate of a year under objective, or -1. */
int rs_pick_candidate(const struct rs_year_choice *y,
	enum rs_objective objective, double limit);

double rs_candidate_lever(const struct rs_scenario *sc,
	const struct rs_candidate *c, enum rs_lever lever);

#endif
