/* Roadmap scenarios: the horizon, the starting model, data arriving and
 * retained, model growth per scheme, the hardware used each year, training
 * constraints, storage and cost parameters.
 *
 * Loading resolves the law and every hardware profile through the search
 * path and checks that the hardware and growth year ranges lie inside the
 * horizon and do not overlap, so the engine never meets an invalid year.
 */
#ifndef RS_SCENARIO_H
#define RS_SCENARIO_H

#include "cost.h"
#include "error.h"
#include "hwprofile.h"
#include "law.h"
#include "workload.h"

#define RS_MAX_YEARS 50
#define RS_MAX_HARDWARE 16

struct rs_data_params {
	double samples_per_day;		/* arriving, first year */
	double growth_per_year_frac;	/* yearly growth of arriving data */
	double retention_days;		/* policy window */
	double positive_frac;		/* click-through rate before sampling */
	double negative_keep_frac;	/* negatives kept by downsampling */
	double bytes_per_sample;	/* stored size */
	double epochs;
};

struct rs_training_params {
	double window_days;		/* time allowed for one training run */
	double global_batch_samples;
	/* Statistical efficiency: epochs needed grow with the global batch
	 * B as min_epochs * (1 + B / noise_batch_samples), the gradient
	 * noise scale model.  noise_batch_samples 0: data.epochs instead. */
	double min_epochs;
	double noise_batch_samples;
	double eval_samples;		/* per evaluation pass */
	double eval_interval_epochs;	/* one pass each this many epochs */
	char dense_precision[8];
	int use_host_memory;
};

struct rs_storage_params {
	double capacity_bytes;		/* 0: not limited */
	double read_bytes_per_s;	/* 0: not limited */
};

/* The levers recscale optimize may move, each with its candidate values.
 * The retention window and negative keep rate set the data.  The others
 * multiply the year's planned model along a scaling scheme. */
enum rs_lever {
	RS_LEVER_RETENTION_DAYS,
	RS_LEVER_NEGATIVE_KEEP_FRAC,
	RS_LEVER_EMBEDDING_ROWS,
	RS_LEVER_EMBEDDING_DIM,
	RS_LEVER_TOP_MLP,
	RS_LEVER_ALL_MLP,
	RS_N_LEVERS
};

#define RS_MAX_CANDIDATES 16

extern const char *const rs_lever_names[RS_N_LEVERS];

struct rs_levers {
	int n[RS_N_LEVERS];
	double value[RS_N_LEVERS][RS_MAX_CANDIDATES];	/* ascending */
	unsigned hw_mask[RS_MAX_YEARS];	/* bit i: hardware[i] allowed */
};

/* Inputs a Monte Carlo run draws uniformly from a range. */
enum rs_uncertain {
	RS_UNCERTAIN_GROWTH,		/* data.growth_per_year_frac */
	RS_UNCERTAIN_PRICE_SCALE,	/* multiplies every device price */
	RS_UNCERTAIN_EFFICIENCY_SCALE,	/* multiplies dense, gather and
					 * network efficiencies (capped at
					 * 1) */
	RS_UNCERTAIN_USD_PER_KWH,	/* cost.usd_per_kwh */
	RS_N_UNCERTAIN
};

extern const char *const rs_uncertain_names[RS_N_UNCERTAIN];

struct rs_uncertainty {
	int given[RS_N_UNCERTAIN];
	double low[RS_N_UNCERTAIN];
	double high[RS_N_UNCERTAIN];
};

struct rs_scenario {
	char *path;
	char *name;
	char *description;
	int first_year;
	int last_year;
	struct rs_law law;
	int law_scheme;			/* index into law.schemes */
	struct rs_workload workload;
	struct rs_data_params data;
	struct rs_training_params training;
	struct rs_storage_params storage;
	struct rs_cost_params cost;
	double budget_usd_per_year;	/* 0: none */

	int n_hardware;
	struct rs_hwprofile hardware[RS_MAX_HARDWARE];
	/* per year of the horizon: index into hardware, growth factors */
	int hw_of_year[RS_MAX_YEARS];
	double growth_of_year[RS_MAX_YEARS][RS_N_SCHEMES];

	struct rs_levers levers;	/* the plan's own values when the file
					 * has no optimize group */
	struct rs_uncertainty uncertainty;
};

/* Epochs needed at the scenario's global batch. */
double rs_scenario_epochs(const struct rs_scenario *sc, double batch);
/* Samples evaluated over a run of that many epochs, all passes. */
double rs_scenario_eval_samples(const struct rs_scenario *sc, double epochs);

int rs_scenario_load(const char *path, struct rs_scenario *sc,
	struct rs_error *err);
void rs_scenario_free(struct rs_scenario *sc);

#endif
