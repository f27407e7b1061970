#!/usr/bin/env bash
# bench/run.sh [path/to/hark]
#
# Runs hark and bpftrace side by side and prints a table of wall times,
# peak RSS and ratios, PASS/MISS against the project's targets, and one
# machine-readable "BENCH ..." line per benchmark (also written as JSON
# lines to $BENCH_OUT/summary.jsonl). Not a test: it never fails on a MISS.
#
# Without an argument it builds hark (Release) into build-bench/ first; with
# one it builds nothing and benchmarks that binary.
#
# Environment:
#   BENCH_SKIP_SLOW=1   skip the slow bpftrace runs (wildcard ~27 s, 200 probes)
#   BENCH_RUNS=N        hyperfine runs for the fast benchmarks (default 10)
#   BENCH_PROFILE=1     also perf-profile hark --dry-run on the 200-probe script
#   BENCH_OUT=DIR       where JSON exports, scripts and logs go (default: mktemp)
#   BPFTRACE=PATH       bpftrace binary (default: bpftrace in PATH)
#   BENCH_ROUNDS=N      rounds of maps.sh's per-event benchmarks (default 5)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-10}
skip_slow=${BENCH_SKIP_SLOW:-0}
out=${BENCH_OUT:-$(mktemp -d /tmp/hark-bench.XXXXXX)}
mkdir -p "$out"
bt=${BPFTRACE:-bpftrace}

die() { echo "bench: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "must run as root (both tracers load BPF programs)"
for t in hyperfine jq cc; do
	command -v $t >/dev/null || die "$t not found (apt-get install hyperfine jq gcc)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
command -v "$bt" >/dev/null || die "bpftrace not found (apt-get install bpftrace)"

if [ $# -ge 1 ]; then
	hark=$(realpath "$1")
	[ -x "$hark" ] || die "$1 is not an executable"
else
	echo "bench: building hark (Release) into $root/build-bench ..."
	{ cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DHARK_TESTS=OFF &&
		cmake --build "$root/build-bench" -j"$(nproc)"; } >"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log"; die "build failed (log: $out/build.log)"; }
	hark=$root/build-bench/hark
fi

# bpftrace 0.17 complains when it cannot raise RLIMIT_MEMLOCK; give both the same limit.
ulimit -l unlimited 2>/dev/null || true

echo "bench: hark     = $hark ($("$hark" -V 2>&1 | head -1))"
echo "bench: bpftrace = $(command -v "$bt") ($("$bt" --version 2>&1 | head -1))"
echo "bench: $(uname -r), $(nproc) CPUs, load avg $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "bench: output in $out"
echo

# ---------------------------------------------------------------- helpers
rows=()       # "name|hark|bpftrace|ratio|target|result" for the table
: >"$out/summary.jsonl"

median() { sort -g | awk '{a[NR]=$1} END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }
fmt() { awk -v x="$1" -v d="${2:-3}" 'BEGIN { if (x == "" || x == "nan" || x == "-") print "-"; else printf "%.*f\n", d, x }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b == 0) print "-"; else printf "%.4f\n", a / b }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a != "" && a + 0 < b + 0) }'; }

# hf NAME RUNS WARMUP CMD... : hyperfine the commands; prints the median seconds of each, one a line
hf() {
	local name=$1 n=$2 w=$3
	shift 3
	if ! hyperfine -N --style none --warmup "$w" --runs "$n" --export-json "$out/$name.json" "$@" \
		>"$out/$name.hyperfine.txt" 2>&1; then
		echo "bench: hyperfine $name failed:" >&2
		tail -5 "$out/$name.hyperfine.txt" >&2
		for _ in "$@"; do echo "-"; done
		return
	fi
	jq -r '.results[].median' "$out/$name.json"
}

# peak_rss N CMD... : median peak RSS in KiB over N runs
peak_rss() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		/usr/bin/time -o "$out/time.tmp" -f '%M' "$@" >/dev/null 2>&1
		tail -1 "$out/time.tmp"
	done | median
}

# once CMD... : one run; prints "wall_s peak_kib"
once() {
	/usr/bin/time -o "$out/time.tmp" -f '%e %M' "$@" >"$out/once.out" 2>&1
	tail -1 "$out/time.tmp"
}

# record NAME UNIT HARK BPFTRACE TARGET_KIND TARGET_VALUE [BPFTRACE_CELL_TEXT]
#   TARGET_KIND: ratio (hark/bpftrace < value), abs (hark < value), none
record() {
	local name=$1 unit=$2 h=$3 b=$4 kind=$5 tv=$6 ratio res target
	ratio=$(div "$h" "$b")
	case $kind in
	ratio) target="ratio<$tv"; if lt "$ratio" "$tv"; then res=PASS; else res=MISS; fi ;;
	abs) target="hark<$tv$unit"; if lt "$h" "$tv"; then res=PASS; else res=MISS; fi ;;
	*) target="-"; res=INFO ;;
	esac
	[ "$b" = "-" ] && [ "$kind" = ratio ] && res=SKIP
	local hs="$h $unit" bs="$b $unit"
	[ "$h" = "-" ] && hs="-"
	[ "$b" = "-" ] && bs="-"
	[ -n "${7:-}" ] && bs="$7"
	rows+=("$name|$hs|$bs|$ratio|$target|$res")
	echo "BENCH name=$name unit=$unit hark=$h bpftrace=$b ratio=$ratio target=$target result=$res"
	jq -cn --arg name "$name" --arg unit "$unit" --arg hark "$h" --arg bpftrace "$b" --arg ratio "$ratio" \
		--arg target "$target" --arg result "$res" \
		'{name:$name,unit:$unit,hark:$hark,bpftrace:$bpftrace,ratio:$ratio,target:$target,result:$result}' \
		>>"$out/summary.jsonl"
}

# ---------------------------------------------------------------- 1. BEGIN { exit(); }
echo "== 1. BEGIN { exit(); }: wall time (hyperfine, $runs runs) and peak RSS"
mapfile -t m < <(hf begin_exit "$runs" 3 "$hark -q -e 'BEGIN { exit(); }'" "$bt -q -e 'BEGIN { exit(); }'")
record begin_exit_wall s "$(fmt "${m[0]}" 4)" "$(fmt "${m[1]}" 4)" ratio 0.0667
h_rss=$(peak_rss 5 "$hark" -q -e 'BEGIN { exit(); }')
b_rss=$(peak_rss 5 "$bt" -q -e 'BEGIN { exit(); }')
record begin_exit_rss MiB "$(fmt "$(div "$h_rss" 1024)" 1)" "$(fmt "$(div "$b_rss" 1024)" 1)" ratio 0.3333
echo

# ---------------------------------------------------------------- 2. syscall wildcard
prog2='tracepoint:syscalls:sys_enter_* { @[probe] = count(); } interval:ms:100 { exit(); }'
echo "== 2. $prog2"
mapfile -t m < <(hf wildcard 3 1 "$hark -q -e '$prog2'")
h2=$(fmt "${m[0]}" 3)
if [ "$skip_slow" = 1 ]; then
	echo "bench: BENCH_SKIP_SLOW=1: bpftrace not measured (reference: 15.4 s measured here on 2026-11-21, ~27 s in the issue)"
	b2=-
else
	echo "bench: running bpftrace once (slow) ..."
	read -r b2 _ < <(once "$bt" -q -e "$prog2")
	cp "$out/once.out" "$out/wildcard.bpftrace.out"
fi
if [ "$b2" = - ]; then
	record wildcard_syscalls_wall s "$h2" - abs 2 "not measured (ref: 15.4 s on 2026-11-21; issue: ~27 s)"
else
	record wildcard_syscalls_wall s "$h2" "$b2" abs 2
fi
echo

# ---------------------------------------------------------------- 3. 200-probe compile
echo "== 3. 200-probe script: compile (+load) time"
"$here/gen_probes.sh" 200 >"$out/p200.bt" || die "gen_probes.sh failed"
"$here/gen_probes.sh" 200 '@c[N] = count();' >"$out/p200_count.bt"
echo "bench: script $out/p200.bt ($(wc -l <"$out/p200.bt") lines; count+hist+printf bodies)"
mapfile -t m < <(hf p200_dry 5 1 "$hark --dry-run $out/p200.bt" "$hark --dry-run $out/p200_count.bt" \
	"$hark -d ast $out/p200.bt")
# bpftrace 0.17 has no --dry-run; --emit-elf compiles without loading or attaching.
mapfile -t e < <(hf p200_bt_elf 3 1 "$bt --emit-elf $out/p200.elf $out/p200.bt")
record p200_dryrun_wall s "$(fmt "${m[0]}" 3)" "$(fmt "${e[0]}" 3)" abs 0.2
record p200_count_only_dryrun_wall s "$(fmt "${m[1]}" 3)" - abs 0.2
record p200_frontend_only_wall s "$(fmt "${m[2]}" 3)" - none -
mapfile -t m < <(hf p200_run 3 0 "$hark -q $out/p200.bt")
if [ "$skip_slow" = 1 ]; then
	b3=-
else
	echo "bench: running bpftrace on the 200-probe script once (attach all, exit) ..."
	read -r b3 _ < <(once "$bt" -q "$out/p200.bt")
fi
if [ "$b3" = - ]; then
	record p200_full_run_wall s "$(fmt "${m[0]}" 3)" - none - "not measured (ref: 9.3 s on 2026-11-21)"
else
	record p200_full_run_wall s "$(fmt "${m[0]}" 3)" "$b3" none -
fi
if command -v strace >/dev/null; then
	strace -f -c -o "$out/p200_dry.strace" "$hark" --dry-run "$out/p200.bt" >/dev/null 2>&1
	strace -f -e trace=openat -o "$out/p200_dry.openat" "$hark" --dry-run "$out/p200.bt" >/dev/null 2>&1
	sys=$(awk '$NF == "total" { print $2 }' "$out/p200_dry.strace")
	av=$(grep -c available_events "$out/p200_dry.openat")
	echo "bench: hark --dry-run syscall time ${sys:-?} s (strace -c), available_events opened $av times"
fi
if [ "${BENCH_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
	perf record -q --call-graph dwarf,16384 -F 999 -o "$out/p200.perf" "$hark" --dry-run "$out/p200.bt" \
		>/dev/null 2>&1
	echo "bench: perf profile of hark --dry-run (inclusive %, selected frames):"
	perf report -i "$out/p200.perf" --children --sort sym --stdio -g none 2>/dev/null | grep '%' |
		grep -E '\] (cg_compile|LLVMRunPasses|LLVMTargetMachineEmitToMemoryBuffer|llvm::SelectionDAGISel::runOnMachineFunction|llvm::AsmPrinter::runOnMachineFunction|resolve_probes|list_available[.a-z0-9]*|bpf_object__load|rt__new|llvm::RAGreedy::runOnMachineFunction)$' |
		sed 's/^/    /'
fi
echo

# ---------------------------------------------------------------- 4. per-event overhead
echo "== 4. per-event overhead: count() on sys_enter_getppid, 1e6 calls"
cc -O2 -o "$out/getppid_loop" "$here/getppid_loop.c" || die "cannot build getppid_loop"
loop() { for _ in 1 2 3 4 5; do "$out/getppid_loop" 1000000; done | median; }
prog4='tracepoint:syscalls:sys_enter_getppid { @ = count(); }'
# traced TRACER... : ns/call of the loop while TRACER runs in the background
traced() {
	local log=$out/traced.$$.log pid i r
	stdbuf -oL "$@" -e "$prog4" >"$log" 2>&1 & # line-buffered: the loop waits for "Attaching"
	pid=$!
	for ((i = 0; i < 300; i++)); do grep -q Attaching "$log" && break; sleep 0.1; done
	sleep 1
	r=$(loop)
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$r"
	cp "$log" "$out/traced.$(basename "$1").log"
	rm -f "$log"
}
base=$(loop)
t_h=$(traced "$hark")
t_b=$(traced "$bt")
oh=$(awk -v a="$t_h" -v b="$base" 'BEGIN { printf "%.1f\n", a - b }')
ob=$(awk -v a="$t_b" -v b="$base" 'BEGIN { printf "%.1f\n", a - b }')
echo "bench: untraced $base ns/call, hark-traced $t_h, bpftrace-traced $t_b"
record getppid_event_overhead ns "$oh" "$ob" none -
echo

# ---------------------------------------------------------------- table
echo "== 5. symbolization (bench/symbols.sh)"
"$(dirname "$0")/symbols.sh" "$hark" || echo "bench: symbols.sh failed"
echo
echo "== 6. maps: per-event cost, printing 1,000,000 keys (bench/maps.sh)"
BENCH_OUT=$out "$here/maps.sh" "$hark" | tee "$out/maps.txt" || echo "bench: maps.sh failed"
# field NAME LINE: the value of NAME=... in a BENCH line ("-" if absent)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2" | grep . || echo -; }
while read -r l; do
	n=$(field name "$l") u=$(field unit "$l") h=$(field hark "$l") b=$(field bpftrace "$l")
	rows+=("$n|$h $u|$([ "$b" = - ] && echo - || echo "$b $u")|$(field ratio "$l")|$(field target "$l")|$(field result "$l")")
	jq -cn --arg name "$n" --arg unit "$u" --arg hark "$h" --arg bpftrace "$b" --arg ratio "$(field ratio "$l")" \
		--arg target "$(field target "$l")" --arg result "$(field result "$l")" \
		'{name:$name,unit:$unit,hark:$hark,bpftrace:$bpftrace,ratio:$ratio,target:$target,result:$result}' \
		>>"$out/summary.jsonl"
done < <(grep '^BENCH ' "$out/maps.txt")
echo
echo "== summary ($(date -u +%F), $(uname -r))"
{
	echo "benchmark|hark|bpftrace|hark/bpftrace|target|result"
	printf '%s\n' "${rows[@]}"
} | column -t -s '|'
echo
echo "bench: JSON: $out/summary.jsonl (hyperfine exports: $out/*.json)"
