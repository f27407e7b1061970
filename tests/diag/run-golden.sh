#!/bin/bash
# Golden tests of diagnostics.
#
#   run-golden.sh HARK CASES_DIR [NAME...]   (all cases if no NAME)
#
# Each CASES_DIR/NAME.hk is run as `hark --dry-run NAME.hk` from inside
# CASES_DIR (so diagnostics name "NAME.hk"); cases named e-*.hk are passed
# with -e instead, so their diagnostics name "-e". The actual output is
# stderr then a line "[exit N]"; it must equal NAME.err.
# A case whose first line is "// needs root" (it resolves tracepoints) is
# skipped with status 77 when not run as root.
# UPDATE=1 rewrites the .err files instead of comparing.
set -u
. "$(dirname "$0")/../golden.sh"
hark=$(realpath "$1")
cd "$2" || exit 2
shift 2
if [ $# -eq 0 ]; then
	set -- $(ls *.hk | sed 's/\.hk$//')
fi

fail=0
skip=0
for name in "$@"; do
	if [ "$(head -n1 "$name.hk")" = "// needs root" ] && [ "$(id -u)" != 0 ]; then
		echo "SKIP: $name (needs root)" >&2
		skip=1
		continue
	fi
	if [[ $name == e-* ]]; then
		out=$("$hark" --dry-run -e "$(cat "$name.hk")" 2>&1 >/dev/null; echo "[exit $?]")
	else
		out=$("$hark" --dry-run "$name.hk" 2>&1 >/dev/null; echo "[exit $?]")
	fi
	golden_check "$name.err" "$out"
done
[ $fail = 0 ] && [ $skip = 1 ] && exit 77
exit $fail
