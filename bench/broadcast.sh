#!/usr/bin/env bash
# Measures broadcast to many Server-Sent Events clients: the broadcast server
# (servers/broadcast) sends one stamped event per second from one timer per
# process to every stream of that process, and wmload times each broadcast
# from the send to its first and its last receipt and reads the server's
# memory with every client connected and at its peak. Beside it, the floor
# (servers/floor) does the same with no framework, a write(2) per stream
# from a bare epoll loop, with the same clients, interleaved: what the
# kernel alone costs in the same run.
#
#   ./broadcast.sh                   # 10,000 clients, 1 and 2 processes, ours and the floor
#   FLOOR= READERS=0 ./broadcast.sh  # no floor; a goroutine per client in wmload
#   WM_SPREAD=1 ./broadcast.sh       # the processes' timers spread over the second
#   BASE=main ./broadcast.sh         # the same for a git revision too, in the same run
#   PROFILE=/tmp/prof ./broadcast.sh # CPU profiles of the worker processes
#
# Every server is started here and stopped by its pid, with its workers.
set -euo pipefail

CLIENTS=${CLIENTS:-10000}     # SSE clients
COUNTS=${COUNTS:-"1 2"}       # worker processes, one measurement each
DURATION=${DURATION:-12s}     # one measurement, in seconds; broadcasts start 3 s in
ROUNDS=${ROUNDS:-1}           # measurements of each server, interleaved
BASE=${BASE:-}                # a git revision measured beside the working tree
PROFILE=${PROFILE:-}          # directory for CPU profiles (working tree and floor)
FLOOR=${FLOOR-1}              # empty: measure no floor
MAXPROCS=${MAXPROCS:-1}       # GOMAXPROCS of each server process
READERS=${READERS:-1}         # wmload's epoll reader threads (-readers), 0 for a goroutine per client
PORT=${PORT:-18490}
RESULTS=${RESULTS:-}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

build broadcast
if [ -n "$FLOOR" ]; then
	(cd "$here" && go build -o "$bin/floor" ./servers/floor)
	variants="$variants floor"
fi

cd "$work"
p=$PORT
for round in $(seq "$ROUNDS"); do
	for n in $COUNTS; do
		for v in $variants; do
			server=$bin/broadcast name="working tree c$n" prof=
			if [ "$v" = base ]; then
				server=$bin/broadcast-base name="$BASE c$n"
			elif [ "$v" = floor ]; then
				server=$bin/floor name="floor c$n"
			fi
			if [ "$v" != base ] && [ -n "$PROFILE" ]; then
				mkdir -p "$PROFILE"
				prof=$PROFILE/cpu.c$n
				[ "$v" = floor ] && prof=$PROFILE/floor.c$n
			fi
			log "== $name, $CLIENTS SSE clients, round $round"
			start_server "$p" WM_START_AFTER=2s WM_CPUPROFILE="$prof" WM_CPUPROFILE_FOR="$(( ${DURATION%s} - 1 ))s" \
				GOMAXPROCS="$MAXPROCS" WM_COUNT="$n" WM_ADDR="127.0.0.1:$p" "$server" start
			record "$name" sse -c "$CLIENTS" -d "$DURATION" -readers "$READERS" -server-pid "$server_pid" "http://127.0.0.1:$p/"
			stop_server
			p=$((p + 1))
		done
	done
done

readers="a goroutine per client"
[ "$READERS" -gt 0 ] && readers="$READERS epoll reader thread(s)"
echo "## $(nproc) CPUs, wmload ($readers) on the same cores; $CLIENTS clients, $DURATION per run, $(date -u +%Y-%m-%d)"
"$bin/wmload" table "$results"
