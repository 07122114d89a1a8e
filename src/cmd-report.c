/* recscale report: the planning report of one or more scenarios side by
 * side, as an HTML page with charts, Markdown, CSV or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd.h"
#include "engine.h"
#include "inputs.h"
#include "output.h"
#include "page.h"
#include "searchpath.h"

/* Charts tell scenarios apart by colour, and the palette has eight. */
#define MAX_SCENARIOS 8

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
		"  -h, --help       show this help and exit\n\n"
		"Example:\n"
		"  recscale report scenarios/default.cfg "
		"scenarios/data-first.cfg -o report.html\n\n"
		"Exit status: 0 success, 1 the run failed or the input is "
		"invalid, 2 usage error.\n", f);
}

struct report_run {
	int n;
	struct rs_scenario *scenarios;
	struct rs_plan *plans;
	struct rs_inputs inputs;
};

static void run_free(struct report_run *run)
{
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *format_name = NULL;
	char paths[MAX_SCENARIOS][RS_PATH_MAX];
	enum rs_page_format format;
	struct report_run run;
	struct rs_error err;
	struct rs_out out;
	int c, n, force = 0;

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
	if (choose_format(format_name, output, &format) != 0)
		return RS_EXIT_USAGE;

	for (int i = 0; i < n; i++)
		if (rs_find_data("scenarios", argv[optind + i], paths[i],
				sizeof paths[i], &err) < 0)
			return rs_cmd_fail(&err);
	/* Open the output first, so an existing file is reported before the
	 * work; the temporary file is removed if the run fails. */
	if (rs_out_open(&out, output, force, &err) < 0)
		return rs_cmd_fail(&err);
	if (run_scenarios(&run, n, paths, &err) < 0
	    || rs_page_write(out.f, run.plans, run.n, &run.inputs,
			"recscale " PACKAGE_VERSION, format, &err) < 0) {
		run_free(&run);
		rs_out_abort(&out);
		return rs_cmd_fail(&err);
	}
	run_free(&run);
	if (rs_out_commit(&out, &err) < 0)
		return rs_cmd_fail(&err);
	return RS_EXIT_OK;
}
