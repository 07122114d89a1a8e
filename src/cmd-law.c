/* recscale law: show a scaling-law file, evaluate it at given resources, or
 * find the resource needed for a target NE. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "law.h"
#include "output.h"
#include "searchpath.h"

enum resource {
	DATA, PARAMS_EMBEDDING, PARAMS_DENSE, PARAMS_TOTAL, FLOPS, N_RESOURCES
};

static const char *const resource_names[N_RESOURCES] = {
	"data_samples", "params_embedding", "params_dense", "params_total",
	"flops"
};

struct law_request {
	double at[N_RESOURCES];		/* NAN when not given */
	double target_ne;		/* NAN when not given */
	enum { SOLVE_DATA, SOLVE_PARAMS, SOLVE_FLOPS } solve;
	const char *scheme;		/* NULL: every scheme */
	enum rs_format format;
};

struct law_answer {
	double ne;
	double resource[N_RESOURCES];	/* NAN when not used */
	int params_at_ref;		/* params taken at the reference */
	int solved;			/* resource solved for, or -1 */
};

static void law_usage(FILE *f)
{
	fputs("Usage: recscale law MODEL [options]\n\n"
		"Show the scaling-law file MODEL (a name in models/ or a path), "
		"evaluate it,\nor find the resource needed for a target NE.  "
		"Each scheme's joint law is\n"
		"  NE = gamma + data(D) + params(N),  term(x) = coefficient * "
		"(x / ref)^-exponent\n"
		"and its compute law is NE = gamma + compute(C).\n\n"
		"Options:\n"
		"  --at RESOURCE=VALUE  evaluate at this resource; repeatable. "
		"RESOURCE is\n"
		"                   data_samples (samples), params_embedding or "
		"params_dense\n"
		"                   (parameters), or flops (training FLOPs, "
		"alone: the\n"
		"                   compute law).  A parameter resource not "
		"given is taken\n"
		"                   at its reference scale.\n"
		"  --target-ne NE   find the resource that reaches NE instead\n"
		"  --solve RESOURCE which resource --target-ne finds: "
		"data_samples (default),\n"
		"                   params (the scheme's parameter resource) or "
		"flops\n"
		"  --scheme NAME    one scheme only (default: every scheme)\n"
		"  --format FORMAT  text (default) or json\n"
		"  -h, --help       show this help and exit\n\n"
		"Examples:\n"
		"  recscale law dlrm-2022\n"
		"  recscale law dlrm-2022 --at data_samples=1e11 "
		"--at params_embedding=2.6e10\n"
		"  recscale law dlrm-2022 --target-ne 0.995 --scheme "
		"embedding_rows\n", f);
}

static int parse_at(const char *arg, struct law_request *req)
{
	const char *eq = strchr(arg, '=');
	double value;

	if (eq == NULL)
		return rs_cmd_usage("law", "--at %s: expected RESOURCE=VALUE",
			arg);
	for (int r = 0; r < N_RESOURCES; r++) {
		size_t len = strlen(resource_names[r]);
		if ((size_t)(eq - arg) != len
		    || strncmp(arg, resource_names[r], len) != 0)
			continue;
		if (rs_parse_double(eq + 1, &value) < 0 || !(value > 0.0))
			return rs_cmd_usage("law", "--at %s: value \"%s\" is not "
				"a positive number", arg, eq + 1);
		req->at[r] = value;
		return 0;
	}
	return rs_cmd_usage("law", "--at %s: unknown resource \"%.*s\"; use "
		"data_samples, params_embedding, params_dense, params_total "
		"or flops", arg,
		(int)(eq - arg), arg);
}

static int params_resource(const struct rs_scheme_law *s)
{
	for (int r = PARAMS_EMBEDDING; r <= PARAMS_TOTAL; r++)
		if (strcmp(s->params_resource, resource_names[r]) == 0)
			return r;
	return PARAMS_EMBEDDING;
}

static int answer_scheme(const struct rs_scheme_law *s,
	const struct law_request *req, struct law_answer *a,
	struct rs_error *err)
{
	int p = params_resource(s);
	int solve = req->solve == SOLVE_DATA ? DATA
		: req->solve == SOLVE_PARAMS ? p : FLOPS;

	for (int r = 0; r < N_RESOURCES; r++)
		a->resource[r] = NAN;
	a->solved = -1;
	a->params_at_ref = 0;

	if (solve == FLOPS || (!isnan(req->at[FLOPS])
				    && isnan(req->target_ne))) {
		if (isnan(req->target_ne)) {
			if (!s->compute.present)
				return rs_fail(err, "the law has no compute "
					"term, so flops cannot be evaluated");
			a->resource[FLOPS] = req->at[FLOPS];
		} else {
			if (rs_law_solve_compute(s, req->target_ne,
					&a->resource[FLOPS], err) < 0)
				return -1;
			a->solved = FLOPS;
		}
		a->ne = rs_law_ne_compute(s, a->resource[FLOPS]);
		return 0;
	}

	if (!isnan(req->at[DATA]) && !s->data.present)
		return rs_fail(err, "the law has no data term, so "
			"data_samples cannot be evaluated");
	if (!isnan(req->at[p]) && !s->params.present)
		return rs_fail(err, "the law has no params term, so %s "
			"cannot be evaluated", resource_names[p]);
	a->resource[DATA] = req->at[DATA];
	a->resource[p] = req->at[p];
	if (isnan(a->resource[p]) && solve != p && s->params.present) {
		a->resource[p] = s->params.ref.value;
		a->params_at_ref = 1;
	}
	if (!isnan(req->target_ne)) {
		if (solve == DATA) {
			if (rs_law_solve_data(s, req->target_ne,
					a->resource[p], &a->resource[DATA],
					err) < 0)
				return -1;
		} else {
			if (isnan(a->resource[DATA]))
				return rs_fail(err, "--solve params needs "
					"--at data_samples=VALUE");
			if (rs_law_solve_params(s, req->target_ne,
					a->resource[DATA], &a->resource[p],
					err) < 0)
				return -1;
		}
		a->solved = solve;
	}
	a->ne = rs_law_ne(s, a->resource[DATA], isnan(a->resource[p]) ? 1.0
		: a->resource[p]);
	return 0;
}

/* Print a warning when x lies more than RS_EXTRAPOLATION_FACTOR beyond
 * the runs the term was fitted on. */
static void warn_range(const char *scheme, const struct rs_term *t,
	const char *resource, double x)
{
	if (!t->present || t->fit_max.value <= 0.0 || isnan(x))
		return;
	if (x > t->fit_max.value * RS_EXTRAPOLATION_FACTOR
	    || (t->fit_min.value > 0.0
		&& x < t->fit_min.value / RS_EXTRAPOLATION_FACTOR))
		fprintf(stderr, "recscale: warning: scheme %s: %s %.3g is more "
			"than %.0fx outside the fitted runs (%.3g to %.3g); the "
			"law is extrapolated\n", scheme, resource, x,
			RS_EXTRAPOLATION_FACTOR, t->fit_min.value,
			t->fit_max.value);
}

static void print_term(const char *label, const struct rs_term *t)
{
	char ref[32];

	if (!t->present)
		return;
	printf("  %-16s coefficient %-8.4g at ref %s %s\n", label,
		t->coefficient.value, rs_fmt_sci(ref, sizeof ref, t->ref.value),
		t->unit);
	printf("%19s%s\n", "", t->coefficient.source);
	printf("%19sexponent %.4g: %s\n", "", t->exponent.value,
		t->exponent.source);
	printf("%19sref: %s\n", "", t->ref.source);
	if (t->x0.source != NULL)
		printf("%19sx0 %.6g: %s\n", "", t->x0.value, t->x0.source);
	if (t->break_x.value > 0.0)
		printf("%19sbreak_x %.6g, exponent_above %.4g: %s\n", "",
			t->break_x.value, t->exponent_above.value,
			t->break_x.source);
	if (t->fit_max.value > 0.0)
		printf("%19sfitted on runs from %.4g to %.4g %s\n", "",
			t->fit_min.value, t->fit_max.value, t->unit);
}

/* The point at which a term's phase is judged: the largest fitted run
 * when the law records one, else the reference scale. */
static double phase_point(const struct rs_term *t)
{
	return t->fit_max.value > 0.0 ? t->fit_max.value : t->ref.value;
}

static const char *phase_of(const struct rs_scheme_law *s,
	const struct rs_term *t)
{
	if (!t->present)
		return "-";
	return rs_term_is_saturated(s, t, phase_point(t)) ? "saturated"
		: "high-return";
}

/* Index of the scheme with the largest exponent for term kind, or -1. */
static int most_efficient(const struct rs_law *law, enum rs_term_kind kind)
{
	double best_exponent = 0.0;
	int best = -1;

	for (int i = 0; i < law->n_schemes; i++) {
		struct rs_scheme_law *s = (struct rs_scheme_law *)&law->schemes[i];
		const struct rs_term *t = rs_scheme_term(s, kind);
		if (t->present && (best < 0 || rs_term_local_exponent(t,
				phase_point(t)) > best_exponent)) {
			best = i;
			best_exponent = rs_term_local_exponent(t,
				phase_point(t));
		}
	}
	return best;
}

static const char *const axis_names[RS_N_TERMS] = {
	"data", "parameter", "compute"
};

static void compare_text(const struct rs_law *law)
{
	printf("\nSchemes side by side: local exponent and phase of each "
		"resource, both at the\nlargest fitted run, else at the "
		"reference scale (saturated once doubling the\nresource lowers "
		"NE by less than 0.1%% of NE)\n");
	printf("%-16s %-22s %-22s %-22s\n", "scheme", "data", "parameters",
		"compute");
	for (int i = 0; i < law->n_schemes; i++) {
		struct rs_scheme_law *s = (struct rs_scheme_law *)&law->schemes[i];

		printf("%-16s", s->name);
		for (int k = 0; k < RS_N_TERMS; k++) {
			const struct rs_term *t = rs_scheme_term(s,
				(enum rs_term_kind)k);
			char cell[40];
			if (t->present)
				snprintf(cell, sizeof cell, "%.3g %s",
					rs_term_local_exponent(t,
						phase_point(t)), phase_of(s, t));
			else
				snprintf(cell, sizeof cell, "-");
			printf(" %-22s", cell);
		}
		putchar('\n');
	}
	for (int k = 0; k < RS_N_TERMS; k++) {
		int best = most_efficient(law, (enum rs_term_kind)k);
		if (best >= 0)
			printf("most %s-efficient: %s\n", axis_names[k],
				law->schemes[best].name);
	}
}

static void describe_text(const struct rs_law *law, const char *only)
{
	printf("Law %s (%s), %s\nSource: %s\n", law->name, law->metric,
		law->path, law->source);
	for (int i = 0; i < law->n_schemes; i++) {
		const struct rs_scheme_law *s = &law->schemes[i];

		if (only != NULL && strcmp(only, s->name) != 0)
			continue;
		printf("\nscheme %s: %s\n", s->name, s->description);
		printf("  %-16s %.4g: %s\n", "gamma", s->gamma.value,
			s->gamma.source);
		print_term("data", &s->data);
		print_term(s->params_resource, &s->params);
		print_term("compute", &s->compute);
		if (s->n_samples > 0)
			printf("  %d bootstrap samples\n", s->n_samples);
		if (s->fit_note != NULL)
			printf("  %s\n", s->fit_note);
	}
	if (only == NULL && law->n_schemes > 1)
		compare_text(law);
}

static void json_term(const struct rs_scheme_law *s, const char *name,
	const struct rs_term *t, int last)
{
	if (!t->present) {
		printf("      \"%s\": null%s\n", name, last ? "" : ",");
		return;
	}
	printf("      \"%s\": { \"phase\": \"%s\", \"saturation_point\": ",
		name, phase_of(s, t));
	rs_json_number(stdout, rs_term_saturation_point(s, t));
	fputs(", \"coefficient\": ", stdout);
	rs_json_number(stdout, t->coefficient.value);
	fputs(", \"coefficient_source\": ", stdout);
	rs_json_string(stdout, t->coefficient.source);
	fputs(", \"exponent\": ", stdout);
	rs_json_number(stdout, t->exponent.value);
	fputs(", \"exponent_source\": ", stdout);
	rs_json_string(stdout, t->exponent.source);
	fputs(", \"ref\": ", stdout);
	rs_json_number(stdout, t->ref.value);
	fputs(", \"unit\": ", stdout);
	rs_json_string(stdout, t->unit);
	printf(" }%s\n", last ? "" : ",");
}

static void describe_json(const struct rs_law *law, const char *only)
{
	int first = 1;

	fputs("{\n  \"law\": ", stdout);
	rs_json_string(stdout, law->name);
	fputs(",\n  \"path\": ", stdout);
	rs_json_string(stdout, law->path);
	fputs(",\n  \"source\": ", stdout);
	rs_json_string(stdout, law->source);
	fputs(",\n  \"schemes\": [\n", stdout);
	for (int i = 0; i < law->n_schemes; i++) {
		const struct rs_scheme_law *s = &law->schemes[i];

		if (only != NULL && strcmp(only, s->name) != 0)
			continue;
		fputs(first ? "    {\n" : ",\n    {\n", stdout);
		first = 0;
		fputs("      \"name\": ", stdout);
		rs_json_string(stdout, s->name);
		fputs(",\n      \"params_resource\": ", stdout);
		rs_json_string(stdout, s->params_resource);
		fputs(",\n      \"gamma\": ", stdout);
		rs_json_number(stdout, s->gamma.value);
		fputs(",\n      \"gamma_source\": ", stdout);
		rs_json_string(stdout, s->gamma.source);
		fputs(",\n", stdout);
		json_term(s, "data", &s->data, 0);
		json_term(s, "params", &s->params, 0);
		json_term(s, "compute", &s->compute, 1);
		fputs("    }", stdout);
	}
	fputs("\n  ],\n  \"most_efficient\": {", stdout);
	for (int k = 0; k < RS_N_TERMS; k++) {
		int best = most_efficient(law, (enum rs_term_kind)k);
		printf(" \"%s\": ", rs_term_names[k]);
		if (best >= 0)
			rs_json_string(stdout, law->schemes[best].name);
		else
			fputs("null", stdout);
		fputs(k + 1 < RS_N_TERMS ? "," : " ", stdout);
	}
	fputs("}\n}\n", stdout);
}

static int evaluate(const struct rs_law *law, const struct law_request *req)
{
	struct law_answer answers[RS_LAW_MAX_SCHEMES];
	int n = 0, which[RS_LAW_MAX_SCHEMES];
	struct rs_error err;

	for (int i = 0; i < law->n_schemes; i++) {
		if (req->scheme != NULL
		    && strcmp(req->scheme, law->schemes[i].name) != 0)
			continue;
		if (answer_scheme(&law->schemes[i], req, &answers[n],
				&err) < 0) {
			struct rs_error inner = err;
			rs_fail(&err, "%s: scheme %s: %s", law->path,
				law->schemes[i].name, inner.msg);
			return rs_cmd_fail(&err);
		}
		warn_range(law->schemes[i].name, &law->schemes[i].data,
			"data_samples", answers[n].resource[DATA]);
		warn_range(law->schemes[i].name, &law->schemes[i].compute,
			"flops", answers[n].resource[FLOPS]);
		warn_range(law->schemes[i].name, &law->schemes[i].params,
			law->schemes[i].params_resource,
			answers[n].resource[params_resource(&law->schemes[i])]);
		which[n++] = i;
	}

	if (req->format == RS_FORMAT_JSON) {
		fputs("{\n  \"law\": ", stdout);
		rs_json_string(stdout, law->name);
		fputs(",\n  \"path\": ", stdout);
		rs_json_string(stdout, law->path);
		fputs(",\n  \"target_ne\": ", stdout);
		rs_json_number(stdout, req->target_ne);
		fputs(",\n  \"results\": [\n", stdout);
		for (int k = 0; k < n; k++) {
			const struct law_answer *a = &answers[k];

			fputs("    { \"scheme\": ", stdout);
			rs_json_string(stdout, law->schemes[which[k]].name);
			fputs(", \"ne\": ", stdout);
			rs_json_number(stdout, a->ne);
			for (int r = 0; r < N_RESOURCES; r++) {
				if (isnan(a->resource[r]))
					continue;
				printf(", \"%s\": ", resource_names[r]);
				rs_json_number(stdout, a->resource[r]);
			}
			fputs(", \"solved_for\": ", stdout);
			if (a->solved >= 0)
				rs_json_string(stdout, resource_names[a->solved]);
			else
				fputs("null", stdout);
			printf(", \"params_at_reference\": %s }%s\n",
				a->params_at_ref ? "true" : "false",
				k + 1 < n ? "," : "");
		}
		fputs("  ]\n}\n", stdout);
		return RS_EXIT_OK;
	}

	printf("Law %s, %s\n", law->name, law->path);
	printf("%-16s %-9s %s\n", "scheme", "NE", "resources");
	for (int k = 0; k < n; k++) {
		const struct law_answer *a = &answers[k];
		char value[32];

		printf("%-16s %-9.7g", law->schemes[which[k]].name, a->ne);
		for (int r = 0; r < N_RESOURCES; r++) {
			if (isnan(a->resource[r]))
				continue;
			printf(" %s=%s%s", resource_names[r],
				rs_fmt_sci(value, sizeof value, a->resource[r]),
				a->solved == r ? " (solved)"
				: (a->params_at_ref && r >= PARAMS_EMBEDDING
				   && r <= PARAMS_TOTAL) ? " (reference)" : "");
		}
		putchar('\n');
	}
	return RS_EXIT_OK;
}

int cmd_law(int argc, char **argv)
{
	static const struct option options[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "target-ne", required_argument, NULL, 't' },
		{ "solve", required_argument, NULL, 's' },
		{ "scheme", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct law_request req = { .target_ne = NAN, .solve = SOLVE_DATA };
	char path[RS_PATH_MAX];
	struct rs_law law;
	struct rs_error err;
	int c, given = 0, rc;

	for (int r = 0; r < N_RESOURCES; r++)
		req.at[r] = NAN;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_at(optarg, &req) != 0)
				return RS_EXIT_USAGE;
			given = 1;
			break;
		case 't':
			if (rs_parse_double(optarg, &req.target_ne) < 0
			    || !(req.target_ne > 0.0))
				return rs_cmd_usage("law", "--target-ne %s is "
					"not a positive number", optarg);
			break;
		case 's':
			if (strcmp(optarg, "data_samples") == 0)
				req.solve = SOLVE_DATA;
			else if (strcmp(optarg, "params") == 0)
				req.solve = SOLVE_PARAMS;
			else if (strcmp(optarg, "flops") == 0)
				req.solve = SOLVE_FLOPS;
			else
				return rs_cmd_usage("law", "--solve %s is not "
					"known; use data_samples, params or "
					"flops", optarg);
			break;
		case 'S':
			req.scheme = optarg;
			break;
		case 'f':
			if (rs_cmd_format("law", optarg, &req.format) != 0)
				return RS_EXIT_USAGE;
			if (req.format == RS_FORMAT_CSV)
				return rs_cmd_usage("law", "law supports "
					"--format text or json");
			break;
		case 'h':
			law_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("law", "option \"%s\" needs a value",
				argv[optind - 1]);
		default:
			return rs_cmd_usage("law", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return rs_cmd_usage("law", "expected one law file or name, got "
			"%d", argc - optind);
	if (!isnan(req.at[FLOPS]) && (!isnan(req.at[DATA])
			|| !isnan(req.at[PARAMS_EMBEDDING])
			|| !isnan(req.at[PARAMS_DENSE])
			|| !isnan(req.at[PARAMS_TOTAL])))
		return rs_cmd_usage("law", "flops uses the compute law alone; "
			"give it without data_samples or parameters");
	if (isnan(req.target_ne) && given && isnan(req.at[FLOPS])
	    && isnan(req.at[DATA]))
		return rs_cmd_usage("law", "the joint law needs --at "
			"data_samples=VALUE");

	if (!isnan(req.target_ne)
	    && ((req.solve == SOLVE_DATA && !isnan(req.at[DATA]))
		|| (req.solve == SOLVE_FLOPS && !isnan(req.at[FLOPS]))))
		return rs_cmd_usage("law", "--target-ne solves for %s, so do "
			"not also give it with --at",
			req.solve == SOLVE_DATA ? "data_samples" : "flops");
	if (rs_find_data("models", argv[optind], path, sizeof path, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_law_load(path, &law, &err) < 0)
		return rs_cmd_fail(&err);
	if (req.scheme != NULL && rs_law_scheme_index(&law, req.scheme) < 0) {
		rs_fail(&err, "%s: scheme \"%s\" not found; run `recscale law "
			"%s` to list the schemes", path, req.scheme,
			argv[optind]);
		rs_law_free(&law);
		return rs_cmd_fail(&err);
	}
	if (req.scheme != NULL) {
		const struct rs_scheme_law *s = &law.schemes[
			rs_law_scheme_index(&law, req.scheme)];
		int p = params_resource(s);
		for (int r = PARAMS_EMBEDDING; r <= PARAMS_TOTAL; r++)
			if (r != p && !isnan(req.at[r])) {
				rs_law_free(&law);
				return rs_cmd_usage("law", "scheme %s uses %s, "
					"not %s", req.scheme,
					s->params_resource, resource_names[r]);
			}
	}
	if (!given && isnan(req.target_ne)) {
		if (req.format == RS_FORMAT_JSON)
			describe_json(&law, req.scheme);
		else
			describe_text(&law, req.scheme);
		rc = RS_EXIT_OK;
	} else {
		rc = evaluate(&law, &req);
	}
	rs_law_free(&law);
	return rc;
}
