/* Scaling-law evaluation and inversion against values computed by hand for
 * the shipped models/dlrm-2022.cfg. */
#include <stdlib.h>
#include <string.h>

#include "law.h"
#include "tap.h"

int main(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	struct rs_law law;
	struct rs_error err;
	const struct rs_scheme_law *rows, *top;
	double x;

	snprintf(path, sizeof path, "%s/models/dlrm-2022.cfg",
		srcdir ? srcdir : ".");
	tap_plan(16);
	if (!tap_ok(rs_law_load(path, &law, &err) == 0, "dlrm-2022 loads")) {
		printf("# %s\n", err.msg);
		return 1;
	}
	tap_ok(law.n_schemes == 4, "dlrm-2022 has the four scaling schemes");
	rows = &law.schemes[rs_law_scheme_index(&law, "embedding_rows")];
	top = &law.schemes[rs_law_scheme_index(&law, "top_mlp")];
	tap_ok(rs_law_scheme_index(&law, "no_such_scheme") == -1,
		"unknown scheme name is not found");

	/* At the reference scale every term equals its coefficient. */
	tap_near(rs_law_ne(rows, 5.0e11, 4.2e11), 0.999, 1e-12,
		"NE at the reference scale is gamma plus both coefficients");
	/* 0.98 + 0.017 * 2^-0.12 + 0.002 */
	tap_near(rs_law_ne(rows, 1.0e12, 4.2e11), 0.9976431900606229, 1e-12,
		"NE at twice the reference data matches the hand value");
	/* 0.98 + 0.017 + 0.002 * 4^-0.03 */
	tap_near(rs_law_ne(rows, 5.0e11, 1.68e12), 0.9989185282386506, 1e-12,
		"NE at four times the reference parameters matches");
	/* 0.98 + 0.018 * 10^-0.14 */
	tap_near(rs_law_ne_compute(top, 3.0e22), 0.9930398472813498, 1e-12,
		"compute law uses the top-MLP exponent 0.14");
	/* 0.98 + 0.018 * 10^-0.12 */
	tap_near(rs_law_ne_compute(rows, 3.0e22), 0.9936543963505253, 1e-12,
		"compute law at ten times the reference compute");
	tap_near(rs_term_gain_per_doubling(&rows->data, 5.0e11),
		0.001356809939377124, 1e-12,
		"gain per doubling of data at the reference");

	tap_ok(rs_law_solve_data(rows, 0.9976431900606229, 4.2e11, &x,
		&err) == 0, "solve for data reaches a target above the floor");
	tap_near(x, 1.0e12, 1e-9, "solved data is twice the reference");
	tap_ok(rs_law_solve_params(rows, 0.9989185282386506, 5.0e11, &x,
		&err) == 0, "solve for parameters succeeds");
	tap_near(x, 1.68e12, 1e-9, "solved parameters are four times the "
		"reference");
	tap_ok(rs_law_solve_compute(rows, 0.9936543963505253, &x, &err) == 0
		&& fabs(x / 3.0e22 - 1.0) < 1e-9,
		"solve for compute inverts the compute law");
	tap_ok(rs_law_solve_data(rows, 0.98, 4.2e11, &x, &err) == -1,
		"a target at the floor is unreachable");
	tap_ok(strstr(err.msg, "not reachable") != NULL,
		"the unreachable-target message says so");

	rs_law_free(&law);
	return tap_done();
}
