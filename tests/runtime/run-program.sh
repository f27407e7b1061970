#!/bin/bash
# run-program.sh NAME: run programs/NAME.bt (TARGET replaced by the target's
# path) under hark, in text and in JSON, and compare with expected/NAME.txt
# and expected/NAME.json. The header says how to run it:
#   // run: ARGS    hark -c 'TARGET ARGS' (none: no -c)
. "$SRC/lib.sh"
need_root
name=$1
prog=$SRC/programs/$name.bt
run=$(sed -n 's#^// run: ##p' "$prog")
sed "s#TARGET#$TARGET#g" "$prog" >"$WORK/p.bt"
for fmt in txt json; do
	[ -f "$SRC/expected/$name.$fmt" ] || continue
	f=text; [ $fmt = json ] && f=json
	if [ "$run" = none ]; then
		hk -f $f "$WORK/p.bt"
	else
		hk -f $f -c "$TARGET $run" "$WORK/p.bt"
	fi
	[ "$RC" = 0 ] || { cat "$ERR"; fail "$name ($f): hark exited $RC"; }
	expect_file "$name ($f)" "$SRC/expected/$name.$fmt" "$(normalize <"$OUT")"
done
echo "PASS: $name"
