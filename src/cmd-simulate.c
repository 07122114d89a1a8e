/* recscale simulate: one training job of a scenario's workload on a given
 * number of nodes of a hardware profile: step time and its breakdown,
 * throughput, time to train, memory per device and per host, and what
 * binds. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "engine.h"
#include "output.h"
#include "searchpath.h"

#define MAX_OVERRIDES 32

struct simulate_request {
	const char *scenario;
	const char *profile;
	long long nodes;
	double batch;			/* 0: the scenario's */
	double samples;			/* 0: D of the year */
	int year;			/* 0: the scenario's first year */
	int n_overrides;
	char *override_key[MAX_OVERRIDES];
	double override_value[MAX_OVERRIDES];
	enum rs_format format;
};

struct simulation {
	struct rs_cluster_result r;
	struct rs_workload_stats st;
	double epochs;
	double samples;
	double eval_samples;
	double device_bytes_per_device;	/* state + dense replica + reserve */
	double host_bytes_per_node;
	double device_memory_bytes;
};

static void simulate_usage(FILE *f)
{
	fputs("Usage: recscale simulate SCENARIO --hw PROFILE --nodes N "
		"[options]\n\n"
		"Simulate one training job: SCENARIO's workload (as grown by "
		"the given year)\non N nodes of PROFILE.  Prints the step time "
		"and its breakdown, throughput,\ntime to train (training steps "
		"plus evaluation passes), memory per device and\nper host, and "
		"the term that dominates the step.\n\n"
		"Options:\n"
		"  --hw PROFILE       hardware profile, a name or a path\n"
		"  --nodes N          nodes in the job\n"
		"  --batch B          global batch in samples (default: the "
		"scenario's)\n"
		"  --samples S        data samples of one epoch (default: the "
		"year's D)\n"
		"  --year Y           year of the scenario whose model and data "
		"to use\n"
		"                     (default: the first year)\n"
		"  --set KEY=VALUE    override a profile value, e.g. "
		"dense_efficiency_frac=0.4;\n"
		"                     repeatable\n"
		"  --format FORMAT    text (default) or json\n"
		"  -h, --help         show this help and exit\n\n"
		"Example:\n"
		"  recscale simulate mlperf-dlrm-dcnv2 --hw h100-hgx --nodes 8 "
		"--batch 135168\n", f);
}

static int parse_number(const char *option, const char *arg, double min,
	double *out)
{
	if (rs_parse_double(arg, out) < 0 || *out < min)
		return rs_cmd_usage("simulate", "%s %s: give a number of at "
			"least %g", option, arg, min);
	return 0;
}

static int parse_args(int argc, char **argv, struct simulate_request *req)
{
	static const struct option options[] = {
		{ "hw", required_argument, NULL, 'w' },
		{ "nodes", required_argument, NULL, 'n' },
		{ "batch", required_argument, NULL, 'b' },
		{ "samples", required_argument, NULL, 's' },
		{ "year", required_argument, NULL, 'y' },
		{ "set", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	double v;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'w':
			req->profile = optarg;
			break;
		case 'n':
			if (parse_number("--nodes", optarg, 1.0, &v))
				return RS_EXIT_USAGE;
			if (v != floor(v) || v > 1e6)
				return rs_cmd_usage("simulate", "--nodes %s: give "
					"a whole number from 1 to 1000000",
					optarg);
			req->nodes = (long long)v;
			break;
		case 'b':
			if (parse_number("--batch", optarg, 1.0, &req->batch))
				return RS_EXIT_USAGE;
			if (req->batch != floor(req->batch))
				return rs_cmd_usage("simulate", "--batch %s: give a "
					"whole number of samples", optarg);
			break;
		case 's':
			if (parse_number("--samples", optarg, 1.0,
					&req->samples))
				return RS_EXIT_USAGE;
			break;
		case 'y':
			if (parse_number("--year", optarg, 1900.0, &v))
				return RS_EXIT_USAGE;
			if (v != floor(v) || v > 2200.0)
				return rs_cmd_usage("simulate", "--year %s: give a "
					"calendar year such as 2027", optarg);
			req->year = (int)v;
			break;
		case 'S': {
			char *eq = strchr(optarg, '=');
			if (req->n_overrides == MAX_OVERRIDES)
				return rs_cmd_usage("simulate", "at most %d --set "
					"options", MAX_OVERRIDES);
			if (eq == NULL || rs_parse_double(eq + 1,
				&req->override_value[req->n_overrides]) < 0)
				return rs_cmd_usage("simulate", "--set %s: expected "
					"KEY=VALUE with a finite number", optarg);
			*eq = '\0';
			req->override_key[req->n_overrides++] = optarg;
			break;
		}
		case 'f':
			if (rs_cmd_format("simulate", optarg, &req->format) != 0)
				return RS_EXIT_USAGE;
			if (req->format == RS_FORMAT_CSV)
				return rs_cmd_usage("simulate", "simulate reports "
					"as text or json");
			break;
		case 'h':
			simulate_usage(stdout);
			return -1;
		case ':':
			return rs_cmd_usage("simulate", "option \"%s\" needs a "
				"value", argv[optind - 1]);
		default:
			return rs_cmd_usage("simulate", "invalid option \"%s\"",
				argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return rs_cmd_usage("simulate", "expected one scenario, got %d",
			argc - optind);
	req->scenario = argv[optind];
	if (req->profile == NULL)
		return rs_cmd_usage("simulate", "missing --hw PROFILE");
	if (req->nodes == 0)
		return rs_cmd_usage("simulate", "missing --nodes N");
	return 0;
}

/* Run the job; fails when the model does not fit the nodes given. */
static int simulate(const struct simulate_request *req,
	const struct rs_scenario *sc, const struct rs_hwprofile *hw,
	struct simulation *sim, struct rs_error *err)
{
	struct rs_cluster_input in;
	struct rs_cluster_result sized;
	struct rs_workload model;
	enum rs_data_limit limit;
	int k = (req->year ? req->year : sc->first_year) - sc->first_year;
	double batch = req->batch > 0.0 ? req->batch
		: sc->training.global_batch_samples;

	if (k < 0 || sc->first_year + k > sc->last_year)
		return rs_fail(err, "%s: --year %d is outside the scenario's "
			"years %d-%d; give a year in that range", sc->path,
			req->year, sc->first_year, sc->last_year);
	if (rs_workload_copy(&model, &sc->workload) < 0)
		return rs_fail(err, "out of memory");
	for (int i = 0; i <= k; i++)
		rs_engine_grow(sc, i, &model);
	rs_workload_stats(&model, &sim->st);

	sim->epochs = rs_scenario_epochs(sc, batch);
	sim->samples = req->samples > 0.0 ? req->samples
		: rs_engine_data_samples(sc, k, &limit);
	if (batch > sim->samples) {
		rs_workload_free(&model);
		return rs_fail(err, "global batch %.0f is larger than the %.0f "
			"samples of one epoch; give a smaller --batch", batch,
			sim->samples);
	}
	if (batch < req->nodes * hw->n_devices.value) {
		rs_workload_free(&model);
		return rs_fail(err, "global batch %.0f is smaller than the %.0f "
			"devices, which each need at least one sample; give a "
			"larger --batch or fewer --nodes", batch,
			req->nodes * hw->n_devices.value);
	}
	sim->eval_samples = rs_scenario_eval_samples(sc, sim->epochs);

	memset(&in, 0, sizeof in);
	in.stats = &sim->st;
	in.workload = &model;
	in.hw = hw;
	in.dense_precision = sc->training.dense_precision;
	in.samples = sim->samples * sim->epochs;
	in.eval_samples = sim->eval_samples;
	in.window_s = INFINITY;
	in.global_batch_samples = batch;
	in.storage_read_bytes_per_s = sc->storage.read_bytes_per_s;
	in.bytes_per_sample = sc->data.bytes_per_sample;
	in.use_host_memory = sc->training.use_host_memory;

	/* Sizing with no window checks the memory and precision. */
	if (rs_cluster_size(&in, &sized, err) < 0) {
		rs_workload_free(&model);
		return -1;
	}
	if (req->nodes < sized.nodes_for_memory) {
		rs_workload_free(&model);
		return rs_fail(err, "%s: the embedding state (%.4g bytes) needs "
			"at least %lld nodes of this profile; give --nodes %lld "
			"or more", hw->name, sized.state_bytes,
			sized.nodes_for_memory, sized.nodes_for_memory);
	}
	rs_cluster_eval(&in, req->nodes, &sim->r);
	sim->r.nodes_for_memory = sized.nodes_for_memory;
	sim->device_memory_bytes = hw->device_memory_bytes.value;
	sim->device_bytes_per_device = sim->r.device_state_bytes_per_device
		+ sim->st.dense_state_bytes
		+ hw->memory_reserve_frac.value * hw->device_memory_bytes.value;
	sim->host_bytes_per_node = sim->r.host_state_bytes_per_node;
	rs_workload_free(&model);
	return 0;
}

static void json_field(const char *indent, const char *key, double v,
	int last)
{
	printf("%s\"%s\": ", indent, key);
	rs_json_number(stdout, v);
	fputs(last ? "\n" : ",\n", stdout);
}

static void report_json(const struct rs_hwprofile *hw,
	const struct simulate_request *req, const struct simulation *sim,
	double batch)
{
	const struct rs_cluster_result *r = &sim->r;

	fputs("{\n  \"hw_profile\": ", stdout);
	rs_json_string(stdout, hw->name);
	fputs(",\n  \"device\": ", stdout);
	rs_json_string(stdout, hw->device);
	printf(",\n  \"nodes\": %lld,\n  \"n_devices\": %.0f,\n", req->nodes,
		req->nodes * hw->n_devices.value);
	json_field("  ", "global_batch_samples", batch, 0);
	json_field("  ", "data_samples", sim->samples, 0);
	json_field("  ", "epochs", sim->epochs, 0);
	json_field("  ", "eval_samples", sim->eval_samples, 0);
	json_field("  ", "time_to_train_s", r->train_time_s, 0);
	json_field("  ", "train_s", r->train_s, 0);
	json_field("  ", "eval_s", r->eval_s, 0);
	json_field("  ", "samples_per_s", r->samples_per_s, 0);
	json_field("  ", "step_s", r->step_s, 0);
	fputs("  \"step\": {\n", stdout);
	json_field("    ", "dense_s", r->dense_s, 0);
	json_field("    ", "gather_s", r->gather_s, 0);
	json_field("    ", "host_gather_s", r->host_gather_s, 0);
	json_field("    ", "all_to_all_s", r->all_to_all_s, 0);
	json_field("    ", "all_reduce_s", r->all_reduce_s, 0);
	json_field("    ", "overlap_s", r->overlap_s, 1);
	fputs("  },\n  \"binding\": ", stdout);
	rs_json_string(stdout, rs_binding_names[r->binding]);
	fputs(",\n  \"memory\": {\n", stdout);
	json_field("    ", "embedding_state_bytes", r->state_bytes, 0);
	json_field("    ", "device_bytes_per_device",
		sim->device_bytes_per_device, 0);
	json_field("    ", "device_memory_bytes", sim->device_memory_bytes, 0);
	json_field("    ", "host_bytes_per_node", sim->host_bytes_per_node, 0);
	json_field("    ", "host_memory_frac", r->host_frac, 0);
	json_field("    ", "host_lookup_frac", r->host_lookup_frac, 0);
	json_field("    ", "nodes_for_memory", (double)r->nodes_for_memory, 1);
	fputs("  }\n}\n", stdout);
}

static void report_text(const struct rs_hwprofile *hw,
	const struct simulate_request *req, const struct simulation *sim,
	double batch)
{
	const struct rs_cluster_result *r = &sim->r;
	char a[32], b[32], c[32];

	printf("%lld x %s (%s), global batch %.0f\n", req->nodes, hw->name,
		hw->device, batch);
	printf("data %s samples x %.4g epochs, %s samples evaluated\n\n",
		rs_fmt_sci(a, sizeof a, sim->samples), sim->epochs,
		rs_fmt_sci(b, sizeof b, sim->eval_samples));
	printf("time to train   %10.1f s (%.2f min): training %.1f s, "
		"evaluation %.1f s\n", r->train_time_s, r->train_time_s / 60.0,
		r->train_s, r->eval_s);
	printf("throughput      %10s samples/s\n",
		rs_fmt_sci(a, sizeof a, r->samples_per_s));
	printf("step            %10.3f ms\n", 1e3 * r->step_s);
	printf("  dense         %10.3f ms\n", 1e3 * r->dense_s);
	printf("  gathers       %10.3f ms (host memory %.3f ms)\n",
		1e3 * r->gather_s, 1e3 * r->host_gather_s);
	printf("  all-to-all    %10.3f ms\n", 1e3 * r->all_to_all_s);
	printf("  all-reduce    %10.3f ms\n", 1e3 * r->all_reduce_s);
	printf("  overlapped    %10.3f ms\n", r->overlap_s > 0.0
		? -1e3 * r->overlap_s : 0.0);
	printf("binding         %s\n\n", rs_binding_names[r->binding]);
	printf("memory per device %s of %s bytes; host memory per node %s "
		"bytes\n", rs_fmt_sci(a, sizeof a, sim->device_bytes_per_device),
		rs_fmt_sci(b, sizeof b, sim->device_memory_bytes),
		rs_fmt_sci(c, sizeof c, sim->host_bytes_per_node));
	printf("embedding state %s bytes, %.1f%% in host memory serving "
		"%.1f%% of lookups; at least %lld node%s hold it\n",
		rs_fmt_sci(a, sizeof a, r->state_bytes), 100.0 * r->host_frac,
		100.0 * r->host_lookup_frac, r->nodes_for_memory,
		r->nodes_for_memory == 1 ? "" : "s");
}

int cmd_simulate(int argc, char **argv)
{
	struct simulate_request req;
	struct simulation sim;
	struct rs_scenario sc;
	struct rs_hwprofile hw;
	struct rs_error err;
	char path[RS_PATH_MAX];
	int rc;

	memset(&req, 0, sizeof req);
	rc = parse_args(argc, argv, &req);
	if (rc != 0)
		return rc < 0 ? RS_EXIT_OK : rc;

	if (rs_find_data("scenarios", req.scenario, path, sizeof path, &err) < 0
	    || rs_scenario_load(path, &sc, &err) < 0)
		return rs_cmd_fail(&err);
	if (rs_find_data("hwprofiles", req.profile, path, sizeof path,
			&err) < 0
	    || rs_hw_load(path, &hw, &err) < 0) {
		rs_scenario_free(&sc);
		return rs_cmd_fail(&err);
	}
	rc = RS_EXIT_OK;
	for (int i = 0; i < req.n_overrides && rc == RS_EXIT_OK; i++)
		if (rs_hw_set(&hw, req.override_key[i], req.override_value[i],
				&err) < 0)
			rc = rs_cmd_usage("simulate", "--set %s", err.msg);
	if (rc == RS_EXIT_OK && simulate(&req, &sc, &hw, &sim, &err) < 0)
		rc = rs_cmd_fail(&err);
	if (rc == RS_EXIT_OK) {
		double batch = req.batch > 0.0 ? req.batch
			: sc.training.global_batch_samples;
		if (req.format == RS_FORMAT_JSON)
			report_json(&hw, &req, &sim, batch);
		else
			report_text(&hw, &req, &sim, batch);
	}
	rs_hw_free(&hw);
	rs_scenario_free(&sc);
	return rc;
}
