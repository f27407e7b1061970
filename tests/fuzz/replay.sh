#!/bin/bash
# replay.sh FUZZ_BIN DIR: run every file of DIR through the harness once.
# Fails if any input crashes, leaks, trips a sanitizer or takes > 10 s.
set -u
bin=$1 dir=$2
shopt -s nullglob
files=("$dir"/*)
inputs=()
for f in "${files[@]}"; do
	[[ -f $f && $(basename "$f") != README* ]] && inputs+=("$f")
done
if ((${#inputs[@]} == 0)); then
	echo "replay: no inputs in $dir"
	exit 0
fi
fail=0
for f in "${inputs[@]}"; do
	if ! "$bin" -timeout=10 -rss_limit_mb=4096 "$f" >/tmp/replay.$$.log 2>&1; then
		echo "FAIL: $f"
		grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9]+ ' /tmp/replay.$$.log | head -30
		fail=1
	else
		echo "ok:   $f"
	fi
done
rm -f /tmp/replay.$$.log
exit $fail
