/* The planning report of one or more scenarios side by side.
 *
 * HTML: a self-contained XHTML page (no scripts, no network) with inline
 * SVG charts, each followed by a table of the numbers it shows, then the
 * warnings and every input with its source.  Markdown: the same sections
 * and tables without the charts.  CSV: one row per scenario and year, the
 * columns of `recscale plan --format csv`.  JSON: the plans as `recscale
 * plan --format json` writes them, with the warnings, the fitted laws and
 * the inputs.
 *
 * Table cells of the HTML page carry data-field and data-value attributes
 * with the plan field and its exact value, so tools and tests can compare
 * the page with the plan JSON.
 */
#ifndef RS_PAGE_H
#define RS_PAGE_H

#include <stdio.h>

#include "engine.h"
#include "error.h"
#include "inputs.h"
#include "optimize.h"

enum rs_page_format {
	RS_PAGE_HTML, RS_PAGE_MARKDOWN, RS_PAGE_CSV, RS_PAGE_JSON
};

/* Parse "html", "markdown" (or "md"), "csv" or "json"; returns -1 for
 * anything else. */
int rs_page_format_parse(const char *name, enum rs_page_format *format);

/* The format a file name's extension names (.html, .htm, .md, .csv,
 * .json, in any case); returns -1 when it names none. */
int rs_page_format_of_path(const char *path, enum rs_page_format *format);

/* Write the report of the n plans (n >= 1) with the inputs behind them;
 * generator names the program and version.  A plan with uncertainty
 * results adds its Monte Carlo bands and sensitivity.  optimizations,
 * when not NULL, contains one result per plan and adds the chosen plans
 * and the Pareto frontier.  CSV has neither.  Fails only when memory runs
 * out; write errors show in ferror(f). */
int rs_page_write(FILE *f, const struct rs_plan *plans, int n,
	const struct rs_optimization *optimizations,
	const struct rs_inputs *inputs, const char *generator,
	enum rs_page_format format, struct rs_error *err);

#endif
