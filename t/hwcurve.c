/* The gather-efficiency curve of a hardware profile: loading, checks on
 * bad curves, interpolation against values worked out by hand, and its use
 * by the cluster model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "hwprofile.h"
#include "workload.h"
#include "tap.h"

#define MIB 1048576.0
#define GIB (1024.0 * MIB)

static char base[65536];
static char dir[] = "/tmp/recscale-hwcurve-XXXXXX";

/* hwprofiles/genoa-2s.cfg, which has no curve, as the base of every
 * profile written here. */
static int read_base(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/hwprofiles/genoa-2s.cfg",
		srcdir ? srcdir : ".");
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(base, 1, sizeof base - 1, f);
	base[n] = '\0';
	fclose(f);
	return n > 0 ? 0 : -1;
}

/* Load the base profile with extra appended; returns what rs_hw_load
 * returns. */
static int load_with(const char *extra, struct rs_hwprofile *hw,
	struct rs_error *err)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/curve.cfg", dir);
	f = fopen(path, "w");
	if (f == NULL) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	fprintf(f, "%s\n%s", base, extra);
	fclose(f);
	return rs_hw_load(path, hw, err);
}

/* Footprints 1 MiB and 1 GiB, rows of 64 and 1024 bytes, listed out of
 * order. */
static const char *const curve =
	"gather_efficiency_curve = (\n"
	"    (1073741824.0, 1024.0, 0.6),\n"
	"    (1048576.0, 64.0, 2.0),\n"
	"    (1073741824.0, 64, 0.2),\n"
	"    (1048576, 1024.0, 4.0)\n"
	");\n"
	"gather_efficiency_curve_source = \"test values\";\n";

static void test_interpolation(void)
{
	struct rs_hwprofile hw;
	struct rs_error err;

	if (load_with(curve, &hw, &err) < 0) {
		tap_ok(0, "a profile with a curve loads");
		printf("# %s\n", err.msg);
		for (int i = 0; i < 8; i++)
			tap_ok(0, "curve value (profile did not load)");
		return;
	}
	tap_ok(hw.gather_curve.n_footprints == 2
		&& hw.gather_curve.n_row_sizes == 2,
		"a profile with a curve loads, 2 footprints x 2 row sizes");
	tap_near(rs_hw_curve_efficiency(&hw, MIB, 64.0), 2.0, 1e-12,
		"a grid point gives its own value");
	tap_near(rs_hw_curve_efficiency(&hw, GIB, 1024.0), 0.6, 1e-12,
		"the opposite grid point gives its own value");
	tap_near(rs_hw_curve_efficiency(&hw, 32.0 * MIB, 64.0), 1.1, 1e-12,
		"32 MiB, the geometric middle of 1 MiB and 1 GiB, averages");
	tap_near(rs_hw_curve_efficiency(&hw, MIB, 256.0), 3.0, 1e-12,
		"256 B, the geometric middle of 64 B and 1 KiB, averages");
	tap_near(rs_hw_curve_efficiency(&hw, 32.0 * MIB, 256.0), 1.7, 1e-12,
		"the middle of both axes averages the four corners");
	tap_near(rs_hw_curve_efficiency(&hw, 1024.0, 16.0), 2.0, 1e-12,
		"below both axes the curve holds its first value");
	tap_near(rs_hw_curve_efficiency(&hw, 1024.0 * GIB, 4096.0), 0.6,
		1e-12, "above both axes the curve holds its last value");
	tap_ok(strcmp(hw.gather_curve.source, "test values") == 0,
		"the curve keeps its source");
	rs_hw_free(&hw);
}

static void test_no_curve(void)
{
	struct rs_hwprofile hw;
	struct rs_error err;

	tap_ok(load_with("", &hw, &err) == 0
		&& rs_hw_curve_efficiency(&hw, MIB, 64.0) == -1.0,
		"a profile without a curve loads and reports none");
	rs_hw_free(&hw);
}

struct bad_curve {
	const char *text;
	const char *message;	/* a part of the error */
	const char *name;
};

static const struct bad_curve bad_curves[] = {
	{ "gather_efficiency_curve = ((1048576.0, 64.0, 2.0),\n"
	  "  (1073741824.0, 1024.0, 0.6));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "cover every pair", "a curve missing two grid points" },
	{ "gather_efficiency_curve = ((1048576.0, 64.0, 2.0),\n"
	  "  (1048576.0, 64.0, 2.5));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "appear twice", "a point given twice" },
	{ "gather_efficiency_curve = ((1048576.0, 64.0));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "not three numbers", "a pair instead of a triple" },
	{ "gather_efficiency_curve = ((1048576.0, 64.0, 0.0));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "efficiency 0 is out of range", "an efficiency of 0" },
	{ "gather_efficiency_curve = ((1048576.0, \"64\", 1.0));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "row bytes, the second item, is not a number",
	  "a row size in quotes" },
	{ "gather_efficiency_curve = ((1048576.0, 72.5, 1.0));\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "72.5 is not a whole number", "a row size with a fraction" },
	{ "gather_efficiency_curve = ((1048576.0, 64.0, 1.0));\n"
	  "gather_efficiency_curve_source = \"\";\n",
	  "is empty", "an empty curve source" },
	{ "gather_efficiency_curve_source = \"x\";\n",
	  "a source without gather_efficiency_curve",
	  "a curve source without a curve" },
	{ "gather_efficiency_curve = ((1048576.0, 64.0, 1.0));\n",
	  "gather_efficiency_curve_source", "a curve without a source" },
	{ "gather_efficiency_curve = ();\n"
	  "gather_efficiency_curve_source = \"x\";\n",
	  "expected a list", "an empty curve" },
};
#define N_BAD ((int)(sizeof bad_curves / sizeof bad_curves[0]))

static void test_bad_curves(void)
{
	for (int i = 0; i < N_BAD; i++) {
		struct rs_hwprofile hw;
		struct rs_error err = { "" };
		int rc = load_with(bad_curves[i].text, &hw, &err);

		tap_ok(rc < 0, "%s is rejected", bad_curves[i].name);
		tap_ok(strstr(err.msg, bad_curves[i].message) != NULL
			&& strstr(err.msg, "curve.cfg:") != NULL,
			"%s: the message names the file and says \"%s\"",
			bad_curves[i].name, bad_curves[i].message);
		if (rc == 0)
			rs_hw_free(&hw);
		else
			printf("# %s\n", err.msg);
	}
}

/* One table of 2^24 rows of 64 fp32 elements (256 B rows, 4 GiB), SGD,
 * on one node of the profile.  The device gather term must be batch x
 * pooling x 3 x 256 B / (devices x bandwidth x efficiency), with the
 * curve's efficiency at 256 B and the footprint per device. */
static void test_cluster(void)
{
	struct rs_table table = { 16777216.0, 64.0, 10.0, 4.0, 0.0 };
	struct rs_workload w;
	struct rs_workload_stats st;
	struct rs_hwprofile hw;
	struct rs_cluster_input in;
	struct rs_cluster_result with, without;
	struct rs_error err;
	double footprint, want;

	memset(&w, 0, sizeof w);
	w.n_tables = 1;
	w.tables = &table;
	w.n_dense_features = 13.0;
	w.n_bottom = 2;
	w.bottom_mlp[0] = 128.0;
	w.bottom_mlp[1] = 64.0;
	w.n_top = 2;
	w.top_mlp[0] = 64.0;
	w.top_mlp[1] = 1.0;
	w.optimizer = RS_OPT_SGD;
	w.activation_bytes = 4.0;
	rs_workload_stats(&w, &st);

	if (load_with(curve, &hw, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	memset(&in, 0, sizeof in);
	in.stats = &st;
	in.workload = &w;
	in.hw = &hw;
	in.dense_precision = "fp32";
	in.samples = 1e9;
	in.window_s = 1e9;
	in.global_batch_samples = 65536.0;
	rs_cluster_eval(&in, 1, &with);
	footprint = with.device_state_bytes_per_device;
	want = 65536.0 * 10.0 * 3.0 * 256.0 / (hw.n_devices.value
		* hw.device_memory_bw_bytes_per_s.value
		* rs_hw_curve_efficiency(&hw, footprint, 256.0));
	tap_near(footprint, 4.0 * GIB / hw.n_devices.value, 1e-12,
		"each of the node's devices holds its share of the 4 GiB table");
	tap_near(with.gather_s, want, 1e-12,
		"the gather term divides each table's bytes by the curve");

	in.workload = NULL;
	rs_cluster_eval(&in, 1, &without);
	want = 65536.0 * (10.0 * 3.0 * 256.0 + st.gather_accesses_per_sample
		* hw.gather_row_overhead_bytes.value) / (hw.n_devices.value
		* hw.device_memory_bw_bytes_per_s.value
		* hw.gather_efficiency_frac.value);
	tap_near(without.gather_s, want, 1e-12,
		"without the workload the scalar efficiency and overhead apply");
	rs_hw_free(&hw);
}

int main(void)
{
	char path[4200];

	tap_plan(9 + 1 + 2 * N_BAD + 3);
	if (read_base() < 0 || mkdtemp(dir) == NULL) {
		printf("Bail out! cannot read hwprofiles/genoa-2s.cfg or make "
			"a directory\n");
		return 1;
	}
	test_interpolation();
	test_no_curve();
	test_bad_curves();
	test_cluster();
	snprintf(path, sizeof path, "%s/curve.cfg", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
