#!/bin/sh
. "$srcdir/t/tap.sh"
plan 1
run --version
like "$out" "recscale" "--version names the program"
done_testing
