#!/bin/sh
# Time `recscale plan` and `recscale simulate` on a workload of 800
# embedding tables, one line per table (public Meta traces describe about
# 800), against the same commands on the 26-table MLPerf DLRM-DCNv2
# workload in the same run.  Prints the median of 11 runs of each and the
# ratio.  Run from the top of the repository after building.
set -eu

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 800 tables of varied rows, dimension and pooling, one line each.
python3 - "$work/tables-800.cfg" <<'PY'
import random, re, sys
random.seed(1)
text = open("scenarios/default.cfg").read()
lines = []
for i in range(800):
    rows = int(10 ** random.uniform(3, 8))
    dim = random.choice([32, 64, 128, 256])
    pooling = round(random.uniform(1, 40), 1)
    lines.append("    { rows = %d; dim = %d; pooling = %.1f; }" % (rows, dim, pooling))
tables = "tables = (\n" + ",\n".join(lines) + "\n  );"
text = re.sub(r"tables = \(.*?\n  \);", lambda m: tables, text, flags=re.S)
open(sys.argv[1], "w").write(text)
PY

# median_ms CMD...: median wall time of 11 runs in milliseconds.
median_ms() {
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		echo $(((end - start) / 1000))
	done | sort -n | sed -n 6p | awk '{ printf "%.2f", $1 / 1000 }'
}

p800=$(median_ms ./recscale plan "$work/tables-800.cfg")
p26=$(median_ms ./recscale plan scenarios/mlperf-dlrm-dcnv2.cfg)
s800=$(median_ms ./recscale simulate "$work/tables-800.cfg" --hw h100-hgx --nodes 64)
s26=$(median_ms ./recscale simulate scenarios/mlperf-dlrm-dcnv2.cfg --hw h100-hgx --nodes 1)

echo "command                    800 tables (ms)  26 tables (ms)  ratio"
printf "plan (5 years)             %15s  %14s  %5.2f\n" "$p800" "$p26" \
	"$(echo "$p800 $p26" | awk '{ print $1 / $2 }')"
printf "simulate                   %15s  %14s  %5.2f\n" "$s800" "$s26" \
	"$(echo "$s800 $s26" | awk '{ print $1 / $2 }')"
