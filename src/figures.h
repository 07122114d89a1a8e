/* The charts of the HTML report, drawn from projected plans: NE per year,
 * cost per year by component, NE against cost, the binding resource per
 * year, and a fitted law over its range.
 *
 * Each chart draws one <g class="series" data-scenario="NAME"> per plan,
 * so tests and readers can tell the scenarios apart.
 */
#ifndef RS_FIGURES_H
#define RS_FIGURES_H

#include <stdio.h>

#include "engine.h"

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

#endif
