#!/bin/sh
# Build the kernel as a shared library and run bench/kernel-vs-torch.py,
# which compares it with PyTorch's embedding_bag and a plain loop in one
# process.  Run from the top of a configured tree (./configure done, so
# config.h exists).  Needs Debian's python3-torch and python3-numpy, which
# install for /usr/bin/python3.  Extra arguments go to the Python script,
# e.g. --tables-mib 1,256 --threads 1 or --prefetch-sweep.
# Output: CSV on stdout; the machine and the bound on stderr.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc=${CC:-gcc}
$cc -std=c11 -O2 -fPIC -shared -pthread -D_POSIX_C_SOURCE=200809L \
	-I"$top" -I"$top/src" -o "$work/libembbag.so" \
	"$top/bench/embbag-bench.c" "$top/src/kernel.c" \
	"$top/src/kernel-scalar.c" "$top/src/kernel-avx2.c" \
	"$top/src/kernel-avx512.c" "$top/src/topology.c" \
	"$top/src/hugepage.c" "$top/src/indexgen.c" "$top/src/membench.c" \
	"$top/src/kernelbench.c" "$top/src/error.c" \
	$(pkg-config --cflags --libs hwloc) -lm

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(grep -m1 'model name' /proc/cpuinfo \
	| sed 's/.*: //'), $(nproc) CPUs; THP $(cat \
	/sys/kernel/mm/transparent_hugepage/enabled); $($cc --version | head -1)" >&2
/usr/bin/python3 "$top/bench/kernel-vs-torch.py" --lib "$work/libembbag.so" "$@"
