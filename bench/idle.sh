#!/usr/bin/env bash
# Measures what an idle Server-Sent Events client costs the seed program
# (servers/workerman: a 2-second timer per stream): wmload holds CLIENTS
# streams and reads the server's RSS before the first client and once every
# client has had an event, over all the server's processes.
#
#   ./idle.sh                         # 10,000 clients, one process
#   BASE=main ./idle.sh               # a git revision measured beside the working tree, same run
#   PROFILE=/tmp/heap ./idle.sh       # then one more run of each with a heap profile of its worker
#   go tool pprof -sample_index=inuse_space -top /tmp/heap/current.PID
#   MEMLOG=/tmp/mem ./idle.sh         # the worker logs the runtime's memory classes every second
#   cat /tmp/mem/current.PID          #   (with their growth per connection; see servers/workerman)
#
# The heap-profiled runs sample every allocation, which costs memory of its
# own: read RSS from the plain runs, bytes per structure from the profiles.
# Every server is started here and stopped by its pid, with its workers.
set -euo pipefail

CLIENTS=${CLIENTS:-10000}     # SSE clients
COUNT=${COUNT:-1}             # worker processes
DURATION=${DURATION:-8s}      # one measurement; the profile is written 1 s before its end
ROUNDS=${ROUNDS:-1}           # measurements of each variant, interleaved
BASE=${BASE:-}                # a git revision measured beside the working tree
PROFILE=${PROFILE:-}          # directory for heap profiles
MEMLOG=${MEMLOG:-}            # directory for the workers' memory logs
PORT=${PORT:-18500}
RESULTS=${RESULTS:-}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# A server and the load generator each hold one descriptor per client.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((CLIENTS + 100)) ]; then
	log "the descriptor limit ($(ulimit -n)) is below $CLIENTS clients"
	exit 1
fi

build workerman

cd "$work"
p=$PORT
measure() {
	local v=$1 heap=$2 server=$bin/workerman name="working tree"
	if [ "$v" = base ]; then
		server=$bin/workerman-base name=$BASE
	fi
	[ -n "$heap" ] && name="$name (heap profile)"
	log "== $name, $CLIENTS SSE clients, $COUNT process(es)"
	[ -n "$MEMLOG" ] && mkdir -p "$MEMLOG"
	start_server "$p" WM_MEMLOG="${MEMLOG:+$MEMLOG/$v}" WM_HEAPPROFILE="$heap" WM_HEAPPROFILE_AT="$(( ${DURATION%s} - 1 ))s" \
		GOMAXPROCS=1 WM_COUNT="$COUNT" WM_ADDR="127.0.0.1:$p" "$server" start
	record "$name c$COUNT" sse -c "$CLIENTS" -d "$DURATION" -server-pid "$server_pid" "http://127.0.0.1:$p/"
	stop_server
	p=$((p + 1))
}
for _ in $(seq "$ROUNDS"); do
	for v in $variants; do measure "$v" ""; done
done
if [ -n "$PROFILE" ]; then
	mkdir -p "$PROFILE"
	for v in $variants; do measure "$v" "$PROFILE/$v"; done
fi

echo "## $(nproc) CPUs, wmload on the same cores; $CLIENTS idle SSE clients, $DURATION per run, $(date -u +%Y-%m-%d)"
"$bin/wmload" table "$results"
