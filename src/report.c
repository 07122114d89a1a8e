/* Plan reports: a table for people, CSV and JSON for tools. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "montecarlo.h"
#include "optimize.h"
#include "report.h"
#include "output.h"

enum field_kind { NUMBER, TEXT, FLAG };

struct year_field {
	const char *name;
	enum field_kind kind;
	const char *meaning;
};

/* Order of CSV columns and JSON fields. */
static const struct year_field fields[] = {
	{ "year", NUMBER, "calendar year" },
	{ "hw_profile", TEXT, "hardware profile used this year" },
	{ "device", TEXT, "accelerator (or CPU) of that profile" },
	{ "n_devices_per_node", NUMBER, "devices in one node" },
	{ "nodes", NUMBER, "nodes needed to train within the window" },
	{ "nodes_for_memory", NUMBER, "nodes needed to hold the embedding "
		"state alone" },
	{ "binding", TEXT, "what decides the node count: memory, "
		"dense_compute, embedding_gather, network or storage_read" },
	{ "meets_window", FLAG, "whether training fits the window" },
	{ "samples_per_day", NUMBER, "samples arriving per day" },
	{ "data_samples", NUMBER, "D: samples retained for training" },
	{ "data_limit", TEXT, "what caps D: retention_policy or "
		"storage_capacity" },
	{ "data_bytes", NUMBER, "stored size of D" },
	{ "params_embedding", NUMBER, "embedding parameters" },
	{ "params_dense", NUMBER, "dense (MLP and interaction) parameters" },
	{ "lookups_per_sample", NUMBER, "embedding rows read per sample" },
	{ "flops_per_sample", NUMBER, "training FLOPs per sample, forward "
		"and backward" },
	{ "epochs", NUMBER, "passes over D the run needs (grows with the "
		"global batch when the scenario gives noise_batch_samples)" },
	{ "flops", NUMBER, "C: training FLOPs of the run, FLOPs per sample "
		"x D x epochs" },
	{ "embedding_state_bytes", NUMBER, "embedding weights and optimizer "
		"state" },
	{ "host_memory_frac", NUMBER, "share of that state held in host "
		"memory" },
	{ "host_lookup_frac", NUMBER, "share of lookups served from host "
		"memory, after index skew" },
	{ "ne", NUMBER, "predicted normalized entropy" },
	{ "ne_p10", NUMBER, "10th percentile of NE over the law's bootstrap "
		"samples (empty without samples)" },
	{ "ne_p90", NUMBER, "90th percentile of NE over the law's bootstrap "
		"samples" },
	{ "ne_gain_pct", NUMBER, "NE improvement over the previous year, "
		"percent" },
	{ "step_s", NUMBER, "time of one global-batch step" },
	{ "dense_s", NUMBER, "dense compute per step" },
	{ "gather_s", NUMBER, "embedding gathers per step" },
	{ "all_to_all_s", NUMBER, "all-to-all of pooled embeddings per step" },
	{ "all_reduce_s", NUMBER, "all-reduce of dense gradients per step" },
	{ "overlap_s", NUMBER, "time per step hidden by overlapping "
		"computation and communication" },
	{ "samples_per_s", NUMBER, "training throughput of the cluster" },
	{ "train_s", NUMBER, "training steps of one run" },
	{ "eval_s", NUMBER, "evaluation passes of one run" },
	{ "train_time_s", NUMBER, "time to train: train_s + eval_s" },
	{ "cost_usd", NUMBER, "cost of the year: hardware, energy and "
		"storage" },
	{ "cost_hardware_usd", NUMBER, "amortised purchase of the cluster" },
	{ "cost_energy_usd", NUMBER, "electricity including PUE" },
	{ "cost_storage_usd", NUMBER, "storage of the retained data" },
	{ "cost_per_0p1pct_ne_usd", NUMBER, "extra yearly cost over the "
		"previous year per 0.1% of NE gained (empty when NE did not "
		"improve; negative when the year is both better and cheaper)" },
	{ "over_budget", FLAG, "whether cost_usd exceeds the budget" },
};

#define N_FIELDS ((int)(sizeof fields / sizeof fields[0]))

int rs_format_parse(const char *name, enum rs_format *format)
{
	if (strcmp(name, "text") == 0)
		*format = RS_FORMAT_TEXT;
	else if (strcmp(name, "csv") == 0)
		*format = RS_FORMAT_CSV;
	else if (strcmp(name, "json") == 0)
		*format = RS_FORMAT_JSON;
	else
		return -1;
	return 0;
}

void rs_report_list_fields(FILE *f)
{
	for (int i = 0; i < N_FIELDS; i++)
		fprintf(f, "  %-24s %s\n", fields[i].name, fields[i].meaning);
}

static double number_of(const struct rs_year *y, int i)
{
	const struct rs_cluster_result *c = &y->cluster;
	const char *name = fields[i].name;

	if (strcmp(name, "year") == 0) return y->year;
	if (strcmp(name, "n_devices_per_node") == 0)
		return y->hw->n_devices.value;
	if (strcmp(name, "nodes") == 0) return (double)c->nodes;
	if (strcmp(name, "nodes_for_memory") == 0)
		return (double)c->nodes_for_memory;
	if (strcmp(name, "meets_window") == 0) return c->meets_window;
	if (strcmp(name, "samples_per_day") == 0) return y->samples_per_day;
	if (strcmp(name, "data_samples") == 0) return y->data_samples;
	if (strcmp(name, "data_bytes") == 0) return y->data_bytes;
	if (strcmp(name, "params_embedding") == 0) return y->params_embedding;
	if (strcmp(name, "params_dense") == 0) return y->params_dense;
	if (strcmp(name, "lookups_per_sample") == 0)
		return y->lookups_per_sample;
	if (strcmp(name, "flops_per_sample") == 0) return y->flops_per_sample;
	if (strcmp(name, "flops") == 0) return y->flops;
	if (strcmp(name, "embedding_state_bytes") == 0)
		return y->embedding_state_bytes;
	if (strcmp(name, "host_memory_frac") == 0) return c->host_frac;
	if (strcmp(name, "host_lookup_frac") == 0) return c->host_lookup_frac;
	if (strcmp(name, "epochs") == 0) return y->epochs;
	if (strcmp(name, "overlap_s") == 0) return c->overlap_s;
	if (strcmp(name, "train_s") == 0) return c->train_s;
	if (strcmp(name, "eval_s") == 0) return c->eval_s;
	if (strcmp(name, "ne") == 0) return y->ne;
	if (strcmp(name, "ne_p10") == 0) return y->ne_p10;
	if (strcmp(name, "ne_p90") == 0) return y->ne_p90;
	if (strcmp(name, "ne_gain_pct") == 0) return y->ne_gain_pct;
	if (strcmp(name, "step_s") == 0) return c->step_s;
	if (strcmp(name, "dense_s") == 0) return c->dense_s;
	if (strcmp(name, "gather_s") == 0) return c->gather_s;
	if (strcmp(name, "all_to_all_s") == 0) return c->all_to_all_s;
	if (strcmp(name, "all_reduce_s") == 0) return c->all_reduce_s;
	if (strcmp(name, "samples_per_s") == 0) return c->samples_per_s;
	if (strcmp(name, "train_time_s") == 0) return c->train_time_s;
	if (strcmp(name, "cost_usd") == 0) return y->cost.total_usd;
	if (strcmp(name, "cost_hardware_usd") == 0) return y->cost.hardware_usd;
	if (strcmp(name, "cost_energy_usd") == 0) return y->cost.energy_usd;
	if (strcmp(name, "cost_storage_usd") == 0) return y->cost.storage_usd;
	if (strcmp(name, "cost_per_0p1pct_ne_usd") == 0)
		return y->cost_per_0p1pct_ne_usd;
	if (strcmp(name, "over_budget") == 0) return y->over_budget;
	return NAN;
}

static const char *text_of(const struct rs_year *y, int i)
{
	const char *name = fields[i].name;

	if (strcmp(name, "hw_profile") == 0) return y->hw->name;
	if (strcmp(name, "device") == 0) return y->hw->device;
	if (strcmp(name, "binding") == 0)
		return rs_binding_names[y->cluster.binding];
	if (strcmp(name, "data_limit") == 0)
		return rs_data_limit_name(y->data_limit);
	return "";
}

static void csv_text(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void report_csv(FILE *f, const struct rs_plan *plan)
{
	fputs("scenario", f);
	for (int i = 0; i < N_FIELDS; i++)
		fprintf(f, ",%s", fields[i].name);
	fputc('\n', f);
	for (int k = 0; k < plan->n_years; k++) {
		const struct rs_year *y = &plan->years[k];

		csv_text(f, plan->scenario->name);
		for (int i = 0; i < N_FIELDS; i++) {
			fputc(',', f);
			if (fields[i].kind == TEXT) {
				csv_text(f, text_of(y, i));
			} else if (fields[i].kind == FLAG) {
				fputs(number_of(y, i) != 0.0 ? "true" : "false",
					f);
			} else {
				double v = number_of(y, i);
				if (isfinite(v))
					rs_json_number(f, v);
			}
		}
		fputc('\n', f);
	}
}

static void json_key(FILE *f, const char *indent, const char *key)
{
	fprintf(f, "%s", indent);
	rs_json_string(f, key);
	fputs(": ", f);
}

static void json_uncertainty(FILE *f, const struct rs_plan *plan)
{
	const struct rs_uncertainty_result *u = plan->uncertainty;
	static const char *const keys[6] = {
		"ne_p10", "ne_p50", "ne_p90", "cost_usd_p10", "cost_usd_p50",
		"cost_usd_p90"
	};

	fprintf(f, ",\n  \"monte_carlo\": {\n    \"n_draws\": %d,\n    "
		"\"seed\": %llu,\n    \"years\": [", u->n_draws,
		(unsigned long long)u->seed);
	for (int k = 0; k < u->n_years; k++) {
		const struct rs_mc_year *y = &u->years[k];
		double v[6] = { y->ne_p10, y->ne_p50, y->ne_p90, y->cost_p10,
			y->cost_p50, y->cost_p90 };

		fprintf(f, "%s\n      { \"year\": %d", k ? "," : "",
			plan->years[k].year);
		for (int i = 0; i < 6; i++) {
			fprintf(f, ", \"%s\": ", keys[i]);
			rs_json_number(f, v[i]);
		}
		fputs(" }", f);
	}
	fputs("\n    ]\n  },\n  \"sensitivity\": [", f);
	for (int i = 0; i < u->n_sensitivity; i++) {
		const struct rs_sensitivity *s = &u->sensitivity[i];

		fputs(i ? ",\n    { \"input\": " : "\n    { \"input\": ", f);
		rs_json_string(f, s->input);
		fputs(", \"low\": ", f);
		rs_json_number(f, s->low);
		fputs(", \"high\": ", f);
		rs_json_number(f, s->high);
		fputs(", \"ne_low\": ", f);
		rs_json_number(f, s->ne_low);
		fputs(", \"ne_high\": ", f);
		rs_json_number(f, s->ne_high);
		fputs(", \"cost_usd_low\": ", f);
		rs_json_number(f, s->cost_low);
		fputs(", \"cost_usd_high\": ", f);
		rs_json_number(f, s->cost_high);
		fputs(" }", f);
	}
	fputs(u->n_sensitivity ? "\n  ]" : "]", f);
}

static void text_uncertainty(FILE *f, const struct rs_plan *plan)
{
	const struct rs_uncertainty_result *u = plan->uncertainty;
	int final = plan->n_years - 1;
	char a[32], b[32], c[32];

	fprintf(f, "\nMonte Carlo over the law's bootstrap samples and the "
		"scenario's uncertainty\nranges: %d draws, seed %llu\n",
		u->n_draws, (unsigned long long)u->seed);
	if (plan->scenario->law.schemes[plan->scenario->law_scheme].n_samples
		< 2 && u->n_sensitivity == 0)
		fputs("(the law has no samples and the scenario no uncertainty "
			"group, so the bands equal the plan)\n", f);
	fprintf(f, "%-4s  %-26s %s\n", "year", "NE P10 / P50 / P90",
		"cost USD P10 / P50 / P90");
	for (int k = 0; k < u->n_years; k++) {
		const struct rs_mc_year *y = &u->years[k];
		fprintf(f, "%-4d  %.5f / %.5f / %.5f    %s / %s / %s\n",
			plan->years[k].year, y->ne_p10, y->ne_p50, y->ne_p90,
			rs_fmt_count(a, sizeof a, y->cost_p10),
			rs_fmt_count(b, sizeof b, y->cost_p50),
			rs_fmt_count(c, sizeof c, y->cost_p90));
	}
	if (u->n_sensitivity == 0)
		return;
	fprintf(f, "\nSensitivity of %d, one input at a time from the low to "
		"the high end of its range,\nranked by the NE it moves, then by the "
		"cost:\n",
		plan->years[final].year);
	fprintf(f, "%-26s %-22s %-22s %s\n", "input", "low -> high",
		"NE", "cost USD");
	for (int i = 0; i < u->n_sensitivity; i++) {
		const struct rs_sensitivity *s = &u->sensitivity[i];
		char range[40], ne[40];

		snprintf(range, sizeof range, "%g -> %g", s->low, s->high);
		snprintf(ne, sizeof ne, "%.5f -> %.5f", s->ne_low, s->ne_high);
		fprintf(f, "%-26s %-22s %-22s %s -> %s\n", s->input, range, ne,
			rs_fmt_count(a, sizeof a, s->cost_low),
			rs_fmt_count(b, sizeof b, s->cost_high));
	}
}

static void report_json(FILE *f, const struct rs_plan *plan)
{
	const struct rs_scenario *sc = plan->scenario;
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];

	fputs("{\n", f);
	json_key(f, "  ", "scenario");
	rs_json_string(f, sc->name);
	fputs(",\n", f);
	json_key(f, "  ", "scenario_file");
	rs_json_string(f, sc->path);
	fputs(",\n", f);
	json_key(f, "  ", "law");
	rs_json_string(f, sc->law.name);
	fputs(",\n", f);
	json_key(f, "  ", "law_scheme");
	rs_json_string(f, law->name);
	fputs(",\n", f);
	json_key(f, "  ", "training_window_s");
	rs_json_number(f, sc->training.window_days * 86400.0);
	fputs(",\n", f);
	json_key(f, "  ", "global_batch_samples");
	rs_json_number(f, sc->training.global_batch_samples);
	fputs(",\n", f);
	json_key(f, "  ", "budget_usd_per_year");
	rs_json_number(f, sc->budget_usd_per_year > 0.0
		? sc->budget_usd_per_year : NAN);
	fputs(",\n", f);
	json_key(f, "  ", "law_samples");
	rs_json_number(f, law->n_samples);
	fputs(",\n", f);
	json_key(f, "  ", "warnings");
	fputs("[", f);
	for (int i = 0; i < plan->n_warnings; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		rs_json_string(f, plan->warnings[i]);
	}
	fputs(plan->n_warnings ? "\n  ],\n" : "],\n", f);
	json_key(f, "  ", "years");
	fputs("[\n", f);
	for (int k = 0; k < plan->n_years; k++) {
		const struct rs_year *y = &plan->years[k];

		fputs("    {\n", f);
		for (int i = 0; i < N_FIELDS; i++) {
			json_key(f, "      ", fields[i].name);
			if (fields[i].kind == TEXT)
				rs_json_string(f, text_of(y, i));
			else if (fields[i].kind == FLAG)
				fputs(number_of(y, i) != 0.0 ? "true" : "false",
					f);
			else
				rs_json_number(f, number_of(y, i));
			fputs(i + 1 < N_FIELDS ? ",\n" : "\n", f);
		}
		fputs(k + 1 < plan->n_years ? "    },\n" : "    }\n", f);
	}
	fputs("  ]", f);
	if (plan->uncertainty != NULL)
		json_uncertainty(f, plan);
	fputs("\n}\n", f);
}

static void json_candidate(FILE *f, const struct rs_scenario *sc,
	const struct rs_candidate *c)
{
	fputs("{ \"hw_profile\": ", f);
	rs_json_string(f, sc->hardware[c->hw].name);
	for (int l = 0; l < RS_N_LEVERS; l++) {
		fprintf(f, ", \"%s\": ", rs_lever_names[l]);
		rs_json_number(f, rs_candidate_lever(sc, c, (enum rs_lever)l));
	}
	fputs(", \"data_samples\": ", f);
	rs_json_number(f, c->data_samples);
	fputs(", \"ne\": ", f);
	rs_json_number(f, c->ne);
	fputs(", \"cost_usd\": ", f);
	rs_json_number(f, c->cost_usd);
	fprintf(f, ", \"nodes\": %lld, \"binding\": ", c->nodes);
	rs_json_string(f, rs_binding_names[c->binding]);
	fputs(" }", f);
}

static void json_lever_returns(FILE *f, const struct rs_year_choice *y)
{
	fputs("{", f);
	for (int l = 0; l < RS_N_LEVERS; l++) {
		const struct rs_lever_return *ret = &y->returns[l];

		fprintf(f, "%s\n        \"%s\": ", l ? "," : "",
			rs_lever_names[l]);
		if (y->chosen < 0 || !ret->available) {
			fputs("null", f);
			continue;
		}
		fputs("{ \"ne_gain_pct\": ", f);
		rs_json_number(f, ret->ne_gain_pct);
		fputs(", \"extra_cost_usd\": ", f);
		rs_json_number(f, ret->extra_cost_usd);
		fputs(", \"usd_per_0p1pct_ne\": ", f);
		rs_json_number(f, ret->usd_per_0p1pct_ne);
		fputs(" }", f);
	}
	fputs("\n      }", f);
}

void rs_report_optimization_json(FILE *f, const struct rs_optimization *opt)
{
	const struct rs_scenario *sc = opt->scenario;
	int budget = opt->objective == RS_MIN_NE_WITHIN_BUDGET;

	fputs("{\n  \"scenario\": ", f);
	rs_json_string(f, sc->name);
	fprintf(f, ",\n  \"objective\": \"%s\",\n  \"%s\": ",
		budget ? "min_ne_within_budget" : "min_cost_for_target_ne",
		budget ? "budget_usd_per_year" : "target_ne");
	rs_json_number(f, opt->limit);
	fputs(",\n  \"method\": \"exhaustive: every combination of the "
		"candidate lever values and allowed profiles, each on the "
		"smallest cluster that trains within the window\",\n"
		"  \"years\": [\n", f);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		fprintf(f, "    {\n      \"year\": %d,\n      \"n_candidates\": "
			"%d,\n      \"chosen\": ", y->year, y->n_candidates);
		if (y->chosen >= 0)
			json_candidate(f, sc, &y->candidates[y->chosen]);
		else
			fputs("null", f);
		fputs(",\n      \"lever_returns\": ", f);
		json_lever_returns(f, y);
		fputs(",\n      \"frontier\": [", f);
		for (int j = 0; j < y->n_frontier; j++) {
			fputs(j ? ",\n        " : "\n        ", f);
			json_candidate(f, sc, &y->candidates[y->frontier[j]]);
		}
		fputs(y->n_frontier ? "\n      ]\n" : "]\n", f);
		fputs(k + 1 < opt->n_years ? "    },\n" : "    }\n", f);
	}
	fputs("  ]\n}\n", f);
}

static char *fmt_usd(char *buf, size_t size, double v)
{
	char digits[64];

	if (!isfinite(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%s", v < 0 ? "-" : "",
			rs_fmt_count(digits, sizeof digits, fabs(v)));
	return buf;
}

static void report_text(FILE *f, const struct rs_plan *plan)
{
	const struct rs_scenario *sc = plan->scenario;
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	int storage_limited = 0, window_missed = 0, over_budget = 0;
	int band = law->n_samples >= 2, ne_width = band ? 25 : 8;
	char a[64], b[64], c[64], d[64], e[64], g[64];

	fprintf(f, "Scenario %s: %s\n", sc->name, sc->description);
	fprintf(f, "Law %s, scheme %s; training window %g day%s, global "
		"batch %.0f, dense %s\n\n", sc->law.name, law->name,
		sc->training.window_days,
		sc->training.window_days == 1.0 ? "" : "s",
		sc->training.global_batch_samples,
		sc->training.dense_precision);
	fprintf(f, "%-4s  %-9s %-9s %-9s %-9s %-*s %-22s %-16s %15s %14s\n",
		"year", "D", "N_emb", "N_dense", "C", ne_width, "NE",
		"nodes x device", "binding", "cost USD", "USD/0.1% NE");
	fprintf(f, "%-4s  %-9s %-9s %-9s %-9s %-*s %-22s %-16s %15s %14s\n",
		"", "samples", "params", "params", "FLOPs", ne_width,
		band ? "(P10-P90)" : "", "", "", "", "vs prev year");
	for (int k = 0; k < plan->n_years; k++) {
		const struct rs_year *y = &plan->years[k];
		char nodes[64], ne[64];
		const char *mark = "";

		if (y->data_limit == RS_DATA_STORAGE) {
			mark = "*";
			storage_limited = 1;
		}
		snprintf(nodes, sizeof nodes, "%lld x %s%s", y->cluster.nodes,
			y->hw->name, y->cluster.meets_window ? "" : "!");
		window_missed |= !y->cluster.meets_window;
		over_budget |= y->over_budget;
		snprintf(a, sizeof a, "%s", rs_fmt_sci(g, sizeof g,
			y->data_samples));
		strncat(a, mark, sizeof a - strlen(a) - 1);
		if (band)
			snprintf(ne, sizeof ne, "%.5f (%.5f-%.5f)", y->ne,
				y->ne_p10, y->ne_p90);
		else
			snprintf(ne, sizeof ne, "%.5f", y->ne);
		fprintf(f, "%-4d  %-9s %-9s %-9s %-9s %-*s %-22s %-16s "
			"%14s%s %14s\n", y->year, a,
			rs_fmt_sci(b, sizeof b, y->params_embedding),
			rs_fmt_sci(c, sizeof c, y->params_dense),
			rs_fmt_sci(d, sizeof d, y->flops), ne_width, ne, nodes,
			rs_binding_names[y->cluster.binding],
			fmt_usd(e, sizeof e, y->cost.total_usd),
			y->over_budget ? "$" : " ",
			fmt_usd(g, sizeof g, y->cost_per_0p1pct_ne_usd));
	}
	fputc('\n', f);
	if (storage_limited)
		fputs("* D is capped by the storage capacity, not by the "
			"retention policy: data binds quality.\n", f);
	if (window_missed)
		fputs("! training does not fit the window: with binding "
			"storage_read the storage cannot feed it and the "
			"smallest cluster that keeps up is shown; otherwise no "
			"cluster of this profile is fast enough and the "
			"smallest within 5% of the fastest is shown.\n", f);
	if (over_budget)
		fputs("$ cost exceeds the budget.\n", f);
	for (int i = 0; i < plan->n_warnings; i++)
		fprintf(f, "warning: %s\n", plan->warnings[i]);
	if (band)
		fprintf(f, "NE band: 10th to 90th percentile over the law's "
			"%d bootstrap samples.\n", law->n_samples);
	if (rs_source_is_assumption(law->data.coefficient.source))
		fputs("NE uses law coefficients marked as assumptions; run "
			"`recscale law` to see each value's source.\n", f);
	if (plan->uncertainty != NULL)
		text_uncertainty(f, plan);
}

void rs_report_plan(FILE *f, const struct rs_plan *plan,
	enum rs_format format)
{
	switch (format) {
	case RS_FORMAT_TEXT:
		report_text(f, plan);
		break;
	case RS_FORMAT_CSV:
		report_csv(f, plan);
		break;
	case RS_FORMAT_JSON:
		report_json(f, plan);
		break;
	}
}
