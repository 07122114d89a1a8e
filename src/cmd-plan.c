/* recscale plan: project a scenario year by year. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "engine.h"
#include "montecarlo.h"
#include "output.h"
#include "searchpath.h"

static void plan_usage(FILE *f)
{
	fputs("Usage: recscale plan [SCENARIO] [options]\n\n"
		"Project SCENARIO year by year: data retained (D), parameters "
		"(N), training\ncompute (C), predicted NE, the nodes that train "
		"each year's model within the\ntraining window, what binds "
		"them, and the year's cost.  SCENARIO is a file\nor a name "
		"looked up in scenarios/ on the search path; default: "
		"\"default\".\n\n"
		"Options:\n"
		"  --format FORMAT  text (default), csv or json\n"
		"  -o, --output FILE  write to FILE (atomically) instead of "
		"standard output\n"
		"  --force          replace FILE if it exists\n"
		"  --monte-carlo N  also draw N plans over the law's bootstrap "
		"samples and the\n"
		"                   scenario's uncertainty ranges: P10, P50 and "
		"P90 of NE and\n"
		"                   cost per year, and the sensitivity of the "
		"final year\n"
		"                   (text and json)\n"
		"  --seed S         seed of the Monte Carlo draws (default 1)\n"
		"  --fields         list the CSV and JSON fields and exit\n"
		"  -h, --help       show this help and exit\n", f);
}

int cmd_plan(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "fields", no_argument, NULL, 'L' },
		{ "monte-carlo", required_argument, NULL, 'M' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum rs_format format = RS_FORMAT_TEXT;
	const char *output = NULL, *name = "default";
	char path[RS_PATH_MAX];
	struct rs_scenario sc;
	struct rs_plan plan;
	struct rs_error err;
	struct rs_out out;
	struct rs_uncertainty_result *uncertainty = NULL;
	double draws = 0.0, seed = 1.0;
	int c, force = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (rs_cmd_format("plan", optarg, &format) != 0)
				return RS_EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'L':
			rs_report_list_fields(stdout);
			return RS_EXIT_OK;
		case 'M':
			if (rs_parse_double(optarg, &draws) < 0 || draws < 10
			    || draws > 1e5 || draws != floor(draws))
				return rs_cmd_usage("plan", "--monte-carlo %s: "
					"give a whole number of draws from 10 to "
					"100000 (about 2 ms each)", optarg);
			break;
		case 's':
			if (rs_parse_double(optarg, &seed) < 0 || seed < 0
			    || seed > 4294967295.0 || seed != floor(seed))
				return rs_cmd_usage("plan", "--seed %s: give a "
					"whole number from 0 to 4294967295",
					optarg);
			break;
		case 'h':
			plan_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("plan", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("plan", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return rs_cmd_usage("plan", "one scenario at a time, got %d",
			argc - optind);
	if (optind < argc)
		name = argv[optind];

	if (rs_find_data("scenarios", name, path, sizeof path, &err) < 0)
		return rs_cmd_fail(&err);
	/* Open the output first, so an existing file is reported before the
	 * work; the temporary file is removed if the run fails. */
	if (rs_out_open(&out, output, force, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_scenario_load(path, &sc, &err) < 0) {
		rs_out_abort(&out);
		return rs_cmd_fail(&err);
	}
	if (rs_engine_run(&sc, &plan, &err) < 0) {
		rs_scenario_free(&sc);
		rs_out_abort(&out);
		return rs_cmd_fail(&err);
	}
	if (draws > 0.0) {
		uncertainty = malloc(sizeof *uncertainty);
		if (uncertainty == NULL
		    || rs_monte_carlo(&sc, (int)draws, (uint64_t)seed,
				uncertainty, &err) < 0
		    || rs_sensitivity_analysis(&sc, uncertainty, &err) < 0) {
			if (uncertainty == NULL)
				rs_fail(&err, "out of memory");
			free(uncertainty);
			rs_scenario_free(&sc);
			rs_out_abort(&out);
			return rs_cmd_fail(&err);
		}
		plan.uncertainty = uncertainty;
	}
	rs_report_plan(out.f, &plan, format);
	free(uncertainty);
	rs_scenario_free(&sc);
	if (rs_out_commit(&out, &err) < 0)
		return rs_cmd_fail(&err);
	return RS_EXIT_OK;
}
