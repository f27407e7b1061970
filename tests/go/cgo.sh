#!/usr/bin/env bash
# A cgo binary built with Debian's go: C functions read arguments in the C
# ABI, Go functions in Go's register ABI; both by name, both exact.
#   cgo.sh HARK SRC_DIR BUILD_DIR
set -uo pipefail
hark=$1 src=$2 dir=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v go >/dev/null || { echo "SKIP: no go toolchain"; exit 77; }
mkdir -p "$dir"
(cd "$src" && GOCACHE="$dir/gocache" GOFLAGS=-mod=mod CGO_ENABLED=1 go build -o "$dir/cgo" .) || { echo "FAIL: go build"; exit 1; }
out=$("$hark" -q -c "$dir/cgo" -e 'uprobe:c_add { @c[arg0, arg1] = count(); } uprobe:main.goAdd { @g[arg0, arg1] = count(); }' 2>&1)
expect='cgo 1520


@c[0, 100]: 1
@c[1, 100]: 1
@c[2, 100]: 1
@c[3, 100]: 1
@c[4, 100]: 1
@g[0, 200]: 1
@g[1, 200]: 1
@g[2, 200]: 1
@g[3, 200]: 1
@g[4, 200]: 1'
if [ "$out" != "$expect" ]; then
	echo "FAIL:"; diff <(echo "$expect") <(echo "$out"); exit 1
fi
echo "ok: C ABI for c_add, Go ABI for main.goAdd"
