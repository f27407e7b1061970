#!/usr/bin/env bash
# om.sh CASE: hark's OpenMetrics output, run for real (see CMakeLists.txt).
#   HARK  the hark binary   SRC  this folder
set -u
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (BPF)"
WORK=$(mktemp -d /tmp/hark-om.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# promtool's `check metrics` reads the classic Prometheus text format, where
# an OpenMetrics counter (# TYPE x counter, sample x_total) is an untyped
# x_total without HELP. That one complaint, for our counters, is the format
# difference; anything else fails. The strict OpenMetrics parser is in
# `promtool tsdb create-blocks-from openmetrics` (samples need timestamps).
case_promtool() {
	command -v promtool >/dev/null || skip "no promtool (scripts/deps.sh installs prometheus)"
	timeout -s INT 30 "$HARK" -q -f openmetrics "$SRC/programs/all-kinds.bt" >"$WORK/out" 2>"$WORK/err" ||
		fail "hark: $(cat "$WORK/err")"
	grep -qx 'printf goes to stderr' "$WORK/err" || fail "printf is not on stderr"
	for fam in calls bytes low high mean dist lat lin plain neg esc tuple name stack; do
		grep -q "^# TYPE hark_$fam " "$WORK/out" || fail "no family hark_$fam"
	done
	[ "$(tail -n1 "$WORK/out")" = "# EOF" ] || fail "no final # EOF"
	rc=0
	promtool check metrics <"$WORK/out" 2>"$WORK/lint" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "promtool check metrics: exit $rc: $(cat "$WORK/lint")"
	counters=$(sed -n 's/^# TYPE \(.*\) counter$/\1_total no help text/p' "$WORK/out")
	other=$(grep -vxF -f <(printf '%s\n' "$counters") "$WORK/lint" || true)
	[ -z "$other" ] || fail "promtool check metrics: $other"
	sed -E '/^#/!s/$/ 1700000000/' "$WORK/out" >"$WORK/ts"
	promtool tsdb create-blocks-from openmetrics "$WORK/ts" "$WORK/blocks" >"$WORK/tsdb" 2>&1 ||
		fail "promtool's OpenMetrics parser: $(cat "$WORK/tsdb")"
	echo "ok: promtool (lint: $(wc -l <"$WORK/lint") counter HELP notes)"
}

case_golden() {
	timeout -s INT 30 "$HARK" -f openmetrics "$SRC/programs/begin.bt" >"$WORK/out" 2>"$WORK/err" ||
		fail "hark: $(cat "$WORK/err")"
	diff -u "$SRC/golden/begin.om" "$WORK/out" || fail "golden/begin.om differs"
	[ "$(cat "$WORK/err")" = "Attaching 1 probe...
to stderr" ] || fail "stderr: $(cat "$WORK/err")"
	echo "ok: golden"
}

# print(@m) is an exposition of its own: the family, then # EOF
case_print() {
	timeout -s INT 30 "$HARK" -q -f openmetrics -e 'BEGIN { @n = count(); @n = count(); print(@n); clear(@n); exit(); }' \
		>"$WORK/out" 2>"$WORK/err" || fail "hark: $(cat "$WORK/err")"
	expected='# TYPE hark_n counter
# HELP hark_n hark map @n: count()
hark_n_total 2
# EOF
# TYPE hark_n counter
# HELP hark_n hark map @n: count()
# EOF'
	[ "$(cat "$WORK/out")" = "$expected" ] || { diff -u <(echo "$expected") "$WORK/out"; fail "print(@n)"; }
	echo "ok: print"
}

# start_listen ADDR: hark in the background; sets PID and URL
start_listen() {
	"$HARK" -q --listen "$1" -e 'BEGIN { @x = count(); @y = sum(5); } interval:ms:100 { }' \
		>"$WORK/out" 2>"$WORK/err" &
	PID=$!
	URL=
	for _ in $(seq 100); do
		URL=$(sed -n 's#^hark: serving OpenMetrics at \(http://.*\)/metrics$#\1#p' "$WORK/err")
		[ -n "$URL" ] && break
		kill -0 "$PID" 2>/dev/null || fail "hark exited: $(cat "$WORK/err")"
		sleep 0.1
	done
	[ -n "$URL" ] || fail "hark does not say where it listens: $(cat "$WORK/err")"
}

stop_listen() {
	kill -INT "$PID"
	rc=0
	wait "$PID" || rc=$?
	[ "$rc" = 0 ] || fail "hark exited $rc after SIGINT: $(cat "$WORK/err")"
}

case_listen() {
	command -v curl >/dev/null || skip "no curl"
	expected='# TYPE hark_x counter
# HELP hark_x hark map @x: count()
hark_x_total 1
# TYPE hark_y counter
# HELP hark_y hark map @y: sum()
hark_y_total 5
# EOF'
	start_listen 127.0.0.1:0
	case "$URL" in http://127.0.0.1:*) ;; *) fail "listening on $URL";; esac
	for i in 1 2; do
		body=$(curl -sS --max-time 5 -D "$WORK/headers" "$URL/metrics") || fail "scrape $i: curl failed"
		[ "$body" = "$expected" ] || { diff -u <(echo "$expected") <(echo "$body"); fail "scrape $i"; }
		grep -qx $'HTTP/1.1 200 OK\r' "$WORK/headers" || fail "scrape $i: $(head -1 "$WORK/headers")"
		grep -qix $'Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r' "$WORK/headers" ||
			fail "scrape $i: content type: $(cat "$WORK/headers")"
	done
	code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$URL/other") || true
	[ "$code" = 404 ] || fail "GET /other: $code"
	stop_listen
	grep -q '^@x: 1$' "$WORK/out" || fail "exit-time dump (text): $(cat "$WORK/out")"
	# ":PORT" listens on 127.0.0.1
	start_listen :0
	case "$URL" in http://127.0.0.1:*) ;; *) fail ":0 listens on $URL";; esac
	body=$(curl -sS --max-time 5 "$URL/metrics") || fail "scrape :0"
	[ "$body" = "$expected" ] || fail "scrape :0: $body"
	stop_listen
	echo "ok: listen"
}

"case_$1"
