#!/usr/bin/env bash
# Measures Workerman-Go against fasthttp, gnet and net/http on this machine,
# in one run, with two load generators (the project's wmload and wrk), and
# prints Markdown tables (see README.md for what each number means).
#
#   ./run.sh                                 # the whole run, about 8 minutes
#   DURATION=2s ROUNDS=1 ./run.sh            # a quick look
#   SECTIONS=pinned ./run.sh                 # one pinned core only
#
# Sections: "shared" (servers and load generator on both cores), "pinned"
# (each server on CPU 0 with one process or loop, the load generator on
# CPU 1) and "sse". wrk runs beside wmload where it is installed (Debian:
# apt-get install wrk); without it the tables have wmload's rows alone.
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
SECTIONS=${SECTIONS:-"shared pinned sse"}
PORT=${PORT:-18480}           # first of the ports used, one per server
RESULTS=${RESULTS:-}          # keep the raw results (JSON lines) in this file

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

wrk_threads=2
if ! command -v wrk >/dev/null; then
	log "wrk is not installed (Debian: apt-get install wrk): measuring with wmload alone"
	wrk_threads=
fi

# The HTTP servers of a section run side by side (an idle one costs nothing)
# and are measured round by round in turn, so that a burst of other work on
# the machine falls on every server alike rather than on all rounds of one.
names=() ports=() pids=()

# http_server NAME PORT ENV... COMMAND...: starts a server of the section.
http_server() {
	local name=$1 port=$2
	shift 2
	log "starting $name"
	start_server "$port" "$@"
	names+=("$name") ports+=("$port") pids+=("$server_pid")
}

# measure_http: ROUNDS rounds of every mode on every server of the section,
# one round of each at a time; then it stops them.
measure_http() {
	local r i url
	for r in $(seq "$ROUNDS"); do
		for i in "${!names[@]}"; do
			log "== round $r of $ROUNDS: ${names[$i]}"
			server_pid=${pids[$i]} url="http://127.0.0.1:${ports[$i]}/"
			record "${names[$i]}" http -c "$CONNS" -d "$DURATION" -rounds 1 "$url"
			record "${names[$i]}" http -c "$CONNS" -p "$DEPTH" -d "$DURATION" -rounds 1 "$url"
			if [ -n "$wrk_threads" ]; then
				record_wrk "${names[$i]}" "$wrk_threads" "$CONNS" 1 "$DURATION" "$url"
				record_wrk "${names[$i]}" "$wrk_threads" "$CONNS" "$DEPTH" "$DURATION" "$url"
			fi
		done
	done
	stop_server
	names=() ports=() pids=()
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

section() { [[ " $SECTIONS " == *" $1 "* ]]; }

log "building into $bin"
(cd "$here" && go build -o "$bin/" ./servers/...)
(cd "$here/.." && go build -o "$bin/wmload" ./cmd/wmload)

# The server's working directory holds whatever files it writes.
cd "$work"
p=$PORT
shared=$results
if section shared; then
	http_server "fasthttp (GOMAXPROCS 2)" $((p + 0)) GOMAXPROCS=2 "$bin/fasthttp" -addr "127.0.0.1:$((p + 0))"
	http_server "fasthttp (GOMAXPROCS 1)" $((p + 1)) GOMAXPROCS=1 "$bin/fasthttp" -addr "127.0.0.1:$((p + 1))"
	http_server "gnet (GOMAXPROCS 2, 2 loops)" $((p + 2)) GOMAXPROCS=2 "$bin/gnet" -loops 2 -addr "127.0.0.1:$((p + 2))"
	http_server "gnet (GOMAXPROCS 1, 1 loop)" $((p + 3)) GOMAXPROCS=1 "$bin/gnet" -loops 1 -addr "127.0.0.1:$((p + 3))"
	http_server "net/http (GOMAXPROCS 2)" $((p + 4)) GOMAXPROCS=2 "$bin/nethttp" -addr "127.0.0.1:$((p + 4))"
	# One event loop per process: GOMAXPROCS=1 in each, so c2 uses two cores as
	# fasthttp with GOMAXPROCS=2 does.
	http_server "Workerman-Go c1" $((p + 5)) GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$((p + 5))" "$bin/workerman" start
	http_server "Workerman-Go c2" $((p + 6)) GOMAXPROCS=1 WM_COUNT=2 WM_ADDR="127.0.0.1:$((p + 6))" "$bin/workerman" start
	measure_http
fi
if section sse; then
	sse_server "Workerman-Go c1 (seed, 2 s timer)" $((p + 7)) WM_STAMP=1 GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$((p + 7))" "$bin/workerman" start
	sse_server "Workerman-Go c2 (seed, 2 s timer)" $((p + 8)) WM_STAMP=1 GOMAXPROCS=1 WM_COUNT=2 WM_ADDR="127.0.0.1:$((p + 8))" "$bin/workerman" start
fi
pinned=$work/pinned.jsonl
[ -z "$RESULTS" ] || pinned=${RESULTS%.jsonl}.pinned.jsonl
if section pinned; then
	# Every server on CPU 0 with one process (or loop) and GOMAXPROCS 1,
	# the load generator alone on CPU 1 (wrk with one thread).
	results=$pinned load_cpu=1 wrk_threads=${wrk_threads:+1}
	: >"$results"
	http_server "fasthttp (GOMAXPROCS 1, CPU 0)" $((p + 9)) GOMAXPROCS=1 taskset -c 0 "$bin/fasthttp" -addr "127.0.0.1:$((p + 9))"
	http_server "gnet (1 loop, CPU 0)" $((p + 10)) GOMAXPROCS=1 taskset -c 0 "$bin/gnet" -loops 1 -addr "127.0.0.1:$((p + 10))"
	http_server "net/http (GOMAXPROCS 1, CPU 0)" $((p + 11)) GOMAXPROCS=1 taskset -c 0 "$bin/nethttp" -addr "127.0.0.1:$((p + 11))"
	http_server "Workerman-Go c1 (CPU 0)" $((p + 12)) GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$((p + 12))" taskset -c 0 "$bin/workerman" start
	measure_http
fi

cpu="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
rounds="$CONNS connections, $ROUNDS rounds of $DURATION, $(date -u +%Y-%m-%d)"
if [ -s "$shared" ]; then
	echo "## $cpu, the load generator on the same cores; $rounds"
	echo
	"$bin/wmload" table -ref "fasthttp (GOMAXPROCS 2)" "$shared"
	echo
fi
if section pinned && [ -s "$pinned" ]; then
	echo "## One pinned core: each server on CPU 0, the load generator on CPU 1; $rounds"
	echo
	"$bin/wmload" table -ref "fasthttp (GOMAXPROCS 1, CPU 0)" "$pinned"
fi
