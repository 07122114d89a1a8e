#!/bin/sh
# recscale simulate: the MLPerf DLRM-DCNv2 times the shipped profiles were
# calibrated on, embedding memory per optimizer, single-node traffic, the
# effect of doubling nodes, and invalid jobs.
. "$srcdir/t/tap.sh"
plan 41

scenario=$srcdir/scenarios/mlperf-dlrm-dcnv2.cfg

# minutes PROFILE NODES BATCH: predicted time to train in minutes.
minutes() {
	run simulate "$scenario" --hw "$1" --nodes "$2" --batch "$3" \
		--format json
	json_eval 'd["time_to_train_s"] / 60'
}

# within MEASURED PREDICTED TOLERANCE: True when |PREDICTED/MEASURED - 1|
# is at most TOLERANCE.
within() {
	python3 -c "print(abs($2 / $1 - 1) <= $3)"
}

# MLPerf Training DLRM-DCNv2 times to train, olympic means of 10 runs.
is "$(within 8.41 "$(minutes a100-80gb-hgx 1 55296)" 0.15)" True \
	"8x A100 v3.0 within 15% of 8.41 min"
is "$(within 4.18 "$(minutes h100-hgx 1 55296)" 0.15)" True \
	"8x H100 v3.0 within 15% of 4.18 min"
is "$(within 3.84 "$(minutes h100-hgx 1 55296)" 0.15)" True \
	"8x H100 v4.0 within 15% of 3.84 min"
is "$(within 1.76 "$(minutes h100-hgx 8 135168)" 0.15)" True \
	"64x H100 v3.0 within 15% of 1.76 min"

# The JSON carries the documented fields.
run simulate "$scenario" --hw h100-hgx --nodes 1 --format json
is "$rc" 0 "simulate exits 0"
is "$(json_eval 'sorted(k for k in ("time_to_train_s", "samples_per_s", "step_s", "binding", "step") if k in d)')" \
	"['binding', 'samples_per_s', 'step', 'step_s', 'time_to_train_s']" \
	"JSON has time, throughput, step and binding"
is "$(json_eval 'abs(sum(d["step"][k] for k in ("dense_s", "gather_s", "all_to_all_s", "all_reduce_s")) - d["step"]["overlap_s"] - d["step_s"]) < 1e-12')" \
	True "step is the sum of its terms less the overlap"
is "$(json_eval 'abs(d["time_to_train_s"] - d["train_s"] - d["eval_s"]) < 1e-9')" \
	True "time to train adds the evaluation passes"
is "$(json_eval 'd["eval_s"] > 0')" True "evaluation passes take time"

# A single node has no scale-out traffic: its all-to-all and all-reduce
# match the NVLink-only formulas, so changing the scale-out bandwidth
# changes nothing.
run simulate "$scenario" --hw h100-hgx --nodes 1 --format json
one=$(json_eval 'd["time_to_train_s"]')
run simulate "$scenario" --hw h100-hgx --nodes 1 --format json \
	--set node_scaleout_bw_bytes_per_s=1
is "$(json_eval 'd["time_to_train_s"]')" "$one" \
	"one node does not use the scale-out network"
run simulate "$scenario" --hw h100-hgx --nodes 2 --format json
two=$(json_eval 'd["time_to_train_s"]')
run simulate "$scenario" --hw h100-hgx --nodes 2 --format json \
	--set node_scaleout_bw_bytes_per_s=1e9
is "$(json_eval 'd["time_to_train_s"] > '"$two")" True \
	"two nodes do use the scale-out network"

# Doubling nodes never raises time to train unless communication binds.
for profile in h100-hgx a100-80gb-eth; do
	nodes=1
	run simulate "$scenario" --hw "$profile" --nodes 1 --batch 135168 \
		--format json
	before=$(json_eval 'd["time_to_train_s"]')
	while [ "$nodes" -lt 64 ]; do
		nodes=$((nodes * 2))
		run simulate "$scenario" --hw "$profile" --nodes "$nodes" \
			--batch 135168 --format json
		after=$(json_eval 'd["time_to_train_s"]')
		binding=$(json_eval 'd["binding"]')
		if python3 -c "import sys; sys.exit(0 if $after <= $before else 1)"; then
			ok 0 "$profile $nodes nodes: no slower than half as many"
		else
			is "$binding" network \
				"$profile $nodes nodes: slower only because the network binds"
		fi
		before=$after
	done
done

# Embedding state of the MLPerf tables per optimizer: 204,184,588 rows of
# 128 fp32 values (104,542,509,056 bytes) plus the optimizer state.
state_with() {
	sed "s/optimizer = \"exact_adagrad\"/optimizer = \"$1\"/" "$scenario" \
		>"$tap_tmp/opt.cfg"
	run simulate "$tap_tmp/opt.cfg" --hw h100-hgx --nodes 2 --format json
	json_eval 'd["memory"]["embedding_state_bytes"]'
}
is "$(state_with sgd)" 104542509056 "SGD keeps no state"
is "$(state_with rowwise_adagrad)" $((104542509056 + 204184588 * 4)) \
	"row-wise Adagrad adds 4 bytes per row"
is "$(state_with exact_adagrad)" $((2 * 104542509056)) \
	"exact Adagrad doubles the tables"
is "$(state_with adam)" $((3 * 104542509056)) "Adam triples the tables"

# Invalid jobs.
run simulate "$scenario" --hw h100-hgx --nodes 1 --format json \
	--samples 1e9
is "$rc" 0 "--samples overrides D"
sed 's/rows = 590152; pooling = 10.0;/rows = 40000000000L; pooling = 10.0;/' \
	"$scenario" >"$tap_tmp/huge.cfg"
run simulate "$tap_tmp/huge.cfg" --hw h100-hgx --nodes 1
is "$rc" 1 "a table larger than the cluster exits 1"
like "$err" "give --nodes" "the message says how many nodes"
is "$(line_count "$err")" 1 "the message is one line"
run simulate "$scenario" --hw h100-hgx --nodes 1 --batch 0
is "$rc" 2 "zero batch is a usage error"
run simulate "$scenario" --hw h100-hgx --nodes 1 --batch -5
is "$rc" 2 "negative batch is a usage error"
run simulate "$scenario" --hw h100-hgx --nodes 0
is "$rc" 2 "zero nodes is a usage error"
run simulate "$scenario" --hw h100-hgx
is "$rc" 2 "missing --nodes is a usage error"
run simulate "$scenario" --hw h100-hgx --nodes 1 --set no_such_key=1
is "$rc" 2 "an unknown --set key is a usage error"
run simulate "$scenario" --hw h100-hgx --nodes 2 \
	--set device_scaleup_bw_bytes_per_s=0
is "$rc" 2 "--set of a zero scale-up bandwidth is rejected"
run simulate "$scenario" --hw h100-hgx --nodes 1 --batch 5e9
is "$rc" 1 "a batch larger than the data exits 1"
run simulate "$scenario" --hw h100-hgx --nodes 0x10
is "$rc" 2 "a hex node count is a usage error"
sed '/^overlap_frac/d' "$srcdir/hwprofiles/h100-hgx.cfg" >"$tap_tmp/partial.cfg"
run simulate "$scenario" --hw "$tap_tmp/partial.cfg" --nodes 1
is "$rc" 1 "a profile missing a value exits 1"
like "$err" "overlap_frac: missing" "the message names the missing value"
