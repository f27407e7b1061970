#!/bin/sh
# Regenerate golden/*.txt and golden/*.json by running bpftrace 0.17 (as root)
# on programs/*.bt with -q, so each golden is bpftrace's whole stdout.
#
# Two edits are applied to bpftrace's output:
#  - hark's one deliberate difference: a histogram header line has no
#    trailing space ("@h:" where bpftrace prints "@h: ");
#  - stack.bt only: addresses and _einittext offsets change from run to run,
#    so they are replaced by fixed placeholders that test-output.c uses too.
set -eu
cd "$(dirname "$0")"
for p in programs/*.bt; do
	name=$(basename "$p" .bt)
	bpftrace -q "$p" 2>/dev/null | sed -E 's/^(@.*\]|@[A-Za-z0-9_]*): $/\1:/' > "golden/$name.txt"
	bpftrace -q -f json "$p" 2>/dev/null > "golden/$name.json"
	if [ "$name" = stack ]; then
		for f in "golden/$name.txt" "golden/$name.json"; do
			sed -i -E 's/0x[0-9a-f]{6,}/0xADDR/g; s/_einittext\+[0-9]+/_einittext+OFF/g' "$f"
		done
	fi
done
