/* recscale report: the planning report of one or more scenarios side by
 * side, as an HTML page with charts, Markdown, CSV or JSON. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd.h"
#include "engine.h"
#include "inputs.h"
#include "montecarlo.h"
#include "optimize.h"
#include "output.h"
#include "page.h"
#include "searchpath.h"

/* Charts tell scenarios apart by colour, and the palette has eight. */
#define MAX_SCENARIOS 8
/* Threads of each optimizer search, the default of `recscale optimize`.
 * The result does not depend on the count. */
#define OPTIMIZE_THREADS 2

static void report_usage(FILE *f)
{
	fputs("Usage: recscale report SCENARIO... [options]\n\n"
		"Write the planning report of one or more scenarios side by "
		"side: predicted\nNE per year with its uncertainty band, cost "
		"per year by component\n(hardware, energy, storage), NE against "
		"cost, the binding resource per\nyear, each fitted law over its "
		"fitted range, the warnings, and every input\nwith its value "
		"and source.  Each SCENARIO is a file or a name looked up in\n"
		"scenarios/ on the search path; give at most 8.\n\n"
		"Formats:\n"
		"  html      a self-contained page (no scripts, no network) "
		"with inline SVG\n"
		"            charts, each followed by a table of its numbers\n"
		"  markdown  the same sections and tables, without the charts\n"
		"  csv       one row per scenario and year, the columns of "
		"`recscale plan\n"
		"            --format csv`\n"
		"  json      the plans as `recscale plan --format json` writes "
		"them, in\n"
		"            \"scenarios\", with \"warnings\", \"fitted_laws\" "
		"and \"inputs\"\n\n"
		"Options:\n"
		"  -o, --output FILE  write to FILE (atomically: a failed run "
		"leaves no file);\n"
		"                   the extension .html, .md, .csv or .json "
		"chooses the format\n"
		"  --format FORMAT  html, markdown, csv or json; overrides the "
		"extension\n"
		"                   (default without -o: html on standard "
		"output)\n"
		"  --force          replace FILE if it exists\n"
		"  --monte-carlo N  also draw N plans per scenario (10 to "
		"1000000) over the\n"
		"                   law's bootstrap samples and the scenario's "
		"uncertainty\n"
		"                   ranges: P10 to P90 bands of NE and cost per "
		"year, and a\n"
		"                   tornado chart of what moves the final year\n"
		"  --seed S         seed of the Monte Carlo draws (default 1)\n"
		"  --optimize       also search each scenario's optimize group "
		"for the best\n"
		"                   plan per year: the Pareto frontier of NE "
		"against cost,\n"
		"                   the chosen plans and the return on each "
		"lever\n"
		"  --budget-usd-per-year X  with --optimize: the lowest NE "
		"within X USD a\n"
		"                   year (default: each scenario's "
		"cost.budget_usd_per_year)\n"
		"  --target-ne Y    with --optimize: the cheapest plan with NE "
		"at most Y\n"
		"  -h, --help       show this help and exit\n\n"
		"CSV holds the plans only, so it takes neither --monte-carlo "
		"nor --optimize.\nA year without a qualifying plan is shown "
		"as such and does not fail the\nreport.\n\n"
		"Example:\n"
		"  recscale report scenarios/default.cfg "
		"scenarios/data-first.cfg -o report.html\n"
		"  recscale report scenarios/default.cfg --monte-carlo 200 "
		"--optimize \\\n"
		"      -o report.html\n\n"
		"Exit status: 0 success, 1 the run failed or the input is "
		"invalid, 2 usage error.\n", f);
}

/* What the analysis options request. */
struct analyses {
	int n_draws;			/* 0: no Monte Carlo */
	uint64_t seed;
	int optimize;
	double budget_usd, target_ne;	/* NAN when not given */
};

struct report_run {
	int n;
	struct rs_scenario *scenarios;
	struct rs_plan *plans;
	struct rs_inputs inputs;
	struct rs_uncertainty_result *uncertainty;	/* n, or NULL */
	struct rs_optimization *optimizations;		/* n, or NULL */
	int n_optimized;
};

static void run_free(struct report_run *run)
{
	for (int i = 0; i < run->n_optimized; i++)
		rs_optimization_free(&run->optimizations[i]);
	free(run->optimizations);
	free(run->uncertainty);
	for (int i = 0; i < run->n; i++)
		rs_scenario_free(&run->scenarios[i]);
	free(run->scenarios);
	free(run->plans);
	rs_inputs_free(&run->inputs);
}

/* Load and project each scenario in paths, and collect its inputs. */
static int run_scenarios(struct report_run *run, int n,
	char (*paths)[RS_PATH_MAX], struct rs_error *err)
{
	memset(run, 0, sizeof *run);
	run->scenarios = calloc((size_t)n, sizeof *run->scenarios);
	run->plans = calloc((size_t)n, sizeof *run->plans);
	if (run->scenarios == NULL || run->plans == NULL)
		return rs_fail(err, "out of memory");

	for (int i = 0; i < n; i++) {
		struct rs_scenario *sc = &run->scenarios[i];

		if (rs_scenario_load(paths[i], sc, err) < 0)
			return -1;
		run->n = i + 1;
		for (int j = 0; j < i; j++)
			if (strcmp(run->scenarios[j].name, sc->name) == 0)
				return rs_fail(err, "%s and %s are both named "
					"\"%s\", and the report tells scenarios "
					"apart by name; give each a distinct "
					"name", run->scenarios[j].path,
					sc->path, sc->name);
		if (rs_engine_run(sc, &run->plans[i], err) < 0
		    || rs_inputs_add_scenario(&run->inputs, sc, err) < 0)
			return -1;
	}
	return 0;
}

/* Run the Monte Carlo draws and the sensitivity of every scenario, and
 * attach them to its plan. */
static int run_monte_carlo(struct report_run *run, const struct analyses *a,
	struct rs_error *err)
{
	run->uncertainty = calloc((size_t)run->n, sizeof *run->uncertainty);
	if (run->uncertainty == NULL)
		return rs_fail(err, "out of memory");
	for (int i = 0; i < run->n; i++) {
		if (rs_monte_carlo(&run->scenarios[i], a->n_draws, a->seed,
				&run->uncertainty[i], err) < 0
		    || rs_sensitivity_analysis(&run->scenarios[i],
				&run->uncertainty[i], err) < 0)
			return -1;
		run->plans[i].uncertainty = &run->uncertainty[i];
	}
	return 0;
}

/* Search every scenario for its best plan per year.  Without a budget or
 * target option each scenario uses its own budget.  Returns an exit
 * status: RS_EXIT_USAGE, already printed, when a scenario then sets no
 * budget, and RS_EXIT_FAIL with the message in err when a search fails. */
static int run_optimize(struct report_run *run, const struct analyses *a,
	struct rs_error *err)
{
	int by_target = !isnan(a->target_ne);

	for (int i = 0; i < run->n; i++)
		if (!by_target && isnan(a->budget_usd)
		    && !(run->scenarios[i].budget_usd_per_year > 0.0)) {
			rs_cmd_usage("report", "--optimize: %s sets no "
				"cost.budget_usd_per_year; give "
				"--budget-usd-per-year or --target-ne",
				run->scenarios[i].path);
			return RS_EXIT_USAGE;
		}
	run->optimizations = calloc((size_t)run->n,
		sizeof *run->optimizations);
	if (run->optimizations == NULL) {
		rs_fail(err, "out of memory");
		return RS_EXIT_FAIL;
	}
	for (int i = 0; i < run->n; i++) {
		const struct rs_scenario *sc = &run->scenarios[i];
		double limit = by_target ? a->target_ne
			: !isnan(a->budget_usd) ? a->budget_usd
			: sc->budget_usd_per_year;

		/* rs_optimize fills what it can before failing, so the
		 * result is freed either way. */
		run->n_optimized = i + 1;
		if (rs_optimize(sc, by_target ? RS_MIN_COST_FOR_TARGET
				: RS_MIN_NE_WITHIN_BUDGET, limit,
				OPTIMIZE_THREADS, &run->optimizations[i],
				err) < 0)
			return RS_EXIT_FAIL;
	}
	return RS_EXIT_OK;
}

/* Parse the value of --monte-carlo, --seed, --budget-usd-per-year or
 * --target-ne into a; prints the usage error itself. */
static int parse_analysis(int option, const char *value, struct analyses *a)
{
	double v;

	switch (option) {
	case 'M':
		if (rs_parse_double(value, &v) < 0 || v < 10 || v > 1e6
		    || v != floor(v))
			return rs_cmd_usage("report", "--monte-carlo %s: give a "
				"whole number of draws from 10 to 1000000",
				value);
		a->n_draws = (int)v;
		break;
	case 's':
		if (rs_parse_double(value, &v) < 0 || v < 0
		    || v > 4294967295.0 || v != floor(v))
			return rs_cmd_usage("report", "--seed %s: give a whole "
				"number from 0 to 4294967295", value);
		a->seed = (uint64_t)v;
		break;
	case 'b':
		if (rs_parse_double(value, &v) < 0 || !(v > 0))
			return rs_cmd_usage("report", "--budget-usd-per-year "
				"%s: give a positive number of USD", value);
		a->budget_usd = v;
		break;
	case 't':
		if (rs_parse_double(value, &v) < 0 || !(v > 0))
			return rs_cmd_usage("report", "--target-ne %s: give a "
				"positive NE", value);
		a->target_ne = v;
		break;
	}
	return 0;
}

/* Reject analysis options that do not go together or with format;
 * prints the usage error itself.  seed_given is 1 when --seed was
 * given. */
static int check_analyses(const struct analyses *a, int seed_given,
	enum rs_page_format format)
{
	if (seed_given && a->n_draws == 0)
		return rs_cmd_usage("report", "--seed sets the Monte Carlo "
			"draws; add --monte-carlo N");
	if (!a->optimize && (!isnan(a->budget_usd) || !isnan(a->target_ne)))
		return rs_cmd_usage("report", "--budget-usd-per-year and "
			"--target-ne set the plan search; add --optimize");
	if (!isnan(a->budget_usd) && !isnan(a->target_ne))
		return rs_cmd_usage("report", "give --budget-usd-per-year or "
			"--target-ne, not both");
	if (format == RS_PAGE_CSV && (a->n_draws > 0 || a->optimize))
		return rs_cmd_usage("report", "CSV holds the plans only; "
			"write html, markdown or json for --monte-carlo and "
			"--optimize");
	return 0;
}

/* The format from --format, else from the output file's extension, else
 * HTML; prints the usage error itself. */
static int choose_format(const char *format_name, const char *output,
	enum rs_page_format *format)
{
	if (format_name != NULL) {
		if (rs_page_format_parse(format_name, format) < 0)
			return rs_cmd_usage("report", "--format %s is not "
				"known; use html, markdown, csv or json",
				format_name);
		return 0;
	}
	if (output == NULL || strcmp(output, "-") == 0) {
		*format = RS_PAGE_HTML;
		return 0;
	}
	if (rs_page_format_of_path(output, format) < 0)
		return rs_cmd_usage("report", "cannot tell the format of "
			"\"%s\"; name it .html, .md, .csv or .json, or pass "
			"--format", output);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "monte-carlo", required_argument, NULL, 'M' },
		{ "seed", required_argument, NULL, 's' },
		{ "optimize", no_argument, NULL, 'P' },
		{ "budget-usd-per-year", required_argument, NULL, 'b' },
		{ "target-ne", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct analyses analyses = { 0, 1, 0, NAN, NAN };
	const char *output = NULL, *format_name = NULL;
	char paths[MAX_SCENARIOS][RS_PATH_MAX];
	enum rs_page_format format;
	struct report_run run;
	struct rs_error err;
	struct rs_out out;
	int c, n, force = 0, seed_given = 0, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			format_name = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'P':
			analyses.optimize = 1;
			break;
		case 'M':
		case 's':
		case 'b':
		case 't':
			seed_given |= c == 's';
			if (parse_analysis(c, optarg, &analyses) != 0)
				return RS_EXIT_USAGE;
			break;
		case 'h':
			report_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("report", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("report", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	n = argc - optind;
	if (n < 1)
		return rs_cmd_usage("report", "name at least one scenario");
	if (n > MAX_SCENARIOS)
		return rs_cmd_usage("report", "%d scenarios given; a report "
			"compares at most %d", n, MAX_SCENARIOS);
	if (choose_format(format_name, output, &format) != 0
	    || check_analyses(&analyses, seed_given, format) != 0)
		return RS_EXIT_USAGE;

	for (int i = 0; i < n; i++)
		if (rs_find_data("scenarios", argv[optind + i], paths[i],
				sizeof paths[i], &err) < 0)
			return rs_cmd_fail(&err);
	/* Open the output first, so an existing file is reported before the
	 * work; the temporary file is removed if the run fails. */
	if (rs_out_open(&out, output, force, &err) < 0)
		return rs_cmd_fail(&err);
	rc = RS_EXIT_OK;
	if (run_scenarios(&run, n, paths, &err) < 0)
		rc = rs_cmd_fail(&err);
	/* The search first: it reports a scenario without a budget before
	 * the draws, which can take long. */
	if (rc == RS_EXIT_OK && analyses.optimize) {
		rc = run_optimize(&run, &analyses, &err);
		if (rc == RS_EXIT_FAIL)
			rs_cmd_fail(&err);
	}
	if (rc == RS_EXIT_OK && analyses.n_draws > 0
	    && run_monte_carlo(&run, &analyses, &err) < 0)
		rc = rs_cmd_fail(&err);
	if (rc == RS_EXIT_OK && rs_page_write(out.f, run.plans, run.n,
			run.optimizations, &run.inputs,
			"recscale " PACKAGE_VERSION, format, &err) < 0)
		rc = rs_cmd_fail(&err);
	if (rc != RS_EXIT_OK) {
		run_free(&run);
		rs_out_abort(&out);
		return rc;
	}
	run_free(&run);
	if (rs_out_commit(&out, &err) < 0)
		return rs_cmd_fail(&err);
	return RS_EXIT_OK;
}
