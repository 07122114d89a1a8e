/* Hardware profiles: one training node and the efficiency factors the
 * cluster model applies to its peak figures.
 *
 * Every number carries its source in a "<key>_source" string; a value that
 * no source gives starts its source with "assumption:".  Bandwidths are per
 * direction.  rs_hw_fields lists every numeric key with its unit and range,
 * so loading, `recscale hw show` and the man page stay in step.
 */
#ifndef RS_HWPROFILE_H
#define RS_HWPROFILE_H

#include <stddef.h>

#include "conf.h"
#include "error.h"

/* Measured gather efficiency by footprint and row size, optional in a
 * profile: a full grid of (footprint bytes per device, row bytes,
 * efficiency) triples.  The efficiency is the gathered bytes per second
 * over device_memory_bw_bytes_per_s, so it includes the per-row costs that
 * gather_row_overhead_bytes stands for, and may exceed 1 where the rows
 * fit in caches.  recscale calibrate writes one. */
#define RS_HW_MAX_CURVE_AXIS 16

struct rs_gather_curve {
	int n_footprints, n_row_sizes;	/* 0: the profile has no curve */
	double footprint_bytes[RS_HW_MAX_CURVE_AXIS];	/* ascending */
	double row_bytes[RS_HW_MAX_CURVE_AXIS];		/* ascending */
	double efficiency[RS_HW_MAX_CURVE_AXIS][RS_HW_MAX_CURVE_AXIS];
	char *source;
};

struct rs_hwprofile {
	char *path;
	char *name;		/* file name without ".cfg", e.g. "h100-hgx" */
	char *description;
	char *device;		/* "NVIDIA H100 SXM5 80GB" */
	char *kind;		/* "gpu" or "cpu" */

	struct rs_sourced year_available;
	struct rs_sourced n_devices;
	struct rs_sourced device_memory_bytes;
	struct rs_sourced device_memory_bw_bytes_per_s;
	struct rs_sourced device_peak_fp32_flops_per_s;
	struct rs_sourced device_peak_bf16_flops_per_s;
	struct rs_sourced device_peak_fp8_flops_per_s;
	struct rs_sourced device_scaleup_bw_bytes_per_s;
	struct rs_sourced host_memory_bytes;
	struct rs_sourced host_memory_bw_bytes_per_s;
	struct rs_sourced host_device_bw_bytes_per_s;
	struct rs_sourced node_scaleout_bw_bytes_per_s;
	struct rs_sourced n_nics;
	struct rs_sourced network_latency_s;
	struct rs_sourced node_power_w;
	struct rs_sourced power_avg_frac;
	struct rs_sourced device_price_usd;
	struct rs_sourced server_cost_factor;
	struct rs_sourced node_cloud_usd_per_hour;
	struct rs_sourced dense_efficiency_frac;
	struct rs_sourced gather_efficiency_frac;
	struct rs_sourced host_gather_efficiency_frac;
	struct rs_sourced gather_row_overhead_bytes;
	struct rs_sourced network_efficiency_frac;
	struct rs_sourced memory_reserve_frac;
	struct rs_sourced overlap_frac;
	struct rs_gather_curve gather_curve;
};

struct rs_hw_field {
	const char *key;
	const char *unit;
	double min, max;
	int integer;		/* the value must be a whole number */
	size_t offset;		/* of the struct rs_sourced in the profile */
	const char *meaning;
};

extern const struct rs_hw_field rs_hw_fields[];
extern const int rs_hw_n_fields;

/* Load the profile at path; name is taken from the file name. */
int rs_hw_load(const char *path, struct rs_hwprofile *hw, struct rs_error *err);
void rs_hw_free(struct rs_hwprofile *hw);

const struct rs_sourced *rs_hw_value(const struct rs_hwprofile *hw,
	const struct rs_hw_field *field);

/* Peak dense FLOP/s of one device at precision ("fp32", "bf16", "fp8");
 * 0 when the device lacks it, -1 for an unknown precision name. */
double rs_hw_peak_flops(const struct rs_hwprofile *hw, const char *precision);

/* Replace the value of the numeric field key, marking its source as an
 * override. */
int rs_hw_set(struct rs_hwprofile *hw, const char *key, double value,
	struct rs_error *err);

/* The gather efficiency of rows of row_bytes from footprint_bytes of
 * embedding state per device: interpolated in the logarithms of both on
 * the profile's curve, and held at its edges outside it.  Returns -1
 * when the profile has no curve. */
double rs_hw_curve_efficiency(const struct rs_hwprofile *hw,
	double footprint_bytes, double row_bytes);

/* Purchase price of one node: devices x device price x server factor. */
double rs_hw_node_price_usd(const struct rs_hwprofile *hw);

#endif
