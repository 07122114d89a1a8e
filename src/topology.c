/* Machine discovery and thread binding with hwloc; see topology.h. */
#include <stdio.h>
#include <string.h>

#include "topology.h"

static const hwloc_obj_type_t cache_types[RS_TOPO_MAX_CACHE_LEVEL + 1] = {
	HWLOC_OBJ_MACHINE,	/* unused */
	HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE
};

static void read_caches(struct rs_topology *topo)
{
	for (int level = 1; level <= RS_TOPO_MAX_CACHE_LEVEL; level++) {
		struct rs_cache_level *c = &topo->cache[level];
		hwloc_obj_t obj;

		c->n_caches = hwloc_get_nbobjs_by_type(topo->hw,
			cache_types[level]);
		obj = hwloc_get_obj_by_type(topo->hw, cache_types[level], 0);
		if (obj == NULL || obj->attr == NULL) {
			c->n_caches = 0;
			continue;
		}
		c->size_bytes = obj->attr->cache.size;
		c->line_bytes = (int)obj->attr->cache.linesize;
		c->ways = obj->attr->cache.associativity;
	}
}

static void read_memory(struct rs_topology *topo)
{
	hwloc_obj_t node = NULL;

	topo->memory_bytes = 0;
	while ((node = hwloc_get_next_obj_by_type(topo->hw, HWLOC_OBJ_NUMANODE,
			node)) != NULL)
		topo->memory_bytes += node->attr ? node->attr->numanode
			.local_memory : 0;
	if (topo->memory_bytes == 0) {
		hwloc_obj_t root = hwloc_get_root_obj(topo->hw);

		topo->memory_bytes = root->total_memory;
	}
}

static void read_cpu_model(struct rs_topology *topo)
{
	hwloc_obj_t package = hwloc_get_obj_by_type(topo->hw,
		HWLOC_OBJ_PACKAGE, 0);
	const char *model = package
		? hwloc_obj_get_info_by_name(package, "CPUModel") : NULL;

	snprintf(topo->cpu_model, sizeof topo->cpu_model, "%s",
		model && model[0] ? model : "unknown");
}

int rs_topo_load(struct rs_topology *topo, const char *synthetic,
	struct rs_error *err)
{
	memset(topo, 0, sizeof *topo);
	if (hwloc_topology_init(&topo->hw) < 0) {
		topo->hw = NULL;
		return rs_fail(err, "hwloc: cannot initialise a topology");
	}
	if (synthetic != NULL
	    && hwloc_topology_set_synthetic(topo->hw, synthetic) < 0) {
		rs_topo_free(topo);
		return rs_fail(err, "hwloc: invalid synthetic topology \"%s\"",
			synthetic);
	}
	if (hwloc_topology_load(topo->hw) < 0) {
		rs_topo_free(topo);
		return rs_fail(err, "hwloc: discovering the machine failed");
	}

	topo->n_packages = hwloc_get_nbobjs_by_type(topo->hw,
		HWLOC_OBJ_PACKAGE);
	topo->n_cores = hwloc_get_nbobjs_by_type(topo->hw, HWLOC_OBJ_CORE);
	topo->n_pus = hwloc_get_nbobjs_by_type(topo->hw, HWLOC_OBJ_PU);
	topo->n_numa_nodes = hwloc_get_nbobjs_by_type(topo->hw,
		HWLOC_OBJ_NUMANODE);
	/* Some virtual machines expose no core level: count each hardware
	 * thread as a core then. */
	if (topo->n_cores <= 0)
		topo->n_cores = topo->n_pus;
	if (topo->n_packages <= 0)
		topo->n_packages = 1;
	read_caches(topo);
	read_memory(topo);
	read_cpu_model(topo);
	return 0;
}

void rs_topo_free(struct rs_topology *topo)
{
	if (topo->hw != NULL)
		hwloc_topology_destroy(topo->hw);
	memset(topo, 0, sizeof *topo);
}

int rs_topo_worker_core(const struct rs_topology *topo, int worker)
{
	return topo->n_cores > 0 ? worker % topo->n_cores : 0;
}

int rs_topo_bind_thread(const struct rs_topology *topo, pthread_t thread,
	int worker, struct rs_error *err)
{
	int core = rs_topo_worker_core(topo, worker);
	hwloc_obj_type_t type = hwloc_get_nbobjs_by_type(topo->hw,
		HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
	hwloc_obj_t obj = hwloc_get_obj_by_type(topo->hw, type,
		(unsigned)core);

	if (obj == NULL || obj->cpuset == NULL)
		return rs_fail(err, "hwloc: core %d not found", core);
	if (hwloc_set_thread_cpubind(topo->hw, thread, obj->cpuset,
			HWLOC_CPUBIND_THREAD) < 0)
		return rs_fail(err, "hwloc: binding worker %d to core %d "
			"failed", worker, core);
	return 0;
}

void *rs_topo_save_binding(const struct rs_topology *topo)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();

	if (set != NULL && hwloc_get_cpubind(topo->hw, set,
			HWLOC_CPUBIND_THREAD) < 0) {
		hwloc_bitmap_free(set);
		set = NULL;
	}
	return set;
}

void rs_topo_restore_binding(const struct rs_topology *topo, void *saved)
{
	if (saved == NULL)
		return;
	hwloc_set_cpubind(topo->hw, saved, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(saved);
}

/* "32 KiB", "1 MiB", "1.5 GiB": binary units, at most one decimal. */
static void format_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, size, "%.0f %s", v, units[u]);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
}

void rs_topo_summary(const struct rs_topology *topo, char *buf, size_t size)
{
	static const char *const names[] = { "", "L1d", "L2", "L3" };
	char memory[32];
	size_t used;
	int first = 1;

	format_bytes(memory, sizeof memory, topo->memory_bytes);
	used = (size_t)snprintf(buf, size, "%d package%s, %d core%s, %d "
		"hardware thread%s, %d NUMA node%s, %s", topo->n_packages,
		topo->n_packages == 1 ? "" : "s", topo->n_cores,
		topo->n_cores == 1 ? "" : "s", topo->n_pus,
		topo->n_pus == 1 ? "" : "s", topo->n_numa_nodes,
		topo->n_numa_nodes == 1 ? "" : "s", memory);
	for (int level = 1; level <= RS_TOPO_MAX_CACHE_LEVEL; level++) {
		const struct rs_cache_level *c = &topo->cache[level];
		char cache[32];

		if (c->n_caches == 0 || used >= size)
			continue;
		format_bytes(cache, sizeof cache, c->size_bytes);
		used += (size_t)snprintf(buf + used, size - used, "%s %s %s x %d",
			first ? ";" : ",", names[level], cache, c->n_caches);
		first = 0;
	}
}

uint64_t rs_available_memory_bytes(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kib = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024u;
}
