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
