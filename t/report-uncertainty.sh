#!/bin/sh
# recscale report --monte-carlo and --optimize.  The page must stay
# well-formed, draw the Monte Carlo bands, a tornado chart per scenario and
# a Pareto frontier per scenario, and its new tables must equal what
# `plan --monte-carlo N --seed S --format json` and `optimize --format json`
# print for the same inputs.  50 draws, and a copy of the default
# scenario with fewer optimizer candidates, keep the run short.
. "$srcdir/t/tap.sh"
plan 75

work=$tap_tmp/work
mkdir "$work"
default=$srcdir/scenarios/default.cfg
data_first=$srcdir/scenarios/data-first.cfg
mlperf=$srcdir/scenarios/mlperf-dlrm-dcnv2.cfg
small=$work/small.cfg
sed 's/^name = "default";/name = "small";/
s/^  retention_days = \[30.0, 60.0, 90.0, 180.0\];/  retention_days = [60.0, 180.0];/
s/^  negative_keep_frac = \[0.05, 0.125, 0.25, 0.5\];/  negative_keep_frac = [0.05, 0.125];/
s/^  top_mlp = \[0.5, 1.0, 2.0\];/  top_mlp = [0.5, 1.0];/' "$default" >"$small"

# files_in DIR: the names in DIR, one line, sorted.
files_in() {
	ls -A "$1" | sort | tr '\n' ' '
}

# The inputs the tables must equal.  optimize exits 1 when a year has no
# plan within the budget, as data-first has, but still prints its JSON.
for scenario in "$small" "$data_first"; do
	name=$(basename "$scenario" .cfg)
	"$RECSCALE" plan "$scenario" --monte-carlo 50 --seed 3 --format json \
		>"$work/$name-plan.json"
	"$RECSCALE" optimize "$scenario" --format json \
		>"$work/$name-optimize.json" 2>/dev/null
done

html=$work/report.html
run report "$small" "$data_first" --monte-carlo 50 --seed 3 --optimize \
	-o "$html"
is "$rc" 0 "report --monte-carlo --optimize exits 0"
is "$err" "" "report --monte-carlo --optimize prints no error"
xmllint --noout "$html" 2>"$tap_tmp/xmllint"
ok $? "page with the analyses is well-formed XML"
if [ -s "$tap_tmp/xmllint" ]; then sed 's/^/# /' "$tap_tmp/xmllint"; fi
like "$(page_check 'print(" ".join("".join(p.itertext()) for p in root.iter(H + "p")))' \
	"$html")" "50 Monte Carlo draws with seed 3" \
	"page names the draws and the seed"

# axes_of CHART: the x and y axis groups, their titles and whether each
# has tick labels, and the series of the chart with id CHART.
axes_of='
svg = [s for s in root.iter(S + "svg") if s.get("id") == sys.argv[2]][0]
groups = {}
for g in svg.iter(S + "g"):
    groups.setdefault(g.get("class"), []).append(g)
def titles(axis):
    return [t.text for g in groups.get(axis, []) for t in g.iter(S + "text")
            if t.get("class") == "axis-label"]
def ticked(axis):
    return [len([t for t in g.iter(S + "text")
                 if t.get("class") != "axis-label" and t.text]) >= 2
            for g in groups.get(axis, [])]
series = [(g.get("data-scenario"), g.get("data-year"))
          for g in groups.get("series", [])]
'

# The NE and cost charts: Monte Carlo error bars beside the law's band.
check="$axes_of"'
mc = [g.get("data-scenario") for g in groups["series"]
      if any(c.get("class") == "monte-carlo" for c in g.iter(S + "g"))]
bars = {g.get("data-scenario"): len([p for p in g.iter(S + "path")
                                    if p.get("class") == "whisker"])
        for g in groups["series"]}
legend = " ".join(t.text for g in groups["legend"] for t in g.iter(S + "text"))
print(len(titles("axis x-axis")), len(titles("axis y-axis")), series, mc,
      bars["small"] > 0, bars["data-first"],
      "50 Monte Carlo draws (seed 3)" in legend)'
is "$(page_check "$check" "$html" chart-ne)" \
	"1 1 [('small', None), ('data-first', None)] ['small', 'data-first'] True 0 True" \
	"NE chart: axes, one series per scenario, Monte Carlo bars and legend"
is "$(page_check "$check" "$html" chart-cost)" \
	"1 1 [('small', None), ('data-first', None)] ['small', 'data-first'] True 0 True" \
	"cost chart: axes, one series per scenario, Monte Carlo bars and legend"

# The tornado chart: two panels with their axes, one series, one row per
# input in the order of the sensitivity list.
check="$axes_of"'
plan = json.load(open(sys.argv[3]))
ranked = [s["input"] for s in plan["sensitivity"]]
names = [t.text for t in groups["axis y-axis"][0].iter(S + "text")
         if t.get("class") != "axis-label"]
print(titles("axis x-axis"), titles("axis y-axis"), ticked("axis x-axis"),
      series, names[::-1] == ranked, len(ranked))'
is "$(page_check "$check" "$html" chart-tornado-0 "$work/small-plan.json")" \
	"['NE in 2030 (lower is better)', 'cost in 2030, million USD'] ['input, ranked by its effect'] [True, True] [('small', None)] True 4" \
	"tornado chart: two panels with axes, one series, inputs in rank order"
check='
svg = [s for s in root.iter(S + "svg") if s.get("id") == sys.argv[2]][0]
series = [g for g in svg.iter(S + "g") if g.get("class") == "series"][0]
texts = [t.text for t in series.iter(S + "text")]
print(len(list(series.iter(S + "rect"))), texts.count("no change"),
      "0.8" in texts, "1.25" in texts)'
is "$(page_check "$check" "$html" chart-tornado-0)" "8 5 True True" \
	"tornado chart: a bar per input and panel, ends labelled by input value"
is "$(page_check '
print([s.get("id") for s in root.iter(S + "svg") if s.get("id").startswith("chart-tornado")])' \
	"$html")" "['chart-tornado-0']" \
	"no tornado chart for a scenario without uncertainty"
like "$(page_check 'print(" ".join("".join(p.itertext()) for p in root.iter(H + "p")))' \
	"$html")" "data-first gives no uncertainty ranges and law dlrm-2022 has no bootstrap samples, so no input moves its final year." \
	"page says why data-first has no sensitivity"

# The frontier charts: axes, one series per year, the chosen plans ringed.
check="$axes_of"'
rings = len([c for c in svg.iter(S + "circle") if c.get("class") == "ring"])
budget = len([l for l in svg.iter(S + "line") if l.get("class") == "budget"])
print(len(titles("axis x-axis")), len(titles("axis y-axis")),
      ticked("axis x-axis"), ticked("axis y-axis"), series, rings, budget)'
is "$(page_check "$check" "$html" chart-frontier-0)" \
	"1 1 [True] [True] [('small', '2026'), ('small', '2027'), ('small', '2028'), ('small', '2029'), ('small', '2030')] 5 1" \
	"frontier chart of small: axes, a series per year, five chosen plans"
is "$(page_check "$check" "$html" chart-frontier-1)" \
	"1 1 [True] [True] [('data-first', '2026'), ('data-first', '2027'), ('data-first', '2028'), ('data-first', '2029'), ('data-first', '2030')] 1 1" \
	"frontier chart of data-first: a series per year, one chosen plan"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-frontier-0"][0]
print([t.text for t in svg.iter(S + "text") if t.get("class") == "axis-label"])' \
	"$html")" "['cost per year, million USD', 'NE, normalized entropy (dimensionless; lower is better)']" \
	"frontier chart axis titles give the units"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-frontier-1"][0]
print([t.text for t in svg.iter(S + "text") if "qualifies" in (t.text or "")])' \
	"$html")" "['2027: no plan qualifies', '2028: no plan qualifies', '2029: no plan qualifies', '2030: no plan qualifies']" \
	"frontier legend marks the years without a plan"
page_text=$(page_check 'print(" ".join("".join(p.itertext()) for p in root.iter(H + "p")))' "$html")
like "$page_text" "2027: no plan qualifies, because none fits the budget of 1,200,000 USD. The cheapest feasible plan costs 1,211,273 USD" \
	"page says what a year without a plan would need"
like "$page_text" "Every plan keeps embedding_dim ×1, all_mlp ×1" \
	"page names the levers every plan shares"

# table_values HTML TABLE SCENARIO JSON EXPR: compare each cell with a
# data-field in the rows of SCENARIO in table TABLE of page HTML with the
# JSON file,
# where EXPR (Python, with row the row's index among the scenario's rows,
# year its data-year and field the data-field) gives the expected value.
# Prints the number of cells checked and those that differ.
table_values() {
	page_check '
table = [t for t in root.iter(H + "table") if t.get("id") == sys.argv[2]][0]
doc = json.load(open(sys.argv[4]))
rows = [tr for tr in table.iter(H + "tr") if tr.get("data-scenario") == sys.argv[3]]
checked, wrong = 0, []
for row, tr in enumerate(rows):
    year = int(tr.get("data-year")) if tr.get("data-year") else None
    for td in tr.iter(H + "td"):
        field = td.get("data-field")
        if field is None:
            continue
        want = eval(sys.argv[5])
        got = td.get("data-value")
        if (want is None) != (got is None) or (got is not None and float(got) != want):
            wrong.append((year, field, got, want))
        checked += 1
print(checked, wrong[:3])' "$@"
}

mc_year='
[y for y in doc["monte_carlo"]["years"] if y["year"] == year][0][field.split(".")[1]] if field.startswith("monte_carlo.") else [y for y in doc["years"] if y["year"] == year][0][field]'
for scenario in small data-first; do
	is "$(table_values "$html" table-monte-carlo-ne $scenario \
		"$work/$scenario-plan.json" "$mc_year")" "20 []" \
		"$scenario: Monte Carlo NE table equals plan --monte-carlo json"
	is "$(table_values "$html" table-monte-carlo-cost $scenario \
		"$work/$scenario-plan.json" "$mc_year")" "20 []" \
		"$scenario: Monte Carlo cost table equals plan --monte-carlo json"
done
is "$(table_values "$html" table-sensitivity-0 small "$work/small-plan.json" \
	'doc["sensitivity"][row][field.split(".")[1]]')" "24 []" \
	"sensitivity table equals plan --monte-carlo json"
is "$(page_check '
table = [t for t in root.iter(H + "table") if t.get("id") == "table-sensitivity-0"][0]
print([[td.text for td in tr.iter(H + "td")][0] for tr in table.iter(H + "tr")
       if tr.get("data-scenario")] == [s["input"] for s in json.load(open(sys.argv[2]))["sensitivity"]])' \
	"$html" "$work/small-plan.json")" True \
	"sensitivity table lists the inputs in rank order"

chosen='doc["years"][[y["year"] for y in doc["years"]].index(year)]["chosen"][field.split(".")[1]]'
returns='doc["years"][[y["year"] for y in doc["years"]].index(year)]["lever_returns"][field.split(".")[1]]["usd_per_0p1pct_ne"]'
is "$(table_values "$html" table-chosen-0 small \
	"$work/small-optimize.json" "$chosen")" "40 []" \
	"small: chosen plans equal optimize json"
is "$(table_values "$html" table-returns-0 small "$work/small-optimize.json" \
	"$returns")" "3 []" "small: lever returns equal optimize json"
is "$(table_values "$html" table-chosen-1 data-first \
	"$work/data-first-optimize.json" "$chosen")" "4 []" \
	"data-first: the one qualifying plan equals optimize json"
# Frontier rows follow the JSON's order: year by year, by rising cost.
is "$(table_values "$html" table-frontier-0 small "$work/small-optimize.json" \
	'[p for y in doc["years"] for p in y["frontier"]][row][field.split(".")[1]]')" \
	"$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
print(sum(len(y["frontier"]) for y in doc["years"]) * 8, [])' \
		"$work/small-optimize.json")" \
	"small: frontier table equals optimize json point by point"
check='
table = [t for t in root.iter(H + "table") if t.get("id") == sys.argv[2]][0]
doc = json.load(open(sys.argv[3]))
text = {}
for tr in table.iter(H + "tr"):
    cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
    if cells:
        text[int(cells[0])] = cells
print([(y["year"], text[y["year"]][1]) for y in doc["years"] if y["chosen"] is None])'
is "$(page_check "$check" "$html" table-chosen-1 "$work/data-first-optimize.json")" \
	"[(2027, 'no plan qualifies'), (2028, 'no plan qualifies'), (2029, 'no plan qualifies'), (2030, 'no plan qualifies')]" \
	"chosen table says which years have no plan"
check='
table = [t for t in root.iter(H + "table") if t.get("id") == "table-returns-0"][0]
doc = json.load(open(sys.argv[2]))
heads = ["".join(th.itertext()) for th in table.iter(H + "th")]
wrong = []
for tr in table.iter(H + "tr"):
    cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
    if not cells:
        continue
    year = [y for y in doc["years"] if y["year"] == int(cells[0])][0]
    for head, cell in zip(heads[1:], cells[1:]):
        lever = {"retention (days)": "retention_days",
                 "negative keep (fraction)": "negative_keep_frac",
                 "embedding rows (\u00d7)": "embedding_rows",
                 "top MLP (\u00d7)": "top_mlp"}[head]
        ret = year["lever_returns"][lever]
        want = ("at max" if ret is None else "no gain"
                if ret["ne_gain_pct"] <= 0 else None)
        if want is not None and cell != want:
            wrong.append((cells[0], lever, cell))
print(heads, wrong)'
is "$(page_check "$check" "$html" "$work/small-optimize.json")" \
	"['year', 'retention (days)', 'negative keep (fraction)', 'embedding rows (×)', 'top MLP (×)'] []" \
	"lever returns say at max and no gain where optimize json has none"

# Every number shown in the new tables rounds its exact value.
check='
wrong, checked = [], 0
for table in root.iter(H + "table"):
    if not re.match(r"table-(monte-carlo|sensitivity|chosen|returns|frontier)", table.get("id") or ""):
        continue
    for td in table.iter(H + "td"):
        value = td.get("data-value")
        if value is None:
            continue
        checked += 1
        shown = "".join(td.itertext()).replace(",", "")
        digits = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
        tol = 0.5 * 10 ** -digits if "e" not in shown else abs(float(shown)) * 0.006
        tol = max(tol, abs(float(value)) * 5e-4)
        if abs(float(shown) - float(value)) > tol:
            wrong.append((table.get("id"), td.get("data-field"), shown, value))
print(checked > 200, wrong[:3])'
is "$(page_check "$check" "$html")" "True []" \
	"new tables show numbers that round their exact values"

# The same seed writes the same page; another seed other bands.
run report "$small" "$data_first" --monte-carlo 50 --seed 3 --optimize \
	-o "$work/again.html"
is "$rc" 0 "second run with the same seed exits 0"
cmp -s "$html" "$work/again.html"
ok $? "the same seed writes the same page"
seed4_html=$work/seed4.html
run report "$small" --monte-carlo 50 --seed 4 -o "$seed4_html"
is "$rc" 0 "report --seed 4 exits 0"
"$RECSCALE" plan "$small" --monte-carlo 50 --seed 4 --format json \
	>"$work/seed4.json"
is "$(table_values "$seed4_html" table-monte-carlo-cost small \
	"$work/seed4.json" "$mc_year")" "20 []" \
	"--seed 4 tables equal plan --seed 4 json"
is "$(page_check '
table = [t for t in root.iter(H + "table") if t.get("id") == "table-monte-carlo-cost"][0]
seed3 = [td.get("data-value") for td in table.iter(H + "td")
         if (td.get("data-field") or "").startswith("monte_carlo.")]
other = ET.parse(sys.argv[2]).getroot()
table = [t for t in other.iter(H + "table") if t.get("id") == "table-monte-carlo-cost"][0]
seed4 = [td.get("data-value") for td in table.iter(H + "td")
         if (td.get("data-field") or "").startswith("monte_carlo.")]
print(len(seed4), seed3[:len(seed4)] != seed4)' "$html" "$seed4_html")" \
	"15 True" "--seed 4 draws other costs than --seed 3"

# Markdown: the same new tables, no charts.
md=$work/report.md
run report "$small" "$data_first" --monte-carlo 50 --seed 3 --optimize \
	-o "$md"
is "$rc" 0 "report -o report.md with the analyses exits 0"
is "$(grep -c '<svg' "$md")" 0 "Markdown has no charts"
for caption in "Monte Carlo NE per year (50 draws, seed 3)" \
	"Monte Carlo cost per year (50 draws, seed 3)" \
	"Sensitivity of small in 2030, ranked" \
	"Plan chosen for small per year" \
	"Return on each lever of small: USD per year for each 0.1% of NE that one step up gains" \
	"Pareto frontier of small, by rising cost" \
	"Plan chosen for data-first per year"; do
	is "$(grep -c "^\*\*$caption\*\*\$" "$md")" 1 "Markdown has table: $caption"
done
is "$(python3 - "$md" "$html" <<'EOF'
import sys, re
import xml.etree.ElementTree as ET
H = "{http://www.w3.org/1999/xhtml}"
md = open(sys.argv[1]).read()
root = ET.parse(sys.argv[2]).getroot()
missing, rows = [], 0
for table in root.iter(H + "table"):
    if not re.match(r"table-(monte-carlo|sensitivity|chosen|returns|frontier)", table.get("id") or ""):
        continue
    for tr in table.iter(H + "tr"):
        cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
        if not cells:
            continue
        rows += 1
        escaped = [re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", c) for c in cells]
        if "| " + " | ".join(escaped) + " |" not in md:
            missing.append(cells[:3])
print(rows > 60, missing[:3])
EOF
)" "True []" "every row of the new HTML tables is a Markdown row"
like "$(cat "$md")" "2027: no plan qualifies, because none fits the budget" \
	"Markdown says which years have no plan"

# JSON: the plans as plan --monte-carlo json, the searches as optimize json.
run report "$small" "$data_first" --monte-carlo 50 --seed 3 --optimize \
	--format json
is "$rc" 0 "report --format json with the analyses exits 0"
is "$(json_eval 'sorted(d)')" \
	"['fitted_laws', 'generator', 'inputs', 'optimizations', 'scenarios', 'warnings']" \
	"JSON has an optimizations section"
for i in 0 1; do
	scenario=$([ $i -eq 0 ] && echo small || echo data-first)
	is "$(json_eval "d['scenarios'][$i] == json.load(open('$work/$scenario-plan.json'))")" \
		True "JSON scenario $scenario equals plan --monte-carlo json"
	is "$(json_eval "d['optimizations'][$i] == json.load(open('$work/$scenario-optimize.json'))")" \
		True "JSON optimization of $scenario equals optimize json"
done
run report "$small" --monte-carlo 50 --format json
is "$(json_eval "(sorted(d['scenarios'][0]['monte_carlo']), d['scenarios'][0]['monte_carlo']['seed'], 'optimizations' in d)")" \
	"(['n_draws', 'seed', 'years'], 1, False)" \
	"--seed defaults to 1, and no optimizations without --optimize"

# --target-ne: the cheapest plan that reaches it, with the target dashed.
target_html=$work/target.html
run report "$small" --optimize --target-ne 0.999 -o "$target_html"
is "$rc" 0 "report --optimize --target-ne exits 0"
"$RECSCALE" optimize "$small" --target-ne 0.999 --format json \
	>"$work/target.json"
is "$(table_values "$target_html" table-chosen-0 small \
	"$work/target.json" "$chosen")" "40 []" \
	"--target-ne: chosen plans equal optimize --target-ne json"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-frontier-0"][0]
print(len([l for l in svg.iter(S + "line") if l.get("class") == "target"]),
      len([l for l in svg.iter(S + "line") if l.get("class") == "budget"]),
      [h.text for h in root.iter(H + "h3") if h.get("id") == "optimize-0"])' \
	"$target_html")" "1 0 ['small: cheapest plan with NE at most 0.999']" \
	"--target-ne: the chart dashes the target and the heading names it"
run report "$small" --optimize --budget-usd-per-year 300000 -o "$work/tight.html"
is "$rc" 0 "a budget no year 2028-2030 plan fits does not fail the report"
like "$(page_check 'print(" ".join("".join(p.itertext()) for p in root.iter(H + "p")))' \
	"$work/tight.html")" "2030: no plan qualifies, because none fits the budget of 300,000 USD" \
	"a tight budget names the years without a plan"

# A law with bootstrap samples: its band and the Monte Carlo bars, each
# with its own legend entry, and the law as an input of the sensitivity.
python3 - "$work/runs.csv" <<'EOF'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("scheme,data_samples,ne\n")
    for i in range(16):
        d = 1e9 * 200 ** (i / 15)
        ne = (0.98 + 0.02 * (d / 1e10) ** -0.12) * (1 + random.gauss(0, 1e-4))
        f.write("embedding_rows,%.9g,%.10f\n" % (d, ne))
EOF
run fit "$work/runs.csv" --x data_samples --bootstrap 50 --seed 3 \
	--name mine -o "$work/mine.cfg"
is "$rc" 0 "fit writes a law with bootstrap samples"
sed "s|file = \"dlrm-2022\"|file = \"$work/mine.cfg\"|; s|name = \"default\"|name = \"fitted\"|" \
	"$default" >"$work/fitted.cfg"
fitted_html=$work/fitted.html
run report "$work/fitted.cfg" --monte-carlo 50 --seed 3 -o "$fitted_html"
is "$rc" 0 "report of a fitted law with --monte-carlo exits 0"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-ne"][0]
series = [g for g in svg.iter(S + "g") if g.get("class") == "series"][0]
legend = [t.text for g in svg.iter(S + "g") if g.get("class") == "legend"
          for t in g.iter(S + "text")]
print(len([p for p in series.iter(S + "polygon") if p.get("class") == "band"]),
      len([g for g in series.iter(S + "g") if g.get("class") == "monte-carlo"]),
      legend)' "$fitted_html")" \
	"1 1 ['fitted', \"P10–P90 over the law's bootstrap samples\", 'P10–P90 of 50 Monte Carlo draws (seed 3)']" \
	"NE chart draws the law's band and the Monte Carlo bars, each in the legend"
"$RECSCALE" plan "$work/fitted.cfg" --monte-carlo 50 --seed 3 --format json \
	>"$work/fitted-plan.json"
is "$(table_values "$fitted_html" table-sensitivity-0 fitted \
	"$work/fitted-plan.json" 'doc["sensitivity"][row][field.split(".")[1]]')" \
	"28 []" "fitted: sensitivity table equals plan --monte-carlo json"
is "$(page_check '
table = [t for t in root.iter(H + "table") if t.get("id") == "table-sensitivity-0"][0]
rows = [["".join(td.itertext()) for td in tr.iter(H + "td")] for tr in table.iter(H + "tr")]
print([r[:3] for r in rows if r and r[0].startswith("law")])' "$fitted_html")" \
	"[['law (bootstrap samples)', 'P10 sample', 'P90 sample']]" \
	"the law's row names the samples it moves between"

# Usage errors: exit 2, one line, no file.
bad=$work/bad
mkdir "$bad"
run report "$small" --monte-carlo 50 -o "$bad/r.csv"
is "$rc" 2 "--monte-carlo with CSV exits 2"
like "$err" "CSV holds the plans only" "CSV with the analyses says why"
run report "$small" --optimize --format csv -o "$bad/r.html"
is "$rc" 2 "--optimize with --format csv exits 2"
run report "$small" --seed 3 -o "$bad/r.html"
is "$rc" 2 "--seed without --monte-carlo exits 2"
like "$err" "add --monte-carlo N" "--seed alone names --monte-carlo"
run report "$small" --budget-usd-per-year 1e6 -o "$bad/r.html"
is "$rc" 2 "--budget-usd-per-year without --optimize exits 2"
run report "$small" --optimize --budget-usd-per-year 1e6 --target-ne 0.99 \
	-o "$bad/r.html"
is "$rc" 2 "--budget-usd-per-year with --target-ne exits 2"
run report "$small" --monte-carlo 9 -o "$bad/r.html"
is "$rc" 2 "--monte-carlo 9 exits 2"
run report "$small" --monte-carlo 50 --seed -1 -o "$bad/r.html"
is "$rc" 2 "a negative seed exits 2"
run report "$small" "$mlperf" --optimize -o "$bad/r.html"
is "$rc" 2 "--optimize on a scenario without a budget exits 2"
is "$(line_count "$err")" 1 "scenario without a budget: one stderr line"
like "$err" "mlperf-dlrm-dcnv2.cfg sets no cost.budget_usd_per_year" \
	"scenario without a budget is named"
is "$(files_in "$bad")" "" "usage errors leave no file"

done_testing
