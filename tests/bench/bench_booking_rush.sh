#!/usr/bin/env bash
# make bench, part 2: the opening minute of a booking window (tests/bench/booking_rush.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."
KOMINKAN_BIN=${KOMINKAN_BIN:-build/kominkan} node tests/bench/booking_rush.mjs \
  --attempts "${BENCH_RUSH_ATTEMPTS:-2000}" --slots "${BENCH_RUSH_SLOTS:-500}" \
  --concurrency "${BENCH_RUSH_CONCURRENCY:-64}"
