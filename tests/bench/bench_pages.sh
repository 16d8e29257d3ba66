#!/usr/bin/env bash
# make bench, part 1 (`BENCH=pages make bench` runs only this): the today feed and every
# anonymous page, kominkan (from its page cache) against nginx serving a byte-identical static
# copy, both driven by wrk with 64 keep-alive connections on loopback; prints req/s of each and
# the ratio (target >= 1.0x), then kominkan's peak RSS. Printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${KOMINKAN_BIN:-build/kominkan}
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
# The start-up peak (--demo hashes its accounts' passwords: a 64 MiB argon2id arena) is not
# what serving pages costs: note it, then reset the peak (clear_refs 5) so that the figure
# printed at the end is the peak while serving.
startup_rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/${pids[0]}/status")
echo 5 > "/proc/${pids[0]}/clear_refs" 2>/dev/null || startup_rss="$startup_rss (peak not reset)"

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

# Every anonymous page from the page cache against nginx serving the same bytes from a file.
PAGE_SECONDS=${BENCH_PAGE_SECONDS:-3}
echo
echo "== anonymous pages: kominkan vs nginx (wrk, ${CONNS} connections, ${PAGE_SECONDS}s each)"
printf '%-34s %10s %10s %7s\n' page kominkan nginx ratio
i=0
for page in / "/availability?date=2026-04-15" /rooms/1 /signage/chuo /rules/discounts /help \
            /opendata/facilities.csv "/opendata/availability.csv?from=2026-04-08&to=2026-04-14"; do
  i=$((i + 1))
  curl -fsS "$kbase$page" -o "$tmp/www/page$i" || { echo "bench: $page did not answer"; exit 1; }
  k=$(wrk -t2 -c"$CONNS" -d"${PAGE_SECONDS}s" "$kbase$page" | awk '/Requests\/sec/ {print $2}')
  n=$(wrk -t2 -c"$CONNS" -d"${PAGE_SECONDS}s" "http://127.0.0.1:$nport/page$i" | awk '/Requests\/sec/ {print $2}')
  awk -v p="$page" -v k="$k" -v n="$n" 'BEGIN { printf "%-34s %10.0f %10.0f %6.2fx\n", p, k, n, k / n }'
done
kpid=${pids[0]}
echo "kominkan peak RSS at start-up (demo data, password hashing): $startup_rss MiB"
awk '/VmHWM/ { printf "kominkan peak RSS while serving: %.1f MiB (target < 64 MiB)\n", $2 / 1024 }' "/proc/$kpid/status"

