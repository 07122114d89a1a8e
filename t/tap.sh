# Shell helpers for TAP tests of the recscale command.  Source this file;
# it needs RECSCALE (the binary) and srcdir (the source tree).
tap_n=0
tap_failed=0

plan() { echo "1..$1"; }

ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# run CMD...: run the recscale command; sets $out, $err and $rc.
run() {
	out=$("$RECSCALE" "$@" 2>"$tap_tmp/stderr")
	rc=$?
	err=$(cat "$tap_tmp/stderr")
}

# is GOT WANT NAME
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "# got: $1"
		echo "# want: $2"
	fi
}

# like TEXT PATTERN NAME: TEXT contains the fixed string PATTERN.
like() {
	case "$1" in
	*"$2"*) ok 0 "$3" ;;
	*) ok 1 "$3"; echo "# text: $1"; echo "# lacks: $2" ;;
	esac
}

# line_count TEXT: print the number of lines in TEXT (0 when it is empty).
line_count() {
	printf '%s' "$1" | grep -c ''
}

# json_eval EXPR: print the Python expression EXPR evaluated with d bound to
# the JSON document in $out, or the error when $out does not parse.
json_eval() {
	printf '%s\n' "$out" | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    print(eval(sys.argv[1]))
except Exception as e:
    print("error: %r" % e)
' "$1"
}

# page_check SCRIPT HTML [ARG...]: run the Python SCRIPT on the parsed
# page HTML and print what it prints, or the error it raises.  SCRIPT gets
# the page as root (an ElementTree element), the XHTML and SVG namespace
# prefixes as H and S, and the arguments in sys.argv[1:].
page_check() {
	script=$1
	shift
	python3 - "$@" <<EOF
import json, re, sys
import xml.etree.ElementTree as ET
H = "{http://www.w3.org/1999/xhtml}"
S = "{http://www.w3.org/2000/svg}"
sys.excepthook = lambda kind, e, tb: print("error: %r" % e)
root = ET.parse(sys.argv[1]).getroot()
$script
EOF
}

tap_tmp=$(mktemp -d)
trap 'rm -rf "$tap_tmp"' EXIT
done_testing() { [ "$tap_failed" -eq 0 ]; }
