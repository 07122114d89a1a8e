/* Exhaustive search for the best plan of each year; see optimize.h. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "optimize.h"

double rs_candidate_lever(const struct rs_scenario *sc,
	const struct rs_candidate *c, enum rs_lever lever)
{
	return sc->levers.value[lever][c->index[lever]];
}

/* Evaluate c in year index k on planned, the year's model before the
 * levers; scratch receives the scaled model. */
static int evaluate(const struct rs_scenario *sc, int k,
	const struct rs_workload *planned, struct rs_workload *scratch,
	struct rs_candidate *c, struct rs_error *err)
{
	static const enum rs_scheme scheme_of[RS_N_LEVERS] = {
		RS_N_SCHEMES, RS_N_SCHEMES, RS_SCHEME_EMBEDDING_ROWS,
		RS_SCHEME_EMBEDDING_DIM, RS_SCHEME_TOP_MLP, RS_SCHEME_ALL_MLP
	};
	const struct rs_scheme_law *law = &sc->law.schemes[sc->law_scheme];
	const struct rs_data_params *d = &sc->data;
	const struct rs_hwprofile *hw = &sc->hardware[c->hw];
	struct rs_workload_stats st;
	struct rs_cluster_input in;
	struct rs_cluster_result r;
	struct rs_cost cost;
	double keep = rs_candidate_lever(sc, c, RS_LEVER_NEGATIVE_KEEP_FRAC);
	double arriving = d->samples_per_day * pow(1.0 + d->growth_per_year_frac,
		k);
	double epochs, params;

	c->data_samples = rs_candidate_lever(sc, c, RS_LEVER_RETENTION_DAYS)
		* arriving * (d->positive_frac + (1.0 - d->positive_frac) * keep);
	if (sc->storage.capacity_bytes > 0.0)
		c->data_samples = fmin(c->data_samples,
			sc->storage.capacity_bytes / d->bytes_per_sample);

	memcpy(scratch->tables, planned->tables,
		(size_t)planned->n_tables * sizeof *planned->tables);
	{
		struct rs_table *tables = scratch->tables;
		*scratch = *planned;
		scratch->tables = tables;
	}
	for (int l = RS_LEVER_EMBEDDING_ROWS; l < RS_N_LEVERS; l++)
		if (rs_candidate_lever(sc, c, (enum rs_lever)l) != 1.0)
			rs_workload_scale(scratch, scheme_of[l],
				rs_candidate_lever(sc, c, (enum rs_lever)l));
	rs_workload_stats(scratch, &st);
	params = rs_engine_law_params(law, st.params_embedding,
		st.params_dense);
	c->ne = rs_law_ne(law, c->data_samples, params);

	/* A profile cannot be bought before its first year of volume
	 * supply. */
	if (sc->first_year + k < hw->year_available.value) {
		c->feasible = 0;
		c->cost_usd = INFINITY;
		return 0;
	}

	epochs = rs_scenario_epochs(sc, sc->training.global_batch_samples);
	memset(&in, 0, sizeof in);
	in.stats = &st;
	in.workload = scratch;
	in.hw = hw;
	in.dense_precision = sc->training.dense_precision;
	in.samples = c->data_samples * epochs;
	in.eval_samples = rs_scenario_eval_samples(sc, epochs);
	in.window_s = sc->training.window_days * 86400.0;
	in.global_batch_samples = sc->training.global_batch_samples;
	in.storage_read_bytes_per_s = sc->storage.read_bytes_per_s;
	in.bytes_per_sample = d->bytes_per_sample;
	in.use_host_memory = sc->training.use_host_memory;
	if (rs_cluster_size(&in, &r, err) < 0) {
		c->feasible = 0;
		c->cost_usd = INFINITY;
		return 0;
	}
	rs_cost_year(&sc->cost, hw, r.nodes, c->data_samples
		* d->bytes_per_sample, &cost);
	c->nodes = r.nodes;
	c->binding = r.binding;
	c->cost_usd = cost.total_usd;
	c->feasible = r.meets_window;
	return 0;
}

static int planned_model(const struct rs_scenario *sc, int k,
	struct rs_workload *planned, struct rs_workload *scratch)
{
	if (rs_workload_copy(planned, &sc->workload) < 0)
		return -1;
	if (rs_workload_copy(scratch, &sc->workload) < 0) {
		rs_workload_free(planned);
		return -1;
	}
	for (int i = 0; i <= k; i++)
		rs_engine_grow(sc, i, planned);
	return 0;
}

int rs_evaluate_candidate(const struct rs_scenario *sc, int k,
	struct rs_candidate *c, struct rs_error *err)
{
	struct rs_workload planned, scratch;
	int rc;

	if (planned_model(sc, k, &planned, &scratch) < 0)
		return rs_fail(err, "out of memory");
	rc = evaluate(sc, k, &planned, &scratch, c, err);
	rs_workload_free(&planned);
	rs_workload_free(&scratch);
	return rc;
}

/* Decode candidate number i of year k: lever indices in mixed radix, then
 * the i-th allowed profile. */
static void decode(const struct rs_scenario *sc, int k, long i,
	struct rs_candidate *c)
{
	unsigned mask = sc->levers.hw_mask[k];
	int nth;

	memset(c, 0, sizeof *c);
	for (int l = 0; l < RS_N_LEVERS; l++) {
		c->index[l] = (int)(i % sc->levers.n[l]);
		i /= sc->levers.n[l];
	}
	nth = (int)i;
	for (c->hw = 0; c->hw < 32; c->hw++)
		if ((mask >> c->hw) & 1u) {
			if (nth == 0)
				break;
			nth--;
		}
}

static long count_candidates(const struct rs_scenario *sc, int k)
{
	long n = __builtin_popcount(sc->levers.hw_mask[k]);

	for (int l = 0; l < RS_N_LEVERS; l++)
		n *= sc->levers.n[l];
	return n;
}

struct job {
	const struct rs_scenario *sc;
	int k;
	const struct rs_workload *planned;
	struct rs_candidate *candidates;
	long first, last;
	int failed;
	struct rs_error err;
};

static void *run_job(void *arg)
{
	struct job *job = arg;
	struct rs_workload scratch;

	if (rs_workload_copy(&scratch, job->planned) < 0) {
		job->failed = 1;
		rs_fail(&job->err, "out of memory");
		return NULL;
	}
	for (long i = job->first; i < job->last && !job->failed; i++) {
		decode(job->sc, job->k, i, &job->candidates[i]);
		if (evaluate(job->sc, job->k, job->planned, &scratch,
				&job->candidates[i], &job->err) < 0)
			job->failed = 1;
	}
	rs_workload_free(&scratch);
	return NULL;
}

int rs_pick_candidate(const struct rs_year_choice *y,
	enum rs_objective objective, double limit)
{
	int best = -1;

	for (int i = 0; i < y->n_candidates; i++) {
		const struct rs_candidate *c = &y->candidates[i], *b;

		if (!c->feasible)
			continue;
		if (objective == RS_MIN_NE_WITHIN_BUDGET ? c->cost_usd > limit
		    : c->ne > limit)
			continue;
		if (best < 0) {
			best = i;
			continue;
		}
		b = &y->candidates[best];
		if (objective == RS_MIN_NE_WITHIN_BUDGET
		    ? (c->ne < b->ne || (c->ne == b->ne
					 && c->cost_usd < b->cost_usd))
		    : (c->cost_usd < b->cost_usd || (c->cost_usd == b->cost_usd
						     && c->ne < b->ne)))
			best = i;
	}
	return best;
}

static const struct rs_candidate *sort_base;

static int by_cost(const void *a, const void *b)
{
	const struct rs_candidate *x = &sort_base[*(const int *)a];
	const struct rs_candidate *y = &sort_base[*(const int *)b];

	if (x->cost_usd != y->cost_usd)
		return x->cost_usd < y->cost_usd ? -1 : 1;
	return (x->ne > y->ne) - (x->ne < y->ne);
}

/* The feasible candidates that no cheaper candidate beats on NE. */
static int frontier(struct rs_year_choice *y)
{
	int n = 0, *order = malloc((size_t)(y->n_candidates + 1) * sizeof *order);
	double best_ne = INFINITY;

	if (order == NULL)
		return -1;
	for (int i = 0; i < y->n_candidates; i++)
		if (y->candidates[i].feasible)
			order[n++] = i;
	sort_base = y->candidates;
	qsort(order, (size_t)n, sizeof *order, by_cost);
	y->n_frontier = 0;
	for (int j = 0; j < n; j++)
		if (y->candidates[order[j]].ne < best_ne) {
			best_ne = y->candidates[order[j]].ne;
			order[y->n_frontier++] = order[j];
		}
	y->frontier = order;
	return 0;
}

/* Linear index of c among the year's candidates: the inverse of decode. */
static long encode(const struct rs_scenario *sc, int k,
	const struct rs_candidate *c)
{
	long i = 0, radix = 1;
	int nth = 0;

	for (int l = 0; l < RS_N_LEVERS; l++) {
		i += c->index[l] * radix;
		radix *= sc->levers.n[l];
	}
	for (int h = 0; h < c->hw; h++)
		nth += (sc->levers.hw_mask[k] >> h) & 1u;
	return i + nth * radix;
}

static void lever_returns(const struct rs_scenario *sc, int k,
	struct rs_year_choice *y)
{
	const struct rs_candidate *chosen = &y->candidates[y->chosen];

	for (int l = 0; l < RS_N_LEVERS; l++) {
		struct rs_lever_return *ret = &y->returns[l];
		struct rs_candidate up = *chosen;
		const struct rs_candidate *next;

		memset(ret, 0, sizeof *ret);
		ret->usd_per_0p1pct_ne = NAN;
		if (chosen->index[l] + 1 >= sc->levers.n[l])
			continue;
		up.index[l]++;
		next = &y->candidates[encode(sc, k, &up)];
		ret->available = 1;
		ret->ne_gain_pct = 100.0 * (chosen->ne - next->ne) / chosen->ne;
		ret->extra_cost_usd = next->cost_usd - chosen->cost_usd;
		if (ret->ne_gain_pct > 0.0 && next->feasible)
			ret->usd_per_0p1pct_ne = ret->extra_cost_usd
				/ (ret->ne_gain_pct / 0.1);
	}
}

static int optimize_year(const struct rs_scenario *sc, int k,
	enum rs_objective objective, double limit, int n_threads,
	struct rs_year_choice *y, struct rs_error *err)
{
	struct rs_workload planned, scratch;
	struct job jobs[8];
	pthread_t threads[8];
	long n = count_candidates(sc, k);

	if (n_threads < 1)
		n_threads = 1;
	if (n_threads > 8)
		n_threads = 8;
	y->year = sc->first_year + k;
	y->n_candidates = (int)n;
	y->candidates = calloc((size_t)n, sizeof *y->candidates);
	if (y->candidates == NULL || planned_model(sc, k, &planned,
			&scratch) < 0)
		return rs_fail(err, "out of memory");
	rs_workload_free(&scratch);

	for (int t = 0; t < n_threads; t++) {
		jobs[t] = (struct job){ .sc = sc, .k = k, .planned = &planned,
			.candidates = y->candidates, .first = n * t / n_threads,
			.last = n * (t + 1) / n_threads };
		if (t > 0 && pthread_create(&threads[t], NULL, run_job,
				&jobs[t]) != 0)
			run_job(&jobs[t]);
	}
	run_job(&jobs[0]);
	for (int t = 1; t < n_threads; t++)
		pthread_join(threads[t], NULL);
	rs_workload_free(&planned);
	for (int t = 0; t < n_threads; t++)
		if (jobs[t].failed) {
			*err = jobs[t].err;
			return -1;
		}

	y->cheapest_feasible_usd = INFINITY;
	y->best_feasible_ne = INFINITY;
	for (long i = 0; i < n; i++)
		if (y->candidates[i].feasible) {
			y->cheapest_feasible_usd = fmin(y->cheapest_feasible_usd,
				y->candidates[i].cost_usd);
			y->best_feasible_ne = fmin(y->best_feasible_ne,
				y->candidates[i].ne);
		}
	if (frontier(y) < 0)
		return rs_fail(err, "out of memory");
	y->chosen = rs_pick_candidate(y, objective, limit);
	if (y->chosen >= 0)
		lever_returns(sc, k, y);
	return 0;
}

int rs_optimize(const struct rs_scenario *sc, enum rs_objective objective,
	double limit, int n_threads, struct rs_optimization *opt,
	struct rs_error *err)
{
	memset(opt, 0, sizeof *opt);
	opt->scenario = sc;
	opt->objective = objective;
	opt->limit = limit;
	for (int k = 0; k <= sc->last_year - sc->first_year; k++) {
		opt->n_years = k + 1;
		if (optimize_year(sc, k, objective, limit, n_threads,
				&opt->years[k], err) < 0)
			return -1;
	}
	return 0;
}

void rs_optimization_free(struct rs_optimization *opt)
{
	for (int k = 0; k < opt->n_years; k++) {
		free(opt->years[k].candidates);
		free(opt->years[k].frontier);
	}
	memset(opt, 0, sizeof *opt);
}
