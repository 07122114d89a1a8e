/* recscale calibrate: measure this machine and write its hardware
 * profile. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate.h"
#include "cmd.h"
#include "output.h"

static void calibrate_usage(FILE *f)
{
	fputs("Usage: recscale calibrate [-o FILE] [options]\n\n"
		"Measure this machine and write a hardware profile of kind "
		"\"cpu\" that plan and\nsimulate accept like any other: hwloc "
		"discovery (packages, cores, caches,\nNUMA nodes, memory), "
		"read and triad bandwidth, load latency across\n"
		"working-set sizes, independent random cache-line loads, and "
		"the embedding-bag\nkernel across table sizes, row sizes, "
		"pooling factors, index skew and thread\ncounts.  The profile's "
		"memory bandwidth and gather efficiency are measured;\nprice, "
		"power and network are written as assumptions to replace.  "
		"Buffers\nnever exceed half of the memory available.  A full "
		"run takes one to two\nminutes on a 2-core machine.\n\n"
		"Options:\n"
		"  -o, --output FILE  write the profile to FILE (atomically) "
		"and a summary to\n"
		"                     standard output; default: the profile "
		"to standard output\n"
		"  --force            replace FILE if it exists\n"
		"  --quick            a short run (under 15 s on 2 cores): "
		"fewer and smaller points\n"
		"  --format FORMAT    text (default) or json; with -o, what is "
		"printed besides\n"
		"                     the file: a summary, or with json every "
		"measurement;\n"
		"                     without -o, json prints the measurements "
		"instead of the\n"
		"                     profile\n"
		"  -q, --quiet        no progress on the terminal\n"
		"  -h, --help         show this help and exit\n\n"
		"Example:\n"
		"  recscale calibrate -o hwprofiles/this-machine.cfg\n"
		"  recscale simulate mlperf-dlrm-dcnv2 --hw "
		"hwprofiles/this-machine.cfg --nodes 64\n", f);
}

/* Check that the folder of path exists and is writable, so that a long run
 * does not end in an output that cannot be created. */
static int check_folder(const char *path, struct rs_error *err)
{
	char folder[4096];
	const char *slash = strrchr(path, '/');
	size_t n = 1;		/* "." or "/" */

	if (slash != NULL && slash != path)
		n = (size_t)(slash - path);
	if (n >= sizeof folder)
		return rs_fail(err, "%s: file name too long", path);
	memcpy(folder, slash == NULL ? "." : path, n);
	folder[n] = '\0';
	if (access(folder, W_OK | X_OK) != 0)
		return rs_fail(err, "%s: cannot create: %s; check that the "
			"folder exists and is writable", path, strerror(errno));
	return 0;
}

static void show_progress(void *ctx, const char *step, int done, int total)
{
	(void)ctx;
	fprintf(stderr, "\rcalibrate: [%d/%d] %-70.70s", done + 1, total,
		step);
	fflush(stderr);
}

static void print_figure(FILE *f, const char *key,
	const struct rs_mem_figure *figure, const char *tail)
{
	fprintf(f, "\"%s\": ", key);
	rs_json_number(f, figure->median);
	fprintf(f, ", \"%s_spread_frac\": ", key);
	rs_json_number(f, figure->spread_frac);
	fputs(tail, f);
}

static void print_json(FILE *f, const struct rs_calibration *c)
{
	fputs("{\n  \"cpu_model\": ", f);
	rs_json_string(f, c->cpu_model);
	fputs(",\n  \"date\": ", f);
	rs_json_string(f, c->date);
	fputs(",\n  \"machine\": ", f);
	rs_json_string(f, c->summary);
	fprintf(f, ",\n  \"quick\": %s,\n  \"elapsed_s\": ",
		c->quick ? "true" : "false");
	rs_json_number(f, c->elapsed_s);
	fprintf(f, ",\n  \"n_packages\": %d,\n  \"n_cores\": %d,\n"
		"  \"memory_bytes\": ", c->n_packages, c->n_cores);
	rs_json_number(f, c->memory_bytes);
	fputs(",\n  \"huge_page_frac\": ", f);
	rs_json_number(f, c->huge_page_frac >= 0.0 ? c->huge_page_frac : NAN);
	fputs(",\n  \"memory\": [", f);
	for (int i = 0; i < c->n_thread_counts; i++) {
		fprintf(f, "%s\n    { \"n_threads\": %d, ", i ? "," : "",
			c->thread_counts[i]);
		print_figure(f, "read_bytes_per_s", &c->read_bw[i], ", ");
		print_figure(f, "triad_bytes_per_s", &c->triad_bw[i], ", ");
		print_figure(f, "random_lines_per_s", &c->random_lines[i], " }");
	}
	fputs("\n  ],\n  \"latency\": [", f);
	for (int i = 0; i < c->n_latency; i++) {
		fprintf(f, "%s\n    { \"working_set_bytes\": %.0f, ",
			i ? "," : "", c->latency_bytes[i]);
		print_figure(f, "latency_s", &c->latency_s[i], " }");
	}
	fputs("\n  ],\n  \"kernel\": [", f);
	for (int i = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *k = &c->kernel[i];
		char dist[32];

		rs_dist_format(&k->dist, dist, sizeof dist);
		fprintf(f, "%s\n    { \"table_bytes\": %.0f, \"dtype\": \"%s\", "
			"\"dim\": %d, \"pooling_factor\": %d, \"dist\": \"%s\", "
			"\"n_threads\": %d, \"lookups_per_s\": ", i ? "," : "",
			k->table_bytes, rs_emb_dtype_name(k->dtype), k->dim,
			k->pooling_factor, dist, k->n_threads);
		rs_json_number(f, k->lookups_per_s);
		fputs(", \"bytes_per_s\": ", f);
		rs_json_number(f, k->bytes_per_s);
		fputs(", \"spread_frac\": ", f);
		rs_json_number(f, k->spread_frac);
		fputs(", \"bound_frac\": ", f);
		rs_json_number(f, k->bound_frac);
		fputs(" }", f);
	}
	fputs("\n  ],\n  \"gather_efficiency_curve\": [", f);
	for (int i = 0, n = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *k = &c->kernel[i];

		if (!rs_calib_is_curve_point(c, k))
			continue;
		fprintf(f, "%s\n    { \"footprint_bytes\": %.0f, "
			"\"row_bytes\": %zu, \"efficiency\": ", n++ ? "," : "",
			k->table_bytes, rs_emb_row_bytes(k->dtype, k->dim));
		rs_json_number(f, rs_calib_curve_efficiency(c, k));
		fputs(" }", f);
	}
	fprintf(f, "\n  ],\n  \"measurements_retried\": %d,\n"
		"  \"gather_bw_bytes_per_s\": ", c->n_retried);
	rs_json_number(f, c->gather_bw_bytes_per_s);
	fputs(",\n  \"gather_row_overhead_bytes\": ", f);
	rs_json_number(f, c->gather_overhead_bytes);
	fputs(",\n  \"gather_efficiency_frac\": ", f);
	rs_json_number(f, c->gather_efficiency_frac);
	fputs("\n}\n", f);
}

static void print_summary(FILE *f, const struct rs_calibration *c,
	const char *path)
{
	int all = c->n_thread_counts - 1;

	fprintf(f, "%s: %s, %s (%s run, %.0f s)\n", path, c->cpu_model,
		c->summary, c->quick ? "quick" : "full", c->elapsed_s);
	fprintf(f, "read bandwidth      %.1f GB/s (%d threads)\n",
		c->read_bw[all].median / 1e9, c->thread_counts[all]);
	fprintf(f, "triad bandwidth     %.1f GB/s (%d threads)\n",
		c->triad_bw[all].median / 1e9, c->thread_counts[all]);
	fprintf(f, "random 64 B loads   %.0f M/s (1 thread), %.0f M/s (%d "
		"threads)\n", c->random_lines[0].median / 1e6,
		c->random_lines[all].median / 1e6, c->thread_counts[all]);
	if (c->n_latency > 0)
		fprintf(f, "load latency        %.1f ns at %.0f KiB, %.0f ns at "
			"%.0f MiB\n", 1e9 * c->latency_s[0].median,
			c->latency_bytes[0] / 1024.0,
			1e9 * c->latency_s[c->n_latency - 1].median,
			c->latency_bytes[c->n_latency - 1] / 1048576.0);
	fprintf(f, "gather efficiency   %.3f of read bandwidth, row overhead "
		"%.0f bytes%s (%d points)\n", c->gather_efficiency_frac,
		c->gather_overhead_bytes, c->gather_overhead_bytes < 0.0
		? ", written as 0" : "", c->gather_fit_points);
	{
		int n = 0;
		double lo = INFINITY, hi = 0.0;

		for (int i = 0; i < c->n_kernel; i++)
			if (rs_calib_is_curve_point(c, &c->kernel[i])) {
				double e = rs_calib_curve_efficiency(c,
					&c->kernel[i]);

				n++;
				lo = fmin(lo, e);
				hi = fmax(hi, e);
			}
		if (n > 0)
			fprintf(f, "gather curve        %d points, efficiency "
				"%.3g to %.3g; the cluster model uses it for "
				"device gathers\n", n, lo, hi);
	}
	if (c->n_retried > 0)
		fprintf(f, "retried             %d measurement%s whose samples "
			"spread by more than 50%%\n", c->n_retried,
			c->n_retried == 1 ? "" : "s");
}

int cmd_calibrate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "quick", no_argument, NULL, 'Q' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum rs_format format = RS_FORMAT_TEXT;
	struct rs_calib_options opts = { 0, NULL, NULL, NULL };
	struct rs_calibration *c;
	struct rs_topology topo;
	struct rs_error err;
	struct rs_out out;
	const char *output = NULL;
	int ch, force = 0, quiet = 0, rc;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":o:qh", options, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (optarg[0] == '\0')
				return rs_cmd_usage("calibrate", "-o needs a "
					"file name, or - for standard output");
			output = optarg;
			break;
		case 'F':
			force = 1;
			break;
		case 'Q':
			opts.quick = 1;
			break;
		case 'f':
			if (rs_format_parse(optarg, &format) < 0
			    || format == RS_FORMAT_CSV)
				return rs_cmd_usage("calibrate", "--format %s is "
					"not supported here; use text or json",
					optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			calibrate_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("calibrate", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("calibrate", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rs_cmd_usage("calibrate", "unexpected argument \"%s\"",
			argv[optind]);
	if (force && output == NULL)
		return rs_cmd_usage("calibrate", "--force replaces the file "
			"given with -o; give -o FILE");
	/* Check the output before minutes of measuring; the file itself is
	 * created only at the end, so an interrupted run leaves nothing. */
	if (output != NULL && strcmp(output, "-") != 0
	    && (rs_out_check(output, force, &err) < 0
		|| check_folder(output, &err) < 0))
		return rs_cmd_fail(&err);

	c = calloc(1, sizeof *c);
	if (c == NULL) {
		rs_fail(&err, "out of memory");
		return rs_cmd_fail(&err);
	}
	if (rs_topo_load(&topo, NULL, &err) < 0) {
		free(c);
		return rs_cmd_fail(&err);
	}
	opts.topo = &topo;
	if (!quiet && isatty(STDERR_FILENO))
		opts.progress = show_progress;
	rc = rs_calibrate(&opts, c, &err);
	if (opts.progress != NULL)
		fprintf(stderr, "\r%90s\r", "");
	rs_topo_free(&topo);
	if (rc < 0) {
		free(c);
		return rs_cmd_fail(&err);
	}

	if (output == NULL && format == RS_FORMAT_JSON) {
		print_json(stdout, c);
		free(c);
		return RS_EXIT_OK;
	}
	if (rs_out_open(&out, output, force, &err) < 0
	    || rs_calib_write_profile(out.f, c, &err) < 0) {
		if (out.f != NULL)
			rs_out_abort(&out);
		free(c);
		return rs_cmd_fail(&err);
	}
	if (rs_out_commit(&out, &err) < 0) {
		free(c);
		return rs_cmd_fail(&err);
	}
	if (output != NULL && strcmp(output, "-") != 0) {
		if (format == RS_FORMAT_JSON)
			print_json(stdout, c);
		else
			print_summary(stdout, c, output);
	}
	free(c);
	return RS_EXIT_OK;
}
