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
work=$(mktemp -d)
bin=$work/bin
results=${RESULTS:-$work/results.jsonl}
: >"$results"
server_pid=

log() { printf '%s\n' "$*" >&2; }

# The pid and every descendant of it.
tree() {
	local p=$1 kid
	echo "$p"
	for kid in $(cat /proc/"$p"/task/*/children 2>/dev/null); do tree "$kid"; done
}

# User+system CPU seconds of the server's process tree.
cpu_seconds() {
	local ticks=0 p stat
	for p in $(tree "$server_pid"); do
		stat=$(cat /proc/"$p"/stat 2>/dev/null) || continue
		stat=${stat##*) }           # fields after the command name
		set -- $stat
		ticks=$((ticks + ${12} + ${13})) # utime and stime
	done
	awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

stop_server() {
	[ -n "$server_pid" ] || return 0
	local pids p i
	pids=$(tree "$server_pid")
	kill -TERM "$server_pid" 2>/dev/null || true
	for i in $(seq 100); do
		alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# start_server PORT ENV... -- COMMAND...: runs the server in the background
# and waits (at most 10 s) until it accepts connections.
start_server() {
	local port=$1 i
	shift
	if port_open "$port"; then
		log "port $port is already in use: set PORT to a free range"
		exit 1
	fi
	env "$@" >"$work/server.log" 2>&1 &
	server_pid=$!
	for i in $(seq 200); do
		port_open "$port" && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			log "server exited before listening:"; cat "$work/server.log" >&2; exit 1
		fi
		sleep 0.05
	done
	log "server did not listen on port $port within 10 s:"; cat "$work/server.log" >&2
	exit 1
}

# record NAME WMLOAD-ARGS...: runs wmload against the running server and
# appends its report, labelled, to the results.
record() {
	local name=$1 before report
	shift
	before=$(cpu_seconds)
	report=$("$bin/wmload" "${@:1:1}" -json "${@:2}")
	printf '{"server":"%s","cpu_s":%s,"report":%s}\n' "$name" \
		"$(awk -v a="$before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.3f", b - a }')" "$report" >>"$results"
}

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
