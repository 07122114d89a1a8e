/* recscale fit: fit a scaling law to a CSV of measured runs, report how far
 * it can be trusted, and write it as a law file for plan and law. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "csv.h"
#include "fit.h"
#include "law.h"
#include "output.h"
#include "searchpath.h"

#define MAX_SCHEMES RS_LAW_MAX_SCHEMES

/* Huber threshold in units of the robust residual scale when --loss huber
 * gives none: the usual 95%-efficiency tuning constant. */
#define DEFAULT_HUBER_DELTA 1.345

#define MAX_FIXES RS_FIT_MAX_PARAMS

struct fit_request {
	const char *csv_path;
	const char *fixes[MAX_FIXES];	/* NAME=VALUE, parsed after --form */
	int n_fixes;
	const char *x_names[2];
	int n_x;
	const char *y_name;
	const char *scheme_name;	/* when the CSV has no scheme column */
	int scheme_given;
	const char *law_name;
	const char *output;
	int force;
	enum rs_format format;
	struct rs_fit_options opt;
};

/* One fitted scheme: the fit itself and the law built from it. */
struct fitted {
	char name[64];
	int n;
	double x_min[2], x_max[2];
	struct rs_fit_result result;
	double saturation_point[2];	/* per resource, see law.h */
};

static void fit_usage(FILE *f)
{
	fputs("Usage: recscale fit RUNS.csv --form FORM --x COLUMN[,COLUMN] "
		"[options]\n\n"
		"Fit a scaling law to measured runs and write it as a law file "
		"that plan and\nlaw use.  RUNS.csv has a header naming its "
		"columns; lines starting with #\nand blank lines are skipped.  "
		"With a column \"scheme\", one law is fitted\nper scheme.\n\n"
		"Forms and their parameters:\n"
		"  power         y = alpha x^-beta + gamma           alpha beta "
		"gamma\n"
		"  power_offset  y = alpha (x + x0)^-beta + gamma    alpha beta "
		"gamma x0\n"
		"  additive      y = gamma + A x1^-a + B x2^-b        gamma A a B "
		"b\n"
		"  broken        y = gamma + alpha x^-beta (1 + x/x_break)"
		"^-(beta_above - beta)\n"
		"                                                    alpha beta "
		"gamma x_break\n"
		"                                                    beta_above\n"
		"Resource columns: data_samples, params_embedding, params_dense, "
		"params_total,\nflops.\n\n"
		"Options:\n"
		"  --form FORM        power (default), power_offset, additive "
		"or broken\n"
		"  --x COLUMN[,COLUMN]  resource column(s); two for additive, "
		"in the order\n"
		"                     of A,a and B,b\n"
		"  --y COLUMN         response column (default ne)\n"
		"  --fix NAME=VALUE   hold a parameter fixed, e.g. gamma=0; "
		"repeatable\n"
		"  --loss ls|huber[:DELTA]  least squares (default) or Huber "
		"with threshold\n"
		"                     DELTA robust residual scales (default "
		"1.345)\n"
		"  --residuals log|linear  residuals on log y (default) or on y\n"
		"  --bootstrap N      N bootstrap resamples: standard errors, "
		"percentile\n"
		"                     intervals and samples in the law file\n"
		"  --seed S           seed of the bootstrap (default 1)\n"
		"  --threads N        threads for the starts and the bootstrap "
		"(default 2)\n"
		"  --holdout-largest K  also fit without the K largest runs and "
		"report the\n"
		"                     error predicting them\n"
		"  --scheme NAME      scheme name when RUNS.csv has no scheme "
		"column\n"
		"                     (default: fitted)\n"
		"  --name NAME        law name written in the file (default: "
		"from -o)\n"
		"  -o, --output FILE  write the law file (atomically)\n"
		"  --force            replace FILE if it exists\n"
		"  --format FORMAT    report as text (default) or json\n"
		"  -h, --help         show this help and exit\n\n"
		"Phase: a resource is saturated once doubling it lowers NE by "
		"less than 0.1%\nof NE; the point of diminishing returns is "
		"where that starts.\n\n"
		"Example:\n"
		"  recscale fit runs.csv --form power --x data_samples --y ne "
		"--bootstrap 1000 \\\n"
		"      --holdout-largest 2 -o models/mine.cfg\n", f);
}

static const char *term_of_column(const char *column, enum rs_term_kind *kind)
{
	if (strcmp(column, "data_samples") == 0) {
		*kind = RS_TERM_DATA;
		return "samples";
	}
	if (strcmp(column, "params_embedding") == 0
	    || strcmp(column, "params_dense") == 0
	    || strcmp(column, "params_total") == 0) {
		*kind = RS_TERM_PARAMS;
		return "parameters";
	}
	if (strcmp(column, "flops") == 0) {
		*kind = RS_TERM_COMPUTE;
		return "flops";
	}
	return NULL;
}

static int parse_fix(const char *arg, struct fit_request *req)
{
	const char *eq = strchr(arg, '=');
	int n = rs_fit_n_params(req->opt.form);
	double value;

	if (eq == NULL || rs_parse_double(eq + 1, &value) < 0)
		return rs_cmd_usage("fit", "--fix %s: expected NAME=VALUE with "
			"a finite number", arg);
	for (int k = 0; k < n; k++) {
		const char *name = rs_fit_param_name(req->opt.form, k);
		if (strlen(name) == (size_t)(eq - arg)
		    && strncmp(arg, name, strlen(name)) == 0) {
			req->opt.fixed_mask |= 1u << k;
			req->opt.fixed[k] = value;
			return 0;
		}
	}
	return rs_cmd_usage("fit", "--fix %s: the %s form has no parameter "
		"\"%.*s\"", arg, rs_fit_form_name(req->opt.form),
		(int)(eq - arg), arg);
}

static int parse_loss(const char *arg, struct fit_request *req)
{
	if (strcmp(arg, "ls") == 0) {
		req->opt.huber_delta = 0.0;
		return 0;
	}
	if (strncmp(arg, "huber", 5) == 0) {
		req->opt.huber_delta = DEFAULT_HUBER_DELTA;
		if (arg[5] == '\0')
			return 0;
		if (arg[5] == ':' && rs_parse_double(arg + 6,
				&req->opt.huber_delta) == 0
		    && req->opt.huber_delta > 0.0)
			return 0;
	}
	return rs_cmd_usage("fit", "--loss %s: use ls, huber or huber:DELTA "
		"with a finite DELTA > 0", arg);
}

static int parse_count(const char *option, const char *arg, long min,
	long max, long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || *out < min || *out > max)
		return rs_cmd_usage("fit", "%s %s: give a whole number from %ld "
			"to %ld", option, arg, min, max);
	return 0;
}

/* A scheme name: letters, digits, '_' and '-', 1 to 63 characters. */
static int valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 63)
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"0123456789_-") == len;
}

static int parse_args(int argc, char **argv, struct fit_request *req)
{
	static const struct option options[] = {
		{ "form", required_argument, NULL, 'F' },
		{ "x", required_argument, NULL, 'x' },
		{ "y", required_argument, NULL, 'y' },
		{ "fix", required_argument, NULL, 'X' },
		{ "loss", required_argument, NULL, 'l' },
		{ "residuals", required_argument, NULL, 'r' },
		{ "bootstrap", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "holdout-largest", required_argument, NULL, 'k' },
		{ "scheme", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char x_buf[256];
	long n;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (rs_fit_form_parse(optarg, &req->opt.form) < 0)
				return rs_cmd_usage("fit", "--form %s is not "
					"known; use power, power_offset, "
					"additive or broken", optarg);
			break;
		case 'x': {
			char *comma;
			snprintf(x_buf, sizeof x_buf, "%s", optarg);
			req->x_names[0] = x_buf;
			req->n_x = 1;
			comma = strchr(x_buf, ',');
			if (comma != NULL) {
				*comma = '\0';
				req->x_names[1] = comma + 1;
				req->n_x = 2;
				if (strchr(comma + 1, ',') != NULL)
					return rs_cmd_usage("fit", "--x %s: at "
						"most two columns", optarg);
			}
			break;
		}
		case 'y':
			req->y_name = optarg;
			break;
		case 'X':
			if (req->n_fixes == MAX_FIXES)
				return rs_cmd_usage("fit", "at most %d --fix "
					"options", MAX_FIXES);
			req->fixes[req->n_fixes++] = optarg;
			break;
		case 'l':
			if (parse_loss(optarg, req) != 0)
				return RS_EXIT_USAGE;
			break;
		case 'r':
			if (strcmp(optarg, "log") == 0)
				req->opt.linear_residuals = 0;
			else if (strcmp(optarg, "linear") == 0)
				req->opt.linear_residuals = 1;
			else
				return rs_cmd_usage("fit", "--residuals %s: use "
					"log or linear", optarg);
			break;
		case 'b':
			if (parse_count("--bootstrap", optarg, 0, 1000000, &n))
				return RS_EXIT_USAGE;
			req->opt.n_bootstrap = (int)n;
			break;
		case 's':
			if (parse_count("--seed", optarg, 0, 2147483647L, &n))
				return RS_EXIT_USAGE;
			req->opt.seed = (uint64_t)n;
			break;
		case 't':
			if (parse_count("--threads", optarg, 1, 256, &n))
				return RS_EXIT_USAGE;
			req->opt.n_threads = (int)n;
			break;
		case 'k':
			if (parse_count("--holdout-largest", optarg, 1, 1000000,
					&n))
				return RS_EXIT_USAGE;
			req->opt.holdout_largest = (int)n;
			break;
		case 'S':
			req->scheme_name = optarg;
			req->scheme_given = 1;
			break;
		case 'N':
			req->law_name = optarg;
			break;
		case 'o':
			req->output = optarg;
			break;
		case 'f':
			req->force = 1;
			break;
		case 'm':
			if (rs_cmd_format("fit", optarg, &req->format) != 0)
				return RS_EXIT_USAGE;
			if (req->format == RS_FORMAT_CSV)
				return rs_cmd_usage("fit", "fit reports as text "
					"or json");
			break;
		case 'h':
			fit_usage(stdout);
			return -1;
		case ':':
			return rs_cmd_usage("fit", "option \"%s\" needs a value",
				argv[optind - 1]);
		default:
			return rs_cmd_usage("fit", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return rs_cmd_usage("fit", "expected one CSV file of runs, got "
			"%d", argc - optind);
	req->csv_path = argv[optind];
	for (int i = 0; i < req->n_fixes; i++)
		if (parse_fix(req->fixes[i], req) != 0)
			return RS_EXIT_USAGE;
	if (req->output != NULL && strcmp(req->output, "-") == 0)
		return rs_cmd_usage("fit", "-o - is not possible: the report "
			"goes to standard output; give a file name for the law");
	if (req->opt.n_bootstrap > 0 && req->opt.n_bootstrap < 50)
		return rs_cmd_usage("fit", "--bootstrap %d is too few for 95%% "
			"percentile intervals; give at least 50",
			req->opt.n_bootstrap);
	if (!valid_name(req->scheme_name))
		return rs_cmd_usage("fit", "--scheme \"%s\": use letters, "
			"digits, '_' and '-'", req->scheme_name);
	if (req->n_x == 0)
		return rs_cmd_usage("fit", "missing --x COLUMN: the resource "
			"to fit against");
	if ((req->opt.form == RS_FORM_ADDITIVE) != (req->n_x == 2))
		return rs_cmd_usage("fit", "the %s form takes %s --x column%s",
			rs_fit_form_name(req->opt.form),
			req->opt.form == RS_FORM_ADDITIVE ? "two" : "one",
			req->opt.form == RS_FORM_ADDITIVE ? "s" : "");
	for (int i = 0; i < req->n_x; i++) {
		enum rs_term_kind kind;
		if (term_of_column(req->x_names[i], &kind) == NULL)
			return rs_cmd_usage("fit", "--x %s is not a resource a "
				"law can use; name the column data_samples, "
				"params_embedding, params_dense, params_total "
				"or flops", req->x_names[i]);
	}
	if (req->n_x == 2) {
		enum rs_term_kind k0, k1;
		term_of_column(req->x_names[0], &k0);
		term_of_column(req->x_names[1], &k1);
		if (k0 == k1)
			return rs_cmd_usage("fit", "--x %s,%s: the two columns "
				"must be different resources", req->x_names[0],
				req->x_names[1]);
	}
	return 0;
}

/* The value of resource i's term of the fitted form at x, from raw
 * parameters v: the term's coefficient at ref = x. */
static double term_value(enum rs_fit_form form, const double *v, int i,
	double x)
{
	switch (form) {
	case RS_FORM_POWER:
		return v[0] * pow(x, -v[1]);
	case RS_FORM_POWER_OFFSET:
		return v[0] * pow(x + v[3], -v[1]);
	case RS_FORM_BROKEN:
		return v[0] * pow(x, -v[1]) * pow(1.0 + x / v[3], -(v[4] - v[1]));
	case RS_FORM_ADDITIVE:
		return i == 0 ? v[1] * pow(x, -v[2]) : v[3] * pow(x, -v[4]);
	case RS_N_FORMS:
		break;
	}
	return NAN;
}

static double exponent_of(enum rs_fit_form form, const double *v, int i)
{
	if (form == RS_FORM_ADDITIVE)
		return i == 0 ? v[2] : v[4];
	return v[1];
}

static double gamma_of(enum rs_fit_form form, const double *v)
{
	return form == RS_FORM_ADDITIVE ? v[0] : v[2];
}

static char *describe_fit(const struct fit_request *req, const char *scheme,
	int n)
{
	char buf[512];

	snprintf(buf, sizeof buf, "fit: recscale fit %.300s, scheme %.63s, %d runs, "
		"%s form, %s residuals, %s", req->csv_path, scheme, n,
		rs_fit_form_name(req->opt.form),
		req->opt.linear_residuals ? "linear" : "log",
		req->opt.huber_delta > 0.0 ? "Huber loss" : "least squares");
	return strdup(buf);
}

static void set_sourced(struct rs_sourced *out, double value,
	const char *base, const char *detail)
{
	size_t len = strlen(base) + strlen(detail) + 4;

	out->value = value;
	out->source = malloc(len);
	if (out->source != NULL)
		snprintf(out->source, len, "%s%s%s", base, *detail ? "; " : "",
			detail);
}

static void interval_note(char *buf, size_t size, const struct fitted *fd,
	int k)
{
	const struct rs_fit_result *r = &fd->result;

	snprintf(buf, size, "%s = %.6g, 95%% interval [%.6g, %.6g]",
		r->names[k], r->value[k], r->ci_low[k], r->ci_high[k]);
}

/* Turn the fit of one scheme into a law scheme.  Fails when the fitted
 * values do not make a law in which NE falls with each resource. */
static int build_scheme(const struct fit_request *req,
	const struct fitted *fd, struct rs_scheme_law *s, struct rs_error *err)
{
	const struct rs_fit_result *r = &fd->result;
	enum rs_fit_form form = req->opt.form;
	const double *v = r->value;
	char *base = describe_fit(req, fd->name, fd->n), note[160];
	int gamma_k = form == RS_FORM_ADDITIVE ? 0 : 2;

	memset(s, 0, sizeof *s);
	s->name = strdup(fd->name);
	s->params_resource = strdup("params_embedding");
	s->fit_note = base ? strdup(base) : NULL;
	s->description = malloc(strlen(req->csv_path) + 64);
	if (base == NULL || s->name == NULL || s->params_resource == NULL
	    || s->description == NULL) {
		free(base);
		return rs_fail(err, "out of memory");
	}
	sprintf(s->description, "fitted to %d runs of %s", fd->n,
		req->csv_path);
	for (int k = 0; k < r->n_params; k++)
		if (!(req->opt.fixed_mask & (1u << k)) && !isfinite(r->stderr_[k])) {
			free(base);
			return rs_fail(err, "%s: scheme %s: %s is not determined "
				"by the runs (infinite standard error), so the "
				"law would not be trustworthy; fix a parameter "
				"or add runs over a wider range", req->csv_path,
				fd->name, r->names[k]);
		}
	interval_note(note, sizeof note, fd, gamma_k);
	set_sourced(&s->gamma, gamma_of(form, v), base, note);

	for (int i = 0; i < req->n_x; i++) {
		enum rs_term_kind kind;
		const char *unit = term_of_column(req->x_names[i], &kind);
		struct rs_term *t = rs_scheme_term(s, kind);
		double ref = fd->x_max[i];
		double c = term_value(form, v, i, ref);
		double e = exponent_of(form, v, i);
		int e_k = form == RS_FORM_ADDITIVE ? 2 + 2 * i : 1;

		if (kind == RS_TERM_PARAMS) {
			free(s->params_resource);
			s->params_resource = strdup(req->x_names[i]);
		}
		if (!(c > 0.0) || !(e > 0.0)
		    || (form == RS_FORM_BROKEN && !(v[4] > 0.0 && v[3] > 0.0))) {
			free(base);
			return rs_fail(err, "%s: scheme %s: the fitted %s term "
				"(coefficient %.3g at %.3g, exponent %.3g) does "
				"not fall with %s, so it is not a scaling law "
				"recscale can plan with; check the runs or fix a "
				"parameter", req->csv_path, fd->name,
				req->x_names[i], c, ref, e,
				req->x_names[i]);
		}
		t->present = 1;
		t->unit = strdup(unit);
		set_sourced(&t->coefficient, c, base, "value of the term at "
			"ref, the largest fitted run");
		interval_note(note, sizeof note, fd, e_k);
		set_sourced(&t->exponent, e, base, note);
		set_sourced(&t->ref, ref, base, "the largest fitted run");
		if (form == RS_FORM_POWER_OFFSET) {
			interval_note(note, sizeof note, fd, 3);
			set_sourced(&t->x0, v[3], base, note);
		}
		if (form == RS_FORM_BROKEN) {
			interval_note(note, sizeof note, fd, 3);
			set_sourced(&t->break_x, v[3], base, note);
			interval_note(note, sizeof note, fd, 4);
			set_sourced(&t->exponent_above, v[4], base, note);
		}
		set_sourced(&t->fit_min, fd->x_min[i], base, "smallest run");
		set_sourced(&t->fit_max, fd->x_max[i], base, "largest run");
	}

	/* Bootstrap samples, converted to the law's parameters. */
	if (r->n_boot > 1) {
		s->n_samples = r->n_boot;
		s->samples[RS_SAMPLE_GAMMA] = malloc((size_t)r->n_boot
			* sizeof(double));
		for (int i = 0; i < req->n_x; i++) {
			enum rs_term_kind kind;
			term_of_column(req->x_names[i], &kind);
			s->samples[RS_SAMPLE_INDEX(kind, RS_FIELD_COEFFICIENT)] =
				malloc((size_t)r->n_boot * sizeof(double));
			s->samples[RS_SAMPLE_INDEX(kind, RS_FIELD_EXPONENT)] =
				malloc((size_t)r->n_boot * sizeof(double));
			if (form == RS_FORM_POWER_OFFSET)
				s->samples[RS_SAMPLE_INDEX(kind, RS_FIELD_X0)] =
					malloc((size_t)r->n_boot
						* sizeof(double));
			if (form == RS_FORM_BROKEN) {
				s->samples[RS_SAMPLE_INDEX(kind,
					RS_FIELD_BREAK_X)] = malloc(
					(size_t)r->n_boot * sizeof(double));
				s->samples[RS_SAMPLE_INDEX(kind,
					RS_FIELD_EXPONENT_ABOVE)] = malloc(
					(size_t)r->n_boot * sizeof(double));
			}
		}
		for (int k = 0; k < RS_N_SAMPLE_PARAMS; k++)
			if (s->samples[k] == NULL && k == RS_SAMPLE_GAMMA) {
				free(base);
				return rs_fail(err, "out of memory");
			}
		for (int j = 0; j < r->n_boot; j++) {
			const double *b = r->boot + (size_t)j * r->n_params;

			s->samples[RS_SAMPLE_GAMMA][j] = gamma_of(form, b);
			for (int i = 0; i < req->n_x; i++) {
				enum rs_term_kind kind;
				term_of_column(req->x_names[i], &kind);
				s->samples[RS_SAMPLE_INDEX(kind,
					RS_FIELD_COEFFICIENT)][j] = term_value(
					form, b, i, fd->x_max[i]);
				s->samples[RS_SAMPLE_INDEX(kind,
					RS_FIELD_EXPONENT)][j] = exponent_of(form,
					b, i);
				if (form == RS_FORM_POWER_OFFSET)
					s->samples[RS_SAMPLE_INDEX(kind,
						RS_FIELD_X0)][j] = b[3];
				if (form == RS_FORM_BROKEN) {
					s->samples[RS_SAMPLE_INDEX(kind,
						RS_FIELD_BREAK_X)][j] = b[3];
					s->samples[RS_SAMPLE_INDEX(kind,
						RS_FIELD_EXPONENT_ABOVE)][j] =
						b[4];
				}
			}
		}
	}
	free(base);
	return 0;
}

static void free_scheme(struct rs_scheme_law *s)
{
	struct rs_law law;

	memset(&law, 0, sizeof law);
	law.n_schemes = 1;
	law.schemes[0] = *s;
	rs_law_free(&law);
}

static const char *phase_name(double x, double saturation)
{
	return x >= saturation ? "saturated" : "high-return";
}

static void report_text(const struct fit_request *req,
	const struct fitted *fd, const struct rs_scheme_law *s,
	const char *law_error)
{
	const struct rs_fit_result *r = &fd->result;
	char a[32], b[32];

	printf("Fit of %s, scheme %s: %d runs, %s form, %s residuals, %s\n",
		req->csv_path, fd->name, fd->n, rs_fit_form_name(req->opt.form),
		req->opt.linear_residuals ? "linear" : "log",
		req->opt.huber_delta > 0.0 ? "Huber loss" : "least squares");
	for (int i = 0; i < req->n_x; i++)
		printf("%s from %s to %s\n", req->x_names[i],
			rs_fmt_sci(a, sizeof a, fd->x_min[i]),
			rs_fmt_sci(b, sizeof b, fd->x_max[i]));
	printf("\n%-12s %-14s %-12s %s\n", "parameter", "value", "std. error",
		r->n_boot > 0 ? "95% interval (bootstrap percentiles)"
		: "95% interval (value +- 1.96 std. error)");
	for (int k = 0; k < r->n_params; k++) {
		if (req->opt.fixed_mask & (1u << k))
			printf("%-12s %-14.8g fixed\n", r->names[k], r->value[k]);
		else
			printf("%-12s %-14.8g %-12.3g [%.8g, %.8g]\n",
				r->names[k], r->value[k], r->stderr_[k],
				r->ci_low[k], r->ci_high[k]);
	}
	printf("\nresiduals: RSS %.4g, RMSE %.4g (%s), max |y - fit| / |y| "
		"%.3g\n", r->rss, r->rmse,
		req->opt.linear_residuals ? "linear" : "log",
		r->max_abs_rel_residual);
	printf("starts: %d tried, %d reached the best cost; flatness %.3g "
		"(largest relative spread of a parameter among starts within "
		"1%% of the best cost)\n", r->n_starts, r->n_starts_at_best,
		r->flatness);
	if (r->n_boot > 0)
		printf("bootstrap: %d of %d resamples converged (seed %llu)\n",
			r->n_boot, req->opt.n_bootstrap,
			(unsigned long long)req->opt.seed);
	if (r->n_holdout > 0)
		printf("hold-out: fitted without the %d largest runs, the law "
			"predicts them with mean |error| %.3g%% and max %.3g%%\n",
			r->n_holdout, 100.0 * r->holdout_mean_abs_rel_error,
			100.0 * r->holdout_max_abs_rel_error);
	if (law_error != NULL) {
		printf("not a law: %s\n", law_error);
		return;
	}
	for (int i = 0; i < req->n_x; i++) {
		double sat = fd->saturation_point[i];
		if (sat == 0.0)
			printf("%s: saturated over the whole range\n",
				req->x_names[i]);
		else if (isinf(sat))
			printf("%s: high-return at any scale\n",
				req->x_names[i]);
		else
			printf("%s: diminishing returns from %s; the largest "
				"run (%s) is %s\n", req->x_names[i],
				rs_fmt_sci(a, sizeof a, sat),
				rs_fmt_sci(b, sizeof b, fd->x_max[i]),
				phase_name(fd->x_max[i], sat));
	}
	printf("Phase: saturated once doubling the resource lowers NE by less "
		"than 0.1%% of NE.\nProjections beyond %.0fx the largest run "
		"are reported as extrapolations.\n", RS_EXTRAPOLATION_FACTOR);
	(void)s;
}

static void report_json(const struct fit_request *req,
	const struct fitted *fd, const char *law_error)
{
	const struct rs_fit_result *r = &fd->result;

	fputs("{\n  \"scheme\": ", stdout);
	rs_json_string(stdout, fd->name);
	fputs(",\n  \"form\": ", stdout);
	rs_json_string(stdout, rs_fit_form_name(req->opt.form));
	printf(",\n  \"n_runs\": %d,\n  \"residuals\": \"%s\",\n  \"loss\": "
		"\"%s\",\n  \"parameters\": {\n", fd->n,
		req->opt.linear_residuals ? "linear" : "log",
		req->opt.huber_delta > 0.0 ? "huber" : "ls");
	for (int k = 0; k < r->n_params; k++) {
		printf("    \"%s\": { \"value\": ", r->names[k]);
		rs_json_number(stdout, r->value[k]);
		fputs(", \"stderr\": ", stdout);
		rs_json_number(stdout, r->stderr_[k]);
		fputs(", \"ci_low\": ", stdout);
		rs_json_number(stdout, r->ci_low[k]);
		fputs(", \"ci_high\": ", stdout);
		rs_json_number(stdout, r->ci_high[k]);
		printf(", \"fixed\": %s }%s\n",
			req->opt.fixed_mask & (1u << k) ? "true" : "false",
			k + 1 < r->n_params ? "," : "");
	}
	fputs("  },\n  \"statistics\": { \"rss\": ", stdout);
	rs_json_number(stdout, r->rss);
	fputs(", \"rss_linear\": ", stdout);
	rs_json_number(stdout, r->rss_linear);
	fputs(", \"rmse\": ", stdout);
	rs_json_number(stdout, r->rmse);
	fputs(", \"max_abs_rel_residual\": ", stdout);
	rs_json_number(stdout, r->max_abs_rel_residual);
	printf(", \"n_starts\": %d, \"n_starts_at_best\": %d, \"flatness\": ",
		r->n_starts, r->n_starts_at_best);
	rs_json_number(stdout, r->flatness);
	printf(", \"n_bootstrap\": %d },\n  \"holdout\": { \"n_runs\": %d, "
		"\"mean_abs_rel_error\": ", r->n_boot, r->n_holdout);
	rs_json_number(stdout, r->n_holdout ? r->holdout_mean_abs_rel_error
		: NAN);
	fputs(", \"max_abs_rel_error\": ", stdout);
	rs_json_number(stdout, r->n_holdout ? r->holdout_max_abs_rel_error
		: NAN);
	fputs(" },\n  \"resources\": [\n", stdout);
	for (int i = 0; i < req->n_x; i++) {
		double sat = fd->saturation_point[i];
		printf("    { \"column\": \"%s\", \"min\": ", req->x_names[i]);
		rs_json_number(stdout, fd->x_min[i]);
		fputs(", \"max\": ", stdout);
		rs_json_number(stdout, fd->x_max[i]);
		fputs(", \"saturation_point\": ", stdout);
		if (law_error != NULL) {
			fputs("null, \"phase_of_largest_run\": null", stdout);
		} else {
			rs_json_number(stdout, sat);
			printf(", \"phase_of_largest_run\": \"%s\"",
				phase_name(fd->x_max[i], sat));
		}
		printf(" }%s\n", i + 1 < req->n_x ? "," : "");
	}
	fputs("  ],\n  \"phase_definition\": \"saturated once doubling the "
		"resource lowers NE by less than 0.1% of NE\",\n"
		"  \"extrapolation_warn_factor\": ", stdout);
	rs_json_number(stdout, RS_EXTRAPOLATION_FACTOR);
	fputs(",\n  \"law_error\": ", stdout);
	if (law_error != NULL)
		rs_json_string(stdout, law_error);
	else
		fputs("null", stdout);
	fputs("\n}", stdout);
}

/* Resources must be positive, and so must the response under log
 * residuals: report the first that is not with its line and column. */
static int check_values(const struct fit_request *req,
	const struct rs_csv *csv, double *const x[2], const double *y,
	int y_col, struct rs_error *err)
{
	for (int r = 0; r < csv->n_rows; r++) {
		for (int i = 0; i < req->n_x; i++)
			if (!(x[i][r] > 0.0))
				return rs_fail(err, "%s:%d:%d: %s: value %g is not "
					"positive; a resource must be above 0",
					csv->path, csv->line_of_row[r],
					rs_csv_column(csv, req->x_names[i]) + 1,
					req->x_names[i], x[i][r]);
		if (!req->opt.linear_residuals && !(y[r] > 0.0))
			return rs_fail(err, "%s:%d:%d: %s: value %g is not "
				"positive, but log residuals need positive "
				"values; fix the run or use --residuals linear",
				csv->path, csv->line_of_row[r], y_col + 1,
				req->y_name, y[r]);
	}
	return 0;
}

/* Correlation of log x and y over the rows: positive when the response
 * rises with the resource. */
static double log_correlation(const double *x, const double *y,
	const int *rows, int n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;

	for (int j = 0; j < n; j++) {
		mx += log(x[rows[j]]) / n;
		my += y[rows[j]] / n;
	}
	for (int j = 0; j < n; j++) {
		double dx = log(x[rows[j]]) - mx, dy = y[rows[j]] - my;
		sxy += dx * dy;
		sxx += dx * dx;
		syy += dy * dy;
	}
	return sxx > 0.0 && syy > 0.0 ? sxy / sqrt(sxx * syy) : 0.0;
}

/* Fit the runs of one scheme, given as row indices into the CSV. */
static int fit_rows(const struct fit_request *req, double *const x[2],
	const double *y, const int *rows, int n, struct fitted *fd,
	struct rs_error *err)
{
	double *sx[2] = { NULL, NULL }, *sy;
	struct rs_fit_data data = { .n = n, .n_x = req->n_x };
	int rc, n_free = rs_fit_n_params(req->opt.form);

	for (int k = 0; k < rs_fit_n_params(req->opt.form); k++)
		n_free -= (req->opt.fixed_mask >> k) & 1u;
	if (req->opt.holdout_largest > 0
	    && n - req->opt.holdout_largest < n_free + 1)
		return rs_fail(err, "--holdout-largest %d leaves %d of %d runs, "
			"fewer than the %d the fit needs; hold out fewer runs",
			req->opt.holdout_largest, n - req->opt.holdout_largest,
			n, n_free + 1);
	if (req->n_x == 1 && log_correlation(x[0], y, rows, n) > 0.0)
		return rs_fail(err, "%s rises with %s over these runs, so no "
			"scaling law in which it falls fits them; check the "
			"columns and the runs", req->y_name, req->x_names[0]);
	sy = malloc((size_t)n * sizeof *sy);

	for (int i = 0; i < req->n_x; i++) {
		sx[i] = malloc((size_t)n * sizeof *sx[i]);
		fd->x_min[i] = INFINITY;
		fd->x_max[i] = -INFINITY;
	}
	if (sy == NULL || sx[0] == NULL || (req->n_x == 2 && sx[1] == NULL)) {
		free(sy);
		free(sx[0]);
		free(sx[1]);
		return rs_fail(err, "out of memory");
	}
	for (int j = 0; j < n; j++) {
		sy[j] = y[rows[j]];
		for (int i = 0; i < req->n_x; i++) {
			sx[i][j] = x[i][rows[j]];
			fd->x_min[i] = fmin(fd->x_min[i], sx[i][j]);
			fd->x_max[i] = fmax(fd->x_max[i], sx[i][j]);
		}
	}
	data.x[0] = sx[0];
	data.x[1] = sx[1];
	data.y = sy;
	fd->n = n;
	rc = rs_fit(&data, &req->opt, &fd->result, err);
	free(sy);
	free(sx[0]);
	free(sx[1]);
	return rc;
}

/* Group CSV rows by the scheme column (in order of first appearance), or
 * put every row in one group named by --scheme. */
static int group_rows(const struct fit_request *req, const struct rs_csv *csv,
	struct fitted *fits, int **rows, int *n_rows, struct rs_error *err)
{
	int col = rs_csv_column(csv, "scheme"), n_groups = 0;

	for (int r = 0; r < csv->n_rows; r++) {
		const char *name = col >= 0 ? rs_csv_cell(csv, r, col)
			: req->scheme_name;
		int g = 0;

		while (g < n_groups && strcmp(fits[g].name, name) != 0)
			g++;
		if (g == n_groups) {
			if (n_groups == MAX_SCHEMES)
				return rs_fail(err, "%s:%d: more than %d schemes; "
					"fit at most %d at a time", csv->path,
					csv->line_of_row[r], MAX_SCHEMES,
					MAX_SCHEMES);
			if (!valid_name(name))
				return rs_fail(err, "%s:%d:%d: scheme \"%s\" is "
					"not a usable name; use letters, digits, "
					"'_' and '-'", csv->path,
					csv->line_of_row[r], col + 1, name);
			snprintf(fits[g].name, sizeof fits[g].name, "%s", name);
			rows[g] = malloc((size_t)csv->n_rows * sizeof(int));
			if (rows[g] == NULL)
				return rs_fail(err, "out of memory");
			n_rows[g] = 0;
			n_groups++;
		}
		rows[g][n_rows[g]++] = r;
	}
	return n_groups;
}

/* The header's column names, comma-separated, for messages. */
static const char *header_list(const struct rs_csv *csv, char *buf,
	size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < csv->n_cols; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "",
			csv->header[i]);
	}
	return buf;
}

static char *law_name_for(const struct fit_request *req)
{
	if (req->law_name != NULL)
		return strdup(req->law_name);
	if (req->output == NULL)
		return strdup("fitted");
	return rs_name_from_path(req->output);
}

static int write_law(const struct fit_request *req, struct rs_law *law,
	struct rs_out *out, struct rs_error *err)
{
	char source[512], date[32];
	time_t now = time(NULL);

	if (rs_out_open(out, req->output, req->force, err) < 0)
		return -1;
	strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
	snprintf(source, sizeof source, "recscale fit of %s on %s",
		req->csv_path, date);
	law->name = law_name_for(req);
	law->source = strdup(source);
	law->metric = strdup("normalized_entropy");
	if (law->name == NULL || law->source == NULL || law->metric == NULL)
		return rs_fail(err, "out of memory");
	if (rs_law_write(out->f, law) < 0)
		return rs_fail(err, "%s: writing failed", req->output);
	return rs_out_commit(out, err);
}

int cmd_fit(int argc, char **argv)
{
	struct fit_request req = {
		.y_name = "ne",
		.scheme_name = "fitted",
		.opt = { .form = RS_FORM_POWER, .seed = 1, .n_threads = 2 },
	};
	struct fitted fits[MAX_SCHEMES];
	int *rows[MAX_SCHEMES] = { NULL }, n_rows[MAX_SCHEMES];
	double *x[2] = { NULL, NULL }, *y = NULL;
	char law_errors[MAX_SCHEMES][RS_ERROR_MAX], columns[256];
	struct rs_law law;
	struct rs_csv csv;
	struct rs_error err;
	struct rs_out out = { 0 };
	int rc = parse_args(argc, argv, &req), n_groups = 0, y_col;

	if (rc != 0)
		return rc < 0 ? RS_EXIT_OK : rc;
	memset(fits, 0, sizeof fits);
	memset(&law, 0, sizeof law);
	/* Check the output now, but create it only once the fit succeeded,
	 * so an interrupted fit leaves nothing behind. */
	if (req.output != NULL
	    && rs_out_check(req.output, req.force, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_csv_read(req.csv_path, &csv, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_csv_column(&csv, "scheme") >= 0 && req.scheme_given) {
		rs_csv_free(&csv);
		rs_fail(&err, "%s: has a scheme column, so --scheme does not "
			"apply; drop --scheme or the column", req.csv_path);
		return rs_cmd_fail(&err);
	}

	rc = RS_EXIT_FAIL;
	y_col = rs_csv_column(&csv, req.y_name);
	if (y_col < 0) {
		rs_fail(&err, "%s: no column \"%s\" for the response among "
			"%s; name it with --y", req.csv_path, req.y_name,
			header_list(&csv, columns, sizeof columns));
		goto out;
	}
	y = malloc((size_t)(csv.n_rows ? csv.n_rows : 1) * sizeof *y);
	if (y == NULL || rs_csv_numbers(&csv, y_col, y, &err) < 0)
		goto out;
	for (int i = 0; i < req.n_x; i++) {
		int col = rs_csv_column(&csv, req.x_names[i]);
		if (col < 0) {
			rs_fail(&err, "%s: no column \"%s\" among %s; pass "
				"one of them to --x", req.csv_path,
				req.x_names[i], header_list(&csv, columns,
				sizeof columns));
			goto out;
		}
		x[i] = malloc((size_t)(csv.n_rows ? csv.n_rows : 1)
			* sizeof *x[i]);
		if (x[i] == NULL || rs_csv_numbers(&csv, col, x[i], &err) < 0)
			goto out;
	}
	if (csv.n_rows == 0) {
		rs_fail(&err, "%s: no runs below the header; add one row per "
			"measured run", req.csv_path);
		goto out;
	}
	if (check_values(&req, &csv, x, y, y_col, &err) < 0)
		goto out;

	n_groups = group_rows(&req, &csv, fits, rows, n_rows, &err);
	if (n_groups < 0)
		goto out;
	for (int g = 0; g < n_groups; g++) {
		struct rs_scheme_law *s = &law.schemes[g];

		if (fit_rows(&req, x, y, rows[g], n_rows[g], &fits[g],
				&err) < 0) {
			struct rs_error inner = err;
			rs_fail(&err, "%s: scheme %s: %s", req.csv_path,
				fits[g].name, inner.msg);
			goto out;
		}
		law_errors[g][0] = '\0';
		if (build_scheme(&req, &fits[g], s, &err) < 0) {
			snprintf(law_errors[g], sizeof law_errors[g], "%s",
				err.msg);
			free_scheme(s);
			memset(s, 0, sizeof *s);
			continue;
		}
		law.n_schemes = g + 1;
		for (int i = 0; i < req.n_x; i++) {
			enum rs_term_kind kind;
			term_of_column(req.x_names[i], &kind);
			fits[g].saturation_point[i] = rs_term_saturation_point(
				s, rs_scheme_term(s, kind));
		}
	}

	if (req.format == RS_FORMAT_JSON && n_groups > 1)
		fputs("{\n\"fits\": [\n", stdout);
	for (int g = 0; g < n_groups; g++) {
		const char *law_error = law_errors[g][0] ? law_errors[g] : NULL;
		if (req.format == RS_FORMAT_JSON) {
			report_json(&req, &fits[g], law_error);
			fputs(g + 1 < n_groups ? ",\n" : "\n", stdout);
		} else {
			if (g > 0)
				putchar('\n');
			report_text(&req, &fits[g], &law.schemes[g], law_error);
		}
	}
	if (req.format == RS_FORMAT_JSON && n_groups > 1)
		fputs("]\n}\n", stdout);

	if (req.output != NULL) {
		for (int g = 0; g < n_groups; g++)
			if (law_errors[g][0]) {
				rs_fail(&err, "%.700s; %.200s was not written",
					law_errors[g], req.output);
				goto out;
			}
		law.n_schemes = n_groups;
		if (write_law(&req, &law, &out, &err) < 0)
			goto out;
		fprintf(stderr, "recscale: wrote %s\n", req.output);
	}
	rc = RS_EXIT_OK;
out:
	if (rc != RS_EXIT_OK)
		rs_cmd_fail(&err);
	rs_out_abort(&out);
	for (int g = 0; g < MAX_SCHEMES; g++) {
		free(rows[g]);
		rs_fit_result_free(&fits[g].result);
	}
	rs_law_free(&law);
	free(x[0]);
	free(x[1]);
	free(y);
	rs_csv_free(&csv);
	return rc;
}
