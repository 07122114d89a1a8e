/* Internals of the report page shared by its section writers: page.c
 * writes the plan sections, page-analyses.c those that --monte-carlo and
 * --optimize add.  Not for use elsewhere.
 */
#ifndef RS_PAGE_IMPL_H
#define RS_PAGE_IMPL_H

#include <stddef.h>

#include "doc.h"
#include "engine.h"
#include "inputs.h"
#include "optimize.h"

#define DASH "\u2013"		/* shown for a value that does not exist */

struct doc {
	struct rs_doc out;
	const struct rs_plan *plans;
	int n;
	const struct rs_inputs *inputs;
	const char *generator;
	/* One per plan, or NULL when the report does not optimize. */
	const struct rs_optimization *optimizations;
};

/* The scenario's name, after a swatch of its chart colour. */
void cell_scenario(const struct doc *d, int i);

/* Number formats, DASH for a value that is not finite.  Each returns
 * buf. */
char *fmt_fixed(char *buf, size_t size, double v, int decimals);
char *fmt_usd(char *buf, size_t size, double v);	/* 1,234,567 */
char *fmt_sci(char *buf, size_t size, double v);	/* 1.23e11 */

/* Number cells: NE to five decimals, USD, and scientific notation. */
void ne_cell(const struct doc *d, const char *field, double v);
void usd_cell(const struct doc *d, const char *field, double v);
void sci_cell(const struct doc *d, const char *field, double v);

/* The sections page-analyses.c writes.  Each writes nothing when the
 * report did not compute what it shows. */
void page_monte_carlo_ne(const struct doc *d);
void page_monte_carlo_cost(const struct doc *d);
void page_sensitivity(const struct doc *d);
/* Fails only when memory runs out. */
int page_optimization(const struct doc *d);

#endif
