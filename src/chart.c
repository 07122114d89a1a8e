/* Inline SVG charts; see chart.h. */
#include <math.h>
#include <string.h>

#include "chart.h"
#include "output.h"

/* Margins of the plot area inside the SVG, px. */
#define MARGIN_LEFT 86.0
#define MARGIN_RIGHT 28.0
#define MARGIN_BOTTOM 66.0
#define TICK_LABEL_MAX 48
#define LEGEND_ROW_HEIGHT 22.0
#define LABEL_SIZE 13
#define TICK_SIZE 12

const char *const rs_chart_colors[RS_CHART_N_COLORS] = {
	"#0072B2", "#D55E00", "#009E73", "#CC79A7",
	"#E69F00", "#56B4E9", "#555555", "#8C564B"
};

void rs_xml_escape(FILE *f, const char *s)
{
	while (*s) {
		int n = rs_utf8_length((const unsigned char *)s);

		/* An XML parser rejects the whole page over one invalid
		 * byte, so write U+FFFD in its place. */
		if (n == 0) {
			fputs("\xEF\xBF\xBD", f);
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, (size_t)n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			/* Control characters other than tab and newline are
			 * not allowed in XML 1.0 at all. */
			if ((unsigned char)*s < 0x20 && *s != '\t'
			    && *s != '\n')
				fputc(' ', f);
			else
				fputc(*s, f);
		}
		s++;
	}
}

double rs_chart_text_width(const char *text, int size)
{
	/* DejaVu Sans digits and lowercase letters average about 0.6 em;
	 * counting UTF-8 lead bytes only gives one width per character. */
	int n = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return 0.6 * size * n;
}

/* A round step (1, 2 or 5 times a power of ten) near raw. */
static double nice_step(double raw)
{
	double p = pow(10.0, floor(log10(raw)));
	double m = raw / p;

	if (m < 1.5)
		return p;
	if (m < 3.5)
		return 2.0 * p;
	if (m < 7.5)
		return 5.0 * p;
	return 10.0 * p;
}

static double linear_step(const struct rs_axis *a)
{
	return nice_step((a->max - a->min) / 5.0);
}

void rs_axis_fit(struct rs_axis *a, double lo, double hi)
{
	if (a->categories != NULL) {
		a->min = -0.5;
		a->max = a->n_categories - 0.5;
		return;
	}
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = a->log ? 1.0 : 0.0;
		hi = a->log ? 10.0 : 1.0;
	}
	if (a->log) {
		/* Ends at 1, 2 or 5 times a power of ten. */
		static const double steps[] = { 1.0, 2.0, 5.0, 10.0 };
		double p = pow(10.0, floor(log10(lo)));
		int i;

		for (i = 2; i > 0 && steps[i] * p > lo; i--)
			;
		a->min = steps[i] * p;
		p = pow(10.0, floor(log10(hi)));
		for (i = 0; i < 3 && steps[i] * p < hi; i++)
			;
		a->max = steps[i] * p;
		if (a->max <= a->min)
			a->max = a->min * 10.0;
		return;
	}
	if (hi <= lo) {
		double pad = fabs(lo) > 0.0 ? fabs(lo) * 0.01 : 1.0;
		lo -= pad;
		hi += pad;
	}
	double step = nice_step((hi - lo) / 5.0);
	a->min = floor(lo / step + 1e-9) * step;
	a->max = ceil(hi / step - 1e-9) * step;
	if (a->max <= a->min)
		a->max = a->min + step;
}

void rs_chart_begin(struct rs_chart *c, FILE *f, const char *id,
	const char *title, const char *description, double width,
	double height, int legend_rows)
{
	c->f = f;
	c->width = width;
	c->height = height;
	c->left = MARGIN_LEFT;
	c->top = 16.0 + LEGEND_ROW_HEIGHT * legend_rows + 26.0;
	c->plot_width = width - MARGIN_LEFT - MARGIN_RIGHT;
	c->plot_height = height - c->top - MARGIN_BOTTOM;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" "
		"class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		"aria-labelledby=\"%s-title %s-desc\" "
		"font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" "
		"font-size=\"%d\">\n", id, width, height, width, height, id, id,
		LABEL_SIZE);
	fprintf(f, "<title id=\"%s-title\">", id);
	rs_xml_escape(f, title);
	fprintf(f, "</title>\n<desc id=\"%s-desc\">", id);
	rs_xml_escape(f, description);
	fputs("</desc>\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#ffffff\"/>\n", width, height);
}

void rs_chart_end(struct rs_chart *c)
{
	fputs("</svg>\n", c->f);
}

static double axis_frac(const struct rs_axis *a, double v)
{
	if (a->log)
		return (log10(v) - log10(a->min))
			/ (log10(a->max) - log10(a->min));
	return (v - a->min) / (a->max - a->min);
}

double rs_chart_px(const struct rs_chart *c, double x)
{
	return c->left + axis_frac(&c->x, x) * c->plot_width;
}

double rs_chart_py(const struct rs_chart *c, double y)
{
	return c->top + (1.0 - axis_frac(&c->y, y)) * c->plot_height;
}

/* Tick values of an axis and their labels; returns the count. */
static int axis_ticks(const struct rs_axis *a, double *ticks,
	char labels[][TICK_LABEL_MAX])
{
	int n = 0;

	if (a->categories != NULL) {
		for (; n < a->n_categories && n < RS_CHART_MAX_TICKS; n++) {
			ticks[n] = n;
			snprintf(labels[n], TICK_LABEL_MAX, "%s",
				a->categories[n]);
		}
		return n;
	}
	if (a->integer_ticks) {
		int first = (int)ceil(a->min), last = (int)floor(a->max);
		int every = (last - first) / 20 + 1;
		for (int v = first; v <= last && n < RS_CHART_MAX_TICKS;
		     v += every) {
			ticks[n] = v;
			snprintf(labels[n++], TICK_LABEL_MAX, "%d", v);
		}
		return n;
	}
	if (a->log) {
		int lo = (int)floor(log10(a->min) + 1e-9);
		int hi = (int)ceil(log10(a->max) - 1e-9);
		/* Two decades or fewer also get ticks at 2 and 5. */
		int minor = hi - lo <= 2;
		for (int e = lo; e <= hi; e++) {
			static const double mantissas[] = { 1.0, 2.0, 5.0 };
			for (int m = 0; m < (minor ? 3 : 1); m++) {
				double v = mantissas[m] * pow(10.0, e);
				if (v < a->min * (1 - 1e-9))
					continue;
				if (v > a->max * (1 + 1e-9)
				    || n >= RS_CHART_MAX_TICKS)
					break;
				ticks[n] = v;
				if (e >= -2 && e <= 3)
					snprintf(labels[n++], TICK_LABEL_MAX,
						"%g", v);
				else
					snprintf(labels[n++], TICK_LABEL_MAX,
						"%.0fe%d",
						mantissas[m], e);
			}
		}
		return n;
	}
	double step = linear_step(a);
	int decimals = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
	for (double v = ceil(a->min / step - 1e-9) * step;
	     v <= a->max + step * 1e-9 && n < RS_CHART_MAX_TICKS; v += step) {
		ticks[n] = fabs(v) < step * 1e-9 ? 0.0 : v;
		snprintf(labels[n], TICK_LABEL_MAX, "%.*f", decimals, ticks[n]);
		n++;
	}
	return n;
}

void rs_chart_axes(const struct rs_chart *c)
{
	FILE *f = c->f;
	double ticks[RS_CHART_MAX_TICKS];
	char labels[RS_CHART_MAX_TICKS][TICK_LABEL_MAX];
	double bottom = c->top + c->plot_height;
	double right = c->left + c->plot_width;
	int n;

	fputs("<g class=\"axis x-axis\">\n", f);
	n = axis_ticks(&c->x, ticks, labels);
	for (int i = 0; i < n; i++) {
		double px = rs_chart_px(c, ticks[i]);
		if (!c->x.integer_ticks && c->x.categories == NULL)
			fprintf(f,
				"<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
				"x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
				px, c->top, px, bottom);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#333333\"/>\n", px, bottom, px,
			bottom + 5.0);
		if (!c->x.no_tick_labels)
			rs_chart_text(f, px, bottom + 20.0, "middle", TICK_SIZE,
				"#333333", labels[i]);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#333333\"/>\n", c->left, bottom, right, bottom);
	if (c->x.label != NULL) {
		fprintf(f, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\" font-weight=\"bold\">",
			c->left + c->plot_width / 2.0, c->height - 12.0);
		rs_xml_escape(f, c->x.label);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);

	fputs("<g class=\"axis y-axis\">\n", f);
	n = axis_ticks(&c->y, ticks, labels);
	for (int i = 0; i < n; i++) {
		double py = rs_chart_py(c, ticks[i]);
		if (c->y.categories == NULL)
			fprintf(f, "<line class=\"grid\" x1=\"%.1f\" "
				"y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#e4e4e4\"/>\n", c->left, py, right,
				py);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#333333\"/>\n", c->left - 5.0, py,
			c->left, py);
		if (!c->y.no_tick_labels)
			rs_chart_text(f, c->left - 8.0, py + 4.0, "end",
				TICK_SIZE, "#333333", labels[i]);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"#333333\"/>\n", c->left, c->top, c->left, bottom);
	if (c->y.label != NULL) {
		fprintf(f, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"start\" font-weight=\"bold\">", 12.0,
			c->top - 12.0);
		rs_xml_escape(f, c->y.label);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
}

void rs_chart_line(const struct rs_chart *c, int n, const double *x,
	const double *y, const char *color, const char *dash)
{
	int open = 0;

	for (int i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i])) {
			if (open)
				fputs("\"/>\n", c->f);
			open = 0;
			continue;
		}
		if (!open) {
			fprintf(c->f, "<polyline fill=\"none\" stroke=\"%s\" "
				"stroke-width=\"2.5\" stroke-linejoin=\"round\"",
				color);
			if (dash != NULL)
				fprintf(c->f, " stroke-dasharray=\"%s\"", dash);
			fputs(" points=\"", c->f);
			open = 1;
		}
		fprintf(c->f, "%.1f,%.1f ", rs_chart_px(c, x[i]),
			rs_chart_py(c, y[i]));
	}
	if (open)
		fputs("\"/>\n", c->f);
}

void rs_chart_band(const struct rs_chart *c, int n, const double *x,
	const double *lo, const double *hi, const char *color)
{
	fprintf(c->f, "<polygon class=\"band\" fill=\"%s\" "
		"fill-opacity=\"0.18\" stroke=\"none\" points=\"", color);
	for (int i = 0; i < n; i++)
		fprintf(c->f, "%.1f,%.1f ", rs_chart_px(c, x[i]),
			rs_chart_py(c, hi[i]));
	for (int i = n - 1; i >= 0; i--)
		fprintf(c->f, "%.1f,%.1f ", rs_chart_px(c, x[i]),
			rs_chart_py(c, lo[i]));
	fputs("\"/>\n", c->f);
}

void rs_chart_marker(const struct rs_chart *c, double x, double y,
	const char *color)
{
	fprintf(c->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\" "
		"stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
		rs_chart_px(c, x), rs_chart_py(c, y), color);
}

void rs_chart_ring(const struct rs_chart *c, double x, double y,
	const char *color)
{
	fprintf(c->f, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" "
		"r=\"9\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\"/>\n",
		rs_chart_px(c, x), rs_chart_py(c, y), color);
}

void rs_chart_whisker(const struct rs_chart *c, double x, double lo,
	double hi, double dx, const char *color)
{
	double px = rs_chart_px(c, x) + dx;
	double y0 = rs_chart_py(c, lo), y1 = rs_chart_py(c, hi);

	fprintf(c->f, "<path class=\"whisker\" fill=\"none\" stroke=\"%s\" "
		"stroke-width=\"1.8\" d=\"M%.1f,%.1f V%.1f M%.1f,%.1f H%.1f "
		"M%.1f,%.1f H%.1f\"/>\n", color, px, y0, y1, px - 4.0, y0,
		px + 4.0, px - 4.0, y1, px + 4.0);
}

void rs_chart_text(FILE *f, double px, double py, const char *anchor,
	int size, const char *color, const char *text)
{
	/* A white outline under each glyph keeps labels legible where they
	 * cross grid lines or curves. */
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" "
		"font-size=\"%d\" fill=\"%s\" stroke=\"#ffffff\" "
		"stroke-width=\"3\" paint-order=\"stroke\">", px, py, anchor,
		size, color);
	rs_xml_escape(f, text);
	fputs("</text>\n", f);
}

double rs_chart_legend(const struct rs_chart *c, int row, int n,
	const char *const *names, const char *const *colors)
{
	double x = c->left, y = 16.0 + LEGEND_ROW_HEIGHT * row;

	fputs("<g class=\"legend\">\n", c->f);
	for (int i = 0; i < n; i++) {
		fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			"height=\"14\" fill=\"%s\"/>\n", x, y, colors[i]);
		rs_chart_text(c->f, x + 20.0, y + 12.0, "start", LABEL_SIZE,
			"#222222", names[i]);
		x += 20.0 + rs_chart_text_width(names[i], LABEL_SIZE) + 24.0;
	}
	fputs("</g>\n", c->f);
	return x;
}

double rs_chart_legend_line(const struct rs_chart *c, int row, double x,
	const char *name, const char *color)
{
	double y = 16.0 + LEGEND_ROW_HEIGHT * row;

	fprintf(c->f, "<g class=\"legend\">\n<line x1=\"%.1f\" y1=\"%.1f\" "
		"x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
		"stroke-dasharray=\"6 4\"/>\n", x, y + 7.0, x + 24.0, y + 7.0,
		color);
	rs_chart_text(c->f, x + 30.0, y + 12.0, "start", LABEL_SIZE, color,
		name);
	fputs("</g>\n", c->f);
	return x + 30.0 + rs_chart_text_width(name, LABEL_SIZE) + 24.0;
}

double rs_chart_legend_symbol(const struct rs_chart *c, int row, double x,
	enum rs_legend_symbol symbol, const char *name, const char *color)
{
	double y = 16.0 + LEGEND_ROW_HEIGHT * row;

	double text_x = x + (symbol == RS_LEGEND_SWATCH ? 20.0 : 30.0);

	fputs("<g class=\"legend\">\n", c->f);
	switch (symbol) {
	case RS_LEGEND_SWATCH:
		fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
			"height=\"14\" fill=\"%s\"/>\n", x, y, color);
		break;
	case RS_LEGEND_BAND:
		fprintf(c->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"24\" "
			"height=\"14\" fill=\"%s\" fill-opacity=\"0.18\"/>\n",
			x, y, color);
		break;
	case RS_LEGEND_WHISKER:
		fprintf(c->f, "<path fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"1.8\" d=\"M%.1f,%.1f V%.1f M%.1f,%.1f "
			"H%.1f M%.1f,%.1f H%.1f\"/>\n", color, x + 12.0, y,
			y + 14.0, x + 8.0, y, x + 16.0, x + 8.0, y + 14.0,
			x + 16.0);
		break;
	case RS_LEGEND_RING:
		fprintf(c->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" "
			"fill=\"%s\"/>\n<circle cx=\"%.1f\" cy=\"%.1f\" "
			"r=\"8\" fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"2.5\"/>\n", x + 12.0, y + 7.0, color,
			x + 12.0, y + 7.0, color);
		break;
	}
	rs_chart_text(c->f, text_x, y + 12.0, "start", LABEL_SIZE,
		"#222222", name);
	fputs("</g>\n", c->f);
	return text_x + rs_chart_text_width(name, LABEL_SIZE) + 24.0;
}

void rs_boxes_add(struct rs_boxes *b, double x0, double y0, double x1,
	double y1)
{
	if (b->n >= RS_CHART_MAX_BOXES)
		return;
	b->x0[b->n] = x0;
	b->y0[b->n] = y0;
	b->x1[b->n] = x1;
	b->y1[b->n] = y1;
	b->n++;
}

/* Area of box (x0, y0, x1, y1) covered by taken boxes. */
static double overlap(const struct rs_boxes *b, double x0, double y0,
	double x1, double y1)
{
	double area = 0.0;

	for (int i = 0; i < b->n; i++) {
		double w = fmin(x1, b->x1[i]) - fmax(x0, b->x0[i]);
		double h = fmin(y1, b->y1[i]) - fmax(y0, b->y0[i]);
		if (w > 0.0 && h > 0.0)
			area += w * h;
	}
	return area;
}

void rs_chart_place(const struct rs_chart *c, struct rs_boxes *b, double px,
	double py, const char *text, int size, double *x, double *y)
{
	double w = rs_chart_text_width(text, size), h = size;
	/* Candidate top-left corners relative to the point, in order of
	 * preference. */
	const double dx[] = { -w / 2, -w / 2, 9, -9 - w, -w / 2, -w / 2, 7,
		7, -7 - w, -7 - w };
	const double dy[] = { -9 - h, 9, -h / 2, -h / 2, -11 - 2 * h,
		11 + h, -7 - h, 7, -7 - h, 7 };
	double best = INFINITY, best_x = px - w / 2, best_y = py - 9 - h;

	for (int i = 0; i < (int)(sizeof dx / sizeof dx[0]); i++) {
		double x0 = px + dx[i], y0 = py + dy[i];
		double cost = overlap(b, x0, y0, x0 + w, y0 + h);

		/* Leaving the plot area is worse than touching a label. */
		if (x0 < c->left - 4 || x0 + w > c->left + c->plot_width + 24
		    || y0 < c->top - 6 || y0 + h > c->top + c->plot_height)
			cost += w * h;
		if (cost < best) {
			best = cost;
			best_x = x0;
			best_y = y0;
		}
		if (cost == 0.0)
			break;
	}
	rs_boxes_add(b, best_x - 1, best_y - 1, best_x + w + 1, best_y + h + 1);
	*x = best_x;
	/* The baseline sits about a fifth of the size above the bottom. */
	*y = best_y + h * 0.82;
}
