/* Sizing a cluster for one training job; the step model is in cluster.h. */
#include <math.h>
#include <string.h>

#include "cluster.h"

const char *const rs_binding_names[RS_N_BINDINGS] = {
	"memory", "dense_compute", "embedding_gather", "host_gather",
	"network", "storage_read"
};

/* Search no further than this many nodes. */
#define MAX_NODES 1000000LL
/* A doubling of the cluster that shortens training by less than this
 * share is not worth buying.  A cluster within this share of the fastest
 * counts as fast as the fastest. */
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

static double storage_read_rate(const struct rs_cluster_input *in)
{
	if (in->storage_read_bytes_per_s > 0.0 && in->bytes_per_sample > 0.0)
		return in->storage_read_bytes_per_s / in->bytes_per_sample;
	return INFINITY;
}

/* The largest term of the step: dense compute, gathers (split by where
 * the rows live) or the network (all-to-all plus all-reduce). */
static enum rs_binding dominant_term(const struct rs_cluster_result *r)
{
	double device_gather = r->gather_s - r->host_gather_s;
	double network = r->all_to_all_s + r->all_reduce_s;
	enum rs_binding b = RS_BIND_DENSE;
	double largest = r->dense_s;

	if (device_gather > largest) {
		b = RS_BIND_GATHER;
		largest = device_gather;
	}
	if (r->host_gather_s > largest) {
		b = RS_BIND_HOST_GATHER;
		largest = r->host_gather_s;
	}
	if (network > largest)
		b = RS_BIND_NETWORK;
	return b;
}

/* Seconds of device memory bandwidth one sample's gathers take, per
 * byte per second of bandwidth, on a profile with a gather-efficiency
 * curve: each table's bytes over the curve's efficiency at its row size
 * and the footprint per device.  The curve's efficiencies include the
 * per-row costs, so no row overhead is added.  Returns -1 when the
 * profile has no curve or the workload is not known. */
static double curve_gather_bytes(const struct rs_cluster_input *in,
	double footprint_bytes, int training)
{
	const struct rs_workload *w = in->workload;
	double total = 0.0;

	if (w == NULL || in->hw->gather_curve.n_footprints == 0)
		return -1.0;
	for (int i = 0; i < w->n_tables; i++) {
		const struct rs_table *t = &w->tables[i];
		double row = t->dim * t->bytes_per_element;
		double state = rs_optimizer_state_bytes_per_row(w->optimizer,
			t->dim);
		double bytes = training ? 3.0 * row + 2.0 * state : row;

		total += t->pooling * bytes / rs_hw_curve_efficiency(in->hw,
			footprint_bytes, row);
	}
	return total;
}

/* The terms of one step of the global batch on n nodes: a training step
 * (forward and backward) or an evaluation step (forward only).
 * footprint_bytes is the embedding state held by each device. */
static void step_terms(const struct rs_cluster_input *in, double n,
	double host_lookup_frac, double footprint_bytes, int training,
	struct rs_cluster_result *out)
{
	const struct rs_hwprofile *hw = in->hw;
	const struct rs_workload_stats *st = in->stats;
	double per_node = hw->n_devices.value, devices = n * per_node;
	double batch = in->global_batch_samples;
	double net = hw->network_efficiency_frac.value;
	double flops, bytes, accesses, traffic, host_path, payload, curve;

	flops = training ? st->train_flops_per_sample : st->fwd_flops_per_sample;
	out->dense_s = batch * flops / (devices * rs_hw_peak_flops(hw,
		in->dense_precision) * hw->dense_efficiency_frac.value);

	/* Each row access costs its bytes plus a fixed overhead, so small
	 * rows reach a smaller share of the bandwidth.  Rows in host memory
	 * cross the host-to-device links, limited by host DDR bandwidth when
	 * that is lower. */
	bytes = training ? st->gather_bytes_per_sample
		: st->fwd_gather_bytes_per_sample;
	accesses = training ? st->gather_accesses_per_sample
		: st->lookups_per_sample;
	traffic = batch * (bytes + accesses
		* hw->gather_row_overhead_bytes.value);
	host_path = fmin(hw->host_memory_bw_bytes_per_s.value,
		per_node * hw->host_device_bw_bytes_per_s.value);
	curve = curve_gather_bytes(in, footprint_bytes, training);
	if (curve >= 0.0)
		out->gather_s = batch * curve * (1.0 - host_lookup_frac)
			/ (devices * hw->device_memory_bw_bytes_per_s.value);
	else
		out->gather_s = traffic * (1.0 - host_lookup_frac) / (devices
			* hw->device_memory_bw_bytes_per_s.value
			* hw->gather_efficiency_frac.value);
	out->host_gather_s = 0.0;
	if (host_lookup_frac > 0.0)
		out->host_gather_s = traffic * host_lookup_frac / (n * host_path
			* hw->host_gather_efficiency_frac.value);
	out->gather_s += out->host_gather_s;

	/* All-to-all of pooled embeddings (and of their gradients when
	 * training): with rows spread evenly, a share (n-1)/n of the
	 * payload leaves the node. */
	payload = (training ? 2.0 : 1.0) * batch * st->pooled_bytes_per_sample;
	out->all_to_all_s = payload * (n - 1.0) / n
		/ (n * hw->node_scaleout_bw_bytes_per_s.value * net);
	if (per_node > 1.0)
		out->all_to_all_s += payload / n * (per_node - 1.0) / per_node
			/ (devices * hw->device_scaleup_bw_bytes_per_s.value
			   * net);

	/* Hierarchical all-reduce of the dense gradients: a ring inside the
	 * node, then across nodes over all NICs.  Its latency grows with
	 * the log2 of the node count, as in a tree or halving-doubling. */
	out->all_reduce_s = 0.0;
	if (training && per_node > 1.0)
		out->all_reduce_s += 2.0 * st->dense_grad_bytes
			* (per_node - 1.0) / per_node
			/ (hw->device_scaleup_bw_bytes_per_s.value * net);
	if (training && n > 1.0)
		out->all_reduce_s += 2.0 * st->dense_grad_bytes * (n - 1.0) / n
			/ (hw->node_scaleout_bw_bytes_per_s.value * net)
			+ 2.0 * ceil(log2(n)) * hw->network_latency_s.value;

	/* Overlap rule: a share overlap_frac of the shorter of computation
	 * (dense + gathers) and communication hides under the longer. */
	{
		double compute = out->dense_s + out->gather_s;
		double comm = out->all_to_all_s + out->all_reduce_s;
		out->overlap_s = hw->overlap_frac.value * fmin(compute, comm);
		out->step_s = compute + comm - out->overlap_s;
	}
}

void rs_cluster_eval(const struct rs_cluster_input *in, long long nodes,
	struct rs_cluster_result *out)
{
	const struct rs_workload_stats *st = in->stats;
	double n = (double)nodes, device_share, device_frac, read_rate;
	struct rs_cluster_result eval;

	memset(out, 0, sizeof *out);
	out->nodes = nodes;
	out->state_bytes = st->embedding_bytes + st->embedding_optimizer_bytes;
	device_share = n * device_capacity_per_node(in);
	device_frac = out->state_bytes > 0.0
		? fmin(1.0, device_share / out->state_bytes) : 1.0;
	out->host_frac = 1.0 - device_frac;
	out->host_lookup_frac = in->workload != NULL
		? rs_workload_host_lookup_frac(in->workload, device_frac)
		: out->host_frac;
	out->device_state_bytes_per_device = out->state_bytes * device_frac
		/ (n * in->hw->n_devices.value);
	out->host_state_bytes_per_node = out->state_bytes * out->host_frac / n;

	step_terms(in, n, out->host_lookup_frac,
		out->device_state_bytes_per_device, 1, out);
	out->samples_per_s = in->global_batch_samples / out->step_s;
	out->binding = dominant_term(out);

	read_rate = storage_read_rate(in);
	if (read_rate < out->samples_per_s) {
		out->samples_per_s = read_rate;
		out->binding = RS_BIND_STORAGE_READ;
	}
	out->train_s = in->samples / out->samples_per_s;

	/* Evaluation passes run forward steps only. */
	out->eval_s = 0.0;
	if (in->eval_samples > 0.0) {
		memset(&eval, 0, sizeof eval);
		step_terms(in, n, out->host_lookup_frac,
			out->device_state_bytes_per_device, 0, &eval);
		out->eval_s = in->eval_samples * eval.step_s
			/ in->global_batch_samples;
	}
	out->train_time_s = out->train_s + out->eval_s;
	out->meets_window = out->train_time_s <= in->window_s;
}

/* The smallest count in (lo, hi] whose evaluation satisfies done, given
 * that hi does and lo does not; *out is its evaluation. */
static long long bisect(const struct rs_cluster_input *in, long long lo,
	long long hi, int (*done)(const struct rs_cluster_input *,
		const struct rs_cluster_result *, double), double limit,
	struct rs_cluster_result *out)
{
	struct rs_cluster_result probe;

	rs_cluster_eval(in, hi, out);
	while (hi - lo > 1) {
		long long mid = lo + (hi - lo) / 2;
		rs_cluster_eval(in, mid, &probe);
		if (done(in, &probe, limit)) {
			hi = mid;
			*out = probe;
		} else {
			lo = mid;
		}
	}
	return hi;
}

static int meets_window(const struct rs_cluster_input *in,
	const struct rs_cluster_result *r, double unused)
{
	(void)in;
	(void)unused;
	return r->meets_window;
}

static int within_time(const struct rs_cluster_input *in,
	const struct rs_cluster_result *r, double limit_s)
{
	(void)in;
	return r->train_time_s <= limit_s;
}

/* Compute throughput without the storage cap keeps up with storage. */
static int keeps_up(const struct rs_cluster_input *in,
	const struct rs_cluster_result *r, double read_rate)
{
	return in->global_batch_samples / r->step_s >= read_rate;
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
	double read_rate;
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

	/* Storage cannot feed the window whatever the cluster: take the
	 * smallest cluster that keeps up with the storage reads. */
	read_rate = storage_read_rate(in);
	if (read_rate * in->window_s < in->samples) {
		lo = hi = memory_nodes;
		while (!keeps_up(in, &best, read_rate) && hi < MAX_NODES) {
			lo = hi;
			hi = hi * 2 > MAX_NODES ? MAX_NODES : hi * 2;
			rs_cluster_eval(in, hi, &best);
		}
		if (hi > memory_nodes && keeps_up(in, &best, read_rate))
			bisect(in, lo, hi, keeps_up, read_rate, &best);
		best.nodes_for_memory = memory_nodes;
		best.binding = RS_BIND_STORAGE_READ;
		*out = best;
		return 0;
	}

	/* Double until the window is met or doubling gains less than
	 * MIN_DOUBLING_GAIN, then bisect. */
	lo = memory_nodes;
	hi = memory_nodes;
	for (;;) {
		long long next = hi * 2 > MAX_NODES ? MAX_NODES : hi * 2;
		if (next == hi)
			break;
		rs_cluster_eval(in, next, &probe);
		if (!probe.meets_window && probe.train_time_s
				> best.train_time_s * (1.0 - MIN_DOUBLING_GAIN))
			break;
		lo = hi;
		hi = next;
		best = probe;
		if (probe.meets_window)
			break;
	}
	if (best.meets_window) {
		hi = bisect(in, lo, hi, meets_window, 0.0, &best);
		/* What kept one node fewer from meeting the window. */
		rs_cluster_eval(in, hi - 1, &probe);
		best.binding = hi - 1 >= memory_nodes ? probe.binding
			: RS_BIND_MEMORY;
	} else if (hi > memory_nodes) {
		double limit = best.train_time_s * (1.0 + MIN_DOUBLING_GAIN);
		rs_cluster_eval(in, memory_nodes, &probe);
		if (within_time(in, &probe, limit))
			best = probe;
		else
			bisect(in, memory_nodes, hi, within_time, limit, &best);
	}
	best.nodes_for_memory = memory_nodes;
	*out = best;
	return 0;
}
