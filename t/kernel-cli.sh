#!/bin/sh
# recscale kernel: help, a small measurement in text and JSON, the row
# types and variants, and every kind of bad option.  No check depends on
# how fast the machine is.
. "$srcdir/t/tap.sh"
plan 40

small="--rows 1000 --dim 16 --bags 64 --pooling 4 --repeats 1"

run kernel --help
is "$rc" 0 "kernel --help exits 0"
like "$out" "Usage: recscale kernel" "kernel --help prints usage"
like "$out" "--dist DIST" "kernel --help lists --dist"

run kernel $small
is "$rc" 0 "kernel text run exits 0"
like "$out" "lookups/s" "kernel text shows lookups/s"
like "$out" "bytes/s" "kernel text shows bytes/s"

run kernel $small --format json
is "$rc" 0 "kernel json run exits 0"
is "$(json_eval "d['lookups_per_s'] > 0")" True "json lookups_per_s is positive"
is "$(json_eval "abs(d['bytes_per_s'] - d['lookups_per_s'] * 64) <= 1e-9 * d['bytes_per_s']")" \
	True "json bytes_per_s is lookups_per_s x 64-byte rows"
is "$(json_eval "d['n_rows'], d['dim'], d['pooling_factor'], d['n_bags']")" \
	"(1000, 16, 4, 64)" "json echoes rows, dim, pooling and bags"
is "$(json_eval "d['lookups_per_s_min'] <= d['lookups_per_s'] <= d['lookups_per_s_max']")" \
	True "json median lies between min and max"
is "$(json_eval "d['n_samples']")" 1 "json counts the samples"
is "$(json_eval "d['dtype'], d['mode'], d['dist']")" "('fp32', 'sum', 'uniform')" \
	"json names the defaults"

run kernel $small --threads 2 --format json
is "$rc" 0 "kernel with 2 threads exits 0"
is "$(json_eval "len(d['thread_lookups_per_s'])")" 2 "json has one rate per thread"

is "$(json_eval "d['sample_s'] >= 0.025")" True \
	"json samples last at least 25 ms"

run kernel $small --threads 3 --format json
like "$err" "warning: 3 threads on" "more threads than cores draws a warning"

run kernel $small --threads 2 --no-bind --format json
is "$rc" 0 "kernel with 2 unbound threads exits 0"
is "$(json_eval "len(d['thread_lookups_per_s'])")" 2 \
	"unbound threads report one rate each"

run kernel $small --dtype int8 --mode weighted_sum --dist zipf:1.05 --format json
is "$rc" 0 "kernel int8 weighted zipf exits 0"
is "$(json_eval "d['row_bytes']")" 24 "int8 row of 16 takes 24 bytes"
is "$(json_eval "d['dist']")" "zipf:1.05" "json names the zipf exponent"

run kernel $small --isa scalar --prefetch 0 --no-huge-pages --format json
is "$rc" 0 "kernel scalar without prefetch exits 0"
is "$(json_eval "d['isa'], d['prefetch_rows']")" "('scalar', 0)" \
	"json reports the variant and prefetch distance"

# Usage errors: exit 2, one line naming the option.
for args in "--dim 0" "--dtype int4" "--dist zipf:0" "--rows abc" \
	"--mode max" "--format csv"; do
	run kernel $small $args
	is "$rc" 2 "kernel $args exits 2"
	like "$err" "${args%% *}" "kernel $args: message names the option"
done
run kernel --bogus
is "$rc" 2 "kernel --bogus exits 2"
is "$(line_count "$err")" 1 "kernel --bogus: one stderr line"

# A table larger than the memory available fails the run: exit 1.
run kernel --rows 1e12 --dim 1024
is "$rc" 1 "kernel with a table beyond memory exits 1"
like "$err" "available" "kernel beyond memory says what is available"

done_testing
