#!/bin/bash
# Golden tests for the parser.
#
#   run-golden.sh HARK_PARSE CASES_DIR [NAME...]   (all cases if no NAME)
#
# Each CASES_DIR/NAME.hk is parsed (from inside CASES_DIR, so diagnostics
# name "NAME.hk"); cases named e-*.hk are passed with -e instead, so their
# diagnostics name "-e". The actual output is stdout, then stderr, then a
# line "[exit N]" if the status is not 0. It must equal NAME.out.
# UPDATE=1 rewrites the .out files instead of comparing.
set -u
. "$(dirname "$0")/../golden.sh"
parse=$(realpath "$1")
cd "$2" || exit 2
shift 2
if [ $# -eq 0 ]; then
	set -- $(ls *.hk | sed 's/\.hk$//')
fi

err=$(mktemp)
trap 'rm -f "$err"' EXIT
fail=0
for name in "$@"; do
	if [[ $name == e-* ]]; then
		out=$("$parse" -e "$(cat "$name.hk")" 2>"$err"; s=$?; cat "$err"; [ $s -ne 0 ] && echo "[exit $s]")
	else
		out=$("$parse" "$name.hk" 2>"$err"; s=$?; cat "$err"; [ $s -ne 0 ] && echo "[exit $s]")
	fi
	golden_check "$name.out" "$out"
done
exit $fail
