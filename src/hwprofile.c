/* Loading hardware profiles; the field table drives loading and display. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hwprofile.h"
#include "searchpath.h"

#define FIELD(k, u, lo, hi, integer, m) \
	{ #k, u, lo, hi, integer, offsetof(struct rs_hwprofile, k), m }

const struct rs_hw_field rs_hw_fields[] = {
	FIELD(year_available, "year", 1990, 2100, 1,
		"first year the node can be bought in volume"),
	FIELD(n_devices, "devices", 1, 1024, 1,
		"accelerators (or CPU sockets) per node"),
	FIELD(device_memory_bytes, "bytes", 1, 1e15, 0,
		"memory capacity of one device (HBM, or DDR per socket)"),
	FIELD(device_memory_bw_bytes_per_s, "bytes/s", 1, 1e15, 0,
		"peak memory bandwidth of one device"),
	FIELD(device_peak_fp32_flops_per_s, "FLOP/s", 0, 1e18, 0,
		"peak dense fp32 FLOP/s of one device"),
	FIELD(device_peak_bf16_flops_per_s, "FLOP/s", 0, 1e18, 0,
		"peak dense bf16 FLOP/s of one device (0: not supported)"),
	FIELD(device_peak_fp8_flops_per_s, "FLOP/s", 0, 1e18, 0,
		"peak dense fp8 FLOP/s of one device (0: not supported)"),
	FIELD(device_scaleup_bw_bytes_per_s, "bytes/s", 0, 1e15, 0,
		"scale-up (NVLink, Infinity Fabric) bandwidth of one device, "
		"per direction"),
	FIELD(host_memory_bytes, "bytes", 0, 1e16, 0,
		"host DDR capacity of the node usable for embeddings"),
	FIELD(host_memory_bw_bytes_per_s, "bytes/s", 0, 1e15, 0,
		"peak host DDR bandwidth of the node"),
	FIELD(host_device_bw_bytes_per_s, "bytes/s", 0, 1e15, 0,
		"host-to-device link (PCIe) bandwidth of one device, per "
		"direction"),
	FIELD(node_scaleout_bw_bytes_per_s, "bytes/s", 1, 1e15, 0,
		"scale-out network bandwidth of the node, all NICs, per "
		"direction"),
	FIELD(n_nics, "NICs", 1, 1024, 1, "scale-out NICs per node"),
	FIELD(network_latency_s, "s", 0, 1, 0,
		"latency of one collective step across nodes"),
	FIELD(node_power_w, "W", 1, 1e7, 0, "maximum power of the node"),
	FIELD(power_avg_frac, "fraction", 0.01, 1, 0,
		"average draw while training, as a fraction of maximum"),
	FIELD(device_price_usd, "USD", 0, 1e9, 0,
		"purchase price of one device"),
	FIELD(server_cost_factor, "factor", 1, 10, 0,
		"node price over the price of its devices (CPUs, memory, "
		"chassis, NICs)"),
	FIELD(node_cloud_usd_per_hour, "USD/h", 0, 1e6, 0,
		"cloud rental price of one node per hour"),
	FIELD(dense_efficiency_frac, "fraction", 0.001, 1, 0,
		"achieved fraction of peak FLOP/s for the dense layers"),
	FIELD(gather_efficiency_frac, "fraction", 0.001, 1, 0,
		"achieved fraction of device memory bandwidth for embedding "
		"gathers"),
	FIELD(host_gather_efficiency_frac, "fraction", 0.001, 1, 0,
		"achieved fraction of host-to-device bandwidth for gathers of "
		"rows held in host memory"),
	FIELD(gather_row_overhead_bytes, "bytes", 0, 1e6, 0,
		"fixed cost of one row access in bytes of bandwidth, so a row "
		"of b bytes reaches b / (b + overhead) of the gather rate"),
	FIELD(network_efficiency_frac, "fraction", 0.001, 1, 0,
		"achieved fraction of link bandwidth for collectives"),
	FIELD(memory_reserve_frac, "fraction", 0, 0.99, 0,
		"device memory kept for activations and buffers"),
	FIELD(overlap_frac, "fraction", 0, 1, 0,
		"share of the shorter of computation and communication hidden "
		"under the longer"),
};

const int rs_hw_n_fields = sizeof rs_hw_fields / sizeof rs_hw_fields[0];

const struct rs_sourced *rs_hw_value(const struct rs_hwprofile *hw,
	const struct rs_hw_field *field)
{
	return (const struct rs_sourced *)((const char *)hw + field->offset);
}

/* Find x in the ascending axis[0..*n), or insert it in order.  Returns its
 * index, or -1 when x is new and the axis is full. */
static int axis_slot(double *axis, int *n, double x)
{
	int i = 0;

	while (i < *n && axis[i] < x)
		i++;
	if (i < *n && axis[i] == x)
		return i;
	if (*n == RS_HW_MAX_CURVE_AXIS)
		return -1;
	memmove(&axis[i + 1], &axis[i], (size_t)(*n - i) * sizeof axis[0]);
	axis[i] = x;
	(*n)++;
	return i;
}

static int curve_number(const struct rs_conf *conf,
	const config_setting_t *triple, int k, double min, double max,
	double *out, struct rs_error *err)
{
	static const char *const names[] = { "footprint bytes", "row bytes",
		"efficiency" };
	static const char *const ordinals[] = { "first", "second", "third" };
	const config_setting_t *e = config_setting_get_elem(triple,
		(unsigned)k);
	int type = config_setting_type(e);

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64
	    && type != CONFIG_TYPE_FLOAT)
		return rs_conf_fail(conf, triple, NULL, NULL, err, "%s, the "
			"%s item, is not a number; write it without quotes",
			names[k], ordinals[k]);
	*out = type == CONFIG_TYPE_FLOAT ? config_setting_get_float(e)
		: (double)config_setting_get_int64(e);
	if (!(*out >= min && *out <= max))
		return rs_conf_fail(conf, triple, NULL, NULL, err, "%s %g is "
			"out of range; give a number from %g to %g", names[k],
			*out, min, max);
	if (k < 2 && *out != floor(*out))
		return rs_conf_fail(conf, triple, NULL, NULL, err, "%s %.17g is "
			"not a whole number of bytes", names[k], *out);
	return 0;
}

/* The optional gather_efficiency_curve: a list of (footprint bytes, row
 * bytes, efficiency) triples covering every pair of a footprint and a row
 * size once. */
static int load_curve(const struct rs_conf *conf,
	const config_setting_t *root, struct rs_gather_curve *c,
	struct rs_error *err)
{
	const char *key = "gather_efficiency_curve";
	const config_setting_t *list = config_setting_get_member(root, key);
	double f[RS_HW_MAX_CURVE_AXIS * RS_HW_MAX_CURVE_AXIS];
	double r[RS_HW_MAX_CURVE_AXIS * RS_HW_MAX_CURVE_AXIS];
	double e[RS_HW_MAX_CURVE_AXIS * RS_HW_MAX_CURVE_AXIS];
	int seen[RS_HW_MAX_CURVE_AXIS][RS_HW_MAX_CURVE_AXIS] = { { 0 } };
	int n;
	char source_key[64];

	snprintf(source_key, sizeof source_key, "%s_source", key);
	if (list == NULL) {
		if (config_setting_get_member(root, source_key) != NULL)
			return rs_conf_fail(conf, config_setting_get_member(root,
				source_key), NULL, NULL, err, "a source without "
				"%s; add the curve or remove this line", key);
		return 0;
	}
	n = config_setting_is_list(list) || config_setting_is_array(list)
		? config_setting_length(list) : -1;
	if (n < 1 || n > RS_HW_MAX_CURVE_AXIS * RS_HW_MAX_CURVE_AXIS)
		return rs_conf_fail(conf, list, NULL, NULL, err, "expected a "
			"list of 1 to %d (footprint bytes, row bytes, "
			"efficiency) triples in parentheses",
			RS_HW_MAX_CURVE_AXIS * RS_HW_MAX_CURVE_AXIS);
	if (rs_conf_dup_string(conf, root, source_key, &c->source, err) < 0)
		return -1;
	if (c->source[0] == '\0')
		return rs_conf_fail(conf, config_setting_get_member(root,
			source_key), NULL, NULL, err, "is empty; name where the "
			"curve comes from, or start with \"assumption:\"");
	for (int i = 0; i < n; i++) {
		const config_setting_t *t = config_setting_get_elem(list,
			(unsigned)i);

		if (!(config_setting_is_list(t) || config_setting_is_array(t))
		    || config_setting_length(t) != 3)
			return rs_conf_fail(conf, t, NULL, NULL, err, "point "
				"%d of %d is not three numbers; write it as "
				"(footprint bytes, row bytes, efficiency)", i + 1,
				n);
		if (curve_number(conf, t, 0, 1.0, 1e18, &f[i], err) < 0
		    || curve_number(conf, t, 1, 1.0, 1e9, &r[i], err) < 0
		    || curve_number(conf, t, 2, 1e-6, 100.0, &e[i], err) < 0)
			return -1;
	}
	for (int i = 0; i < n; i++) {
		int a = axis_slot(c->footprint_bytes, &c->n_footprints, f[i]);
		int b = axis_slot(c->row_bytes, &c->n_row_sizes, r[i]);

		if (a < 0 || b < 0)
			return rs_conf_fail(conf, list, NULL, NULL, err, "more "
				"than %d distinct %s; the curve is a grid of at "
				"most %d footprints by %d row sizes, so drop "
				"some points", RS_HW_MAX_CURVE_AXIS, a < 0
				? "footprints" : "row sizes", RS_HW_MAX_CURVE_AXIS,
				RS_HW_MAX_CURVE_AXIS);
	}
	for (int i = 0; i < n; i++) {
		int a = axis_slot(c->footprint_bytes, &c->n_footprints, f[i]);
		int b = axis_slot(c->row_bytes, &c->n_row_sizes, r[i]);

		if (seen[a][b]++)
			return rs_conf_fail(conf, config_setting_get_elem(list,
				(unsigned)i), NULL, NULL, err, "footprint %.0f "
				"bytes and row size %.0f bytes appear twice; "
				"keep one",
				f[i], r[i]);
		c->efficiency[a][b] = e[i];
	}
	for (int a = 0; a < c->n_footprints; a++)
		for (int b = 0; b < c->n_row_sizes; b++)
			if (!seen[a][b])
				return rs_conf_fail(conf, list, NULL, NULL, err,
					"no point for footprint %.0f bytes and "
					"row size %.0f bytes; the points must "
					"cover every pair of a footprint and a "
					"row size",
					c->footprint_bytes[a], c->row_bytes[b]);
	return 0;
}

/* Locate x on the ascending axis: the cell below it and the weight of the
 * cell above, in the logarithm of x, held at the ends. */
static void locate(const double *axis, int n, double x, int *lo, double *w)
{
	int i = 0;

	if (n == 1 || x <= axis[0]) {
		*lo = 0;
		*w = 0.0;
		return;
	}
	if (x >= axis[n - 1]) {
		*lo = n - 2;
		*w = 1.0;
		return;
	}
	while (axis[i + 1] < x)
		i++;
	*lo = i;
	*w = log(x / axis[i]) / log(axis[i + 1] / axis[i]);
}

double rs_hw_curve_efficiency(const struct rs_hwprofile *hw,
	double footprint_bytes, double row_bytes)
{
	const struct rs_gather_curve *c = &hw->gather_curve;
	int a, b, a1, b1;
	double u, v;

	if (c->n_footprints == 0)
		return -1.0;
	locate(c->footprint_bytes, c->n_footprints, footprint_bytes, &a, &u);
	locate(c->row_bytes, c->n_row_sizes, row_bytes, &b, &v);
	a1 = c->n_footprints > 1 ? a + 1 : a;
	b1 = c->n_row_sizes > 1 ? b + 1 : b;
	return (1.0 - u) * ((1.0 - v) * c->efficiency[a][b]
			+ v * c->efficiency[a][b1])
		+ u * ((1.0 - v) * c->efficiency[a1][b]
			+ v * c->efficiency[a1][b1]);
}

int rs_hw_load(const char *path, struct rs_hwprofile *hw, struct rs_error *err)
{
	const char *keys[64];
	struct rs_conf conf;
	const config_setting_t *root;
	int n = 0, rc = -1;

	memset(hw, 0, sizeof *hw);
	keys[n++] = "description";
	keys[n++] = "device";
	keys[n++] = "kind";
	keys[n++] = "gather_efficiency_curve";
	for (int i = 0; i < rs_hw_n_fields; i++)
		keys[n++] = rs_hw_fields[i].key;
	keys[n] = NULL;

	if (rs_conf_open(&conf, path, err) < 0)
		return -1;
	root = rs_conf_root(&conf);
	hw->path = strdup(path);
	hw->name = rs_name_from_path(path);
	if (hw->path == NULL || hw->name == NULL) {
		rs_fail(err, "out of memory");
		goto out;
	}
	if (rs_conf_check_keys(&conf, root, keys, err) < 0
	    || rs_conf_dup_string(&conf, root, "description", &hw->description, err) < 0
	    || rs_conf_dup_string(&conf, root, "device", &hw->device, err) < 0
	    || rs_conf_dup_string(&conf, root, "kind", &hw->kind, err) < 0)
		goto out;
	if (strcmp(hw->kind, "gpu") != 0 && strcmp(hw->kind, "cpu") != 0) {
		rs_conf_fail(&conf, config_setting_get_member(root, "kind"),
			NULL, NULL, err, "kind \"%s\" is not known; write "
			"\"gpu\" (accelerators) or \"cpu\" (CPU sockets)",
			hw->kind);
		goto out;
	}
	for (int i = 0; i < rs_hw_n_fields; i++) {
		const struct rs_hw_field *f = &rs_hw_fields[i];
		struct rs_sourced *v = (struct rs_sourced *)((char *)hw
			+ f->offset);

		if (rs_conf_sourced(&conf, root, f->key, f->min, f->max, v,
				err) < 0)
			goto out;
		if (f->integer && v->value != floor(v->value)) {
			rs_conf_fail(&conf, config_setting_get_member(root,
				f->key), NULL, NULL, err, "value %g is not a "
				"whole number; give a count", v->value);
			goto out;
		}
	}
	if (hw->n_devices.value > 1.0
	    && hw->device_scaleup_bw_bytes_per_s.value <= 0.0) {
		rs_conf_fail(&conf, config_setting_get_member(root,
			"device_scaleup_bw_bytes_per_s"), NULL, NULL, err,
			"value is 0 but the node has %g devices, which exchange "
			"over this link; give its bandwidth",
			hw->n_devices.value);
		goto out;
	}
	if (hw->host_memory_bytes.value > 0.0
	    && (hw->host_device_bw_bytes_per_s.value <= 0.0
		|| hw->host_memory_bw_bytes_per_s.value <= 0.0)) {
		rs_conf_fail(&conf, config_setting_get_member(root,
			hw->host_device_bw_bytes_per_s.value <= 0.0
			? "host_device_bw_bytes_per_s"
			: "host_memory_bw_bytes_per_s"), NULL, NULL, err,
			"value is 0 but host_memory_bytes is not, and embeddings "
			"in host memory are read over this path; give its "
			"bandwidth, or set host_memory_bytes = 0");
		goto out;
	}
	if (load_curve(&conf, root, &hw->gather_curve, err) < 0)
		goto out;
	if (hw->device_peak_fp32_flops_per_s.value <= 0.0) {
		rs_conf_fail(&conf, config_setting_get_member(root,
			"device_peak_fp32_flops_per_s"), NULL, NULL, err,
			"value is 0; every device needs a positive fp32 peak");
		goto out;
	}
	rc = 0;
out:
	rs_conf_close(&conf);
	if (rc < 0)
		rs_hw_free(hw);
	return rc;
}

void rs_hw_free(struct rs_hwprofile *hw)
{
	for (int i = 0; i < rs_hw_n_fields; i++)
		rs_sourced_free((struct rs_sourced *)((char *)hw
			+ rs_hw_fields[i].offset));
	free(hw->path);
	free(hw->name);
	free(hw->description);
	free(hw->device);
	free(hw->kind);
	free(hw->gather_curve.source);
	memset(hw, 0, sizeof *hw);
}

double rs_hw_peak_flops(const struct rs_hwprofile *hw, const char *precision)
{
	if (strcmp(precision, "fp32") == 0)
		return hw->device_peak_fp32_flops_per_s.value;
	if (strcmp(precision, "bf16") == 0 || strcmp(precision, "fp16") == 0)
		return hw->device_peak_bf16_flops_per_s.value;
	if (strcmp(precision, "fp8") == 0)
		return hw->device_peak_fp8_flops_per_s.value;
	return -1.0;
}

double rs_hw_node_price_usd(const struct rs_hwprofile *hw)
{
	return hw->n_devices.value * hw->device_price_usd.value
		* hw->server_cost_factor.value;
}

/* The checks that involve two values, for values changed after loading:
 * the same rules rs_hw_load applies with file and line. */
static int check_links(const struct rs_hwprofile *hw, struct rs_error *err)
{
	if (hw->n_devices.value > 1.0
	    && hw->device_scaleup_bw_bytes_per_s.value <= 0.0)
		return rs_fail(err, "device_scaleup_bw_bytes_per_s is 0 but the "
			"node has %g devices, which exchange over this link; "
			"give its bandwidth", hw->n_devices.value);
	if (hw->host_memory_bytes.value > 0.0
	    && (hw->host_device_bw_bytes_per_s.value <= 0.0
		|| hw->host_memory_bw_bytes_per_s.value <= 0.0))
		return rs_fail(err, "a host bandwidth is 0 but "
			"host_memory_bytes is not, and embeddings in host "
			"memory are read over it; give its bandwidth, or set "
			"host_memory_bytes = 0");
	if (hw->device_peak_fp32_flops_per_s.value <= 0.0)
		return rs_fail(err, "device_peak_fp32_flops_per_s is 0; every "
			"device needs a positive fp32 peak");
	return 0;
}

int rs_hw_set(struct rs_hwprofile *hw, const char *key, double value,
	struct rs_error *err)
{
	for (int i = 0; i < rs_hw_n_fields; i++) {
		const struct rs_hw_field *f = &rs_hw_fields[i];
		struct rs_sourced *v = (struct rs_sourced *)((char *)hw
			+ f->offset);
		char source[160];

		if (strcmp(f->key, key) != 0)
			continue;
		if (!(value >= f->min && value <= f->max))
			return rs_fail(err, "%s = %g is out of range; give a "
				"value from %g to %g (%s)", key, value, f->min,
				f->max, f->unit);
		if (f->integer && value != floor(value))
			return rs_fail(err, "%s = %g is not a whole number", key,
				value);
		snprintf(source, sizeof source, "override: %s = %g given on "
			"the command line", key, value);
		free(v->source);
		v->source = strdup(source);
		v->value = value;
		if (v->source == NULL)
			return rs_fail(err, "out of memory");
		return check_links(hw, err);
	}
	return rs_fail(err, "%s is not a hardware profile value; `recscale hw "
		"show NAME` lists them", key);
}
