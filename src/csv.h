/* Reading CSV files of measured runs.
 *
 * The first line that is neither blank nor a comment (first non-blank
 * character '#') is the header.  Fields are separated by commas and may be
 * quoted with double quotes ("" inside quotes is one quote).  Every row
 * must have as many fields as the header.  Errors name the file, line and
 * column.
 */
#ifndef RS_CSV_H
#define RS_CSV_H

#include "error.h"

struct rs_csv {
	char *path;
	int n_cols;
	char **header;
	int n_rows;
	char **cells;		/* n_rows x n_cols, row-major */
	int *line_of_row;	/* line number in the file of each row */
};

int rs_csv_read(const char *path, struct rs_csv *csv, struct rs_error *err);
void rs_csv_free(struct rs_csv *csv);

/* Index of the column called name, or -1. */
int rs_csv_column(const struct rs_csv *csv, const char *name);

const char *rs_csv_cell(const struct rs_csv *csv, int row, int col);

/* Parse column col of every row as a finite number (C locale) into out,
 * which has room for n_rows values. */
int rs_csv_numbers(const struct rs_csv *csv, int col, double *out,
	struct rs_error *err);

#endif
