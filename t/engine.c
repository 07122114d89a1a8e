/* The scenario engine on the shipped scenarios: data arithmetic, growth,
 * storage caps, cluster sizing and the cost per 0.1% NE. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "tap.h"

static int load(const char *name, struct rs_scenario *sc,
	struct rs_plan *plan)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	struct rs_error err;

	snprintf(path, sizeof path, "%s/scenarios/%s.cfg",
		srcdir ? srcdir : ".", name);
	if (rs_scenario_load(path, sc, &err) < 0
	    || rs_engine_run(sc, plan, &err) < 0) {
		printf("# %s\n", err.msg);
		return -1;
	}
	return 0;
}

int main(void)
{
	struct rs_scenario sc;
	struct rs_plan plan;
	const struct rs_year *y;
	struct rs_cluster_input in;
	struct rs_cluster_result fewer;
	struct rs_workload_stats st;

	tap_plan(21);

	if (!tap_ok(load("mlperf-dlrm-dcnv2", &sc, &plan) == 0,
			"MLPerf scenario runs"))
		return 1;
	y = &plan.years[0];
	tap_near(y->data_samples, 4195197692.0, 1e-9,
		"MLPerf data is the 4,195,197,692 samples of days 0-22");
	tap_ok(y->cluster.nodes == 1, "MLPerf trains on one node");
	tap_ok(y->cluster.binding == RS_BIND_MEMORY,
		"one node is set by memory, not by the window");
	tap_ok(y->cluster.host_frac == 0.0,
		"with host memory off nothing is placed in host memory");
	/* 0.6373 x (1 + 55,296 / 281,728) */
	tap_near(y->epochs, 0.7623857, 1e-6,
		"MLPerf epochs follow the gradient noise scale model");
	tap_near(y->flops, y->flops_per_sample * y->data_samples * y->epochs,
		1e-12, "training compute is FLOPs per sample x D x epochs");
	rs_scenario_free(&sc);

	if (!tap_ok(load("default", &sc, &plan) == 0, "default scenario runs"))
		return 1;
	tap_ok(plan.n_years == 5, "default scenario projects five years");
	/* 90 days x 4e10 x (0.03 + 0.97 x 0.125) */
	tap_near(plan.years[0].data_samples, 5.445e11, 1e-12,
		"2026 data follows retention and negative downsampling");
	tap_ok(plan.years[0].data_limit == RS_DATA_RETENTION,
		"2026 data is limited by the retention policy");
	/* 1.5 PB / 2000 bytes per sample */
	tap_near(plan.years[2].data_samples, 7.5e11, 1e-12,
		"2028 data is capped by 1.5 PB of storage");
	tap_ok(plan.years[2].data_limit == RS_DATA_STORAGE,
		"2028 reports storage capacity as the data limit");
	tap_near(plan.years[1].params_embedding,
		1.5 * plan.years[0].params_embedding, 1e-12,
		"rows grow 1.5x from 2026 to 2027");
	tap_ok(strcmp(plan.years[2].hw->name, "b200-hgx") == 0,
		"2028 switches to the B200 profile");
	y = &plan.years[1];
	tap_near(y->cost_per_0p1pct_ne_usd, (y->cost.total_usd
		- plan.years[0].cost.total_usd) / (y->ne_gain_pct / 0.1),
		1e-12, "cost per 0.1%% NE is extra cost over NE gained");
	tap_ok(isnan(plan.years[0].cost_per_0p1pct_ne_usd),
		"the first year has no cost per 0.1%% NE");

	/* The cluster found is the smallest that meets the window. */
	y = &plan.years[0];
	memset(&in, 0, sizeof in);
	rs_workload_stats(&sc.workload, &st);
	in.stats = &st;
	in.hw = y->hw;
	in.dense_precision = sc.training.dense_precision;
	in.samples = y->data_samples * sc.data.epochs;
	in.window_s = sc.training.window_days * 86400.0;
	in.global_batch_samples = sc.training.global_batch_samples;
	in.use_host_memory = sc.training.use_host_memory;
	tap_ok(y->cluster.meets_window, "2026 cluster meets the window");
	rs_cluster_eval(&in, y->cluster.nodes - 1, &fewer);
	tap_ok(y->cluster.nodes <= y->cluster.nodes_for_memory
		|| !fewer.meets_window,
		"one node fewer would miss the window");
	/* On one node every exchange stays on NVLink: no scale-out term and
	 * no inter-node latency. */
	rs_cluster_eval(&in, 1, &fewer);
	{
		double link = y->hw->device_scaleup_bw_bytes_per_s.value
			* y->hw->network_efficiency_frac.value;
		double batch = in.global_batch_samples;

		tap_near(fewer.all_to_all_s, 2.0 * batch
			* st.pooled_bytes_per_sample * 7.0 / 8.0 / (8.0 * link),
			1e-12, "one-node all-to-all uses the scale-up links only");
		tap_near(fewer.all_reduce_s, 2.0 * st.dense_grad_bytes * 7.0
			/ 8.0 / link, 1e-12,
			"one-node all-reduce is the ring inside the node");
	}
	rs_scenario_free(&sc);
	return tap_done();
}
