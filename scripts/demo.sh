#!/usr/bin/env bash
# Set up, build, and run the bundled demo: the probe pack examples/demo.hk
# against the small Go program in examples/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHARK_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target hark
(cd examples/demo && GOFLAGS=-mod=mod GOCACHE="${GOCACHE:-/tmp/hark-gocache}" go build -o ../../build/demo .)
echo "== hark -c build/demo examples/demo.hk"
exec ./build/hark -c build/demo examples/demo.hk
