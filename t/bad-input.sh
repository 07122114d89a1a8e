#!/bin/sh
# Invalid input files.  Each case breaks one thing in a copy of a shipped
# scenario, profile or law file.  recscale must exit 1 with one stderr line
# that names the file, the line, the key and the bad value, and must leave
# no output file.
. "$srcdir/t/tap.sh"
plan 192

work=$tap_tmp/work
mkdir "$work"
scenario=$srcdir/scenarios/default.cfg
profile=$srcdir/hwprofiles/h100-hgx.cfg
law=$srcdir/models/dlrm-2022.cfg

# line_of PATTERN FILE: print the number of the first line of FILE that
# contains the fixed string PATTERN.  Bails out when there is none.
line_of() {
	n=$(grep -n -F -m 1 -e "$1" "$2" | cut -d: -f1)
	if [ -z "$n" ]; then
		echo "Bail out! $2 has no line containing $1"
		exit 1
	fi
	echo "$n"
}

# derive SRC DST SED-SCRIPT: write DST as SRC edited by SED-SCRIPT.  Bails
# out when the edit changes nothing, so a changed shipped file cannot turn a
# case into a test of a valid file.
derive() {
	sed "$3" "$1" >"$2"
	if cmp -s "$1" "$2"; then
		echo "Bail out! \"$3\" does not change $1"
		exit 1
	fi
}

# expect_invalid NAME FILE LINE KEY VALUE ARG...: run recscale ARG... and
# check for exit status 1 and one stderr line naming FILE, FILE:LINE:, the
# key path KEY and VALUE.  An empty LINE, KEY or VALUE skips that check.
expect_invalid() {
	case_name=$1 case_file=$2 case_line=$3 case_key=$4 case_value=$5
	shift 5
	run "$@"
	is "$rc" 1 "$case_name: exits 1"
	is "$(line_count "$err")" 1 "$case_name: one stderr line"
	like "$err" "$case_file" "$case_name: names the file"
	if [ -n "$case_line" ]; then
		like "$err" "$case_file:$case_line:" \
			"$case_name: reports line $case_line"
	fi
	if [ -n "$case_key" ]; then
		like "$err" ": $case_key: " "$case_name: names $case_key"
	fi
	if [ -n "$case_value" ]; then
		like "$err" "$case_value" "$case_name: shows $case_value"
	fi
}

# plan_invalid NAME FILE LINE KEY VALUE [SCENARIO]: expect_invalid for
# `recscale plan SCENARIO -o DIR/out.json` into a new empty DIR, then check
# that DIR contains neither out.json nor a temporary file.  SCENARIO defaults
# to FILE, the file the message must name.
plan_invalid() {
	out_dir=$(mktemp -d "$work/out.XXXXXX")
	expect_invalid "$1" "$2" "$3" "$4" "$5" \
		plan "${6:-$2}" --format json -o "$out_dir/out.json"
	test ! -e "$out_dir/out.json"
	ok $? "$1: writes no out.json"
	is "$(ls -A "$out_dir" | grep -c '\.tmp\.')" 0 "$1: leaves no temp file"
}

# Scenario files.
plan_invalid "missing scenario" "$work/absent.cfg" "" "" ""
like "$err" "not found" "missing scenario: says not found"

n=$(line_of "retention_days = " "$scenario")
derive "$scenario" "$work/syntax.cfg" "${n}s/retention_days = /retention_days /"
plan_invalid "syntax error" "$work/syntax.cfg" "$n" "" ""
like "$err" "syntax error" "syntax error: says syntax error"

n=$(line_of "retention_days = " "$scenario")
derive "$scenario" "$work/missing-key.cfg" "${n}d"
plan_invalid "missing key" "$work/missing-key.cfg" \
	"$(line_of "data = {" "$scenario")" data.retention_days ""
like "$err" "missing" "missing key: says missing"

n=$(line_of "retention_days = " "$scenario")
derive "$scenario" "$work/string.cfg" \
	"${n}s/retention_days = [0-9.]*/retention_days = \"ninety\"/"
plan_invalid "string for number" "$work/string.cfg" "$n" \
	data.retention_days '"ninety"'

derive "$scenario" "$work/negative.cfg" \
	"${n}s/retention_days = [0-9.]*/retention_days = -5.0/"
plan_invalid "negative value" "$work/negative.cfg" "$n" \
	data.retention_days "-5"
like "$err" "negative" "negative value: says negative"

# libconfig parses 1e400 as infinity.
derive "$scenario" "$work/infinite.cfg" \
	"${n}s/retention_days = [0-9.]*/retention_days = 1e400/"
plan_invalid "non-finite value" "$work/infinite.cfg" "$n" \
	data.retention_days "not finite"

# libconfig 1.5 wraps an integer literal beyond 32 bits without L: it reads
# 40000000000 as 1345294336.
n=$(line_of "rows = 100000000;" "$scenario")
derive "$scenario" "$work/wide-literal.cfg" \
	"${n}s/rows = 100000000;/rows = 40000000000;/"
plan_invalid "wide literal" "$work/wide-literal.cfg" "$n" "" "40000000000"
like "$err" "40000000000L" "wide literal: suggests the L suffix"
like "$err" ": rows: " "wide literal: names the key"

printf '\357\273\277' >"$work/bom.cfg"
cat "$scenario" >>"$work/bom.cfg"
plan_invalid "byte-order mark" "$work/bom.cfg" 1 "" ""
like "$err" "byte-order mark" "byte-order mark: is named"

n=$(line_of "retention_days = " "$scenario")
derive "$scenario" "$work/typo.cfg" "${n}s/retention_days/retention_day/"
plan_invalid "unknown key" "$work/typo.cfg" "$n" data.retention_day ""
like "$err" "unknown key" "unknown key: says unknown key"

n=$(line_of 'profile = "h100-hgx"' "$scenario")
derive "$scenario" "$work/profile.cfg" "${n}s/\"h100-hgx\"/\"h999-hgx\"/"
plan_invalid "unknown profile" "$work/profile.cfg" "$n" \
	"hardware[0].profile" '"h999-hgx"'
like "$err" "not found" "unknown profile: says not found"

n=$(line_of 'file = "dlrm-2022"' "$scenario")
derive "$scenario" "$work/law-name.cfg" "${n}s/\"dlrm-2022\"/\"dlrm-1999\"/"
plan_invalid "unknown law" "$work/law-name.cfg" "$n" law.file '"dlrm-1999"'
like "$err" "not found" "unknown law: says not found"

n=$(line_of 'profile = "b200-hgx"' "$scenario")
derive "$scenario" "$work/years-outside.cfg" \
	"${n}s/first_year = 2028; last_year = 2030;/first_year = 2031; last_year = 2035;/"
plan_invalid "hardware outside years" "$work/years-outside.cfg" "$n" \
	"hardware[1].first_year" "2031-2035"

derive "$scenario" "$work/years-twice.cfg" \
	"${n}s/first_year = 2028;/first_year = 2027;/"
plan_invalid "year covered twice" "$work/years-twice.cfg" "$n" \
	"hardware[1]" "year 2027"
like "$err" "line $(line_of 'profile = "h100-hgx"' "$scenario")" \
	"year covered twice: names other line"

derive "$scenario" "$work/years-gap.cfg" \
	"${n}s/first_year = 2028;/first_year = 2029;/"
plan_invalid "year without hardware" "$work/years-gap.cfg" \
	"$(line_of "hardware = (" "$scenario")" hardware "year 2028"

n=$(line_of 'scheme = "embedding_rows"' "$scenario")
derive "$scenario" "$work/scheme.cfg" \
	"${n}s/\"embedding_rows\"/\"embedding_cols\"/"
plan_invalid "unknown scheme" "$work/scheme.cfg" "$n" law.scheme \
	'"embedding_cols"'

n=$(line_of "top_mlp = [" "$scenario")
derive "$scenario" "$work/top-mlp.cfg" "${n}s/, 1\]/, 7]/"
plan_invalid "top MLP not ending in 1" "$work/top-mlp.cfg" "$n" \
	workload.top_mlp "last width is 7"

# A top MLP of about 1e11 parameters: its fp32 weights, gradients and
# optimizer state exceed one 80 GB device, so sizing fails, not loading.
derive "$scenario" "$work/dense-too-large.cfg" \
	"${n}s/\[[0-9, ]*\]/[400000, 200000, 1]/"
plan_invalid "dense model too large" "$work/dense-too-large.cfg" "" "" \
	"h100-hgx"
like "$err" "does not fit" "dense model too large: says so"

# A profile with a negative bandwidth, named by path in a scenario: the
# message points into the profile, not the scenario.
n=$(line_of "device_memory_bw_bytes_per_s = " "$profile")
derive "$profile" "$work/negative-bw.cfg" \
	"${n}s/= 3.35e12;/= -3.35e12;/"
derive "$scenario" "$work/uses-negative-bw.cfg" \
	"$(line_of 'profile = "h100-hgx"' "$scenario")s|\"h100-hgx\"|\"$work/negative-bw.cfg\"|"
plan_invalid "scenario with bad profile" "$work/negative-bw.cfg" "$n" \
	device_memory_bw_bytes_per_s "-3.35e+12" "$work/uses-negative-bw.cfg"

# Profile files, checked by hw show.
expect_invalid "negative bandwidth" "$work/negative-bw.cfg" "$n" \
	device_memory_bw_bytes_per_s "-3.35e+12" hw show "$work/negative-bw.cfg"
like "$err" "negative" "negative bandwidth: says negative"

n=$(line_of "device_memory_bytes_source = " "$profile")
derive "$profile" "$work/no-source.cfg" "${n}d"
expect_invalid "missing _source" "$work/no-source.cfg" \
	"$(line_of "device_memory_bytes = " "$profile")" device_memory_bytes \
	"" hw show "$work/no-source.cfg"
like "$err" "device_memory_bytes_source" "missing _source: names the source key"

# Law files, checked by law.
n=$(line_of 'unit = "samples"' "$law")
derive "$law" "$work/unit.cfg" "${n}s/\"samples\"/\"tokens\"/"
expect_invalid "wrong law unit" "$work/unit.cfg" "$n" \
	"schemes[0].data.unit" '"tokens"' law "$work/unit.cfg"
like "$err" 'unit = "samples"' "wrong law unit: gives the right unit"

# A bad scenario with -o out.json relative to the current directory.
here=$(pwd)
mkdir "$work/relative"
cd "$work/relative" || exit 1
run plan "$work/typo.cfg" -o out.json
is "$rc" 1 "relative -o: exits 1"
test ! -e out.json
ok $? "relative -o: writes no out.json"
is "$(ls -A . | grep -c '\.tmp\.')" 0 "relative -o: leaves no temp file"
cd "$here" || exit 1

# A 64-bit literal with the L suffix is valid: 20 tables of 4e10 rows.
n=$(line_of "rows = 100000000;" "$scenario")
derive "$scenario" "$work/wide-literal-l.cfg" \
	"${n}s/rows = 100000000;/rows = 40000000000L;/"
run plan "$work/wide-literal-l.cfg" --format json
is "$rc" 0 "L literal: plan exits 0"
is "$err" "" "L literal: stderr is empty"
is "$(printf '%s\n' "$out" | python3 -c '
import json, sys
print(json.load(sys.stdin)["years"][0]["params_embedding"])
')" "$((20 * 40000000000 * 128 + 100 * 10000000 * 128 + 300 * 1000000 * 128))" \
	"L literal: rows are not wrapped"

# @include is rejected: an included file's integers could not be checked.
printf 'name = "x";\n@include "other.cfg"\n' >"$work/include.cfg"
plan_invalid "@include" "$work/include.cfg" 2 "" ""
like "$err" "@include is not supported" "@include: says it is not supported"

# A directory where a file is expected.
plan_invalid "directory scenario" "$work" "" "" ""
like "$err" "is a directory" "directory scenario: says directory"

# Zero scale-up bandwidth in a node of 8 devices.
n=$(line_of "device_scaleup_bw_bytes_per_s = " "$profile")
derive "$profile" "$work/no-scaleup.cfg" \
	"${n}s/device_scaleup_bw_bytes_per_s = [0-9.e]*/device_scaleup_bw_bytes_per_s = 0.0/"
expect_invalid "zero scale-up" "$work/no-scaleup.cfg" "$n" \
	device_scaleup_bw_bytes_per_s "" hw show "$work/no-scaleup.cfg"

# -o naming a directory or nothing.
run plan -o "$work"
is "$rc" 1 "-o directory: exits 1"
like "$err" "is a directory" "-o directory: says directory"
run plan -o ""
is "$rc" 1 "-o empty: exits 1"
like "$err" "empty output file name" "-o empty: says empty"

done_testing
