/* A small CSV reader for run tables; see csv.h for the accepted syntax. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"

struct fields {
	int n, cap;
	char **v;
};

static int push(struct fields *f, const char *start, size_t len)
{
	if (f->n == f->cap) {
		int cap = f->cap ? 2 * f->cap : 16;
		char **grown = realloc(f->v, (size_t)cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		f->v = grown;
		f->cap = cap;
	}
	f->v[f->n] = malloc(len + 1);
	if (f->v[f->n] == NULL)
		return -1;
	memcpy(f->v[f->n], start, len);
	f->v[f->n][len] = '\0';
	f->n++;
	return 0;
}

/* Split one line into fields, unquoting and trimming spaces around
 * unquoted fields.  Returns the column of a syntax error, 0 if none, -1
 * when out of memory. */
static int split(const char *line, struct fields *out)
{
	const char *p = line;

	for (;;) {
		char buf[4096];
		size_t len = 0;
		const char *field_start = p;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			for (p++;; p++) {
				if (*p == '\0')
					return (int)(field_start - line) + 1;
				if (*p == '"' && p[1] == '"') {
					p++;
				} else if (*p == '"') {
					p++;
					break;
				}
				if (len + 1 < sizeof buf)
					buf[len++] = *p;
			}
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ',' && *p != '\0')
				return (int)(p - line) + 1;
		} else {
			while (*p != ',' && *p != '\0') {
				if (*p == '"')
					return (int)(p - line) + 1;
				if (len + 1 < sizeof buf)
					buf[len++] = *p;
				p++;
			}
			while (len > 0 && (buf[len - 1] == ' '
					   || buf[len - 1] == '\t'))
				len--;
		}
		if (push(out, buf, len) < 0)
			return -1;
		if (*p == '\0')
			return 0;
		p++;
	}
}

static void free_fields(struct fields *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof *f);
}

int rs_csv_read(const char *path, struct rs_csv *csv, struct rs_error *err)
{
	struct stat sb;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int line_no = 0, rc = -1, cap_rows = 0;

	memset(csv, 0, sizeof *csv);
	f = fopen(path, "r");
	if (f == NULL)
		return rs_fail(err, "%s: cannot open: %s; check the path", path,
			strerror(errno));
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return rs_fail(err, "%s: is a directory; give a CSV file", path);
	}
	csv->path = strdup(path);
	if (csv->path == NULL) {
		rs_fail(err, "out of memory");
		goto out;
	}

	while ((len = getline(&line, &cap, f)) >= 0) {
		struct fields row = { 0, 0, NULL };
		const char *p = line;
		int col;

		line_no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (line_no == 1 && (unsigned char)line[0] == 0xEF
		    && (unsigned char)line[1] == 0xBB
		    && (unsigned char)line[2] == 0xBF)
			p += 3;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (strlen(p) != strlen(line) - (size_t)(p - line)
		    || (size_t)len != strlen(line)) {
			rs_fail(err, "%s:%d: contains a NUL byte; a CSV file "
				"must be text", path, line_no);
			goto out;
		}

		col = split(p, &row);
		if (col < 0) {
			free_fields(&row);
			rs_fail(err, "out of memory");
			goto out;
		}
		if (col > 0) {
			free_fields(&row);
			rs_fail(err, "%s:%d:%d: unbalanced or misplaced double "
				"quote; quote a whole field as \"...\" and "
				"write a quote inside it as \"\"", path, line_no,
				col + (int)(p - line));
			goto out;
		}

		if (csv->header == NULL) {
			csv->header = row.v;
			csv->n_cols = row.n;
			for (int i = 0; i < row.n; i++) {
				if (row.v[i][0] == '\0') {
					rs_fail(err, "%s:%d: header field %d is "
						"empty; name every column", path,
						line_no, i + 1);
					goto out;
				}
				for (int j = 0; j < i; j++)
					if (strcmp(row.v[i], row.v[j]) == 0) {
						rs_fail(err, "%s:%d: column "
							"\"%s\" appears twice "
							"in the header; name "
							"each column once",
							path, line_no, row.v[i]);
						goto out;
					}
			}
			continue;
		}
		if (row.n != csv->n_cols) {
			rs_fail(err, "%s:%d: %d field%s where the header has "
				"%d; give every row one value per column", path,
				line_no, row.n, row.n == 1 ? "" : "s",
				csv->n_cols);
			free_fields(&row);
			goto out;
		}
		if (csv->n_rows == cap_rows) {
			int new_cap = cap_rows ? 2 * cap_rows : 64;
			char **cells = realloc(csv->cells, (size_t)new_cap
				* (size_t)csv->n_cols * sizeof *cells);
			int *lines = realloc(csv->line_of_row,
				(size_t)new_cap * sizeof *lines);
			if (cells != NULL)
				csv->cells = cells;
			if (lines != NULL)
				csv->line_of_row = lines;
			if (cells == NULL || lines == NULL) {
				free_fields(&row);
				rs_fail(err, "out of memory");
				goto out;
			}
			cap_rows = new_cap;
		}
		memcpy(csv->cells + (size_t)csv->n_rows * csv->n_cols, row.v,
			(size_t)row.n * sizeof *row.v);
		free(row.v);
		csv->line_of_row[csv->n_rows++] = line_no;
	}
	if (ferror(f)) {
		rs_fail(err, "%s: read failed", path);
		goto out;
	}
	if (csv->header == NULL) {
		rs_fail(err, "%s: no header line; the first line that is not "
			"blank or a comment names the columns", path);
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	if (rc < 0)
		rs_csv_free(csv);
	return rc;
}

void rs_csv_free(struct rs_csv *csv)
{
	for (int i = 0; i < csv->n_cols; i++)
		free(csv->header ? csv->header[i] : NULL);
	for (long i = 0; i < (long)csv->n_rows * csv->n_cols; i++)
		free(csv->cells[i]);
	free(csv->header);
	free(csv->cells);
	free(csv->line_of_row);
	free(csv->path);
	memset(csv, 0, sizeof *csv);
}

int rs_csv_column(const struct rs_csv *csv, const char *name)
{
	for (int i = 0; i < csv->n_cols; i++)
		if (strcmp(csv->header[i], name) == 0)
			return i;
	return -1;
}

const char *rs_csv_cell(const struct rs_csv *csv, int row, int col)
{
	return csv->cells[(size_t)row * csv->n_cols + col];
}

int rs_csv_numbers(const struct rs_csv *csv, int col, double *out,
	struct rs_error *err)
{
	for (int r = 0; r < csv->n_rows; r++) {
		const char *cell = rs_csv_cell(csv, r, col);
		char *end;

		errno = 0;
		out[r] = strtod(cell, &end);
		/* Decimal notation only: strtod would also take hex, "inf"
		 * and "nan". */
		if (cell[0] == '\0' || *end != '\0'
		    || strspn(cell, "0123456789+-.eE") != strlen(cell))
			return rs_fail(err, "%s:%d:%d: %s: \"%s\" is not a "
				"number; write a decimal number such as 1.5e9",
				csv->path, csv->line_of_row[r], col + 1,
				csv->header[col], cell);
		if (!isfinite(out[r]) || errno == ERANGE)
			return rs_fail(err, "%s:%d:%d: %s: \"%s\" is not a "
				"finite number; give a finite value", csv->path,
				csv->line_of_row[r], col + 1, csv->header[col],
				cell);
	}
	return 0;
}
