/* recscale optimize: for each year, the plan with the lowest predicted NE
 * within a budget, or the cheapest plan that reaches a target NE, with the
 * Pareto frontier of NE against cost and the return on each lever. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "optimize.h"
#include "output.h"
#include "searchpath.h"

static void optimize_usage(FILE *f)
{
	fputs("Usage: recscale optimize SCENARIO [--budget-usd-per-year X | "
		"--target-ne Y] [options]\n\n"
		"For each year of SCENARIO, search every combination of the "
		"candidate values in\nits optimize group (retention_days, "
		"negative_keep_frac, and multipliers of\nembedding_rows, "
		"embedding_dim, top_mlp and all_mlp on the year's planned "
		"model)\nand every hardware profile it allows that year, each on "
		"the smallest cluster\nthat trains within the window, and "
		"choose the lowest NE within the budget or\nthe lowest cost "
		"that reaches the target NE.  Prints the chosen plan, the "
		"Pareto\nfrontier of NE against cost, and what one step up of "
		"each lever would cost\nper 0.1% of NE gained.\n\n"
		"Options:\n"
		"  --budget-usd-per-year X  yearly budget in USD (default: the "
		"scenario's\n"
		"                     cost.budget_usd_per_year)\n"
		"  --target-ne Y      find the cheapest plan with NE at most Y "
		"instead\n"
		"  --threads N        threads for the search, 1 to 8 (default "
		"2)\n"
		"  --format FORMAT    text (default) or json\n"
		"  -o, --output FILE  write to FILE (atomically)\n"
		"  --force            replace FILE if it exists\n"
		"  -h, --help         show this help and exit\n\n"
		"Exit status 1 when some year has no plan within the budget or "
		"reaching the\ntarget; the message says what the best feasible "
		"plan would need.\n", f);
}

static const char *hw_name(const struct rs_scenario *sc,
	const struct rs_candidate *c)
{
	return sc->hardware[c->hw].name;
}

static void report_text(FILE *f, const struct rs_optimization *opt)
{
	const struct rs_scenario *sc = opt->scenario;
	char a[32], b[32];

	fprintf(f, "Scenario %s: %s\n", sc->name,
		opt->objective == RS_MIN_NE_WITHIN_BUDGET
		? "lowest NE within the budget" : "cheapest plan reaching the "
		"target NE");
	if (opt->objective == RS_MIN_NE_WITHIN_BUDGET)
		fprintf(f, "Budget %s USD per year", rs_fmt_count(a, sizeof a,
			opt->limit));
	else
		fprintf(f, "Target NE %.6g", opt->limit);
	{
		long total = 0;
		for (int k = 0; k < opt->n_years; k++)
			total += opt->years[k].n_candidates;
		fprintf(f, "; exhaustive search over %ld candidate plans in %d "
			"years\n\n", total, opt->n_years);
	}
	fprintf(f, "%-4s  %-9s %-6s %-5s %-5s %-5s %-5s %-14s %-6s %-9s "
		"%-8s %14s %-16s\n", "year", "retention", "neg", "rows", "dim",
		"top", "mlp", "hardware", "nodes", "D", "NE", "cost USD",
		"binding");
	fprintf(f, "%-4s  %-9s %-6s %-5s %-5s %-5s %-5s\n", "", "days",
		"keep", "x", "x", "x", "x");
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];
		const struct rs_candidate *c;

		if (y->chosen < 0) {
			fprintf(f, "%-4d  no plan qualifies\n", y->year);
			continue;
		}
		c = &y->candidates[y->chosen];
		fprintf(f, "%-4d  %-9g %-6g %-5g %-5g %-5g %-5g %-14s %-6lld "
			"%-9s %-8.5f %14s %-16s\n", y->year,
			rs_candidate_lever(sc, c, RS_LEVER_RETENTION_DAYS),
			rs_candidate_lever(sc, c, RS_LEVER_NEGATIVE_KEEP_FRAC),
			rs_candidate_lever(sc, c, RS_LEVER_EMBEDDING_ROWS),
			rs_candidate_lever(sc, c, RS_LEVER_EMBEDDING_DIM),
			rs_candidate_lever(sc, c, RS_LEVER_TOP_MLP),
			rs_candidate_lever(sc, c, RS_LEVER_ALL_MLP),
			hw_name(sc, c), c->nodes,
			rs_fmt_sci(a, sizeof a, c->data_samples), c->ne,
			rs_fmt_count(b, sizeof b, c->cost_usd),
			rs_binding_names[c->binding]);
	}

	fputs("\nReturn on each lever: USD per year for 0.1% of NE from one "
		"step up, from the chosen plan\n", f);
	fprintf(f, "%-4s", "year");
	for (int l = 0; l < RS_N_LEVERS; l++)
		fprintf(f, " %18s", rs_lever_names[l]);
	fputc('\n', f);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		if (y->chosen < 0)
			continue;
		fprintf(f, "%-4d", y->year);
		for (int l = 0; l < RS_N_LEVERS; l++) {
			const struct rs_lever_return *ret = &y->returns[l];
			if (!ret->available)
				snprintf(a, sizeof a, "at max");
			else if (isnan(ret->usd_per_0p1pct_ne))
				snprintf(a, sizeof a, "no gain");
			else
				rs_fmt_count(a, sizeof a,
					ret->usd_per_0p1pct_ne);
			fprintf(f, " %18s", a);
		}
		fputc('\n', f);
	}

	/* Levers the law does not see only cost money, so the search always
	 * takes their smallest candidate.  Print a note so the choice does
	 * not read as advice. */
	for (int l = 0; l < RS_N_LEVERS; l++) {
		int ignored = sc->levers.n[l] > 1, any = 0;
		for (int k = 0; k < opt->n_years; k++) {
			const struct rs_year_choice *y = &opt->years[k];
			if (y->chosen < 0 || !y->returns[l].available)
				continue;
			any = 1;
			if (y->returns[l].ne_gain_pct != 0.0)
				ignored = 0;
		}
		if (ignored && any)
			fprintf(f, "note: raising %s changes no year's NE "
				"here (law %s, scheme %s, does not depend on it, "
				"or storage caps the data), so its smallest "
				"candidate is chosen\n", rs_lever_names[l],
				sc->law.name,
				sc->law.schemes[sc->law_scheme].name);
	}
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];
		if (y->chosen >= 0 && y->candidates[y->chosen].ne >= 1.0)
			fprintf(f, "warning: %d: the chosen plan's NE %.5f is no "
				"better than the base rate\n", y->year,
				y->candidates[y->chosen].ne);
	}

	fputs("\nPareto frontier of NE against cost (each point: no cheaper "
		"plan has lower NE)\n", f);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		fprintf(f, "%d: %d points", y->year, y->n_frontier);
		for (int j = 0; j < y->n_frontier && j < 6; j++) {
			const struct rs_candidate *c =
				&y->candidates[y->frontier[j]];
			fprintf(f, "%s%s USD -> %.5f", j ? ", " : " (",
				rs_fmt_sci(a, sizeof a, c->cost_usd), c->ne);
		}
		fputs(y->n_frontier > 6 ? ", ...; all in --format json)\n"
			: y->n_frontier ? ")\n" : "\n", f);
	}
}

static int any_unmet(const struct rs_optimization *opt)
{
	for (int k = 0; k < opt->n_years; k++)
		if (opt->years[k].chosen < 0)
			return 1;
	return 0;
}

/* One line per year that has no qualifying plan, saying what would. */
static int report_unmet(const struct rs_optimization *opt)
{
	int unmet = 0;
	char a[32], b[32];

	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		if (y->chosen >= 0)
			continue;
		unmet = 1;
		if (isinf(y->cheapest_feasible_usd))
			fprintf(stderr, "recscale: %s: %d: no candidate trains "
				"within the training window; lengthen "
				"training.window_days or allow faster "
				"hardware\n", opt->scenario->path, y->year);
		else if (opt->objective == RS_MIN_NE_WITHIN_BUDGET)
			fprintf(stderr, "recscale: %s: %d: no plan fits a budget "
				"of %s USD; the cheapest feasible plan costs %s "
				"USD, so raise the budget to at least that\n",
				opt->scenario->path, y->year,
				rs_fmt_sci(b, sizeof b, opt->limit),
				rs_fmt_count(a, sizeof a,
					y->cheapest_feasible_usd));
		else
			fprintf(stderr, "recscale: %s: %d: no plan reaches NE "
				"%.6g; the best feasible NE is %.6f, so raise "
				"the target to at least that or offer larger "
				"lever values\n", opt->scenario->path, y->year,
				opt->limit, y->best_feasible_ne);
	}
	return unmet;
}

int cmd_optimize(int argc, char **argv)
{
	static const struct option options[] = {
		{ "budget-usd-per-year", required_argument, NULL, 'b' },
		{ "target-ne", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum rs_format format = RS_FORMAT_TEXT;
	double budget = NAN, target = NAN, threads = 2.0;
	const char *output = NULL;
	char path[RS_PATH_MAX];
	struct rs_optimization opt;
	struct rs_scenario sc;
	struct rs_error err;
	struct rs_out out;
	int c, force = 0, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (rs_parse_double(optarg, &budget) < 0 || !(budget > 0))
				return rs_cmd_usage("optimize", "--budget-usd-"
					"per-year %s: give a positive number",
					optarg);
			break;
		case 't':
			if (rs_parse_double(optarg, &target) < 0 || !(target > 0))
				return rs_cmd_usage("optimize", "--target-ne %s: "
					"give a positive number", optarg);
			break;
		case 'j':
			if (rs_parse_double(optarg, &threads) < 0 || threads < 1
			    || threads > 8 || threads != floor(threads))
				return rs_cmd_usage("optimize", "--threads %s: "
					"give a whole number from 1 to 8", optarg);
			break;
		case 'f':
			if (rs_cmd_format("optimize", optarg, &format) != 0)
				return RS_EXIT_USAGE;
			if (format == RS_FORMAT_CSV)
				return rs_cmd_usage("optimize", "optimize "
					"reports as text or json");
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'h':
			optimize_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("optimize", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("optimize", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return rs_cmd_usage("optimize", "expected one scenario, got %d",
			argc - optind);
	if (!isnan(budget) && !isnan(target))
		return rs_cmd_usage("optimize", "give --budget-usd-per-year or "
			"--target-ne, not both");
	if (output != NULL && rs_out_check(output, force, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_find_data("scenarios", argv[optind], path, sizeof path, &err) < 0
	    || rs_scenario_load(path, &sc, &err) < 0)
		return rs_cmd_fail(&err);
	if (isnan(budget) && isnan(target)) {
		budget = sc.budget_usd_per_year;
		if (!(budget > 0.0)) {
			rs_scenario_free(&sc);
			return rs_cmd_usage("optimize", "the scenario sets no "
				"cost.budget_usd_per_year; give "
				"--budget-usd-per-year or --target-ne");
		}
	}

	rc = RS_EXIT_OK;
	if (rs_optimize(&sc, isnan(target) ? RS_MIN_NE_WITHIN_BUDGET
			: RS_MIN_COST_FOR_TARGET, isnan(target) ? budget
			: target, (int)threads, &opt, &err) < 0) {
		rs_optimization_free(&opt);
		rs_scenario_free(&sc);
		return rs_cmd_fail(&err);
	}
	/* A year without a qualifying plan fails the run: the report still
	 * goes to standard output, but no output file is written. */
	if (output != NULL && any_unmet(&opt)) {
		report_unmet(&opt);
		rc = RS_EXIT_FAIL;
	} else if (rs_out_open(&out, output, force, &err) < 0) {
		rc = rs_cmd_fail(&err);
	} else {
		if (format == RS_FORMAT_JSON)
			rs_report_optimization_json(out.f, &opt);
		else
			report_text(out.f, &opt);
		if (rs_out_commit(&out, &err) < 0)
			rc = rs_cmd_fail(&err);
		else if (report_unmet(&opt))
			rc = RS_EXIT_FAIL;
	}
	rs_optimization_free(&opt);
	rs_scenario_free(&sc);
	return rc;
}
