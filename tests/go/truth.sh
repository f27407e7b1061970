#!/usr/bin/env bash
# Trace the Go workload fixture under hark with the Go aliases and compare
# with the workload's own "truth" lines, exactly.
#   truth.sh HARK BINARY
set -uo pipefail
hark=$1 bin=$2
[ -x "$bin" ] || { echo "SKIP: $bin not found (../shared absent?)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); trap 'rm -f "$out"' EXIT

prog='
mapassign { @assign[caller] = count(); }
mapassign /cap > 1024/ { @big[caller] = count(); }
mapdelete { @del[caller] = count(); }
growslice { @grow[caller] = count(); }
newproc { @np[caller] = count(); }
gcstart /kind == 2/ { @gc = count(); }
uprobe:main.main { @goid = max(goid); }
goret:main.run { @run_returned = count(); }
goret:growslice { @grow_returned = count(); }
growslice /caller == "main.appendBig"/ { @bigcaller = count(); }
mapassign /func == "runtime.mapassign_fast64" && caller == "main.fillInts"/ { @fill64 = count(); }
'
"$hark" -q -c "$bin" -e "$prog" >"$out" 2>&1
rc=$?
fail=0
check() { # name expected actual
	if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $2, got '$3'"; fail=1; else echo "ok: $1 = $2"; fi
}
truth() { awk -v k="$1" -v c="$2" '$1 == "truth" && $2 == k && $3 == c { print $4 }' "$out"; }
got() { sed -n "s/^@$1\[$2\]: //p" "$out"; }
scalar() { sed -n "s/^@$1: //p" "$out"; }

check "hark exit status" 0 "$rc"
check "truth lines (the workload finished normally)" 10 "$(grep -c '^truth ' "$out")"
check "mapassign from main.fillInts" "$(truth mapassign_fast64 main.fillInts)" "$(got assign main.fillInts)"
check "mapassign from main.smallMaps" "$(truth mapassign_fast64 main.smallMaps)" "$(got assign main.smallMaps)"
check "mapassign from main.fillStrings" "$(truth mapassign_faststr main.fillStrings)" "$(got assign main.fillStrings)"
check "mapassign from main.fillStructs" "$(truth mapassign main.fillStructs)" "$(got assign main.fillStructs)"
check "mapassign cap>1024 from main.fillInts" "$(truth 'mapassign_fast64[cap>1024]' main.fillInts)" "$(got big main.fillInts)"
check "mapdelete from main.deleteInts" "$(truth mapdelete_fast64 main.deleteInts)" "$(got del main.deleteInts)"
check "growslice from main.appendInts" "$(truth growslice main.appendInts)" "$(got grow main.appendInts)"
check "growslice from main.appendBig" "$(truth growslice main.appendBig)" "$(got grow main.appendBig)"
check "newproc from main.spawn" "$(truth newproc main.spawn)" "$(got np main.spawn)"
check "runtime.GC() cycles" "$(truth GC main.forceGC)" "$(scalar gc)"
check "goid of the main goroutine" 1 "$(scalar goid)"
check "caller == \"main.appendBig\" in the kernel" "$(truth growslice main.appendBig)" "$(scalar bigcaller)"
check "func and caller in the kernel" "$(truth mapassign_fast64 main.fillInts)" "$(scalar fill64)"
check "goret:main.run fired" 1 "$(scalar run_returned)"
[ $fail = 0 ] || { echo "--- hark output:"; cat "$out"; }
exit $fail
