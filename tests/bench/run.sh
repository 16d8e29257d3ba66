#!/usr/bin/env bash
# make bench: throughput figures, printed, never asserted (machine speed is not a test).
#
# 1. The today feed: kominkan serving /api/v1/today for the demo data versus
#    nginx serving a byte-identical static copy, both driven by wrk with 64
#    keep-alive connections on loopback; prints req/s of each and the ratio.
# Further sections (booking rush, reports) are added by their issues.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
# BENCH=burst: only the opening-minute burst (tests/bench/bench_burst.sh)
if [ "${BENCH:-}" = burst ]; then
  KOMINKAN_BIN="$BIN" exec bash tests/bench/bench_burst.sh
fi
SECONDS_EACH=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-64}
tmp=$(mktemp -d)
chmod 755 "$tmp"   # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== today feed: kominkan vs nginx (wrk, ${CONNS} keep-alive connections, ${SECONDS_EACH}s each, loopback)"
KOMINKAN_NOW=${BENCH_NOW:-2026-04-08T10:00:00+09:00} "$BIN" serve --db "$tmp/k.db" \
  --listen 127.0.0.1:0 --demo --no-access-log >"$tmp/k.out" 2>"$tmp/k.err" &
pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$tmp/k.out" && break; sleep 0.1; done
kbase=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/k.out" | head -1)
[ -n "$kbase" ] || { echo "bench: kominkan did not start"; cat "$tmp/k.err"; exit 1; }

mkdir -p "$tmp/www/api/v1"
curl -fsS "$kbase/api/v1/today" -o "$tmp/www/api/v1/today"
bytes=$(wc -c < "$tmp/www/api/v1/today")
nport=$(free_port)
cat > "$tmp/nginx.conf" <<NGINX
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx.err;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nb; proxy_temp_path $tmp/np; fastcgi_temp_path $tmp/nf;
  uwsgi_temp_path $tmp/nu; scgi_temp_path $tmp/ns;
  types { application/json json; }
  default_type application/json;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
  }
}
NGINX
nginx -c "$tmp/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$nport/api/v1/today" -o /dev/null 2>/dev/null && break; sleep 0.1; done
cmp -s <(curl -fsS "http://127.0.0.1:$nport/api/v1/today") "$tmp/www/api/v1/today" \
  || { echo "bench: nginx copy differs"; exit 1; }

rps() { wrk -t2 -c"$CONNS" -d"${SECONDS_EACH}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
k=$(rps "$kbase/api/v1/today")
n=$(rps "http://127.0.0.1:$nport/api/v1/today")
printf 'body: %s bytes\n' "$bytes"
printf 'kominkan /api/v1/today: %10.0f req/s\n' "$k"
printf 'nginx    static copy:   %10.0f req/s\n' "$n"
awk -v k="$k" -v n="$n" 'BEGIN { printf "ratio kominkan/nginx:   %10.2fx (target >= 1.0x on 2 cores)\n", k / n }'

for extra in tests/bench/bench_*.sh; do
  [ -e "$extra" ] || continue
  echo
  KOMINKAN_BIN="$BIN" bash "$extra"
done
