#!/usr/bin/env bash
# Signals, privileges and cleanup.
#   hardening.sh HARK CASE
set -uo pipefail
hark=$1 case=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); err=$(mktemp); trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout:"; cat "$out"; echo "--- stderr:"; cat "$err"; exit 1; }
# ids of the BPF programs / links a process holds, from its fds' fdinfo
ids_of() { cat /proc/"$2"/fdinfo/* 2>/dev/null | sed -n "s/^$1_id:[[:space:]]*//p" | sort -un | tr '\n' ' '; }
alive() { for id in $2; do bpftool "$1" show id "$id" >/dev/null 2>&1 && echo "$id"; done | tr '\n' ' '; }

case $case in
sigterm|sighup|sigint) # maps printed, exit 0, within a second
	sig=${case#sig}; sig=${sig^^}
	"$hark" -q -e 'BEGIN { @b = 7; } interval:ms:10 { @t = count(); }' >"$out" 2>"$err" &
	pid=$!; sleep 0.4
	start=$(date +%s%N); kill -$sig $pid; wait $pid; rc=$?; end=$(date +%s%N)
	[ $rc = 0 ] || fail "exit $rc after SIG$sig"
	grep -qx '@b: 7' "$out" || fail "maps not printed"
	[ $(( (end - start) / 1000000 )) -lt 1000 ] || fail "took $(( (end - start) / 1000000 )) ms"
	echo "ok: SIG$sig printed the maps and exited 0" ;;
unprivileged) # one clear error, exit 1
	su nobody -s /bin/bash -c "$hark -e 'BEGIN { exit(); }'" >"$out" 2>"$err"; rc=$?
	[ $rc = 1 ] || fail "exit $rc"
	[ "$(cat "$err")" = "hark: tracing needs root, or the CAP_BPF and CAP_PERFMON capabilities; this process lacks CAP_BPF and CAP_PERFMON
hint: run it with sudo, or: sudo setcap cap_bpf,cap_perfmon+ep \$(command -v hark)" ] || fail "message"
	echo "ok: unprivileged: one error, exit 1" ;;
sigkill) # a SIGKILLed hark leaves no program or link behind, and the -c command runs on
	"$hark" -q -c "sleep 1.5" -e 'tracepoint:syscalls:sys_enter_nanosleep { @ = count(); } tracepoint:syscalls:sys_enter_clock_nanosleep { @c = count(); } uprobe:libc:nanosleep { @u = count(); }' >"$out" 2>"$err" &
	pid=$!; sleep 0.5
	child=$(pgrep -P $pid sleep)
	[ -n "$child" ] || fail "no child"
	progs=$(ids_of prog $pid); links=$(ids_of link $pid)
	[ -n "$progs" ] && [ -n "$links" ] || fail "hark holds no programs/links? ($progs / $links)"
	kill -KILL $pid; wait $pid 2>/dev/null
	sleep 0.3
	kill -0 "$child" 2>/dev/null || fail "the traced command died with hark"
	while kill -0 "$child" 2>/dev/null; do sleep 0.1; done
	for i in $(seq 100); do [ -z "$(alive prog "$progs")$(alive link "$links")" ] && break; sleep 0.1; done
	[ -z "$(alive prog "$progs")" ] || fail "programs left: $(alive prog "$progs")"
	[ -z "$(alive link "$links")" ] || fail "links left: $(alive link "$links")"
	echo "ok: programs $progs and links $links gone; the command finished" ;;
double-int) # a second Ctrl-C exits at once, even while END is slow
	"$hark" -q -e 'END { $i = 0; while ($i < 1000) { $i++; } }' >"$out" 2>"$err" &
	pid=$!; sleep 0.4
	kill -INT $pid; kill -INT $pid
	for i in $(seq 20); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
	kill -0 $pid 2>/dev/null && { kill -KILL $pid; fail "still running after two SIGINTs"; }
	echo "ok: second SIGINT" ;;
cmd-missing) # -c with a command that cannot start is an error, not a hang
	timeout 5 "$hark" -c "/nonexistent/cmd arg" -e 'BEGIN { }' >"$out" 2>"$err"; rc=$?
	[ $rc = 1 ] || fail "exit $rc"
	grep -q "command '/nonexistent/cmd' not found" "$err" || fail "message"
	echo "ok: -c with a missing command" ;;
deep-nesting) # absurd nesting is a located error, never a crash (the fuzzer's find)
	for n in 201 20000; do
		printf 'BEGIN { $x = %s1; }\n' "$(printf -- '- %.0s' $(seq $n))" >"$out.hk"
		"$hark" --dry-run "$out.hk" >"$out" 2>"$err"
		rc=$?
		rm -f "$out.hk"
		[ $rc = 1 ] || fail "$n levels: exit $rc"
		head -1 "$err" | grep -qE "^/.*:1:[0-9]+: error: (this expression is nested more than 200 levels deep|the program is nested too deeply to parse)$" ||
			fail "$n levels: $(head -c 200 "$err")"
	done
	echo "ok: 201 and 20000 levels refused with a message" ;;
stop-flag) # once stopping, probes are quiet: END and the exit dump see the same count
	# hark's own system calls on CPU 0 (draining, END, printing) would add to
	# @c[0] after END if the stop flag did not reach the programs
	taskset -c 0 "$hark" -q -e 'tracepoint:raw_syscalls:sys_enter { @c[cpu] = count(); }
		interval:ms:200 { exit(); } END { printf("end %d\n", @c[0]); }' >"$out" 2>"$err" || fail "exit"
	e=$(sed -n 's/^end //p' "$out"); d=$(sed -n 's/^@c\[0\]: //p' "$out")
	[ -n "$e" ] && [ "$e" = "$d" ] || fail "END saw $e, the dump $d"
	echo "ok: END and the dump agree ($e)" ;;
closer-fds) # the link closer keeps no inherited descriptor: a pipe on fd 3 sees EOF when hark exits
	# ~350 tracepoints take the closer ~13 s to detach; the reader must not wait for it
	t=$(mktemp)
	{ "$hark" -q -e 'tracepoint:syscalls:sys_enter_* { @ = count(); } interval:ms:100 { exit(); }' \
		3>&1 >"$out" 2>"$err"; date +%s%N >"$t"; } | cat >/dev/null
	ms=$(( ($(date +%s%N) - $(cat "$t")) / 1000000 ))
	rm -f "$t"
	[ $ms -lt 3000 ] || fail "the pipe on fd 3 closed $ms ms after hark exited"
	echo "ok: EOF $ms ms after hark exited" ;;
sigpipe) # output into a closed pipe ends hark quietly
	timeout 10 "$hark" -q -e 'interval:ms:1 { printf("line\n"); }' 2>"$err" | head -3 >"$out"; rc=${PIPESTATUS[0]}
	[ "$(wc -l <"$out")" = 3 ] || fail "lines"
	[ $rc != 124 ] || fail "hark did not notice the closed pipe"
	echo "ok: SIGPIPE (exit $rc)" ;;
attach-flush) # "Attaching" reaches a file at once: scripts wait for it before starting load
	"$hark" -e 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }' >"$out" 2>"$err" & h=$!
	for _ in $(seq 100); do grep -q '^Attaching 1 probe\.\.\.$' "$out" && break; sleep 0.1; done
	grep -q '^Attaching 1 probe\.\.\.$' "$out"; seen=$?
	kill -INT $h; wait $h
	[ $seen = 0 ] || fail "the Attaching line stayed in hark's stdout buffer"
	echo "ok: Attaching line flushed" ;;
unsafe) # system() and signal() with --unsafe
	start=$(date +%s%N)
	"$hark" -q --unsafe -c "sleep 5" -e 'BEGIN { system("echo system %d", 42); }
		tracepoint:syscalls:sys_enter_clock_nanosleep /pid == cpid/ { signal("SIGTERM"); }' >"$out" 2>"$err" || fail "exit"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$(head -1 "$out")" = "system 42" ] || fail "system() output"
	[ $ms -lt 3000 ] || fail "the command was not signalled ($ms ms)"
	echo "ok: system() ran, signal() ended the command in $ms ms" ;;
valgrind) # no leak in a full run of every Go pack (issue: valgrind-clean examples)
	bin=$HARK_SHARED/fixtures/go/bin/workload-go1.19
	[ -x "$bin" ] || { echo "SKIP: $bin not found (../shared absent?)"; exit 77; }
	command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
	# --undef-value-errors=no: valgrind cannot see the kernel fill buffers
	# through bpf(2) and the ring buffer's mmap, and reports those reads.
	# --child-silent-after-fork: the link closer (runtime/rt.c) is a fork that
	# holds a copy of hark's heap while it waits; its "leaks" are that copy.
	for pack in "$HARK_SRC"/examples/go/*.hk; do
		valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --undef-value-errors=no \
			--child-silent-after-fork=yes --suppressions="$HARK_SRC/tests/hardening/valgrind.supp" \
			--error-exitcode=9 -q "$hark" -q -c "$bin" "$pack" >"$out" 2>"$err"
		rc=$?
		[ $rc = 0 ] || fail "$(basename "$pack"): valgrind exit $rc"
		grep -qE "(definitely|indirectly) lost" "$err" && fail "$(basename "$pack"): leak"
		echo "ok: $(basename "$pack")"
	done ;;
*) echo "unknown case"; exit 2 ;;
esac
