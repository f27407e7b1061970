#!/usr/bin/env bash
# Stack tests: exact frames and counts.
#   stacks.sh HARK CASE [ARGS...]
set -uo pipefail
hark=$1 case=$2; shift 2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$out"; exit 1; }

# frames of the first stack block, offsets stripped, joined by " <- "
first_stack() { awk '/^@[a-z_]*\[$/ { on = 1; next } on && /^\]/ { print s; exit }
	on { sub(/^[ \t]+/, ""); sub(/\+[0-9]+$/, ""); s = s (s ? " <- " : "") $0 }' "$out"; }

case $case in
libc-chain) # a C program through libc, after it has exited: named, with the caller
	chain=$1
	"$hark" -q -c "$chain 7" -e 'uprobe:libc:getppid { @[ustack(4)] = count(); }' >"$out" 2>&1 || fail "hark exited $?"
	[ "$(first_stack)" = "getppid <- leaf <- middle <- main" ] || fail "stack: $(first_stack)"
	[ "$(sed -n 's/^\]: //p' "$out")" = 7 ] || fail "count"
	echo "ok: getppid <- leaf <- middle <- main: 7" ;;
perf-mode) # ustack(perf): address, name+offset, module
	chain=$1
	"$hark" -q -c "$chain 2" -e 'uprobe:libc:getppid { @[ustack(perf, 2)] = count(); }' >"$out" 2>&1 || fail "hark exited $?"
	grep -qE $'^\t[0-9a-f]+ getppid\\+0 \\(.*libc\\.so\\.6\\)$' "$out" || fail "libc frame"
	grep -qE $'^\t[0-9a-f]+ leaf\\+[0-9]+ \\('"$chain"$'\\)$' "$out" || fail "leaf frame"
	echo "ok: perf frames" ;;
kstack) # kernel stacks at a syscall tracepoint: exact count, frames in kallsyms
	chain=$1
	"$hark" -q -c "$chain 5" -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[kstack] = count(); }' >"$out" 2>&1 ||
		fail "hark exited $?"
	total=$(sed -n 's/^\]: //p' "$out" | awk '{ t += $1 } END { print t + 0 }')
	[ "$total" = 5 ] || fail "count $total"
	grep -qE '^        do_syscall_64\+[0-9]+$|^    do_syscall_64\+[0-9]+$' "$out" || fail "no do_syscall_64 frame"
	# every frame is a kallsyms name
	awk '/^ +[^ ]+\+[0-9]+$/ { sub(/^ +/, ""); sub(/\+[0-9]+$/, ""); print }' "$out" | sort -u | while read -r f; do
		grep -q " $f\$" /proc/kallsyms || { echo "FAIL: frame $f not in kallsyms"; exit 1; }
	done || exit 1
	echo "ok: kstack x5 with kernel names" ;;
cxx) # C++ names demangled
	widget=$1
	"$hark" -q -c "$widget" -e 'uprobe:libc:getppid { @[ustack(3)] = count(); }' >"$out" 2>&1 || fail "hark exited $?"
	[ "$(first_stack)" = "getppid <- ns::Widget::run(int) <- main" ] || fail "stack: $(first_stack)"
	# the compiler may unroll the loop into two call sites of main
	[ "$(sed -n 's/^\]: //p' "$out" | awk '{ t += $1 } END { print t }')" = 2 ] || fail "count"
	echo "ok: getppid <- ns::Widget::run(int) <- main" ;;
profile) # profile:hz kernel stacks are named
	"$hark" -q -e 'profile:hz:99 { @[kstack(3)] = count(); } interval:ms:300 { exit(); }' >"$out" 2>&1 || fail "hark exited $?"
	named=$(grep -cE '^ +[A-Za-z_][A-Za-z0-9_.]*\+[0-9]+$' "$out")
	[ "$named" -gt 0 ] || fail "no named kernel frames"
	hex=$(grep -cE '^ +0x[0-9a-f]+$' "$out")
	[ "$hex" = 0 ] || fail "$hex unnamed kernel frames"
	echo "ok: profile kernel frames named ($named)" ;;
folded) # -f folded parsed back: frames root first, exact counts
	bin=$1
	[ -x "$bin" ] || { echo "SKIP: $bin not found (../shared absent?)"; exit 77; }
	"$hark" -q -f folded -c "$bin" -e 'mapassign { @[ustack] = count(); }' >"$out" 2>&1 || fail "hark exited $?"
	want=$(awk '$1 == "truth" && $2 == "mapassign_fast64" && $3 == "main.fillInts" { print $4 }' "$out")
	got=$(awk '$1 ~ /;main\.run;main\.fillInts;runtime\.mapassign_fast64$/ { print $2 }' "$out")
	[ -n "$want" ] && [ "$got" = "$want" ] || fail "fillInts line: want $want got '$got'"
	# every folded line is "frame;frame;... N" with unique stacks
	lines=$(grep -c ';' "$out"); uniq=$(grep ';' "$out" | awk '{ print $1 }' | sort -u | wc -l)
	[ "$lines" = "$uniq" ] || fail "duplicate folded stacks"
	grep ';' "$out" | grep -qvE '^[^ ]+ [0-9]+$' && fail "malformed folded line"
	echo "ok: folded main.main;main.run;main.fillInts;runtime.mapassign_fast64 $got" ;;
*) echo "unknown case $case"; exit 2 ;;
esac
