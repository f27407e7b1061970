# Sourced by the golden runners (tests/parser, tests/diag).
# golden_check NAME.EXT OUTPUT: compare OUTPUT with the golden file (a diff
# and "FAIL: NAME" when they differ, and fail=1), or with UPDATE=1 write it.
golden_check() {
	if [ "${UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$2" >"$1"
	elif ! diff -u "$1" <(printf '%s\n' "$2"); then
		echo "FAIL: ${1%.*}" >&2
		fail=1
	fi
}
