#!/bin/sh
# Run `recscale calibrate` several times and report how far the headline
# figures move between runs: median, minimum, maximum and spread
# ((max - min) / median) of each.  Run from the top of a built tree.
# Usage: sh bench/calibrate-repeat.sh [RUNS] [--quick]
# The JSON of each run stays in $KEEP when that names a folder.
set -eu

runs=${1:-3}
shift $(( $# > 0 ? 1 : 0 ))
work=${KEEP:-}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

i=1
while [ "$i" -le "$runs" ]; do
	./recscale calibrate -q --format json "$@" >"$work/run$i.json"
	i=$((i + 1))
done

python3 - "$work"/run*.json <<'PY'
import json, statistics, sys

runs = [json.load(open(p)) for p in sys.argv[1:]]
rows = []
def add(name, values, scale, unit):
    values = [v * scale for v in values]
    med = statistics.median(values)
    rows.append((name, unit, med, min(values), max(values),
                 (max(values) - min(values)) / med if med else float("nan")))

for k, m in enumerate(runs[0]["memory"]):
    t = m["n_threads"]
    add("read bandwidth, %d thread(s)" % t,
        [r["memory"][k]["read_bytes_per_s"] for r in runs], 1e-9, "GB/s")
    add("triad bandwidth, %d thread(s)" % t,
        [r["memory"][k]["triad_bytes_per_s"] for r in runs], 1e-9, "GB/s")
    add("random 64 B loads, %d thread(s)" % t,
        [r["memory"][k]["random_lines_per_s"] for r in runs], 1e-6, "M/s")
last = runs[0]["latency"][-1]["working_set_bytes"]
add("load latency at %.0f MiB" % (last / 2**20),
    [r["latency"][-1]["latency_s"] for r in runs], 1e9, "ns")
add("fitted gather rate", [r["gather_bw_bytes_per_s"] for r in runs], 1e-9, "GB/s")
add("gather_efficiency_frac", [r["gather_efficiency_frac"] for r in runs], 1, "")
add("gather_row_overhead_bytes", [r["gather_row_overhead_bytes"] for r in runs], 1, "B")
n_max = max(m["n_threads"] for m in runs[0]["memory"])
big = max(k["table_bytes"] for k in runs[0]["kernel"])
for i, k in enumerate(runs[0]["kernel"]):
    if (k["table_bytes"] == big and k["dtype"] == "fp32" and k["pooling_factor"] == 20
            and k["dist"] == "uniform"):
        add("kernel, %.0f MiB, %d B rows, %d thread(s)"
            % (big / 2**20, 4 * k["dim"], k["n_threads"]),
            [r["kernel"][i]["lookups_per_s"] for r in runs], 1e-6, "M lookups/s")

print("| figure | unit | median | min | max | spread |")
print("|---|---|---|---|---|---|")
for name, unit, med, lo, hi, spread in rows:
    print("| %s | %s | %.3g | %.3g | %.3g | %.0f%% |" % (name, unit, med, lo, hi, 100 * spread))
print()
print("elapsed: " + ", ".join("%.1f s" % r["elapsed_s"] for r in runs))
PY
