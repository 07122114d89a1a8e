#!/bin/sh
# recscale calibrate --quick: a smoke test.  It writes a profile that
# loads, whose every value names its source, and that simulate and plan
# accept.  No check depends on the measured numbers.
. "$srcdir/t/tap.sh"
plan 28

run calibrate --help
is "$rc" 0 "calibrate --help exits 0"
like "$out" "Usage: recscale calibrate" "calibrate --help prints usage"
run calibrate --bogus
is "$rc" 2 "calibrate --bogus exits 2"
run calibrate -o ''
is "$rc" 2 "calibrate with an empty -o exits 2"
run calibrate --quick --force
is "$rc" 2 "calibrate --force without -o exits 2"
like "$err" "give -o FILE" "calibrate --force without -o says what to add"

profile="$tap_tmp/here.cfg"
run calibrate --quick -q -o "$profile" --format json
is "$rc" 0 "calibrate --quick exits 0"
is "$(json_eval "d['quick'], len(d['memory']) >= 1, len(d['kernel']) >= 1")" \
	"(True, True, True)" "calibrate json has memory and kernel points"
is "$(json_eval "len(d['gather_efficiency_curve']), d['measurements_retried'] >= 0")" \
	"(6, True)" "calibrate json has the curve and the retry count"
[ -f "$profile" ]; ok $? "calibrate writes the profile"
is "$(ls "$tap_tmp" | grep -c '\.tmp\.')" 0 "calibrate leaves no temporary file"

n_values=$(grep '^[a-z_0-9]* = ' "$profile" | grep -v -c '_source = ')
n_sources=$(grep -c '^[a-z_0-9]*_source = ' "$profile")
is "$n_sources" "$((n_values - 3))" \
	"every value but description, device and kind has a source"
is "$(grep '^[a-z_0-9]*_source = ' "$profile" \
	| grep -v -c -e '= "measured by recscale calibrate on ' \
	-e '= "assumption: ' -e '= "definition: ')" 0 \
	"every source says measured, assumption or definition"
like "$(cat "$profile")" 'kind = "cpu";' "the profile is of kind cpu"

run hw show "$profile"
is "$rc" 0 "hw show loads the calibrated profile"
like "$out" "gather_efficiency_frac" "hw show lists the gather efficiency"
like "$out" "gather_efficiency_curve: gathered bytes/s" \
	"hw show prints the gather-efficiency curve"
run hw show "$profile" --format json
is "$(json_eval "len(d['gather_efficiency_curve']['points'])")" 6 \
	"the quick curve has 2 table sizes x 3 row sizes"
is "$(json_eval "all(p['efficiency'] > 0 for p in d['gather_efficiency_curve']['points'])")" \
	True "every curve point has a positive efficiency"

run simulate mlperf-dlrm-dcnv2 --hw "$profile" --nodes 64
is "$rc" 0 "simulate accepts the calibrated profile"

sed -e "s|profile = \"h100-hgx\"|profile = \"$profile\"|" \
	-e "s|profile = \"b200-hgx\"|profile = \"$profile\"|" \
	"$srcdir/scenarios/default.cfg" >"$tap_tmp/on-this-machine.cfg"
run plan "$tap_tmp/on-this-machine.cfg"
is "$rc" 0 "plan accepts the calibrated profile"
run report "$tap_tmp/on-this-machine.cfg" --format json
is "$rc" 0 "report accepts the calibrated profile"
is "$(json_eval "[i['value'][:12] for i in d['inputs'] if i['key'] == 'gather_efficiency_curve']")" \
	"['2 x 3 points']" "the report lists the curve among the inputs"

# An output folder that does not exist fails before any measuring.
run calibrate --quick -q -o "$tap_tmp/missing/here.cfg"
is "$rc" 1 "calibrate into a missing folder exits 1"
like "$err" "folder exists" "calibrate into a missing folder says why"

# An existing file is kept unless --force.
before=$(cksum <"$profile")
run calibrate --quick -q -o "$profile"
is "$rc" 1 "calibrate onto an existing file exits 1"
like "$err" "--force" "calibrate onto an existing file suggests --force"
is "$(cksum <"$profile")" "$before" "the existing profile is unchanged"

done_testing
