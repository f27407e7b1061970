#!/usr/bin/env bash
# Install hark's Debian 12 build and test dependencies (idempotent).
set -euo pipefail
pkgs=(cmake make gcc pkg-config flex bison llvm-16-dev clang-16 libbpf-dev libelf-dev
      zlib1g-dev libzstd-dev libcapstone-dev golang-go bpftrace bpftool time prometheus valgrind
      libclang-rt-16-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
