#!/usr/bin/env bash
# Maps at full strength, against exact ground truth.
#   maps.sh HARK CASE TWOCPU
set -uo pipefail
hark=$1 case=$2 twocpu=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); err=$(mktemp); trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; exit 1; }
expect() { [ "$(cat "$out")" = "$1" ] || { diff <(echo "$1") "$out"; fail "stdout differs"; }; }

case $case in
percpu) # both CPUs busy at once: per-CPU values add up exactly
	[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs"; exit 77; }
	"$hark" -q -c "$twocpu 200000" -e 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ {
		@n = count(); @s = sum(3); @h = hist(5); @cpus[cpu] = count(); @mx = max(tid); @a = avg(10); }' >"$out" 2>"$err" || fail "exit"
	[ "$(sed -n 's/^@n: //p' "$out")" = 400000 ] || fail "count"
	[ "$(sed -n 's/^@s: //p' "$out")" = 1200000 ] || fail "sum"
	[ "$(sed -n 's/^\[4, 8) *\([0-9]*\) .*/\1/p' "$out")" = 400000 ] || fail "hist"
	[ "$(sed -n 's/^@cpus\[[01]\]: //p' "$out" | sort | tr '\n' ' ')" = "200000 200000 " ] || fail "per cpu"
	[ "$(sed -n 's/^@a: //p' "$out")" = 10 ] || fail "avg"
	echo "ok: 400000 events over two CPUs, exact" ;;
drops) # a full map counts every update it drops
	"$hark" -q --max-keys 10 -e 'BEGIN { $i = 0; while ($i < 25) { @c[$i] = count(); @v[$i] = $i; $i++; } exit(); }' >"$out" 2>"$err" || fail "exit"
	[ "$(grep -c '^@c\[' "$out")" = 10 ] || fail "@c keys"
	[ "$(cat "$err")" = "WARNING: @c: 15 updates dropped: map full (10 keys); raise with --max-keys or use lruhash
WARNING: @v: 15 updates dropped: map full (10 keys); raise with --max-keys or use lruhash" ] || fail "warnings"
	echo "ok: 15 drops counted per map" ;;
print-drops) # print() warns too, with the count so far
	"$hark" -q --max-keys 4 -e 'BEGIN { $i = 0; while ($i < 6) { @c[$i] = count(); $i++; } print(@c, 1); clear(@c); exit(); }' >"$out" 2>"$err" || fail "exit"
	[ "$(head -1 "$err")" = "WARNING: @c: 2 updates dropped: map full (4 keys); raise with --max-keys or use lruhash" ] || fail "print warning"
	echo "ok: print() warns" ;;
decls) # let @m = KIND(SIZE)
	"$hark" -q -e 'let @lru = lruhash(5); let @arr = array(4); let @small = hash(3); BEGIN {
		$i = 0; while ($i < 10) { @lru[$i] = count(); @arr[$i % 4] = $i; @small[$i] = $i; $i++; } exit(); }' >"$out" 2>"$err" || fail "exit"
	[ "$(grep -c '^@lru\[' "$out")" = 5 ] || fail "lru keeps 5"
	[ "$(grep '^@lru\[' "$out" | sed 's/^@lru\[\([0-9]*\)\].*/\1/' | sort -n | tr '\n' ' ')" = "5 6 7 8 9 " ] || fail "lru keeps the last 5"
	[ "$(grep '^@arr\[' "$out" | sort | tr '\n' ' ')" = "@arr[0]: 8 @arr[1]: 9 @arr[2]: 6 @arr[3]: 7 " ] || fail "array"
	[ "$(grep -c '^@small\[' "$out")" = 3 ] || fail "hash(3)"
	grep -q "WARNING: @small: 7 updates dropped: map full (3 keys)" "$err" || fail "hash(3) drops"
	! grep -q "@lru" "$err" || fail "lru never drops"
	echo "ok: lruhash, array, hash sizes" ;;
bpftool) # one kernel map per @name, named after it
	"$hark" -q -e 'BEGIN { @counts[1] = count(); @x = 5; } interval:ms:500 { exit(); }' >"$out" 2>"$err" &
	pid=$!
	sleep 0.3
	# the maps this hark holds (others may run on the machine)
	maps=$(for id in $(cat /proc/$pid/fdinfo/* 2>/dev/null | sed -n 's/^map_id:[[:space:]]*//p' | sort -un); do
		bpftool map show id "$id" 2>/dev/null | grep -oE 'name m[0-9]+_[a-z]*'; done | sort | tr '\n' ' ')
	wait
	[ "$maps" = "name m0_counts name m1_x " ] || { echo "maps: $maps"; fail "bpftool names"; }
	echo "ok: bpftool shows m0_counts and m1_x" ;;
functions) # has_key, delete, clear, zero, time, interval print + clear
	"$hark" -q -e 'BEGIN { @a[1] = 1; @a[2] = 2; printf("%d %d\n", has_key(@a, 1), has_key(@a, 3)); delete(@a, 1);
		printf("%d\n", has_key(@a, 1)); time("%Y\n"); @c[1] = count(); @c[2] = count(); @c[3] = count();
		printf("len %d %d\n", len(@a), len(@c)); }
		interval:ms:50 { @t = count(); @ticks = count(); print(@t); clear(@t); if (@ticks == 3) { exit(); } }' >"$out" 2>"$err" || fail "exit"
	expect "1 0
0
$(date +%Y)
len 1 3
@t: 1
@t: 1
@t: 1


@a[2]: 2
@c[1]: 1
@c[2]: 1
@c[3]: 1

@ticks: 3"
	# zero() of a keyless aggregation keeps it, at 0 (it stays a hash: a
	# one-slot array at 0 would read as never written)
	"$hark" -q -e 'BEGIN { @c = count(); @m = max(5); zero(@c); zero(@m); exit(); }' >"$out" 2>"$err" || fail "exit"
	[ "$(grep '^@' "$out" | tr '\n' ' ')" = "@c: 0 @m: 0 " ] || fail "zero() of a keyless map"
	# plain values that are names or stacks print as text, as bpftrace does
	"$hark" -q -e 'BEGIN { @p[1] = probe; @k[1] = kstack(1); exit(); }' >"$out" 2>"$err" || fail "exit"
	grep -qx '@p\[1\]: BEGIN' "$out" || fail "probe as a value"
	grep -A1 -x '@k\[1\]: ' "$out" | grep -qE '^        [a-z_].*\+[0-9]+$' || fail "kstack as a value"
	echo "ok: map functions" ;;
ringbuf) # a small ring buffer: lost events counted exactly; exit() still seen
	"$hark" -q --ringbuf-size 4096 -e 'BEGIN { $i = 0; while ($i < 200) { printf("%d\n", $i); $i++; } exit(); }' >"$out" 2>"$err" || fail "exit"
	# 4096 bytes hold 128 records of 32 bytes (24-byte event + 8-byte header)
	[ "$(grep -c '^[0-9]' "$out")" = 127 ] || fail "printed"
	grep -qx "Lost 73 events" "$out" || fail "lost count"
	"$hark" -q --ringbuf-size 4096 -e 'BEGIN { $i = 0; while ($i < 300) { printf("%d\n", $i); $i++; } exit(3); }' >"$out" 2>"$err"
	[ $? = 3 ] || fail "exit(3) lost with the full ring buffer"
	echo "ok: 73 lost events reported; exit(3) seen past a full buffer" ;;
config) # defaults from ~/.config/hark/config
	home=$(mktemp -d); mkdir -p "$home/.config/hark"
	printf '# test\nmax-keys = 3\n' >"$home/.config/hark/config"
	HOME=$home "$hark" -q -e 'BEGIN { @a[1] = 1; @a[2] = 1; @a[3] = 1; @a[4] = 1; exit(); }' >"$out" 2>"$err" || fail "exit"
	rm -rf "$home"
	grep -q "WARNING: @a: 1 update dropped: map full (3 keys)" "$err" || fail "config max-keys"
	echo "ok: max-keys from the config file" ;;
for) # for ($kv : @m): per-CPU values merged over CPUs, keys of every type, control flow
	[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs"; exit 77; }
	# @k is written once: a walk that races with another CPU replacing an
	# entry can see it twice (the kernel walks buckets without their lock)
	"$hark" -q -c "$twocpu 100000" -e 'BEGIN { @k[7] = 1; }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ {
		@n[1] = count(); @s["x"] = sum(3); @lo[1] = min(cpu); @hi[1] = max(cpu);
		for ($kv : @k) { @nr[args.__syscall_nr, $kv.0] = count(); } }
		END { for ($kv : @n) { printf("n %d %d\n", $kv.0, $kv.1); }
		      for ($kv : @s) { printf("s %s %d\n", $kv.0, $kv.1); }
		      for ($kv : @lo) { printf("min %d\n", $kv.1); }
		      for ($kv : @hi) { printf("max %d\n", $kv.1); }
		      for ($kv : @nr) { printf("nr %d %d %d\n", $kv.0.0, $kv.0.1, $kv.1); } }' >"$out" 2>"$err" || fail "exit"
	sed -i -n '/^twocpu /d; /^[a-z]* [0-9a-z]/p' "$out"
	expect "n 1 200000
s x 600000
min 0
max 1
nr 110 7 200000"
	"$hark" -q -e 'let @arr = array(3); BEGIN {
		@m[1, "one"] = 10; @m[2, "two"] = 20; @m[3, "three"] = 30; @arr[1] = 5; @str["k"] = "v";
		$sum = 0; $last = "none";
		for ($kv : @m) {
			if ($kv.0.0 == 2) { continue; }
			$sum += $kv.1; $last = $kv.0.1;
			$i = 0; while ($i < 10) { $i++; if ($i == 4) { break; } }
			@seen[$kv.0.1] = $i * 100 + $kv.0.0;
		}
		printf("sum %d last %s\n", $sum, $last == "one" || $last == "three" ? "ok" : $last);
		for ($kv : @arr) { printf("arr %d %d\n", $kv.0, $kv.1); }
		for ($kv : @str) { printf("str %s %s\n", $kv.0, $kv.1); }
		$n = 0; for ($kv : @m) { $n++; if ($n == 2) { printf("return after 2\n"); return; } }
		printf("not reached\n"); }
		BEGIN { exit(); }' >"$out" 2>"$err" || fail "exit"
	expect "sum 40 last ok
arr 0 0
arr 1 5
arr 2 0
str k v
return after 2


@arr[0]: 0
@arr[2]: 0
@arr[1]: 5
@m[1, one]: 10
@m[2, two]: 20
@m[3, three]: 30
@seen[one]: 401
@seen[three]: 403
@str[k]: v"
	# two probes share one program (cg_share.c): the literal in the body is
	# a parameter, read through the probe's ctx from inside the callback
	"$hark" -q -c "$twocpu 1000" -e 'BEGIN { @k[100] = 1; }
		tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { for ($kv : @k) { @a[$kv.0 + 5] = count(); } }
		tracepoint:syscalls:sys_exit_getppid /pid == cpid/ { for ($kv : @k) { @a[$kv.0 + 6] = count(); } }' \
		>"$out" 2>"$err" || fail "exit"
	sed -i -n '/^@a/p' "$out"
	expect "@a[105]: 2000
@a[106]: 2000"
	# nested loops: the inner body sees the outer entry; return leaves both
	"$hark" -q -e 'BEGIN { @a[1] = 10; @a[2] = 20; @b["x"] = 1; @b["y"] = 2; @b["z"] = 3; $pairs = 0;
		for ($x : @a) { for ($y : @b) { if ($y.1 == 3) { continue; } @j[$x.0, $y.0] = $x.1 * $y.1; $pairs++; } }
		printf("pairs %d\n", $pairs);
		$n = 0; for ($x : @a) { for ($y : @b) { $n++; if ($n == 4) { printf("return at 4\n"); return; } } }
		printf("not reached\n"); }
		BEGIN { exit(); }' >"$out" 2>"$err" || fail "exit"
	sed -i -n '/^pairs\|^return\|^not\|^@j/p' "$out"
	expect "pairs 4
return at 4
@j[1, x]: 10
@j[1, y]: 20
@j[2, x]: 20
@j[2, y]: 40"
	# print($kv): the pair, as bpftrace prints it; JSON arrays with -f json
	"$hark" -q -e 'BEGIN { @a[1] = 10; @m[2, "x"] = "s"; for ($kv : @a) { print($kv); } for ($kv : @m) { print($kv); } exit(); }' \
		>"$out" 2>"$err" || fail "exit"
	sed -i -n '/^(/p' "$out"
	expect "(1, 10)
((2, x), s)"
	"$hark" -q -f json -e 'BEGIN { @m[2, "x"] = "s"; for ($kv : @m) { print($kv); } exit(); }' >"$out" 2>"$err" || fail "exit"
	sed -i -n '/"value"/p' "$out"
	expect '{"type": "value", "data": [[2,"x"],"s"]}'
	# break and continue in a while loop
	"$hark" -q -e 'BEGIN { $i = 0; $s = 0; while ($i < 6) { $i++; if ($i == 2) { continue; } if ($i == 5) { break; } $s += $i; }
		printf("while %d %d\n", $i, $s); exit(); }' >"$out" 2>"$err" || fail "exit"
	sed -i -n '/^while/p' "$out"
	expect "while 5 8"
	# $kv.0 is no use of the probe's first variable: $i stays a known
	# counter for the while after the loop, and $x is fresh for every entry
	"$hark" -q -e 'let @arr = array(3); BEGIN { @a[1] = 1; $i = 0; for ($kv : @a) { printf("k %d\n", $kv.0); }
		while ($i < 2) { printf("i %d\n", $i); $i++; } @arr[1] = 1;
		for ($e : @arr) { if ($e.0 == 1) { $x = 5; } printf("%d x=%d\n", $e.0, $x); } exit(); }' >"$out" 2>"$err" || fail "exit"
	sed -i -n '/^[a-z0-9] /p' "$out"
	expect "k 1
i 0
i 1
0 x=0
1 x=5
2 x=0"
	# loops reuse one context slot and pass only shared variables: eight
	# loops in a probe with eight variables fit the 512-byte stack
	prog="BEGIN { @a[1] = 3; $(for i in $(seq 0 7); do printf '$v%d = %d; ' $i $i; done)"
	prog+="$(for j in $(seq 0 7); do printf 'for ($k%d : @a) { $v0 += $k%d.1; } ' $j $j; done)"
	prog+='printf("%d %d\n", $v0, $v7); exit(); }'
	"$hark" -q -e "$prog" >"$out" 2>"$err" || fail "eight loops"
	sed -i -n '/^[0-9]/p' "$out"
	expect "24 7"
	echo "ok: for loops: 200000 events merged over two CPUs; keys, break, continue, return, nesting, print" ;;
*) echo "unknown case"; exit 2 ;;
esac
