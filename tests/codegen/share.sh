#!/usr/bin/env bash
# Probes differing only in numbers share one program; each still sees its
# own values (codegen/cg_share.c).
#   share.sh HARK PARAMS_TARGET
set -uo pipefail
hark=$1 target=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
out=$(mktemp); trap 'rm -f "$out"' EXIT
prog='
tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @c[1] = count(); @s = sum(100); printf("a %d %s\n", 10, "x"); }
tracepoint:syscalls:sys_enter_getpid  /pid == cpid/ { @c[2] = count(); @s = sum(200); printf("b=%d %s\n", 20, "x"); }
tracepoint:syscalls:sys_enter_getuid  /pid == cpid/ { @c[3] = count(); @s = sum(300); printf("c: %d %s\n", 30, "x"); }
'
fail=0
nprogs=$("$hark" --dry-run -d asm -c "$target" -e "$prog" | grep -c '^tracepoint_')
[ "$nprogs" = 1 ] || { echo "FAIL: $nprogs programs for three probes of one shape"; fail=1; }
"$hark" -q -c "$target" -e "$prog" >"$out" 2>&1 || { echo "FAIL: hark exited $?"; fail=1; }
expect='a 10 x
a 10 x
a 10 x
b=20 x
b=20 x
c: 30 x
c: 30 x
c: 30 x
c: 30 x


@c[2]: 2
@c[1]: 3
@c[3]: 4
@s: 1900'
# the target's own line may land anywhere: it is buffered until it exits
if [ "$(grep -v '^params 1$' "$out")" != "$expect" ]; then
	echo "FAIL: output differs:"; diff <(echo "$expect") <(grep -v '^params 1$' "$out"); fail=1
fi
[ $fail = 0 ] && echo "ok: one program, per-probe keys, sums and formats"
exit $fail
