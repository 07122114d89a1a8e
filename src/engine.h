/* The scenario engine: project a scenario year by year.
 *
 * For each year: the data retained (D), the model after that year's growth
 * (N), training compute (C), predicted NE from the law, the cluster that
 * trains the model within the window, what binds it, and the year's cost.
 */
#ifndef RS_ENGINE_H
#define RS_ENGINE_H

#include "cluster.h"
#include "cost.h"
#include "error.h"
#include "scenario.h"

enum rs_data_limit { RS_DATA_RETENTION, RS_DATA_STORAGE };

struct rs_year {
	int year;
	const struct rs_hwprofile *hw;
	double samples_per_day;		/* arriving before downsampling */
	double data_samples;		/* D: retained after downsampling */
	enum rs_data_limit data_limit;
	double data_bytes;
	double params_embedding;
	double params_dense;
	double lookups_per_sample;
	double flops_per_sample;	/* training, forward + backward */
	double epochs;			/* passes over D the run needs */
	double flops;			/* C: whole training run */
	double embedding_state_bytes;
	double ne;
	double ne_p10;			/* bootstrap band of NE; NAN when the */
	double ne_p90;			/* law has no samples */
	double ne_gain_pct;		/* vs previous year; NAN in the first */
	struct rs_cluster_result cluster;
	struct rs_cost cost;
	double cost_per_0p1pct_ne_usd;	/* NAN when NE did not improve */
	int over_budget;
};

#define RS_MAX_WARNINGS 32

struct rs_uncertainty_result;

struct rs_plan {
	const struct rs_scenario *scenario;
	/* Monte Carlo bands and sensitivity, when computed; NULL otherwise. */
	const struct rs_uncertainty_result *uncertainty;
	int n_years;
	struct rs_year years[RS_MAX_YEARS];
	int n_warnings;
	char warnings[RS_MAX_WARNINGS][256];
};

/* Retained samples in the year with index k (0 = first year). */
double rs_engine_data_samples(const struct rs_scenario *sc, int k,
	enum rs_data_limit *limit);

/* The parameter count the law's params term uses. */
double rs_engine_law_params(const struct rs_scheme_law *law,
	double params_embedding, double params_dense);

/* Apply the growth factors of year index k to model. */
void rs_engine_grow(const struct rs_scenario *sc, int k,
	struct rs_workload *model);

int rs_engine_run(const struct rs_scenario *sc, struct rs_plan *plan,
	struct rs_error *err);

const char *rs_data_limit_name(enum rs_data_limit limit);

#endif
