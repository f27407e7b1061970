#!/usr/bin/env bash
# gen_probes.sh N [BODY] : print a script with N distinct syscall-entry
# tracepoint probes plus "BEGIN { exit(); }" (so a real run exits at once).
# BODY is a probe body in which every "N" is replaced by the probe's index;
# the default is a realistic mix: count(), hist() and a guarded printf.
# The same text is valid for hark and bpftrace 0.17.
set -euo pipefail
n=${1:-200}
body=${2:-'@c[N] = count(); @h[N] = hist(nsecs & 0xffff); if (pid == 1) { printf("%d %s N\n", pid, comm); }'}
tfs=/sys/kernel/tracing
[ -d $tfs/events/syscalls ] || tfs=/sys/kernel/debug/tracing
mapfile -t names < <(ls "$tfs/events/syscalls" | grep '^sys_enter_' | sort | head -n "$n")
if [ "${#names[@]}" -lt "$n" ]; then
	echo "gen_probes.sh: only ${#names[@]} sys_enter_* tracepoints here" >&2
	exit 1
fi
i=0
for t in "${names[@]}"; do
	printf 'tracepoint:syscalls:%s { %s }\n' "$t" "${body//N/$i}"
	i=$((i + 1))
done
printf 'BEGIN { exit(); }\n'
