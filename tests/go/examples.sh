#!/usr/bin/env bash
# Run every pack in examples/go against the workload fixture and check the
# numbers that the workload's truth lines pin down, exactly.
#   examples.sh HARK BINARY EXAMPLES_DIR
set -uo pipefail
hark=$1 bin=$2 dir=$3
[ -x "$bin" ] || { echo "SKIP: $bin not found (../shared absent?)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
fail=0
check() {
	if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $2, got '$3'"; fail=1; else echo "ok: $1 = $2"; fi
}
run() { "$hark" -q -c "$bin" "$dir/$1" >"$out" 2>&1 || { echo "FAIL: $1 exited $?"; cat "$out"; fail=1; }; }
truth() { awk -v k="$1" -v c="$2" '$1 == "truth" && $2 == k && $3 == c { print $4 }' "$out"; }
# count of the stack block whose second frame is $1
stack_count() { awk -v f="$1" '/^@[a-z_]*\[$/ { n = 0; next } /^    / { sub(/^ +/, ""); sub(/\+[0-9]+$/, ""); fr[n++] = $0; next }
	/^\]: / { if (fr[1] == f) print $2 }' "$out"; }
# total of a histogram printed under the header $1
hist_total() { awk -v h="$1" '$0 == h { on = 1; next } on && /^$/ { on = 0 }
	on && match($0, /[)\]] +[0-9]+ \|/) { t += substr($0, RSTART + 1, RLENGTH - 3) } END { print t + 0 }' "$out"; }

run bigmaps.hk
check "bigmaps: fillInts writes over 1024 slots" "$(truth 'mapassign_fast64[cap>1024]' main.fillInts)" "$(stack_count main.fillInts)"
run slices.hk
check "slices: appendInts" "$(truth growslice main.appendInts)" "$(sed -n 's/^@grows\[main.appendInts, 8\]: //p' "$out")"
check "slices: appendBig (40-byte elements)" "$(truth growslice main.appendBig)" "$(sed -n 's/^@grows\[main.appendBig, 40\]: //p' "$out")"
# the END for loop over @grows, counts merged over CPUs in the kernel
check "slices: for-loop hot spot appendInts" "$(truth growslice main.appendInts)" \
	"$(sed -n 's/^  main.appendInts, 8-byte elements: \([0-9]*\) grows$/\1/p' "$out")"
check "slices: for-loop hot spot appendBig" "$(truth growslice main.appendBig)" \
	"$(sed -n 's/^  main.appendBig, 40-byte elements: \([0-9]*\) grows$/\1/p' "$out")"
run goroutines.hk
check "goroutines: started by main.spawn" "$(truth newproc main.spawn)" "$(sed -n 's/^@started_by\[main.spawn\]: //p' "$out")"
check "goroutines: running main.spawn.func1" "$(truth newproc main.spawn)" "$(sed -n 's/^@runs\[main.spawn.func1\]: //p' "$out")"
run gc.hk
check "gc: runtime.GC() cycles" "$(truth GC main.forceGC)" "$(sed -n 's/^@by_kind\[2\]: //p' "$out")"
run maplatency.hk
check "maplatency: fillInts writes timed" "$(truth mapassign_fast64 main.fillInts)" "$(hist_total '@latency_ns[main.fillInts]:')"
run mapgrowth.hk
check "mapgrowth: ran and printed growth stacks" 1 "$(grep -c '^@cap_before:$' "$out")"
exit $fail
