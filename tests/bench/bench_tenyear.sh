#!/usr/bin/env bash
# make bench: cost that stays flat over ten years of data (issue 18; docs/performance.md).
# `BENCH=tenyear make bench` runs only this part.
#
# Makes the demonstration year (kominkan demo-data --months 12: every centre, through the
# real core functions), copies it and adds nine years of history before it in SQL
# (tests/bench/tenyear.sql: ~1.2 million bookings, 100,000 accounts, 5,000 groups, the
# usage log), serves each file with the clock inside the demonstration year and times the
# same requests on both (tests/bench/tenyear.mjs): the availability page, the counter's
# today view, a citizen's マイページ, the monthly report and a month of the usage-log export.
# Prints p50/p99 and the ratio ten years / one year of the p99 (target <= 2x). Printed,
# never asserted. Bounded: each path stops after BENCH_TENYEAR_RUNS answers or
# BENCH_TENYEAR_SECONDS seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
NOW=${BENCH_TENYEAR_NOW:-2026-06-10T10:00:00+09:00}
mkdir -p build/bench
tmp=$(mktemp -d "$PWD/build/bench/tenyear-XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== ten years against one: the request paths' p99"
t0=$(date +%s.%N)
"$BIN" demo-data --db "$tmp/one.db" --months 12 --from 2026-04 >/dev/null
t1=$(date +%s.%N)
cp "$tmp/one.db" "$tmp/ten.db"
cp "$tmp/one.db.keys" "$tmp/ten.db.keys"
sqlite3 "$tmp/ten.db" < tests/bench/tenyear.sql
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" \
  'BEGIN { printf "made in %.0f s (the year, demo-data) + %.0f s (nine more years, SQL)\n", b - a, c - b }'
for f in one ten; do
  sqlite3 "$tmp/$f.db" "SELECT printf('$f: %d bookings, %d accounts, %d groups, %d usage-log events, %d payments, %.0f MB',
    (SELECT count(*) FROM bookings), (SELECT count(*) FROM accounts), (SELECT count(*) FROM groups),
    (SELECT count(*) FROM events), (SELECT count(*) FROM payments),
    (SELECT page_count * page_size / 1e6 FROM pragma_page_count, pragma_page_size))"
done

# (not in a $(...) subshell: the pids must reach the cleanup, or the servers outlive the
# bench and keep the lock file of `flock /work/test.lock` open)
start() { # FILE: serve it
  KOMINKAN_NOW=$NOW "$BIN" serve --db "$tmp/$1.db" --listen 127.0.0.1:0 --no-access-log \
    >"$tmp/$1.out" 2>"$tmp/$1.err" &
  pids+=($!)
}
base() { # FILE -> the server's base URL
  for _ in $(seq 300); do grep -q 'listening on' "$tmp/$1.out" && break; sleep 0.1; done
  grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/$1.out" | head -1
}
start one
start ten
one=$(base one)
ten=$(base ten)
[ -n "$one" ] && [ -n "$ten" ] || { echo "bench: kominkan did not start"; cat "$tmp"/*.err; exit 1; }
node tests/bench/tenyear.mjs "$one" "$ten"
