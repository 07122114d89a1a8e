/* The machine as hwloc describes it: packages, cores, hardware threads,
 * data caches, NUMA nodes and memory, and the binding of worker threads to
 * cores.
 *
 * hwloc inside a virtual machine reports the cache sizes the hypervisor
 * passes through, which are the host's: a shared L3 may be far smaller in
 * practice.  Treat the cache sizes here as upper bounds; calibration
 * measures the effective ones.
 */
#ifndef RS_TOPOLOGY_H
#define RS_TOPOLOGY_H

#include <pthread.h>
#include <stdint.h>

#include <hwloc.h>

#include "error.h"

#define RS_TOPO_MAX_CACHE_LEVEL 3

/* One level of data (or unified) cache. */
struct rs_cache_level {
	uint64_t size_bytes;	/* of one cache; 0 when hwloc does not say */
	int line_bytes;
	int ways;		/* associativity; -1 fully, 0 unknown */
	int n_caches;		/* in the machine; 0 when the level is absent */
};

struct rs_topology {
	hwloc_topology_t hw;
	int n_packages;
	int n_cores;
	int n_pus;		/* hardware threads */
	int n_numa_nodes;
	uint64_t memory_bytes;	/* sum of the NUMA nodes' local memory */
	struct rs_cache_level cache[RS_TOPO_MAX_CACHE_LEVEL + 1]; /* [1..3] */
	char cpu_model[128];	/* the package's CPUModel, or "unknown" */
};

/* Discover this machine, or build the machine that synthetic describes in
 * hwloc's synthetic syntax ("pack:2 l3:1(size=32MB) core:4 pu:2"), which
 * tests use so that no result depends on the host.  Returns 0, or -1 with
 * err filled. */
int rs_topo_load(struct rs_topology *topo, const char *synthetic,
	struct rs_error *err);
/* Accepts a topology that failed to load or was never loaded. */
void rs_topo_free(struct rs_topology *topo);

/* The core (logical index) that worker thread `worker` runs on: workers
 * fill the cores in logical order, then wrap around. */
int rs_topo_worker_core(const struct rs_topology *topo, int worker);
/* Bind thread to every hardware thread of rs_topo_worker_core(worker). */
int rs_topo_bind_thread(const struct rs_topology *topo, pthread_t thread,
	int worker, struct rs_error *err);

/* The calling thread's current binding, for rs_topo_restore_binding; NULL
 * when hwloc cannot read it. */
void *rs_topo_save_binding(const struct rs_topology *topo);
/* Bind the calling thread as saved and release saved (NULL: nothing). */
void rs_topo_restore_binding(const struct rs_topology *topo, void *saved);

/* One line: "1 package, 2 cores, 2 hardware threads, 1 NUMA node, 24.0 GiB;
 * L1d 32 KiB x 2, L2 1 MiB x 2, L3 32 MiB x 1". */
void rs_topo_summary(const struct rs_topology *topo, char *buf, size_t size);

/* Memory the kernel reports as available now (MemAvailable in
 * /proc/meminfo), in bytes; 0 when it cannot be read.  hwloc reports only
 * the installed memory. */
uint64_t rs_available_memory_bytes(void);

#endif
