#!/bin/sh
# recscale report.  The HTML page must be well-formed XHTML with inline
# SVG, and its tables must equal plan --format json.  The tests also cover
# its charts, inputs and warnings, the Markdown, CSV and JSON forms, a
# fitted law with its band, and invalid input that leaves no file.
. "$srcdir/t/tap.sh"
plan 102

work=$tap_tmp/work
mkdir "$work"
default=$srcdir/scenarios/default.cfg
data_first=$srcdir/scenarios/data-first.cfg

# files_in DIR: the names in DIR, one line, sorted.
files_in() {
	ls -A "$1" | sort | tr '\n' ' '
}

# Help and usage errors.
run report --help
is "$rc" 0 "report --help exits 0"
like "$out" "Usage: recscale report SCENARIO..." "report --help prints usage"
run report
is "$rc" 2 "report without a scenario exits 2"
is "$(line_count "$err")" 1 "report without a scenario: one stderr line"
run report "$default" -o "$work/report.txt"
is "$rc" 2 "unknown output extension exits 2"
like "$err" ".html, .md, .csv or .json" "unknown extension names the known ones"
run report "$default" --format pdf
is "$rc" 2 "unknown --format exits 2"
run report "$default" "$default" "$default" "$default" "$default" \
	"$default" "$default" "$default" "$default"
is "$rc" 2 "nine scenarios exit 2"
is "$(files_in "$work")" "" "usage errors write no file"

# The HTML page of two scenarios.
html=$work/report.html
run report "$default" "$data_first" -o "$html"
is "$rc" 0 "report -o report.html exits 0"
is "$out" "" "report -o prints nothing on stdout"
test -s "$html"
ok $? "report.html is written"
xmllint --noout "$html" 2>"$tap_tmp/xmllint"
ok $? "report.html is well-formed XML"
if [ -s "$tap_tmp/xmllint" ]; then sed 's/^/# /' "$tap_tmp/xmllint"; fi
is "$(page_check 'print(root.tag)' "$html")" \
	"{http://www.w3.org/1999/xhtml}html" "root is an XHTML html element"
is "$(grep -c '<script' "$html")" 0 "page has no scripts"
is "$(page_check '
refs = [v for e in root.iter() for k, v in e.attrib.items()
        if k in ("href", "src") or k.endswith("}href")]
print(refs)' "$html")" "[]" "page loads no other resource"

# Each chart: its axes, their titles with units, one series per scenario.
for chart in chart-ne chart-cost chart-quality-cost chart-binding; do
	check='
svg = [s for s in root.iter(S + "svg") if s.get("id") == sys.argv[2]][0]
groups = {}
for g in svg.iter(S + "g"):
    groups.setdefault(g.get("class"), []).append(g)
def labels(axis):
    return [t.text for t in groups[axis][0].iter(S + "text")
            if t.get("class") == "axis-label"]
def ticks(axis):
    return [t.text for t in groups[axis][0].iter(S + "text")
            if t.get("class") != "axis-label" and t.text]
print(len(groups.get("axis x-axis", [])), len(groups.get("axis y-axis", [])),
      len(labels("axis x-axis")), len(labels("axis y-axis")),
      len(ticks("axis x-axis")) >= 2, len(ticks("axis y-axis")) >= 2,
      [g.get("data-scenario") for g in groups.get("series", [])])'
	is "$(page_check "$check" "$html" "$chart")" \
		"1 1 1 1 True True ['default', 'data-first']" \
		"$chart has both axes, titles, ticks and one series per scenario"
done
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-ne"][0]
print([t.text for t in svg.iter(S + "text") if t.get("class") == "axis-label"])' \
	"$html")" "['year', 'NE, normalized entropy (dimensionless; lower is better)']" \
	"NE chart axis titles name the quantities"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-cost"][0]
print([t.text for t in svg.iter(S + "text") if t.get("class") == "axis-label"])' \
	"$html")" "['year', 'cost per year, million USD']" \
	"cost chart axis titles give the unit"
# plan_ne_labels: the three smallest NE values of both scenarios in plan
# JSON, as the chart prints them (five decimals).
plan_ne_labels() {
	python3 - "$RECSCALE" "$default" "$data_first" <<'PY'
import json, subprocess, sys
values = []
for path in sys.argv[2:]:
    out = subprocess.run([sys.argv[1], "plan", path, "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    values += ["%.5f" % y["ne"] for y in json.loads(out)["years"]]
print(sorted(values)[:3])
PY
}

is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-ne"][0]
print(sorted(t.text for t in svg.iter(S + "text")
             if re.fullmatch(r"0\.\d{5}", t.text or ""))[:3])' "$html")" \
	"$(plan_ne_labels)" "NE chart labels points with their values"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-cost"][0]
print(len([r for g in svg.iter(S + "g") if g.get("class") == "series"
           for r in g.iter(S + "rect") if r.get("fill") in
           ("#4E79A7", "#F28E2B", "#59A14F")]))' "$html")" 30 \
	"cost chart stacks three components for 10 scenario-years"
is "$(page_check '
print(len([l for l in root.iter(S + "line") if l.get("class") == "budget"]))' \
	"$html")" 1 "cost chart draws the shared budget once"
is "$(page_check 'print(len(list(root.iter(S + "svg"))))' "$html")" 4 \
	"no fitted-law chart without a fitted law"

# The tables hold the same numbers as plan --format json.
for scenario in default data-first; do
	"$RECSCALE" plan "$srcdir/scenarios/$scenario.cfg" --format json \
		>"$work/$scenario.json"
	check='
plan = {y["year"]: y for y in json.load(open(sys.argv[3]))["years"]}
name = sys.argv[2]
checked, wrong = 0, []
for tr in root.iter(H + "tr"):
    if tr.get("data-scenario") != name or tr.get("data-year") is None:
        continue
    year = plan[int(tr.get("data-year"))]
    for td in tr.iter(H + "td"):
        field = td.get("data-field")
        if field is None:
            continue
        want = year[field]
        got = td.get("data-value")
        if (want is None) != (got is None) or (got is not None and float(got) != want):
            wrong.append((tr.get("data-year"), field, got, want))
        checked += 1
print(checked, wrong)'
	is "$(page_check "$check" "$html" "$scenario" "$work/$scenario.json")" \
		"90 []" "$scenario: table values equal plan json exactly"
	check='
name = sys.argv[2]
wrong = []
for tr in root.iter(H + "tr"):
    if tr.get("data-scenario") != name:
        continue
    for td in tr.iter(H + "td"):
        value = td.get("data-value")
        if value is None:
            continue
        shown = "".join(td.itertext()).replace(",", "")
        digits = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
        tol = 0.5 * 10 ** -digits if "e" not in shown else abs(float(shown)) * 0.006
        tol = max(tol, abs(float(value)) * 5e-4)
        if abs(float(shown) - float(value)) > tol:
            wrong.append((tr.get("data-year"), td.get("data-field"), shown, value))
print(wrong)'
	is "$(page_check "$check" "$html" "$scenario")" "[]" \
		"$scenario: shown numbers round their exact values"
	is "$(page_check '
table = [t for t in root.iter(H + "table") if t.get("id") == "table-ne"][0]
print(sorted(int(tr.get("data-year")) for tr in table.iter(H + "tr")
             if tr.get("data-scenario") == sys.argv[2]))' "$html" "$scenario")" \
		"[2026, 2027, 2028, 2029, 2030]" \
		"$scenario: NE table has one row per year"
done
for table in table-summary table-ne table-cost table-quality-cost \
	table-binding; do
	is "$(page_check '
t = [t for t in root.iter(H + "table") if t.get("id") == sys.argv[2]]
print(len(t), len(t[0].find(H + "caption").text) > 0 if t else None)' \
		"$html" "$table")" "1 True" "page has $table with a caption"
done

# Assumptions: every hardware value with its source; law and scenario
# values with theirs; warnings.
"$RECSCALE" hw show h100-hgx --format json >"$work/h100.json"
check='
hw = json.load(open(sys.argv[2]))["values"]
rows = {}
for table in root.iter(H + "table"):
    caption = table.find(H + "caption").text
    if caption != "Inputs of hardware h100-hgx":
        continue
    for tr in table.iter(H + "tr"):
        cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
        if cells:
            rows[cells[0]] = cells
missing = [k for k in hw if k not in rows]
wrong = [k for k in hw if k in rows and rows[k][3] != hw[k]["source"]]
kinds = [k for k in hw if k in rows and (rows[k][4] == "assumption") != hw[k]["assumption"]]
print(len(hw) > 20, missing, wrong, kinds)'
is "$(page_check "$check" "$html" "$work/h100.json")" "True [] [] []" \
	"inputs list every h100-hgx value with its source and kind"
check='
rows = {}
for table in root.iter(H + "table"):
    if table.find(H + "caption").text != sys.argv[2]:
        continue
    for tr in table.iter(H + "tr"):
        cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
        if cells:
            rows[cells[0]] = cells + [tr.get("class")]
print(rows[sys.argv[3]][1:])'
is "$(page_check "$check" "$html" "Inputs of scenario default" \
	data.retention_days)" \
	"['90', 'days', 'line 44: No primary source gives typical training-log windows: assumption.', 'assumption', 'assumption']" \
	"scenario input takes the comment above it as its source"
is "$(page_check "$check" "$html" "Inputs of scenario default" \
	data.positive_frac)" \
	"['0.03', 'fraction', 'line 45: assumption: ad CTR of a few percent', 'assumption', 'assumption']" \
	"scenario input takes the comment on its line as its source"
like "$(page_check "$check" "$html" "Inputs of scenario default" \
	'workload.tables[0].rows')" "Assumption: 420 tables" \
	"list element takes the comment of its list"
is "$(page_check "$check" "$html" "Inputs of scenario data-first" \
	storage.capacity_bytes)" \
	"['4e15', 'bytes', 'line 69: Assumption: 4 PB, enough for 120 days of the 2030 logs (3.5 PB), so the retention policy, not the capacity, sets the data every year.', 'assumption', 'assumption']" \
	"data-first storage capacity is an assumption with its reason"
is "$(page_check "$check" "$html" \
	"Inputs of law dlrm-2022, scheme embedding_rows" gamma)" \
	"['0.98', 'NE', 'published: irreducible normalized loss of about 0.98 (arXiv 2208.08489)', 'sourced', None]" \
	"law input carries the law file's source"
is "$(page_check '
print(sum(1 for t in root.iter(H + "table")
          if (t.find(H + "caption").text or "").startswith("Inputs of ")))' \
	"$html")" 6 "inputs of two scenarios, one law and three profiles, each once"
page_text=$(page_check 'print(" ".join(" ".join(e.itertext()) for e in root.iter(H + "li")))' "$html")
like "$page_text" "default: cost exceeds the budget of 1,200,000 USD per year in 2030" \
	"warnings list the years over budget"
like "$page_text" "default: storage capacity, not the retention policy, caps the training data in 2028, 2029, 2030" \
	"warnings list the years storage caps the data"
like "$page_text" "default.cfg): workload.n_dense_features" \
	"warnings list scenario values marked as assumptions"
like "$page_text" "law dlrm-2022, scheme embedding_rows" \
	"warnings list law values marked as assumptions"
like "$page_text" "host_device_bw_bytes_per_s" \
	"warnings list hardware values marked as assumptions"

# Markdown: the same tables, no charts.
md=$work/report.md
run report "$default" "$data_first" -o "$md"
is "$rc" 0 "report -o report.md exits 0"
is "$(grep -c '<svg' "$md")" 0 "Markdown has no charts"
for caption in "Summary of each scenario" "Predicted NE per year" \
	"Cost per year by component" "NE against yearly cost" \
	"Cluster and binding resource per year" "Inputs of hardware b200-hgx"; do
	is "$(grep -c "^\*\*$caption\*\*\$" "$md")" 1 "Markdown has table: $caption"
done
is "$(grep -c '^| default | 20[0-9][0-9] | ' "$md")" 20 \
	"Markdown has 5 rows of default in each of the 4 yearly tables"
ne_2030=$("$RECSCALE" plan "$data_first" --format json | python3 -c '
import json, sys
print("%.5f" % json.load(sys.stdin)["years"][-1]["ne"])')
is "$(grep "^| data-first | 2030 | $ne_2030 |" "$md" | wc -l | tr -d ' ')" 1 \
	"Markdown NE table shows the NE of plan json"
is "$(python3 - "$md" "$html" <<'EOF'
import sys, re
import xml.etree.ElementTree as ET
H = "{http://www.w3.org/1999/xhtml}"
md = open(sys.argv[1]).read()
root = ET.parse(sys.argv[2]).getroot()
missing = []
for table in root.iter(H + "table"):
    for tr in table.iter(H + "tr"):
        cells = ["".join(td.itertext()) for td in tr.iter(H + "td")]
        if not cells:
            continue
        escaped = [re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", c) for c in cells]
        if "| " + " | ".join(escaped) + " |" not in md:
            missing.append(cells[:3])
print(missing[:3])
EOF
)" "[]" "every HTML table row is a Markdown row"

# CSV: one row per scenario and year, the plan CSV's columns.
csv=$work/report.csv
run report "$default" "$data_first" -o "$csv"
is "$rc" 0 "report -o report.csv exits 0"
is "$(line_count "$(cat "$csv")")" 11 "CSV has a header and 10 rows"
"$RECSCALE" plan "$default" --format csv >"$work/default.csv"
is "$(head -1 "$csv")" "$(head -1 "$work/default.csv")" \
	"CSV header is the plan CSV header"
is "$(python3 - "$csv" <<'EOF'
import csv, sys
print([(r["scenario"], r["year"]) for r in csv.DictReader(open(sys.argv[1]))])
EOF
)" "[('default', '2026'), ('default', '2027'), ('default', '2028'), ('default', '2029'), ('default', '2030'), ('data-first', '2026'), ('data-first', '2027'), ('data-first', '2028'), ('data-first', '2029'), ('data-first', '2030')]" \
	"CSV rows are each scenario and year"
is "$(grep '^default,' "$csv")" "$(tail -n +2 "$work/default.csv")" \
	"CSV rows of default equal plan csv"

# JSON: the plans exactly as plan --format json, and the rest.
json=$work/report.json
run report "$default" "$data_first" -o "$json"
is "$rc" 0 "report -o report.json exits 0"
out=$(cat "$json")
is "$(json_eval 'sorted(d)')" \
	"['fitted_laws', 'generator', 'inputs', 'scenarios', 'warnings']" \
	"JSON parses and has its sections"
is "$(json_eval "d['scenarios'][0] == json.load(open('$work/default.json'))")" \
	True "JSON scenario equals plan json of default"
is "$(json_eval "d['scenarios'][1] == json.load(open('$work/data-first.json'))")" \
	True "JSON scenario equals plan json of data-first"
is "$(json_eval "sorted({i['kind'] for i in d['inputs']})")" \
	"['assumption', 'no source given', 'sourced']" "JSON inputs carry their kind"
is "$(json_eval "[w['scenario'] for w in d['warnings']]")" \
	"['default', 'default', 'data-first']" "JSON warnings name their scenario"
run report "$default" --format json -o "$work/report.out"
is "$rc" 0 "--format json with another extension exits 0"
out=$(cat "$work/report.out")
is "$(json_eval "len(d['scenarios'])")" 1 "--format overrides the extension"
run report "$default"
like "$out" "<!DOCTYPE html>" "HTML goes to stdout without -o"
run report "$default" --format md
like "$out" "# Capacity plan: default" "--format md writes Markdown"

# A fitted law: its chart over the fitted range, the NE band, the table.
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
is "$rc" 0 "fit writes a law for the report"
sed "s|file = \"dlrm-2022\"|file = \"$work/mine.cfg\"|; s|name = \"default\"|name = \"fitted\"|" \
	"$default" >"$work/fitted.cfg"
fitted_html=$work/fitted.html
run report "$work/fitted.cfg" "$data_first" -o "$fitted_html"
is "$rc" 0 "report with a fitted law exits 0"
xmllint --noout "$fitted_html" 2>/dev/null
ok $? "fitted report is well-formed XML"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-law-0"][0]
groups = [g.get("class") for g in svg.iter(S + "g")]
print(groups.count("axis x-axis"), groups.count("axis y-axis"),
      [g.get("data-scenario") for g in svg.iter(S + "g") if g.get("class") == "series"],
      [t.text for t in svg.iter(S + "text") if t.get("class") == "axis-label"][0])' \
	"$fitted_html")" \
	"1 1 ['fitted'] D, training data retained (samples, log scale)" \
	"fitted law chart has axes, a log data axis and its scenario"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-law-0"][0]
texts = [t.text for t in svg.iter(S + "text")]
print("fitted range" in texts, "extrapolated" in texts,
      len([g for g in svg.iter(S + "g") if g.get("class") == "extrapolation"]))' \
	"$fitted_html")" "True True 1" "fitted law chart marks the extrapolation"
is "$(page_check '
svg = [s for s in root.iter(S + "svg") if s.get("id") == "chart-ne"][0]
print([g.get("data-scenario") for g in svg.iter(S + "g") if g.get("class") == "series"
       and any(p.get("class") == "band" for p in g.iter(S + "polygon"))])' \
	"$fitted_html")" "['fitted']" "NE chart draws the band of the fitted law only"
"$RECSCALE" plan "$work/fitted.cfg" --format json >"$work/fitted.json"
check='
plan = {y["year"]: y for y in json.load(open(sys.argv[2]))["years"]}
table = [t for t in root.iter(H + "table") if t.get("id") == "table-law-0"][0]
wrong, checked = [], 0
for tr in table.iter(H + "tr"):
    if tr.get("data-year") is None:
        continue
    for td in tr.iter(H + "td"):
        f = td.get("data-field")
        if f:
            checked += 1
            if float(td.get("data-value")) != plan[int(tr.get("data-year"))][f]:
                wrong.append((tr.get("data-year"), f))
print(checked, wrong)'
is "$(page_check "$check" "$fitted_html" "$work/fitted.json")" "20 []" \
	"fitted law table equals plan json with its band"
like "$(page_check 'print(" ".join(" ".join(p.itertext()) for p in root.iter(H + "p")))' \
	"$fitted_html")" "The measured runs are not stored in the law file" \
	"fitted law caption says the runs are not stored"
run report "$work/fitted.cfg" --format json
is "$(json_eval "[(f['scenario'], f['years'][0]['extrapolated']) for f in d['fitted_laws']]")" \
	"[('fitted', True)]" "JSON lists the fitted law and its extrapolated years"

# Invalid input: exit 1, one line, no file and no temporary file left.
bad=$work/bad
mkdir "$bad"
run report "$default" no-such-scenario -o "$bad/r.html"
is "$rc" 1 "unknown scenario exits 1"
is "$(line_count "$err")" 1 "unknown scenario: one stderr line"
like "$err" "no-such-scenario" "unknown scenario is named"
is "$(files_in "$bad")" "" "unknown scenario leaves no file"
run report "$default" -o "$bad/missing-folder/r.html"
is "$rc" 1 "unwritable output exits 1"
like "$err" "missing-folder/r.html" "unwritable output is named"
printf 'name = "broken";\nfirst_year = 2026;\n' >"$bad/broken.cfg"
run report "$default" "$bad/broken.cfg" -o "$bad/r.html"
is "$rc" 1 "invalid second scenario exits 1"
like "$err" "broken.cfg" "invalid scenario is named"
is "$(files_in "$bad")" "broken.cfg " "failed run leaves no partial report"
run report "$default" "$default" -o "$bad/r.html"
is "$rc" 1 "the same scenario twice exits 1"
like "$err" "both named" "duplicate scenario names are reported"
is "$(files_in "$bad")" "broken.cfg " "duplicate names leave no file"
echo keep >"$bad/r.html"
run report "$default" -o "$bad/r.html"
is "$rc" 1 "existing file without --force exits 1"
like "$err" "--force" "existing file: message names --force"
is "$(cat "$bad/r.html")" "keep" "existing file is left as it was"
run report "$default" -o "$bad/r.html" --force
is "$rc" 0 "--force replaces the file"
is "$(head -c 15 "$bad/r.html")" "<!DOCTYPE html>" "--force wrote the new report"
is "$(files_in "$bad")" "broken.cfg r.html " "--force leaves no temporary file"

done_testing
