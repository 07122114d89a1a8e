#!/bin/sh
# recscale fit from a CSV of runs to a law file to a plan: the report, the
# law file it writes, the NE band and extrapolation warnings in plan, the
# scheme comparison in law, and invalid runs and options.
. "$srcdir/t/tap.sh"
plan 60

work=$tap_tmp/work
mkdir "$work"

# runs FILE BETA NOISE D_MAX: write 16 runs of
# NE = 0.98 + 0.02 (D / 1e10)^-BETA with relative noise NOISE (seeded),
# D from 1e8 to D_MAX, for the schemes embedding_rows and top_mlp (whose
# exponent is 0.02 smaller).
runs() {
	python3 - "$@" <<'EOF'
import math, random, sys
path, beta, noise, d_max = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
random.seed(11)
with open(path, "w") as f:
    f.write("# synthetic runs\n\nscheme,data_samples,ne\n")
    for scheme, b in (("embedding_rows", beta), ("top_mlp", beta - 0.02)):
        for i in range(16):
            d = 1e8 * (d_max / 1e8) ** (i / 15)
            ne = (0.98 + 0.02 * (d / 1e10) ** -b) * (1 + random.gauss(0, noise))
            f.write("%s,%.9g,%.10f\n" % (scheme, d, ne))
EOF
}

runs "$work/runs.csv" 0.12 1e-4 1e11

# The report.
run fit "$work/runs.csv" --x data_samples --format json
is "$rc" 0 "fit exits 0"
is "$(json_eval 'len(d["fits"])')" 2 "one fit per scheme"
is "$(json_eval 'sorted(d["fits"][0]["parameters"])')" \
	"['alpha', 'beta', 'gamma']" "power form has alpha, beta, gamma"
is "$(json_eval 'sorted(d["fits"][0]["parameters"]["beta"])')" \
	"['ci_high', 'ci_low', 'fixed', 'stderr', 'value']" \
	"each parameter has value, stderr and interval"
# With 16 runs at 1e-4 noise the exponent is known to a few percent.
is "$(json_eval 'abs(d["fits"][0]["parameters"]["beta"]["value"] - 0.12) < 0.012')" \
	True "beta of embedding_rows recovered within 10%"
is "$(json_eval 'abs(d["fits"][1]["parameters"]["beta"]["value"] - 0.10) < 0.012')" \
	True "beta of top_mlp recovered within 12%"
is "$(json_eval 'abs(d["fits"][0]["parameters"]["gamma"]["value"] - 0.98) < 0.003')" \
	True "gamma recovered near the 0.98 floor"
is "$(json_eval 'd["fits"][0]["statistics"]["n_starts_at_best"] >= 1')" \
	True "at least one start reaches the best cost"
is "$(json_eval 'd["fits"][0]["resources"][0]["phase_of_largest_run"]')" \
	"high-return" "largest run is in the high-return phase"
is "$(json_eval 'd["fits"][0]["resources"][0]["max"]')" 100000000000 \
	"range of the runs is reported"

run fit "$work/runs.csv" --x data_samples --fix gamma=0.98 --format json
is "$(json_eval 'd["fits"][0]["parameters"]["gamma"]')" \
	"{'value': 0.98, 'stderr': 0, 'ci_low': 0.98, 'ci_high': 0.98, 'fixed': True}" \
	"fixed gamma is reported as fixed"

run fit "$work/runs.csv" --x data_samples --holdout-largest 3 --format json
is "$(json_eval 'd["fits"][0]["holdout"]["n_runs"]')" 3 "hold-out of 3 runs"
is "$(json_eval 'd["fits"][0]["holdout"]["max_abs_rel_error"] < 1e-3')" \
	True "hold-out error is small on clean runs"

run fit "$work/runs.csv" --x data_samples
like "$out" "diminishing returns from" "text report gives the point of diminishing returns"
like "$out" "less than 0.1% of NE" "text report states the phase definition"

# The law file, its samples, and plan with it.
run fit "$work/runs.csv" --x data_samples --bootstrap 100 --seed 7 \
	--threads 2 -o "$work/mine.cfg"
is "$rc" 0 "fit -o exits 0"
like "$out" "parameter" "fit -o still prints the report"
test -f "$work/mine.cfg"
ok $? "fit -o writes the law file"
grep -q "data_exponent = \[" "$work/mine.cfg"
ok $? "law file carries the bootstrap samples"
run fit "$work/runs.csv" --x data_samples --bootstrap 100 --seed 7 \
	--threads 1 --name mine -o "$work/mine1.cfg"
sed 's/ on [0-9-]*";/";/' "$work/mine.cfg" >"$work/a"
sed 's/ on [0-9-]*";/";/' "$work/mine1.cfg" >"$work/b"
cmp -s "$work/a" "$work/b"
ok $? "bootstrap is the same with 1 and 2 threads"
run fit "$work/runs.csv" --x data_samples -o "$work/mine.cfg"
is "$rc" 1 "fit -o refuses to replace a law file"

run law "$work/mine.cfg" --format json
is "$rc" 0 "law reads the fitted file"
is "$(json_eval 'd["most_efficient"]["data"]')" "embedding_rows" \
	"law names the most data-efficient scheme"
is "$(json_eval 'd["schemes"][0]["data"]["phase"]')" "high-return" \
	"law reports the phase of each scheme"
run law "$work/mine.cfg"
like "$out" "most data-efficient: embedding_rows" "law text compares schemes"

sed "s|file = \"dlrm-2022\"|file = \"$work/mine.cfg\"|" \
	"$srcdir/scenarios/default.cfg" >"$work/fitted.cfg"
run plan "$work/fitted.cfg" --format json
is "$rc" 0 "plan runs with the fitted law"
is "$(json_eval 'd["law_samples"]')" 100 "plan sees the 100 samples"
is "$(json_eval 'all(y["ne_p10"] <= y["ne"] <= y["ne_p90"] for y in d["years"])')" \
	True "NE lies inside its P10-P90 band every year"
is "$(json_eval 'all(y["ne_p90"] - y["ne_p10"] > 0 for y in d["years"])')" \
	True "the band has a width"
is "$(json_eval 'd["warnings"]')" "[]" "no extrapolation within 10x the runs"
run plan "$work/fitted.cfg"
like "$out" "(P10-P90)" "plan text shows the NE band"

# A law fitted on small runs warns when a plan goes far beyond them.
runs "$work/small.csv" 0.12 1e-4 1e9
run fit "$work/small.csv" --x data_samples -o "$work/small-law.cfg"
sed "s|file = \"dlrm-2022\"|file = \"$work/small-law.cfg\"|" \
	"$srcdir/scenarios/default.cfg" >"$work/far.cfg"
run plan "$work/far.cfg" --format json
is "$(json_eval 'len(d["warnings"])')" 5 "one extrapolation warning per year"
like "$(json_eval 'd["warnings"][0]')" "extrapolated" "warning says extrapolated"

# Huber loss resists gross outliers that pull least squares away.
python3 - "$work/runs.csv" "$work/outliers.csv" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
out = []
for i, line in enumerate(lines):
    if line.startswith("embedding_rows") and i % 5 == 0:
        s, d, ne = line.split(",")
        line = "%s,%s,%.10f" % (s, d, float(ne) * 1.01)
    out.append(line)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
run fit "$work/outliers.csv" --x data_samples --format json --loss huber
huber=$(json_eval 'abs(d["fits"][0]["parameters"]["beta"]["value"] - 0.12)')
run fit "$work/outliers.csv" --x data_samples --format json --loss ls
ls_error=$(json_eval 'abs(d["fits"][0]["parameters"]["beta"]["value"] - 0.12)')
is "$(python3 -c "print($huber < $ls_error)")" True \
	"Huber beta is closer to the truth than least squares"

# Invalid runs: exit 1, one line naming the file, no law file left.
check_invalid() {
	name=$1 pattern=$2
	shift 2
	run fit "$@" -o "$work/bad-out.cfg"
	is "$rc" 1 "$name: exits 1"
	is "$(line_count "$err")" 1 "$name: one stderr line"
	like "$err" "$pattern" "$name: message names the problem"
	test ! -e "$work/bad-out.cfg" && ! ls "$work" | grep -q 'bad-out.cfg.tmp'
	ok $? "$name: leaves no law file"
}

printf 'data_samples,ne\n1e8,1.0\n1e9,0.99\n1e10,0.985\n' >"$work/few.csv"
check_invalid "too few runs" "few.csv" "$work/few.csv" --x data_samples
printf 'data_samples,ne\n1e8,1.0\n0,0.99\n1e10,0.985\n1e11,0.982\n1e12,0.981\n' \
	>"$work/zero.csv"
check_invalid "zero resource" "zero.csv" "$work/zero.csv" --x data_samples
printf 'data_samples,ne\n1e8,1.0\n1e9,nan\n' >"$work/nan.csv"
check_invalid "NaN response" "nan.csv:3:2" "$work/nan.csv" --x data_samples
printf 'data_samples,ne\n1e8,0.99\n1e9,0.99\n1e10,0.99\n1e11,0.99\n1e12,0.99\n' \
	>"$work/flat.csv"
check_invalid "constant response" "flat.csv" "$work/flat.csv" --x data_samples
check_invalid "missing column" "\"flops\"" "$work/runs.csv" --x flops
printf 'data_samples,ne\n1e8,1.0,7\n' >"$work/wide.csv"
check_invalid "extra field" "wide.csv:2:" "$work/wide.csv" --x data_samples

# Usage errors exit 2.
run fit "$work/runs.csv" --form additive --x data_samples
is "$rc" 2 "additive with one column is a usage error"
run fit "$work/runs.csv" --x samples
is "$rc" 2 "an unknown resource column is a usage error"
