#!/bin/sh
# recscale optimize and plan --monte-carlo from the command line: the
# chosen plans, the frontier, infeasible budgets and targets, and seeded
# Monte Carlo bands.
. "$srcdir/t/tap.sh"
plan 29

run optimize default --budget-usd-per-year 1.2e6 --format json
is "$rc" 0 "optimize within a budget exits 0"
is "$(json_eval 'len(d["years"])')" 5 "optimize chooses a plan per year"
is "$(json_eval 'all(y["chosen"]["cost_usd"] <= 1.2e6 for y in d["years"])')" \
	True "every chosen plan fits the budget"
is "$(json_eval 'sorted(d["years"][0]["chosen"])')" \
	"['all_mlp', 'binding', 'cost_usd', 'data_samples', 'embedding_dim', 'embedding_rows', 'hw_profile', 'ne', 'negative_keep_frac', 'nodes', 'retention_days', 'top_mlp']" \
	"a chosen plan names every lever"
is "$(json_eval 'all(all(a["cost_usd"] < b["cost_usd"] and a["ne"] > b["ne"] for a, b in zip(y["frontier"], y["frontier"][1:])) for y in d["years"])')" \
	True "frontier cost rises while NE falls"
is "$(json_eval 'all(min(p["ne"] for p in y["frontier"] if p["cost_usd"] <= 1.2e6) == y["chosen"]["ne"] for y in d["years"])')" \
	True "the chosen NE is the best frontier point within budget"
is "$(json_eval 'd["method"].startswith("exhaustive")')" True \
	"the JSON states the search method"
is "$(json_eval 'sorted(d["years"][0]["lever_returns"])')" \
	"['all_mlp', 'embedding_dim', 'embedding_rows', 'negative_keep_frac', 'retention_days', 'top_mlp']" \
	"lever returns cover every lever"

run optimize default
is "$rc" 0 "optimize uses the scenario's budget by default"
like "$out" "Return on each lever" "text shows the lever returns"
like "$out" "Pareto frontier" "text shows the frontier"

run optimize default --target-ne 0.999 --format json
is "$rc" 0 "optimize for a reachable target exits 0"
is "$(json_eval 'all(y["chosen"]["ne"] <= 0.999 for y in d["years"])')" True \
	"every chosen plan reaches the target"

run optimize default --budget-usd-per-year 1000 -o "$tap_tmp/opt.json"
is "$rc" 1 "an impossible budget exits 1"
like "$err" "raise the budget to at least" "message gives the budget needed"
test ! -e "$tap_tmp/opt.json"
ok $? "an impossible budget writes no file"
run optimize default --target-ne 0.9
is "$rc" 1 "an unreachable target exits 1"
like "$err" "the best feasible NE is" "the message gives the best feasible NE"
run optimize default --target-ne 0.99 --budget-usd-per-year 1e6
is "$rc" 2 "budget and target together is a usage error"

# Monte Carlo bands: seeded, reproducible, ordered.
run plan default --monte-carlo 40 --seed 5 --format json
is "$rc" 0 "plan --monte-carlo exits 0"
first=$out
is "$(json_eval 'all(y["ne_p10"] <= y["ne_p50"] <= y["ne_p90"] and y["cost_usd_p10"] <= y["cost_usd_p50"] <= y["cost_usd_p90"] for y in d["monte_carlo"]["years"])')" \
	True "bands are ordered P10 <= P50 <= P90"
run plan default --monte-carlo 40 --seed 5 --format json
is "$out" "$first" "the same seed gives the same bands"
run plan default --monte-carlo 40 --seed 6 --format json
second=$out
out=$first
a=$(json_eval 'd["monte_carlo"]["years"][4]["cost_usd_p50"]')
out=$second
b=$(json_eval 'd["monte_carlo"]["years"][4]["cost_usd_p50"]')
is "$([ "$a" != "$b" ] && echo differ)" differ "another seed gives other draws"
is "$(json_eval 'len(d["sensitivity"])')" 4 "sensitivity lists the four ranges"

# Invalid ranges and candidates are rejected with their line.
sed 's/usd_per_kwh = \[0.05, 0.12\];/usd_per_kwh = ["a", "b"];/' \
	"$srcdir/scenarios/default.cfg" >"$tap_tmp/words.cfg"
run plan "$tap_tmp/words.cfg" --monte-carlo 20
is "$rc" 1 "a word in an uncertainty range exits 1"
like "$err" "uncertainty.usd_per_kwh[0]: expected a number" \
	"the message names the element"
sed 's/top_mlp = \[0.5, 1.0, 2.0\];/top_mlp = [2.0, 1.0];/' \
	"$srcdir/scenarios/default.cfg" >"$tap_tmp/unsorted.cfg"
run optimize "$tap_tmp/unsorted.cfg"
is "$rc" 1 "unsorted candidates exit 1"

# A profile is never chosen before its first year of supply.
run optimize default --format json
is "$(json_eval 'all(y["chosen"]["hw_profile"] != "b200-hgx" or y["year"] >= 2025 for y in d["years"])')" \
	True "no profile is chosen before its year"
sed -e 's/profile = "h200-hgx"; first_year = 2026/profile = "b200-hgx"; first_year = 2020/' \
	-e 's/^first_year = 2026;/first_year = 2020;/' \
	-e 's/profile = "h100-hgx"; first_year = 2026/profile = "h100-hgx"; first_year = 2020/' \
	"$srcdir/scenarios/default.cfg" >"$tap_tmp/early.cfg"
run optimize "$tap_tmp/early.cfg" --budget-usd-per-year 1e9 --format json
is "$(json_eval 'all(y["chosen"] is None or y["chosen"]["hw_profile"] != "b200-hgx" for y in d["years"] if y["year"] < 2025)')" \
	True "B200 is not chosen before 2025"

