/* Loading and evaluating scaling-law files; see law.h for the forms. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "law.h"

static int load_term(const struct rs_conf *conf,
	const config_setting_t *scheme, const char *key, const char *unit,
	struct rs_term *term, struct rs_error *err)
{
	static const char *const keys[] = {
		"coefficient", "exponent", "ref", "unit", NULL
	};
	const config_setting_t *g = rs_conf_group(conf, scheme, key, err);

	if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0)
		return -1;
	if (rs_conf_sourced(conf, g, "coefficient", DBL_MIN, 1.0,
			&term->coefficient, err) < 0
	    || rs_conf_sourced(conf, g, "exponent", 1e-6, 5.0,
			&term->exponent, err) < 0
	    || rs_conf_sourced(conf, g, "ref", DBL_MIN, DBL_MAX, &term->ref,
			err) < 0
	    || rs_conf_dup_string(conf, g, "unit", &term->unit, err) < 0)
		return -1;
	if (strcmp(term->unit, unit) != 0)
		return rs_conf_fail(conf, config_setting_get_member(g, "unit"),
			NULL, NULL, err, "unit \"%s\" is not the one this term "
			"uses; write unit = \"%s\"", term->unit, unit);
	return 0;
}

static int load_scheme(const struct rs_conf *conf, const config_setting_t *g,
	struct rs_scheme_law *s, struct rs_error *err)
{
	static const char *const keys[] = {
		"name", "description", "params_resource", "gamma", "data",
		"params", "compute", NULL
	};

	if (rs_conf_check_keys(conf, g, keys, err) < 0
	    || rs_conf_dup_string(conf, g, "name", &s->name, err) < 0
	    || rs_conf_dup_string(conf, g, "description", &s->description, err) < 0
	    || rs_conf_dup_string(conf, g, "params_resource", &s->params_resource,
			err) < 0)
		return -1;
	if (strcmp(s->params_resource, "params_embedding") != 0
	    && strcmp(s->params_resource, "params_dense") != 0)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"params_resource"), NULL, NULL, err, "\"%s\" is not a "
			"parameter resource; write \"params_embedding\" or "
			"\"params_dense\"", s->params_resource);
	if (rs_conf_sourced(conf, g, "gamma", 0.0, 10.0, &s->gamma, err) < 0
	    || load_term(conf, g, "data", "samples", &s->data, err) < 0
	    || load_term(conf, g, "params", "parameters", &s->params, err) < 0
	    || load_term(conf, g, "compute", "flops", &s->compute, err) < 0)
		return -1;
	return 0;
}

int rs_law_load(const char *path, struct rs_law *law, struct rs_error *err)
{
	static const char *const keys[] = {
		"name", "metric", "source", "note", "schemes", NULL
	};
	struct rs_conf conf;
	const config_setting_t *root, *list;
	int rc = -1;

	memset(law, 0, sizeof *law);
	if (rs_conf_open(&conf, path, err) < 0)
		return -1;
	root = rs_conf_root(&conf);
	law->path = strdup(path);
	if (law->path == NULL
	    || rs_conf_check_keys(&conf, root, keys, err) < 0
	    || rs_conf_dup_string(&conf, root, "name", &law->name, err) < 0
	    || rs_conf_dup_string(&conf, root, "metric", &law->metric, err) < 0
	    || rs_conf_dup_string(&conf, root, "source", &law->source, err) < 0)
		goto out;
	if (strcmp(law->metric, "normalized_entropy") != 0) {
		rs_conf_fail(&conf, config_setting_get_member(root, "metric"),
			NULL, NULL, err, "metric \"%s\" is not supported; write "
			"\"normalized_entropy\"", law->metric);
		goto out;
	}
	list = rs_conf_list(&conf, root, "schemes", err);
	if (list == NULL)
		goto out;
	if (config_setting_length(list) > RS_LAW_MAX_SCHEMES) {
		rs_conf_fail(&conf, list, NULL, NULL, err, "has %d entries; at "
			"most %d schemes are supported",
			config_setting_length(list), RS_LAW_MAX_SCHEMES);
		goto out;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list,
			(unsigned)i);
		if (!config_setting_is_group(g)) {
			rs_conf_fail(&conf, g, NULL, NULL, err, "expected a "
				"group `{ name = ...; }` describing a scheme");
			goto out;
		}
		law->n_schemes = i + 1;
		if (load_scheme(&conf, g, &law->schemes[i], err) < 0)
			goto out;
		if (rs_law_scheme_index(law, law->schemes[i].name) != i) {
			rs_conf_fail(&conf, config_setting_get_member(g, "name"),
				NULL, NULL, err, "scheme \"%s\" is defined "
				"twice; give each scheme once",
				law->schemes[i].name);
			goto out;
		}
	}
	rc = 0;
out:
	rs_conf_close(&conf);
	if (rc < 0)
		rs_law_free(law);
	return rc;
}

static void free_term(struct rs_term *t)
{
	rs_sourced_free(&t->coefficient);
	rs_sourced_free(&t->exponent);
	rs_sourced_free(&t->ref);
	free(t->unit);
}

void rs_law_free(struct rs_law *law)
{
	for (int i = 0; i < law->n_schemes; i++) {
		struct rs_scheme_law *s = &law->schemes[i];
		free(s->name);
		free(s->description);
		free(s->params_resource);
		rs_sourced_free(&s->gamma);
		free_term(&s->data);
		free_term(&s->params);
		free_term(&s->compute);
	}
	free(law->path);
	free(law->name);
	free(law->metric);
	free(law->source);
	memset(law, 0, sizeof *law);
}

int rs_law_scheme_index(const struct rs_law *law, const char *name)
{
	for (int i = 0; i < law->n_schemes; i++)
		if (law->schemes[i].name && strcmp(law->schemes[i].name, name) == 0)
			return i;
	return -1;
}

double rs_term_eval(const struct rs_term *term, double x)
{
	return term->coefficient.value
		* pow(x / term->ref.value, -term->exponent.value);
}

double rs_term_invert(const struct rs_term *term, double value)
{
	return term->ref.value * pow(value / term->coefficient.value,
		-1.0 / term->exponent.value);
}

double rs_term_gain_per_doubling(const struct rs_term *term, double x)
{
	return rs_term_eval(term, x) * (1.0 - pow(2.0, -term->exponent.value));
}

double rs_law_ne(const struct rs_scheme_law *s, double data_samples,
	double params)
{
	return s->gamma.value + rs_term_eval(&s->data, data_samples)
		+ rs_term_eval(&s->params, params);
}

double rs_law_ne_compute(const struct rs_scheme_law *s, double flops)
{
	return s->gamma.value + rs_term_eval(&s->compute, flops);
}

static int solve(const struct rs_term *term, double remaining,
	double floor_ne, const char *resource, double *out,
	struct rs_error *err)
{
	if (!(remaining > 0.0))
		return rs_fail(err, "target NE %.6f is not reachable by more "
			"%s: NE never falls to %.6f or below with the other "
			"resources given; raise the target or the other "
			"resources", floor_ne + remaining, resource, floor_ne);
	*out = rs_term_invert(term, remaining);
	if (!isfinite(*out))
		return rs_fail(err, "the %s needed for NE %.6f overflow a "
			"double; raise the target", resource,
			floor_ne + remaining);
	return 0;
}

int rs_law_solve_data(const struct rs_scheme_law *s, double target_ne,
	double params, double *data_samples, struct rs_error *err)
{
	double floor_ne = s->gamma.value + rs_term_eval(&s->params, params);

	return solve(&s->data, target_ne - floor_ne, floor_ne, "data_samples",
		data_samples, err);
}

int rs_law_solve_params(const struct rs_scheme_law *s, double target_ne,
	double data_samples, double *params, struct rs_error *err)
{
	double floor_ne = s->gamma.value + rs_term_eval(&s->data, data_samples);

	return solve(&s->params, target_ne - floor_ne, floor_ne,
		s->params_resource, params, err);
}

int rs_law_solve_compute(const struct rs_scheme_law *s, double target_ne,
	double *flops, struct rs_error *err)
{
	return solve(&s->compute, target_ne - s->gamma.value, s->gamma.value,
		"flops", flops, err);
}

int rs_source_is_assumption(const char *source)
{
	return source == NULL || strncmp(source, "assumption", 10) == 0;
}
