/* Writing a projected plan as a terminal table, CSV or JSON.
 *
 * CSV columns and JSON fields share one table of names (rs_year_fields),
 * named with units as in the configuration files.
 */
#ifndef RS_REPORT_H
#define RS_REPORT_H

#include <stdio.h>

#include "engine.h"

enum rs_format { RS_FORMAT_TEXT, RS_FORMAT_CSV, RS_FORMAT_JSON };

/* Parse "text", "csv" or "json"; returns -1 for anything else. */
int rs_format_parse(const char *name, enum rs_format *format);

void rs_report_plan(FILE *f, const struct rs_plan *plan,
	enum rs_format format);

struct rs_optimization;

/* Write opt as JSON in the shape `recscale optimize --format json`
 * prints: the objective and its limit, and per year the chosen plan
 * (null when none qualifies), the lever returns and the frontier. */
void rs_report_optimization_json(FILE *f, const struct rs_optimization *opt);

/* Print the field names and their meaning, one per line (for --help). */
void rs_report_list_fields(FILE *f);

#endif
