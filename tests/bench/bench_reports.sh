#!/usr/bin/env bash
# make bench, part 3: the reports over a year of every centre (issue 8).
#
# Makes a year of simulated use (kominkan demo-data --months 12: every centre,
# ~1,000 groups and ~800 people booking through the real core functions),
# serves it with the clock just after the year, signs in as the documented
# analyst (docs/demo.md) and times each report and the usage log: the best
# and the median of BENCH_REPORT_RUNS runs (default 3), target under 1 s each
# on 2 cores. Printed, never asserted: machine speed is not a test.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
RUNS=${BENCH_REPORT_RUNS:-3}
MONTHS=${BENCH_REPORT_MONTHS:-12}
tmp=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== reports over ${MONTHS} months of every centre"
t0=$(date +%s.%N)
"$BIN" demo-data --db "$tmp/year.db" --months "$MONTHS" --from 2026-04
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "demo-data: %.1f s\n", b - a }'
sqlite3 "$tmp/year.db" "SELECT printf('database: %d bookings, %d booked slots, %d events, %.1f MB',
  (SELECT count(*) FROM bookings), (SELECT count(*) FROM booking_slots WHERE active = 1),
  (SELECT count(*) FROM events), (SELECT page_count * page_size / 1e6 FROM pragma_page_count, pragma_page_size))" 2>/dev/null || true

KOMINKAN_NOW=2027-04-01T09:00:00+09:00 "$BIN" serve --db "$tmp/year.db" --listen 127.0.0.1:0 \
  --no-access-log >"$tmp/k.out" 2>"$tmp/k.err" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/k.out" && break; sleep 0.1; done
base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/k.out" | head -1)
[ -n "$base" ] || { echo "bench: kominkan did not start"; cat "$tmp/k.err"; exit 1; }
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"system_id":"400000014","password":"demo-analyst-2026"}' "$base/api/v1/session" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')

Y='from=2026-04-01&to=2027-03-31'
# name|path|accept
reports=(
  "usage by=center|/api/v1/reports/usage?$Y&by=center|application/json"
  "usage by=room|/api/v1/reports/usage?$Y&by=room|application/json"
  "usage by=slot|/api/v1/reports/usage?$Y&by=slot|application/json"
  "usage by=weekday|/api/v1/reports/usage?$Y&by=weekday|application/json"
  "usage by=month|/api/v1/reports/usage?$Y&by=month|application/json"
  "usage by=room (CSV)|/api/v1/reports/usage?$Y&by=room|text/csv"
  "usage by=center_month|/api/v1/reports/usage?$Y&by=center_month|application/json"
  "usage by=month, one centre|/api/v1/reports/usage?$Y&by=month&center=chuo|application/json"
  "monthly 2026-05, every centre|/api/v1/reports/monthly?month=2026-05|application/json"
  "monthly 2026-05 (CSV)|/api/v1/reports/monthly?month=2026-05|text/csv"
  "analysts' page /reports (3 charts)|/reports?$Y|text/html"
  "usage log, the year (JSON Lines)|/api/v1/events?$Y|application/x-ndjson"
  "usage log, the year (CSV)|/api/v1/events?$Y|text/csv"
)
printf '%-36s %10s %10s %12s\n' report best median bytes
worst=0
for r in "${reports[@]}"; do
  IFS='|' read -r name path accept <<<"$r"
  times=()
  for _ in $(seq "$RUNS"); do
    out=$(curl -fsS -o /dev/null -w '%{time_total} %{size_download}' -H "Authorization: Bearer $token" \
      -H "Accept: $accept" "$base$path")
    times+=("${out% *}")
    bytes=${out#* }
  done
  read -r best median < <(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[1], a[int((NR + 1) / 2)] }')
  printf '%-36s %9.3fs %9.3fs %12d\n' "$name" "$best" "$median" "$bytes"
  worst=$(awk -v w="$worst" -v m="$median" 'BEGIN { print (m > w) ? m : w }')
done
awk -v w="$worst" 'BEGIN { printf "slowest median: %.3f s (target < 1 s each on 2 cores)\n", w }'
