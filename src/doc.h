/* A document written as XHTML or as Markdown from the same calls:
 * headings, paragraphs, bullet lists and tables.
 *
 * The report writes each section once through these functions, so its
 * HTML and Markdown forms cannot disagree on a number.  Text is escaped
 * for the form in use.  Table cells of numbers carry, in XHTML only, the
 * plan field they show and its exact value as data-field and data-value
 * attributes.
 */
#ifndef RS_DOC_H
#define RS_DOC_H

#include <stdio.h>

struct rs_doc {
	FILE *f;
	int markdown;		/* 0: XHTML */
};

/* Write text escaped for the form in use. */
void rs_doc_text(const struct rs_doc *d, const char *s);

void rs_doc_heading(const struct rs_doc *d, int level, const char *id,
	const char *text);
/* A paragraph of formatted text; cls is its XHTML class, or NULL. */
void rs_doc_paragraph(const struct rs_doc *d, const char *cls,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void rs_doc_list_begin(const struct rs_doc *d);
void rs_doc_list_item(const struct rs_doc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rs_doc_list_end(const struct rs_doc *d);

/* Begin a table of n columns with a caption; align has one letter per
 * column, 'l' or 'r'. */
void rs_doc_table_begin(const struct rs_doc *d, const char *id,
	const char *caption, int n, const char *const *headers,
	const char *align);
/* Begin a row; scenario (or NULL) and year (0: none) become data
 * attributes, cls (or NULL) its class. */
void rs_doc_row_begin(const struct rs_doc *d, const char *scenario,
	int year, const char *cls);
void rs_doc_row_end(const struct rs_doc *d);
void rs_doc_table_end(const struct rs_doc *d);

void rs_doc_cell_text(const struct rs_doc *d, const char *text);
/* A number shown as text.  field, when not NULL, names the plan field it
 * equals, and its exact value goes into data-value unless it is not
 * finite. */
void rs_doc_cell_number(const struct rs_doc *d, const char *field,
	double value, const char *text);
/* Text after a swatch of colour, which only XHTML shows. */
void rs_doc_cell_swatch(const struct rs_doc *d, const char *color,
	const char *text);

#endif
