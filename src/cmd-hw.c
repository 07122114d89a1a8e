/* recscale hw: list the hardware profiles on the search path, or show one
 * profile with every value, its unit and its source. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hwprofile.h"
#include "output.h"
#include "searchpath.h"

static void hw_usage(FILE *f)
{
	fputs("Usage: recscale hw list [--format text|csv|json]\n"
		"       recscale hw show NAME [--format text|json]\n\n"
		"list: the profiles found in hwprofiles/ under the current "
		"directory, each\n      folder of RECSCALE_PATH and the "
		"installed copy; a name found twice\n      is taken from the "
		"first folder.\n"
		"show: one profile (a name or a path) with every value, its "
		"unit and its\n      source; values whose source starts with "
		"\"assumption\" are marked.\n\n"
		"Options:\n"
		"  --format FORMAT  text (default), csv (list only) or json\n"
		"  -h, --help       show this help and exit\n", f);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect profile names in search-path order; the first folder that has a
 * name wins. */
static int collect(char ***names_out, char ***paths_out)
{
	char roots[RS_MAX_ROOTS][RS_PATH_MAX];
	int n_roots = rs_search_roots(roots, RS_MAX_ROOTS), n = 0, cap = 0;
	char **names = NULL, **paths = NULL;

	for (int r = 0; r < n_roots; r++) {
		char dir_path[RS_PATH_MAX + 16];
		DIR *dir;
		struct dirent *e;

		snprintf(dir_path, sizeof dir_path, "%.4000s/hwprofiles", roots[r]);
		dir = opendir(dir_path);
		if (dir == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			size_t len = strlen(e->d_name);
			int seen = 0;

			if (len <= 4 || strcmp(e->d_name + len - 4, ".cfg") != 0)
				continue;
			for (int i = 0; i < n && !seen; i++)
				seen = strncmp(names[i], e->d_name, len - 4) == 0
					&& names[i][len - 4] == '\0';
			if (seen)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				names = realloc(names, (size_t)cap * sizeof *names);
				paths = realloc(paths, (size_t)cap * sizeof *paths);
				if (names == NULL || paths == NULL)
					abort();
			}
			names[n] = strndup(e->d_name, len - 4);
			paths[n] = malloc(strlen(dir_path) + len + 2);
			if (names[n] == NULL || paths[n] == NULL)
				abort();
			sprintf(paths[n], "%s/%s", dir_path, e->d_name);
			n++;
		}
		closedir(dir);
	}
	/* Sort (name, path) pairs by name. */
	char **pairs = malloc((size_t)(n ? n : 1) * 2 * sizeof *pairs);
	if (pairs == NULL)
		abort();
	for (int i = 0; i < n; i++) {
		pairs[2 * i] = names[i];
		pairs[2 * i + 1] = paths[i];
	}
	qsort(pairs, (size_t)n, 2 * sizeof *pairs, compare_names);
	for (int i = 0; i < n; i++) {
		names[i] = pairs[2 * i];
		paths[i] = pairs[2 * i + 1];
	}
	free(pairs);
	*names_out = names;
	*paths_out = paths;
	return n;
}

static int hw_list(enum rs_format format)
{
	char **names, **paths;
	int n = collect(&names, &paths), failed = 0;

	if (format == RS_FORMAT_JSON)
		fputs("{\n  \"profiles\": [\n", stdout);
	else if (format == RS_FORMAT_CSV)
		fputs("name,device,n_devices,year_available,path\n", stdout);
	else
		printf("%-16s %-34s %-5s %-5s %s\n", "name", "device", "n",
			"year", "path");
	for (int i = 0; i < n; i++) {
		struct rs_hwprofile hw;
		struct rs_error err;

		if (rs_hw_load(paths[i], &hw, &err) < 0) {
			rs_cmd_fail(&err);
			failed = 1;
			continue;
		}
		if (format == RS_FORMAT_JSON) {
			fputs("    { \"name\": ", stdout);
			rs_json_string(stdout, hw.name);
			fputs(", \"device\": ", stdout);
			rs_json_string(stdout, hw.device);
			printf(", \"n_devices\": %.0f, \"year_available\": %.0f, "
				"\"path\": ", hw.n_devices.value,
				hw.year_available.value);
			rs_json_string(stdout, hw.path);
			fputs(i + 1 < n ? " },\n" : " }\n", stdout);
		} else if (format == RS_FORMAT_CSV) {
			printf("%s,\"%s\",%.0f,%.0f,%s\n", hw.name, hw.device,
				hw.n_devices.value, hw.year_available.value,
				hw.path);
		} else {
			printf("%-16s %-34s %-5.0f %-5.0f %s\n", hw.name,
				hw.device, hw.n_devices.value,
				hw.year_available.value, hw.path);
		}
		rs_hw_free(&hw);
	}
	if (format == RS_FORMAT_JSON)
		fputs("  ]\n}\n", stdout);
	for (int i = 0; i < n; i++) {
		free(names[i]);
		free(paths[i]);
	}
	free(names);
	free(paths);
	return failed ? RS_EXIT_FAIL : RS_EXIT_OK;
}

static void show_curve_json(const struct rs_gather_curve *c)
{
	fputs(",\n  \"gather_efficiency_curve\": {\n    \"source\": ", stdout);
	rs_json_string(stdout, c->source);
	fputs(",\n    \"points\": [", stdout);
	for (int a = 0; a < c->n_footprints; a++)
		for (int b = 0; b < c->n_row_sizes; b++) {
			fputs(a + b > 0 ? ",\n      " : "\n      ", stdout);
			fputs("{ \"footprint_bytes\": ", stdout);
			rs_json_number(stdout, c->footprint_bytes[a]);
			fputs(", \"row_bytes\": ", stdout);
			rs_json_number(stdout, c->row_bytes[b]);
			fputs(", \"efficiency\": ", stdout);
			rs_json_number(stdout, c->efficiency[a][b]);
			fputs(" }", stdout);
		}
	fputs("\n    ]\n  }", stdout);
}

/* bytes in binary units with four significant digits: "1 MiB",
 * "3.5 GiB", "1000 B". */
static void format_bytes(char *buf, size_t size, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
		"PiB", "EiB" };
	int u = 0;

	while (bytes >= 1024.0 && u < 6) {
		bytes /= 1024.0;
		u++;
	}
	snprintf(buf, size, "%.4g %s", bytes, units[u]);
}

/* The curve as a table: one line per footprint, one column per row
 * size. */
static void show_curve_text(const struct rs_gather_curve *c)
{
	printf("\ngather_efficiency_curve: gathered bytes/s over "
		"device_memory_bw_bytes_per_s,\nby embedding state per device "
		"(rows) and row size (columns).  Device gathers\nuse it in "
		"place of gather_efficiency_frac and "
		"gather_row_overhead_bytes.\n%s\n%12s", c->source, "footprint");
	for (int b = 0; b < c->n_row_sizes; b++)
		printf("  %7.0f B", c->row_bytes[b]);
	putchar('\n');
	for (int a = 0; a < c->n_footprints; a++) {
		char size[32];

		format_bytes(size, sizeof size, c->footprint_bytes[a]);
		printf("%12s", size);
		for (int b = 0; b < c->n_row_sizes; b++)
			printf("  %9.3g", c->efficiency[a][b]);
		putchar('\n');
	}
}

static int hw_show(const char *name, enum rs_format format)
{
	char path[RS_PATH_MAX];
	struct rs_hwprofile hw;
	struct rs_error err;

	if (rs_find_data("hwprofiles", name, path, sizeof path, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_hw_load(path, &hw, &err) < 0)
		return rs_cmd_fail(&err);

	if (format == RS_FORMAT_JSON) {
		fputs("{\n  \"name\": ", stdout);
		rs_json_string(stdout, hw.name);
		fputs(",\n  \"description\": ", stdout);
		rs_json_string(stdout, hw.description);
		fputs(",\n  \"device\": ", stdout);
		rs_json_string(stdout, hw.device);
		fputs(",\n  \"kind\": ", stdout);
		rs_json_string(stdout, hw.kind);
		fputs(",\n  \"path\": ", stdout);
		rs_json_string(stdout, hw.path);
		fputs(",\n  \"values\": {\n", stdout);
		for (int i = 0; i < rs_hw_n_fields; i++) {
			const struct rs_hw_field *f = &rs_hw_fields[i];
			const struct rs_sourced *v = rs_hw_value(&hw, f);

			printf("    \"%s\": { \"value\": ", f->key);
			rs_json_number(stdout, v->value);
			fputs(", \"unit\": ", stdout);
			rs_json_string(stdout, f->unit);
			fputs(", \"source\": ", stdout);
			rs_json_string(stdout, v->source);
			printf(", \"assumption\": %s }%s\n",
				rs_source_is_assumption(v->source) ? "true"
					: "false", i + 1 < rs_hw_n_fields ? ","
					: "");
		}
		fputs("  }", stdout);
		if (hw.gather_curve.n_footprints > 0)
			show_curve_json(&hw.gather_curve);
		else
			fputs(",\n  \"gather_efficiency_curve\": null", stdout);
		fputs("\n}\n", stdout);
	} else {
		printf("%s: %s\n%s (%s), %s\n\n", hw.name, hw.description,
			hw.device, hw.kind, hw.path);
		for (int i = 0; i < rs_hw_n_fields; i++) {
			const struct rs_hw_field *f = &rs_hw_fields[i];
			const struct rs_sourced *v = rs_hw_value(&hw, f);
			char value[64];

			if (strcmp(f->unit, "year") == 0)
				snprintf(value, sizeof value, "%.0f", v->value);
			else if (f->integer)
				rs_fmt_count(value, sizeof value, v->value);
			else
				rs_fmt_sci(value, sizeof value, v->value);
			printf("%-30s %11s %-9s %s%s\n", f->key, value, f->unit,
				rs_source_is_assumption(v->source) ? "[A] " : "",
				v->source);
		}
		char price[64];
		printf("\n%-30s %11s %-9s calc: n_devices x device_price_usd "
			"x server_cost_factor\n", "node_price",
			rs_fmt_count(price, sizeof price,
				rs_hw_node_price_usd(&hw)), "USD");
		if (hw.gather_curve.n_footprints > 0)
			show_curve_text(&hw.gather_curve);
		puts("[A] marks an assumption: a default to replace with your "
			"own figure.");
	}
	rs_hw_free(&hw);
	return RS_EXIT_OK;
}

int cmd_hw(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum rs_format format = RS_FORMAT_TEXT;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (rs_cmd_format("hw", optarg, &format) != 0)
				return RS_EXIT_USAGE;
			break;
		case 'h':
			hw_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("hw", "option \"%s\" needs a value",
				argv[optind - 1]);
		default:
			return rs_cmd_usage("hw", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return rs_cmd_usage("hw", "missing subcommand: list or show");
	if (strcmp(argv[optind], "list") == 0) {
		if (argc - optind != 1)
			return rs_cmd_usage("hw", "list takes no arguments");
		return hw_list(format);
	}
	if (strcmp(argv[optind], "show") == 0) {
		if (argc - optind != 2)
			return rs_cmd_usage("hw", "show takes one profile name");
		if (format == RS_FORMAT_CSV)
			return rs_cmd_usage("hw", "show supports --format text "
				"or json");
		return hw_show(argv[optind + 1], format);
	}
	return rs_cmd_usage("hw", "unknown subcommand \"%s\"; use list or show",
		argv[optind]);
}
