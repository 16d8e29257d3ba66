#!/usr/bin/env bash
# make bench: throughput figures, printed, never asserted (machine speed is not a test).
#
# Runs every tests/bench/bench_*.sh: pages (the feed and the anonymous pages against nginx),
# burst (the opening minute), booking_rush, reports, tenyear (ten years against one).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
# BENCH=NAME: only tests/bench/bench_NAME.sh (burst: the opening-minute burst; tenyear: ten
# years against one; reports; booking_rush)
if [ -n "${BENCH:-}" ]; then
  [ -e "tests/bench/bench_$BENCH.sh" ] || { echo "bench: no tests/bench/bench_$BENCH.sh"; exit 2; }
  KOMINKAN_BIN="$BIN" exec bash "tests/bench/bench_$BENCH.sh"
fi
for part in tests/bench/bench_*.sh; do
  echo
  KOMINKAN_BIN="$BIN" bash "$part"
done
