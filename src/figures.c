/* The report's charts; see figures.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "figures.h"
#include "montecarlo.h"
#include "optimize.h"

#define CHART_WIDTH 960.0
#define VALUE_SIZE 12		/* font size of value labels */

/* Cost components, bottom to top of each bar. */
static const char *const component_names[] = {
	"hardware (amortised purchase)", "energy", "storage of retained data"
};
static const char *const component_colors[] = {
	"#4E79A7", "#F28E2B", "#59A14F"
};

/* Light fills, so the dark text on them stays legible; indexed by enum
 * rs_binding. */
static const char *const binding_colors[RS_N_BINDINGS] = {
	"#C5B0D5", "#F4A6A6", "#FFD699", "#D9B38C", "#A6C8F0", "#A8DBA8"
};

#define BUDGET_COLOR "#B00020"
/* Legend symbols that stand for every scenario's band or bars. */
#define KEY_COLOR "#555555"
/* Error bars on the stacked cost bars, dark against all three fills. */
#define WHISKER_COLOR "#111111"

const char *rs_figure_color(int i)
{
	return rs_chart_colors[i % RS_CHART_N_COLORS];
}

static void year_range(const struct rs_plan *plans, int n, int *first,
	int *last)
{
	*first = plans[0].years[0].year;
	*last = plans[0].years[plans[0].n_years - 1].year;
	for (int i = 1; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		if (p->years[0].year < *first)
			*first = p->years[0].year;
		if (p->years[p->n_years - 1].year > *last)
			*last = p->years[p->n_years - 1].year;
	}
}

static void year_axis(struct rs_axis *a, int first, int last)
{
	memset(a, 0, sizeof *a);
	a->min = first - 0.5;
	a->max = last + 0.5;
	a->integer_ticks = 1;
	a->label = "year";
}

/* 1 when some plan has a law bootstrap band on NE. */
static int any_law_band(const struct rs_plan *plans, int n)
{
	for (int i = 0; i < n; i++)
		for (int k = 0; k < plans[i].n_years; k++)
			if (isfinite(plans[i].years[k].ne_p10)
			    && isfinite(plans[i].years[k].ne_p90))
				return 1;
	return 0;
}

/* The Monte Carlo result of the first plan that has one, or NULL.  The
 * report runs every scenario with the same number of draws and seed. */
static const struct rs_uncertainty_result *first_monte_carlo(
	const struct rs_plan *plans, int n)
{
	for (int i = 0; i < n; i++)
		if (plans[i].uncertainty != NULL)
			return plans[i].uncertainty;
	return NULL;
}

/* Sideways shift of plan i's error bars among n, so that the bars of
 * scenarios in the same year stay apart. */
static double whisker_shift(int i, int n)
{
	return (i - (n - 1) / 2.0) * 7.0;
}

/* An error bar, unless it would be shorter than a pixel and so show only
 * its caps.  The draws then agree, and the table gives their values. */
static void draw_whisker(const struct rs_chart *c, double x, double lo,
	double hi, double dx, const char *color)
{
	if (fabs(rs_chart_py(c, lo) - rs_chart_py(c, hi)) >= 1.0)
		rs_chart_whisker(c, x, lo, hi, dx, color);
}

static void series_begin(FILE *f, const struct rs_plan *p)
{
	fputs("<g class=\"series\" data-scenario=\"", f);
	rs_xml_escape(f, p->scenario->name);
	fputs("\">\n", f);
}

static void scenario_legend(const struct rs_chart *c,
	const struct rs_plan *plans, int n, int row)
{
	const char *names[RS_CHART_N_COLORS], *colors[RS_CHART_N_COLORS];

	if (n > RS_CHART_N_COLORS)
		n = RS_CHART_N_COLORS;
	for (int i = 0; i < n; i++) {
		names[i] = plans[i].scenario->name;
		colors[i] = rs_figure_color(i);
	}
	rs_chart_legend(c, row, n, names, colors);
}

/* Mark every point of every plan as taken, so labels do not cover them. */
static void mark_points(const struct rs_chart *c, struct rs_boxes *b,
	const double *x, const double *y, int n)
{
	for (int k = 0; k < n; k++) {
		double px = rs_chart_px(c, x[k]), py = rs_chart_py(c, y[k]);
		rs_boxes_add(b, px - 5, py - 5, px + 5, py + 5);
	}
}

static void place_label(FILE *f, const struct rs_chart *c,
	struct rs_boxes *b, double x, double y, const char *text,
	const char *color)
{
	double lx, ly;

	rs_chart_place(c, b, rs_chart_px(c, x), rs_chart_py(c, y), text,
		VALUE_SIZE, &lx, &ly);
	rs_chart_text(f, lx, ly, "start", VALUE_SIZE, color, text);
}

void rs_figure_ne(FILE *f, const struct rs_plan *plans, int n)
{
	struct rs_boxes boxes;
	struct rs_chart c;
	double lo = INFINITY, hi = -INFINITY, spacing;
	int first, last, every;

	const struct rs_uncertainty_result *mc = first_monte_carlo(plans, n);
	int law_band = any_law_band(plans, n);

	memset(&c, 0, sizeof c);
	memset(&boxes, 0, sizeof boxes);
	year_range(plans, n, &first, &last);
	for (int i = 0; i < n; i++) {
		const struct rs_uncertainty_result *u = plans[i].uncertainty;

		for (int k = 0; k < plans[i].n_years; k++) {
			const struct rs_year *y = &plans[i].years[k];
			lo = fmin(lo, isfinite(y->ne_p10) ? fmin(y->ne,
				y->ne_p10) : y->ne);
			hi = fmax(hi, isfinite(y->ne_p90) ? fmax(y->ne,
				y->ne_p90) : y->ne);
			if (u != NULL && k < u->n_years) {
				lo = fmin(lo, u->years[k].ne_p10);
				hi = fmax(hi, u->years[k].ne_p90);
			}
		}
	}
	year_axis(&c.x, first, last);
	c.y.label = "NE, normalized entropy (dimensionless; lower is better)";
	/* Room above and below the points for their labels. */
	rs_axis_fit(&c.y, lo - (hi - lo) * 0.15, hi + (hi - lo) * 0.15);

	rs_chart_begin(&c, f, "chart-ne", "Predicted NE per year",
		mc != NULL ? "Predicted normalized entropy per year for each "
		"scenario, with error bars from the 10th to the 90th "
		"percentile of the Monte Carlo draws, and a shaded 10th to "
		"90th percentile band where the law has bootstrap samples."
		: "Predicted normalized entropy per year for each scenario, "
		"with the 10th to 90th percentile band where the law has "
		"bootstrap samples.", CHART_WIDTH, 420.0,
		law_band || mc != NULL ? 2 : 1);
	rs_chart_axes(&c);
	scenario_legend(&c, plans, n, 0);
	{
		double key_x = c.left;

		if (law_band)
			key_x = rs_chart_legend_symbol(&c, 1, key_x,
				RS_LEGEND_BAND, "P10\u2013P90 over the law's "
				"bootstrap samples", KEY_COLOR);
		if (mc != NULL) {
			char name[96];
			snprintf(name, sizeof name, "P10\u2013P90 of %d Monte "
				"Carlo draws (seed %llu)", mc->n_draws,
				(unsigned long long)mc->seed);
			rs_chart_legend_symbol(&c, 1, key_x,
				RS_LEGEND_WHISKER, name, KEY_COLOR);
		}
	}

	for (int i = 0; i < n; i++) {
		const struct rs_uncertainty_result *u = plans[i].uncertainty;
		double x[RS_MAX_YEARS], y[RS_MAX_YEARS];
		for (int k = 0; k < plans[i].n_years; k++) {
			x[k] = plans[i].years[k].year;
			y[k] = plans[i].years[k].ne;
		}
		mark_points(&c, &boxes, x, y, plans[i].n_years);
		for (int k = 0; u != NULL && k < u->n_years; k++) {
			double px = rs_chart_px(&c, x[k])
				+ whisker_shift(i, n);
			rs_boxes_add(&boxes, px - 5,
				rs_chart_py(&c, u->years[k].ne_p90) - 2,
				px + 5, rs_chart_py(&c, u->years[k].ne_p10) + 2);
		}
	}
	/* Label every year unless the labels would run into each other. */
	spacing = c.plot_width / (last - first + 1);
	every = spacing >= 64.0 ? 1 : (int)ceil(64.0 / spacing);

	for (int i = 0; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		const char *color = rs_figure_color(i);
		double x[RS_MAX_YEARS], y[RS_MAX_YEARS];
		double lo_band[RS_MAX_YEARS], hi_band[RS_MAX_YEARS];
		int band = 1;

		for (int k = 0; k < p->n_years; k++) {
			x[k] = p->years[k].year;
			y[k] = p->years[k].ne;
			lo_band[k] = p->years[k].ne_p10;
			hi_band[k] = p->years[k].ne_p90;
			band &= isfinite(lo_band[k]) && isfinite(hi_band[k]);
		}
		series_begin(f, p);
		if (band)
			rs_chart_band(&c, p->n_years, x, lo_band, hi_band,
				color);
		rs_chart_line(&c, p->n_years, x, y, color, NULL);
		if (p->uncertainty != NULL) {
			fputs("<g class=\"monte-carlo\">\n", f);
			for (int k = 0; k < p->uncertainty->n_years; k++)
				draw_whisker(&c, x[k],
					p->uncertainty->years[k].ne_p10,
					p->uncertainty->years[k].ne_p90,
					whisker_shift(i, n), color);
			fputs("</g>\n", f);
		}
		for (int k = 0; k < p->n_years; k++)
			rs_chart_marker(&c, x[k], y[k], color);
		for (int k = 0; k < p->n_years; k++) {
			char text[32];
			if (k % every != 0 && k != p->n_years - 1)
				continue;
			snprintf(text, sizeof text, "%.5f", y[k]);
			place_label(f, &c, &boxes, x[k], y[k], text, color);
		}
		fputs("</g>\n", f);
	}
	rs_chart_end(&c);
}

/* Each distinct yearly budget as a dashed line across the plot, named in
 * legend row from x on. */
static void budget_lines(FILE *f, const struct rs_chart *c,
	const struct rs_plan *plans, int n, int row, double x)
{
	for (int i = 0; i < n; i++) {
		double budget = plans[i].scenario->budget_usd_per_year;
		char label[256];
		int shared = 1, seen = 0;
		double py;

		if (!(budget > 0.0))
			continue;
		for (int j = 0; j < i; j++)
			seen |= plans[j].scenario->budget_usd_per_year == budget;
		if (seen)
			continue;
		for (int j = 0; j < n; j++)
			shared &= plans[j].scenario->budget_usd_per_year
				== budget;
		py = rs_chart_py(c, budget / 1e6);
		fprintf(f, "<line class=\"budget\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
			c->left, py, c->left + c->plot_width, py,
			BUDGET_COLOR);
		if (shared)
			snprintf(label, sizeof label, "budget %.2f M USD",
				budget / 1e6);
		else
			snprintf(label, sizeof label, "budget of %s %.2f M USD",
				plans[i].scenario->name, budget / 1e6);
		x = rs_chart_legend_line(c, row, x, label, BUDGET_COLOR);
	}
}

void rs_figure_cost(FILE *f, const struct rs_plan *plans, int n)
{
	struct rs_chart c;
	double hi = 0.0, slot, group, bar_w, legend_x;
	int first, last, letters = 0, show_totals;
	char names[RS_CHART_N_COLORS][64];
	const char *legend_names[RS_CHART_N_COLORS];
	const char *legend_colors[RS_CHART_N_COLORS];
	int n_legend = n < RS_CHART_N_COLORS ? n : RS_CHART_N_COLORS;

	const struct rs_uncertainty_result *mc = first_monte_carlo(plans, n);

	memset(&c, 0, sizeof c);
	year_range(plans, n, &first, &last);
	for (int i = 0; i < n; i++) {
		const struct rs_uncertainty_result *u = plans[i].uncertainty;

		for (int k = 0; k < plans[i].n_years; k++)
			hi = fmax(hi, plans[i].years[k].cost.total_usd / 1e6);
		for (int k = 0; u != NULL && k < u->n_years; k++)
			hi = fmax(hi, u->years[k].cost_p90 / 1e6);
		hi = fmax(hi, plans[i].scenario->budget_usd_per_year / 1e6);
	}
	year_axis(&c.x, first, last);
	c.y.label = "cost per year, million USD";
	rs_axis_fit(&c.y, 0.0, hi * 1.1);

	rs_chart_begin(&c, f, "chart-cost", "Cost per year by component",
		mc != NULL ? "Yearly cost of each scenario as stacked bars: "
		"amortised hardware purchase, energy and storage, with error "
		"bars from the 10th to the 90th percentile of the Monte Carlo "
		"draws and the budget as a dashed line." : "Yearly cost of "
		"each scenario as stacked bars: amortised hardware purchase, "
		"energy and storage, with the budget as a dashed line.",
		CHART_WIDTH, 440.0, mc != NULL ? 3 : 2);
	rs_chart_axes(&c);
	rs_chart_legend(&c, 0, 3, component_names, component_colors);
	if (mc != NULL) {
		char name[96];
		snprintf(name, sizeof name, "P10\u2013P90 of the total over %d "
			"Monte Carlo draws (seed %llu)", mc->n_draws,
			(unsigned long long)mc->seed);
		rs_chart_legend_symbol(&c, 2, c.left, RS_LEGEND_WHISKER, name,
			WHISKER_COLOR);
	}

	slot = c.plot_width / (last - first + 1);
	group = slot * 0.8;
	bar_w = group / n;
	for (int i = 0; i < n; i++)
		if (rs_chart_text_width(plans[i].scenario->name, 11)
		    > bar_w - 4)
			letters = 1;
	/* Bars named by letter when the names do not fit under them. */
	for (int i = 0; i < n_legend; i++) {
		if (letters)
			snprintf(names[i], sizeof names[i], "%c: %s", 'A' + i,
				plans[i].scenario->name);
		else
			snprintf(names[i], sizeof names[i], "%s (outline)",
				plans[i].scenario->name);
		legend_names[i] = names[i];
		legend_colors[i] = rs_figure_color(i);
	}
	legend_x = rs_chart_legend(&c, 1, n_legend, legend_names,
		legend_colors);
	show_totals = rs_chart_text_width("0.00*", 11) <= bar_w;

	for (int i = 0; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		const char *color = rs_figure_color(i);

		series_begin(f, p);
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			const double parts[3] = { y->cost.hardware_usd,
				y->cost.energy_usd, y->cost.storage_usd };
			double x0 = rs_chart_px(&c, y->year) - group / 2
				+ i * bar_w + 1.0;
			double base = 0.0, w = bar_w - 2.0, top;
			char label[32];

			for (int part = 0; part < 3; part++) {
				double y0 = rs_chart_py(&c, base / 1e6);
				double y1 = rs_chart_py(&c, (base + parts[part])
					/ 1e6);
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" "
					"width=\"%.1f\" height=\"%.1f\" "
					"fill=\"%s\"/>\n", x0, y1, w, y0 - y1,
					component_colors[part]);
				base += parts[part];
			}
			top = rs_chart_py(&c, base / 1e6);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"2\"/>\n", x0, top, w,
				rs_chart_py(&c, 0.0) - top, color);
			if (p->uncertainty != NULL
			    && k < p->uncertainty->n_years) {
				const struct rs_mc_year *m =
					&p->uncertainty->years[k];
				double bar_x = x0 + w / 2;

				fputs("<g class=\"monte-carlo\">\n", f);
				draw_whisker(&c, y->year, m->cost_p10 / 1e6,
					m->cost_p90 / 1e6, bar_x
					- rs_chart_px(&c, y->year),
					WHISKER_COLOR);
				fputs("</g>\n", f);
				/* The total goes above the bar's error bar. */
				top = fmin(top, rs_chart_py(&c,
					m->cost_p90 / 1e6));
			}
			if (show_totals) {
				snprintf(label, sizeof label, "%.2f%s",
					base / 1e6, y->over_budget ? "*" : "");
				rs_chart_text(f, x0 + w / 2, top - 5, "middle",
					11, y->over_budget ? BUDGET_COLOR
					: "#222222", label);
			}
			if (letters)
				snprintf(label, sizeof label, "%c", 'A' + i);
			else
				snprintf(label, sizeof label, "%s",
					p->scenario->name);
			if (rs_chart_text_width(label, 11) <= bar_w)
				rs_chart_text(f, x0 + w / 2,
					c.top + c.plot_height + 36, "middle",
					11, color, label);
		}
		fputs("</g>\n", f);
	}
	budget_lines(f, &c, plans, n, 1, legend_x);
	rs_chart_end(&c);
}

void rs_figure_quality_cost(FILE *f, const struct rs_plan *plans, int n)
{
	struct rs_boxes boxes;
	struct rs_chart c;
	double x_lo = INFINITY, x_hi = 0.0, y_lo = INFINITY, y_hi = -INFINITY;

	memset(&c, 0, sizeof c);
	memset(&boxes, 0, sizeof boxes);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < plans[i].n_years; k++) {
			const struct rs_year *y = &plans[i].years[k];
			x_lo = fmin(x_lo, y->cost.total_usd / 1e6);
			x_hi = fmax(x_hi, y->cost.total_usd / 1e6);
			y_lo = fmin(y_lo, y->ne);
			y_hi = fmax(y_hi, y->ne);
		}
	/* Costs that span a decade or more are easier to compare on a log
	 * scale. */
	c.x.log = x_lo > 0.0 && x_hi / x_lo >= 10.0;
	if (c.x.log) {
		c.x.label = "cost per year, million USD (log scale; lower is "
			"better)";
		rs_axis_fit(&c.x, x_lo, x_hi);
	} else {
		double pad = (x_hi - x_lo) * 0.1 + x_hi * 0.01;
		c.x.label = "cost per year, million USD (lower is better)";
		rs_axis_fit(&c.x, fmax(0.0, x_lo - pad), x_hi + pad);
	}
	c.y.label = "NE, normalized entropy (dimensionless; lower is better)";
	rs_axis_fit(&c.y, y_lo - (y_hi - y_lo) * 0.12,
		y_hi + (y_hi - y_lo) * 0.12);

	rs_chart_begin(&c, f, "chart-quality-cost", "Quality against cost",
		"Predicted NE against yearly cost: each year a point labelled "
		"with the year, each scenario a line.", CHART_WIDTH, 440.0, 1);
	rs_chart_axes(&c);
	scenario_legend(&c, plans, n, 0);

	for (int i = 0; i < n; i++) {
		double x[RS_MAX_YEARS], y[RS_MAX_YEARS];
		for (int k = 0; k < plans[i].n_years; k++) {
			x[k] = plans[i].years[k].cost.total_usd / 1e6;
			y[k] = plans[i].years[k].ne;
		}
		mark_points(&c, &boxes, x, y, plans[i].n_years);
	}
	for (int i = 0; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		const char *color = rs_figure_color(i);
		double x[RS_MAX_YEARS], y[RS_MAX_YEARS];

		for (int k = 0; k < p->n_years; k++) {
			x[k] = p->years[k].cost.total_usd / 1e6;
			y[k] = p->years[k].ne;
		}
		series_begin(f, p);
		rs_chart_line(&c, p->n_years, x, y, color, NULL);
		for (int k = 0; k < p->n_years; k++) {
			char text[16];
			rs_chart_marker(&c, x[k], y[k], color);
			snprintf(text, sizeof text, "%d", p->years[k].year);
			place_label(f, &c, &boxes, x[k], y[k], text, color);
		}
		fputs("</g>\n", f);
	}
	rs_chart_end(&c);
}

void rs_figure_binding(FILE *f, const struct rs_plan *plans, int n)
{
	const char *categories[64];
	char short_names[64][16];
	struct rs_chart c;
	double slot, row_h, height;
	int first, last;

	memset(&c, 0, sizeof c);
	if (n > 64)
		n = 64;
	year_range(plans, n, &first, &last);
	year_axis(&c.x, first, last);
	/* The first scenario at the top: categories count upwards. */
	for (int i = 0; i < n; i++) {
		const char *name = plans[n - 1 - i].scenario->name;
		if (strlen(name) > 11)
			snprintf(short_names[i], sizeof short_names[i],
				"%.10s\u2026", name);
		else
			snprintf(short_names[i], sizeof short_names[i], "%s",
				name);
		categories[i] = short_names[i];
	}
	c.y.categories = categories;
	c.y.n_categories = n;
	c.y.label = "scenario";
	rs_axis_fit(&c.y, 0.0, 0.0);

	height = 16.0 + 22.0 + 26.0 + 62.0 * n + 66.0;
	rs_chart_begin(&c, f, "chart-binding", "Binding resource per year",
		"For each scenario and year, the resource that decides the "
		"number of nodes, with the node count and hardware profile.",
		CHART_WIDTH, height, 1);
	rs_chart_axes(&c);
	rs_chart_legend(&c, 0, RS_N_BINDINGS, rs_binding_names,
		binding_colors);

	slot = c.plot_width / (last - first + 1);
	row_h = c.plot_height / n;
	for (int i = 0; i < n; i++) {
		const struct rs_plan *p = &plans[i];
		double cy = rs_chart_py(&c, n - 1 - i);

		series_begin(f, p);
		for (int k = 0; k < p->n_years; k++) {
			const struct rs_year *y = &p->years[k];
			const char *name = rs_binding_names[y->cluster.binding];
			double cx = rs_chart_px(&c, y->year);
			char nodes[96];

			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\" rx=\"4\" fill=\"%s\" "
				"stroke=\"%s\" stroke-width=\"2\"/>\n",
				cx - slot / 2 + 3, cy - row_h / 2 + 4,
				slot - 6, row_h - 8,
				binding_colors[y->cluster.binding],
				rs_figure_color(i));
			snprintf(nodes, sizeof nodes, "%lld \u00d7 %s%s",
				y->cluster.nodes, y->hw->name,
				y->cluster.meets_window ? "" : " (!)");
			if (rs_chart_text_width(name, VALUE_SIZE) < slot - 10)
				rs_chart_text(f, cx, cy - 3, "middle",
					VALUE_SIZE, "#111111", name);
			if (rs_chart_text_width(nodes, 11) < slot - 10)
				rs_chart_text(f, cx, cy + 14, "middle", 11,
					"#333333", nodes);
		}
		fputs("</g>\n", f);
	}
	rs_chart_end(&c);
}

int rs_figure_has_fitted_law(const struct rs_plan *plan)
{
	const struct rs_scenario *sc = plan->scenario;
	const struct rs_scheme_law *s = &sc->law.schemes[sc->law_scheme];

	return s->fit_note != NULL && s->data.present
		&& s->data.fit_min.value > 0.0 && s->data.fit_max.value > 0.0;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Quantile q of n sorted values, interpolated linearly between ranks as
 * the engine computes ne_p10 and ne_p90, so the two agree. */
static double quantile(const double *sorted, int n, double q)
{
	double pos = q * (n - 1);
	int i = (int)floor(pos);

	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

int rs_figure_law_at(const struct rs_plan *plan, double data_samples,
	double *ne, double *p10, double *p90)
{
	const struct rs_scenario *sc = plan->scenario;
	const struct rs_scheme_law *s = &sc->law.schemes[sc->law_scheme];
	double params = rs_engine_law_params(s, plan->years[0].params_embedding,
		plan->years[0].params_dense);
	double *values;

	*ne = rs_law_ne(s, data_samples, params);
	*p10 = NAN;
	*p90 = NAN;
	if (s->n_samples < 2)
		return 0;
	values = malloc((size_t)s->n_samples * sizeof *values);
	if (values == NULL)
		return -1;
	for (int k = 0; k < s->n_samples; k++) {
		struct rs_scheme_law sample;
		rs_law_sample(s, k, &sample);
		values[k] = rs_law_ne(&sample, data_samples, params);
	}
	qsort(values, (size_t)s->n_samples, sizeof *values, compare_doubles);
	*p10 = quantile(values, s->n_samples, 0.10);
	*p90 = quantile(values, s->n_samples, 0.90);
	free(values);
	return 0;
}

#define CURVE_POINTS 80

/* Shade the part of the x axis outside [fit_min, fit_max]. */
static void extrapolation_regions(FILE *f, const struct rs_chart *c,
	double fit_min, double fit_max)
{
	double left = rs_chart_px(c, fit_min), right = rs_chart_px(c, fit_max);
	double top = c->top, h = c->plot_height;

	fputs("<g class=\"extrapolation\">\n", f);
	if (left > c->left + 1)
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"#eeeeee\"/>\n", c->left, top,
			left - c->left, h);
	if (right < c->left + c->plot_width - 1)
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"#eeeeee\"/>\n", right, top,
			c->left + c->plot_width - right, h);
	for (int i = 0; i < 2; i++)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#777777\" "
			"stroke-dasharray=\"4 3\"/>\n", i ? right : left, top,
			i ? right : left, top + h);
	rs_chart_text(f, (left + right) / 2, top + 16, "middle", VALUE_SIZE,
		"#444444", "fitted range");
	if (right < c->left + c->plot_width - 90)
		rs_chart_text(f, (right + c->left + c->plot_width) / 2,
			top + 16, "middle", VALUE_SIZE, "#444444",
			"extrapolated");
	if (left > c->left + 90)
		rs_chart_text(f, (c->left + left) / 2, top + 16, "middle",
			VALUE_SIZE, "#444444", "extrapolated");
	fputs("</g>\n", f);
}

int rs_figure_fitted_law(FILE *f, const struct rs_plan *plan, int i,
	int id_index)
{
	struct rs_boxes boxes;
	const struct rs_scenario *sc = plan->scenario;
	const struct rs_scheme_law *s = &sc->law.schemes[sc->law_scheme];
	const char *color = rs_figure_color(i);
	double fit_min = s->data.fit_min.value, fit_max = s->data.fit_max.value;
	double x[CURVE_POINTS], ne[CURVE_POINTS], p10[CURVE_POINTS];
	double p90[CURVE_POINTS], inside[CURVE_POINTS];
	double x_lo = fit_min, x_hi = fit_max, y_lo = INFINITY,
		y_hi = -INFINITY;
	double px[RS_MAX_YEARS], py[RS_MAX_YEARS];
	char id[32], title[256];
	struct rs_chart c;
	int band;

	memset(&c, 0, sizeof c);
	memset(&boxes, 0, sizeof boxes);
	for (int k = 0; k < plan->n_years; k++) {
		x_lo = fmin(x_lo, plan->years[k].data_samples);
		x_hi = fmax(x_hi, plan->years[k].data_samples);
	}
	c.x.log = 1;
	c.x.label = "D, training data retained (samples, log scale)";
	rs_axis_fit(&c.x, x_lo / 1.5, x_hi * 1.5);

	for (int k = 0; k < CURVE_POINTS; k++) {
		double t = (double)k / (CURVE_POINTS - 1);
		x[k] = c.x.min * pow(c.x.max / c.x.min, t);
		if (rs_figure_law_at(plan, x[k], &ne[k], &p10[k], &p90[k]) < 0)
			return -1;
		inside[k] = x[k] >= fit_min && x[k] <= fit_max ? ne[k] : NAN;
		y_lo = fmin(y_lo, isfinite(p10[k]) ? p10[k] : ne[k]);
		y_hi = fmax(y_hi, isfinite(p90[k]) ? p90[k] : ne[k]);
	}
	band = isfinite(p10[0]);
	for (int k = 0; k < plan->n_years; k++) {
		px[k] = plan->years[k].data_samples;
		py[k] = plan->years[k].ne;
		y_lo = fmin(y_lo, py[k]);
		y_hi = fmax(y_hi, py[k]);
	}
	c.y.label = "NE, normalized entropy (dimensionless; lower is better)";
	rs_axis_fit(&c.y, y_lo - (y_hi - y_lo) * 0.05,
		y_hi + (y_hi - y_lo) * 0.12);

	snprintf(id, sizeof id, "chart-law-%d", id_index);
	snprintf(title, sizeof title, "Fitted law of %s: %s, scheme %s",
		sc->name, sc->law.name, s->name);
	rs_chart_begin(&c, f, id, title, "The fitted law's NE against "
		"training data over the range of the runs it was fitted on, "
		"dashed where it is extrapolated, with the plan's years "
		"marked.", CHART_WIDTH, 420.0, 1);
	extrapolation_regions(f, &c, fit_min, fit_max);
	rs_chart_axes(&c);
	{
		const char *names[] = { sc->name };
		const char *colors[] = { color };
		rs_chart_legend(&c, 0, 1, names, colors);
	}
	mark_points(&c, &boxes, px, py, plan->n_years);

	series_begin(f, plan);
	if (band)
		rs_chart_band(&c, CURVE_POINTS, x, p10, p90, color);
	rs_chart_line(&c, CURVE_POINTS, x, ne, color, "7 5");
	rs_chart_line(&c, CURVE_POINTS, x, inside, color, NULL);
	for (int k = 0; k < plan->n_years; k++) {
		char text[16];
		rs_chart_marker(&c, px[k], py[k], color);
		snprintf(text, sizeof text, "%d", plan->years[k].year);
		place_label(f, &c, &boxes, px[k], py[k], text, color);
	}
	fputs("</g>\n", f);
	rs_chart_end(&c);
	return 0;
}

/* Final-year NE or cost of one end of a sensitivity entry. */
static double swing_end(const struct rs_sensitivity *s, int cost, int high)
{
	if (cost)
		return (high ? s->cost_high : s->cost_low) / 1e6;
	return high ? s->ne_high : s->ne_low;
}

/* Fit a tornado panel's value axis to the plan's value and every end,
 * with room beside the bars for the input values. */
static void tornado_axis(struct rs_axis *a, const struct rs_uncertainty_result
	*u, double plan_value, int cost)
{
	double lo = plan_value, hi = plan_value, pad;

	for (int r = 0; r < u->n_sensitivity; r++)
		for (int high = 0; high < 2; high++) {
			double v = swing_end(&u->sensitivity[r], cost, high);
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	/* No input moves the value: show a narrow window around it, so
	 * the axis does not invent a spread. */
	if (hi - lo < fabs(plan_value) * 1e-6) {
		lo = plan_value * (1.0 - (cost ? 0.02 : 1e-4));
		hi = plan_value * (1.0 + (cost ? 0.02 : 1e-4));
	}
	pad = (hi - lo) * 0.3;
	rs_axis_fit(a, cost ? fmax(0.0, lo - pad) : lo - pad, hi + pad);
}

/* The input value at one end of a sensitivity entry, as a bar label. */
static void end_label(const struct rs_sensitivity *s, int high, char *buf,
	size_t size)
{
	/* The law's entry gives the percentiles of its two samples. */
	if (strncmp(s->input, "law", 3) == 0)
		snprintf(buf, size, "P%g", high ? s->high : s->low);
	else
		snprintf(buf, size, "%g", high ? s->high : s->low);
}

/* One panel's bars: from the value at the input's low end to that at its
 * high end, each end labelled with the input value. */
static void tornado_bars(FILE *f, const struct rs_chart *c,
	const struct rs_uncertainty_result *u, double plan_value, int cost,
	const char *color)
{
	int n = u->n_sensitivity;
	double row_h = c->plot_height / n;
	double base_px = rs_chart_px(c, plan_value);

	fprintf(f, "<line class=\"plan-value\" x1=\"%.1f\" y1=\"%.1f\" "
		"x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"6 4\"/>\n", base_px, c->top, base_px,
		c->top + c->plot_height);
	for (int r = 0; r < n; r++) {
		const struct rs_sensitivity *s = &u->sensitivity[r];
		double cy = rs_chart_py(c, n - 1 - r);
		double p_low = rs_chart_px(c, swing_end(s, cost, 0));
		double p_high = rs_chart_px(c, swing_end(s, cost, 1));
		double left = fmin(p_low, p_high), right = fmax(p_low, p_high);
		char low_text[32], high_text[32], both[80];

		end_label(s, 0, low_text, sizeof low_text);
		end_label(s, 1, high_text, sizeof high_text);
		if (right - left < 2.0) {
			/* Both ends give the same value: a thin mark. */
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"2\" "
				"height=\"%.1f\" fill=\"%s\"/>\n", left - 1.0,
				cy - row_h * 0.3, row_h * 0.6, color);
			if (swing_end(s, cost, 0) == plan_value
			    && swing_end(s, cost, 1) == plan_value)
				snprintf(both, sizeof both, "no change");
			else
				snprintf(both, sizeof both, "%s and %s: same",
					low_text, high_text);
			rs_chart_text(f, right + 6.0, cy + 4.0, "start",
				VALUE_SIZE, "#333333", both);
			continue;
		}
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.75\" "
			"stroke=\"%s\"/>\n", left, cy - row_h * 0.3,
			right - left, row_h * 0.6, color, color);
		rs_chart_text(f, left - 5.0, cy + 4.0, "end", VALUE_SIZE,
			"#222222", p_low <= p_high ? low_text : high_text);
		rs_chart_text(f, right + 5.0, cy + 4.0, "start", VALUE_SIZE,
			"#222222", p_low <= p_high ? high_text : low_text);
	}
}

void rs_figure_tornado(FILE *f, const struct rs_plan *plan, int i,
	int id_index)
{
	const struct rs_uncertainty_result *u = plan->uncertainty;
	const struct rs_year *final = &plan->years[plan->n_years - 1];
	const char *categories[RS_MAX_SENSITIVITY];
	const char *color = rs_figure_color(i);
	double name_w = 0.0, gap = 64.0, panel_w, height;
	char id[32], title[256], ne_label[96], cost_label[96], legend[96];
	struct rs_chart c, cost;
	int n = u->n_sensitivity;

	memset(&c, 0, sizeof c);
	/* Rank 1 at the top: categories count upwards from the bottom. */
	for (int r = 0; r < n; r++) {
		categories[n - 1 - r] = u->sensitivity[r].input;
		name_w = fmax(name_w, rs_chart_text_width(
			u->sensitivity[r].input, 12));
	}
	c.y.categories = categories;
	c.y.n_categories = n;
	c.y.label = "input, ranked by its effect";
	rs_axis_fit(&c.y, 0.0, 0.0);
	snprintf(ne_label, sizeof ne_label, "NE in %d (lower is better)",
		final->year);
	c.x.label = ne_label;
	tornado_axis(&c.x, u, final->ne, 0);

	snprintf(id, sizeof id, "chart-tornado-%d", id_index);
	snprintf(title, sizeof title, "Sensitivity of %s in %d",
		plan->scenario->name, final->year);
	height = 16.0 + 22.0 + 26.0 + 44.0 * n + 66.0;
	rs_chart_begin(&c, f, id, title, "Tornado chart: for each input, a "
		"bar from the final year's NE (left panel) and cost (right "
		"panel) with the input at the low end of its range to those "
		"with it at the high end, the other inputs at their plan "
		"values; the dashed line is the plan.", CHART_WIDTH, height, 1);
	/* Two panels side by side; the left margin fits the input names. */
	c.left = fmax(c.left, name_w + 20.0);
	panel_w = (c.width - c.left - 28.0 - gap) / 2.0;
	c.plot_width = panel_w;
	cost = c;
	cost.left = c.left + panel_w + gap;
	cost.y.label = NULL;
	cost.y.no_tick_labels = 1;
	snprintf(cost_label, sizeof cost_label, "cost in %d, million USD",
		final->year);
	cost.x.label = cost_label;
	tornado_axis(&cost.x, u, final->cost.total_usd / 1e6, 1);
	rs_chart_axes(&c);
	rs_chart_axes(&cost);
	{
		const char *names[] = { plan->scenario->name };
		const char *colors[] = { color };
		double x = rs_chart_legend(&c, 0, 1, names, colors);

		snprintf(legend, sizeof legend, "the plan's value in %d",
			final->year);
		rs_chart_legend_line(&c, 0, x, legend, "#333333");
	}
	series_begin(f, plan);
	tornado_bars(f, &c, u, final->ne, 0, color);
	tornado_bars(f, &cost, u, final->cost.total_usd / 1e6, 1, color);
	fputs("</g>\n", f);
	rs_chart_end(&c);
}

/* Colour of year index k of n on a dark-to-light ramp (samples of the
 * viridis map, stopping before its yellow, which is unreadable on white),
 * so later years read as lighter. */
static void year_color(int k, int n, char *buf, size_t size)
{
	static const unsigned char ramp[][3] = {
		{ 0x44, 0x01, 0x54 }, { 0x41, 0x44, 0x87 }, { 0x2A, 0x78, 0x8E },
		{ 0x22, 0xA8, 0x84 }, { 0x7A, 0xD1, 0x51 }
	};
	const int last = (int)(sizeof ramp / sizeof ramp[0]) - 1;
	double t = n > 1 ? (double)k / (n - 1) * last : 0.0;
	int j = (int)floor(t);
	double w;
	int rgb[3];

	if (j >= last)
		j = last - 1;
	w = t - j;
	for (int ch = 0; ch < 3; ch++)
		rgb[ch] = (int)lround(ramp[j][ch] * (1.0 - w)
			+ ramp[j + 1][ch] * w);
	snprintf(buf, size, "#%02X%02X%02X", rgb[0], rgb[1], rgb[2]);
}

/* Year legend entries, wrapped into rows; returns the rows used. */
static int year_legend(const struct rs_chart *c,
	const struct rs_optimization *opt, char (*names)[64],
	char (*colors)[8], int first_row, int draw)
{
	double x = c->left, right = c->left + c->plot_width;
	int row = first_row;

	for (int k = 0; k < opt->n_years; k++) {
		double w = 20.0 + rs_chart_text_width(names[k], 13) + 24.0;

		if (x + w > right + 24.0 && x > c->left) {
			row++;
			x = c->left;
		}
		if (draw)
			rs_chart_legend_symbol(c, row, x, RS_LEGEND_SWATCH,
				names[k], colors[k]);
		x += w;
	}
	return row - first_row + 1;
}

int rs_figure_frontier(FILE *f, const struct rs_optimization *opt,
	int id_index)
{
	const struct rs_scenario *sc = opt->scenario;
	int budget = opt->objective == RS_MIN_NE_WITHIN_BUDGET;
	double x_lo = INFINITY, x_hi = 0.0, y_lo = INFINITY, y_hi = -INFINITY;
	char names[RS_MAX_YEARS][64], colors[RS_MAX_YEARS][8];
	char id[32], title[256], limit[96];
	struct rs_boxes boxes;
	struct rs_chart c, probe;
	int rows;

	memset(&c, 0, sizeof c);
	memset(&boxes, 0, sizeof boxes);
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];

		for (int j = 0; j < y->n_frontier; j++) {
			const struct rs_candidate *p =
				&y->candidates[y->frontier[j]];
			x_lo = fmin(x_lo, p->cost_usd / 1e6);
			x_hi = fmax(x_hi, p->cost_usd / 1e6);
			y_lo = fmin(y_lo, p->ne);
			y_hi = fmax(y_hi, p->ne);
		}
		year_color(k, opt->n_years, colors[k], sizeof colors[k]);
		snprintf(names[k], sizeof names[k], "%d%s", y->year,
			y->chosen < 0 ? ": no plan qualifies" : "");
	}
	if (budget) {
		x_lo = fmin(x_lo, opt->limit / 1e6);
		x_hi = fmax(x_hi, opt->limit / 1e6);
	} else {
		y_lo = fmin(y_lo, opt->limit);
		y_hi = fmax(y_hi, opt->limit);
	}
	/* Costs that span a decade or more are easier to compare on a log
	 * scale. */
	c.x.log = x_lo > 0.0 && x_hi / x_lo >= 10.0;
	if (c.x.log) {
		c.x.label = "cost per year, million USD (log scale)";
		rs_axis_fit(&c.x, x_lo / 1.1, x_hi * 1.1);
	} else {
		double pad = (x_hi - x_lo) * 0.08 + x_hi * 0.01;
		c.x.label = "cost per year, million USD";
		rs_axis_fit(&c.x, fmax(0.0, x_lo - pad), x_hi + pad);
	}
	c.y.label = "NE, normalized entropy (dimensionless; lower is better)";
	rs_axis_fit(&c.y, y_lo - (y_hi - y_lo) * 0.08,
		y_hi + (y_hi - y_lo) * 0.08);

	/* Lay the legend out once to learn how many rows it takes. */
	probe = c;
	probe.left = 86.0;
	probe.plot_width = CHART_WIDTH - 86.0 - 28.0;
	rows = year_legend(&probe, opt, names, colors, 0, 0);

	snprintf(id, sizeof id, "chart-frontier-%d", id_index);
	snprintf(title, sizeof title, "Pareto frontier of %s: NE against "
		"cost per year", sc->name);
	rs_chart_begin(&c, f, id, title, "For each year, the plans that no "
		"cheaper plan beats on NE, as steps from the cheapest to the "
		"best; a ring marks the plan chosen for the year, and the "
		"dashed line is the budget or target NE.", CHART_WIDTH, 460.0,
		rows + 1);
	rs_chart_axes(&c);
	year_legend(&c, opt, names, colors, 0, 1);
	{
		double x = rs_chart_legend_symbol(&c, rows, c.left,
			RS_LEGEND_RING, "plan chosen for the year", KEY_COLOR);

		if (budget)
			snprintf(limit, sizeof limit, "budget %.2f M USD",
				opt->limit / 1e6);
		else
			snprintf(limit, sizeof limit, "target NE %.5f",
				opt->limit);
		rs_chart_legend_line(&c, rows, x, limit, BUDGET_COLOR);
	}
	if (budget) {
		double px = rs_chart_px(&c, opt->limit / 1e6);
		fprintf(f, "<line class=\"budget\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n", px,
			c.top, px, c.top + c.plot_height, BUDGET_COLOR);
	} else {
		double py = rs_chart_py(&c, opt->limit);
		fprintf(f, "<line class=\"target\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			"stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
			c.left, py, c.left + c.plot_width, py, BUDGET_COLOR);
	}

	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];
		for (int j = 0; j < y->n_frontier; j++) {
			const struct rs_candidate *p =
				&y->candidates[y->frontier[j]];
			double px = rs_chart_px(&c, p->cost_usd / 1e6);
			double py = rs_chart_py(&c, p->ne);
			rs_boxes_add(&boxes, px - 5, py - 5, px + 5, py + 5);
		}
	}
	for (int k = 0; k < opt->n_years; k++) {
		const struct rs_year_choice *y = &opt->years[k];
		int m = y->n_frontier;
		double *sx, *sy;

		if (m == 0)
			continue;
		/* A step line, because no plan lies between two frontier
		 * points: a plan's NE is the best on offer up to the cost of
		 * the next. */
		sx = malloc((size_t)(2 * m) * sizeof *sx);
		sy = malloc((size_t)(2 * m) * sizeof *sy);
		if (sx == NULL || sy == NULL) {
			free(sx);
			free(sy);
			return -1;
		}
		for (int j = 0; j < m; j++) {
			const struct rs_candidate *p =
				&y->candidates[y->frontier[j]];
			sx[2 * j] = p->cost_usd / 1e6;
			sy[2 * j] = p->ne;
			if (j + 1 < m) {
				sx[2 * j + 1] = y->candidates[
					y->frontier[j + 1]].cost_usd / 1e6;
				sy[2 * j + 1] = p->ne;
			}
		}
		fprintf(f, "<g class=\"series\" data-scenario=\"");
		rs_xml_escape(f, sc->name);
		fprintf(f, "\" data-year=\"%d\">\n", y->year);
		rs_chart_line(&c, 2 * m - 1, sx, sy, colors[k], NULL);
		free(sx);
		free(sy);
		for (int j = 0; j < m; j++) {
			const struct rs_candidate *p =
				&y->candidates[y->frontier[j]];
			rs_chart_marker(&c, p->cost_usd / 1e6, p->ne,
				colors[k]);
		}
		if (y->chosen >= 0) {
			const struct rs_candidate *p = &y->candidates[y->chosen];
			char text[16];

			rs_chart_ring(&c, p->cost_usd / 1e6, p->ne, colors[k]);
			snprintf(text, sizeof text, "%d", y->year);
			place_label(f, &c, &boxes, p->cost_usd / 1e6, p->ne,
				text, colors[k]);
		}
		fputs("</g>\n", f);
	}
	rs_chart_end(&c);
	return 0;
}
