/* Sizing a cluster for one training job; the step model is in cluster.h. */
#include <math.h>
#include <string.h>

#include "cluster.h"

const char *const rs_binding_names[RS_N_BINDINGS] = {
	"memory", "dense_compute", "embedding_gather", "network",
	"storage_read"
};

/* Search no further than this many nodes. */
#define MAX_NODES 1000000LL
/* A doubling of the cluster that shortens training by less than this
 * share is not worth buying. */
#define MIN_DOUBLING_GAIN 0.05

/* Device memory per node left for embedding state after the reserve and
 * one dense replica per device. */
static double device_capacity_per_node(const struct rs_cluster_input *in)
{
	const struct rs_hwprofile *hw = in->hw;
	double per_device = hw->device_memory_bytes.value
		* (1.0 - hw->memory_reserve_frac.value)
		- in->stats->dense_state_bytes;

	return hw->n_devices.value * per_device;
}

static double host_capacity_per_node(const struct rs_cluster_input *in)
{
	return in->use_host_memory ? in->hw->host_memory_bytes.value : 0.0;
}

void rs_cluster_eval(const struct rs_cluster_input *in, long long nodes,
	struct rs_cluster_result *out)
{
	const struct rs_hwprofile *hw = in->hw;
	const struct rs_workload_stats *st = in->stats;
	double n = (double)nodes, per_node = hw->n_devices.value;
	double devices = n * per_node, batch = in->global_batch_samples;
	double net = hw->network_efficiency_frac.value;
	double device_share, host_path, payload, read_rate;

	out->nodes = nodes;
	out->state_bytes = st->embedding_bytes + st->embedding_optimizer_bytes;
	device_share = n * device_capacity_per_node(in);
	out->host_frac = 0.0;
	if (out->state_bytes > device_share && out->state_bytes > 0.0)
		out->host_frac = (out->state_bytes - device_share)
			/ out->state_bytes;

	out->dense_s = batch * st->train_flops_per_sample
		/ (devices * rs_hw_peak_flops(hw, in->dense_precision)
		   * hw->dense_efficiency_frac.value);

	/* Rows in host memory cross the host-to-device links, limited by
	 * host DDR bandwidth when that is lower. */
	host_path = fmin(hw->host_memory_bw_bytes_per_s.value,
		per_node * hw->host_device_bw_bytes_per_s.value);
	out->gather_s = batch * st->gather_bytes_per_sample
		* (1.0 - out->host_frac) / (devices
			* hw->device_memory_bw_bytes_per_s.value
			* hw->gather_efficiency_frac.value);
	if (out->host_frac > 0.0)
		out->gather_s += batch * st->gather_bytes_per_sample
			* out->host_frac / (n * host_path
				* hw->host_gather_efficiency_frac.value);

	/* All-to-all of pooled embeddings, forward and backward: with rows
	 * spread evenly, a share (n-1)/n of the payload leaves the node. */
	payload = 2.0 * batch * st->pooled_bytes_per_sample;
	out->all_to_all_s = payload * (n - 1.0) / n
		/ (n * hw->node_scaleout_bw_bytes_per_s.value * net);
	if (per_node > 1.0)
		out->all_to_all_s += payload / n * (per_node - 1.0) / per_node
			/ (devices * hw->device_scaleup_bw_bytes_per_s.value
			   * net);

	/* Hierarchical all-reduce of the dense gradients: a ring inside the
	 * node, then across nodes over all NICs; latency grows with the
	 * log2 of the node count (tree or halving-doubling). */
	out->all_reduce_s = 0.0;
	if (per_node > 1.0)
		out->all_reduce_s += 2.0 * st->dense_grad_bytes
			* (per_node - 1.0) / per_node
			/ (hw->device_scaleup_bw_bytes_per_s.value * net);
	if (nodes > 1)
		out->all_reduce_s += 2.0 * st->dense_grad_bytes * (n - 1.0) / n
			/ (hw->node_scaleout_bw_bytes_per_s.value * net)
			+ 2.0 * ceil(log2(n)) * hw->network_latency_s.value;

	out->step_s = out->dense_s + out->gather_s + out->all_to_all_s
		+ out->all_reduce_s;
	out->samples_per_s = batch / out->step_s;
	out->binding = RS_BIND_DENSE;
	if (out->gather_s > out->dense_s)
		out->binding = RS_BIND_GATHER;
	if (out->all_to_all_s + out->all_reduce_s
	    > fmax(out->dense_s, out->gather_s))
		out->binding = RS_BIND_NETWORK;

	read_rate = INFINITY;
	if (in->storage_read_bytes_per_s > 0.0 && in->bytes_per_sample > 0.0)
		read_rate = in->storage_read_bytes_per_s / in->bytes_per_sample;
	if (read_rate < out->samples_per_s) {
		out->samples_per_s = read_rate;
		out->binding = RS_BIND_STORAGE_READ;
	}
	out->train_time_s = in->samples / out->samples_per_s;
	out->meets_window = out->train_time_s <= in->window_s;
}

int rs_cluster_size(const struct rs_cluster_input *in,
	struct rs_cluster_result *out, struct rs_error *err)
{
	const struct rs_hwprofile *hw = in->hw;
	double device_cap = device_capacity_per_node(in);
	double capacity = device_cap + host_capacity_per_node(in);
	double state = in->stats->embedding_bytes
		+ in->stats->embedding_optimizer_bytes;
	long long lo, hi, memory_nodes;
	struct rs_cluster_result best, probe;
	double peak = rs_hw_peak_flops(hw, in->dense_precision);

	if (peak < 0.0)
		return rs_fail(err, "dense precision \"%s\" is not known; use "
			"fp32, bf16 or fp8", in->dense_precision);
	if (peak == 0.0)
		return rs_fail(err, "%s: the device has no dense %s peak; "
			"choose another dense_precision", hw->name,
			in->dense_precision);
	if (device_cap <= 0.0)
		return rs_fail(err, "%s: one dense replica (%.3g bytes) does "
			"not fit in a device's memory after its reserve; use "
			"a smaller dense model or a larger device", hw->name,
			in->stats->dense_state_bytes);
	if (state / capacity > (double)MAX_NODES)
		return rs_fail(err, "%s: the embedding state of %.3g bytes "
			"needs more than %lld nodes; shrink the tables or use "
			"a profile with more memory", hw->name, state,
			MAX_NODES);

	memory_nodes = (long long)ceil(state / capacity);
	if (memory_nodes < 1)
		memory_nodes = 1;

	rs_cluster_eval(in, memory_nodes, &best);
	best.nodes_for_memory = memory_nodes;
	if (best.meets_window) {
		best.binding = RS_BIND_MEMORY;
		*out = best;
		return 0;
	}

	/* Double until the window is met or doubling gains less than
	 * MIN_DOUBLING_GAIN, then bisect for the smallest count that meets
	 * the window.  When none does, the cluster where doubling stops
	 * paying is reported rather than the last, marginally faster one. */
	lo = memory_nodes;
	hi = memory_nodes;
	for (;;) {
		long long next = hi * 2 > MAX_NODES ? MAX_NODES : hi * 2;
		if (next == hi)
			break;
		rs_cluster_eval(in, next, &probe);
		if (probe.train_time_s > best.train_time_s
				* (1.0 - MIN_DOUBLING_GAIN) && !probe.meets_window)
			break;
		lo = hi;
		hi = next;
		best = probe;
		if (probe.meets_window)
			break;
	}
	if (!best.meets_window) {
		best.nodes_for_memory = memory_nodes;
		*out = best;
		return 0;
	}
	while (hi - lo > 1) {
		long long mid = lo + (hi - lo) / 2;
		rs_cluster_eval(in, mid, &probe);
		if (probe.meets_window) {
			hi = mid;
			best = probe;
		} else {
			lo = mid;
		}
	}
	best.nodes_for_memory = memory_nodes;
	*out = best;
	return 0;
}
