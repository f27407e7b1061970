# Shared by the runtime test scripts. Environment (from CMake):
#   HARK     the hark binary          TARGET  the rt_target binary
#   SRC      this folder              SHARED  /work/shared (may be absent)
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (BPF)"; }

# The target's path in outputs becomes TARGET; bpftrace ends histogram
# headers with "@h: " where hark prints "@h:".
normalize() { sed -e "s#$TARGET#TARGET#g" -e 's/^\(@.*\): $/\1:/'; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1"
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /'
		exit 1
	fi
}

# expect_file NAME FILE ACTUAL
expect_file() { expect_eq "$1" "$(cat "$2")" "$3"; }

# hk ARGS...: hark with a time limit; stdout to $OUT, stderr to $ERR, status in $RC
WORK=$(mktemp -d /tmp/hark-rt.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
OUT=$WORK/out ERR=$WORK/err RC=0
hk() {
	RC=0
	timeout -s INT -k 5 30 "$HARK" "$@" >"$OUT" 2>"$ERR" || RC=$?
	if [ "$RC" = 124 ]; then
		cat "$ERR"
		fail "hark timed out: $*"
	fi
}

# hk_p PID ARGS...: like hk, for hark -p PID on an "rt_target wait" process:
# the target starts its work on SIGUSR1, sent once hark says "Attaching"
# (a sleep instead raced a loaded machine). The Attaching line is removed
# from $OUT, so expected outputs are those of -q (which must not be passed).
hk_p() {
	local target=$1 h i
	shift
	RC=0
	timeout -s INT -k 5 30 "$HARK" "$@" >"$OUT" 2>"$ERR" &
	h=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^Attaching' "$OUT" && break
		kill -0 $h 2>/dev/null || break
		sleep 0.05
	done
	# the target blocks SIGUSR1 first thing; an unblocked one would kill it
	for ((i = 0; i < 200; i++)); do
		(( 0x$(sed -n 's/^SigBlk:\t//p' /proc/$target/status 2>/dev/null || echo 0) & 0x200 )) && break
		sleep 0.01
	done
	kill -USR1 "$target" 2>/dev/null
	wait $h || RC=$?
	if [ "$RC" = 124 ]; then
		cat "$ERR"
		fail "hark timed out: $*"
	fi
	sed -i '1{/^Attaching/d}' "$OUT"
}
