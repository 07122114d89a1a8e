/* Loading and checking scenario files; see scenario.h. */
#include <float.h>
#include <math.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "searchpath.h"

const char *const rs_lever_names[RS_N_LEVERS] = {
	"retention_days", "negative_keep_frac", "embedding_rows",
	"embedding_dim", "top_mlp", "all_mlp"
};

const char *const rs_uncertain_names[RS_N_UNCERTAIN] = {
	"growth_per_year_frac", "device_price_scale", "efficiency_scale",
	"usd_per_kwh"
};

static int load_law(const struct rs_conf *conf, const config_setting_t *root,
	struct rs_scenario *sc, struct rs_error *err)
{
	static const char *const keys[] = { "file", "scheme", NULL };
	const config_setting_t *g = rs_conf_group(conf, root, "law", err);
	const char *file, *scheme;
	char path[RS_PATH_MAX];
	struct rs_error find_err;

	if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0
	    || rs_conf_string(conf, g, "file", &file, err) < 0
	    || rs_conf_string(conf, g, "scheme", &scheme, err) < 0)
		return -1;
	if (rs_find_data("models", file, path, sizeof path, &find_err) < 0)
		return rs_conf_fail(conf, config_setting_get_member(g, "file"),
			NULL, NULL, err, "%s", find_err.msg);
	if (rs_law_load(path, &sc->law, err) < 0)
		return -1;
	sc->law_scheme = rs_law_scheme_index(&sc->law, scheme);
	if (sc->law_scheme < 0)
		return rs_conf_fail(conf, config_setting_get_member(g, "scheme"),
			NULL, NULL, err, "scheme \"%s\" is not in %s; run "
			"`recscale law %s` to list its schemes", scheme, path,
			file);
	if (!sc->law.schemes[sc->law_scheme].data.present)
		return rs_conf_fail(conf, config_setting_get_member(g, "scheme"),
			NULL, NULL, err, "scheme \"%s\" of %s has no data term, "
			"and a plan needs NE as a function of data_samples; "
			"use a law with one (recscale fit --x data_samples)",
			scheme, path);
	return 0;
}

static int load_data(const struct rs_conf *conf, const config_setting_t *root,
	struct rs_data_params *d, struct rs_error *err)
{
	static const char *const keys[] = {
		"samples_per_day", "growth_per_year_frac", "retention_days",
		"positive_frac", "negative_keep_frac", "bytes_per_sample",
		"epochs", NULL
	};
	const config_setting_t *g = rs_conf_group(conf, root, "data", err);

	if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0)
		return -1;
	d->epochs = 1.0;
	if (rs_conf_double(conf, g, "samples_per_day", 1.0, 1e18,
			&d->samples_per_day, err) < 0
	    || rs_conf_double(conf, g, "growth_per_year_frac", -0.99, 100.0,
			&d->growth_per_year_frac, err) < 0
	    || rs_conf_double(conf, g, "retention_days", 1.0, 36525.0,
			&d->retention_days, err) < 0
	    || rs_conf_double(conf, g, "positive_frac", 1e-9, 1.0,
			&d->positive_frac, err) < 0
	    || rs_conf_double(conf, g, "negative_keep_frac", 1e-9, 1.0,
			&d->negative_keep_frac, err) < 0
	    || rs_conf_double(conf, g, "bytes_per_sample", 1.0, 1e9,
			&d->bytes_per_sample, err) < 0
	    || rs_conf_double_opt(conf, g, "epochs", 1e-3, 1000.0, &d->epochs,
			err) < 0)
		return -1;
	return 0;
}

static int load_training(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_training_params *t,
	struct rs_error *err)
{
	static const char *const keys[] = {
		"window_days", "global_batch_samples", "dense_precision",
		"embedding_host_memory", "min_epochs", "noise_batch_samples",
		"eval_samples", "eval_interval_epochs", NULL
	};
	const config_setting_t *g = rs_conf_group(conf, root, "training", err);
	const char *precision;
	int64_t batch;

	if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0
	    || rs_conf_double(conf, g, "window_days", 1e-3, 3660.0,
			&t->window_days, err) < 0
	    || rs_conf_count(conf, g, "global_batch_samples", 1, INT64_C(1) << 40,
			&batch, err) < 0
	    || rs_conf_string(conf, g, "dense_precision", &precision, err) < 0)
		return -1;
	t->global_batch_samples = (double)batch;
	if (rs_conf_double_opt(conf, g, "noise_batch_samples", 1.0, 1e15,
			&t->noise_batch_samples, err) < 0
	    || rs_conf_double_opt(conf, g, "eval_samples", 0.0, 1e18,
			&t->eval_samples, err) < 0
	    || rs_conf_double_opt(conf, g, "eval_interval_epochs", 0.0, 1e6,
			&t->eval_interval_epochs, err) < 0)
		return -1;
	if (t->noise_batch_samples > 0.0
	    && rs_conf_double(conf, g, "min_epochs", 1e-6, 1000.0,
			&t->min_epochs, err) < 0)
		return -1;
	if (t->noise_batch_samples == 0.0 && rs_conf_has(g, "min_epochs"))
		return rs_conf_fail(conf, config_setting_get_member(g,
			"min_epochs"), NULL, NULL, err, "is given without "
			"noise_batch_samples; give both, or use data.epochs");
	if (strcmp(precision, "fp32") != 0 && strcmp(precision, "bf16") != 0
	    && strcmp(precision, "fp16") != 0 && strcmp(precision, "fp8") != 0)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"dense_precision"), NULL, NULL, err, "precision \"%s\" "
			"is not known; write \"fp32\", \"bf16\", \"fp16\" or "
			"\"fp8\"", precision);
	snprintf(t->dense_precision, sizeof t->dense_precision, "%s",
		precision);
	t->use_host_memory = 1;
	if (rs_conf_has(g, "embedding_host_memory")) {
		const config_setting_t *s = config_setting_get_member(g,
			"embedding_host_memory");
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return rs_conf_fail(conf, s, NULL, NULL, err, "expected "
				"true or false");
		t->use_host_memory = config_setting_get_bool(s);
	}
	return 0;
}

static int load_storage_and_cost(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_scenario *sc,
	struct rs_error *err)
{
	static const char *const storage_keys[] = {
		"capacity_bytes", "read_bytes_per_s", "usd_per_pb_month", NULL
	};
	static const char *const cost_keys[] = {
		"lifetime_years", "interconnect_share_frac", "pue",
		"usd_per_kwh", "utilization_frac", "budget_usd_per_year", NULL
	};
	const config_setting_t *s = rs_conf_group(conf, root, "storage", err);
	const config_setting_t *c;
	struct rs_cost_params *p = &sc->cost;

	if (s == NULL || rs_conf_check_keys(conf, s, storage_keys, err) < 0
	    || rs_conf_double(conf, s, "capacity_bytes", 0.0, 1e24,
			&sc->storage.capacity_bytes, err) < 0
	    || rs_conf_double(conf, s, "read_bytes_per_s", 0.0, 1e18,
			&sc->storage.read_bytes_per_s, err) < 0
	    || rs_conf_double(conf, s, "usd_per_pb_month", 0.0, 1e9,
			&p->storage_usd_per_pb_month, err) < 0)
		return -1;

	c = rs_conf_group(conf, root, "cost", err);
	if (c == NULL || rs_conf_check_keys(conf, c, cost_keys, err) < 0
	    || rs_conf_double(conf, c, "lifetime_years", 0.1, 50.0,
			&p->lifetime_years, err) < 0
	    || rs_conf_double(conf, c, "interconnect_share_frac", 0.0, 0.9,
			&p->interconnect_share_frac, err) < 0
	    || rs_conf_double(conf, c, "pue", 1.0, 5.0, &p->pue, err) < 0
	    || rs_conf_double(conf, c, "usd_per_kwh", 0.0, 10.0,
			&p->usd_per_kwh, err) < 0
	    || rs_conf_double(conf, c, "utilization_frac", 0.0, 1.0,
			&p->utilization_frac, err) < 0
	    || rs_conf_double_opt(conf, c, "budget_usd_per_year", 0.0, 1e15,
			&sc->budget_usd_per_year, err) < 0)
		return -1;
	return 0;
}

/* Read first_year and last_year of a range entry and clip them to the
 * horizon; fails when the range is reversed or misses the horizon. */
static int load_range(const struct rs_conf *conf, const config_setting_t *g,
	const struct rs_scenario *sc, int *first, int *last,
	struct rs_error *err)
{
	int64_t a, b;

	if (rs_conf_count(conf, g, "first_year", 1900, 2200, &a, err) < 0
	    || rs_conf_count(conf, g, "last_year", 1900, 2200, &b, err) < 0)
		return -1;
	if (a > b)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"first_year"), NULL, NULL, err, "first_year %d is after "
			"last_year %d; swap them", (int)a, (int)b);
	if (b < sc->first_year || a > sc->last_year)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"first_year"), NULL, NULL, err, "years %d-%d do not "
			"overlap the scenario's years %d-%d; fix the range or "
			"remove the entry", (int)a, (int)b, sc->first_year,
			sc->last_year);
	*first = a < sc->first_year ? sc->first_year : (int)a;
	*last = b > sc->last_year ? sc->last_year : (int)b;
	return 0;
}

/* Load profile name (found through the search path) into the next free
 * slot of sc->hardware, or find it there when already loaded. */
static int load_profile(const struct rs_conf *conf,
	const config_setting_t *g, const char *name, struct rs_scenario *sc,
	int *index, struct rs_error *err)
{
	char path[RS_PATH_MAX];
	struct rs_error find_err;

	if (rs_find_data("hwprofiles", name, path, sizeof path, &find_err) < 0)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"profile"), NULL, NULL, err, "%s (`recscale hw list` "
			"shows the profiles found)", find_err.msg);
	for (int i = 0; i < sc->n_hardware; i++)
		if (strcmp(sc->hardware[i].path, path) == 0) {
			*index = i;
			return 0;
		}
	if (sc->n_hardware == RS_MAX_HARDWARE)
		return rs_conf_fail(conf, g, NULL, NULL, err, "more than %d "
			"different profiles; use at most %d", RS_MAX_HARDWARE,
			RS_MAX_HARDWARE);
	if (rs_hw_load(path, &sc->hardware[sc->n_hardware], err) < 0)
		return -1;
	*index = sc->n_hardware++;
	return 0;
}

static int load_hardware(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_scenario *sc,
	struct rs_error *err)
{
	static const char *const keys[] = {
		"profile", "first_year", "last_year", NULL
	};
	const config_setting_t *list = rs_conf_list(conf, root, "hardware", err);
	const config_setting_t *owner[RS_MAX_YEARS] = { NULL };
	int n_years = sc->last_year - sc->first_year + 1;

	if (list == NULL)
		return -1;
	if (config_setting_length(list) > RS_MAX_HARDWARE)
		return rs_conf_fail(conf, list, NULL, NULL, err, "has %d "
			"entries; at most %d are supported",
			config_setting_length(list), RS_MAX_HARDWARE);
	for (int y = 0; y < n_years; y++)
		sc->hw_of_year[y] = -1;

	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list,
			(unsigned)i);
		const char *name;
		int first, last, index;

		if (!config_setting_is_group(g))
			return rs_conf_fail(conf, g, NULL, NULL, err, "expected "
				"a group `{ profile = ...; first_year = ...; "
				"last_year = ...; }`");
		if (rs_conf_check_keys(conf, g, keys, err) < 0
		    || rs_conf_string(conf, g, "profile", &name, err) < 0
		    || load_range(conf, g, sc, &first, &last, err) < 0)
			return -1;
		if (load_profile(conf, g, name, sc, &index, err) < 0)
			return -1;
		for (int y = first; y <= last; y++) {
			int k = y - sc->first_year;
			if (owner[k] != NULL)
				return rs_conf_fail(conf, g, NULL, NULL, err,
					"year %d already uses the profile "
					"given at line %d; give each year one "
					"profile", y,
					config_setting_source_line(owner[k]));
			owner[k] = g;
			sc->hw_of_year[k] = index;
		}
	}
	for (int y = 0; y < n_years; y++)
		if (sc->hw_of_year[y] < 0)
			return rs_conf_fail(conf, list, NULL, NULL, err, "no "
				"profile covers year %d; add an entry whose "
				"first_year-last_year includes it",
				sc->first_year + y);
	return 0;
}

static int load_growth(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_scenario *sc,
	struct rs_error *err)
{
	static const char *const keys[] = {
		"first_year", "last_year", "embedding_rows", "embedding_dim",
		"top_mlp", "all_mlp", NULL
	};
	const config_setting_t *list;
	const config_setting_t *owner[RS_MAX_YEARS] = { NULL };

	for (int y = 0; y < RS_MAX_YEARS; y++)
		for (int s = 0; s < RS_N_SCHEMES; s++)
			sc->growth_of_year[y][s] = 1.0;
	if (!rs_conf_has(root, "growth"))
		return 0;
	list = rs_conf_list(conf, root, "growth", err);
	if (list == NULL)
		return -1;
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list,
			(unsigned)i);
		double factor[RS_N_SCHEMES];
		int first, last;

		if (!config_setting_is_group(g))
			return rs_conf_fail(conf, g, NULL, NULL, err, "expected "
				"a group `{ first_year = ...; last_year = ...; "
				"embedding_rows = ...; }`");
		if (rs_conf_check_keys(conf, g, keys, err) < 0
		    || load_range(conf, g, sc, &first, &last, err) < 0)
			return -1;
		for (int s = 0; s < RS_N_SCHEMES; s++) {
			factor[s] = 1.0;
			if (rs_conf_double_opt(conf, g, rs_scheme_names[s], 0.01,
					100.0, &factor[s], err) < 0)
				return -1;
		}
		for (int y = first; y <= last; y++) {
			int k = y - sc->first_year;
			if (owner[k] != NULL)
				return rs_conf_fail(conf, g, NULL, NULL, err,
					"year %d already has growth factors "
					"from line %d; give each year one "
					"entry", y,
					config_setting_source_line(owner[k]));
			owner[k] = g;
			for (int s = 0; s < RS_N_SCHEMES; s++)
				sc->growth_of_year[k][s] = factor[s];
		}
	}
	return 0;
}

/* An array element that must be a finite number. */
static int element_number(const struct rs_conf *conf,
	const config_setting_t *e, double *v, struct rs_error *err)
{
	switch (config_setting_type(e)) {
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(e);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(e);
		break;
	default:
		return rs_conf_fail(conf, e, NULL, NULL, err, "expected a "
			"number; write the value without quotes");
	}
	if (!isfinite(*v))
		return rs_conf_fail(conf, e, NULL, NULL, err, "value is not "
			"finite; give a finite number");
	return 0;
}

/* Candidate values of one lever: an ascending array of positive numbers.
 * Without the key the lever keeps its plan value (the data levers) or 1
 * (the model multipliers). */
static int load_candidates(const struct rs_conf *conf,
	const config_setting_t *g, int lever, double plan_value,
	struct rs_levers *lv, struct rs_error *err)
{
	const config_setting_t *a;

	lv->n[lever] = 1;
	lv->value[lever][0] = plan_value;
	if (g == NULL || !rs_conf_has(g, rs_lever_names[lever]))
		return 0;
	a = rs_conf_list(conf, g, rs_lever_names[lever], err);
	if (a == NULL)
		return -1;
	if (config_setting_length(a) > RS_MAX_CANDIDATES)
		return rs_conf_fail(conf, a, NULL, NULL, err, "has %d values; "
			"give at most %d", config_setting_length(a),
			RS_MAX_CANDIDATES);
	lv->n[lever] = config_setting_length(a);
	for (int i = 0; i < lv->n[lever]; i++) {
		const config_setting_t *e = config_setting_get_elem(a,
			(unsigned)i);
		double v, max = lever == RS_LEVER_NEGATIVE_KEEP_FRAC ? 1.0 : 1e6;

		if (element_number(conf, e, &v, err) < 0)
			return -1;

		if (!(v > 0.0) || v > max)
			return rs_conf_fail(conf, e, NULL, NULL, err, "value %g "
				"is out of range; give a value above 0 and at "
				"most %g", v, max);
		if (i > 0 && !(v > lv->value[lever][i - 1]))
			return rs_conf_fail(conf, e, NULL, NULL, err, "value %g "
				"does not increase; list the values in "
				"ascending order", v);
		lv->value[lever][i] = v;
	}
	return 0;
}

/* An exhaustive search sizes every candidate, a few thousand a second:
 * keep one year's search within about a minute. */
#define MAX_CANDIDATES_PER_YEAR 200000.0

static int check_search_size(const struct rs_conf *conf,
	const config_setting_t *g, const struct rs_scenario *sc,
	struct rs_error *err)
{
	for (int y = 0; y <= sc->last_year - sc->first_year; y++) {
		double n = __builtin_popcount(sc->levers.hw_mask[y]);
		for (int l = 0; l < RS_N_LEVERS; l++)
			n *= sc->levers.n[l];
		if (n > MAX_CANDIDATES_PER_YEAR)
			return rs_conf_fail(conf, g, NULL, NULL, err, "gives "
				"%.0f candidate plans in year %d, more than "
				"%.0f; offer fewer values or profiles", n,
				sc->first_year + y, MAX_CANDIDATES_PER_YEAR);
	}
	return 0;
}

static int load_optimize(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_scenario *sc,
	struct rs_error *err)
{
	static const char *const keys[] = {
		"retention_days", "negative_keep_frac", "embedding_rows",
		"embedding_dim", "top_mlp", "all_mlp", "hardware", NULL
	};
	const config_setting_t *g = NULL, *list;
	struct rs_levers *lv = &sc->levers;
	int n_years = sc->last_year - sc->first_year + 1;

	if (rs_conf_has(root, "optimize")) {
		g = rs_conf_group(conf, root, "optimize", err);
		if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0)
			return -1;
	}
	if (load_candidates(conf, g, RS_LEVER_RETENTION_DAYS,
			sc->data.retention_days, lv, err) < 0
	    || load_candidates(conf, g, RS_LEVER_NEGATIVE_KEEP_FRAC,
			sc->data.negative_keep_frac, lv, err) < 0)
		return -1;
	for (int l = RS_LEVER_EMBEDDING_ROWS; l < RS_N_LEVERS; l++)
		if (load_candidates(conf, g, l, 1.0, lv, err) < 0)
			return -1;

	for (int y = 0; y < n_years; y++)
		lv->hw_mask[y] = 1u << sc->hw_of_year[y];
	if (g == NULL || !rs_conf_has(g, "hardware"))
		return g == NULL ? 0 : check_search_size(conf, g, sc, err);
	list = rs_conf_list(conf, g, "hardware", err);
	if (list == NULL)
		return -1;
	for (int y = 0; y < n_years; y++)
		lv->hw_mask[y] = 0;
	for (int i = 0; i < config_setting_length(list); i++) {
		static const char *const hw_keys[] = {
			"profile", "first_year", "last_year", NULL
		};
		const config_setting_t *h = config_setting_get_elem(list,
			(unsigned)i);
		const char *name;
		int first, last, index;

		if (!config_setting_is_group(h))
			return rs_conf_fail(conf, h, NULL, NULL, err, "expected "
				"a group `{ profile = ...; first_year = ...; "
				"last_year = ...; }`");
		if (rs_conf_check_keys(conf, h, hw_keys, err) < 0
		    || rs_conf_string(conf, h, "profile", &name, err) < 0
		    || load_range(conf, h, sc, &first, &last, err) < 0
		    || load_profile(conf, h, name, sc, &index, err) < 0)
			return -1;
		for (int y = first; y <= last; y++)
			lv->hw_mask[y - sc->first_year] |= 1u << index;
	}
	for (int y = 0; y < n_years; y++)
		if (lv->hw_mask[y] == 0)
			return rs_conf_fail(conf, list, NULL, NULL, err, "no "
				"profile is allowed in year %d; add an entry "
				"that covers it", sc->first_year + y);
	return check_search_size(conf, g, sc, err);
}

static int load_uncertainty(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_uncertainty *u,
	struct rs_error *err)
{
	const config_setting_t *g;

	memset(u, 0, sizeof *u);
	if (!rs_conf_has(root, "uncertainty"))
		return 0;
	g = rs_conf_group(conf, root, "uncertainty", err);
	if (g == NULL || rs_conf_check_keys(conf, g, rs_uncertain_names,
			err) < 0)
		return -1;
	for (int k = 0; k < RS_N_UNCERTAIN; k++) {
		const config_setting_t *a;
		double v[2];

		if (!rs_conf_has(g, rs_uncertain_names[k]))
			continue;
		a = rs_conf_list(conf, g, rs_uncertain_names[k], err);
		if (a == NULL)
			return -1;
		if (config_setting_length(a) != 2)
			return rs_conf_fail(conf, a, NULL, NULL, err, "has %d "
				"values; give two, [low, high]",
				config_setting_length(a));
		for (int i = 0; i < 2; i++) {
			const config_setting_t *e = config_setting_get_elem(a,
				(unsigned)i);
			double min = k == RS_UNCERTAIN_GROWTH ? -0.99 : 0.0;
			double max = k == RS_UNCERTAIN_GROWTH ? 100.0 : 1e3;

			if (element_number(conf, e, &v[i], err) < 0)
				return -1;
			if (v[i] < min || v[i] > max)
				return rs_conf_fail(conf, e, NULL, NULL, err,
					"value %g is out of range; give a value "
					"from %g to %g", v[i], min, max);
		}
		if (v[1] < v[0])
			return rs_conf_fail(conf, a, NULL, NULL, err, "low %g is "
				"above high %g; give [low, high]", v[0], v[1]);
		u->given[k] = 1;
		u->low[k] = v[0];
		u->high[k] = v[1];
	}
	return 0;
}

int rs_scenario_load(const char *path, struct rs_scenario *sc,
	struct rs_error *err)
{
	static const char *const keys[] = {
		"name", "description", "first_year", "last_year", "law",
		"workload", "data", "training", "storage", "cost", "hardware",
		"growth", "optimize", "uncertainty", NULL
	};
	struct rs_conf conf;
	const config_setting_t *root, *w;
	int64_t first, last;
	int rc = -1;

	memset(sc, 0, sizeof *sc);
	if (rs_conf_open(&conf, path, err) < 0)
		return -1;
	root = rs_conf_root(&conf);
	sc->path = strdup(path);
	if (sc->path == NULL
	    || rs_conf_check_keys(&conf, root, keys, err) < 0
	    || rs_conf_dup_string(&conf, root, "name", &sc->name, err) < 0
	    || rs_conf_dup_string(&conf, root, "description", &sc->description, err) < 0
	    || rs_conf_count(&conf, root, "first_year", 1900, 2200, &first,
			err) < 0
	    || rs_conf_count(&conf, root, "last_year", 1900, 2200, &last,
			err) < 0)
		goto out;
	if (last < first || last - first + 1 > RS_MAX_YEARS) {
		rs_conf_fail(&conf, config_setting_get_member(root, "last_year"),
			NULL, NULL, err, "years %d-%d are not a valid horizon; "
			"give first_year <= last_year, at most %d years",
			(int)first, (int)last, RS_MAX_YEARS);
		goto out;
	}
	sc->first_year = (int)first;
	sc->last_year = (int)last;

	w = rs_conf_group(&conf, root, "workload", err);
	if (w == NULL || rs_workload_load(&conf, w, &sc->workload, err) < 0
	    || load_law(&conf, root, sc, err) < 0
	    || load_data(&conf, root, &sc->data, err) < 0
	    || load_training(&conf, root, &sc->training, err) < 0
	    || load_storage_and_cost(&conf, root, sc, err) < 0
	    || load_hardware(&conf, root, sc, err) < 0
	    || load_growth(&conf, root, sc, err) < 0
	    || load_optimize(&conf, root, sc, err) < 0
	    || load_uncertainty(&conf, root, &sc->uncertainty, err) < 0)
		goto out;
	rc = 0;
out:
	rs_conf_close(&conf);
	if (rc < 0)
		rs_scenario_free(sc);
	return rc;
}

double rs_scenario_epochs(const struct rs_scenario *sc, double batch)
{
	const struct rs_training_params *t = &sc->training;

	if (t->noise_batch_samples > 0.0)
		return t->min_epochs * (1.0 + batch / t->noise_batch_samples);
	return sc->data.epochs;
}

double rs_scenario_eval_samples(const struct rs_scenario *sc, double epochs)
{
	const struct rs_training_params *t = &sc->training;

	if (t->eval_interval_epochs <= 0.0)
		return 0.0;
	return t->eval_samples * epochs / t->eval_interval_epochs;
}

void rs_scenario_free(struct rs_scenario *sc)
{
	for (int i = 0; i < sc->n_hardware; i++)
		rs_hw_free(&sc->hardware[i]);
	rs_law_free(&sc->law);
	rs_workload_free(&sc->workload);
	free(sc->path);
	free(sc->name);
	free(sc->description);
	memset(sc, 0, sizeof *sc);
}
