#!/usr/bin/env bash
# Measures Workerman-Go against fasthttp and net/http on this machine, in one
# run, and prints Markdown tables (see README.md for what each number means).
#
#   ./run.sh                      # the whole run, about 3 minutes
#   DURATION=2s ROUNDS=1 ./run.sh # a quick look
#
# Every server is started here, found by its pid, and stopped by that pid
# (with its worker processes) before the next one starts, even on Ctrl+C.
set -euo pipefail

DURATION=${DURATION:-3s}      # one round of one HTTP measurement
ROUNDS=${ROUNDS:-3}           # rounds per measurement; the table shows the median
CONNS=${CONNS:-100}           # HTTP connections
DEPTH=${DEPTH:-16}            # pipelining depth
SSE_CLIENTS=${SSE_CLIENTS:-"1000 10000"}
SSE_DURATION=${SSE_DURATION:-6s}
PORT=${PORT:-18480}           # first of the ports used, one per server
RESULTS=${RESULTS:-}          # keep the raw results (JSON lines) in this file

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

http_server() {
	local name=$1 port=$2
	shift 2
	log "== $name"
	start_server "$port" "$@"
	record "$name" http -c "$CONNS" -d "$DURATION" -rounds "$ROUNDS" "http://127.0.0.1:$port/"
	record "$name" http -c "$CONNS" -p "$DEPTH" -d "$DURATION" -rounds "$ROUNDS" "http://127.0.0.1:$port/"
	stop_server
}

sse_server() {
	local name=$1 port=$2 n
	shift 2
	for n in $SSE_CLIENTS; do
		log "== $name, $n SSE clients"
		start_server "$port" "$@"
		record "$name" sse -c "$n" -d "$SSE_DURATION" -server-pid "$server_pid" "http://127.0.0.1:$port/"
		stop_server
	done
}

log "building into $bin"
(cd "$here" && go build -o "$bin/" ./servers/...)
(cd "$here/.." && go build -o "$bin/wmload" ./cmd/wmload)

# The server's working directory holds whatever files it writes.
cd "$work"
p=$PORT
http_server "fasthttp (GOMAXPROCS 2)" $((p + 0)) GOMAXPROCS=2 "$bin/fasthttp" -addr "127.0.0.1:$((p + 0))"
http_server "fasthttp (GOMAXPROCS 1)" $((p + 1)) GOMAXPROCS=1 "$bin/fasthttp" -addr "127.0.0.1:$((p + 1))"
http_server "net/http (GOMAXPROCS 2)" $((p + 2)) GOMAXPROCS=2 "$bin/nethttp" -addr "127.0.0.1:$((p + 2))"
# One event loop per process: GOMAXPROCS=1 in each, so c2 uses two cores as
# fasthttp with GOMAXPROCS=2 does.
http_server "Workerman-Go c1" $((p + 3)) GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$((p + 3))" "$bin/workerman" start
http_server "Workerman-Go c2" $((p + 4)) GOMAXPROCS=1 WM_COUNT=2 WM_ADDR="127.0.0.1:$((p + 4))" "$bin/workerman" start
sse_server "Workerman-Go c1 (seed, 2 s timer)" $((p + 5)) WM_STAMP=1 GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$((p + 5))" "$bin/workerman" start
sse_server "Workerman-Go c2 (seed, 2 s timer)" $((p + 6)) WM_STAMP=1 GOMAXPROCS=1 WM_COUNT=2 WM_ADDR="127.0.0.1:$((p + 6))" "$bin/workerman" start

echo "## $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))," \
	"wmload on the same cores; $CONNS connections, $ROUNDS rounds of $DURATION, $(date -u +%Y-%m-%d)"
echo
"$bin/wmload" table -ref "fasthttp (GOMAXPROCS 2)" "$results"
