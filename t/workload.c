/* The workload model on the MLPerf DLRM-DCNv2 configuration, whose
 * parameter counts, lookups and table sizes are known, and the four
 * scaling schemes. */
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "tap.h"

int main(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	struct rs_scenario sc;
	struct rs_workload w;
	struct rs_workload_stats st, grown;
	struct rs_error err;

	snprintf(path, sizeof path, "%s/scenarios/mlperf-dlrm-dcnv2.cfg",
		srcdir ? srcdir : ".");
	tap_plan(22);
	if (!tap_ok(rs_scenario_load(path, &sc, &err) == 0,
			"MLPerf DLRM-DCNv2 scenario loads")) {
		printf("# %s\n", err.msg);
		return 1;
	}
	rs_workload_stats(&sc.workload, &st);

	tap_ok(sc.workload.n_tables == 26, "MLPerf workload has 26 tables");
	/* 204,184,588 rows x 128 */
	tap_ok(st.params_embedding == 26135627264.0,
		"embedding parameters are exactly 26,135,627,264");
	tap_near(st.params_embedding, 26.14e9, 5e-4,
		"embedding parameters round to 26.14 B");
	tap_ok(st.lookups_per_sample == 214.0, "214 lookups per sample");
	tap_near(st.embedding_bytes, 104.5e9, 1e-3,
		"fp32 tables take about 104.5 GB");
	tap_ok(st.embedding_bytes == 4.0 * 26135627264.0,
		"fp32 tables take 4 bytes per parameter");
	tap_ok(st.embedding_optimizer_bytes == st.embedding_bytes,
		"exact Adagrad state is as large as the tables");
	/* bottom 171,392 + DCN 3 x (2 x 3456 x 512 + 3456) + top 5,245,953 */
	tap_ok(st.params_dense == 16044545.0,
		"dense parameters are 16,044,545");
	/* bottom 340,992 + DCN 21,264,768 + top 10,486,272 + pooling 27,392 */
	tap_ok(st.fwd_flops_per_sample == 32119424.0,
		"forward FLOPs per sample are 32,119,424");
	tap_ok(st.train_flops_per_sample == 3.0 * st.fwd_flops_per_sample,
		"training FLOPs are three times the forward FLOPs");
	/* 214 x (3 x 512 + 2 x 512): forward read, backward read and write
	 * of the row and of its Adagrad state */
	tap_ok(st.gather_bytes_per_sample == 214.0 * 5.0 * 512.0,
		"gathered bytes per sample count forward and update traffic");
	tap_ok(st.pooled_bytes_per_sample == 26.0 * 128.0 * 4.0,
		"all-to-all payload is one fp32 vector per table");
	tap_ok(rs_workload_top_input(&sc.workload) == 27.0 * 128.0,
		"DCNv2 feeds 27 vectors of 128 to the top MLP");

	tap_ok(rs_optimizer_state_bytes_per_row(RS_OPT_SGD, 128.0) == 0.0
		&& rs_optimizer_state_bytes_per_row(RS_OPT_ROWWISE_ADAGRAD,
			128.0) == 4.0
		&& rs_optimizer_state_bytes_per_row(RS_OPT_ADAM, 128.0)
			== 1024.0,
		"optimizer state per row: SGD 0, row-wise Adagrad 4 B, Adam "
		"two fp32 moments");

	rs_workload_copy(&w, &sc.workload);
	rs_workload_scale(&w, RS_SCHEME_EMBEDDING_ROWS, 2.0);
	rs_workload_stats(&w, &grown);
	tap_ok(grown.params_embedding == 2.0 * st.params_embedding,
		"doubling rows doubles embedding parameters");
	tap_ok(grown.train_flops_per_sample == st.train_flops_per_sample,
		"adding rows adds no FLOPs");
	rs_workload_free(&w);

	rs_workload_copy(&w, &sc.workload);
	rs_workload_scale(&w, RS_SCHEME_EMBEDDING_DIM, 2.0);
	rs_workload_stats(&w, &grown);
	tap_ok(grown.params_embedding == 2.0 * st.params_embedding,
		"doubling the dimension doubles embedding parameters");
	tap_ok(grown.train_flops_per_sample > st.train_flops_per_sample,
		"wider rows widen the interaction and add FLOPs");
	rs_workload_free(&w);

	rs_workload_copy(&w, &sc.workload);
	rs_workload_scale(&w, RS_SCHEME_TOP_MLP, 2.0);
	rs_workload_stats(&w, &grown);
	tap_ok(grown.params_embedding == st.params_embedding
		&& grown.params_dense > st.params_dense,
		"a wider top MLP adds dense parameters only");
	rs_workload_free(&w);

	rs_workload_copy(&w, &sc.workload);
	rs_workload_scale(&w, RS_SCHEME_ALL_MLP, 2.0);
	rs_workload_stats(&w, &grown);
	tap_ok(w.bottom_mlp[w.n_bottom - 1] == 128.0
		&& w.top_mlp[w.n_top - 1] == 1.0,
		"MLP scaling keeps the bottom output and the logit width");
	tap_ok(grown.fwd_flops_per_sample > 2.0 * st.fwd_flops_per_sample,
		"doubling every MLP more than doubles forward FLOPs");
	rs_workload_free(&w);

	rs_scenario_free(&sc);
	return tap_done();
}
