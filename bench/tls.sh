#!/usr/bin/env bash
# Measures the https servers side by side in one run: Workerman-Go (the seed,
# servers/workerman over its ssl transport, with 1 and 2 worker processes:
# workerman-N), fasthttp and net/http, each over
# crypto/tls with the same self-signed P-256 certificate (made here with
# openssl). For each: the server's RSS per idle TLS connection (tlsidle: one
# request each, then idle; for the seed also event streams), then wrk over
# https, keep-alive and pipelined.
#
#   ./tls.sh                     # 2000 idle connections, 5 s per wrk run
#   CLIENTS=5000 DURATION=10s ./tls.sh
#
# Every server is started here and stopped by its pid, with its workers.
set -euo pipefail

CLIENTS=${CLIENTS:-2000}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-100}
DEPTH=${DEPTH:-16}
PORT=${PORT:-18600}
RESULTS=${RESULTS:-}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ulimit -n "$(ulimit -Hn)"
command -v wrk >/dev/null || { log "wrk is not installed (Debian: apt-get install wrk)"; exit 1; }
command -v openssl >/dev/null || { log "openssl is not installed"; exit 1; }

build workerman
(cd "$here" && go build -o "$bin/fasthttp" ./servers/fasthttp && go build -o "$bin/nethttp" ./servers/nethttp &&
	go build -o "$bin/tlsidle" ./tlsidle)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

cd "$work"
echo "## $(nproc) CPUs, GOMAXPROCS 2; $CLIENTS idle TLS connections; wrk $CONNS connections, $DURATION per run, $(date -u +%Y-%m-%d)"
echo
p=$PORT
serve() { # serve NAME: starts one server on port $p
	case $1 in
	workerman*) start_server "$p" GOMAXPROCS=2 WM_COUNT="${1#workerman-}" WM_ADDR="127.0.0.1:$p" \
		TLS_CERT="$work/cert.pem" TLS_KEY="$work/key.pem" "$bin/workerman" start ;;
	*) start_server "$p" GOMAXPROCS=2 "$bin/$1" -addr "127.0.0.1:$p" -cert "$work/cert.pem" -key "$work/key.pem" ;;
	esac
}
for s in workerman-1 workerman-2 fasthttp nethttp; do
	url="https://127.0.0.1:$p/"
	echo "### $s"
	echo
	if [ "$s" = workerman-1 ]; then # a server of its own: RSS does not shrink after a run
		serve "$s"
		echo "- idle event streams: $(load "$bin/tlsidle" -c "$CLIENTS" -pid "$server_pid" -sse "$url")"
		stop_server
		p=$((p + 1)) url="https://127.0.0.1:$p/"
	fi
	serve "$s"
	echo "- idle keep-alive: $(load "$bin/tlsidle" -c "$CLIENTS" -pid "$server_pid" "$url")"
	for depth in 1 "$DEPTH"; do
		line=$(load wrk -t2 -c"$CONNS" -d"$DURATION" -s "$here/wrk.lua" "$url" -- "$depth" | grep '^{')
		rps=$(awk -v l="$line" 'BEGIN { i = index(l, "\"responses\":"); r = substr(l, i + 12) + 0; j = index(l, "\"seconds\":"); s = substr(l, j + 10) + 0; printf "%.0f", r / s }')
		echo "- wrk https, pipelining depth $depth: $rps responses/s"
	done
	echo
	stop_server
	p=$((p + 1))
done
