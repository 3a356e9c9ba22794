#!/usr/bin/env bash
# Measures the cluster module on this machine, in one run, with the
# project's load generator (cmd/wmload), and prints Markdown tables:
#   - a stamped broadcast to N SSE clients: one process sending to its own
#     streams (local), then SendToGroup from one of two processes to streams
#     spread over both (cluster); the last receipt of each broadcast, p50/p99;
#   - SendToUid from a pusher process to streams in another, at rising rates:
#     deliveries per second;
#   - memory per idle stream: plain, and bound to a uid of its own; the
#     difference is what being addressable costs a connection.
# Needs Go, bash and python3 (for the last table) on Linux.
#
#   ./run.sh                  # about two minutes
#   CLIENTS=1000 ./run.sh     # a quick look
#
# Every server is started here and stopped by its pid (its children with it).
set -euo pipefail

CLIENTS=${CLIENTS:-10000}     # SSE clients of the broadcast and memory runs
UID_CLIENTS=${UID_CLIENTS:-1000}
RATES=${RATES:-"50000 100000 150000 200000"}
DURATION=${DURATION:-8s}
PORT=${PORT:-18490}

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
bin=$work/bin
results=$work/results.jsonl
: >"$results"
server_pid=

log() { printf '%s\n' "$*" >&2; }

stop_server() {
	[ -n "$server_pid" ] || return 0
	kill -INT "$server_pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# run NAME WMLOAD-ARGS -- ENV...: starts the server with ENV, measures, stops it.
run() {
	local name=$1 args=$2 report
	shift 2
	log "== $name"
	env WM_ADDR=127.0.0.1:$PORT GOMAXPROCS=1 "$@" "$bin/server" start >"$work/server.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 200); do port_open "$PORT" && break; sleep 0.05; done
	port_open "$PORT" || { cat "$work/server.log" >&2; exit 1; }
	# wmload ends by itself after DURATION; the bound is for a run that hangs.
	report=$(timeout 120 "$bin/wmload" sse -json $args -d "$DURATION" -server-pid "$server_pid" "http://127.0.0.1:$PORT/")
	printf '{"server":"%s","cpu_s":0,"report":%s}\n' "$name" "$report" >>"$results"
	stop_server
}

log "building into $bin"
(cd "$here" && go build -o "$bin/server" ./server)
(cd "$here/../.." && go build -o "$bin/wmload" ./cmd/wmload)
cd "$work"

run "local broadcast, 1 process" "-c $CLIENTS" WM_MODE=local WM_COUNT=1
run "cluster SendToGroup, 2 processes" "-c $CLIENTS" WM_MODE=group WM_COUNT=2
for rate in $RATES; do
	run "SendToUid $rate/s offered" "-c $UID_CLIENTS" WM_MODE=uid WM_COUNT=1 WM_RATE="$rate" WM_UIDS="$UID_CLIENTS"
done
run "idle, plain" "-c $CLIENTS" WM_MODE=local WM_COUNT=1 WM_EVERY=1h
run "idle, bound to a uid each" "-c $CLIENTS" WM_MODE=uid WM_COUNT=1 WM_RATE=0

echo "## $(nproc) CPUs, wmload on the same cores, $(date -u +%Y-%m-%d)"
echo
"$bin/wmload" table "$results"
echo
# The three figures, against their goals.
python3 - "$results" <<'PY'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs[r["server"]] = r["report"]
local = runs["local broadcast, 1 process"]["broadcast_last_ms"]
group = runs["cluster SendToGroup, 2 processes"]["broadcast_last_ms"]
uid = max((rep["events_per_s"], name) for name, rep in runs.items() if name.startswith("SendToUid"))
# The two idle runs hold as many streams in as many processes: the
# difference of their resident memory is the uid bindings, theirs and the
# embedded server's.
after = lambda name: runs[name]["server"]["rss_after_kb"]
bound = runs["idle, bound to a uid each"]
added = (after("idle, bound to a uid each") - after("idle, plain")) * 1024 / bound["connected"]
print("| figure | this run | goal |")
print("| --- | --- | --- |")
print("| broadcast send → last receipt p50 / p99, local (1 process) | %.1f / %.1f ms | |" % (local["p50"], local["p99"]))
print("| the same through the cluster (SendToGroup, 2 processes) | %.1f / %.1f ms, p50 %.2f× local | ≤ 1.5× |" % (group["p50"], group["p99"], group["p50"] / local["p50"]))
print("| SendToUid deliveries between processes | %.0f/s (%s) | ≥ 100,000/s |" % uid)
print("| memory an idle connection adds by being bound to a uid | %.0f bytes | |" % added)
PY
