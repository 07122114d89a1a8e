#!/bin/sh
# Time `recscale fit` against scipy.optimize.curve_fit on the same 1,000
# synthetic runs. bench/fit-vs-scipy.py does the work and prints the table.
# Run it from a built tree:
#   bench/fit-vs-scipy.sh [--repeats N]
# RECSCALE names the binary (default: recscale at the top of this tree).
# PYTHON names a Python 3 that imports numpy and scipy (default: python3;
# on Debian, apt-get install python3-scipy provides both for /usr/bin/python3).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
recscale=${RECSCALE:-$top/recscale}
python=${PYTHON:-python3}

if [ ! -x "$recscale" ]; then
	echo "fit-vs-scipy.sh: $recscale not found or not executable; run make" \
		"or set RECSCALE" >&2
	exit 2
fi
if ! "$python" -c 'import numpy, scipy.optimize' 2>/dev/null; then
	echo "fit-vs-scipy.sh: $python cannot import numpy and scipy; install" \
		"python3-scipy or set PYTHON to a Python that has them" >&2
	exit 2
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
"$python" "$top/bench/fit-vs-scipy.py" --recscale "$recscale" \
	--workdir "$workdir" "$@"
