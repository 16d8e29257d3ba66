#!/usr/bin/env bash
# make bench: a sign-in storm (issue 18; docs/performance.md). `BENCH=signin make bench` runs
# only this part. 32 clients sign in continuously for BENCH_SIGNIN_SECONDS (default 10) while
# one client reads a centre's page (tests/bench/signin_storm.mjs); the password hashes run on
# their own pool, so the reader keeps its latency and the sign-ins past the queue get 503 with
# Retry-After. Prints the server's peak RSS (the hash arenas included: hash threads x 64 MiB).
# Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
SECS=${BENCH_SIGNIN_SECONDS:-10}
tmp=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== sign-in storm: 32 clients signing in, one reading /signage/chuo, ${SECS}s"
id=$(echo bench-password-123 | "$BIN" user add --db "$tmp/k.db" --role citizen --name "ベンチ利用者")
KOMINKAN_NOW=${BENCH_NOW:-2026-04-08T10:00:00+09:00} "$BIN" serve --db "$tmp/k.db" \
  --listen 127.0.0.1:0 --no-access-log >"$tmp/k.out" 2>"$tmp/k.err" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/k.out" && break; sleep 0.1; done
base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/k.out" | head -1)
[ -n "$base" ] || { echo "bench: kominkan did not start"; cat "$tmp/k.err"; exit 1; }
node tests/bench/signin_storm.mjs "$base" "$id" bench-password-123 "$SECS" 32
awk '/VmHWM/ { printf "kominkan peak RSS: %.1f MiB (hash arenas included)\n", $2 / 1024 }' "/proc/$pid/status"
