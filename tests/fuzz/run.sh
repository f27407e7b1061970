#!/bin/bash
# run.sh SECONDS [JOBS]: fuzz fuzz_compile for SECONDS from the seed corpus.
#   FUZZ_BIN   the harness (default: build-fuzz/tests/fuzz/fuzz_compile)
#   FUZZ_WORK  where new corpus entries and artifacts go (default:
#              build-fuzz/tests/fuzz/work); the seed corpus is read only.
# Exits non-zero on a crash, hang, leak or OOM; the offending inputs are
# copied to tests/fuzz/crashes/ (so are inputs slower than 1 s, slow-unit-*,
# without failing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-60}
jobs=${2:-1}
bin=${FUZZ_BIN:-$root/build-fuzz/tests/fuzz/fuzz_compile}
work=${FUZZ_WORK:-$root/build-fuzz/tests/fuzz/work}
[[ -x $bin ]] || { echo "run.sh: no harness at $bin (build target fuzz_compile)" >&2; exit 2; }
mkdir -p "$work/corpus" "$work/artifacts"
rm -f "$work/artifacts"/*
args=(-max_len=4096 -timeout=10 -rss_limit_mb=4096 -max_total_time="$secs"
      -dict="$here/hark.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1
      -report_slow_units=1)
if ((jobs > 1)); then
	args+=(-fork="$jobs" -ignore_crashes=0)
fi
"$bin" "${args[@]}" "$work/corpus" "$here/corpus"
rc=$?
shopt -s nullglob
slow=("$work/artifacts"/slow-unit-*)
found=("$work/artifacts"/crash-* "$work/artifacts"/leak-* "$work/artifacts"/timeout-* "$work/artifacts"/oom-*)
if ((${#slow[@]})); then
	# not a failure: inputs that took over a second (libFuzzer keeps the slowest)
	mkdir -p "$here/crashes"
	cp "${slow[@]}" "$here/crashes/"
	echo "run.sh: inputs slower than 1 s copied to $here/crashes/: ${slow[*]##*/}" >&2
fi
if ((${#found[@]})); then
	mkdir -p "$here/crashes"
	cp "${found[@]}" "$here/crashes/"
	echo "run.sh: ${#found[@]} failing input(s) copied to $here/crashes/:" >&2
	printf '  %s\n' "${found[@]##*/}" >&2
	((rc)) || rc=1
fi
exit $rc
