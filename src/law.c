/* Loading and evaluating scaling-law files; see law.h for the forms. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "law.h"

const char *const rs_term_names[RS_N_TERMS] = { "data", "params", "compute" };
const char *const rs_term_field_names[RS_N_FIELDS] = {
	"coefficient", "exponent", "x0", "break_x", "exponent_above"
};
const char *const rs_sample_param_names[RS_N_SAMPLE_PARAMS + 1] = {
	"gamma",
	"data_coefficient", "data_exponent", "data_x0", "data_break_x",
	"data_exponent_above",
	"params_coefficient", "params_exponent", "params_x0",
	"params_break_x", "params_exponent_above",
	"compute_coefficient", "compute_exponent", "compute_x0",
	"compute_break_x", "compute_exponent_above",
	NULL
};

struct rs_term *rs_scheme_term(struct rs_scheme_law *s,
	enum rs_term_kind kind)
{
	return kind == RS_TERM_DATA ? &s->data
		: kind == RS_TERM_PARAMS ? &s->params : &s->compute;
}

struct rs_sourced *rs_term_field(struct rs_term *t, enum rs_term_field f)
{
	switch (f) {
	case RS_FIELD_COEFFICIENT: return &t->coefficient;
	case RS_FIELD_EXPONENT: return &t->exponent;
	case RS_FIELD_X0: return &t->x0;
	case RS_FIELD_BREAK_X: return &t->break_x;
	case RS_FIELD_EXPONENT_ABOVE: return &t->exponent_above;
	case RS_N_FIELDS: break;
	}
	return NULL;
}

static int load_optional(const struct rs_conf *conf,
	const config_setting_t *g, const char *key, double min, double max,
	struct rs_sourced *out, struct rs_error *err)
{
	if (!rs_conf_has(g, key))
		return 0;
	return rs_conf_sourced(conf, g, key, min, max, out, err);
}

static int load_term(const struct rs_conf *conf,
	const config_setting_t *scheme, const char *key, const char *unit,
	struct rs_term *term, struct rs_error *err)
{
	static const char *const keys[] = {
		"coefficient", "exponent", "ref", "unit", "x0", "break_x",
		"exponent_above", "fit_min", "fit_max", NULL
	};
	const config_setting_t *g;

	if (!rs_conf_has(scheme, key))
		return 0;
	g = rs_conf_group(conf, scheme, key, err);
	if (g == NULL || rs_conf_check_keys(conf, g, keys, err) < 0)
		return -1;
	term->present = 1;
	if (rs_conf_sourced(conf, g, "coefficient", DBL_MIN, 1e6,
			&term->coefficient, err) < 0
	    || rs_conf_sourced(conf, g, "exponent", 1e-6, 10.0,
			&term->exponent, err) < 0
	    || rs_conf_sourced(conf, g, "ref", DBL_MIN, DBL_MAX, &term->ref,
			err) < 0
	    || load_optional(conf, g, "x0", -DBL_MAX, DBL_MAX, &term->x0,
			err) < 0
	    || load_optional(conf, g, "break_x", DBL_MIN, DBL_MAX,
			&term->break_x, err) < 0
	    || load_optional(conf, g, "exponent_above", 1e-6, 10.0,
			&term->exponent_above, err) < 0
	    || load_optional(conf, g, "fit_min", DBL_MIN, DBL_MAX,
			&term->fit_min, err) < 0
	    || load_optional(conf, g, "fit_max", DBL_MIN, DBL_MAX,
			&term->fit_max, err) < 0
	    || rs_conf_dup_string(conf, g, "unit", &term->unit, err) < 0)
		return -1;
	if (strcmp(term->unit, unit) != 0)
		return rs_conf_fail(conf, config_setting_get_member(g, "unit"),
			NULL, NULL, err, "unit \"%s\" is not the one this term "
			"uses; write unit = \"%s\"", term->unit, unit);
	if (term->ref.value + term->x0.value <= 0.0)
		return rs_conf_fail(conf, config_setting_get_member(g, "x0"),
			NULL, NULL, err, "x0 %g makes ref + x0 non-positive; "
			"give x0 > -ref", term->x0.value);
	if ((term->break_x.value > 0.0) != (term->exponent_above.value > 0.0))
		return rs_conf_fail(conf, g, NULL, NULL, err, "a broken power "
			"law needs both break_x and exponent_above; give both "
			"or neither");
	if (term->fit_max.value < term->fit_min.value)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"fit_max"), NULL, NULL, err, "fit_max %g is below fit_min "
			"%g; swap them", term->fit_max.value,
			term->fit_min.value);
	return 0;
}

/* The field of s that sample parameter k replaces. */
static double *sample_target(struct rs_scheme_law *s, int k)
{
	if (k == RS_SAMPLE_GAMMA)
		return &s->gamma.value;
	k--;
	return &rs_term_field(rs_scheme_term(s, (enum rs_term_kind)(k
		/ RS_N_FIELDS)), (enum rs_term_field)(k % RS_N_FIELDS))->value;
}

static int load_samples(const struct rs_conf *conf,
	const config_setting_t *scheme, struct rs_scheme_law *s,
	struct rs_error *err)
{
	const config_setting_t *g;

	if (!rs_conf_has(scheme, "samples"))
		return 0;
	g = rs_conf_group(conf, scheme, "samples", err);
	if (g == NULL || rs_conf_check_keys(conf, g, rs_sample_param_names,
			err) < 0)
		return -1;
	s->n_samples = -1;
	for (int k = 0; k < RS_N_SAMPLE_PARAMS; k++) {
		const config_setting_t *a;
		int n;

		if (!rs_conf_has(g, rs_sample_param_names[k]))
			continue;
		a = rs_conf_list(conf, g, rs_sample_param_names[k], err);
		if (a == NULL)
			return -1;
		n = config_setting_length(a);
		if (s->n_samples >= 0 && n != s->n_samples)
			return rs_conf_fail(conf, a, NULL, NULL, err, "has %d "
				"samples and an earlier array %d; give every "
				"parameter the same number", n, s->n_samples);
		s->n_samples = n;
		s->samples[k] = malloc((size_t)n * sizeof(double));
		if (s->samples[k] == NULL)
			return rs_fail(err, "out of memory");
		for (int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(a,
				(unsigned)i);
			double v = config_setting_type(e) == CONFIG_TYPE_FLOAT
				? config_setting_get_float(e)
				: (double)config_setting_get_int64(e);
			if (!isfinite(v) || (config_setting_type(e)
					!= CONFIG_TYPE_FLOAT
					&& config_setting_type(e)
					!= CONFIG_TYPE_INT
					&& config_setting_type(e)
					!= CONFIG_TYPE_INT64))
				return rs_conf_fail(conf, e, NULL, NULL, err,
					"expected a finite number");
			s->samples[k][i] = v;
		}
	}
	if (s->n_samples < 0)
		s->n_samples = 0;
	return 0;
}

static int load_scheme(const struct rs_conf *conf, const config_setting_t *g,
	struct rs_scheme_law *s, struct rs_error *err)
{
	static const char *const keys[] = {
		"name", "description", "params_resource", "gamma", "data",
		"params", "compute", "samples", "fit_note", NULL
	};

	if (rs_conf_check_keys(conf, g, keys, err) < 0
	    || rs_conf_dup_string(conf, g, "name", &s->name, err) < 0
	    || rs_conf_dup_string(conf, g, "description", &s->description,
			err) < 0
	    || rs_conf_dup_string(conf, g, "params_resource",
			&s->params_resource, err) < 0)
		return -1;
	if (strcmp(s->params_resource, "params_embedding") != 0
	    && strcmp(s->params_resource, "params_dense") != 0
	    && strcmp(s->params_resource, "params_total") != 0)
		return rs_conf_fail(conf, config_setting_get_member(g,
			"params_resource"), NULL, NULL, err, "\"%s\" is not a "
			"parameter resource; write \"params_embedding\", "
			"\"params_dense\" or \"params_total\"",
			s->params_resource);
	if (rs_conf_has(g, "fit_note")
	    && rs_conf_dup_string(conf, g, "fit_note", &s->fit_note, err) < 0)
		return -1;
	if (rs_conf_sourced(conf, g, "gamma", 0.0, 1e6, &s->gamma, err) < 0
	    || load_term(conf, g, "data", "samples", &s->data, err) < 0
	    || load_term(conf, g, "params", "parameters", &s->params, err) < 0
	    || load_term(conf, g, "compute", "flops", &s->compute, err) < 0
	    || load_samples(conf, g, s, err) < 0)
		return -1;
	if (!s->data.present && !s->params.present && !s->compute.present)
		return rs_conf_fail(conf, g, NULL, NULL, err, "scheme \"%s\" "
			"has no term; give at least one of data, params and "
			"compute", s->name);
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
	rs_sourced_free(&t->x0);
	rs_sourced_free(&t->break_x);
	rs_sourced_free(&t->exponent_above);
	rs_sourced_free(&t->fit_min);
	rs_sourced_free(&t->fit_max);
	free(t->unit);
}

void rs_law_free(struct rs_law *law)
{
	for (int i = 0; i < law->n_schemes; i++) {
		struct rs_scheme_law *s = &law->schemes[i];
		free(s->name);
		free(s->description);
		free(s->params_resource);
		free(s->fit_note);
		rs_sourced_free(&s->gamma);
		free_term(&s->data);
		free_term(&s->params);
		free_term(&s->compute);
		for (int k = 0; k < RS_N_SAMPLE_PARAMS; k++)
			free(s->samples[k]);
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
	double ref = term->ref.value, x0 = term->x0.value;
	double e = term->exponent.value, v;

	if (!term->present)
		return 0.0;
	v = term->coefficient.value * pow((x + x0) / (ref + x0), -e);
	if (term->break_x.value > 0.0) {
		double b = term->break_x.value;
		v *= pow((1.0 + x / b) / (1.0 + ref / b),
			-(term->exponent_above.value - e));
	}
	return v;
}

double rs_term_invert(const struct rs_term *term, double value)
{
	double ref = term->ref.value, x0 = term->x0.value;
	double lo, hi;

	if (!term->present || !(value > 0.0))
		return NAN;
	if (term->break_x.value <= 0.0) {
		double x = (ref + x0) * pow(value / term->coefficient.value,
			-1.0 / term->exponent.value) - x0;
		return x > 0.0 ? x : NAN;
	}
	/* The broken form has no closed inverse: bisect in log x, where the
	 * term falls monotonically for positive exponents. */
	lo = log(ref) - 200.0;
	hi = log(ref) + 200.0;
	if (rs_term_eval(term, exp(lo)) < value
	    || rs_term_eval(term, exp(hi)) > value)
		return NAN;
	for (int i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);
		if (rs_term_eval(term, exp(mid)) > value)
			lo = mid;
		else
			hi = mid;
	}
	return exp(0.5 * (lo + hi));
}

double rs_term_gain_per_doubling(const struct rs_term *term, double x)
{
	return rs_term_eval(term, x) - rs_term_eval(term, 2.0 * x);
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

static int solve(const struct rs_term *term, double target_ne,
	double floor_ne, const char *resource, double *out,
	struct rs_error *err)
{
	if (!term->present)
		return rs_fail(err, "the law has no %s term to solve for; use "
			"a law fitted on %s", resource, resource);
	if (!(target_ne > floor_ne))
		return rs_fail(err, "target NE %.7g is not reachable by more "
			"%s: NE never falls to %.7g or below with the other "
			"resources given; raise the target or the other "
			"resources", target_ne, resource, floor_ne);
	*out = rs_term_invert(term, target_ne - floor_ne);
	if (!isfinite(*out))
		return rs_fail(err, "no finite %s reaches NE %.7g; raise the "
			"target", resource, target_ne);
	if (*out < 1.0)
		return rs_fail(err, "NE %.7g is reached with %.3g %s, less than "
			"one; the law says nothing useful there, so lower the "
			"target", target_ne, *out, resource);
	return 0;
}

int rs_law_solve_data(const struct rs_scheme_law *s, double target_ne,
	double params, double *data_samples, struct rs_error *err)
{
	double floor_ne = s->gamma.value + rs_term_eval(&s->params, params);

	return solve(&s->data, target_ne, floor_ne, "data_samples",
		data_samples, err);
}

int rs_law_solve_params(const struct rs_scheme_law *s, double target_ne,
	double data_samples, double *params, struct rs_error *err)
{
	double floor_ne = s->gamma.value + rs_term_eval(&s->data, data_samples);

	return solve(&s->params, target_ne, floor_ne, s->params_resource,
		params, err);
}

int rs_law_solve_compute(const struct rs_scheme_law *s, double target_ne,
	double *flops, struct rs_error *err)
{
	return solve(&s->compute, target_ne, s->gamma.value, "flops", flops,
		err);
}

void rs_law_sample(const struct rs_scheme_law *s, int i,
	struct rs_scheme_law *out)
{
	*out = *s;
	for (int k = 0; k < RS_N_SAMPLE_PARAMS; k++)
		if (s->samples[k] != NULL && i < s->n_samples)
			*sample_target(out, k) = s->samples[k][i];
}

/* Share of NE that a doubling of x gains, with the other terms at zero. */
static double doubling_gain_frac(const struct rs_scheme_law *s,
	const struct rs_term *t, double x)
{
	return rs_term_gain_per_doubling(t, x)
		/ (s->gamma.value + rs_term_eval(t, x));
}

double rs_term_local_exponent(const struct rs_term *term, double x)
{
	double e = term->exponent.value;

	if (!term->present)
		return 0.0;
	if (term->x0.value != 0.0)
		e *= x / (x + term->x0.value);
	if (term->break_x.value > 0.0) {
		double u = x / term->break_x.value;
		e += (term->exponent_above.value - term->exponent.value) * u
			/ (1.0 + u);
	}
	return e;
}

double rs_term_saturation_point(const struct rs_scheme_law *s,
	const struct rs_term *term)
{
	/* The gain per doubling need not fall monotonically (an offset
	 * flattens the term below x0), so scan a log grid around ref for
	 * the last point at or above the threshold, then bisect the grid
	 * step after it. */
	const double span = 40.0, step = 0.5;
	double centre = log(term->ref.value), last_high = NAN, lo, hi;

	if (!term->present)
		return 0.0;
	for (double t = -span; t <= span; t += step)
		if (doubling_gain_frac(s, term, exp(centre + t))
				>= RS_SATURATION_GAIN_FRAC)
			last_high = t;
	if (isnan(last_high))
		return 0.0;
	if (last_high + step > span)
		return INFINITY;
	lo = centre + last_high;
	hi = lo + step;
	for (int i = 0; i < 60; i++) {
		double mid = 0.5 * (lo + hi);
		if (doubling_gain_frac(s, term, exp(mid))
				>= RS_SATURATION_GAIN_FRAC)
			lo = mid;
		else
			hi = mid;
	}
	return exp(0.5 * (lo + hi));
}

int rs_term_is_saturated(const struct rs_scheme_law *s,
	const struct rs_term *term, double x)
{
	return doubling_gain_frac(s, term, x) < RS_SATURATION_GAIN_FRAC;
}

int rs_source_is_assumption(const char *source)
{
	return source == NULL || strncmp(source, "assumption", 10) == 0;
}

/* A number as a libconfig float literal that reads back exactly: always
 * with a '.' or an exponent, so a large value is never taken for a 32-bit
 * integer. */
static void put_number(FILE *f, double v)
{
	char buf[40];

	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, sizeof buf, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (strpbrk(buf, ".e") == NULL)
		strcat(buf, ".0");
	fputs(buf, f);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void put_sourced(FILE *f, const char *indent, const char *key,
	const struct rs_sourced *v)
{
	fprintf(f, "%s%s = ", indent, key);
	put_number(f, v->value);
	fprintf(f, ";\n%s%s_source = ", indent, key);
	put_string(f, v->source ? v->source : "assumption: no source given");
	fputs(";\n", f);
}

static void put_term(FILE *f, const char *key, const struct rs_term *t)
{
	const char *in = "      ";

	if (!t->present)
		return;
	fprintf(f, "    %s = {\n", key);
	put_sourced(f, in, "coefficient", &t->coefficient);
	put_sourced(f, in, "exponent", &t->exponent);
	put_sourced(f, in, "ref", &t->ref);
	if (t->x0.source != NULL)
		put_sourced(f, in, "x0", &t->x0);
	if (t->break_x.value > 0.0) {
		put_sourced(f, in, "break_x", &t->break_x);
		put_sourced(f, in, "exponent_above", &t->exponent_above);
	}
	if (t->fit_max.value > 0.0) {
		put_sourced(f, in, "fit_min", &t->fit_min);
		put_sourced(f, in, "fit_max", &t->fit_max);
	}
	fprintf(f, "%sunit = ", in);
	put_string(f, t->unit);
	fputs(";\n    };\n", f);
}

int rs_law_write(FILE *f, const struct rs_law *law)
{
	fputs("# Scaling law written by recscale fit.\n\nname = ", f);
	put_string(f, law->name);
	fputs(";\nmetric = \"normalized_entropy\";\nsource = ", f);
	put_string(f, law->source);
	fputs(";\n\nschemes = (\n", f);
	for (int i = 0; i < law->n_schemes; i++) {
		const struct rs_scheme_law *s = &law->schemes[i];

		fputs("  {\n    name = ", f);
		put_string(f, s->name);
		fputs(";\n    description = ", f);
		put_string(f, s->description);
		fputs(";\n    params_resource = ", f);
		put_string(f, s->params_resource);
		fputs(";\n", f);
		if (s->fit_note != NULL) {
			fputs("    fit_note = ", f);
			put_string(f, s->fit_note);
			fputs(";\n", f);
		}
		put_sourced(f, "    ", "gamma", &s->gamma);
		put_term(f, "data", &s->data);
		put_term(f, "params", &s->params);
		put_term(f, "compute", &s->compute);
		if (s->n_samples > 0) {
			fputs("    samples = {\n", f);
			for (int k = 0; k < RS_N_SAMPLE_PARAMS; k++) {
				if (s->samples[k] == NULL)
					continue;
				fprintf(f, "      %s = [", rs_sample_param_names[k]);
				for (int j = 0; j < s->n_samples; j++) {
					fputs(j ? (j % 6 ? ", " : ",\n        ")
						: "", f);
					put_number(f, s->samples[k][j]);
				}
				fputs("];\n", f);
			}
			fputs("    };\n", f);
		}
		fputs(i + 1 < law->n_schemes ? "  },\n" : "  }\n", f);
	}
	fputs(");\n", f);
	return ferror(f) ? -1 : 0;
}
