/* Writing a calibration as a hardware profile: the measured values with
 * their sources, every other value as a stated assumption, and the full
 * measurements as comments. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "calibrate.h"

#define MIB (1024.0 * 1024.0)

/* Genoa figures that the per-core assumptions scale from; the same values
 * and their sources are in hwprofiles/genoa-2s.cfg. */
#define GENOA_CORES 96.0
#define GENOA_PRICE_USD 11805.0
#define GENOA_TDP_W 360.0
#define GENOA_NODE_USD_PER_HOUR 14.5	/* for 2 x 96 cores */

/* Write s as libconfig string literals of at most about 72 characters,
 * joined by adjacent-literal concatenation, escaping quotes and
 * backslashes. */
static void put_string(FILE *f, const char *s, int indent)
{
	int column = 0;

	fputc('"', f);
	for (const char *p = s; *p; p++) {
		if (column >= 72 && *p == ' ') {
			fprintf(f, " \"\n%*s\"", indent, "");
			column = 0;
			continue;
		}
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
		column++;
	}
	fputc('"', f);
}

/* key = value; key_source = "..."; with the value written so that
 * libconfig reads a float (or an integer for whole counts). */
static void put_value(FILE *f, const char *key, double value, int integer,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void put_value(FILE *f, const char *key, double value, int integer,
	const char *fmt, ...)
{
	char number[64], source[1024];
	va_list ap;

	if (integer)
		snprintf(number, sizeof number, "%.0f", value);
	else {
		snprintf(number, sizeof number, "%.6g", value);
		if (strpbrk(number, ".e") == NULL)
			strcat(number, ".0");
	}
	va_start(ap, fmt);
	vsnprintf(source, sizeof source, fmt, ap);
	va_end(ap);
	fprintf(f, "%s = %s;\n%s_source = ", key, number, key);
	put_string(f, source, (int)strlen(key) + 10);
	fputs(";\n", f);
}

static double all_cores(const struct rs_mem_figure *figures,
	const struct rs_calibration *c)
{
	return figures[c->n_thread_counts - 1].median;
}

static void write_comments(FILE *f, const struct rs_calibration *c)
{
	const double *l = c->cache_bytes;

	fprintf(f, "# Calibrated by recscale calibrate %s (%s run) on %s, %s, "
		"in %.0f s.\n", PACKAGE_VERSION, c->quick ? "quick" : "full",
		c->cpu_model, c->date, c->elapsed_s);
	fprintf(f, "# Machine as hwloc reports it: %s.\n", c->summary);
	fprintf(f, "# Compiler: %s.\n", c->compiler);
	fprintf(f, "# Inside a virtual machine hwloc reports the host's cache "
		"sizes (L3 %.0f MiB here);\n# the latency curve below shows "
		"where the usable part ends.\n#\n", l[3] / MIB);

	fprintf(f, "# Memory: medians of the samples with their spread "
		"(max - min) / median;\n# bandwidth on %.0f MiB, random loads "
		"on %.0f MiB; %.0f%% of the buffer in huge pages.\n",
		c->stream_bytes / MIB, c->random_bytes / MIB,
		100.0 * fmax(c->huge_page_frac, 0.0));
	fprintf(f, "#   threads  read GB/s      triad GB/s     random 64 B "
		"loads M/s\n");
	for (int i = 0; i < c->n_thread_counts; i++)
		fprintf(f, "#   %-7d  %6.1f (%3.0f%%)  %6.1f (%3.0f%%)  %6.1f "
			"(%3.0f%%)\n", c->thread_counts[i],
			c->read_bw[i].median / 1e9,
			100.0 * c->read_bw[i].spread_frac,
			c->triad_bw[i].median / 1e9,
			100.0 * c->triad_bw[i].spread_frac,
			c->random_lines[i].median / 1e6,
			100.0 * c->random_lines[i].spread_frac);

	fprintf(f, "#\n# Load latency, one dependent load at a time:\n");
	for (int i = 0; i < c->n_latency; i++)
		fprintf(f, "#   %9.0f KiB  %7.1f ns (%3.0f%%)\n",
			c->latency_bytes[i] / 1024.0,
			1e9 * c->latency_s[i].median,
			100.0 * c->latency_s[i].spread_frac);
	if (c->n_latency > 0)
		fprintf(f, "# Misses in flight per core at %.0f MiB (random "
			"loads/s x latency, Little's law): %.1f\n",
			c->latency_bytes[c->n_latency - 1] / MIB,
			c->random_lines[0].median
			* c->latency_s[c->n_latency - 1].median);

	fprintf(f, "#\n# Embedding-bag kernel (%s variant): median lookups/s; "
		"\"bound\" is the share of the\n# random-load rate at the same "
		"thread count divided by the cache lines of a row.\n",
		rs_emb_isa_name(rs_emb_isa_best()));
	fprintf(f, "#   table MiB  type  dim  pooling  indices    threads  "
		"lookups/s  GB/s   spread  bound\n");
	for (int i = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *k = &c->kernel[i];
		char dist[32];

		rs_dist_format(&k->dist, dist, sizeof dist);
		fprintf(f, "#   %9.1f  %-4s  %3d  %7d  %-9s  %7d  %9.3g  %5.2f  "
			"%5.0f%%  %5.2f\n", k->table_bytes / MIB,
			rs_emb_dtype_name(k->dtype), k->dim, k->pooling_factor,
			dist, k->n_threads, k->lookups_per_s,
			k->bytes_per_s / 1e9, 100.0 * k->spread_frac,
			k->bound_frac);
	}
	if (c->n_retried > 0)
		fprintf(f, "# %d measurement%s spread by more than 50%% and %s "
			"taken again; the steadier result is listed.\n",
			c->n_retried, c->n_retried == 1 ? "" : "s",
			c->n_retried == 1 ? "was" : "were");
	fprintf(f, "#\n# Gather fit: seconds per lookup against row bytes on the "
		"largest table, fp32,\n# pooling 20, uniform indices, %d "
		"threads: %d points, worst point %.1f%% off the line.\n#\n",
		c->thread_counts[c->n_thread_counts - 1], c->gather_fit_points,
		100.0 * c->gather_fit_max_error_frac);
	fprintf(f, "# Values whose source starts with \"assumption:\" are not "
		"measured; replace them\n# with quoted or measured figures.\n\n");
}

static void write_devices(FILE *f, const struct rs_calibration *c,
	const char *measured)
{
	double cores = (double)c->n_cores / c->n_packages;
	double ghz = c->cpu_mhz > 0.0 ? c->cpu_mhz / 1000.0 : 2.0;
	double fp32 = cores * ghz * 1e9 * 32.0;
	double bw = all_cores(c->read_bw, c);

	put_value(f, "year_available", atof(c->date), 1, "assumption: "
		"available now, the year of the calibration");
	put_value(f, "n_devices", c->n_packages, 1, "%s: packages (CPU "
		"sockets) that hwloc reports", measured);
	put_value(f, "device_memory_bytes", c->memory_bytes / c->n_packages, 0,
		"%s: the NUMA nodes' memory that hwloc reports, divided among "
		"%d package%s", measured, c->n_packages,
		c->n_packages == 1 ? "" : "s");
	put_value(f, "device_memory_bw_bytes_per_s", bw / c->n_packages, 0,
		"%s: read bandwidth with %d threads over %.0f MiB, median of the "
		"samples (spread %.0f%%); a measured rate, not the DDR peak",
		measured, c->thread_counts[c->n_thread_counts - 1],
		c->stream_bytes / MIB,
		100.0 * c->read_bw[c->n_thread_counts - 1].spread_frac);
	put_value(f, "device_peak_fp32_flops_per_s", fp32, 0, "assumption: "
		"%.0f cores x %.2f GHz (%s) x 32 FLOP per cycle, two 256-bit FMA "
		"pipes per core as on Zen 4; not measured", cores, ghz,
		c->cpu_mhz > 0.0 ? "cpu MHz in /proc/cpuinfo"
		: "assumed, /proc/cpuinfo gave no clock");
	put_value(f, "device_peak_bf16_flops_per_s", c->avx512_bf16 ? 2.0 * fp32
		: fp32, 0, "%s", c->avx512_bf16 ? "assumption: AVX-512 BF16 "
		"dot products at twice the fp32 rate" : "assumption: no native "
		"bf16 arithmetic found, so bf16 runs at the fp32 rate");
	put_value(f, "device_peak_fp8_flops_per_s", 0.0, 0, "assumption: 0, "
		"because x86 CPUs have no fp8 arithmetic");
	if (c->n_packages > 1)
		put_value(f, "device_scaleup_bw_bytes_per_s", bw / c->n_packages,
			0, "assumption: the socket-to-socket link is not "
			"measured; set to one socket's measured read bandwidth");
	else
		put_value(f, "device_scaleup_bw_bytes_per_s", 0.0, 0,
			"definition: one socket, so nothing crosses a "
			"socket-to-socket link");
}

/* Write gather_efficiency_curve: one (footprint bytes, row bytes,
 * efficiency) triple per curve point. */
static void write_curve(FILE *f, const struct rs_calibration *c,
	const char *measured)
{
	double bw = all_cores(c->read_bw, c);
	int n_threads = c->thread_counts[c->n_thread_counts - 1], n = 0;
	char source[512];

	for (int i = 0; i < c->n_kernel; i++)
		n += rs_calib_is_curve_point(c, &c->kernel[i]);
	if (n == 0 || !(bw > 0.0))
		return;
	fputs("gather_efficiency_curve = (", f);
	for (int i = 0, k = 0; i < c->n_kernel; i++) {
		const struct rs_calib_kernel_point *p = &c->kernel[i];

		if (!rs_calib_is_curve_point(c, p))
			continue;
		fprintf(f, "%s(%.0f.0, %zu.0, %.4g)", k++ ? ",\n    " : "\n    ",
			p->table_bytes, rs_emb_row_bytes(p->dtype, p->dim),
			fmax(rs_calib_curve_efficiency(c, p), 1e-6));
	}
	snprintf(source, sizeof source, "%s: (footprint bytes, row bytes, "
		"efficiency) with the kernel's table size as the footprint and "
		"its gathered bytes/s over the read bandwidth of %d threads as "
		"the efficiency; fp32 rows, pooling 20, uniform indices, %d "
		"threads, medians of the kernel samples", measured, n_threads,
		n_threads);
	fputs("\n);\ngather_efficiency_curve_source = ", f);
	put_string(f, source, 33);
	fputs(";\n", f);
}

static void write_rest(FILE *f, const struct rs_calibration *c,
	const char *measured)
{
	double cores = (double)c->n_cores;

	put_value(f, "host_memory_bytes", 0.0, 0, "definition: no separate "
		"host tier on a CPU node, the memory is counted as device "
		"memory");
	put_value(f, "host_memory_bw_bytes_per_s", 0.0, 0, "definition: no "
		"separate host tier on a CPU node");
	put_value(f, "host_device_bw_bytes_per_s", 0.0, 0, "definition: no "
		"separate host tier on a CPU node");
	put_value(f, "node_scaleout_bw_bytes_per_s", 12.5e9, 0, "assumption: "
		"one 100 Gb/s NIC, as in hwprofiles/genoa-2s.cfg; not measured");
	put_value(f, "n_nics", 1, 1, "assumption: one NIC");
	put_value(f, "network_latency_s", 20e-6, 0, "assumption: 20 us per "
		"collective step, as in hwprofiles/genoa-2s.cfg");
	put_value(f, "node_power_w", 1.5 * cores * GENOA_TDP_W / GENOA_CORES,
		0, "assumption: %.0f cores at the EPYC 9654's 360 W / 96 cores, "
		"x 1.5 for memory, board and fans (hwprofiles/genoa-2s.cfg)",
		cores);
	put_value(f, "power_avg_frac", 0.75, 0, "assumption: as in "
		"hwprofiles/genoa-2s.cfg");
	put_value(f, "device_price_usd", cores / c->n_packages
		* GENOA_PRICE_USD / GENOA_CORES, 0, "assumption: the EPYC "
		"9654's $11,805 for 96 cores, per core (hwprofiles/"
		"genoa-2s.cfg); replace with the real price");
	put_value(f, "server_cost_factor", 1.7, 0, "assumption: as in "
		"hwprofiles/genoa-2s.cfg");
	put_value(f, "node_cloud_usd_per_hour", cores
		* GENOA_NODE_USD_PER_HOUR / (2.0 * GENOA_CORES), 0,
		"assumption: $14.5/h for 192 Genoa cores "
		"(hwprofiles/genoa-2s.cfg), per core");

	put_value(f, "dense_efficiency_frac", 0.35, 0, "assumption: as in "
		"hwprofiles/genoa-2s.cfg; the dense layers are not measured");
	if (isfinite(c->gather_bw_bytes_per_s)) {
		double e = fmin(fmax(c->gather_efficiency_frac, 0.001), 1.0);

		put_value(f, "gather_efficiency_frac", e, 0, "%s: fitted gather "
			"rate %.3g bytes/s over the read bandwidth%s; from %d "
			"kernel points on the largest table (fp32, pooling 20, "
			"uniform, all cores), worst %.0f%% off the fit",
			measured, c->gather_bw_bytes_per_s,
			e != c->gather_efficiency_frac ? " (clamped to the "
			"field's range)" : "", c->gather_fit_points,
			100.0 * c->gather_fit_max_error_frac);
		put_value(f, "gather_row_overhead_bytes",
			fmin(fmax(c->gather_overhead_bytes, 0.0), 1e6), 0,
			"%s: intercept over slope of the same fit (%.1f bytes "
			"before clamping to 0 or more)", measured,
			c->gather_overhead_bytes);
	} else {
		put_value(f, "gather_efficiency_frac", 0.5, 0, "assumption: "
			"the fit of the kernel points failed; TorchRec's DDR "
			"factor, as in hwprofiles/genoa-2s.cfg");
		put_value(f, "gather_row_overhead_bytes", 64.0, 0, "assumption: "
			"the fit of the kernel points failed; one cache line");
	}
	write_curve(f, c, measured);
	put_value(f, "host_gather_efficiency_frac", 1.0, 0, "assumption: "
		"unused, because the node has no host tier");
	put_value(f, "network_efficiency_frac", 0.65, 0, "assumption: as in "
		"hwprofiles/genoa-2s.cfg");
	put_value(f, "memory_reserve_frac", 0.15, 0, "assumption: as in "
		"hwprofiles/genoa-2s.cfg");
	put_value(f, "overlap_frac", 0.0, 0, "assumption: no overlap of "
		"computation and communication");
}

int rs_calib_write_profile(FILE *f, const struct rs_calibration *c,
	struct rs_error *err)
{
	char measured[256], text[512];

	snprintf(measured, sizeof measured, "measured by recscale calibrate on "
		"%s, %s", c->cpu_model, c->date);
	write_comments(f, c);

	snprintf(text, sizeof text, "%s, calibrated %s: %s", c->cpu_model,
		c->date, c->summary);
	fputs("description = ", f);
	put_string(f, text, 14);
	snprintf(text, sizeof text, "%s package (%d cores)", c->cpu_model,
		c->n_cores / c->n_packages);
	fputs(";\ndevice = ", f);
	put_string(f, text, 9);
	fputs(";\nkind = \"cpu\";\n\n", f);

	write_devices(f, c, measured);
	fputc('\n', f);
	write_rest(f, c, measured);
	if (ferror(f))
		return rs_fail(err, "writing the profile failed");
	return 0;
}
