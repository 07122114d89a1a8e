#!/bin/sh
# The recscale command line: help and usage errors, the plan output formats
# and output files, the hw and law commands, and the data search path.
. "$srcdir/t/tap.sh"
plan 118

# Help and version.
run --help
is "$rc" 0 "--help exits 0"
like "$out" "Usage: recscale" "--help prints usage to stdout"
for command in plan hw law; do
	run "$command" --help
	is "$rc" 0 "$command --help exits 0"
	like "$out" "Usage: recscale $command" "$command --help prints usage"
done
run --version
is "$rc" 0 "--version exits 0"
case "$out" in
"recscale "[0-9]*.[0-9]*) ok 0 "--version prints name and number" ;;
*) ok 1 "--version prints name and number"; echo "# got: $out" ;;
esac

# Usage errors exit 2.
run
is "$rc" 2 "no arguments exits 2"
is "$out" "" "no arguments print nothing on stdout"
like "$err" "Usage: recscale" "no arguments print usage to stderr"
run frobnicate
is "$rc" 2 "unknown command exits 2"
is "$(line_count "$err")" 1 "unknown command: one stderr line"
like "$err" '"frobnicate"' "unknown command is named"
run plan --bogus
is "$rc" 2 "unknown option exits 2"
is "$(line_count "$err")" 1 "unknown option: one stderr line"
like "$err" '"--bogus"' "unknown option is named"

# plan with the default scenario, as a table.
run plan
is "$rc" 0 "plan exits 0"
for year in 2026 2027 2028 2029 2030; do
	is "$(printf '%s\n' "$out" | grep -c "^$year ")" 1 "plan table has row $year"
done
is "$(printf '%s\n' "$out" | grep -c '^[0-9][0-9][0-9][0-9] ')" 5 \
	"plan table has five year rows"

# plan as JSON.
run plan --format json
is "$rc" 0 "plan json exits 0"
printf '%s\n' "$out" >"$tap_tmp/plan.json"
is "$(json_eval "len(d['years'])")" 5 "plan json has 5 years"
is "$(json_eval "[y['year'] for y in d['years']]")" \
	"[2026, 2027, 2028, 2029, 2030]" "plan json years are 2026-2030"
for key in year data_samples params_embedding params_dense flops ne nodes \
	device binding cost_usd; do
	is "$(json_eval "all(y.get('$key') is not None for y in d['years'])")" \
		True "plan json years carry $key"
done

# plan as CSV: a header and one row per year, with the JSON's numbers.
run plan --format csv
is "$rc" 0 "plan csv exits 0"
csv_out=$out
printf '%s\n' "$out" >"$tap_tmp/plan.csv"
is "$(line_count "$out")" 6 "plan csv has header and 5 rows"
is "$(python3 -c '
import csv, sys
print([row["year"] for row in csv.DictReader(open(sys.argv[1]))])
' "$tap_tmp/plan.csv")" "['2026', '2027', '2028', '2029', '2030']" \
	"plan csv rows are 2026-2030"
for key in cost_usd ne; do
	is "$(python3 -c '
import csv, json, sys
key = sys.argv[3]
from_json = [float(y[key]) for y in json.load(open(sys.argv[1]))["years"]]
from_csv = [float(row[key]) for row in csv.DictReader(open(sys.argv[2]))]
print(from_json == from_csv or (from_json, from_csv))
' "$tap_tmp/plan.json" "$tap_tmp/plan.csv" "$key")" True \
		"plan json and csv $key agree"
done

# plan -o writes a file, and replaces an existing file only with --force.
mkdir "$tap_tmp/out"
target=$tap_tmp/out/plan.csv
run plan --format csv -o "$target"
is "$rc" 0 "plan -o exits 0"
is "$out" "" "plan -o prints nothing on stdout"
is "$(cat "$target" 2>/dev/null)" "$csv_out" "plan -o writes the csv"
existing=$tap_tmp/out/existing.csv
echo "keep me" >"$existing"
run plan --format csv -o "$existing"
is "$rc" 1 "plan -o existing exits 1"
is "$(cat "$existing")" "keep me" "plan -o existing keeps the file"
is "$(line_count "$err")" 1 "plan -o existing: one stderr line"
like "$err" "--force" "plan -o existing suggests --force"
is "$(ls -A "$tap_tmp/out" | grep -c '\.tmp\.')" 0 \
	"plan -o leaves no temp file"
run plan --format csv -o "$existing" --force
is "$rc" 0 "plan -o --force exits 0"
is "$(cat "$existing")" "$csv_out" "plan -o --force replaces the file"

# The MLPerf DLRM-DCNv2 scenario: 26 tables of dimension 128, exact Adagrad.
run plan mlperf-dlrm-dcnv2 --format json
is "$rc" 0 "plan mlperf exits 0"
is "$(json_eval "d['years'][0]['params_embedding']")" 26135627264 \
	"mlperf embedding params are 26.1 B"
is "$(json_eval "d['years'][0]['lookups_per_sample']")" 214 \
	"mlperf lookups per sample are 214"
is "$(json_eval "d['years'][0]['embedding_state_bytes'] \
	== 2 * 4 * d['years'][0]['params_embedding']")" True \
	"mlperf state is twice fp32 tables"
is "$(json_eval "round(d['years'][0]['embedding_state_bytes'] / 1e9)")" 209 \
	"mlperf state is about 209 GB"

# hw list.
run hw list
is "$rc" 0 "hw list exits 0"
for profile in a100-80gb-eth a100-80gb-hgx b200-hgx genoa-2s h100-hgx h200-hgx \
	mi300x-oam; do
	is "$(printf '%s\n' "$out" | grep -c "^$profile ")" 1 \
		"hw list shows $profile"
done
is "$(printf '%s\n' "$out" | sed 1d | grep -c .)" 7 "hw list shows seven profiles"
run hw list --format json
is "$rc" 0 "hw list json exits 0"
is "$(json_eval "[p['name'] for p in d['profiles']]")" \
	"['a100-80gb-eth', 'a100-80gb-hgx', 'b200-hgx', 'genoa-2s', 'h100-hgx', 'h200-hgx', 'mi300x-oam']" \
	"hw list json names the profiles"

# hw show: every value of the field table with its unit and source.
n_fields=$(grep -c '^	FIELD(' "$srcdir/src/hwprofile.c")
is "$n_fields" 26 "hwprofile field table has 26 entries"
run hw show h100-hgx
is "$rc" 0 "hw show exits 0"
row=$(printf '%s\n' "$out" | grep '^device_memory_bw_bytes_per_s ')
like "$row" " bytes/s " "hw show gives memory bandwidth unit"
like "$row" "glennklockwood.com H100 page" "hw show gives memory bandwidth source"
row=$(printf '%s\n' "$out" | grep '^node_power_w ')
like "$row" " W " "hw show gives node power unit"
like "$row" "flashgenius.net" "hw show gives node power source"
row=$(printf '%s\n' "$out" | grep '^network_latency_s ')
like "$row" " s " "hw show gives latency unit"
like "$row" "[A] assumption:" "hw show marks latency an assumption"
# The value rows are the block between the first and second blank lines.
is "$(printf '%s\n' "$out" | awk 'NF == 0 { block++; next } block == 1 { n++ }
	END { print n + 0 }')" "$n_fields" "hw show prints every field"
is "$(printf '%s\n' "$out" | awk 'NF == 0 { block++; next }
	block == 1 && NF < 4 { n++ } END { print n + 0 }')" 0 \
	"hw show rows have unit and source"
run hw show --format json h100-hgx
is "$rc" 0 "hw show json exits 0"
is "$(json_eval "len(d['values'])")" "$n_fields" "hw show json has every field"
is "$(json_eval "all(v['source'].strip() for v in d['values'].values())")" \
	True "hw show json sources are non-empty"
is "$(json_eval "all(v['unit'].strip() for v in d['values'].values())")" \
	True "hw show json units are non-empty"
run hw show nope
is "$rc" 1 "hw show unknown exits 1"
is "$(line_count "$err")" 1 "hw show unknown: one stderr line"
like "$err" '"nope"' "hw show unknown names the profile"
like "$err" "RECSCALE_PATH" "hw show unknown names RECSCALE_PATH"

# law: describe, evaluate, invert.
run law dlrm-2022
is "$rc" 0 "law describe exits 0"
for scheme in embedding_rows embedding_dim top_mlp all_mlp; do
	like "$out" "scheme $scheme:" "law lists scheme $scheme"
done
run law dlrm-2022 --at data_samples=5e11 --at params_embedding=4.2e11 \
	--scheme embedding_rows --format json
is "$rc" 0 "law at reference exits 0"
is "$(json_eval "[r['scheme'] for r in d['results']]")" "['embedding_rows']" \
	"law --scheme gives one result"
is "$(json_eval "abs(d['results'][0]['ne'] - 0.999) <= 1e-9")" True \
	"law at reference gives 0.999"
run law dlrm-2022 --target-ne 0.9976431900606229 --scheme embedding_rows \
	--at params_embedding=4.2e11 --format json
is "$rc" 0 "law target exits 0"
is "$(json_eval "d['results'][0]['solved_for']")" data_samples \
	"law target solves data_samples"
is "$(json_eval "abs(d['results'][0]['data_samples'] - 1e12) <= 1e-6 * 1e12")" \
	True "law target gives 1e12 samples"
run law dlrm-2022 --target-ne 0.98 --scheme embedding_rows
is "$rc" 1 "law target at floor exits 1"
is "$(line_count "$err")" 1 "law target at floor: one line"
like "$err" "not reachable" "law target at floor is unreachable"
run law dlrm-2022 --target-ne 0.97 --scheme embedding_rows
is "$rc" 1 "law target below floor exits 1"
run law dlrm-2022 --at flops=3e21 --at data_samples=1e11
is "$rc" 2 "law flops with data exits 2"
is "$(line_count "$err")" 1 "law flops with data: one line"

# Search path: RECSCALE_PATH from another directory.
here=$(pwd)
mkdir "$tap_tmp/elsewhere"
cd "$tap_tmp/elsewhere" || exit 1
run plan --format json
is "$rc" 0 "plan from elsewhere exits 0"
is "$(json_eval "d['scenario']")" default "plan from elsewhere finds default"
is "$(json_eval "d['scenario_file']")" "$srcdir/scenarios/default.cfg" \
	"plan from elsewhere uses RECSCALE_PATH"

# Search path: a copy of the data in the current directory, no RECSCALE_PATH.
# The extra profile exists only in the copy.
mkdir "$tap_tmp/copy"
cp -R "$srcdir/hwprofiles" "$srcdir/scenarios" "$srcdir/models" "$tap_tmp/copy"
cp "$srcdir/hwprofiles/h100-hgx.cfg" "$tap_tmp/copy/hwprofiles/copy-only.cfg"
cd "$tap_tmp/copy" || exit 1
saved_path=$RECSCALE_PATH
unset RECSCALE_PATH
run hw list --format json
is "$rc" 0 "hw list in copy exits 0"
is "$(json_eval "'copy-only' in [p['name'] for p in d['profiles']]")" True \
	"hw list finds the copy's profile"
is "$(json_eval "all(p['path'].startswith('./hwprofiles/') for p in d['profiles'])")" \
	True "hw list reads ./hwprofiles only"
run plan --format json
is "$rc" 0 "plan in copy exits 0"
is "$(json_eval "d['scenario_file']")" "./scenarios/default.cfg" \
	"plan in copy uses ./scenarios"
RECSCALE_PATH=$saved_path
export RECSCALE_PATH
cd "$here" || exit 1

# Write errors on standard output fail the command.
if [ -w /dev/full ]; then
	"$RECSCALE" hw list >/dev/full 2>"$tap_tmp/full.err"
	is "$?" 1 "a full disk on stdout exits 1"
	like "$(cat "$tap_tmp/full.err")" "writing to standard output failed" \
		"a full disk on stdout is reported"
else
	ok 0 "# SKIP /dev/full is not writable"
	ok 0 "# SKIP /dev/full is not writable"
fi

# Warnings in plan: hardware before its year, NE no better than base rate.
sed -e 's/first_year = 2026;/first_year = 2020;/' \
	-e 's/profile = "h100-hgx"; first_year = 2026/profile = "h100-hgx"; first_year = 2020/' \
	"$srcdir/scenarios/default.cfg" >"$tap_tmp/early.cfg"
run plan "$tap_tmp/early.cfg" --format json
like "$(json_eval 'd["warnings"]')" "before its first year of volume supply" \
	"a profile used too early is flagged"
run plan mlperf-dlrm-dcnv2 --format json
like "$(json_eval 'd["warnings"]')" "no better than the base rate" \
	"NE of 1 or more is flagged"

# Invalid UTF-8 in a name still gives valid JSON.
sed 's/^name = "default";/name = "caf\xe9";/' "$srcdir/scenarios/default.cfg" \
	>"$tap_tmp/latin1.cfg"
run plan "$tap_tmp/latin1.cfg" --format json
is "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.buffer.read().decode("utf-8"))["scenario"])')" \
	"caf�" "invalid UTF-8 becomes U+FFFD"

done_testing
