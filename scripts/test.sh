#!/usr/bin/env bash
# Set up, build and run every test: the README's test command.
#   scripts/test.sh           release build + all tests, then an ASan/UBSan build + all tests
#   HARK_NO_SANITIZE=1 ...    skip the sanitizer pass
#   then a libFuzzer build (clang): the fuzz regressions and one minute of fuzzing
#   HARK_NO_FUZZ=1 ...        skip the fuzz pass
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHARK_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

if [ -z "${HARK_NO_SANITIZE:-}" ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHARK_SANITIZE=ON -DHARK_TESTS=ON >/dev/null
	cmake --build build-asan -j"$jobs"
	(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")
fi

if [ -z "${HARK_NO_FUZZ:-}" ]; then
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-16 -DCMAKE_BUILD_TYPE=Debug -DHARK_SANITIZE=ON \
		-DHARK_FUZZ=ON -DHARK_TESTS=ON >/dev/null
	cmake --build build-fuzz -j"$jobs" --target fuzz_compile
	(cd build-fuzz && ctest --output-on-failure -R '^fuzz/')
fi
