/* Yearly cost arithmetic on a hand-computed case. */
#include <string.h>

#include "cost.h"
#include "tap.h"

int main(void)
{
	struct rs_hwprofile hw;
	struct rs_cost_params p = {
		.lifetime_years = 5.0,
		.interconnect_share_frac = 0.2,
		.pue = 1.2,
		.usd_per_kwh = 0.1,
		.utilization_frac = 0.5,
		.storage_usd_per_pb_month = 20000.0,
	};
	struct rs_cost c;

	memset(&hw, 0, sizeof hw);
	hw.n_devices.value = 8.0;
	hw.device_price_usd.value = 25000.0;
	hw.server_cost_factor.value = 1.5;
	hw.node_power_w.value = 10000.0;
	hw.power_avg_frac.value = 0.75;

	tap_plan(6);
	tap_near(rs_hw_node_price_usd(&hw), 300000.0, 1e-12,
		"node price is 8 x 25,000 x 1.5");
	rs_cost_year(&p, &hw, 10, 2.0e15, &c);
	/* 10 nodes x 300,000 / (1 - 0.2) / 5 years */
	tap_near(c.hardware_usd, 750000.0, 1e-12,
		"hardware is amortised with the interconnect share");
	/* 10 x 10 kW x 0.75 x 1.2 PUE x 8766 h x 0.5 x 0.1 USD/kWh */
	tap_near(c.energy_usd, 39447.0, 1e-12,
		"energy counts average draw, PUE and utilization");
	/* 2 PB x 20,000 USD per PB-month x 12 */
	tap_near(c.storage_usd, 480000.0, 1e-12,
		"storage is priced per PB-month");
	tap_near(c.total_usd, 1269447.0, 1e-12, "total is the sum of parts");
	rs_cost_year(&p, &hw, 0, 0.0, &c);
	tap_ok(c.total_usd == 0.0, "no nodes and no data cost nothing");
	return tap_done();
}
