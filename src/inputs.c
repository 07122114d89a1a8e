/* The inputs behind a plan with their sources; see inputs.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inputs.h"

/* A scenario file split into lines, for reading its comments. */
struct lines {
	char *text;
	int n;
	char **line;		/* line[i] is line i + 1 */
};

const char *rs_input_kind_name(enum rs_input_kind kind)
{
	switch (kind) {
	case RS_INPUT_SOURCED: return "sourced";
	case RS_INPUT_ASSUMPTION: return "assumption";
	case RS_INPUT_UNSTATED: return "no source given";
	}
	return "";
}

static char *format_string(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *format_string(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* A number as a planner reads it: "262144", "0.125", "4e10". */
static void format_number(char *buf, size_t size, double v)
{
	char *e;

	if (v == floor(v) && fabs(v) < 1e7) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	if (fabs(v) >= 1e6 || (v != 0.0 && fabs(v) < 1e-3))
		snprintf(buf, size, "%.4g", v);
	else
		snprintf(buf, size, "%.6g", v);
	/* "4e+10" and "1e-05" read better as "4e10" and "1e-5". */
	e = strchr(buf, 'e');
	if (e != NULL) {
		char *digits = e + 1, *out = e + 1;
		if (*digits == '+')
			digits++;
		else if (*digits == '-')
			*out++ = *digits++;
		while (*digits == '0' && digits[1] != '\0')
			digits++;
		memmove(out, digits, strlen(digits) + 1);
	}
}

static int add_group(struct rs_inputs *in, const char *title,
	const char *path, const char *note)
{
	struct rs_input_group *g;

	g = realloc(in->groups, (size_t)(in->n_groups + 1) * sizeof *g);
	if (g == NULL)
		return -1;
	in->groups = g;
	g = &in->groups[in->n_groups];
	g->title = strdup(title);
	g->path = strdup(path);
	g->note = note != NULL ? strdup(note) : NULL;
	in->n_groups++;
	if (g->title == NULL || g->path == NULL
	    || (note != NULL && g->note == NULL))
		return -1;
	return in->n_groups - 1;
}

static int find_group(const struct rs_inputs *in, const char *title,
	const char *path)
{
	for (int i = 0; i < in->n_groups; i++)
		if (strcmp(in->groups[i].title, title) == 0
		    && strcmp(in->groups[i].path, path) == 0)
			return i;
	return -1;
}

/* Append one input; strings are copied. */
static int add_input(struct rs_inputs *in, int group, const char *key,
	const char *value, const char *unit, const char *source,
	enum rs_input_kind kind, int numeric)
{
	struct rs_input *items, *it;

	items = realloc(in->items, (size_t)(in->n + 1) * sizeof *items);
	if (items == NULL)
		return -1;
	in->items = items;
	it = &in->items[in->n++];
	it->group = group;
	it->key = strdup(key);
	it->value = strdup(value);
	it->unit = strdup(unit);
	it->source = strdup(source);
	it->kind = kind;
	it->numeric = numeric;
	if (it->key == NULL || it->value == NULL || it->unit == NULL
	    || it->source == NULL)
		return -1;
	return 0;
}

static int add_sourced(struct rs_inputs *in, int group, const char *key,
	const struct rs_sourced *v, const char *unit)
{
	char value[64];

	format_number(value, sizeof value, v->value);
	return add_input(in, group, key, value, unit,
		v->source != NULL ? v->source : "no source given",
		v->source == NULL ? RS_INPUT_UNSTATED
		: rs_source_is_assumption(v->source) ? RS_INPUT_ASSUMPTION
		: RS_INPUT_SOURCED, 1);
}

/* The unit a scenario key's name implies, from its suffix; "" when the
 * name carries none. */
static const char *unit_of_key(const char *key)
{
	static const struct { const char *suffix, *unit; } units[] = {
		{ "_bytes_per_s", "bytes/s" },
		{ "bytes_per_sample", "bytes/sample" },
		{ "_bytes", "bytes" },
		{ "samples_per_day", "samples/day" },
		{ "_samples", "samples" },
		{ "_days", "days" },
		{ "_frac", "fraction" },
		{ "usd_per_pb_month", "USD per PB-month" },
		{ "usd_per_kwh", "USD/kWh" },
		{ "_usd_per_year", "USD/year" },
		{ "_years", "years" },
		{ "_year", "year" },
		{ "pue", "ratio" },
		{ "epochs", "passes over D" },
		{ "pooling", "lookups/sample" },
		{ "rows", "rows" },
	};
	const char *last = strrchr(key, '.');
	size_t len;

	last = last != NULL ? last + 1 : key;
	len = strlen(last);
	if (strncmp(key, "growth", 6) == 0 && strstr(last, "year") == NULL)
		return "factor/year";
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].suffix);
		if (len >= n && strcmp(last + len - n, units[i].suffix) == 0)
			return units[i].unit;
	}
	return "";
}

static int read_lines(const char *path, struct lines *tl,
	struct rs_error *err)
{
	FILE *f = fopen(path, "rb");
	long size;
	char *p;

	memset(tl, 0, sizeof *tl);
	if (f == NULL)
		return rs_fail(err, "%s: cannot read: the scenario file "
			"changed while the report was written", path);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0
	    || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return rs_fail(err, "%s: cannot read", path);
	}
	tl->text = malloc((size_t)size + 1);
	tl->line = malloc(((size_t)size + 2) * sizeof *tl->line);
	if (tl->text == NULL || tl->line == NULL) {
		fclose(f);
		return rs_fail(err, "out of memory");
	}
	if (fread(tl->text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return rs_fail(err, "%s: cannot read", path);
	}
	fclose(f);
	tl->text[size] = '\0';
	p = tl->text;
	tl->line[tl->n++] = p;
	for (; *p; p++)
		if (*p == '\n') {
			*p = '\0';
			tl->line[tl->n++] = p + 1;
		}
	return 0;
}

/* The comment text after '#' or "//" outside a string, trimmed, or
 * NULL. */
static const char *trailing_comment(const char *line)
{
	int in_string = 0;

	for (const char *p = line; *p; p++) {
		if (in_string) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				in_string = 0;
			continue;
		}
		if (*p == '"')
			in_string = 1;
		else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += *p == '#' ? 1 : 2;
			while (*p == '#' || *p == ' ' || *p == '\t')
				p++;
			return *p ? p : NULL;
		}
	}
	return NULL;
}

static int is_comment_line(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '#' || (line[0] == '/' && line[1] == '/');
}

/* Append text to *buf, separated by a space. */
static int append(char **buf, const char *text)
{
	size_t old = *buf != NULL ? strlen(*buf) : 0;
	size_t len = strlen(text);
	char *s = realloc(*buf, old + len + 2);

	if (s == NULL)
		return -1;
	if (old > 0)
		s[old++] = ' ';
	memcpy(s + old, text, len + 1);
	*buf = s;
	return 0;
}

/* The comment on line n (1-based) or in the comment lines directly above
 * it, as "line N: text"; NULL when there is none or memory ran out. */
static char *comment_of(const struct lines *tl, int n)
{
	const char *trail;
	char *text = NULL, *out;
	int first;

	if (n < 1 || n > tl->n)
		return NULL;
	trail = trailing_comment(tl->line[n - 1]);
	if (trail != NULL)
		return format_string("line %d: %s", n, trail);
	for (first = n - 1; first >= 1 && is_comment_line(tl->line[first - 1]);
	     first--)
		;
	for (int i = first + 1; i < n; i++) {
		const char *c = trailing_comment(tl->line[i - 1]);
		if (c != NULL && append(&text, c) < 0) {
			free(text);
			return NULL;
		}
	}
	if (text == NULL)
		return NULL;
	out = format_string("line %d: %s", n, text);
	free(text);
	return out;
}

static int mentions_assumption(const char *source)
{
	for (const char *p = source; *p; p++)
		if (strncasecmp(p, "assumption", 10) == 0)
			return 1;
	return 0;
}

/* The value of a scalar setting as text; sets *numeric. */
static void scalar_text(const config_setting_t *s, char *buf, size_t size,
	int *numeric)
{
	*numeric = 1;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		format_number(buf, size, config_setting_get_int(s));
		break;
	case CONFIG_TYPE_INT64:
		format_number(buf, size,
			(double)config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		format_number(buf, size, config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		*numeric = 0;
		snprintf(buf, size, "%s",
			config_setting_get_bool(s) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		*numeric = 0;
		snprintf(buf, size, "%s", config_setting_get_string(s));
		break;
	default:
		*numeric = 0;
		snprintf(buf, size, "?");
	}
}

static int is_scalar(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t != CONFIG_TYPE_GROUP && t != CONFIG_TYPE_LIST
		&& t != CONFIG_TYPE_ARRAY;
}

/* A list or array of scalars as "[a, b, c]" in buf; returns -1 for a
 * group or when an element is not a scalar.  A list too long for buf
 * ends in "...". */
static int vector_text(const config_setting_t *s, char *buf, size_t size,
	int *numeric)
{
	int n = config_setting_length(s);
	size_t len = 1;

	*numeric = 1;
	if (config_setting_type(s) == CONFIG_TYPE_GROUP)
		return -1;
	for (int i = 0; i < n; i++)
		if (!is_scalar(config_setting_get_elem(s, (unsigned)i)))
			return -1;
	snprintf(buf, size, "[");
	for (int i = 0; i < n; i++) {
		char item[64];
		int item_numeric;

		scalar_text(config_setting_get_elem(s, (unsigned)i), item,
			sizeof item, &item_numeric);
		*numeric &= item_numeric;
		if (len + strlen(item) + 8 >= size) {
			snprintf(buf + len, size - len, ", ...");
			len = strlen(buf);
			break;
		}
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
			i > 0 ? ", " : "", item);
	}
	snprintf(buf + len, size - len, "]");
	return 0;
}

static int add_setting(struct rs_inputs *in, int group,
	const struct lines *tl, const config_setting_t *s, const char *key,
	const char *inherited);

/* Each member of a group or each element of a list of groups. */
static int add_members(struct rs_inputs *in, int group,
	const struct lines *tl, const config_setting_t *s, const char *prefix,
	const char *inherited)
{
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s,
			(unsigned)i);
		const char *name = config_setting_name(m);
		char key[256];
		int rc;

		if (name != NULL && strlen(name) > 7
		    && strcmp(name + strlen(name) - 7, "_source") == 0)
			continue;
		if (name == NULL)
			snprintf(key, sizeof key, "%s[%d]", prefix, i);
		else if (prefix[0] != '\0')
			snprintf(key, sizeof key, "%s.%s", prefix, name);
		else
			snprintf(key, sizeof key, "%s", name);
		rc = add_setting(in, group, tl, m, key, inherited);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int add_setting(struct rs_inputs *in, int group,
	const struct lines *tl, const config_setting_t *s, const char *key,
	const char *inherited)
{
	char *comment = comment_of(tl, config_setting_source_line(s));
	const char *source = comment != NULL ? comment : inherited;
	char value[512];
	enum rs_input_kind kind;
	int numeric, rc;

	if (is_scalar(s)) {
		scalar_text(s, value, sizeof value, &numeric);
	} else if (vector_text(s, value, sizeof value, &numeric) < 0) {
		/* A group, or a list of groups: one input per member. */
		rc = add_members(in, group, tl, s, key, source);
		free(comment);
		return rc;
	}
	kind = source == NULL ? RS_INPUT_UNSTATED
		: mentions_assumption(source) ? RS_INPUT_ASSUMPTION
		: RS_INPUT_SOURCED;
	rc = add_input(in, group, key, value, unit_of_key(key),
		source != NULL ? source : "no comment in the scenario file",
		kind, numeric);
	free(comment);
	return rc;
}

static int add_scenario_file(struct rs_inputs *in,
	const struct rs_scenario *sc, struct rs_error *err)
{
	struct rs_conf conf;
	struct lines tl;
	char *title;
	int group, rc;

	title = format_string("scenario %s", sc->name);
	if (title == NULL)
		return rs_fail(err, "out of memory");
	group = find_group(in, title, sc->path);
	if (group >= 0) {
		free(title);
		return 0;
	}
	if (read_lines(sc->path, &tl, err) < 0) {
		free(title);
		free(tl.text);
		free(tl.line);
		return -1;
	}
	if (rs_conf_open(&conf, sc->path, err) < 0) {
		free(title);
		free(tl.text);
		free(tl.line);
		return -1;
	}
	group = add_group(in, title, sc->path, sc->description);
	rc = group < 0 ? -1 : add_members(in, group, &tl,
		rs_conf_root(&conf), "", NULL);
	rs_conf_close(&conf);
	free(title);
	free(tl.text);
	free(tl.line);
	if (rc < 0)
		return rs_fail(err, "out of memory");
	return 0;
}

static int add_law(struct rs_inputs *in, const struct rs_scenario *sc)
{
	const struct rs_law *law = &sc->law;
	const struct rs_scheme_law *s = &law->schemes[sc->law_scheme];
	const struct rs_term *terms[RS_N_TERMS] = {
		&s->data, &s->params, &s->compute
	};
	char *title = format_string("law %s, scheme %s", law->name, s->name);
	char *note, count[32];
	int group;

	if (title == NULL)
		return -1;
	if (find_group(in, title, law->path) >= 0) {
		free(title);
		return 0;
	}
	note = format_string("%s%s%s", law->source != NULL ? law->source : "",
		s->fit_note != NULL ? "; fitted: " : "",
		s->fit_note != NULL ? s->fit_note : "");
	group = note != NULL ? add_group(in, title, law->path, note) : -1;
	free(title);
	free(note);
	if (group < 0)
		return -1;

	if (add_input(in, group, "params_resource", s->params_resource, "",
			"law file", RS_INPUT_SOURCED, 0) < 0
	    || add_sourced(in, group, "gamma", &s->gamma, "NE") < 0)
		return -1;
	for (int k = 0; k < RS_N_TERMS; k++) {
		const struct rs_term *t = terms[k];
		static const char *const fields[] = {
			"coefficient", "exponent", "ref", "x0", "break_x",
			"exponent_above", "fit_min", "fit_max"
		};
		const struct rs_sourced *values[] = {
			&t->coefficient, &t->exponent, &t->ref, &t->x0,
			&t->break_x, &t->exponent_above, &t->fit_min,
			&t->fit_max
		};
		const char *units[] = {
			"NE at ref", "", t->unit, t->unit, t->unit, "",
			t->unit, t->unit
		};

		if (!t->present)
			continue;
		for (int i = 0; i < (int)(sizeof fields / sizeof fields[0]);
		     i++) {
			char key[64];
			/* Optional fields a law file leaves out have no
			 * source and are not inputs. */
			if (i >= 3 && values[i]->source == NULL)
				continue;
			snprintf(key, sizeof key, "%s.%s", rs_term_names[k],
				fields[i]);
			if (add_sourced(in, group, key, values[i],
					units[i] != NULL ? units[i] : "") < 0)
				return -1;
		}
	}
	if (s->n_samples > 0) {
		snprintf(count, sizeof count, "%d", s->n_samples);
		if (add_input(in, group, "samples", count, "bootstrap "
				"replicates", "law file", RS_INPUT_SOURCED,
				1) < 0)
			return -1;
	}
	return 0;
}

static int add_hardware(struct rs_inputs *in, const struct rs_hwprofile *hw)
{
	char *title = format_string("hardware %s", hw->name);
	int group;

	if (title == NULL)
		return -1;
	if (find_group(in, title, hw->path) >= 0) {
		free(title);
		return 0;
	}
	group = add_group(in, title, hw->path, hw->device);
	free(title);
	if (group < 0)
		return -1;
	for (int i = 0; i < rs_hw_n_fields; i++)
		if (add_sourced(in, group, rs_hw_fields[i].key,
				rs_hw_value(hw, &rs_hw_fields[i]),
				rs_hw_fields[i].unit) < 0)
			return -1;
	if (hw->gather_curve.n_footprints > 0) {
		const struct rs_gather_curve *c = &hw->gather_curve;
		char value[256];

		snprintf(value, sizeof value, "%d x %d points: footprints "
			"%.4g to %.4g bytes, rows %.0f to %.0f bytes; device "
			"gathers use it in place of gather_efficiency_frac and "
			"gather_row_overhead_bytes",
			c->n_footprints, c->n_row_sizes, c->footprint_bytes[0],
			c->footprint_bytes[c->n_footprints - 1],
			c->row_bytes[0], c->row_bytes[c->n_row_sizes - 1]);
		if (add_input(in, group, "gather_efficiency_curve", value, "",
				c->source, rs_source_is_assumption(c->source)
				? RS_INPUT_ASSUMPTION : RS_INPUT_SOURCED, 0) < 0)
			return -1;
	}
	return 0;
}

int rs_inputs_add_scenario(struct rs_inputs *in, const struct rs_scenario *sc,
	struct rs_error *err)
{
	if (add_scenario_file(in, sc, err) < 0)
		return -1;
	if (add_law(in, sc) < 0)
		return rs_fail(err, "out of memory");
	for (int i = 0; i < sc->n_hardware; i++)
		if (add_hardware(in, &sc->hardware[i]) < 0)
			return rs_fail(err, "out of memory");
	return 0;
}

void rs_inputs_free(struct rs_inputs *in)
{
	for (int i = 0; i < in->n_groups; i++) {
		free(in->groups[i].title);
		free(in->groups[i].path);
		free(in->groups[i].note);
	}
	for (int i = 0; i < in->n; i++) {
		free(in->items[i].key);
		free(in->items[i].value);
		free(in->items[i].unit);
		free(in->items[i].source);
	}
	free(in->groups);
	free(in->items);
	memset(in, 0, sizeof *in);
}
