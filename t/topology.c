/* Machine discovery on synthetic hwloc topologies, so that no result
 * depends on the machine the tests run on.  One test binds threads on
 * this machine, and holds on any number of cores. */
#include <hwloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "topology.h"
#include "tap.h"

#define TWO_SOCKETS "pack:2 [numa(memory=16GiB)] l3:1(size=32MiB) core:4 " \
	"l2:1(size=1MiB) l1d:1(size=48KiB) pu:2"

static void test_two_sockets(void)
{
	struct rs_topology t;
	struct rs_error err;
	char summary[256];
	int unbound = -1;
	struct rs_emb_pool *pool;

	if (rs_topo_load(&t, TWO_SOCKETS, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	tap_ok(t.n_packages == 2, "two sockets: 2 packages");
	tap_ok(t.n_cores == 8, "two sockets: 8 cores");
	tap_ok(t.n_pus == 16, "two sockets: 16 hardware threads");
	tap_ok(t.n_numa_nodes == 2, "two sockets: 2 NUMA nodes");
	tap_near((double)t.memory_bytes, 32.0 * 1073741824.0, 0.0,
		"two sockets: memory is the sum of the NUMA nodes");
	tap_ok(t.cache[1].size_bytes == 48u << 10 && t.cache[1].n_caches == 8,
		"two sockets: L1d 48 KiB, one per core");
	tap_ok(t.cache[2].size_bytes == 1u << 20 && t.cache[2].n_caches == 8,
		"two sockets: L2 1 MiB, one per core");
	tap_ok(t.cache[3].size_bytes == 32u << 20 && t.cache[3].n_caches == 2,
		"two sockets: L3 32 MiB, one per package");
	tap_ok(t.cache[3].line_bytes == 64, "two sockets: 64-byte lines");
	tap_ok(strcmp(t.cpu_model, "unknown") == 0,
		"two sockets: no CPU model reads as unknown");
	rs_topo_summary(&t, summary, sizeof summary);
	tap_ok(strcmp(summary, "2 packages, 8 cores, 16 hardware threads, "
		"2 NUMA nodes, 32 GiB; L1d 48 KiB x 8, L2 1 MiB x 8, L3 32 MiB "
		"x 2") == 0, "two sockets: summary line");
	printf("# %s\n", summary);

	tap_ok(rs_topo_worker_core(&t, 0) == 0, "worker 0 runs on core 0");
	tap_ok(rs_topo_worker_core(&t, 7) == 7, "worker 7 runs on core 7");
	tap_ok(rs_topo_worker_core(&t, 13) == 5,
		"worker 13 wraps around to core 5");
	tap_ok(rs_topo_bind_thread(&t, pthread_self(), 9, &err) == 0,
		"binding a thread on a synthetic machine succeeds");

	pool = rs_emb_pool_new(5, &t, &unbound, &err);
	tap_ok(pool != NULL, "pool of 5 workers starts");
	tap_ok(unbound == 0, "pool of 5 workers: all bound");
	tap_ok(rs_emb_pool_threads(pool) == 5, "pool of 5 workers: 5 threads");
	rs_emb_pool_free(pool);
	rs_topo_free(&t);
}

static void test_sparse_machines(void)
{
	struct rs_topology t;
	struct rs_error err;
	char summary[256];

	if (rs_topo_load(&t, "numa:4 core:2 pu:1", &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	tap_ok(t.n_packages == 1, "no package level counts as 1 package");
	tap_ok(t.n_numa_nodes == 4 && t.n_cores == 8,
		"4 NUMA nodes of 2 cores: 8 cores");
	tap_ok(t.cache[1].n_caches == 0 && t.cache[2].n_caches == 0
		&& t.cache[3].n_caches == 0, "no caches described: none found");
	rs_topo_summary(&t, summary, sizeof summary);
	tap_ok(strchr(summary, ';') == NULL, "summary without caches has no "
		"cache list");
	printf("# %s\n", summary);
	rs_topo_free(&t);

	if (rs_topo_load(&t, "pack:1 l3:1(size=16MiB) core:2 pu:1", &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	rs_topo_summary(&t, summary, sizeof summary);
	tap_ok(strstr(summary, "; L3 16 MiB x 1") != NULL,
		"summary starts the cache list at the first level present");
	printf("# %s\n", summary);
	rs_topo_free(&t);
}

static void test_invalid(void)
{
	struct rs_topology t;
	struct rs_error err = { "" };

	tap_ok(rs_topo_load(&t, "bogus:3", &err) == -1,
		"invalid synthetic description rejected");
	tap_ok(strstr(err.msg, "\"bogus:3\"") != NULL,
		"invalid description: message quotes it");
	rs_topo_free(&t);
	tap_ok(t.hw == NULL, "freeing a failed topology is safe");
}

/* A pool bound with the host's topology binds the calling thread to core 0
 * while it exists and restores its binding when freed. */
static void test_caller_binding(void)
{
	struct rs_topology t;
	struct rs_error err;
	struct rs_emb_pool *pool;
	hwloc_bitmap_t before, during, after;
	hwloc_obj_t core0;

	if (rs_topo_load(&t, NULL, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		exit(1);
	}
	before = rs_topo_save_binding(&t);
	if (before == NULL) {
		tap_ok(1, "pool binds the caller to core 0 # SKIP hwloc cannot "
			"read thread bindings here");
		tap_ok(1, "freeing the pool restores the caller's binding # SKIP "
			"hwloc cannot read thread bindings here");
		rs_topo_free(&t);
		return;
	}
	core0 = hwloc_get_obj_by_type(t.hw, hwloc_get_nbobjs_by_type(t.hw,
		HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU, 0);
	pool = rs_emb_pool_new(2, &t, NULL, &err);
	during = rs_topo_save_binding(&t);
	rs_emb_pool_free(pool);
	after = rs_topo_save_binding(&t);
	tap_ok(during != NULL && core0 != NULL
		&& hwloc_bitmap_isincluded(during, core0->cpuset),
		"pool binds the caller to core 0");
	tap_ok(after != NULL && hwloc_bitmap_isequal(before, after),
		"freeing the pool restores the caller's binding");
	rs_topo_restore_binding(&t, before);
	hwloc_bitmap_free(during);
	hwloc_bitmap_free(after);
	rs_topo_free(&t);
}

int main(void)
{
	tap_plan(18 + 5 + 3 + 2);
	test_two_sockets();
	test_sparse_machines();
	test_invalid();
	test_caller_binding();
	return tap_done();
}
