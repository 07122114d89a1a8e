/* Checked access to libconfig files: see conf.h for why each check exists. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"

/* Doubles hold integers exactly up to 2^53. */
#define EXACT_DOUBLE_INT_MAX 9007199254740992.0

static char *read_whole_file(const char *path, struct rs_error *err)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (f == NULL)
		return rs_fail(err, "%s: cannot open: %s; check the path", path,
			strerror(errno)), NULL;
	if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		fclose(f);
		return rs_fail(err, "%s: %s; give a configuration file", path,
			S_ISDIR(sb.st_mode) ? "is a directory"
			: "is not a regular file"), NULL;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 16384;
			char *grown = realloc(text, cap);
			if (grown == NULL) {
				free(text);
				fclose(f);
				return rs_fail(err, "%s: out of memory", path), NULL;
			}
			text = grown;
		}
		size_t got = fread(text + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		return rs_fail(err, "%s: read failed; check the file", path), NULL;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		return rs_fail(err, "%s: contains a NUL byte; a configuration "
			"file must be text", path), NULL;
	}
	return text;
}

/* Name the key whose value starts on the same line before literal: the
 * last identifier followed by '=' or ':'.  Writes "" when there is none. */
static void key_before(const char *text, const char *literal, char *key,
	size_t size)
{
	const char *line = literal;

	key[0] = '\0';
	while (line > text && line[-1] != '\n')
		line--;
	for (const char *p = line; p < literal; p++) {
		const char *end, *after;

		if (!(isalpha((unsigned char)*p) || *p == '_')
		    || (p > line && (isalnum((unsigned char)p[-1])
				     || p[-1] == '_')))
			continue;
		for (end = p; isalnum((unsigned char)*end) || *end == '_'; end++)
			;
		for (after = end; *after == ' ' || *after == '\t'; after++)
			;
		if ((*after == '=' || *after == ':') && after < literal)
			snprintf(key, size, "%.*s: ", (int)(end - p), p);
	}
}

/* Reject an integer literal without L that libconfig 1.5 would not read
 * as written: decimal beyond the signed 32-bit range is wrapped, and hex
 * from 0x80000000 up turns negative. */
static int check_literal(const char *text, const char *start,
	const char *end, int hex, const char *path, int line,
	struct rs_error *err)
{
	int negative = 0, digits = (int)(end - start);
	unsigned long long v, limit;
	char literal[64], key[96];
	const char *before = start;

	while (before > text && (before[-1] == ' ' || before[-1] == '\t'))
		before--;
	negative = before > text && before[-1] == '-';
	snprintf(literal, sizeof literal, "%.*s", digits < 60 ? digits : 60,
		start);
	errno = 0;
	v = strtoull(literal, NULL, hex ? 16 : 10);
	limit = hex || !negative ? 2147483647ull : 2147483648ull;
	if (errno != ERANGE && v <= limit)
		return 0;
	key_before(text, start, key, sizeof key);
	if (hex)
		return rs_fail(err, "%s:%d: %shex literal %s exceeds the "
			"signed 32-bit range and libconfig would read it as "
			"a different number; write %sL", path, line, key,
			literal, literal);
	return rs_fail(err, "%s:%d: %sinteger literal %s%s does not fit in "
		"32 bits and libconfig would wrap it; write %s%sL",
		path, line, key, negative ? "-" : "", literal,
		negative ? "-" : "", literal);
}

int rs_conf_check_text(const char *text, const char *path,
	struct rs_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	int line = 1;

	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return rs_fail(err, "%s:1: file starts with a UTF-8 byte-order "
			"mark, which libconfig rejects; save it as UTF-8 "
			"without a BOM", path);

	while (*p) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '\n')
					line++;
			}
			if (*p)
				p++;
		} else if (*p == '#' || (*p == '/' && p[1] == '/')) {
			while (*p && *p != '\n')
				p++;
		} else if (*p == '/' && p[1] == '*') {
			for (p += 2; *p && !(*p == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p)
				p += 2;
		} else if (*p == '@') {
			return rs_fail(err, "%s:%d: @include is not supported, "
				"because recscale cannot check the integers of "
				"an included file; put the settings in this file",
				path, line);
		} else if (isalpha(*p) || *p == '_') {
			while (isalnum(*p) || *p == '_' || *p == '-' || *p == '*')
				p++;
		} else if (isdigit(*p)) {
			const unsigned char *start = p;
			int hex = (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'));

			if (hex)
				p += 2;
			while (hex ? isxdigit(*p) : isdigit(*p))
				p++;
			if (!hex && (*p == '.' || *p == 'e' || *p == 'E')) {
				while (isalnum(*p) || *p == '.' || *p == '+'
				       || *p == '-')
					p++;
				continue;
			}
			if (*p == 'L') {
				p++;
				continue;
			}
			if (check_literal(text, (const char *)start,
					(const char *)p, hex, path, line, err) < 0)
				return -1;
		} else {
			p++;
		}
	}
	return 0;
}

int rs_conf_open(struct rs_conf *conf, const char *path, struct rs_error *err)
{
	char *text, *dir_copy;

	memset(conf, 0, sizeof *conf);
	text = read_whole_file(path, err);
	if (text == NULL)
		return -1;
	if (rs_conf_check_text(text, path, err) < 0) {
		free(text);
		return -1;
	}

	config_init(&conf->cfg);
	config_set_auto_convert(&conf->cfg, CONFIG_TRUE);
	dir_copy = strdup(path);
	conf->path = strdup(path);
	if (dir_copy == NULL || conf->path == NULL) {
		free(dir_copy);
		free(text);
		rs_conf_close(conf);
		return rs_fail(err, "%s: out of memory", path);
	}
	config_set_include_dir(&conf->cfg, dirname(dir_copy));
	free(dir_copy);

	if (config_read_string(&conf->cfg, text) != CONFIG_TRUE) {
		const char *file = config_error_file(&conf->cfg);
		rs_fail(err, "%s:%d: %s; write settings as `key = value;` "
			"(libconfig syntax)",
			file ? file : path, config_error_line(&conf->cfg),
			config_error_text(&conf->cfg));
		free(text);
		rs_conf_close(conf);
		return -1;
	}
	free(text);
	return 0;
}

void rs_conf_close(struct rs_conf *conf)
{
	if (conf->path != NULL)
		config_destroy(&conf->cfg);
	free(conf->path);
	conf->path = NULL;
}

const config_setting_t *rs_conf_root(const struct rs_conf *conf)
{
	return config_root_setting(&conf->cfg);
}

int rs_conf_has(const config_setting_t *group, const char *key)
{
	return config_setting_get_member(group, key) != NULL;
}

/* Write the path of setting ("workload.tables[2].rows") into buf. */
static void setting_path(const config_setting_t *s, char *buf, size_t size)
{
	char part[128];
	const config_setting_t *parent;

	if (s == NULL || config_setting_is_root(s)) {
		snprintf(buf, size, "(top level)");
		return;
	}
	parent = config_setting_parent(s);
	if (parent != NULL && !config_setting_is_root(parent))
		setting_path(parent, buf, size);
	else
		buf[0] = '\0';
	if (config_setting_name(s) != NULL)
		snprintf(part, sizeof part, "%s%s", buf[0] ? "." : "",
			config_setting_name(s));
	else
		snprintf(part, sizeof part, "[%d]", config_setting_index(s));
	strncat(buf, part, size - strlen(buf) - 1);
}

int rs_conf_fail(const struct rs_conf *conf, const config_setting_t *setting,
	const config_setting_t *group, const char *key, struct rs_error *err,
	const char *fmt, ...)
{
	char where[512], problem[640];
	const char *file = conf->path;
	const config_setting_t *at = setting ? setting : group;
	int line = at ? config_setting_source_line(at) : 0;
	va_list ap;

	if (at != NULL && config_setting_source_file(at) != NULL)
		file = config_setting_source_file(at);
	if (setting != NULL) {
		setting_path(setting, where, sizeof where);
	} else {
		char parent[400];
		setting_path(group, parent, sizeof parent);
		if (group == NULL || config_setting_is_root(group))
			snprintf(where, sizeof where, "%s", key);
		else
			snprintf(where, sizeof where, "%s.%s", parent, key);
	}
	va_start(ap, fmt);
	vsnprintf(problem, sizeof problem, fmt, ap);
	va_end(ap);
	if (line > 0)
		return rs_fail(err, "%s:%d: %s: %s", file, line, where, problem);
	return rs_fail(err, "%s: %s: %s", file, where, problem);
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "an unknown value";
	}
}

static const config_setting_t *member(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, const char *expect,
	struct rs_error *err)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		rs_conf_fail(conf, NULL, group, key, err, "missing; add `%s = "
			"%s;`", key, expect);
	return s;
}

const config_setting_t *rs_conf_group(const struct rs_conf *conf,
	const config_setting_t *parent, const char *key, struct rs_error *err)
{
	const config_setting_t *s = member(conf, parent, key, "{ ... }",
		err);

	if (s != NULL && !config_setting_is_group(s)) {
		rs_conf_fail(conf, s, NULL, NULL, err, "expected a group "
			"`{ ... }`, found %s", type_name(s));
		return NULL;
	}
	return s;
}

const config_setting_t *rs_conf_list(const struct rs_conf *conf,
	const config_setting_t *parent, const char *key, struct rs_error *err)
{
	const config_setting_t *s = member(conf, parent, key, "( ... )",
		err);

	if (s == NULL)
		return NULL;
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		rs_conf_fail(conf, s, NULL, NULL, err, "expected a list `( ... )` "
			"or array `[ ... ]`, found %s", type_name(s));
		return NULL;
	}
	if (config_setting_length(s) == 0) {
		rs_conf_fail(conf, s, NULL, NULL, err, "is empty; give at least "
			"one element");
		return NULL;
	}
	return s;
}

int rs_conf_check_keys(const struct rs_conf *conf,
	const config_setting_t *group, const char *const *allowed,
	struct rs_error *err)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group,
			(unsigned)i);
		const char *name = config_setting_name(s);
		int known = 0;

		for (const char *const *a = allowed; *a && !known; a++) {
			size_t len = strlen(*a);
			known = strcmp(name, *a) == 0
				|| (strncmp(name, *a, len) == 0
				    && strcmp(name + len, "_source") == 0);
		}
		if (!known)
			return rs_conf_fail(conf, s, NULL, NULL, err, "unknown "
				"key; check its spelling (the man page lists "
				"the keys of each file)");
	}
	return 0;
}

int rs_conf_string(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, const char **out, struct rs_error *err)
{
	const config_setting_t *s = member(conf, group, key, "\"...\"", err);

	if (s == NULL)
		return -1;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return rs_conf_fail(conf, s, NULL, NULL, err, "expected a string "
			"in double quotes, found %s", type_name(s));
	*out = config_setting_get_string(s);
	return 0;
}

int rs_conf_dup_string(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, char **out,
	struct rs_error *err)
{
	const char *s;

	if (rs_conf_string(conf, group, key, &s, err) < 0)
		return -1;
	*out = strdup(s);
	return *out ? 0 : rs_fail(err, "out of memory");
}

/* Read setting s as a double, checking type, finiteness and range. */
static int number_value(const struct rs_conf *conf,
	const config_setting_t *s, double min, double max, double *out,
	struct rs_error *err)
{
	double v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_STRING:
		return rs_conf_fail(conf, s, NULL, NULL, err, "expected a "
			"number, found the string \"%s\"; write the number "
			"without quotes", config_setting_get_string(s));
	default:
		return rs_conf_fail(conf, s, NULL, NULL, err, "expected a "
			"number, found %s", type_name(s));
	}
	if (!isfinite(v))
		return rs_conf_fail(conf, s, NULL, NULL, err, "value is not "
			"finite (a literal beyond the range of a double, such "
			"as 1e400, reads as infinity); give a finite number");
	if (v < min && min > 0.0 && min < 1e-300)
		return rs_conf_fail(conf, s, NULL, NULL, err, "value %g is not "
			"positive; give a value above 0", v);
	if (v < min)
		return rs_conf_fail(conf, s, NULL, NULL, err, "value %g is %s; "
			"give a value of at least %g", v,
			v < 0 ? "negative" : "too small", min);
	if (v > max)
		return rs_conf_fail(conf, s, NULL, NULL, err, "value %g is too "
			"large; give a value of at most %g", v, max);
	*out = v;
	return 0;
}

int rs_conf_double(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, double min, double max, double *out,
	struct rs_error *err)
{
	const config_setting_t *s = member(conf, group, key, "<number>", err);

	return s ? number_value(conf, s, min, max, out, err) : -1;
}

int rs_conf_double_opt(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, double min, double max,
	double *out, struct rs_error *err)
{
	if (!rs_conf_has(group, key))
		return 0;
	return rs_conf_double(conf, group, key, min, max, out, err);
}

static int count_value(const struct rs_conf *conf, const config_setting_t *s,
	int64_t min, int64_t max, int64_t *out, struct rs_error *err)
{
	int64_t v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT: {
		double d = config_setting_get_float(s);
		if (!isfinite(d) || d != floor(d) || fabs(d) > EXACT_DOUBLE_INT_MAX)
			return rs_conf_fail(conf, s, NULL, NULL, err, "value %g "
				"is not a whole number; give a whole number",
				d);
		v = (int64_t)d;
		break;
	}
	case CONFIG_TYPE_STRING:
		return rs_conf_fail(conf, s, NULL, NULL, err, "expected an "
			"integer, found the string \"%s\"; write the number "
			"without quotes", config_setting_get_string(s));
	default:
		return rs_conf_fail(conf, s, NULL, NULL, err, "expected an "
			"integer, found %s", type_name(s));
	}
	if (v < min)
		return rs_conf_fail(conf, s, NULL, NULL, err, "value %" PRId64
			" is %s; give a value of at least %" PRId64, v,
			v < 0 ? "negative" : "too small", min);
	if (v > max)
		return rs_conf_fail(conf, s, NULL, NULL, err, "value %" PRId64
			" is too large; give a value of at most %" PRId64, v, max);
	*out = v;
	return 0;
}

int rs_conf_count(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, int64_t min, int64_t max, int64_t *out,
	struct rs_error *err)
{
	const config_setting_t *s = member(conf, group, key, "<integer>", err);

	return s ? count_value(conf, s, min, max, out, err) : -1;
}

int rs_conf_count_opt(const struct rs_conf *conf,
	const config_setting_t *group, const char *key, int64_t min,
	int64_t max, int64_t *out, struct rs_error *err)
{
	if (!rs_conf_has(group, key))
		return 0;
	return rs_conf_count(conf, group, key, min, max, out, err);
}

int rs_conf_count_elem(const struct rs_conf *conf,
	const config_setting_t *list, int i, int64_t min, int64_t max,
	int64_t *out, struct rs_error *err)
{
	const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);

	return count_value(conf, s, min, max, out, err);
}

int rs_conf_sourced(const struct rs_conf *conf, const config_setting_t *group,
	const char *key, double min, double max, struct rs_sourced *out,
	struct rs_error *err)
{
	char source_key[128];
	const char *source;

	if (rs_conf_double(conf, group, key, min, max, &out->value, err) < 0)
		return -1;
	snprintf(source_key, sizeof source_key, "%s_source", key);
	if (!rs_conf_has(group, source_key))
		return rs_conf_fail(conf, config_setting_get_member(group, key),
			NULL, NULL, err, "has no source; add `%s = \"...\";` "
			"naming where the value comes from, or starting with "
			"\"assumption:\"", source_key);
	if (rs_conf_string(conf, group, source_key, &source, err) < 0)
		return -1;
	if (source[0] == '\0')
		return rs_conf_fail(conf, config_setting_get_member(group,
			source_key), NULL, NULL, err, "is empty; name where the "
			"value comes from, or start with \"assumption:\"");
	out->source = strdup(source);
	if (out->source == NULL)
		return rs_fail(err, "out of memory");
	return 0;
}

void rs_sourced_free(struct rs_sourced *value)
{
	free(value->source);
	value->source = NULL;
}
