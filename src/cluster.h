/* The cluster model: how many nodes of a profile train one job within its
 * window, and which resource decides that number.
 *
 * Embedding tables and their optimizer state are sharded across all
 * devices (model parallel); the dense layers are replicated on every device
 * (data parallel).  One step of the global batch costs
 *
 *     step = compute + comm - overlap_frac * min(compute, comm)
 *     compute = dense + gather,  comm = all_to_all + all_reduce
 *
 * where overlap_frac comes from the hardware profile (0: no overlap).
 * Time to train adds the evaluation passes, which run forward steps.
 */
#ifndef RS_CLUSTER_H
#define RS_CLUSTER_H

#include "error.h"
#include "hwprofile.h"
#include "workload.h"

enum rs_binding {
	RS_BIND_MEMORY,		/* embedding state needs the nodes */
	RS_BIND_DENSE,		/* dense FLOPs */
	RS_BIND_GATHER,		/* embedding row gathers in device memory */
	RS_BIND_HOST_GATHER,	/* gathers of rows held in host memory */
	RS_BIND_NETWORK,	/* all-to-all and all-reduce */
	RS_BIND_STORAGE_READ,	/* reading training data from storage */
	RS_N_BINDINGS
};

extern const char *const rs_binding_names[RS_N_BINDINGS];

struct rs_cluster_input {
	const struct rs_workload_stats *stats;
	const struct rs_workload *workload;	/* for index skew; NULL: the
						 * host share of lookups is the
						 * host share of rows */
	const struct rs_hwprofile *hw;
	const char *dense_precision;	/* "fp32", "bf16", "fp8" */
	double samples;			/* samples to train on */
	double eval_samples;		/* evaluated, all passes together */
	double window_s;		/* time allowed for one training run */
	double global_batch_samples;
	double storage_read_bytes_per_s;	/* 0: not limited */
	double bytes_per_sample;	/* stored size of one sample */
	int use_host_memory;		/* embeddings may spill to host DDR */
};

struct rs_cluster_result {
	long long nodes;
	long long nodes_for_memory;
	double state_bytes;		/* embedding weights + optimizer */
	double host_frac;		/* share of that state in host memory */
	double host_lookup_frac;	/* share of lookups served from host */
	double device_state_bytes_per_device;
	double host_state_bytes_per_node;
	double dense_s;			/* per step */
	double gather_s;		/* device and host gathers */
	double host_gather_s;		/* the host part of gather_s */
	double all_to_all_s;
	double all_reduce_s;
	double overlap_s;		/* hidden by the overlap rule */
	double step_s;
	double samples_per_s;
	double train_s;			/* training steps */
	double eval_s;			/* evaluation passes */
	double train_time_s;		/* train_s + eval_s */
	enum rs_binding binding;
	int meets_window;
};

/* Evaluate one step on nodes nodes (nodes >= nodes_for_memory). */
void rs_cluster_eval(const struct rs_cluster_input *in, long long nodes,
	struct rs_cluster_result *out);

/* Find the smallest cluster that trains within the window.  binding names
 * the term that dominates one node fewer: the resource that made the
 * smaller cluster miss the window (memory when the memory minimum already
 * meets it).  When no cluster meets the window, meets_window is 0 and the
 * result is the smallest cluster within 5% of the fastest one found, or,
 * when storage reads cap throughput, the smallest that keeps up with them.
 * Fails when the dense model does not fit one device or the precision is
 * not supported. */
int rs_cluster_size(const struct rs_cluster_input *in,
	struct rs_cluster_result *out, struct rs_error *err);

#endif
