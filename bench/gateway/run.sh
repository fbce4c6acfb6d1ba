#!/usr/bin/env bash
# Gateway benchmark: pingora-proxy against nginx, same machine, same run.
#
#   bash bench/gateway/run.sh                      # defaults below
#   WORKERS=2 CONNECTIONS=64 THREADS=2 DURATION=10s ROUNDS=3 bash bench/gateway/run.sh
#
# An upstream nginx answers a fixed 200. wrk measures it on loopback: directly, through
# pingora-proxy, and through an nginx reverse proxy configured the same way (upstream keepalive,
# client keep-alive, access log off, the same X-Forwarded-*/X-Request-Id headers, the same number
# of workers). For reference it also measures bare pingora (examples/bare_pingora.rs: the same
# framework with none of the gateway's features), which separates pingora's own cost from ours.
# Rounds alternate between the proxies; the median round (by rps) is shown.
# Prints a markdown table and writes bench/results/gateway.json (bench/gateway/record.ts). Not a test: it
# asserts nothing. The build goes to CARGO_TARGET_DIR when set (a worktree can keep its own).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CRATE="$ROOT/apps/pingora-proxy"
# shellcheck source=../../scripts/lib/toolchain.sh
source "$ROOT/scripts/lib/toolchain.sh"
ensure_node # Node 24 writes the results file
WORKERS="${WORKERS:-2}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
UPSTREAM_PORT="${UPSTREAM_PORT:-18181}"
NGINX_PORT="${NGINX_PORT:-18182}"
PINGORA_PORT="${PINGORA_PORT:-18183}"
BARE_PORT="${BARE_PORT:-18184}"

log() { printf '%s\n' "$*" >&2; }

STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"
LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"

install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]} from Debian"
  # Keep the package's init script from starting a system nginx on port 80.
  local policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -n "$policy_added" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

install_tools
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

log "building pingora-proxy (release)"
(cd "$CRATE" && OPENSSL_NO_VENDOR=1 cargo build --release --quiet --bin pingora-proxy --example bare_pingora)
TARGET_DIR="${CARGO_TARGET_DIR:-$CRATE/target}"
GATEWAY="$TARGET_DIR/release/pingora-proxy"
BARE="$TARGET_DIR/release/examples/bare_pingora"

WORK="$(mktemp -d /tmp/gateway-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

for port in "$UPSTREAM_PORT" "$NGINX_PORT" "$PINGORA_PORT" "$BARE_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "port $port is in use; set UPSTREAM_PORT/NGINX_PORT/PINGORA_PORT"; exit 1
  fi
done

nginx_conf() { # name, workers, server block
  mkdir -p "$WORK/$1"
  cat > "$WORK/$1/nginx.conf" <<EOF
worker_processes $2;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/$1/body; proxy_temp_path $WORK/$1/proxy;
  fastcgi_temp_path $WORK/$1/fcgi; uwsgi_temp_path $WORK/$1/uwsgi; scgi_temp_path $WORK/$1/scgi;
  keepalive_requests 1000000;
  $3
}
EOF
}

# The trivial upstream: one worker returning a fixed 200.
nginx_conf upstream 1 "server { listen 127.0.0.1:$UPSTREAM_PORT; location / { return 200 'ok'; } }"
# nginx as the peer proxy, configured as pingora-proxy is.
nginx_conf proxy "$WORKERS" "
  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection '';
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Request-Id \$request_id;
      add_header X-Request-Id \$request_id;
    }
  }"

cat > "$WORK/pingora.yaml" <<EOF
server:
  bind_address: '127.0.0.1:$PINGORA_PORT'
  worker_threads: $WORKERS
  grace_period: 0
  graceful_shutdown_timeout: 1
access_log: {enabled: false}
upstreams:
  - name: app
    servers: ['127.0.0.1:$UPSTREAM_PORT']
    health_check: {path: /, interval: 10, timeout: 2, retries: 3}
routes:
  - {prefix: /, upstream: app}
EOF

"$NGINX" -p "$WORK/upstream" -c "$WORK/upstream/nginx.conf" -g 'daemon off;' & PIDS+=($!)
"$NGINX" -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g 'daemon off;' & PIDS+=($!)
NGINX_PROXY_PID=$!
RUST_LOG=error "$GATEWAY" --config "$WORK/pingora.yaml" > "$WORK/pingora.log" 2>&1 & PIDS+=($!)
PINGORA_PID=$!
BIND="127.0.0.1:$BARE_PORT" UPSTREAM="127.0.0.1:$UPSTREAM_PORT" THREADS="$WORKERS" "$BARE" > "$WORK/bare.log" 2>&1 & PIDS+=($!)

for port in "$UPSTREAM_PORT" "$NGINX_PORT" "$PINGORA_PORT" "$BARE_PORT"; do
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "http://127.0.0.1:$port/" >/dev/null || { log "nothing answers on $port"; cat "$WORK"/*/error.log "$WORK/pingora.log" >&2; exit 1; }
done

# "rps p50_ms p99_ms" from one wrk run.
measure() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$1/" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx|Socket errors/ { print "wrk: " $0 > "/dev/stderr" }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }'
}

# RSS in MiB of a process and its children (nginx master + workers).
rss_mib() {
  local pids total=0 kb
  pids="$1 $(pgrep -P "$1" | tr '\n' ' ')"
  for p in $pids; do
    kb=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  awk -v kb="$total" 'BEGIN { printf "%.1f", kb / 1024 }'
}

median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }

log "warming up"
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "http://127.0.0.1:$PINGORA_PORT/" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "http://127.0.0.1:$NGINX_PORT/" >/dev/null

log "direct to the upstream"
read -r DIRECT_RPS DIRECT_P50 DIRECT_P99 < <(measure "$UPSTREAM_PORT")
: > "$WORK/pingora.runs"; : > "$WORK/nginx.runs"; : > "$WORK/bare.runs"
for round in $(seq "$ROUNDS"); do
  log "round $round/$ROUNDS: pingora-proxy, nginx, bare pingora"
  measure "$PINGORA_PORT" >> "$WORK/pingora.runs"
  measure "$NGINX_PORT" >> "$WORK/nginx.runs"
  measure "$BARE_PORT" >> "$WORK/bare.runs"
done
PINGORA_RSS=$(rss_mib "$PINGORA_PID")
NGINX_RSS=$(rss_mib "$NGINX_PROXY_PID")

# The median round by rps, reported whole (its own p50/p99).
pick() { sort -n -k1 "$1" | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)'; }
read -r P_RPS P_P50 P_P99 < <(pick "$WORK/pingora.runs")
read -r N_RPS N_P50 N_P99 < <(pick "$WORK/nginx.runs")
read -r B_RPS B_P50 B_P99 < <(pick "$WORK/bare.runs")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo
echo "### Gateway benchmark ($(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, median of $ROUNDS rounds, $WORKERS proxy workers)"
echo
echo "| target | rps | p50 ms | p99 ms | RSS MiB |"
echo "|---|---:|---:|---:|---:|"
echo "| direct (upstream nginx, fixed 200) | $DIRECT_RPS | $DIRECT_P50 | $DIRECT_P99 | – |"
echo "| pingora-proxy | $P_RPS | $P_P50 | $P_P99 | $PINGORA_RSS |"
echo "| nginx proxy | $N_RPS | $N_P50 | $N_P99 | $NGINX_RSS |"
echo "| (reference) bare pingora, no gateway features | $B_RPS | $B_P50 | $B_P99 | – |"
echo "| **ratio pingora-proxy / nginx** | **$(ratio "$P_RPS" "$N_RPS")×** | $(ratio "$P_P50" "$N_P50")× | $(ratio "$P_P99" "$N_P99")× | $(ratio "$PINGORA_RSS" "$NGINX_RSS")× |"
echo "| ratio pingora-proxy / bare pingora | $(ratio "$P_RPS" "$B_RPS")× | $(ratio "$P_P50" "$B_P50")× | $(ratio "$P_P99" "$B_P99")× | |"
echo
echo "All rounds (rps p50 p99) — pingora-proxy: $(tr '\n' ';' < "$WORK/pingora.runs") nginx: $(tr '\n' ';' < "$WORK/nginx.runs") bare pingora: $(tr '\n' ';' < "$WORK/bare.runs")"
echo
echo "Reproduce: WORKERS=$WORKERS THREADS=$THREADS CONNECTIONS=$CONNECTIONS DURATION=$DURATION ROUNDS=$ROUNDS bash bench/gateway/run.sh"

node "$ROOT/bench/gateway/record.ts" --started-at "$STARTED_AT" --load "$LOAD_AT_START" \
  --workers "$WORKERS" --threads "$THREADS" --connections "$CONNECTIONS" --duration "$DURATION" --rounds "$ROUNDS" \
  --direct "$DIRECT_RPS $DIRECT_P50 $DIRECT_P99" --ours "$P_RPS $P_P50 $P_P99 $PINGORA_RSS" \
  --nginx "$N_RPS $N_P50 $N_P99 $NGINX_RSS" --bare "$B_RPS $B_P50 $B_P99"
