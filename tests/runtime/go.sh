#!/bin/bash
# go.sh: count runtime.mapassign_fast64 in every Go workload of
# $SHARED/fixtures/go/bin that has it in its symbol table, and compare with
# the "truth" lines the workload prints: exact calls from main.fillInts
# (counted between fillInts' entry and main.record in the same goroutine:
# keyed on tid it is not exact, the goroutine may move to another thread),
# the same by `caller`, and the total (fillInts + smallMaps).
. "$SRC/lib.sh"
need_root
dir=$SHARED/fixtures/go/bin
[ -d "$dir" ] || skip "no Go fixtures at $dir (configure with -DHARK_SHARED=...)"
ran=0
for bin in "$dir"/workload-*; do
	name=$(basename "$bin")
	if ! nm "$bin" 2>/dev/null | grep -q ' runtime\.mapassign_fast64$'; then
		echo "skip $name: no runtime.mapassign_fast64 in its symbol table (stripped)"
		continue
	fi
	hk -c "$bin" -e "uprobe:$bin:main.fillInts { @on[goid] = 1; }
		uprobe:$bin:main.record { @on[goid] = 0; }
		uprobe:$bin:runtime.mapassign_fast64 /@on[goid]/ { @fill = count(); }
		uprobe:$bin:runtime.mapassign_fast64 { @total = count(); @by[caller] = count(); }"
	[ "$RC" = 0 ] || { cat "$ERR"; fail "$name: hark exited $RC"; }
	fill=$(awk '$1 == "truth" && $2 == "mapassign_fast64" && $3 == "main.fillInts" { print $4 }' "$OUT")
	small=$(awk '$1 == "truth" && $2 == "mapassign_fast64" && $3 == "main.smallMaps" { print $4 }' "$OUT")
	[ -n "$fill" ] && [ -n "$small" ] || { cat "$OUT"; fail "$name: no truth lines in the workload's output"; }
	expect_eq "$name: mapassign_fast64 in main.fillInts" "@fill: $fill" "$(grep '^@fill: ' "$OUT")"
	expect_eq "$name: mapassign_fast64 by caller" "@by[main.fillInts]: $fill" "$(grep '^@by\[main.fillInts\]: ' "$OUT")"
	expect_eq "$name: mapassign_fast64 in all" "@total: $((fill + small))" "$(grep '^@total: ' "$OUT")"
	echo "ok $name: fillInts $fill, total $((fill + small))"
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || skip "no Go fixture with a symbol table"
