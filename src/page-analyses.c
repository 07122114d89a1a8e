/* Sections of the report that its analysis options add: the Monte Carlo
 * bands and the sensitivity list (--monte-carlo), and the optimizer's
 * chosen plans, lever returns and Pareto frontier (--optimize).
 *
 * Table cells carry data-field names that locate their value in the JSON
 * that `recscale plan --monte-carlo N --format json` and `recscale
 * optimize --format json` print, for example monte_carlo.ne_p10,
 * sensitivity.cost_usd_high, chosen.ne and frontier.cost_usd.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "figures.h"
#include "montecarlo.h"
#include "output.h"
#include "page-impl.h"

static int any_monte_carlo(const struct doc *d)
{
	for (int i = 0; i < d->n; i++)
		if (d->plans[i].uncertainty != NULL)
			return 1;
	return 0;
}

static const struct rs_uncertainty_result *first_monte_carlo(
	const struct doc *d)
{
	for (int i = 0; i < d->n; i++)
		if (d->plans[i].uncertainty != NULL)
			return d->plans[i].uncertainty;
	return NULL;
}

static void year_cell(const struct doc *d, int year)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%d", year);
	rs_doc_cell_text(&d->out, buf);
}

/* What one Monte Carlo draw of plan p varies, as a sentence ending in a
 * full stop. */
static void describe_draws(const struct rs_plan *p, char *buf, size_t size)
{
	const struct rs_scenario *sc = p->scenario;
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	size_t len = 0;
	int n = 0;

	len += (size_t)snprintf(buf, size, "%s: ", sc->name);
	for (int k = 0; k < RS_N_UNCERTAIN && len < size; k++) {
		if (!sc->uncertainty.given[k])
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s from %g "
			"to %g", n ? ", " : "each draw takes ",
			rs_uncertain_names[k], sc->uncertainty.low[k],
			sc->uncertainty.high[k]);
		n++;
	}
	if (len >= size)
		return;
	if (law->n_samples >= 2)
		snprintf(buf + len, size - len, "%sone of the %d bootstrap "
			"samples of law %s.", n ? ", and " : "each draw takes ",
			law->n_samples, sc->law.name);
	else if (n > 0)
		snprintf(buf + len, size - len, ". Law %s has no bootstrap "
			"samples, so the law stays fixed.", sc->law.name);
	else
		snprintf(buf + len, size - len, "the scenario gives no "
			"uncertainty ranges and law %s has no bootstrap "
			"samples, so every draw equals the plan.",
			sc->law.name);
}

void page_monte_carlo_ne(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "year", "NE of the plan", "NE P10", "NE P50",
		"NE P90"
	};
	const struct rs_uncertainty_result *mc = first_monte_carlo(d);
	char caption[128];

	if (mc == NULL)
		return;
	rs_doc_paragraph(&d->out, "caption",
		"The error bars are the 10th to 90th percentile of NE over %d "
		"Monte Carlo draws with seed %llu, and the same seed gives the "
		"same draws. Each draw projects the whole plan again with its "
		"inputs drawn together, uniformly over each range, while the "
		"shaded band, where drawn, varies the law alone.",
		mc->n_draws, (unsigned long long)mc->seed);
	rs_doc_list_begin(&d->out);
	for (int i = 0; i < d->n; i++) {
		char text[1024];

		if (d->plans[i].uncertainty == NULL)
			continue;
		describe_draws(&d->plans[i], text, sizeof text);
		rs_doc_list_item(&d->out, "%s", text);
	}
	rs_doc_list_end(&d->out);

	snprintf(caption, sizeof caption, "Monte Carlo NE per year (%d "
		"draws, seed %llu)", mc->n_draws,
		(unsigned long long)mc->seed);
	rs_doc_table_begin(&d->out, "table-monte-carlo-ne", caption, 6,
		headers, "lrrrrr");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		const struct rs_uncertainty_result *u = p->uncertainty;

		for (int k = 0; u != NULL && k < u->n_years; k++) {
			const struct rs_mc_year *m = &u->years[k];

			rs_doc_row_begin(&d->out, p->scenario->name,
				p->years[k].year, NULL);
			cell_scenario(d, i);
			year_cell(d, p->years[k].year);
			ne_cell(d, "ne", p->years[k].ne);
			ne_cell(d, "monte_carlo.ne_p10", m->ne_p10);
			ne_cell(d, "monte_carlo.ne_p50", m->ne_p50);
			ne_cell(d, "monte_carlo.ne_p90", m->ne_p90);
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
}

void page_monte_carlo_cost(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "year", "cost of the plan (USD)", "cost P10 (USD)",
		"cost P50 (USD)", "cost P90 (USD)"
	};
	const struct rs_uncertainty_result *mc = first_monte_carlo(d);
	char caption[128];

	if (mc == NULL)
		return;
	rs_doc_paragraph(&d->out, "caption",
		"The error bars on the bars are the 10th to 90th percentile "
		"of the yearly total over the same %d Monte Carlo draws as "
		"NE. A total above the budget in some draws shows as an error "
		"bar that crosses the budget line.", mc->n_draws);
	snprintf(caption, sizeof caption, "Monte Carlo cost per year (%d "
		"draws, seed %llu)", mc->n_draws,
		(unsigned long long)mc->seed);
	rs_doc_table_begin(&d->out, "table-monte-carlo-cost", caption, 6,
		headers, "lrrrrr");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		const struct rs_uncertainty_result *u = p->uncertainty;

		for (int k = 0; u != NULL && k < u->n_years; k++) {
			const struct rs_mc_year *m = &u->years[k];

			rs_doc_row_begin(&d->out, p->scenario->name,
				p->years[k].year, NULL);
			cell_scenario(d, i);
			year_cell(d, p->years[k].year);
			usd_cell(d, "cost_usd", p->years[k].cost.total_usd);
			usd_cell(d, "monte_carlo.cost_usd_p10", m->cost_p10);
			usd_cell(d, "monte_carlo.cost_usd_p50", m->cost_p50);
			usd_cell(d, "monte_carlo.cost_usd_p90", m->cost_p90);
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
}

/* The law's entry moves between two bootstrap samples, whose percentiles
 * it gives as its range. */
static int is_law_entry(const struct rs_sensitivity *s)
{
	return strncmp(s->input, "law", 3) == 0;
}

static void sensitivity_table(const struct doc *d, int i)
{
	static const char *const headers[] = {
		"input", "low end", "high end", "NE at low end",
		"NE at high end", "NE change, low to high (%)",
		"cost at low end (USD)", "cost at high end (USD)",
		"cost change, low to high (USD)"
	};
	const struct rs_plan *p = &d->plans[i];
	const struct rs_uncertainty_result *u = p->uncertainty;
	const struct rs_year *final = &p->years[p->n_years - 1];
	char id[32], caption[256];

	snprintf(id, sizeof id, "table-sensitivity-%d", i);
	snprintf(caption, sizeof caption, "Sensitivity of %s in %d, ranked",
		p->scenario->name, final->year);
	rs_doc_table_begin(&d->out, id, caption, 9, headers, "lrrrrrrrr");
	for (int r = 0; r < u->n_sensitivity; r++) {
		const struct rs_sensitivity *s = &u->sensitivity[r];
		char buf[64];

		rs_doc_row_begin(&d->out, p->scenario->name, 0, NULL);
		rs_doc_cell_text(&d->out, s->input);
		if (is_law_entry(s)) {
			snprintf(buf, sizeof buf, "P%g sample", s->low);
			rs_doc_cell_number(&d->out, NULL, NAN, buf);
			snprintf(buf, sizeof buf, "P%g sample", s->high);
			rs_doc_cell_number(&d->out, NULL, NAN, buf);
		} else {
			snprintf(buf, sizeof buf, "%g", s->low);
			rs_doc_cell_number(&d->out, "sensitivity.low", s->low,
				buf);
			snprintf(buf, sizeof buf, "%g", s->high);
			rs_doc_cell_number(&d->out, "sensitivity.high", s->high,
				buf);
		}
		ne_cell(d, "sensitivity.ne_low", s->ne_low);
		ne_cell(d, "sensitivity.ne_high", s->ne_high);
		rs_doc_cell_number(&d->out, NULL, NAN, fmt_fixed(buf,
			sizeof buf, 100.0 * (s->ne_high - s->ne_low)
			/ final->ne, 3));
		usd_cell(d, "sensitivity.cost_usd_low", s->cost_low);
		usd_cell(d, "sensitivity.cost_usd_high", s->cost_high);
		usd_cell(d, NULL, s->cost_high - s->cost_low);
		rs_doc_row_end(&d->out);
	}
	rs_doc_table_end(&d->out);
}

void page_sensitivity(const struct doc *d)
{
	if (!any_monte_carlo(d))
		return;
	rs_doc_heading(&d->out, 2, "sensitivity",
		"Sensitivity: what moves the final year");
	rs_doc_paragraph(&d->out, NULL,
		"Each input of the scenario's uncertainty group is moved "
		"alone to the low and then to the high end of its range, with "
		"the other inputs at their plan values, and the plan is "
		"projected again. The law's row uses the two bootstrap samples "
		"whose final-year NE lies at the 10th and the 90th percentile. "
		"Inputs are ranked by how far they move the final year's NE, "
		"then its cost. In each chart, a bar runs from the value with "
		"the input at one end of its range to the value with it at the "
		"other; the numbers beside the bar are those input values, and "
		"the dashed line is the plan.");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		const struct rs_uncertainty_result *u = p->uncertainty;
		char id[32], title[256];

		if (u == NULL)
			continue;
		snprintf(id, sizeof id, "sensitivity-%d", i);
		snprintf(title, sizeof title, "%s: sensitivity of %d",
			p->scenario->name, p->years[p->n_years - 1].year);
		rs_doc_heading(&d->out, 3, id, title);
		if (u->n_sensitivity == 0) {
			rs_doc_paragraph(&d->out, NULL,
				"%s gives no uncertainty ranges and law %s "
				"has no bootstrap samples, so no input moves "
				"its final year.", p->scenario->name,
				p->scenario->law.name);
			continue;
		}
		if (!d->out.markdown)
			rs_figure_tornado(d->out.f, p, i, i);
		sensitivity_table(d, i);
	}
}

/* ---- The optimizer's choice. ---- */

/* Column headers of the levers, in the order of rs_lever_names; the
 * model levers multiply the year's planned model. */
static const char *const lever_headers[RS_N_LEVERS] = {
	"retention (days)", "negative keep (fraction)",
	"embedding rows (\u00d7)", "embedding dim (\u00d7)", "top MLP (\u00d7)",
	"all MLP (\u00d7)"
};

/* 1 when the scenario offers more than one value of lever l, so that
 * the plans can differ in it and the tables give it a column. */
static int lever_varies(const struct rs_scenario *sc, int l)
{
	return sc->levers.n[l] > 1;
}

/* The cells of one candidate: hardware, nodes, the levers that vary, D,
 * NE, cost and binding, with data-field names under prefix ("chosen",
 * "frontier"). */
static void candidate_cells(const struct doc *d, const struct rs_scenario *sc,
	const struct rs_candidate *c, const char *prefix)
{
	char field[64], buf[64];

	rs_doc_cell_text(&d->out, sc->hardware[c->hw].name);
	snprintf(field, sizeof field, "%s.nodes", prefix);
	snprintf(buf, sizeof buf, "%lld", c->nodes);
	rs_doc_cell_number(&d->out, field, (double)c->nodes, buf);
	for (int l = 0; l < RS_N_LEVERS; l++) {
		double v = rs_candidate_lever(sc, c, (enum rs_lever)l);

		if (!lever_varies(sc, l))
			continue;
		snprintf(field, sizeof field, "%s.%s", prefix,
			rs_lever_names[l]);
		snprintf(buf, sizeof buf, "%g", v);
		rs_doc_cell_number(&d->out, field, v, buf);
	}
	snprintf(field, sizeof field, "%s.data_samples", prefix);
	sci_cell(d, field, c->data_samples);
	snprintf(field, sizeof field, "%s.ne", prefix);
	ne_cell(d, field, c->ne);
	snprintf(field, sizeof field, "%s.cost_usd", prefix);
	usd_cell(d, field, c->cost_usd);
	rs_doc_cell_text(&d->out, rs_binding_names[c->binding]);
}

/* Headers and alignment of a candidate table: year, the candidate's
 * cells, and extra (or NULL) last.  Returns the number of columns. */
static int candidate_headers(const struct rs_scenario *sc,
	const char **headers, char *align, const char *extra)
{
	int n = 0;

	headers[n] = "year";
	align[n++] = 'l';
	headers[n] = "hardware";
	align[n++] = 'l';
	headers[n] = "nodes";
	align[n++] = 'r';
	for (int l = 0; l < RS_N_LEVERS; l++)
		if (lever_varies(sc, l)) {
			headers[n] = lever_headers[l];
			align[n++] = 'r';
		}
	headers[n] = "D (samples)";
	align[n++] = 'r';
	headers[n] = "NE";
	align[n++] = 'r';
	headers[n] = "cost (USD)";
	align[n++] = 'r';
	headers[n] = "binding";
	align[n++] = 'l';
	if (extra != NULL) {
		headers[n] = extra;
		align[n++] = 'l';
	}
	align[n] = '\0';
	return n;
}

/* A sentence naming the levers that every plan shares, with their
 * values, in buf; empty when every lever varies. */
static void fixed_levers(const struct rs_scenario *sc, char *buf,
	size_t size)
{
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	for (int l = 0; l < RS_N_LEVERS && len < size; l++) {
		double v = sc->levers.value[l][0];

		if (lever_varies(sc, l))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s%g",
			n ? ", " : "Every plan keeps ", rs_lever_names[l],
			l >= RS_LEVER_EMBEDDING_ROWS ? "\u00d7" : "", v);
		n++;
	}
	if (n > 0 && len < size)
		snprintf(buf + len, size - len, ", the only value%s the "
			"scenario offers, so the tables give %s no column.",
			n > 1 ? "s" : "", n > 1 ? "them" : "it");
}

/* Why year y has no qualifying plan and what would give it one. */
static void unmet_message(const struct rs_optimization *opt,
	const struct rs_year_choice *y, char *buf, size_t size)
{
	char a[64], b[64];

	if (isinf(y->cheapest_feasible_usd))
		snprintf(buf, size, "%d: no plan qualifies, because no "
			"candidate trains within the training window; "
			"lengthen training.window_days or allow faster "
			"hardware.", y->year);
	else if (opt->objective == RS_MIN_NE_WITHIN_BUDGET)
		snprintf(buf, size, "%d: no plan qualifies, because none fits "
			"the budget of %s USD. The cheapest feasible plan costs "
			"%s USD, so the budget would have to be at least that.",
			y->year, fmt_usd(a, sizeof a, opt->limit),
			fmt_usd(b, sizeof b, y->cheapest_feasible_usd));
	else
		snprintf(buf, size, "%d: no plan qualifies, because none "
			"reaches NE %.6g. The best feasible NE is %.6f, so the "
			"target would have to be at least that, or the "
			"optimize group would need larger lever values.",
			y->year, opt->limit, y->best_feasible_ne);
}

static void chosen_table(const struct doc *d, int i)
{
	const struct rs_optimization *opt = &d->optimizations[i];
	const struct rs_scenario *sc = opt->scenario;
	const char *headers[16];
	char align[17], id[32], caption[256];
	int n = candidate_headers(sc, headers, align, NULL);

	snprintf(id, sizeof id, "table-chosen-%d", i);
	snprintf(caption, sizeof caption, "Plan chosen for %s per year",
		sc->name);
	rs_doc_table_begin(&d->out, id, caption, n, headers, align);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		rs_doc_row_begin(&d->out, sc->name, y->year,
			y->chosen < 0 ? "unmet" : NULL);
		year_cell(d, y->year);
		if (y->chosen >= 0) {
			candidate_cells(d, sc, &y->candidates[y->chosen],
				"chosen");
		} else {
			rs_doc_cell_text(&d->out, "no plan qualifies");
			for (int c = 2; c < n; c++)
				rs_doc_cell_text(&d->out, DASH);
		}
		rs_doc_row_end(&d->out);
	}
	rs_doc_table_end(&d->out);
}

static void returns_table(const struct doc *d, int i)
{
	const struct rs_optimization *opt = &d->optimizations[i];
	const struct rs_scenario *sc = opt->scenario;
	const char *headers[1 + RS_N_LEVERS] = { "year" };
	char align[2 + RS_N_LEVERS] = "l", id[32], caption[256];
	int n = 1;

	for (int l = 0; l < RS_N_LEVERS; l++)
		if (lever_varies(sc, l)) {
			headers[n] = lever_headers[l];
			align[n++] = 'r';
		}
	align[n] = '\0';
	if (n == 1) {
		rs_doc_paragraph(&d->out, NULL, "%s offers one value of each "
			"lever, so no lever has a return to show.", sc->name);
		return;
	}
	snprintf(id, sizeof id, "table-returns-%d", i);
	snprintf(caption, sizeof caption, "Return on each lever of %s: USD "
		"per year for each 0.1%% of NE that one step up gains",
		sc->name);
	rs_doc_table_begin(&d->out, id, caption, n, headers, align);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		rs_doc_row_begin(&d->out, sc->name, y->year, NULL);
		year_cell(d, y->year);
		for (int l = 0; l < RS_N_LEVERS; l++) {
			const struct rs_lever_return *ret = &y->returns[l];
			char field[80], buf[64];

			if (!lever_varies(sc, l))
				continue;
			snprintf(field, sizeof field,
				"lever_returns.%s.usd_per_0p1pct_ne",
				rs_lever_names[l]);
			if (y->chosen < 0)
				rs_doc_cell_text(&d->out, DASH);
			else if (!ret->available)
				rs_doc_cell_text(&d->out, "at max");
			else if (!(ret->ne_gain_pct > 0.0))
				rs_doc_cell_text(&d->out, "no gain");
			else if (isnan(ret->usd_per_0p1pct_ne))
				rs_doc_cell_text(&d->out, "misses window");
			else
				rs_doc_cell_number(&d->out, field,
					ret->usd_per_0p1pct_ne, fmt_usd(buf,
					sizeof buf, ret->usd_per_0p1pct_ne));
		}
		rs_doc_row_end(&d->out);
	}
	rs_doc_table_end(&d->out);
}

static void frontier_table(const struct doc *d, int i)
{
	const struct rs_optimization *opt = &d->optimizations[i];
	const struct rs_scenario *sc = opt->scenario;
	const char *headers[16];
	char align[17], id[32], caption[256];
	int n = candidate_headers(sc, headers, align, "chosen");

	snprintf(id, sizeof id, "table-frontier-%d", i);
	snprintf(caption, sizeof caption, "Pareto frontier of %s, by rising "
		"cost", sc->name);
	rs_doc_table_begin(&d->out, id, caption, n, headers, align);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		for (int j = 0; j < y->n_frontier; j++) {
			int index = y->frontier[j];

			rs_doc_row_begin(&d->out, sc->name, y->year,
				index == y->chosen ? "chosen" : NULL);
			year_cell(d, y->year);
			candidate_cells(d, sc, &y->candidates[index],
				"frontier");
			rs_doc_cell_text(&d->out,
				index == y->chosen ? "yes" : "");
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
}

static int optimization_of(const struct doc *d, int i)
{
	const struct rs_optimization *opt = &d->optimizations[i];
	const struct rs_scenario *sc = opt->scenario;
	int min_candidates = opt->years[0].n_candidates, max_candidates = 0;
	int frontier_points = 0;
	char id[32], title[256], limit[64], text[512];

	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];
		if (y->n_candidates < min_candidates)
			min_candidates = y->n_candidates;
		if (y->n_candidates > max_candidates)
			max_candidates = y->n_candidates;
		frontier_points += y->n_frontier;
	}
	snprintf(id, sizeof id, "optimize-%d", i);
	if (opt->objective == RS_MIN_NE_WITHIN_BUDGET)
		snprintf(title, sizeof title, "%s: lowest NE within %s USD per "
			"year", sc->name, fmt_usd(limit, sizeof limit,
			opt->limit));
	else
		snprintf(title, sizeof title, "%s: cheapest plan with NE at "
			"most %.6g", sc->name, opt->limit);
	rs_doc_heading(&d->out, 3, id, title);
	if (!d->out.markdown && frontier_points > 0
	    && rs_figure_frontier(d->out.f, opt, i) < 0)
		return -1;
	if (min_candidates == max_candidates)
		rs_doc_paragraph(&d->out, "caption", "%d candidate%s per "
			"year.%s", min_candidates, min_candidates == 1 ? ""
			: "s", frontier_points > 0 ? " In the chart, each "
			"colour is a year and a ring marks the plan chosen for "
			"it." : "");
	else
		rs_doc_paragraph(&d->out, "caption", "%d to %d candidates per "
			"year, as the hardware allowed changes.%s",
			min_candidates, max_candidates, frontier_points > 0
			? " In the chart, each colour is a year and a ring "
			"marks the plan chosen for it." : "");
	fixed_levers(sc, text, sizeof text);
	if (text[0] != '\0')
		rs_doc_paragraph(&d->out, "caption", "%s", text);
	for (int k = 0; k < opt->n_years; k++) {
		if (opt->years[k].chosen >= 0)
			continue;
		unmet_message(opt, &opt->years[k], text, sizeof text);
		rs_doc_paragraph(&d->out, "unmet", "%s", text);
	}
	chosen_table(d, i);
	returns_table(d, i);
	frontier_table(d, i);
	return 0;
}

int page_optimization(const struct doc *d)
{
	if (d->optimizations == NULL)
		return 0;
	rs_doc_heading(&d->out, 2, "optimize",
		"Choosing a plan: NE against cost");
	rs_doc_paragraph(&d->out, NULL,
		"For each year, every combination of the candidate values in "
		"the scenario's optimize group (retention_days, "
		"negative_keep_frac, and multipliers of embedding_rows, "
		"embedding_dim, top_mlp and all_mlp on the year's planned "
		"model) and every hardware profile it allows that year is "
		"evaluated, each on the smallest cluster that trains within "
		"the window, as recscale optimize does. A lever the group does "
		"not list keeps its plan value. The Pareto frontier holds the "
		"plans that no cheaper plan beats on NE. The chart draws it as "
		"steps, because no plan lies between two of its points.");
	rs_doc_paragraph(&d->out, NULL,
		"The return on a lever is the extra yearly cost of moving it "
		"one candidate up from the chosen plan, divided by the NE "
		"gained in units of 0.1%%: the lower, the cheaper the next "
		"step of quality. \"at max\" means the lever is at its largest "
		"candidate, \"no gain\" that the step does not improve NE, "
		"and \"misses window\" that the larger plan does not train "
		"within the window.");
	for (int i = 0; i < d->n; i++)
		if (optimization_of(d, i) < 0)
			return -1;
	return 0;
}
