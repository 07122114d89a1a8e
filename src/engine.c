/* The year-by-year projection; see engine.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

const char *rs_data_limit_name(enum rs_data_limit limit)
{
	return limit == RS_DATA_STORAGE ? "storage_capacity"
		: "retention_policy";
}

double rs_engine_data_samples(const struct rs_scenario *sc, int k,
	enum rs_data_limit *limit)
{
	const struct rs_data_params *d = &sc->data;
	double arriving = d->samples_per_day
		* pow(1.0 + d->growth_per_year_frac, k);
	/* Negative downsampling keeps every positive and a fraction of the
	 * negatives. */
	double kept = d->positive_frac
		+ (1.0 - d->positive_frac) * d->negative_keep_frac;
	double by_policy = d->retention_days * arriving * kept;
	double by_storage = sc->storage.capacity_bytes / d->bytes_per_sample;

	*limit = RS_DATA_RETENTION;
	if (sc->storage.capacity_bytes > 0.0 && by_storage < by_policy) {
		*limit = RS_DATA_STORAGE;
		return by_storage;
	}
	return by_policy;
}

double rs_engine_law_params(const struct rs_scheme_law *law,
	double params_embedding, double params_dense)
{
	if (strcmp(law->params_resource, "params_dense") == 0)
		return params_dense;
	if (strcmp(law->params_resource, "params_total") == 0)
		return params_embedding + params_dense;
	return params_embedding;
}

static void warn(struct rs_plan *plan, const char *fmt, ...)
{
	va_list ap;

	if (plan->n_warnings >= RS_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(plan->warnings[plan->n_warnings++],
		sizeof plan->warnings[0], fmt, ap);
	va_end(ap);
}

/* Warn when x lies more than RS_EXTRAPOLATION_FACTOR outside the range of
 * the runs the term was fitted on. */
static void check_range(struct rs_plan *plan, int year,
	const struct rs_term *t, const char *resource, double x)
{
	char buf[160];

	if (!t->present || t->fit_max.value <= 0.0)
		return;
	if (x > t->fit_max.value * RS_EXTRAPOLATION_FACTOR)
		snprintf(buf, sizeof buf, "%.3g is %.0fx the largest fitted "
			"run (%.3g)", x, x / t->fit_max.value,
			t->fit_max.value);
	else if (t->fit_min.value > 0.0
		 && x < t->fit_min.value / RS_EXTRAPOLATION_FACTOR)
		snprintf(buf, sizeof buf, "%.3g is %.0fx below the smallest "
			"fitted run (%.3g)", x, t->fit_min.value / x,
			t->fit_min.value);
	else
		return;
	warn(plan, "%d: %s %s; the law is extrapolated more than %.0fx "
		"beyond its data", year, resource, buf,
		RS_EXTRAPOLATION_FACTOR);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Linear-interpolated quantile q of n sorted values. */
static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)floor(pos);

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

/* NE of every bootstrap sample of the law at (D, N): its P10 and P90. */
static int ne_band(const struct rs_scheme_law *law, double data, double params,
	struct rs_year *y)
{
	double *ne;

	y->ne_p10 = NAN;
	y->ne_p90 = NAN;
	if (law->n_samples < 2)
		return 0;
	ne = malloc((size_t)law->n_samples * sizeof *ne);
	if (ne == NULL)
		return -1;
	for (int i = 0; i < law->n_samples; i++) {
		struct rs_scheme_law sample;
		rs_law_sample(law, i, &sample);
		ne[i] = rs_law_ne(&sample, data, params);
	}
	qsort(ne, (size_t)law->n_samples, sizeof *ne, compare_doubles);
	y->ne_p10 = quantile(ne, law->n_samples, 0.10);
	y->ne_p90 = quantile(ne, law->n_samples, 0.90);
	free(ne);
	return 0;
}

static int run_year(const struct rs_scenario *sc,
	const struct rs_workload *model, int k, struct rs_plan *plan,
	struct rs_error *err)
{
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	struct rs_year *y = &plan->years[k];
	struct rs_workload_stats st;
	double params;
	struct rs_cluster_input in;

	y->year = sc->first_year + k;
	y->hw = &sc->hardware[sc->hw_of_year[k]];
	y->samples_per_day = sc->data.samples_per_day
		* pow(1.0 + sc->data.growth_per_year_frac, k);
	y->data_samples = rs_engine_data_samples(sc, k, &y->data_limit);
	y->data_bytes = y->data_samples * sc->data.bytes_per_sample;

	rs_workload_stats(model, &st);
	y->params_embedding = st.params_embedding;
	y->params_dense = st.params_dense;
	y->lookups_per_sample = st.lookups_per_sample;
	y->flops_per_sample = st.train_flops_per_sample;
	y->epochs = rs_scenario_epochs(sc, sc->training.global_batch_samples);
	y->flops = st.train_flops_per_sample * y->data_samples * y->epochs;
	y->embedding_state_bytes = st.embedding_bytes
		+ st.embedding_optimizer_bytes;
	params = rs_engine_law_params(law, st.params_embedding,
		st.params_dense);
	y->ne = rs_law_ne(law, y->data_samples, params);
	if (ne_band(law, y->data_samples, params, y) < 0)
		return rs_fail(err, "out of memory");
	if (y->ne >= 1.0)
		warn(plan, "%d: predicted NE %.4f is no better than the base "
			"rate; the law is used far from its reference scale "
			"(%.3g samples)", y->year, y->ne, law->data.ref.value);
	if (y->year < y->hw->year_available.value)
		warn(plan, "%d: %s is used before its first year of volume "
			"supply (%.0f)", y->year, y->hw->name,
			y->hw->year_available.value);
	check_range(plan, y->year, &law->data, "data_samples",
		y->data_samples);
	check_range(plan, y->year, &law->params, law->params_resource,
		params);

	memset(&in, 0, sizeof in);
	in.stats = &st;
	in.workload = model;
	in.hw = y->hw;
	in.dense_precision = sc->training.dense_precision;
	in.samples = y->data_samples * y->epochs;
	in.eval_samples = rs_scenario_eval_samples(sc, y->epochs);
	in.window_s = sc->training.window_days * 86400.0;
	in.global_batch_samples = sc->training.global_batch_samples;
	in.storage_read_bytes_per_s = sc->storage.read_bytes_per_s;
	in.bytes_per_sample = sc->data.bytes_per_sample;
	in.use_host_memory = sc->training.use_host_memory;
	if (rs_cluster_size(&in, &y->cluster, err) < 0) {
		struct rs_error inner = *err;
		return rs_fail(err, "%s: year %d: %s", sc->path, y->year,
			inner.msg);
	}

	rs_cost_year(&sc->cost, y->hw, y->cluster.nodes, y->data_bytes,
		&y->cost);
	y->over_budget = sc->budget_usd_per_year > 0.0
		&& y->cost.total_usd > sc->budget_usd_per_year;
	return 0;
}

void rs_engine_grow(const struct rs_scenario *sc, int k,
	struct rs_workload *model)
{
	for (int s = 0; s < RS_N_SCHEMES; s++)
		if (sc->growth_of_year[k][s] != 1.0)
			rs_workload_scale(model, (enum rs_scheme)s,
				sc->growth_of_year[k][s]);
}

int rs_engine_run(const struct rs_scenario *sc, struct rs_plan *plan,
	struct rs_error *err)
{
	struct rs_workload model;
	int rc = 0;

	memset(plan, 0, sizeof *plan);
	plan->scenario = sc;
	if (rs_workload_copy(&model, &sc->workload) < 0)
		return rs_fail(err, "out of memory");

	for (int k = 0; k <= sc->last_year - sc->first_year; k++) {
		struct rs_year *y = &plan->years[k];

		rs_engine_grow(sc, k, &model);
		rc = run_year(sc, &model, k, plan, err);
		if (rc < 0)
			break;
		plan->n_years = k + 1;

		y->ne_gain_pct = NAN;
		y->cost_per_0p1pct_ne_usd = NAN;
		if (k > 0) {
			const struct rs_year *prev = &plan->years[k - 1];
			y->ne_gain_pct = 100.0 * (prev->ne - y->ne) / prev->ne;
			if (y->ne_gain_pct > 0.0)
				y->cost_per_0p1pct_ne_usd = (y->cost.total_usd
					- prev->cost.total_usd)
					/ (y->ne_gain_pct / 0.1);
		}
	}
	rs_workload_free(&model);
	return rc;
}
