#!/usr/bin/env bash
# The design card's one-liner, verbatim, on a workload binary: the stack
# runtime.mapassign_fast64 <- main.fillInts <- main.run <- main.main, counted
# exactly as the workload's [cap>1024] truth line says.
set -uo pipefail
hark=$1 bin=$2
[ -x "$bin" ] || { echo "SKIP: $bin not found (../shared absent?)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
"$hark" -c "$bin" -e 'mapassign /cap>1024/ < @[ustack]=count() >' >"$out" 2>&1 || { cat "$out"; exit 1; }
want=$(awk '$1 == "truth" && $2 == "mapassign_fast64[cap>1024]" { print $4 }' "$out")
# the stack block whose first four frames are the expected chain
got=$(awk '
	/^@\[$/ { n = 0; next }
	/^    / { sub(/^ +/, ""); sub(/\+[0-9]+$/, ""); f[n++] = $0; next }
	/^\]: / { if (f[0] == "runtime.mapassign_fast64" && f[1] == "main.fillInts" &&
		      f[2] == "main.run" && f[3] == "main.main") print $2 }' "$out")
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	echo "ok: mapassign_fast64 <- main.fillInts <- main.run <- main.main: $got"
	exit 0
fi
echo "FAIL: expected $want for the fillInts stack, got '$got'"; cat "$out"; exit 1
