/* The charts of the HTML report, drawn from projected plans: NE per year,
 * cost per year by component, NE against cost, the binding resource per
 * year and a fitted law over its range.  When the report computes them, a
 * tornado chart shows the sensitivity of the final year, and a frontier
 * chart the Pareto frontier of NE against cost.
 *
 * Each chart draws one <g class="series" data-scenario="NAME"> per plan,
 * so tests and readers can tell the scenarios apart.  The frontier chart
 * draws one per year instead, with data-year="YEAR" as well.  The NE and
 * cost charts draw the Monte Carlo P10 to P90 of a plan that has
 * uncertainty results as error bars inside <g class="monte-carlo">.
 */
#ifndef RS_FIGURES_H
#define RS_FIGURES_H

#include <stdio.h>

#include "engine.h"
#include "optimize.h"

/* Colour of plan i's series. */
const char *rs_figure_color(int i);

void rs_figure_ne(FILE *f, const struct rs_plan *plans, int n);
void rs_figure_cost(FILE *f, const struct rs_plan *plans, int n);
void rs_figure_quality_cost(FILE *f, const struct rs_plan *plans, int n);
void rs_figure_binding(FILE *f, const struct rs_plan *plans, int n);

/* 1 when the plan's law scheme came from `recscale fit`: it has a fit note
 * and its data term the range of the fitted runs. */
int rs_figure_has_fitted_law(const struct rs_plan *plan);

/* NE of the plan's law at data samples D with the plan's first-year
 * parameters, and its P10 and P90 over the bootstrap samples (NAN
 * without samples).  Fails only when memory runs out. */
int rs_figure_law_at(const struct rs_plan *plan, double data_samples,
	double *ne, double *p10, double *p90);

/* The fitted law of plan i over its fitted range, dashed where it is
 * extrapolated, with the plan's years marked.  id_index makes the SVG id
 * unique.  Fails only when memory runs out. */
int rs_figure_fitted_law(FILE *f, const struct rs_plan *plan, int i,
	int id_index);

/* A tornado chart of plan i's sensitivity list (plan->uncertainty with at
 * least one entry): one bar per input from its low-end to its high-end
 * final-year NE, and beside it the same for cost.  id_index makes the
 * SVG id unique. */
void rs_figure_tornado(FILE *f, const struct rs_plan *plan, int i,
	int id_index);

/* The Pareto frontier of each year of opt, NE against cost, with the
 * chosen plans ringed and the budget or target NE dashed.  id_index makes
 * the SVG id unique.  Fails only when memory runs out. */
int rs_figure_frontier(FILE *f, const struct rs_optimization *opt,
	int id_index);

#endif
