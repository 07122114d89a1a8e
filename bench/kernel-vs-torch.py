#!/usr/bin/python3
"""recscale's embedding-bag kernel against PyTorch and a plain loop.

All three run in one process on the same table (one buffer in huge pages,
handed to PyTorch as a tensor without a copy), the same indices and the
same offsets, sum pooling.  Variants are interleaved sample by sample, so a
slow phase of a shared machine hits all of them alike.  Each figure is the
median of the samples (each at least 25 ms), and ratios are taken within a
configuration.  The random-access bound is the rate of independent random
64-byte loads at the same thread count, measured at the start, divided by
the cache lines of a row.

Run it through bench/kernel-vs-torch.sh, which builds the library it loads.
Output: one CSV row per configuration on stdout, a summary on stderr.
"""
import argparse
import ctypes
import math
import statistics
import sys
import time

import numpy as np
import torch

MIB = 1 << 20
LOOKUPS_PER_CALL = 40960
POOL_LOOKUPS = 1 << 20
DTYPES = {"fp32": (0, 4), "int8": (3, 1)}   # enum rs_emb_dtype, bytes/elem


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", help="path of libembbag.so")
    p.add_argument("--tables-mib", default="1,16,256,4096")
    p.add_argument("--dims", default="16,64,128,256")
    p.add_argument("--poolings", default="1,20,80")
    p.add_argument("--dists", default="uniform,zipf:1.05")
    p.add_argument("--dtypes", default="fp32,int8")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--min-sample-s", type=float, default=0.025)
    p.add_argument("--prefetch-sweep", action="store_true",
                   help="instead of the grid, compare prefetch distances "
                   "0, 4, 8, 16, 32, 64 rows on the largest table")
    p.add_argument("--summary", metavar="CSV",
                   help="print Markdown tables summarising a grid CSV "
                   "written by an earlier run, and exit")
    return p.parse_args()


def summarise(path):
    """Ratios to PyTorch and fractions of the random-access bound."""
    import csv
    rows = list(csv.DictReader(line for line in open(path)
                               if not line.startswith("#")))
    print("| rows | configurations | median ratio to PyTorch | min | max "
          "| configurations below 1.0 |")
    print("|---|---|---|---|---|---|")
    groups = [("all", rows)]
    for dtype in ("fp32", "int8"):
        for threads in ("1", "2"):
            groups.append(("%s, %s thread%s" % (dtype, threads,
                           "" if threads == "1" else "s"),
                           [r for r in rows if r["dtype"] == dtype
                            and r["threads"] == threads]))
    for name, group in groups:
        ratios = [float(r["ratio_torch"]) for r in group]
        if not ratios:
            continue
        print("| %s | %d | %.2f | %.2f | %.2f | %d |"
              % (name, len(ratios), statistics.median(ratios), min(ratios),
                 max(ratios), sum(1 for x in ratios if x < 1.0)))
    print()
    print("| table | threads | dtype | median fraction of the random-access "
          "bound | min | median ratio to the plain loop |")
    print("|---|---|---|---|---|---|")
    for table in sorted({int(r["table_mib"]) for r in rows}):
        for threads in ("1", "2"):
            for dtype in ("fp32", "int8"):
                group = [r for r in rows if int(r["table_mib"]) == table
                         and r["threads"] == threads and r["dtype"] == dtype
                         and r["dist"] == "uniform"]
                if not group:
                    continue
                bounds = [float(r["bound_frac"]) for r in group]
                naive = [float(r["ratio_naive"]) for r in group
                         if r["ratio_naive"] != "nan"]
                print("| %d MiB | %s | %s | %.2f | %.2f | %s |"
                      % (table, threads, dtype, statistics.median(bounds),
                         min(bounds), "%.1f" % statistics.median(naive)
                         if naive else "-"))


def load_library(path):
    lib = ctypes.CDLL(path)
    vp, i64p, f32p = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
    lib.eb_pool_new.restype = vp
    lib.eb_pool_new.argtypes = [ctypes.c_int]
    lib.eb_pool_free.argtypes = [vp]
    lib.eb_forward.restype = ctypes.c_int
    lib.eb_forward.argtypes = [vp, vp, ctypes.c_int64, ctypes.c_int,
                               ctypes.c_int, i64p, i64p, ctypes.c_int64,
                               ctypes.c_int, ctypes.c_int, f32p]
    lib.eb_naive_fp32.argtypes = [vp, ctypes.c_int, i64p, i64p,
                                  ctypes.c_int64, f32p]
    lib.eb_naive_int8.argtypes = lib.eb_naive_fp32.argtypes
    lib.eb_alloc.restype = vp
    lib.eb_alloc.argtypes = [ctypes.c_size_t]
    lib.eb_data.restype = vp
    lib.eb_data.argtypes = [vp]
    lib.eb_huge_frac.restype = ctypes.c_double
    lib.eb_huge_frac.argtypes = [vp]
    lib.eb_free.argtypes = [vp]
    lib.eb_random_lines.restype = ctypes.c_double
    lib.eb_random_lines.argtypes = [vp, ctypes.c_int]
    lib.eb_fill_indices.restype = ctypes.c_int
    lib.eb_fill_indices.argtypes = [i64p, ctypes.c_int64, ctypes.c_int64,
                                    ctypes.c_double, ctypes.c_uint64]
    return lib


def lines_per_row(row_bytes):
    if row_bytes % 64 == 0:
        return row_bytes / 64
    return 1 + (row_bytes - 1) / 64


def time_sample(fn, calls):
    t0 = time.perf_counter()
    for k in range(calls):
        fn(k)
    return time.perf_counter() - t0


def measure(variants, lookups_per_call, samples, min_sample_s):
    """Median lookups/s of each variant, interleaved sample by sample."""
    calls = {}
    for name, fn in variants.items():
        time_sample(fn, 2)                       # warm-up
        n, t = 1, time_sample(fn, 1)
        while t < min_sample_s:
            n = max(n + 1, math.ceil(n * 1.25 * min_sample_s / max(t, 1e-6)))
            t = time_sample(fn, n)
        calls[name] = n
    rates = {name: [] for name in variants}
    for _ in range(samples):
        for name, fn in variants.items():
            t = time_sample(fn, calls[name])
            rates[name].append(calls[name] * lookups_per_call / t)
            # Let spinning threads go idle: PyTorch's OpenMP workers spin
            # for milliseconds after a call, and after a 5 ms pause they
            # still slowed the next two-thread sample of recscale by up
            # to 30%.
            time.sleep(0.05)
    return {name: (statistics.median(r), (max(r) - min(r)) / statistics.median(r))
            for name, r in rates.items()}


class Config:
    def __init__(self, table_mib, dim, pooling, dist, dtype, threads):
        self.table_mib, self.dim, self.pooling = table_mib, dim, pooling
        self.dist, self.dtype, self.threads = dist, dtype, threads
        code, elem = DTYPES[dtype]
        self.dtype_code = code
        self.row_bytes = dim * elem + (8 if dtype == "int8" else 0)
        self.n_rows = table_mib * MIB // self.row_bytes
        self.n_bags = LOOKUPS_PER_CALL // pooling


def run_config(lib, buf, cfg, indices, pools, args, bound):
    data = lib.eb_data(buf)
    batch = cfg.n_bags * cfg.pooling
    n_batches = len(indices) // batch
    offsets = np.arange(cfg.n_bags + 1, dtype=np.int64) * cfg.pooling
    out = np.zeros((cfg.n_bags, cfg.dim), dtype=np.float32)
    raw = np.ctypeslib.as_array(
        (ctypes.c_uint8 * (cfg.n_rows * cfg.row_bytes)).from_address(data))
    if cfg.dtype == "fp32":
        weight = torch.from_numpy(raw.view(np.float32).reshape(cfg.n_rows, cfg.dim))
    else:
        weight = torch.from_numpy(raw.reshape(cfg.n_rows, cfg.row_bytes))
    idx_t = torch.from_numpy(indices)
    off_t = torch.from_numpy(offsets)
    batches = [idx_t[k * batch:(k + 1) * batch] for k in range(n_batches)]
    ptrs = [indices.ctypes.data + 8 * k * batch for k in range(n_batches)]
    pool = pools[cfg.threads]
    off_p, out_p = offsets.ctypes.data, out.ctypes.data

    def ours(k):
        rc = lib.eb_forward(pool, data, cfg.n_rows, cfg.dim, cfg.dtype_code,
                            ptrs[k % n_batches], off_p, cfg.n_bags, 0, -1, out_p)
        if rc != 0:
            raise RuntimeError("kernel failed")

    def naive(k):
        f = lib.eb_naive_fp32 if cfg.dtype == "fp32" else lib.eb_naive_int8
        f(data, cfg.dim, ptrs[k % n_batches], off_p, cfg.n_bags, out_p)

    def reference(k):
        if cfg.dtype == "fp32":
            torch.nn.functional.embedding_bag(
                batches[k % n_batches], weight, off_t, mode="sum",
                include_last_offset=True)
        else:
            torch.ops.quantized.embedding_bag_byte_rowwise_offsets(
                weight, batches[k % n_batches], off_t, mode=0,
                include_last_offset=True)

    torch.set_num_threads(cfg.threads)
    with torch.no_grad():
        variants = {"recscale": ours, "torch": reference}
        if cfg.threads == 1:
            variants["naive"] = naive    # single-threaded by nature
        return measure(variants, batch, args.samples, args.min_sample_s)


def prefetch_sweep(lib, buf, table_mib, pools, args):
    print("dim,prefetch_rows,lookups_per_s,spread_frac")
    for dim in (16, 64, 256):
        cfg = Config(table_mib, dim, 20, "uniform", "fp32", 1)
        indices = np.empty(POOL_LOOKUPS, dtype=np.int64)
        lib.eb_fill_indices(indices.ctypes.data, len(indices), cfg.n_rows, 0.0, 42)
        offsets = np.arange(cfg.n_bags + 1, dtype=np.int64) * 20
        out = np.zeros((cfg.n_bags, dim), dtype=np.float32)
        data = lib.eb_data(buf)
        batch = cfg.n_bags * 20
        n_batches = len(indices) // batch
        variants = {}
        for pf in (0, 4, 8, 16, 32, 64):
            def run(k, pf=pf):
                lib.eb_forward(pools[1], data, cfg.n_rows, dim, 0,
                               indices.ctypes.data + 8 * (k % n_batches) * batch,
                               offsets.ctypes.data, cfg.n_bags, 0, pf,
                               out.ctypes.data)
            variants[pf] = run
        for pf, (rate, spread) in measure(variants, batch, args.samples,
                                          args.min_sample_s).items():
            print("%d,%d,%.4g,%.3f" % (dim, pf, rate, spread), flush=True)


def main():
    args = parse_args()
    if args.summary:
        summarise(args.summary)
        return
    if not args.lib:
        sys.exit("kernel-vs-torch: --lib is required; run bench/kernel-vs-torch.sh")
    lib = load_library(args.lib)
    tables = [int(x) for x in args.tables_mib.split(",")]
    threads = [int(x) for x in args.threads.split(",")]
    buf = lib.eb_alloc(max(tables) * MIB)
    if not buf:
        sys.exit("kernel-vs-torch: cannot map %d MiB" % max(tables))
    pools = {n: lib.eb_pool_new(n) for n in threads}
    if args.prefetch_sweep:
        prefetch_sweep(lib, buf, max(tables), pools, args)
        return
    bound = {n: lib.eb_random_lines(buf, n) for n in threads}
    print("# huge pages: %.0f%% of the table; random 64 B loads/s: %s; torch %s"
          % (100 * lib.eb_huge_frac(buf),
             ", ".join("%d thread(s) %.3g" % (n, b) for n, b in bound.items()),
             torch.__version__), file=sys.stderr)
    print("table_mib,dtype,dim,pooling,dist,threads,recscale_lookups_per_s,"
          "recscale_spread,torch_lookups_per_s,torch_spread,naive_lookups_per_s,"
          "ratio_torch,ratio_naive,bound_frac,recscale_bytes_per_s")
    for table_mib in tables:
        for dtype in args.dtypes.split(","):
            for dim in (int(x) for x in args.dims.split(",")):
                for dist in args.dists.split(","):
                    zipf_s = float(dist.split(":")[1]) if dist != "uniform" else 0.0
                    probe = Config(table_mib, dim, 1, dist, dtype, 1)
                    indices = np.empty(POOL_LOOKUPS, dtype=np.int64)
                    lib.eb_fill_indices(indices.ctypes.data, len(indices),
                                        probe.n_rows, zipf_s, 42)
                    for pooling in (int(x) for x in args.poolings.split(",")):
                        for n in threads:
                            cfg = Config(table_mib, dim, pooling, dist, dtype, n)
                            r = run_config(lib, buf, cfg, indices, pools, args, bound)
                            ours, spread = r["recscale"]
                            ref, ref_spread = r["torch"]
                            naive = r.get("naive", (float("nan"), 0))[0]
                            limit = bound[n] / lines_per_row(cfg.row_bytes)
                            print("%d,%s,%d,%d,%s,%d,%.4g,%.3f,%.4g,%.3f,%.4g,%.3f,%.3f,%.3f,%.4g"
                                  % (table_mib, dtype, dim, pooling, dist, n, ours,
                                     spread, ref, ref_spread, naive, ours / ref,
                                     ours / naive, ours / limit, ours * cfg.row_bytes),
                                  flush=True)
    for pool in pools.values():
        lib.eb_pool_free(pool)
    lib.eb_free(buf)


if __name__ == "__main__":
    main()
