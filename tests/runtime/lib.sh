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
