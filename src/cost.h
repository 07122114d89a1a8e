/* The yearly cost of a plan: amortised hardware, energy and storage.
 *
 *   hardware = nodes * node_price / (1 - interconnect_share) / lifetime
 *   energy   = nodes * node_power * power_avg_frac * pue
 *              * hours_per_year * utilization * usd_per_kwh
 *   storage  = retained_bytes / 1e15 * usd_per_pb_month * 12
 *
 * node_price comes from the profile (devices x device price x server cost
 * factor); the interconnect share is the network's part of cluster cost.
 */
#ifndef RS_COST_H
#define RS_COST_H

#include "hwprofile.h"

/* Average Julian year: 365.25 days. */
#define RS_HOURS_PER_YEAR 8766.0

struct rs_cost_params {
	double lifetime_years;
	double interconnect_share_frac;
	double pue;
	double usd_per_kwh;
	double utilization_frac;	/* share of the year the cluster draws
					 * training power */
	double storage_usd_per_pb_month;
};

struct rs_cost {
	double hardware_usd;
	double energy_usd;
	double storage_usd;
	double total_usd;
};

void rs_cost_year(const struct rs_cost_params *p,
	const struct rs_hwprofile *hw, long long nodes, double retained_bytes,
	struct rs_cost *out);

#endif
