/* DLRM parameter counts, FLOPs, bytes and memory per training sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

const char *const rs_scheme_names[RS_N_SCHEMES] = {
	"embedding_rows", "embedding_dim", "top_mlp", "all_mlp"
};

static const char *const optimizer_names[] = {
	"sgd", "rowwise_adagrad", "exact_adagrad", "adam"
};

const char *rs_optimizer_name(enum rs_optimizer opt)
{
	return optimizer_names[opt];
}

/* fp32 state: row-wise Adagrad keeps one accumulator per row, exact Adagrad
 * one per element, Adam two moments per element. */
double rs_optimizer_state_bytes_per_row(enum rs_optimizer opt, double dim)
{
	switch (opt) {
	case RS_OPT_SGD: return 0.0;
	case RS_OPT_ROWWISE_ADAGRAD: return 4.0;
	case RS_OPT_EXACT_ADAGRAD: return 4.0 * dim;
	case RS_OPT_ADAM: return 8.0 * dim;
	}
	return 0.0;
}

static int precision_bytes(const char *name, double *bytes)
{
	if (strcmp(name, "fp32") == 0)
		*bytes = 4.0;
	else if (strcmp(name, "fp16") == 0 || strcmp(name, "bf16") == 0)
		*bytes = 2.0;
	else if (strcmp(name, "int8") == 0)
		*bytes = 1.0;
	else
		return -1;
	return 0;
}

static int load_widths(const struct rs_conf *conf, const config_setting_t *g,
	const char *key, double *widths, int *n, struct rs_error *err)
{
	const config_setting_t *list = rs_conf_list(conf, g, key, err);

	if (list == NULL)
		return -1;
	*n = config_setting_length(list);
	if (*n > RS_MAX_LAYERS)
		return rs_conf_fail(conf, list, NULL, NULL, err, "has %d layers; "
			"at most %d are supported", *n, RS_MAX_LAYERS);
	for (int i = 0; i < *n; i++) {
		int64_t width;
		if (rs_conf_count_elem(conf, list, i, 1, 1000000000, &width,
				err) < 0)
			return -1;
		widths[i] = (double)width;
	}
	return 0;
}

/* One table entry: { rows = ...; pooling = ...; [dim = ...;]
 * [precision = "...";] [count = ...;] [zipf = ...;] }.  Appends count
 * tables. */
static int load_table(const struct rs_conf *conf, const config_setting_t *t,
	double default_dim, double default_bytes, double default_zipf,
	struct rs_workload *w, int *cap, struct rs_error *err)
{
	static const char *const keys[] = {
		"rows", "pooling", "dim", "precision", "count", "zipf", NULL
	};
	int64_t rows, dim = (int64_t)default_dim, count = 1;
	double pooling, bytes = default_bytes, zipf = default_zipf;
	const char *precision;

	if (!config_setting_is_group(t))
		return rs_conf_fail(conf, t, NULL, NULL, err, "expected a group "
			"`{ rows = ...; pooling = ...; }` describing a table");
	if (rs_conf_check_keys(conf, t, keys, err) < 0
	    || rs_conf_count(conf, t, "rows", 1, INT64_C(1) << 50, &rows,
			err) < 0
	    || rs_conf_double(conf, t, "pooling", 0.0, 1e6, &pooling, err) < 0
	    || rs_conf_count_opt(conf, t, "dim", 1, 65536, &dim, err) < 0
	    || rs_conf_count_opt(conf, t, "count", 1, 1000000, &count, err) < 0
	    || rs_conf_double_opt(conf, t, "zipf", 0.0, 5.0, &zipf, err) < 0)
		return -1;
	if (rs_conf_has(t, "precision")) {
		if (rs_conf_string(conf, t, "precision", &precision, err) < 0)
			return -1;
		if (precision_bytes(precision, &bytes) < 0)
			return rs_conf_fail(conf, config_setting_get_member(t,
				"precision"), NULL, NULL, err, "precision "
				"\"%s\" is not known; write \"fp32\", \"fp16\", "
				"\"bf16\" or \"int8\"", precision);
	}
	if (w->n_tables + count > 10000000)
		return rs_conf_fail(conf, t, NULL, NULL, err, "more than 10 "
			"million tables in all; merge identical tables");
	while (w->n_tables + count > *cap) {
		int new_cap = *cap ? 2 * *cap : 64;
		struct rs_table *grown = realloc(w->tables,
			(size_t)new_cap * sizeof *grown);
		if (grown == NULL)
			return rs_fail(err, "out of memory");
		w->tables = grown;
		*cap = new_cap;
	}
	for (int64_t i = 0; i < count; i++) {
		struct rs_table *tab = &w->tables[w->n_tables++];
		tab->rows = (double)rows;
		tab->dim = (double)dim;
		tab->pooling = pooling;
		tab->bytes_per_element = bytes;
		tab->zipf = zipf;
	}
	return 0;
}

int rs_workload_load(const struct rs_conf *conf, const config_setting_t *g,
	struct rs_workload *w, struct rs_error *err)
{
	static const char *const keys[] = {
		"n_dense_features", "embedding_dim", "embedding_precision",
		"optimizer", "tables", "bottom_mlp", "interaction",
		"dcn_layers", "dcn_rank", "top_mlp", "activation_precision",
		"index_zipf", NULL
	};
	const char *precision, *name;
	const config_setting_t *tables;
	int64_t dim, features, layers = 0, rank = 0;
	double bytes, zipf = 0.0;
	int cap = 0;

	memset(w, 0, sizeof *w);
	if (rs_conf_check_keys(conf, g, keys, err) < 0
	    || rs_conf_count(conf, g, "n_dense_features", 0, 1000000,
			&features, err) < 0
	    || rs_conf_count(conf, g, "embedding_dim", 1, 65536, &dim, err) < 0
	    || rs_conf_string(conf, g, "embedding_precision", &precision,
			err) < 0)
		goto fail;
	w->n_dense_features = (double)features;
	if (precision_bytes(precision, &bytes) < 0) {
		rs_conf_fail(conf, config_setting_get_member(g,
			"embedding_precision"), NULL, NULL, err, "precision "
			"\"%s\" is not known; write \"fp32\", \"fp16\", \"bf16\" "
			"or \"int8\"", precision);
		goto fail;
	}

	if (rs_conf_string(conf, g, "optimizer", &name, err) < 0)
		goto fail;
	w->optimizer = RS_OPT_SGD;
	while (strcmp(name, optimizer_names[w->optimizer]) != 0) {
		if (w->optimizer == RS_OPT_ADAM) {
			rs_conf_fail(conf, config_setting_get_member(g,
				"optimizer"), NULL, NULL, err, "optimizer \"%s\" "
				"is not known; write \"sgd\", "
				"\"rowwise_adagrad\", \"exact_adagrad\" or "
				"\"adam\"", name);
			goto fail;
		}
		w->optimizer++;
	}

	w->activation_bytes = 4.0;
	if (rs_conf_has(g, "activation_precision")) {
		if (rs_conf_string(conf, g, "activation_precision", &name,
				err) < 0)
			goto fail;
		if (precision_bytes(name, &w->activation_bytes) < 0) {
			rs_conf_fail(conf, config_setting_get_member(g,
				"activation_precision"), NULL, NULL, err,
				"precision \"%s\" is not known; write \"fp32\", "
				"\"fp16\" or \"bf16\"", name);
			goto fail;
		}
	}

	if (rs_conf_double_opt(conf, g, "index_zipf", 0.0, 5.0, &zipf, err) < 0)
		goto fail;
	tables = rs_conf_list(conf, g, "tables", err);
	if (tables == NULL)
		goto fail;
	for (int i = 0; i < config_setting_length(tables); i++)
		if (load_table(conf, config_setting_get_elem(tables,
				(unsigned)i), (double)dim, bytes, zipf, w, &cap,
				err) < 0)
			goto fail;

	if (load_widths(conf, g, "bottom_mlp", w->bottom_mlp, &w->n_bottom,
			err) < 0
	    || load_widths(conf, g, "top_mlp", w->top_mlp, &w->n_top, err) < 0)
		goto fail;
	if (w->top_mlp[w->n_top - 1] != 1.0) {
		rs_conf_fail(conf, config_setting_get_member(g, "top_mlp"), NULL,
			NULL, err, "last width is %g; the top MLP must end in "
			"one output (the click logit)", w->top_mlp[w->n_top - 1]);
		goto fail;
	}

	if (rs_conf_string(conf, g, "interaction", &name, err) < 0)
		goto fail;
	if (strcmp(name, "dot") == 0) {
		w->interaction = RS_INTERACTION_DOT;
		for (int i = 0; i < w->n_tables; i++)
			if (w->tables[i].dim != w->bottom_mlp[w->n_bottom - 1]) {
				rs_conf_fail(conf, config_setting_get_member(g,
					"bottom_mlp"), NULL, NULL, err, "last "
					"width %g differs from table %d's dim "
					"%g; the dot interaction needs every "
					"vector the same width",
					w->bottom_mlp[w->n_bottom - 1], i + 1,
					w->tables[i].dim);
				goto fail;
			}
	} else if (strcmp(name, "dcnv2") == 0) {
		w->interaction = RS_INTERACTION_DCNV2;
		if (rs_conf_count(conf, g, "dcn_layers", 1, 64, &layers,
				err) < 0
		    || rs_conf_count(conf, g, "dcn_rank", 1, 1000000, &rank,
				err) < 0)
			goto fail;
	} else {
		rs_conf_fail(conf, config_setting_get_member(g, "interaction"),
			NULL, NULL, err, "interaction \"%s\" is not known; write "
			"\"dot\" or \"dcnv2\"", name);
		goto fail;
	}
	w->dcn_layers = (double)layers;
	w->dcn_rank = (double)rank;
	return 0;
fail:
	rs_workload_free(w);
	return -1;
}

void rs_workload_free(struct rs_workload *w)
{
	free(w->tables);
	memset(w, 0, sizeof *w);
}

int rs_workload_copy(struct rs_workload *dst, const struct rs_workload *src)
{
	size_t size = (size_t)src->n_tables * sizeof *src->tables;

	*dst = *src;
	dst->tables = malloc(size ? size : 1);
	if (dst->tables == NULL)
		return -1;
	memcpy(dst->tables, src->tables, size);
	return 0;
}

static double mlp_macs(double input, const double *widths, int n)
{
	double macs = 0.0;

	for (int i = 0; i < n; i++) {
		macs += input * widths[i];
		input = widths[i];
	}
	return macs;
}

static double mlp_params(double input, const double *widths, int n)
{
	double params = 0.0;

	for (int i = 0; i < n; i++) {
		params += input * widths[i] + widths[i];
		input = widths[i];
	}
	return params;
}

double rs_workload_top_input(const struct rs_workload *w)
{
	double bottom_out = w->bottom_mlp[w->n_bottom - 1];

	if (w->interaction == RS_INTERACTION_DOT) {
		double vectors = w->n_tables + 1.0;
		return bottom_out + vectors * (vectors - 1.0) / 2.0;
	}
	double width = bottom_out;
	for (int i = 0; i < w->n_tables; i++)
		width += w->tables[i].dim;
	return width;
}

/* Forward FLOPs and parameters of the interaction.  DCNv2 with a low-rank
 * cross layer computes x0 * (U (V x) + b) + x: two rank-r matmuls. */
static void interaction_cost(const struct rs_workload *w, double *flops,
	double *params)
{
	if (w->interaction == RS_INTERACTION_DOT) {
		double vectors = w->n_tables + 1.0;
		double dim = w->bottom_mlp[w->n_bottom - 1];
		*flops = vectors * (vectors - 1.0) / 2.0 * 2.0 * dim;
		*params = 0.0;
		return;
	}
	double width = rs_workload_top_input(w);
	*flops = w->dcn_layers * (4.0 * width * w->dcn_rank + 3.0 * width);
	*params = w->dcn_layers * (2.0 * width * w->dcn_rank + width);
}

void rs_workload_stats(const struct rs_workload *w,
	struct rs_workload_stats *st)
{
	double inter_flops, inter_params, pooled_width = 0.0, pool_flops = 0.0;
	double dense_state_per_param;

	memset(st, 0, sizeof *st);
	for (int i = 0; i < w->n_tables; i++) {
		const struct rs_table *t = &w->tables[i];
		double row_bytes = t->dim * t->bytes_per_element;
		double state = rs_optimizer_state_bytes_per_row(w->optimizer,
			t->dim);

		st->params_embedding += t->rows * t->dim;
		st->lookups_per_sample += t->pooling;
		st->embedding_bytes += t->rows * row_bytes;
		st->embedding_optimizer_bytes += t->rows * state;
		/* Forward reads each row once; the fused backward reads and
		 * writes the row and its optimizer state. */
		st->gather_bytes_per_sample += t->pooling
			* (3.0 * row_bytes + 2.0 * state);
		st->gather_accesses_per_sample += t->pooling
			* (state > 0.0 ? 5.0 : 3.0);
		st->fwd_gather_bytes_per_sample += t->pooling * row_bytes;
		pooled_width += t->dim;
		pool_flops += t->pooling * t->dim;
	}

	interaction_cost(w, &inter_flops, &inter_params);
	st->params_dense = mlp_params(w->n_dense_features, w->bottom_mlp,
			w->n_bottom)
		+ inter_params
		+ mlp_params(rs_workload_top_input(w), w->top_mlp, w->n_top);
	st->fwd_flops_per_sample = 2.0 * mlp_macs(w->n_dense_features,
			w->bottom_mlp, w->n_bottom)
		+ inter_flops
		+ 2.0 * mlp_macs(rs_workload_top_input(w), w->top_mlp, w->n_top)
		+ pool_flops;
	/* Backward computes gradients of activations and of weights: twice
	 * the forward matmul work. */
	st->train_flops_per_sample = 3.0 * st->fwd_flops_per_sample;

	/* fp32 weights and gradients plus the optimizer's fp32 state. */
	dense_state_per_param = 8.0
		+ rs_optimizer_state_bytes_per_row(w->optimizer, 1.0);
	st->dense_state_bytes = st->params_dense * dense_state_per_param;
	st->dense_grad_bytes = st->params_dense * 4.0;
	st->pooled_bytes_per_sample = pooled_width * w->activation_bytes;
}

/* Growth factors are applied to real architectures, so sizes stay whole
 * numbers (and at least 1). */
static double whole(double v)
{
	return v < 1.0 ? 1.0 : round(v);
}

void rs_workload_scale(struct rs_workload *w, enum rs_scheme scheme,
	double factor)
{
	switch (scheme) {
	case RS_SCHEME_EMBEDDING_ROWS:
		for (int i = 0; i < w->n_tables; i++)
			w->tables[i].rows = whole(w->tables[i].rows * factor);
		break;
	case RS_SCHEME_EMBEDDING_DIM:
		for (int i = 0; i < w->n_tables; i++)
			w->tables[i].dim = whole(w->tables[i].dim * factor);
		w->bottom_mlp[w->n_bottom - 1] = whole(
			w->bottom_mlp[w->n_bottom - 1] * factor);
		break;
	case RS_SCHEME_TOP_MLP:
		for (int i = 0; i < w->n_top - 1; i++)
			w->top_mlp[i] = whole(w->top_mlp[i] * factor);
		break;
	case RS_SCHEME_ALL_MLP:
		for (int i = 0; i < w->n_bottom - 1; i++)
			w->bottom_mlp[i] = whole(w->bottom_mlp[i] * factor);
		for (int i = 0; i < w->n_top - 1; i++)
			w->top_mlp[i] = whole(w->top_mlp[i] * factor);
		w->dcn_rank = whole(w->dcn_rank * factor);
		break;
	case RS_N_SCHEMES:
		break;
	}
}

double rs_harmonic(double n, double s)
{
	const double m = 10.0;	/* terms summed exactly before the tail */
	double sum = 0.0, tail;

	if (n < m) {
		for (double k = 1.0; k <= n; k++)
			sum += pow(k, -s);
		/* A fractional n interpolates linearly to the next term. */
		return sum + (n - floor(n)) * pow(floor(n) + 1.0, -s);
	}
	for (double k = 1.0; k < m; k++)
		sum += pow(k, -s);
	/* Euler-Maclaurin for the terms m..n. */
	if (fabs(s - 1.0) < 1e-9)
		tail = log(n / m);
	else
		tail = (pow(n, 1.0 - s) - pow(m, 1.0 - s)) / (1.0 - s);
	tail += 0.5 * (pow(m, -s) + pow(n, -s))
		+ s / 12.0 * (pow(m, -s - 1.0) - pow(n, -s - 1.0));
	return sum + tail;
}

double rs_workload_host_lookup_frac(const struct rs_workload *w,
	double device_frac)
{
	double lookups = 0.0, misses = 0.0;

	if (device_frac >= 1.0)
		return 0.0;
	if (device_frac <= 0.0)
		return 1.0;
	for (int i = 0; i < w->n_tables; i++) {
		const struct rs_table *t = &w->tables[i];
		double hot = device_frac * t->rows, hit;

		if (t->zipf == 0.0)
			hit = device_frac;
		else
			hit = rs_harmonic(hot, t->zipf)
				/ rs_harmonic(t->rows, t->zipf);
		lookups += t->pooling;
		misses += t->pooling * (1.0 - fmin(1.0, fmax(0.0, hit)));
	}
	return lookups > 0.0 ? misses / lookups : 0.0;
}
