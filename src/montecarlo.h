/* Uncertainty of a plan: Monte Carlo bands and one-at-a-time
 * sensitivity.
 *
 * Each Monte Carlo draw takes one bootstrap sample of the law (uniformly,
 * when the law has samples) and a uniform value in each range of the
 * scenario's uncertainty group, runs the plan, and records each year's NE
 * and cost.  Draw i uses a generator seeded from (seed, i) alone, so a
 * run is reproducible.  Sensitivity moves one input at a time to the ends
 * of its range (the law to the samples at the 10th and 90th percentile of
 * final-year NE) with the others at their plan values.
 */
#ifndef RS_MONTECARLO_H
#define RS_MONTECARLO_H

#include <stdint.h>

#include "engine.h"
#include "error.h"
#include "scenario.h"

struct rs_mc_year {
	double ne_p10, ne_p50, ne_p90;
	double cost_p10, cost_p50, cost_p90;
};

/* One input moved from the low to the high end of its range. */
struct rs_sensitivity {
	char input[64];
	double low, high;		/* the input's values */
	double ne_low, ne_high;		/* final-year NE at each end */
	double cost_low, cost_high;	/* final-year cost at each end */
};

#define RS_MAX_SENSITIVITY (RS_N_UNCERTAIN + 1)

struct rs_uncertainty_result {
	int n_draws;
	uint64_t seed;
	int n_years;
	struct rs_mc_year years[RS_MAX_YEARS];
	int n_sensitivity;		/* ranked by NE swing, then by cost
					 * swing, largest first */
	struct rs_sensitivity sensitivity[RS_MAX_SENSITIVITY];
};

int rs_monte_carlo(const struct rs_scenario *sc, int n_draws, uint64_t seed,
	struct rs_uncertainty_result *out, struct rs_error *err);

int rs_sensitivity_analysis(const struct rs_scenario *sc,
	struct rs_uncertainty_result *out, struct rs_error *err);

#endif
