#!/bin/bash
# make-corpus.sh: (re)build the seed corpus tests/fuzz/corpus/ from the
# repository's test programs and examples.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$here/corpus
mkdir -p "$out"
rm -f "$out"/*
shopt -s nullglob globstar
n=0
for f in "$root"/tests/parser/cases/*.hk "$root"/tests/diag/*.hk "$root"/examples/**/*.hk \
	 "$root"/tests/runtime/programs/*.bt; do
	rel=${f#"$root"/}
	cp "$f" "$out/${rel//\//_}"
	n=$((n + 1))
done
echo "make-corpus: $n seeds in $out"
