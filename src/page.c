/* The planning report in HTML, Markdown, CSV and JSON; see page.h.
 *
 * Each section is written once through the calls of doc.h, which emit
 * XHTML or Markdown, so the two forms cannot disagree on a number.  Only
 * the charts are HTML alone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chart.h"
#include "doc.h"
#include "figures.h"
#include "montecarlo.h"
#include "output.h"
#include "page.h"
#include "page-impl.h"
#include "report.h"

static const char style[] =
	"body { font-family: \"DejaVu Sans\", Verdana, Arial, sans-serif; "
	"color: #222222; max-width: 1000px; margin: 24px auto; "
	"padding: 0 16px; line-height: 1.45; font-size: 15px; }\n"
	"h1 { font-size: 26px; margin-bottom: 4px; }\n"
	"h2 { font-size: 20px; border-bottom: 2px solid #dddddd; "
	"padding-bottom: 4px; margin-top: 40px; }\n"
	"h3 { font-size: 16px; margin-top: 28px; }\n"
	"p.meta, p.caption { color: #444444; font-size: 14px; }\n"
	"table.data { border-collapse: collapse; margin: 10px 0 18px; "
	"font-size: 13px; }\n"
	"table.data caption { text-align: left; font-weight: bold; "
	"padding: 4px 0; }\n"
	"table.data th, table.data td { border: 1px solid #cccccc; "
	"padding: 3px 8px; vertical-align: top; }\n"
	"table.data th { background: #f2f2f2; text-align: left; }\n"
	"td.num { text-align: right; white-space: nowrap; "
	"font-variant-numeric: tabular-nums; }\n"
	"td.name { white-space: nowrap; }\n"
	"tr.assumption td { background: #fff4cc; }\n"
	"tr.unstated td { background: #f3f3f3; }\n"
	"tr.chosen td { font-weight: bold; }\n"
	"tr.unmet td, p.unmet { color: #B00020; }\n"
	"span.swatch { display: inline-block; width: 11px; height: 11px; "
	"margin-right: 6px; }\n"
	"svg.chart { display: block; max-width: 100%; height: auto; "
	"margin: 8px 0; }\n"
	"li { margin-bottom: 4px; }\n";

int rs_page_format_parse(const char *name, enum rs_page_format *format)
{
	if (strcmp(name, "html") == 0)
		*format = RS_PAGE_HTML;
	else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
		*format = RS_PAGE_MARKDOWN;
	else if (strcmp(name, "csv") == 0)
		*format = RS_PAGE_CSV;
	else if (strcmp(name, "json") == 0)
		*format = RS_PAGE_JSON;
	else
		return -1;
	return 0;
}

int rs_page_format_of_path(const char *path, enum rs_page_format *format)
{
	static const struct {
		const char *ext;
		enum rs_page_format format;
	} exts[] = {
		{ ".html", RS_PAGE_HTML }, { ".htm", RS_PAGE_HTML },
		{ ".xhtml", RS_PAGE_HTML }, { ".md", RS_PAGE_MARKDOWN },
		{ ".markdown", RS_PAGE_MARKDOWN }, { ".csv", RS_PAGE_CSV },
		{ ".json", RS_PAGE_JSON },
	};
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
		if (strcasecmp(dot, exts[i].ext) == 0) {
			*format = exts[i].format;
			return 0;
		}
	return -1;
}

void cell_scenario(const struct doc *d, int i)
{
	rs_doc_cell_swatch(&d->out, rs_figure_color(i),
		d->plans[i].scenario->name);
}

/* ---- Number formats.  Each returns buf. ---- */

char *fmt_fixed(char *buf, size_t size, double v, int decimals)
{
	if (!isfinite(v))
		snprintf(buf, size, DASH);
	else
		snprintf(buf, size, "%.*f", decimals, v);
	return buf;
}

char *fmt_usd(char *buf, size_t size, double v)
{
	char digits[64];

	if (!isfinite(v))
		snprintf(buf, size, DASH);
	else
		snprintf(buf, size, "%s%s", v < 0 ? "-" : "",
			rs_fmt_count(digits, sizeof digits, fabs(v)));
	return buf;
}

char *fmt_sci(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		snprintf(buf, size, DASH);
	else
		rs_fmt_sci(buf, size, v);
	return buf;
}

/* Four significant digits: seconds of a step. */
static char *fmt_g4(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		snprintf(buf, size, DASH);
	else
		snprintf(buf, size, "%.4g", v);
	return buf;
}

void ne_cell(const struct doc *d, const char *field, double v)
{
	char buf[32];

	rs_doc_cell_number(&d->out, field, v, fmt_fixed(buf, sizeof buf, v, 5));
}

void usd_cell(const struct doc *d, const char *field, double v)
{
	char buf[64];

	rs_doc_cell_number(&d->out, field, v, fmt_usd(buf, sizeof buf, v));
}

void sci_cell(const struct doc *d, const char *field, double v)
{
	char buf[64];

	rs_doc_cell_number(&d->out, field, v, fmt_sci(buf, sizeof buf, v));
}

/* ---- Sections. ---- */

static const struct rs_scheme_law *law_of(const struct rs_plan *p)
{
	return &p->scenario->law.schemes[p->scenario->law_scheme];
}

/* 1 when plans a and b use the same scheme of the same law file. */
static int same_law(const struct rs_plan *a, const struct rs_plan *b)
{
	return strcmp(a->scenario->law.path, b->scenario->law.path) == 0
		&& strcmp(law_of(a)->name, law_of(b)->name) == 0;
}

/* The separator before item i of n in a list: "", ", " or last. */
static const char *separator(int i, int n, const char *last)
{
	if (i == 0)
		return "";
	if (i + 1 == n)
		return last;
	return ", ";
}

static void title_of(const struct doc *d, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "Capacity plan: ");

	for (int i = 0; i < d->n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
			separator(i, d->n, " vs "), d->plans[i].scenario->name);
}

/* A paragraph naming the analyses the report ran and their settings,
 * so that a reader can write the same page again. */
static void analyses_note(const struct doc *d)
{
	const struct rs_uncertainty_result *mc = NULL;
	char text[512] = "";
	size_t len = 0;

	for (int i = 0; i < d->n && mc == NULL; i++)
		mc = d->plans[i].uncertainty;
	if (mc != NULL)
		len += (size_t)snprintf(text, sizeof text, "The uncertainty "
			"bands and the sensitivity come from %d Monte Carlo "
			"draws with seed %llu; the same seed writes the same "
			"numbers.", mc->n_draws, (unsigned long long)mc->seed);
	if (d->optimizations != NULL && len < sizeof text)
		snprintf(text + len, sizeof text - len, "%sThe section "
			"Choosing a plan searches every candidate of each "
			"scenario's optimize group for %s.", len ? " " : "",
			d->optimizations[0].objective == RS_MIN_NE_WITHIN_BUDGET
			? "the lowest NE within the budget"
			: "the cheapest plan that reaches the target NE");
	if (text[0] != '\0')
		rs_doc_paragraph(&d->out, "meta", "%s", text);
}

static void write_head(const struct doc *d)
{
	char title[512], files[1024] = "";
	size_t len = 0;

	title_of(d, title, sizeof title);
	for (int i = 0; i < d->n && len < sizeof files; i++)
		len += (size_t)snprintf(files + len, sizeof files - len,
			"%s%s", separator(i, d->n, " and "),
			d->plans[i].scenario->path);
	if (!d->out.markdown) {
		fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/"
			"xhtml\" lang=\"en\" xml:lang=\"en\">\n<head>\n"
			"<meta charset=\"utf-8\"/>\n<title>", d->out.f);
		rs_doc_text(&d->out, title);
		fprintf(d->out.f, "</title>\n<style>\n%s</style>\n</head>\n"
			"<body>\n", style);
	}
	rs_doc_heading(&d->out, 1, "top", title);
	rs_doc_paragraph(&d->out, "meta",
		"Written by %s from %s. Every number comes from "
		"these scenario files and the scaling laws and hardware "
		"profiles they name; the section Assumptions and inputs lists "
		"each input with its value and source.", d->generator, files);
	rs_doc_paragraph(&d->out, NULL,
		"NE (normalized entropy) is the model's log loss "
		"divided by that of a predictor that always outputs the "
		"background click-through rate: 1 is no better than that "
		"predictor, lower is better, and production teams act on "
		"changes of 0.1%%. Costs are per year: the purchase of that "
		"year's cluster amortised over its lifetime, its energy, and "
		"the storage of the retained training data.");
	analyses_note(d);
	if (d->out.markdown)
		rs_doc_paragraph(&d->out, NULL,
			"This Markdown form has the tables only; "
			"the HTML form of the same report has the charts.");
}

static void write_scenarios(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "years", "NE first year", "NE last year",
		"NE gained over the years (%)", "cost first year (USD)",
		"cost last year (USD)", "cost over all years (USD)",
		"years over budget"
	};

	rs_doc_heading(&d->out, 2, "summary", "Summary");
	rs_doc_list_begin(&d->out);
	for (int i = 0; i < d->n; i++) {
		const struct rs_scenario *sc = d->plans[i].scenario;
		rs_doc_list_item(&d->out, "%s (%s): %s. Law %s, scheme %s.",
			sc->name, sc->path, sc->description, sc->law.name,
			law_of(&d->plans[i])->name);
	}
	rs_doc_list_end(&d->out);

	rs_doc_table_begin(&d->out, "table-summary",
		"Summary of each scenario", 9,
		headers, "llrrrrrrr");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		const struct rs_year *y0 = &p->years[0];
		const struct rs_year *y1 = &p->years[p->n_years - 1];
		double total = 0.0;
		int over = 0;
		char buf[64];

		for (int k = 0; k < p->n_years; k++) {
			total += p->years[k].cost.total_usd;
			over += p->years[k].over_budget;
		}
		rs_doc_row_begin(&d->out, p->scenario->name, 0, NULL);
		cell_scenario(d, i);
		snprintf(buf, sizeof buf, "%d" DASH "%d", y0->year, y1->year);
		rs_doc_cell_number(&d->out, NULL, NAN, buf);
		ne_cell(d, NULL, y0->ne);
		ne_cell(d, NULL, y1->ne);
		rs_doc_cell_number(&d->out, NULL, NAN, fmt_fixed(buf,
			sizeof buf, 100.0 * (y0->ne - y1->ne) / y0->ne, 3));
		usd_cell(d, NULL, y0->cost.total_usd);
		usd_cell(d, NULL, y1->cost.total_usd);
		usd_cell(d, NULL, total);
		snprintf(buf, sizeof buf, "%d of %d", over, p->n_years);
		rs_doc_cell_number(&d->out, NULL, NAN, buf);
		rs_doc_row_end(&d->out);
	}
	rs_doc_table_end(&d->out);
}

static void write_ne(const struct doc *d)
{
	static const char *const band_headers[] = {
		"scenario", "year", "NE", "NE P10", "NE P90",
		"NE gain vs previous year (%)", "data retained D (samples)",
		"D capped by"
	};
	static const char *const headers[] = {
		"scenario", "year", "NE", "NE gain vs previous year (%)",
		"data retained D (samples)", "D capped by"
	};
	int band = 0;

	rs_doc_heading(&d->out, 2, "ne", "Predicted quality: NE per year");
	if (!d->out.markdown)
		rs_figure_ne(d->out.f, d->plans, d->n);
	/* One sentence per law, naming the scenarios that use it. */
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		const struct rs_scheme_law *s = law_of(p);
		char names[512];
		size_t len = 0;
		int seen = 0;

		band |= s->n_samples >= 2;
		for (int j = 0; j < i; j++)
			seen |= same_law(&d->plans[j], p);
		if (seen)
			continue;
		names[0] = '\0';
		for (int j = i; j < d->n && len < sizeof names; j++)
			if (same_law(&d->plans[j], p))
				len += (size_t)snprintf(names + len,
					sizeof names - len, "%s%s",
					len ? ", " : "",
					d->plans[j].scenario->name);
		if (s->n_samples >= 2)
			rs_doc_paragraph(&d->out, "caption",
				"%s: the band is the 10th to "
				"90th percentile of NE over the %d bootstrap "
				"samples of law %s.", names, s->n_samples,
				p->scenario->law.name);
		else
			rs_doc_paragraph(&d->out, "caption",
				"%s: law %s has no bootstrap "
				"samples, so NE has no uncertainty band; its "
				"values and their sources are listed under "
				"Assumptions and inputs.", names,
				p->scenario->law.name);
	}
	/* The P10 and P90 columns only when some law has a band. */
	if (band)
		rs_doc_table_begin(&d->out, "table-ne", "Predicted NE per year",
			8, band_headers, "lrrrrrrl");
	else
		rs_doc_table_begin(&d->out, "table-ne", "Predicted NE per year",
			6, headers, "lrrrrl");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			char buf[32];

			rs_doc_row_begin(&d->out, p->scenario->name, y->year,
				NULL);
			cell_scenario(d, i);
			snprintf(buf, sizeof buf, "%d", y->year);
			rs_doc_cell_text(&d->out, buf);
			ne_cell(d, "ne", y->ne);
			if (band) {
				ne_cell(d, "ne_p10", y->ne_p10);
				ne_cell(d, "ne_p90", y->ne_p90);
			}
			rs_doc_cell_number(&d->out, "ne_gain_pct",
				y->ne_gain_pct,
				fmt_fixed(buf, sizeof buf, y->ne_gain_pct, 3));
			sci_cell(d, "data_samples", y->data_samples);
			rs_doc_cell_text(&d->out,
				rs_data_limit_name(y->data_limit));
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
	page_monte_carlo_ne(d);
}

static void write_cost(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "year", "hardware (USD)", "energy (USD)",
		"storage (USD)", "total (USD)", "budget (USD)", "over budget"
	};

	rs_doc_heading(&d->out, 2, "cost", "Cost per year by component");
	if (!d->out.markdown)
		rs_figure_cost(d->out.f, d->plans, d->n);
	rs_doc_paragraph(&d->out, "caption",
		"Hardware is the purchase of the year's "
		"cluster, interconnect included, spread over its lifetime; "
		"energy includes the data centre's PUE; storage is the "
		"retained training data. In the chart, totals above the bars "
		"are in million USD and * marks a year over the budget (the "
		"dashed line).");
	rs_doc_table_begin(&d->out, "table-cost",
		"Cost per year by component", 8, headers,
		"lrrrrrrl");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		double budget = p->scenario->budget_usd_per_year;

		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			char buf[32];

			rs_doc_row_begin(&d->out, p->scenario->name, y->year,
				NULL);
			cell_scenario(d, i);
			snprintf(buf, sizeof buf, "%d", y->year);
			rs_doc_cell_text(&d->out, buf);
			usd_cell(d, "cost_hardware_usd", y->cost.hardware_usd);
			usd_cell(d, "cost_energy_usd", y->cost.energy_usd);
			usd_cell(d, "cost_storage_usd", y->cost.storage_usd);
			usd_cell(d, "cost_usd", y->cost.total_usd);
			usd_cell(d, NULL, budget > 0.0 ? budget : NAN);
			rs_doc_cell_text(&d->out,
				y->over_budget ? "yes" : "no");
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
	page_monte_carlo_cost(d);
}

static void write_quality_cost(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "year", "cost (USD)", "NE",
		"NE gain vs previous year (%)",
		"extra cost per 0.1% NE gained (USD)"
	};

	rs_doc_heading(&d->out, 2, "quality-cost", "Quality against cost");
	if (!d->out.markdown)
		rs_figure_quality_cost(d->out.f, d->plans, d->n);
	rs_doc_paragraph(&d->out, "caption",
		"Each point is one year of one scenario; "
		"lower and further left is better. The last column is the "
		"cost increase over the previous year divided by the NE "
		"gained, in units of 0.1%%: what the next step of quality "
		"costs (empty when NE did not improve, negative when the year "
		"is both better and cheaper).");
	rs_doc_table_begin(&d->out, "table-quality-cost",
		"NE against yearly cost", 6,
		headers, "lrrrrr");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			char buf[32];

			rs_doc_row_begin(&d->out, p->scenario->name, y->year,
				NULL);
			cell_scenario(d, i);
			snprintf(buf, sizeof buf, "%d", y->year);
			rs_doc_cell_text(&d->out, buf);
			usd_cell(d, "cost_usd", y->cost.total_usd);
			ne_cell(d, "ne", y->ne);
			rs_doc_cell_number(&d->out, "ne_gain_pct",
				y->ne_gain_pct,
				fmt_fixed(buf, sizeof buf, y->ne_gain_pct, 3));
			usd_cell(d, "cost_per_0p1pct_ne_usd",
				y->cost_per_0p1pct_ne_usd);
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
}

static void write_binding(const struct doc *d)
{
	static const char *const headers[] = {
		"scenario", "year", "hardware", "nodes", "nodes for memory",
		"binding", "fits window", "step (s)", "dense (s)",
		"gathers (s)", "all-to-all (s)", "all-reduce (s)"
	};

	rs_doc_heading(&d->out, 2, "binding", "What binds the cluster");
	if (!d->out.markdown)
		rs_figure_binding(d->out.f, d->plans, d->n);
	rs_doc_paragraph(&d->out, "caption",
		"The binding resource is the one that kept "
		"one node fewer from training within the window: memory "
		"(embedding tables and optimizer state), dense_compute, "
		"embedding_gather (rows in device memory), host_gather (rows "
		"in host memory), network (all-to-all and all-reduce) or "
		"storage_read. (!) marks a year whose training does not fit "
		"the window. The step columns are one step of the global "
		"batch on the cluster shown, in seconds.");
	rs_doc_table_begin(&d->out, "table-binding",
		"Cluster and binding resource per "
		"year", 12, headers, "llrrrllrrrrr");
	for (int i = 0; i < d->n; i++) {
		const struct rs_plan *p = &d->plans[i];
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			const struct rs_cluster_result *c = &y->cluster;
			char buf[64];

			rs_doc_row_begin(&d->out, p->scenario->name, y->year,
				NULL);
			cell_scenario(d, i);
			snprintf(buf, sizeof buf, "%d", y->year);
			rs_doc_cell_text(&d->out, buf);
			rs_doc_cell_text(&d->out, y->hw->name);
			snprintf(buf, sizeof buf, "%lld", c->nodes);
			rs_doc_cell_number(&d->out, "nodes", (double)c->nodes,
				buf);
			snprintf(buf, sizeof buf, "%lld", c->nodes_for_memory);
			rs_doc_cell_number(&d->out, "nodes_for_memory",
				(double)c->nodes_for_memory, buf);
			rs_doc_cell_text(&d->out, rs_binding_names[c->binding]);
			rs_doc_cell_text(&d->out,
				c->meets_window ? "yes" : "no (!)");
			rs_doc_cell_number(&d->out, "step_s", c->step_s,
				fmt_g4(buf, sizeof buf, c->step_s));
			rs_doc_cell_number(&d->out, "dense_s", c->dense_s,
				fmt_g4(buf, sizeof buf, c->dense_s));
			rs_doc_cell_number(&d->out, "gather_s", c->gather_s,
				fmt_g4(buf, sizeof buf, c->gather_s));
			rs_doc_cell_number(&d->out, "all_to_all_s",
				c->all_to_all_s,
				fmt_g4(buf, sizeof buf, c->all_to_all_s));
			rs_doc_cell_number(&d->out, "all_reduce_s",
				c->all_reduce_s,
				fmt_g4(buf, sizeof buf, c->all_reduce_s));
			rs_doc_row_end(&d->out);
		}
	}
	rs_doc_table_end(&d->out);
}

/* Where D lies against the fitted range, as text. */
static void position_text(char *buf, size_t size, double x, double fit_min,
	double fit_max)
{
	if (x > fit_max)
		snprintf(buf, size, "extrapolated: %.3gx the largest run",
			x / fit_max);
	else if (x < fit_min)
		snprintf(buf, size, "extrapolated: %.3gx below the smallest "
			"run", fit_min / x);
	else
		snprintf(buf, size, "inside the fitted range");
}

static int write_fitted_law(const struct doc *d, int i, int index)
{
	static const char *const headers[] = {
		"point", "D (samples)", "NE", "NE P10", "NE P90", "position"
	};
	const struct rs_plan *p = &d->plans[i];
	const struct rs_scheme_law *s = law_of(p);
	double fit[2] = { s->data.fit_min.value, s->data.fit_max.value };
	static const char *const fit_names[2] = {
		"smallest fitted run", "largest fitted run"
	};
	char title[256], id[32], low[32], high[32];

	snprintf(title, sizeof title, "%s: law %s, scheme %s",
		p->scenario->name, p->scenario->law.name, s->name);
	snprintf(id, sizeof id, "law-%d", index);
	rs_doc_heading(&d->out, 3, id, title);
	if (!d->out.markdown && rs_figure_fitted_law(d->out.f, p, i, index) < 0)
		return -1;
	rs_doc_paragraph(&d->out, "caption",
		"The law file records how it was fitted: "
		"\"%s\". The measured runs are not stored "
		"in the law file, so the chart draws the fitted law over the "
		"range of data it was fitted on (%s to %s samples, solid) and "
		"beyond it (dashed, shaded: extrapolated), and marks this "
		"plan's years.%s", s->fit_note,
		rs_fmt_sci(low, sizeof low, fit[0]),
		rs_fmt_sci(high, sizeof high, fit[1]),
		s->params.present ? " The curve holds the parameters at their "
		"first-year value, while each year's point uses that year's "
		"parameters." : "");

	snprintf(id, sizeof id, "table-law-%d", index);
	rs_doc_table_begin(&d->out, id, title, 6, headers, "lrrrrl");
	for (int j = 0; j < 2; j++) {
		double ne, p10, p90;
		if (rs_figure_law_at(p, fit[j], &ne, &p10, &p90) < 0)
			return -1;
		rs_doc_row_begin(&d->out, p->scenario->name, 0, NULL);
		rs_doc_cell_text(&d->out, fit_names[j]);
		sci_cell(d, NULL, fit[j]);
		ne_cell(d, NULL, ne);
		ne_cell(d, NULL, p10);
		ne_cell(d, NULL, p90);
		rs_doc_cell_text(&d->out, "end of the fitted range");
		rs_doc_row_end(&d->out);
	}
	for (int k = 0; k < p->n_years; k++) {
		const struct rs_year *y = &p->years[k];
		char buf[96];

		rs_doc_row_begin(&d->out, p->scenario->name, y->year, NULL);
		snprintf(buf, sizeof buf, "%d", y->year);
		rs_doc_cell_text(&d->out, buf);
		sci_cell(d, "data_samples", y->data_samples);
		ne_cell(d, "ne", y->ne);
		ne_cell(d, "ne_p10", y->ne_p10);
		ne_cell(d, "ne_p90", y->ne_p90);
		position_text(buf, sizeof buf, y->data_samples, fit[0],
			fit[1]);
		rs_doc_cell_text(&d->out, buf);
		rs_doc_row_end(&d->out);
	}
	rs_doc_table_end(&d->out);
	return 0;
}

static int write_fitted_laws(const struct doc *d)
{
	int index = 0;

	rs_doc_heading(&d->out, 2, "fitted-laws", "Fitted laws");
	for (int i = 0; i < d->n; i++)
		if (rs_figure_has_fitted_law(&d->plans[i])
		    && write_fitted_law(d, i, index++) < 0)
			return -1;
	if (index == 0)
		rs_doc_paragraph(&d->out, NULL,
			"No scenario here uses a law fitted with "
			"recscale fit, so there is no fitted range to draw. "
			"The laws' values and their sources are listed under "
			"Assumptions and inputs.");
	return 0;
}

/* Years of plan p for which test is true, as "2028, 2029, 2030" in buf;
 * returns how many. */
static int years_where(const struct rs_plan *p,
	int (*test)(const struct rs_year *), char *buf, size_t size)
{
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	for (int k = 0; k < p->n_years; k++)
		if (test(&p->years[k]) && len < size) {
			len += (size_t)snprintf(buf + len, size - len, "%s%d",
				n ? ", " : "", p->years[k].year);
			n++;
		}
	return n;
}

static int is_over_budget(const struct rs_year *y)
{
	return y->over_budget;
}

static int misses_window(const struct rs_year *y)
{
	return !y->cluster.meets_window;
}

static int storage_capped(const struct rs_year *y)
{
	return y->data_limit == RS_DATA_STORAGE;
}

/* The warnings of plan p: the engine's, then the years over budget, that
 * miss the training window, or whose data storage caps.  Calls
 * emit(context, scenario, message) once per warning; returns how many. */
static int plan_warnings(const struct rs_plan *p,
	void (*emit)(void *, const char *, const char *), void *context)
{
	const char *name = p->scenario->name;
	char years[512], msg[1024];
	int n = 0;

	for (int i = 0; i < p->n_warnings; i++, n++)
		emit(context, name, p->warnings[i]);
	if (years_where(p, is_over_budget, years, sizeof years) > 0) {
		char budget[64];
		snprintf(msg, sizeof msg, "cost exceeds the budget of %s USD "
			"per year in %s", fmt_usd(budget, sizeof budget,
			p->scenario->budget_usd_per_year), years);
		emit(context, name, msg);
		n++;
	}
	if (years_where(p, misses_window, years, sizeof years) > 0) {
		snprintf(msg, sizeof msg, "training does not fit the %g-day "
			"window in %s: no cluster of the profile is fast "
			"enough, or storage reads cannot feed it",
			p->scenario->training.window_days, years);
		emit(context, name, msg);
		n++;
	}
	if (years_where(p, storage_capped, years, sizeof years) > 0) {
		snprintf(msg, sizeof msg, "storage capacity, not the retention "
			"policy, caps the training data in %s: data binds "
			"quality", years);
		emit(context, name, msg);
		n++;
	}
	return n;
}

static void emit_list_item(void *context, const char *scenario,
	const char *msg)
{
	rs_doc_list_item(&((const struct doc *)context)->out, "%s: %s",
		scenario, msg);
}

/* Keys of the inputs of one kind in group g, comma separated. */
static int keys_of_kind(const struct rs_inputs *in, int g,
	enum rs_input_kind kind, int numeric_only, char *buf, size_t size)
{
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	for (int i = 0; i < in->n; i++) {
		const struct rs_input *it = &in->items[i];
		if (it->group != g || it->kind != kind
		    || (numeric_only && !it->numeric) || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
			n ? ", " : "", it->key);
		n++;
	}
	return n;
}

static void write_warnings(const struct doc *d)
{
	const struct rs_inputs *in = d->inputs;
	int n = 0;
	char keys[4096];

	rs_doc_heading(&d->out, 2, "warnings", "Warnings");
	rs_doc_list_begin(&d->out);
	for (int i = 0; i < d->n; i++)
		n += plan_warnings(&d->plans[i], emit_list_item, (void *)d);
	if (n == 0)
		rs_doc_list_item(&d->out, "The plans raise no warnings.");
	rs_doc_list_end(&d->out);

	rs_doc_paragraph(&d->out, NULL,
		"Values marked as assumptions, which no "
		"published or measured source gives; replace them with your "
		"own figures before deciding on a purchase:");
	rs_doc_list_begin(&d->out);
	n = 0;
	for (int g = 0; g < in->n_groups; g++)
		if (keys_of_kind(in, g, RS_INPUT_ASSUMPTION, 0, keys,
				sizeof keys) > 0) {
			rs_doc_list_item(&d->out, "%s (%s): %s",
				in->groups[g].title, in->groups[g].path, keys);
			n++;
		}
	if (n == 0)
		rs_doc_list_item(&d->out, "none");
	rs_doc_list_end(&d->out);

	n = 0;
	for (int g = 0; g < in->n_groups; g++)
		n += keys_of_kind(in, g, RS_INPUT_UNSTATED, 1, keys,
			sizeof keys);
	if (n == 0)
		return;
	rs_doc_paragraph(&d->out, NULL, "Numbers whose file gives no source:");
	rs_doc_list_begin(&d->out);
	for (int g = 0; g < in->n_groups; g++)
		if (keys_of_kind(in, g, RS_INPUT_UNSTATED, 1, keys,
				sizeof keys) > 0)
			rs_doc_list_item(&d->out, "%s (%s): %s",
				in->groups[g].title, in->groups[g].path, keys);
	rs_doc_list_end(&d->out);
}

static void write_inputs(const struct doc *d)
{
	static const char *const headers[] = {
		"key", "value", "unit", "source", "kind"
	};
	const struct rs_inputs *in = d->inputs;

	rs_doc_heading(&d->out, 2, "assumptions", "Assumptions and inputs");
	rs_doc_paragraph(&d->out, NULL,
		"Every input of the plans above with its value "
		"and source. Law files and hardware profiles give a source "
		"beside each number. Scenario files give theirs as comments: "
		"a setting takes the comment on its line, else the comment "
		"lines directly above it, else the comment of the group or "
		"list that contains it. A value is marked as an assumption "
		"when its source says so.");
	for (int g = 0; g < in->n_groups; g++) {
		const struct rs_input_group *grp = &in->groups[g];
		char id[32], caption[512];

		snprintf(id, sizeof id, "inputs-%d", g);
		snprintf(caption, sizeof caption, "%s (%s)", grp->title,
			grp->path);
		rs_doc_heading(&d->out, 3, id, caption);
		snprintf(caption, sizeof caption, "Inputs of %s", grp->title);
		if (grp->note != NULL && grp->note[0] != '\0')
			rs_doc_paragraph(&d->out, "caption", "%s", grp->note);
		snprintf(id, sizeof id, "table-inputs-%d", g);
		rs_doc_table_begin(&d->out, id, caption, 5, headers, "lrlll");
		for (int i = 0; i < in->n; i++) {
			const struct rs_input *it = &in->items[i];
			if (it->group != g)
				continue;
			rs_doc_row_begin(&d->out, NULL, 0,
				it->kind == RS_INPUT_ASSUMPTION
				? "assumption" : it->kind == RS_INPUT_UNSTATED
				? "unstated" : NULL);
			rs_doc_cell_text(&d->out, it->key);
			if (it->numeric)
				rs_doc_cell_number(&d->out, NULL, NAN,
					it->value);
			else
				rs_doc_cell_text(&d->out, it->value);
			rs_doc_cell_text(&d->out, it->unit);
			rs_doc_cell_text(&d->out, it->source);
			rs_doc_cell_text(&d->out, rs_input_kind_name(it->kind));
			rs_doc_row_end(&d->out);
		}
		rs_doc_table_end(&d->out);
	}
}

static int write_document(const struct doc *d)
{
	write_head(d);
	write_scenarios(d);
	write_ne(d);
	write_cost(d);
	write_quality_cost(d);
	write_binding(d);
	page_sensitivity(d);
	if (page_optimization(d) < 0 || write_fitted_laws(d) < 0)
		return -1;
	write_warnings(d);
	write_inputs(d);
	if (!d->out.markdown)
		fputs("</body>\n</html>\n", d->out.f);
	return 0;
}

/* ---- CSV and JSON, built on the plan writers of report.c. ---- */

/* The text rs_report_plan writes for plan in format, in a malloc'd
 * string. */
static char *plan_text(const struct rs_plan *plan, enum rs_format format)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (m == NULL)
		return NULL;
	rs_report_plan(m, plan, format);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The JSON rs_report_optimization_json writes for opt, in a malloc'd
 * string. */
static char *optimization_text(const struct rs_optimization *opt)
{
	char *text = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&text, &size);

	if (m == NULL)
		return NULL;
	rs_report_optimization_json(m, opt);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int write_csv(FILE *f, const struct rs_plan *plans, int n,
	struct rs_error *err)
{
	for (int i = 0; i < n; i++) {
		char *text = plan_text(&plans[i], RS_FORMAT_CSV);
		const char *rows = text;

		if (text == NULL)
			return rs_fail(err, "out of memory");
		/* One header line, from the first plan. */
		if (i > 0) {
			rows = strchr(text, '\n');
			rows = rows != NULL ? rows + 1 : "";
		}
		fputs(rows, f);
		free(text);
	}
	return 0;
}

/* Write text with every line after the first indented by indent. */
static void put_indented(FILE *f, const char *text, const char *indent)
{
	size_t len = strlen(text);

	while (len > 0 && text[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++) {
		fputc(text[i], f);
		if (text[i] == '\n')
			fputs(indent, f);
	}
}

static void json_field(FILE *f, const char *indent, const char *key)
{
	fputs(indent, f);
	rs_json_string(f, key);
	fputs(": ", f);
}

struct json_warnings {
	FILE *f;
	int n;
};

static void emit_json_warning(void *context, const char *scenario,
	const char *msg)
{
	struct json_warnings *state = context;
	FILE *f = state->f;

	fputs(state->n++ ? ",\n    {" : "\n    {", f);
	rs_json_string(f, "scenario");
	fputs(": ", f);
	rs_json_string(f, scenario);
	fputs(", ", f);
	rs_json_string(f, "message");
	fputs(": ", f);
	rs_json_string(f, msg);
	fputc('}', f);
}

static void json_fitted_laws(FILE *f, const struct rs_plan *plans, int n)
{
	int count = 0;

	fputs("[", f);
	for (int i = 0; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		const struct rs_scheme_law *s = law_of(p);

		if (!rs_figure_has_fitted_law(p))
			continue;
		fputs(count++ ? ",\n    {\n" : "\n    {\n", f);
		json_field(f, "      ", "scenario");
		rs_json_string(f, p->scenario->name);
		fputs(",\n", f);
		json_field(f, "      ", "law");
		rs_json_string(f, p->scenario->law.name);
		fputs(",\n", f);
		json_field(f, "      ", "law_scheme");
		rs_json_string(f, s->name);
		fputs(",\n", f);
		json_field(f, "      ", "fit_note");
		rs_json_string(f, s->fit_note);
		fputs(",\n", f);
		json_field(f, "      ", "fit_min_samples");
		rs_json_number(f, s->data.fit_min.value);
		fputs(",\n", f);
		json_field(f, "      ", "fit_max_samples");
		rs_json_number(f, s->data.fit_max.value);
		fputs(",\n", f);
		json_field(f, "      ", "years");
		fputs("[", f);
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			fprintf(f, "%s{\"year\": %d, \"data_samples\": ",
				k ? ",\n        " : "\n        ", y->year);
			rs_json_number(f, y->data_samples);
			fputs(", \"extrapolated\": ", f);
			fputs(y->data_samples > s->data.fit_max.value
				|| y->data_samples < s->data.fit_min.value
				? "true" : "false", f);
			fputc('}', f);
		}
		fputs("\n      ]\n    }", f);
	}
	fputs(count ? "\n  ]" : "]", f);
}

static void json_inputs(FILE *f, const struct rs_inputs *in)
{
	fputs("[", f);
	for (int i = 0; i < in->n; i++) {
		const struct rs_input *it = &in->items[i];
		const struct rs_input_group *g = &in->groups[it->group];

		fputs(i ? ",\n    {" : "\n    {", f);
		rs_json_string(f, "group");
		fputs(": ", f);
		rs_json_string(f, g->title);
		fputs(", \"file\": ", f);
		rs_json_string(f, g->path);
		fputs(", \"key\": ", f);
		rs_json_string(f, it->key);
		fputs(", \"value\": ", f);
		rs_json_string(f, it->value);
		fputs(", \"unit\": ", f);
		rs_json_string(f, it->unit);
		fputs(", \"source\": ", f);
		rs_json_string(f, it->source);
		fputs(", \"kind\": ", f);
		rs_json_string(f, rs_input_kind_name(it->kind));
		fputc('}', f);
	}
	fputs(in->n ? "\n  ]" : "]", f);
}

static int write_json(FILE *f, const struct doc *d, struct rs_error *err)
{
	struct json_warnings state = { f, 0 };

	fputs("{\n", f);
	json_field(f, "  ", "generator");
	rs_json_string(f, d->generator);
	fputs(",\n", f);
	json_field(f, "  ", "scenarios");
	fputs("[", f);
	for (int i = 0; i < d->n; i++) {
		char *text = plan_text(&d->plans[i], RS_FORMAT_JSON);
		if (text == NULL)
			return rs_fail(err, "out of memory");
		fputs(i ? ",\n    " : "\n    ", f);
		put_indented(f, text, "    ");
		free(text);
	}
	fputs("\n  ],\n", f);
	if (d->optimizations != NULL) {
		json_field(f, "  ", "optimizations");
		fputs("[", f);
		for (int i = 0; i < d->n; i++) {
			char *text = optimization_text(&d->optimizations[i]);
			if (text == NULL)
				return rs_fail(err, "out of memory");
			fputs(i ? ",\n    " : "\n    ", f);
			put_indented(f, text, "    ");
			free(text);
		}
		fputs("\n  ],\n", f);
	}
	json_field(f, "  ", "warnings");
	fputs("[", f);
	for (int i = 0; i < d->n; i++)
		plan_warnings(&d->plans[i], emit_json_warning, &state);
	fputs(state.n ? "\n  ],\n" : "],\n", f);
	json_field(f, "  ", "fitted_laws");
	json_fitted_laws(f, d->plans, d->n);
	fputs(",\n", f);
	json_field(f, "  ", "inputs");
	json_inputs(f, d->inputs);
	fputs("\n}\n", f);
	return 0;
}

int rs_page_write(FILE *f, const struct rs_plan *plans, int n,
	const struct rs_optimization *optimizations,
	const struct rs_inputs *inputs, const char *generator,
	enum rs_page_format format, struct rs_error *err)
{
	struct doc d = { { f, format == RS_PAGE_MARKDOWN }, plans, n, inputs,
		generator, optimizations };

	switch (format) {
	case RS_PAGE_CSV:
		return write_csv(f, plans, n, err);
	case RS_PAGE_JSON:
		return write_json(f, &d, err);
	case RS_PAGE_HTML:
	case RS_PAGE_MARKDOWN:
		if (write_document(&d) < 0)
			return rs_fail(err, "out of memory");
		return 0;
	}
	return 0;
}
