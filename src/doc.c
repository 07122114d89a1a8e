/* XHTML and Markdown from one set of calls; see doc.h. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "chart.h"
#include "doc.h"
#include "output.h"

/* Escape Markdown's inline markup and the table separator. */
static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|#", *s) != NULL)
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

void rs_doc_text(const struct rs_doc *d, const char *s)
{
	if (d->markdown)
		md_escape(d->f, s);
	else
		rs_xml_escape(d->f, s);
}

void rs_doc_heading(const struct rs_doc *d, int level, const char *id,
	const char *text)
{
	if (d->markdown) {
		fprintf(d->f, "%.*s ", level, "######");
		rs_doc_text(d, text);
		fputs("\n\n", d->f);
		return;
	}
	fprintf(d->f, "<h%d id=\"%s\">", level, id);
	rs_doc_text(d, text);
	fprintf(d->f, "</h%d>\n", level);
}

void rs_doc_paragraph(const struct rs_doc *d, const char *cls,
	const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (d->markdown) {
		rs_doc_text(d, text);
		fputs("\n\n", d->f);
		return;
	}
	if (cls != NULL)
		fprintf(d->f, "<p class=\"%s\">", cls);
	else
		fputs("<p>", d->f);
	rs_doc_text(d, text);
	fputs("</p>\n", d->f);
}

void rs_doc_list_begin(const struct rs_doc *d)
{
	if (!d->markdown)
		fputs("<ul>\n", d->f);
}

void rs_doc_list_item(const struct rs_doc *d, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fputs(d->markdown ? "- " : "<li>", d->f);
	rs_doc_text(d, text);
	fputs(d->markdown ? "\n" : "</li>\n", d->f);
}

void rs_doc_list_end(const struct rs_doc *d)
{
	fputs(d->markdown ? "\n" : "</ul>\n", d->f);
}

void rs_doc_table_begin(const struct rs_doc *d, const char *id,
	const char *caption, int n, const char *const *headers,
	const char *align)
{
	if (d->markdown) {
		fputs("**", d->f);
		rs_doc_text(d, caption);
		fputs("**\n\n|", d->f);
		for (int i = 0; i < n; i++) {
			fputc(' ', d->f);
			rs_doc_text(d, headers[i]);
			fputs(" |", d->f);
		}
		fputs("\n|", d->f);
		for (int i = 0; i < n; i++)
			fputs(align[i] == 'r' ? " ---: |" : " --- |", d->f);
		fputc('\n', d->f);
		return;
	}
	fprintf(d->f, "<table class=\"data\" id=\"%s\">\n<caption>", id);
	rs_doc_text(d, caption);
	fputs("</caption>\n<thead><tr>", d->f);
	for (int i = 0; i < n; i++) {
		fputs("<th>", d->f);
		rs_doc_text(d, headers[i]);
		fputs("</th>", d->f);
	}
	fputs("</tr></thead>\n<tbody>\n", d->f);
}

void rs_doc_row_begin(const struct rs_doc *d, const char *scenario,
	int year, const char *cls)
{
	if (d->markdown) {
		fputc('|', d->f);
		return;
	}
	fputs("<tr", d->f);
	if (cls != NULL)
		fprintf(d->f, " class=\"%s\"", cls);
	if (scenario != NULL) {
		fputs(" data-scenario=\"", d->f);
		rs_xml_escape(d->f, scenario);
		fputc('"', d->f);
	}
	if (year != 0)
		fprintf(d->f, " data-year=\"%d\"", year);
	fputc('>', d->f);
}

void rs_doc_row_end(const struct rs_doc *d)
{
	fputs(d->markdown ? "\n" : "</tr>\n", d->f);
}

void rs_doc_table_end(const struct rs_doc *d)
{
	fputs(d->markdown ? "\n" : "</tbody>\n</table>\n", d->f);
}

void rs_doc_cell_text(const struct rs_doc *d, const char *text)
{
	if (d->markdown) {
		fputc(' ', d->f);
		rs_doc_text(d, text);
		fputs(" |", d->f);
		return;
	}
	fputs("<td>", d->f);
	rs_doc_text(d, text);
	fputs("</td>", d->f);
}

void rs_doc_cell_number(const struct rs_doc *d, const char *field,
	double value, const char *text)
{
	if (d->markdown) {
		rs_doc_cell_text(d, text);
		return;
	}
	fputs("<td class=\"num\"", d->f);
	if (field != NULL) {
		fprintf(d->f, " data-field=\"%s\"", field);
		if (isfinite(value)) {
			fputs(" data-value=\"", d->f);
			rs_json_number(d->f, value);
			fputc('"', d->f);
		}
	}
	fputc('>', d->f);
	rs_doc_text(d, text);
	fputs("</td>", d->f);
}

void rs_doc_cell_swatch(const struct rs_doc *d, const char *color,
	const char *text)
{
	if (d->markdown) {
		rs_doc_cell_text(d, text);
		return;
	}
	fprintf(d->f, "<td class=\"name\"><span class=\"swatch\" "
		"style=\"background: %s\"></span>", color);
	rs_doc_text(d, text);
	fputs("</td>", d->f);
}
