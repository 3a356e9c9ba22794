#!/usr/bin/env bash
# Measures the attacks of docs/reliability.md against the reliability server
# (servers/reliability) built from BASE, the revision before the limits that
# stop them, and from the working tree, in one run. For each attack it prints
# the server's resident memory (summed over its processes) idle, at its peak
# while the clients (bench/hostile) attack, when they are done (with their
# connections still as they left them) and 3 s after they closed, the
# connections it still holds when they are done, when it had let go of all
# of them, and what the clients saw:
#
#   - a peer that never reads: 10 clients with a 4 KiB receive buffer ask for
#     20 MiB each and read nothing for 12 s, the server's IdleTimeout 3 s;
#     then the same asking for Connection: close, on the default IdleTimeout
#     (60 s), so that the closing connection's CloseTimeout (5 s) ends it;
#   - 100,000 pipelined GETs in one write, read after 2 s;
#   - 20, then 40, clients each stalled 9 MiB into a body, silent for 4 s
#     once all have sent theirs.
#
#   ./reliability.sh               # about 2.5 minutes
#   BASE=main ./reliability.sh     # against another revision
#
# The old revision is checked out with git worktree for the build and
# removed after it. Every process is started here and stopped by its pid.
set -euo pipefail

BASE=${BASE:-7906283}   # the last revision without the limits
PORT=${PORT:-18500}
RESULTS=

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

client_pid=
base_tree=$work/base
finish() {
	if [ -n "$client_pid" ]; then
		kill -KILL "$client_pid" 2>/dev/null || true
		wait "$client_pid" 2>/dev/null || true
	fi
	[ -d "$base_tree" ] && git -C "$here" worktree remove --force "$base_tree" 2>/dev/null
	cleanup
}
trap finish EXIT

log "building into $bin"
(cd "$here" && go build -o "$bin/reliability" ./servers/reliability && go build -o "$bin/hostile" ./hostile)
git -C "$here" worktree add --quiet --detach "$base_tree" "$BASE"
# A revision older than the server gets today's, and the package it uses.
mkdir -p "$base_tree/bench/servers/reliability" "$base_tree/bench/internal"
[ -f "$base_tree/bench/servers/reliability/main.go" ] || cp "$here/servers/reliability/main.go" "$base_tree/bench/servers/reliability/"
[ -d "$base_tree/bench/internal/benchenv" ] || cp -r "$here/internal/benchenv" "$base_tree/bench/internal/"
(cd "$base_tree/bench" && go build -o "$bin/reliability-base" ./servers/reliability)
git -C "$here" worktree remove --force "$base_tree"

# Resident memory of the server's processes, in MB.
rss_mb() {
	local kb=0 p v
	for p in $(tree "$server_pid"); do
		v=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null) || continue
		kb=$((kb + ${v:-0}))
	done
	awk -v kb="$kb" 'BEGIN { printf "%.0f", kb / 1024 }'
}

# Sockets the server's processes hold.
sockets() {
	local n=0 p
	for p in $(tree "$server_pid"); do
		n=$((n + $(ls -l /proc/"$p"/fd 2>/dev/null | grep -c 'socket:' || true)))
	done
	echo "$n"
}

cd "$work"
p=$PORT
# attack NAME IDLE_TIMEOUT HOSTILE-ARGS...: one row for each server.
attack() {
	local name=$1 idle=$2 v server label
	shift 2
	for v in base current; do
		server=$bin/reliability label="working tree"
		[ "$v" = base ] && server=$bin/reliability-base label=$BASE
		log "== $name, $label"
		start_server "$p" GOMAXPROCS=1 WM_COUNT=1 WM_ADDR="127.0.0.1:$p" WM_IDLE_TIMEOUT="$idle" "$server" start
		sleep 0.5 # the worker process is up
		local idle_rss sockets0 peak r open=0 seen= freed=never t0 now done_rss after_rss
		idle_rss=$(rss_mb) sockets0=$(sockets) peak=$idle_rss
		: >"$work/client.out"
		"$bin/hostile" "$@" "127.0.0.1:$p" >"$work/client.out" &
		client_pid=$!
		t0=$(date +%s%N)
		while [ ! -s "$work/client.out" ]; do
			kill -0 "$client_pid" 2>/dev/null || { log "the client failed"; exit 1; }
			sleep 0.25
			r=$(rss_mb) open=$(($(sockets) - sockets0))
			[ "$r" -gt "$peak" ] && peak=$r
			now=$((($(date +%s%N) - t0) / 1000000))
			if [ "$open" -gt 0 ]; then
				seen=1
			elif [ -n "$seen" ] && [ "$freed" = never ]; then
				freed=$(awk -v ms="$now" 'BEGIN { printf "%.1f s", ms / 1000 }')
			fi
		done
		done_rss=$(rss_mb) open=$(($(sockets) - sockets0))
		kill -TERM "$client_pid"
		wait "$client_pid" 2>/dev/null || true
		client_pid=
		sleep 3
		after_rss=$(rss_mb)
		stop_server
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$label" "$idle_rss" "$peak" \
			"$done_rss" "$after_rss" "$open" "$freed" "$(cat "$work/client.out")"
		p=$((p + 1))
	done
}

echo "## $(nproc) CPUs, $(date -u +%Y-%m-%d); RSS in MB, summed over the server's processes"
echo
echo "| attack | server | RSS idle | RSS peak | RSS when the clients are done | 3 s after they closed | connections held when done | all let go at | what the clients saw |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
attack "peer that never reads" 3s stallread -c 10 -hold 12s
attack "peer that never reads, Connection: close" 0 stallread -c 10 -hold 12s -close
attack "100,000 pipelined GETs" 0 pipeline -n 100000 -wait 2s
attack "20 stalled 9 MiB bodies" 0 stallbody -c 20 -mib 9 -hold 4s
attack "40 stalled 9 MiB bodies" 0 stallbody -c 40 -mib 9 -hold 4s
