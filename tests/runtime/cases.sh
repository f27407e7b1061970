#!/bin/bash
# cases.sh CASE: one runtime test; each case_NAME below is registered by
# CMakeLists.txt as runtime/NAME (grep "CASES"). Counts come from what the
# target does (targets/rt_target.c), never "> 0".
. "$SRC/lib.sh"
need_root

# leaf's address and the address of its second instruction (non-PIE: the
# symbol value is the virtual address)
leaf_addr() { nm "$TARGET" | awk '$3 == "leaf" { print $1 }'; }
second_insn_off() {
	objdump -d --no-show-raw-insn "$TARGET" | awk '/<leaf>:$/ { on = 1; next }
		on && /^ +[0-9a-f]+:/ { n++; if (n == 2) { sub(":", "", $1); print $1; exit } }'
}

# ---- probe types -------------------------------------------------------------

case_begin_end() {
	hk -e 'BEGIN { printf("begin\n"); } END { printf("end\n"); } BEGIN { printf("begin2\n"); exit(); }'
	expect_eq begin_end "Attaching 3 probes...
begin
begin2
end" "$(cat "$OUT")"
}

case_uprobe_path() {
	hk -c "$TARGET leaf 1000" -e "uprobe:$TARGET:leaf { @c = count(); @s = sum(arg0); }"
	expect_eq uprobe_path "Attaching 1 probe...


@c: 1000
@s: 499500" "$(cat "$OUT")"
}

case_uprobe_offset() {
	local addr off
	addr=$(leaf_addr) off=$(second_insn_off)
	off=$(( 0x$off - 0x$addr ))
	[ "$off" -gt 0 ] || fail "cannot find leaf's second instruction"
	hk -q -c "$TARGET leaf 1000" -e "uprobe:$TARGET:leaf+$off { @c = count(); }"
	expect_eq "uprobe leaf+$off" "

@c: 1000" "$(cat "$OUT"; cat "$ERR")"
}

case_uprobe_addr() {
	hk -q -c "$TARGET leaf 1000" -e "uprobe:$TARGET:0x$(leaf_addr) { @c = count(); }"
	expect_eq "uprobe 0x$(leaf_addr)" "

@c: 1000" "$(cat "$OUT"; cat "$ERR")"
}

case_uprobe_wildcard() {
	hk -c "$TARGET leaf 10" -e "uprobe:$TARGET:lea* { @[probe] = count(); }"
	expect_eq "lea*" "Attaching 2 probes...


@[uprobe:TARGET:leaf2]: 1
@[uprobe:TARGET:leaf]: 10" "$(normalize <"$OUT")"
	hk -q -c "$TARGET leaf 10" -e "uprobe:$TARGET:leaf? { @[func] = count(); }"
	expect_eq "leaf?" "

@[leaf2]: 1" "$(cat "$OUT")"
}

case_uprobe_libc_c() {
	hk -q -c "$TARGET getppid 42" -e 'uprobe:libc:getppid { @ = count(); }'
	expect_eq "libc with -c" "

@: 42" "$(cat "$OUT"; cat "$ERR")"
}

case_uprobe_libc_p() {
	"$TARGET" wait 20000 getppid 42 &
	local pid=$!
	hk_p $pid -p $pid -e 'uprobe:libc:getppid { @ = count(); }'
	wait $pid
	expect_eq "libc with -p (hark ends with the process)" "

@: 42" "$(cat "$OUT"; cat "$ERR")"
}

case_uretprobe() {
	hk -q -c "$TARGET leaf 10" -e "uretprobe:$TARGET:leaf { @s = sum(retval); } uretprobe:$TARGET:leaf2 { @r = max(retval); }"
	expect_eq uretprobe "

@r: 107
@s: 90" "$(cat "$OUT")"
}

case_tracepoint() {
	"$TARGET" wait 20000 write &
	local pid=$!
	hk_p $pid -p $pid -e 'tracepoint:syscalls:sys_enter_write /pid == $1/ { @[args.count] = count(); @fd = max(args.fd); }' $pid
	wait $pid
	local fd
	fd=$(sed -n 's/^@fd: //p' "$OUT")
	expect_eq "tracepoint args.count" "

@[1000]: 1
@[100]: 2
@[10]: 3
@fd: $fd" "$(cat "$OUT")"
	[ "$fd" -ge 3 ] && [ "$fd" -lt 64 ] || fail "args.fd = $fd is not an opened fd"
}

case_tracepoint_wildcard() {
	# -c: hark starts the target once attached (no race with a busy machine)
	hk -c "$TARGET getppid 5" -e 'tracepoint:syscalls:sys_*_getppid /pid == cpid/ { @[probe] = count(); }'
	expect_eq "sys_*_getppid" "Attaching 2 probes...


@[tracepoint:syscalls:sys_enter_getppid]: 5
@[tracepoint:syscalls:sys_exit_getppid]: 5" "$(cat "$OUT")"
}

case_interval_ms() {
	hk -e 'interval:ms:20 { @n++; if (@n == 5) { exit(); } } END { printf("n=%d\n", @n); }'
	expect_eq interval_ms "Attaching 2 probes...
n=5


@n: 5" "$(cat "$OUT")"
}

case_interval_s() {
	hk -q -e 'interval:s:1 { printf("tick\n"); exit(7); }'
	expect_eq "interval:s exit(7)" "tick" "$(cat "$OUT")"
	expect_eq "exit status" 7 "$RC"
}

case_interval_us() {
	hk -q -e 'interval:us:20000 { @n++; if (@n == 3) { exit(); } }'
	expect_eq interval_us "

@n: 3" "$(cat "$OUT")"
}

# one CPU's timer events are serial: the predicate lets one through
case_profile_hz() {
	hk -q -e 'profile:hz:99 /cpu == 0 && @n == 0/ { @n = 1; @hits = count(); exit(); }'
	expect_eq profile_hz "

@hits: 1
@n: 1" "$(cat "$OUT")"
}

case_software() {
	hk -q -e 'software:cpu-clock:1000000 /cpu == 0 && @n == 0/ { @n = 1; @hits = count(); exit(); }'
	expect_eq "software:cpu-clock" "

@hits: 1
@n: 1" "$(cat "$OUT")"
	# the single-threaded target faults one page at a time
	"$TARGET" wait 20000 fault 16 &
	local pid=$!
	hk_p $pid -p $pid -e 'software:page-faults:1 /pid == $1 && @n == 0/ { @n = 1; @hits = count(); }' $pid
	wait $pid
	expect_eq "software:page-faults" "

@hits: 1
@n: 1" "$(cat "$OUT")"
}

case_hardware() {
	hk -q -e 'hardware:cycles:1000000 { @ = count(); exit(); }'
	if [ "$RC" = 0 ]; then
		skip "this machine has hardware counters; the error path is not reachable"
	fi
	expect_eq "hardware error" "hark: cannot attach hardware:cycles:1000000: No such file or directory
hint: this machine exposes no hardware counters (a VM?)" "$(cat "$ERR")"
	expect_eq "exit status" 1 "$RC"
}

case_kprobe() {
	[ -e /sys/bus/event_source/devices/kprobe ] && skip "this kernel has kprobes"
	hk -e 'kprobe:do_sys_openat2 { @ = count(); }'
	expect_eq "kprobe error" "hark: cannot attach kprobe:do_sys_openat2: this kernel has no kprobes (CONFIG_KPROBES is off)
hint: trace the same event with a tracepoint (hark -l 'tracepoint:*') or a uprobe" "$(cat "$ERR")"
	expect_eq "exit status" 1 "$RC"
}

# ---- language and builtins ------------------------------------------------------

case_printf_hark() {
	# what bpftrace 0.17 lacks: %i, l/h modifiers on %i
	hk -q -e 'BEGIN { printf("%i|%5i|%-4i|%li|%hi|%c%c\n", -3, 42, 7, -9, 65537, 72, 105); exit(); }'
	expect_eq printf "-3|   42|7   |-9|1|Hi" "$(cat "$OUT")"
}

case_delete_key() {
	hk -q -e 'BEGIN { @m[1] = 1; @m[2] = 2; @m[3] = 3; delete(@m, 2); delete(@m[3]); exit(); }'
	expect_eq "delete(@m, key)" "

@m[1]: 1" "$(cat "$OUT")"
}

case_exit_code() {
	hk -q -e 'BEGIN { exit(3); }'
	expect_eq "exit(3)" 3 "$RC"
	hk -q -e 'BEGIN { exit(); }'
	expect_eq "exit()" 0 "$RC"
}

case_positional() {
	hk -q -e 'BEGIN { printf("%d %s %d %d\n", $1, str($2), $#, $1 + 1); exit(); }' 41 hello
	expect_eq '$1 $2 $#' "41 hello 2 42" "$(cat "$OUT")"
}

case_user_memory() {
	hk -q -c "$TARGET mem" -e "uprobe:$TARGET:take_rec {
		printf(\"%x %x %d %s\n\", *(uint64 *)arg0, *(uint64 *)(arg0 + 8), *(int32 *)(arg0 + 16), str(arg0 + 20));
	}
	uprobe:$TARGET:take_str { printf(\"%s|%s|\n\", str(arg0), str(arg0, 5)); }"
	expect_eq "user memory" "1111 2222 -5 rec-name
hello world|hello|" "$(sed '/^$/d' "$OUT")"
}

case_args() {
	hk -q -c "$TARGET args 3" -e "uprobe:$TARGET:many_args {
		@[arg0, arg1, arg2, arg3, arg4, arg5] = count();
		@st[arg6, arg7, arg8, arg9] = count();
	}"
	expect_eq "arg0..arg9 (arg6.. from the stack)" "

@[1, 2, 3, 4, 5, 6]: 3
@st[7, 8, 9, 10]: 3" "$(cat "$OUT")"
}

case_builtins() {
	"$TARGET" wait 20000 leaf 3 &
	local pid=$! ncpu
	ncpu=$(nproc --all)
	hk_p $pid -p $pid -e "uprobe:$TARGET:leaf {
		@pid[pid, tid] = count();
		@ids[uid, gid] = count();
		@comm[comm, func] = count();
		@cpu = max(cpu < $ncpu);
		@t = max(nsecs > 0 && elapsed > 0 && elapsed < 30000000000);
		@ord = min(nsecs <= nsecs);
		@probe[probe] = count();
	}"
	wait $pid
	expect_eq builtins "

@comm[rt_target, leaf]: 3
@cpu: 1
@ids[0, 0]: 3
@ord: 1
@pid[$pid, $pid]: 3
@probe[uprobe:TARGET:leaf]: 3
@t: 1" "$(normalize <"$OUT")"
}

case_rand() {
	# 64 draws of a 32-bit rand: all equal would be a broken rand
	hk -q -e 'interval:ms:1 { @v[rand] = count(); @n++; if (@n == 64) { exit(); } }'
	local keys
	keys=$(grep -c '^@v\[' "$OUT")
	[ "$keys" -ge 60 ] || fail "rand: only $keys distinct values in 64 draws"
}

case_stacks() {
	hk -q -c "$TARGET leaf 5" -e "uprobe:$TARGET:leaf { @u[ustack] = count(); @k[kstack] = count(); }"
	# shape: "@u[", frames, "]: 5"; the kernel stack of a uprobe is empty or not
	awk '/^@u\[$/ { on = 1; next } on && /^\]: 5$/ { ok = 1; on = 0; next } on && !/^    [^ ]/ { bad = 1 }
		END { exit !(ok && !bad) }' "$OUT" || { cat "$OUT"; fail "ustack block shape"; }
	grep -q '^@k\[' "$OUT" || { cat "$OUT"; fail "no kstack key"; }
	grep -q '^]: 5$' "$OUT" || fail "counts"
}

case_lhist_strkey() {
	# bpftrace 0.17 splits string keys made by ?: (it prints one histogram per value)
	hk -q -c "$TARGET leaf 100" -e "uprobe:$TARGET:leaf { @h[arg0 % 2 == 0 ? \"even\" : \"odd\"] = lhist(arg0, 0, 50, 25); @s[arg0 % 2 == 0 ? \"even\" : \"odd\"] = sum(arg0); }"
	expect_eq "string-keyed lhist" "

@h[even]:
[0, 25)               13 |@@@@@@@@@@@@@@@@@@@@@@@@@@@                         |
[25, 50)              12 |@@@@@@@@@@@@@@@@@@@@@@@@                            |
[50, ...)             25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

@h[odd]:
[0, 25)               12 |@@@@@@@@@@@@@@@@@@@@@@@@                            |
[25, 50)              13 |@@@@@@@@@@@@@@@@@@@@@@@@@@@                         |
[50, ...)             25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

@s[even]: 2450
@s[odd]: 2500" "$(cat "$OUT")"
}

# ---- exit paths and options ----------------------------------------------------

case_sigint() {
	"$HARK" -e 'BEGIN { @b = 1; } interval:ms:10 { @t = count(); } END { printf("end\n"); }' >"$OUT" 2>"$ERR" &
	local pid=$!
	sleep 0.5
	kill -INT $pid
	RC=0
	wait $pid || RC=$?
	expect_eq "exit status after SIGINT" 0 "$RC"
	expect_eq "maps after SIGINT" "Attaching 3 probes...
end


@b: 1" "$(grep -v '^@t: ' "$OUT")"
	grep -q '^@t: [0-9]' "$OUT" || fail "no @t after SIGINT"
}

case_child_exit() {
	local t0=$SECONDS
	hk -q -c "$TARGET sleep 200" -e 'interval:s:20 { exit(); }'
	expect_eq "-c: hark ends with the child" 0 "$RC"
	[ $((SECONDS - t0)) -lt 10 ] || fail "hark outlived its -c child"
}

case_pid_exit() {
	"$TARGET" sleep 300 &
	local pid=$! t0=$SECONDS
	hk -q -p $pid -e 'interval:s:20 { exit(); }'
	wait $pid
	expect_eq "-p: hark ends with the process" 0 "$RC"
	[ $((SECONDS - t0)) -lt 10 ] || fail "hark outlived its -p process"
}

case_dry_run() {
	hk --dry-run -e "uprobe:$TARGET:leaf { @ = count(); } tracepoint:syscalls:sys_enter_write { @w = count(); }"
	expect_eq "--dry-run" "0|Attaching 2 probes..." "$RC|$(cat "$OUT")"
}

case_outfile() {
	hk -o "$WORK/o.txt" -e 'BEGIN { printf("to file\n"); @x = 3; exit(); }'
	expect_eq "-o: stdout" "" "$(cat "$OUT")"
	expect_eq "-o: file" "Attaching 1 probe...
to file


@x: 3" "$(cat "$WORK/o.txt")"
}

case_quiet() {
	hk -q -e 'BEGIN { printf("q\n"); exit(); }'
	expect_eq "-q" "q" "$(cat "$OUT")"
}

case_list() {
	hk -l 'tracepoint:sched:*'
	grep -qx 'tracepoint:sched:sched_switch' "$OUT" || { head "$OUT"; fail "-l: no sched_switch"; }
	grep -v '^tracepoint:sched:' "$OUT" && fail "-l: lines outside tracepoint:sched:"
	hk -l "uprobe:$TARGET:*"
	for f in leaf leaf2 many_args take_rec take_str main; do
		grep -qx "uprobe:$TARGET:$f" "$OUT" || { head "$OUT"; fail "-l: no $f"; }
	done
}

"case_$1"
echo "PASS: $1"
