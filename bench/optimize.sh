#!/bin/sh
# Time `recscale optimize` on the default scenario (four levers with 3 or 4
# candidate values, two or three hardware profiles per year, five years)
# with one and two threads, against `recscale plan` on the same scenario
# in the same run, which sizes one candidate per year.  Prints the median
# of 5 runs of each, the candidates searched and the time per candidate
# relative to plan's.  Run from the top of the repository after building.
set -eu

# median_ms CMD...: median wall time of 5 runs in milliseconds.
median_ms() {
	for i in 1 2 3 4 5; do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		echo $(((end - start) / 1000))
	done | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 1000 }'
}

candidates=$(./recscale optimize default --format json | python3 -c '
import json, sys
print(sum(y["n_candidates"] for y in json.load(sys.stdin)["years"]))')
one=$(median_ms ./recscale optimize default --threads 1)
two=$(median_ms ./recscale optimize default --threads 2)
plan=$(median_ms ./recscale plan default)

echo "candidates searched (all years): $candidates"
echo "optimize, 1 thread:  $one ms"
echo "optimize, 2 threads: $two ms (speed-up $(echo "$one $two" | awk '{ printf "%.2f", $1 / $2 }'))"
echo "plan (5 candidates): $plan ms"
echo "time per candidate, optimize 2 threads / plan: $(echo "$two $candidates $plan" | awk '{ printf "%.2f", ($1 / $2) / ($3 / 5) }')"
