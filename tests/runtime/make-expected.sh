#!/bin/bash
# make-expected.sh TARGET [NAME...]: regenerate expected/NAME.{txt,json}
# with bpftrace for programs whose header says "// truth: bpftrace".
# Others (bpftrace 0.17 gets them wrong) are written by hand; read the
# diff before keeping a regenerated file.
TARGET=$1; shift
SRC=$(cd "$(dirname "$0")" && pwd)
. "$SRC/lib.sh"
names=("$@")
[ ${#names[@]} = 0 ] && names=($(cd "$SRC/programs" && ls *.bt | sed 's/\.bt$//'))
for name in "${names[@]}"; do
	prog=$SRC/programs/$name.bt
	grep -q '^// truth: bpftrace' "$prog" || continue
	run=$(sed -n 's#^// run: ##p' "$prog")
	sed "s#TARGET#$TARGET#g" "$prog" >"$WORK/p.bt"
	for fmt in text json; do
		ext=txt; [ $fmt = json ] && ext=json
		if [ "$run" = none ]; then
			bpftrace -f $fmt "$WORK/p.bt"
		else
			bpftrace -f $fmt -c "$TARGET $run" "$WORK/p.bt"
		fi 2>/dev/null | normalize >"$SRC/expected/$name.$ext"
	done
done
