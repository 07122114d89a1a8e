/* Inline SVG charts for the HTML report: axes with ticks and labels on
 * linear or log10 scales, lines, uncertainty bands, markers and text.
 *
 * Callers pass data values in the axis's display unit, for example USD
 * already scaled to million USD, and the chart maps them to pixels.
 * Output is well-formed XML, so the page can be checked with an
 * XML parser.  Every chart draws its axes inside <g class="axis x-axis">
 * and <g class="axis y-axis"> and its axis titles as <text
 * class="axis-label">, which the tests look for.
 */
#ifndef RS_CHART_H
#define RS_CHART_H

#include <stdio.h>

#define RS_CHART_MAX_TICKS 64

struct rs_axis {
	double min, max;	/* shown range; both > 0 on a log axis */
	int log;		/* log10 scale */
	int integer_ticks;	/* a tick at every whole number (years) */
	const char *label;	/* axis title, with its unit; NULL: none */
	int no_tick_labels;	/* ticks without labels, for a panel that
				 * shares the categories of the one beside it */
	/* Names of categories at 0, 1, ...: ticks at each, range from -0.5
	 * to n - 0.5.  NULL on a numeric axis. */
	const char *const *categories;
	int n_categories;
};

struct rs_chart {
	FILE *f;
	double width, height;	/* the whole SVG, px */
	double left, top;	/* plot area, px */
	double plot_width, plot_height;
	struct rs_axis x, y;
};

/* Scenario colours, distinguishable in colour-blind vision (Okabe and
 * Ito's palette, less its yellow, which is unreadable on white). */
#define RS_CHART_N_COLORS 8
extern const char *const rs_chart_colors[RS_CHART_N_COLORS];

/* Write s with &, <, >, " and ' escaped for XML text and attributes. */
void rs_xml_escape(FILE *f, const char *s);

/* Set a linear axis to a range that contains [lo, hi] and ends on round
 * ticks, or a log axis to one that ends on 1, 2 or 5 times a power of
 * ten. */
void rs_axis_fit(struct rs_axis *a, double lo, double hi);

/* Open the <svg> element with its title and description (the
 * accessibility name); the plot area leaves margins for tick labels,
 * axis titles and a legend of legend_rows lines above the plot. */
void rs_chart_begin(struct rs_chart *c, FILE *f, const char *id,
	const char *title, const char *description, double width,
	double height, int legend_rows);
void rs_chart_end(struct rs_chart *c);

/* Pixel position of a data value. */
double rs_chart_px(const struct rs_chart *c, double x);
double rs_chart_py(const struct rs_chart *c, double y);

/* Grid lines, both axes with ticks and tick labels, and axis titles. */
void rs_chart_axes(const struct rs_chart *c);

/* A polyline through n points; points with a non-finite coordinate break
 * the line.  dash is an SVG stroke-dasharray, or NULL for a solid line. */
void rs_chart_line(const struct rs_chart *c, int n, const double *x,
	const double *y, const char *color, const char *dash);
/* A filled band between lo and hi over n points (all finite). */
void rs_chart_band(const struct rs_chart *c, int n, const double *x,
	const double *lo, const double *hi, const char *color);
void rs_chart_marker(const struct rs_chart *c, double x, double y,
	const char *color);
/* An open ring around the point (x, y), to single one marker out. */
void rs_chart_ring(const struct rs_chart *c, double x, double y,
	const char *color);
/* An error bar at x from lo to hi with caps, shifted dx pixels sideways
 * so that the bars of several series at one x stay apart. */
void rs_chart_whisker(const struct rs_chart *c, double x, double lo,
	double hi, double dx, const char *color);

/* A text label at pixel position (px, py); anchor is "start", "middle" or
 * "end". */
void rs_chart_text(FILE *f, double px, double py, const char *anchor,
	int size, const char *color, const char *text);

/* Legend entries in a row above the plot: a swatch and a name each.
 * Returns the x where a further entry of the row would start. */
double rs_chart_legend(const struct rs_chart *c, int row, int n,
	const char *const *names, const char *const *colors);

/* Boxes already taken on a chart (labels, markers), in pixels, so that
 * later labels can avoid them. */
#define RS_CHART_MAX_BOXES 512
struct rs_boxes {
	int n;
	double x0[RS_CHART_MAX_BOXES], y0[RS_CHART_MAX_BOXES];
	double x1[RS_CHART_MAX_BOXES], y1[RS_CHART_MAX_BOXES];
};

/* Mark a box as taken; boxes beyond RS_CHART_MAX_BOXES are ignored. */
void rs_boxes_add(struct rs_boxes *b, double x0, double y0, double x1,
	double y1);

/* Place a label of the given text and font size next to the point (px,
 * py).  The candidates are above, below, right, left and further out.
 * The first that overlaps no taken box and stays inside the plot area
 * wins, else the one that overlaps least.  Marks the label's box as taken
 * and returns its text-anchor "start" position in *x and its baseline in
 * *y. */
void rs_chart_place(const struct rs_chart *c, struct rs_boxes *b, double px,
	double py, const char *text, int size, double *x, double *y);

/* A legend entry for a dashed line, at x in a legend row; returns the x
 * where a further entry would start. */
double rs_chart_legend_line(const struct rs_chart *c, int row, double x,
	const char *name, const char *color);

/* Symbols of legend entries other than a plain swatch. */
enum rs_legend_symbol {
	RS_LEGEND_SWATCH,	/* a swatch, as rs_chart_legend draws */
	RS_LEGEND_BAND,		/* a light swatch: a shaded band */
	RS_LEGEND_WHISKER,	/* an error bar with caps */
	RS_LEGEND_RING		/* a marker with a ring around it */
};

/* A legend entry with symbol at x in a legend row; returns the x where a
 * further entry would start. */
double rs_chart_legend_symbol(const struct rs_chart *c, int row, double x,
	enum rs_legend_symbol symbol, const char *name, const char *color);

/* Approximate width in pixels of text at a font size, for layout. */
double rs_chart_text_width(const char *text, int size);

#endif
