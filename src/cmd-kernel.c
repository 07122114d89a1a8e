/* recscale kernel: one throughput measurement of the embedding-bag kernel
 * on generated inputs. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "kernelbench.h"
#include "output.h"

static void kernel_usage(FILE *f)
{
	fputs("Usage: recscale kernel [options]\n\n"
		"Measure the embedding-bag kernel on this machine: gather rows "
		"of a generated\ntable by generated indices and pool each bag, "
		"then report lookups per\nsecond and gathered bytes per second "
		"(lookups x row bytes) as the median\nof repeated samples with "
		"their spread.  The machine is usually shared, so\ncompare "
		"figures from the same run, not across runs.\n\n"
		"Options:\n"
		"  --rows R          rows in the table (default 1000000)\n"
		"  --dim D           elements per row (default 64)\n"
		"  --pooling L       lookups per bag (default 20)\n"
		"  --bags B          bags per kernel call (default 2048)\n"
		"  --dtype T         row type: fp32 (default), fp16, bf16 or "
		"int8 (8-bit codes\n"
		"                    with a per-row fp32 scale and bias)\n"
		"  --mode M          sum (default), mean or weighted_sum\n"
		"  --dist DIST       index distribution: uniform (default) or "
		"zipf:S, e.g. zipf:1.05\n"
		"  --threads N       worker threads, each bound to a core, the "
		"calling thread\n"
		"                    to the first (default 1)\n"
		"  --no-bind         leave the threads where the operating system "
		"puts them;\n"
		"                    on a machine busy with other work, unbound "
		"threads can\n"
		"                    move away from busy cores\n"
		"  --isa ISA         auto (default), avx512, avx2 or scalar\n"
		"  --prefetch N      rows to prefetch ahead (default: about "
		"16 KiB of rows, at\n"
		"                    most 32, none for tables that fit in L2); "
		"0 turns\n"
		"                    prefetching off\n"
		"  --repeats N       samples of at least 25 ms each (default "
		"7)\n"
		"  --no-huge-pages   map the table with base pages only\n"
		"  --seed N          seed of the generated indices (default "
		"42)\n"
		"  --format FORMAT   text (default) or json\n"
		"  -h, --help        show this help and exit\n\n"
		"Example:\n"
		"  recscale kernel --rows 16000000 --dim 64 --pooling 20 "
		"--dist zipf:1.05 --threads 2\n", f);
}

/* A whole number in [min, max], written as 1000000 or 1e6. */
static int parse_count(const char *option, const char *text, double min,
	double max, double *out)
{
	if (rs_parse_double(text, out) < 0 || *out != floor(*out)
	    || *out < min || *out > max)
		return rs_cmd_usage("kernel", "%s %s: give a whole number from "
			"%.0f to %.0f", option, text, min, max);
	return 0;
}

static void print_text(const struct rs_kbench_spec *spec,
	const struct rs_kbench_result *r)
{
	char dist[32], rows[32], rate[32], lo[32], hi[32], bytes[32];

	rs_dist_format(&spec->dist, dist, sizeof dist);
	printf("kernel %s: %s table of %s rows x %d (%zu B per row, %s B); "
		"%s of %d lookups, %lld bags per call; %s indices; %d "
		"thread%s; prefetch %d rows ahead\n",
		rs_emb_isa_name(r->isa), rs_emb_dtype_name(spec->dtype),
		rs_fmt_count(rows, sizeof rows, (double)spec->n_rows),
		spec->dim, r->row_bytes,
		rs_fmt_sci(bytes, sizeof bytes, r->table_bytes),
		rs_emb_pooling_name(spec->pooling), spec->pooling_factor,
		(long long)spec->n_bags, dist, spec->n_threads,
		spec->n_threads == 1 ? "" : "s", r->prefetch_rows);
	if (r->huge_page_frac >= 0.0)
		printf("table in huge pages: %.0f%%\n",
			100.0 * r->huge_page_frac);
	printf("lookups/s    %s  (median of %d sample%s of %.0f ms; min %s, "
		"max %s, spread %.0f%%)\n",
		rs_fmt_sci(rate, sizeof rate, r->lookups_per_s), r->n_samples,
		r->n_samples == 1 ? "" : "s", 1e3 * r->sample_s,
		rs_fmt_sci(lo, sizeof lo, r->lookups_per_s_min),
		rs_fmt_sci(hi, sizeof hi, r->lookups_per_s_max),
		100.0 * r->spread_frac);
	printf("bytes/s      %s  (gathered rows)\n",
		rs_fmt_sci(bytes, sizeof bytes, r->bytes_per_s));
	if (spec->n_threads > 1) {
		printf("per thread  ");
		for (int w = 0; w < spec->n_threads; w++)
			printf(" %s", rs_fmt_sci(rate, sizeof rate,
				r->thread_lookups_per_s[w]));
		printf("  lookups/s while busy\n");
	}
}

static void print_json(const struct rs_kbench_spec *spec,
	const struct rs_kbench_result *r)
{
	char dist[32];

	rs_dist_format(&spec->dist, dist, sizeof dist);
	printf("{\n  \"isa\": ");
	rs_json_string(stdout, rs_emb_isa_name(r->isa));
	printf(",\n  \"dtype\": ");
	rs_json_string(stdout, rs_emb_dtype_name(spec->dtype));
	printf(",\n  \"mode\": ");
	rs_json_string(stdout, rs_emb_pooling_name(spec->pooling));
	printf(",\n  \"dist\": ");
	rs_json_string(stdout, dist);
	printf(",\n  \"n_rows\": %lld,\n  \"dim\": %d,\n  \"row_bytes\": %zu,"
		"\n  \"table_bytes\": ", (long long)spec->n_rows, spec->dim,
		r->row_bytes);
	rs_json_number(stdout, r->table_bytes);
	printf(",\n  \"huge_page_frac\": ");
	rs_json_number(stdout, r->huge_page_frac >= 0.0 ? r->huge_page_frac
		: NAN);
	printf(",\n  \"pooling_factor\": %d,\n  \"n_bags\": %lld,\n"
		"  \"n_threads\": %d,\n  \"prefetch_rows\": %d,\n"
		"  \"n_samples\": %d,\n  \"sample_s\": ", spec->pooling_factor,
		(long long)spec->n_bags, spec->n_threads, r->prefetch_rows,
		r->n_samples);
	rs_json_number(stdout, r->sample_s);
	printf(",\n  \"lookups_per_s\": ");
	rs_json_number(stdout, r->lookups_per_s);
	printf(",\n  \"lookups_per_s_min\": ");
	rs_json_number(stdout, r->lookups_per_s_min);
	printf(",\n  \"lookups_per_s_max\": ");
	rs_json_number(stdout, r->lookups_per_s_max);
	printf(",\n  \"spread_frac\": ");
	rs_json_number(stdout, r->spread_frac);
	printf(",\n  \"bytes_per_s\": ");
	rs_json_number(stdout, r->bytes_per_s);
	printf(",\n  \"thread_lookups_per_s\": [");
	for (int w = 0; w < spec->n_threads; w++) {
		printf(w ? ", " : "");
		rs_json_number(stdout, r->thread_lookups_per_s[w]);
	}
	printf("]\n}\n");
}

int cmd_kernel(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rows", required_argument, NULL, 'r' },
		{ "dim", required_argument, NULL, 'd' },
		{ "pooling", required_argument, NULL, 'l' },
		{ "bags", required_argument, NULL, 'b' },
		{ "dtype", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "dist", required_argument, NULL, 'D' },
		{ "threads", required_argument, NULL, 'n' },
		{ "isa", required_argument, NULL, 'i' },
		{ "prefetch", required_argument, NULL, 'p' },
		{ "repeats", required_argument, NULL, 'R' },
		{ "no-huge-pages", no_argument, NULL, 'H' },
		{ "no-bind", no_argument, NULL, 'B' },
		{ "seed", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum rs_format format = RS_FORMAT_TEXT;
	struct rs_kbench_spec spec;
	struct rs_kbench_result result;
	struct rs_topology topo;
	struct rs_error err;
	double v;
	int c, rc, bind = 1;

	rs_kbench_defaults(&spec);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_count("--rows", optarg, 1, 1e12, &v) != 0)
				return RS_EXIT_USAGE;
			spec.n_rows = (int64_t)v;
			break;
		case 'd':
			if (parse_count("--dim", optarg, 1, RS_EMB_MAX_DIM, &v)
					!= 0)
				return RS_EXIT_USAGE;
			spec.dim = (int)v;
			break;
		case 'l':
			if (parse_count("--pooling", optarg, 1, 100000, &v) != 0)
				return RS_EXIT_USAGE;
			spec.pooling_factor = (int)v;
			break;
		case 'b':
			if (parse_count("--bags", optarg, 1, 1e7, &v) != 0)
				return RS_EXIT_USAGE;
			spec.n_bags = (int64_t)v;
			break;
		case 't':
			if (rs_emb_dtype_parse(optarg, &spec.dtype) < 0)
				return rs_cmd_usage("kernel", "--dtype %s is not "
					"known; use fp32, fp16, bf16 or int8",
					optarg);
			break;
		case 'm':
			if (rs_emb_pooling_parse(optarg, &spec.pooling) < 0)
				return rs_cmd_usage("kernel", "--mode %s is not "
					"known; use sum, mean or weighted_sum",
					optarg);
			break;
		case 'D':
			if (rs_dist_parse(optarg, &spec.dist, &err) < 0)
				return rs_cmd_usage("kernel", "--dist: %s",
					err.msg);
			break;
		case 'n':
			if (parse_count("--threads", optarg, 1,
					RS_KBENCH_MAX_THREADS, &v) != 0)
				return RS_EXIT_USAGE;
			spec.n_threads = (int)v;
			break;
		case 'i':
			if (strcmp(optarg, "auto") == 0)
				spec.isa = RS_EMB_ISA_AUTO;
			else if (strcmp(optarg, "scalar") == 0)
				spec.isa = RS_EMB_ISA_SCALAR;
			else if (strcmp(optarg, "avx2") == 0)
				spec.isa = RS_EMB_ISA_AVX2;
			else if (strcmp(optarg, "avx512") == 0)
				spec.isa = RS_EMB_ISA_AVX512;
			else
				return rs_cmd_usage("kernel", "--isa %s is not "
					"known; use auto, avx512, avx2 or "
					"scalar", optarg);
			break;
		case 'p':
			if (parse_count("--prefetch", optarg, 0, 1024, &v) != 0)
				return RS_EXIT_USAGE;
			spec.prefetch_rows = (int)v;
			break;
		case 'R':
			if (parse_count("--repeats", optarg, 1, 101, &v) != 0)
				return RS_EXIT_USAGE;
			spec.n_samples = (int)v;
			break;
		case 'B':
			bind = 0;
			break;
		case 'H':
			spec.huge_pages = 0;
			break;
		case 's':
			if (parse_count("--seed", optarg, 0, 9007199254740992.0,
					&v) != 0)
				return RS_EXIT_USAGE;
			spec.seed = (uint64_t)v;
			break;
		case 'f':
			if (rs_format_parse(optarg, &format) < 0
			    || (format != RS_FORMAT_TEXT
				&& format != RS_FORMAT_JSON))
				return rs_cmd_usage("kernel", "--format %s is not "
					"supported here; use text or json",
					optarg);
			break;
		case 'h':
			kernel_usage(stdout);
			return RS_EXIT_OK;
		case ':':
			return rs_cmd_usage("kernel", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("kernel", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (optind < argc)
		return rs_cmd_usage("kernel", "unexpected argument \"%s\"",
			argv[optind]);
	if (!rs_emb_isa_supported(spec.isa)) {
		rs_fail(&err, "kernel: this CPU (or this build) cannot run the "
			"%s kernel; use --isa auto", rs_emb_isa_name(spec.isa));
		return rs_cmd_fail(&err);
	}

	if (rs_topo_load(&topo, NULL, &err) < 0)
		return rs_cmd_fail(&err);
	if (spec.n_threads > topo.n_cores)
		fprintf(stderr, "recscale kernel: warning: %d threads on %d "
			"core%s, so threads share cores and the total rate is "
			"not that of %d cores\n", spec.n_threads, topo.n_cores,
			topo.n_cores == 1 ? "" : "s", spec.n_threads);
	rc = rs_kbench_run(&spec, bind ? &topo : NULL, &result, &err);
	rs_topo_free(&topo);
	if (rc < 0) {
		fprintf(stderr, "recscale kernel: %s\n", err.msg);
		return RS_EXIT_FAIL;
	}
	if (format == RS_FORMAT_JSON)
		print_json(&spec, &result);
	else
		print_text(&spec, &result);
	return RS_EXIT_OK;
}
