/* Yearly cost arithmetic; the formulas are in cost.h. */
#include "cost.h"

void rs_cost_year(const struct rs_cost_params *p,
	const struct rs_hwprofile *hw, long long nodes, double retained_bytes,
	struct rs_cost *out)
{
	double n = (double)nodes;
	double kwh = n * hw->node_power_w.value * hw->power_avg_frac.value
		/ 1000.0 * p->pue * RS_HOURS_PER_YEAR * p->utilization_frac;

	out->hardware_usd = n * rs_hw_node_price_usd(hw)
		/ (1.0 - p->interconnect_share_frac) / p->lifetime_years;
	out->energy_usd = kwh * p->usd_per_kwh;
	out->storage_usd = retained_bytes / 1e15 * p->storage_usd_per_pb_month
		* 12.0;
	out->total_usd = out->hardware_usd + out->energy_usd
		+ out->storage_usd;
}
