#!/usr/bin/env bash
# Throughput of sessim's built-in balancer and of nginx, side by side, in
# front of the same two `sessim node` processes on loopback. Alternates the
# two balancers ROUNDS times and prints requests/s and the ratio per round.
# Needs: build/sessim, nginx, wrk (apt-get install nginx-light wrk).
# Usage: bench/balancer_vs_nginx.sh [ROUNDS] [SECONDS] [CONNECTIONS] [PATH]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; SECONDS_PER_RUN=${2:-5}; CONNECTIONS=${3:-32}; URL_PATH=${4:-/healthz}
SESSIM=${SESSIM:-build/sessim}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
WORK=$(mktemp -d /tmp/sessim-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Starts a sessim server with --port 0 in this shell (so that its PID is
# recorded for cleanup: a $(...) subshell would lose it).
start_sessim() {
  local log=$1; shift
  "$SESSIM" "$@" --port 0 >"$log" 2>&1 &
  PIDS+=($!)
}

# The port a started server announced in its log.
announced_port() {
  local log=$1
  for _ in $(seq 200); do
    if grep -q 'http://' "$log"; then sed -n 's#.*http://[^:]*:\([0-9]*\).*#\1#p' "$log" | head -1; return; fi
    sleep 0.02
  done
  echo "bench: server did not start: $(cat "$log")" >&2; exit 3
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

start_sessim "$WORK/n1.log" node --name node-1
start_sessim "$WORK/n2.log" node --name node-2
N1=$(announced_port "$WORK/n1.log")
N2=$(announced_port "$WORK/n2.log")
start_sessim "$WORK/b.log" balance -u "node-1=http://127.0.0.1:$N1" -u "node-2=http://127.0.0.1:$N2"
SB=$(announced_port "$WORK/b.log")
NG=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $WORK/nginx.pid; error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off; client_body_temp_path $WORK; proxy_temp_path $WORK;
  upstream app { server 127.0.0.1:$N1; server 127.0.0.1:$N2; keepalive 32; }
  server { listen 127.0.0.1:$NG;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" &
PIDS+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$NG/healthz" >/dev/null 2>&1 && break; sleep 0.02; done

rps() { wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$1$URL_PATH" | awk '/Requests\/sec/ {print $2}'; }
echo "| round | sessim req/s | nginx req/s | sessim / nginx |"
echo "|---:|---:|---:|---:|"
for round in $(seq "$ROUNDS"); do
  s=$(rps "$SB"); n=$(rps "$NG")
  echo "| $round | $s | $n | $(python3 -c "print(f'{$s/$n:.2f}')") |"
done
echo
echo "direct to one node, for scale: $(rps "$N1") req/s"
