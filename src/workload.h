/* The DLRM workload model: embedding tables, bottom MLP, feature
 * interaction and top MLP, and what one training sample costs on them.
 *
 * Sizes are doubles because the scaling schemes multiply them by growth
 * factors year after year; counts derived from them are rounded only for
 * display.  FLOPs count a multiply-add as two operations.
 */
#ifndef RS_WORKLOAD_H
#define RS_WORKLOAD_H

#include "conf.h"
#include "error.h"

#define RS_MAX_LAYERS 32

enum rs_interaction { RS_INTERACTION_DOT, RS_INTERACTION_DCNV2 };

enum rs_optimizer {
	RS_OPT_SGD,
	RS_OPT_ROWWISE_ADAGRAD,
	RS_OPT_EXACT_ADAGRAD,
	RS_OPT_ADAM
};

/* The four model-scaling schemes of the DLRM scaling-law study. */
enum rs_scheme {
	RS_SCHEME_EMBEDDING_ROWS,	/* vertical: more rows per table */
	RS_SCHEME_EMBEDDING_DIM,	/* horizontal: wider rows */
	RS_SCHEME_TOP_MLP,		/* over-arch: wider top MLP */
	RS_SCHEME_ALL_MLP,		/* every MLP layer wider */
	RS_N_SCHEMES
};

extern const char *const rs_scheme_names[RS_N_SCHEMES];

struct rs_table {
	double rows;
	double dim;
	double pooling;			/* lookups per sample */
	double bytes_per_element;	/* 4 fp32, 2 fp16/bf16, 1 int8 */
	double zipf;			/* index skew: Zipf exponent, 0 uniform */
};

struct rs_workload {
	int n_tables;
	struct rs_table *tables;
	double n_dense_features;
	int n_bottom;
	double bottom_mlp[RS_MAX_LAYERS];	/* last width = embedding dim */
	int n_top;
	double top_mlp[RS_MAX_LAYERS];		/* last width = 1 (the logit) */
	enum rs_interaction interaction;
	double dcn_layers;
	double dcn_rank;
	enum rs_optimizer optimizer;
	double activation_bytes;	/* bytes per exchanged activation */
};

struct rs_workload_stats {
	double params_embedding;
	double params_dense;
	double lookups_per_sample;
	double embedding_bytes;		/* table weights */
	double embedding_optimizer_bytes;
	double dense_state_bytes;	/* one replica: weights, grads, state */
	double fwd_flops_per_sample;
	double train_flops_per_sample;	/* forward + backward */
	double gather_bytes_per_sample;	/* forward read + backward update */
	double gather_accesses_per_sample;	/* row reads and writes */
	double fwd_gather_bytes_per_sample;	/* forward read only */
	double pooled_bytes_per_sample;	/* all-to-all payload, one way */
	double dense_grad_bytes;	/* all-reduce payload per step */
};

/* Load the group `workload` of a scenario. */
int rs_workload_load(const struct rs_conf *conf, const config_setting_t *g,
	struct rs_workload *w, struct rs_error *err);
void rs_workload_free(struct rs_workload *w);
int rs_workload_copy(struct rs_workload *dst, const struct rs_workload *src);

void rs_workload_stats(const struct rs_workload *w,
	struct rs_workload_stats *st);

/* Grow the model by factor (>= 1 grows, < 1 shrinks) along scheme. */
void rs_workload_scale(struct rs_workload *w, enum rs_scheme scheme,
	double factor);

/* Input width of the top MLP after the interaction. */
double rs_workload_top_input(const struct rs_workload *w);

/* Share of lookups that miss device memory when the hottest share
 * device_frac of every table's rows (by the table's index skew) is held
 * there and the rest in host memory. */
double rs_workload_host_lookup_frac(const struct rs_workload *w,
	double device_frac);

/* Generalized harmonic number H(n, s) = sum of k^-s for k = 1..n: the
 * first nine terms exactly, the rest by the Euler-Maclaurin formula. */
double rs_harmonic(double n, double s);

double rs_optimizer_state_bytes_per_row(enum rs_optimizer opt, double dim);
const char *rs_optimizer_name(enum rs_optimizer opt);

#endif
