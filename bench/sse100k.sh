#!/usr/bin/env bash
# Holds 100,000 Server-Sent Events clients of the seed (one event every 2 s
# per connection, stamped with the time it was due) on this machine, and
# prints what it took: clients connected, events due, late and missed, the
# time until every client was connected, and the server's resident memory
# per connection (master and children summed).
#
#   ./sse100k.sh                          # 100,000 clients, 8 processes, 40 s
#   CLIENTS=20000 DURATION=20s ./sse100k.sh
#
# One process may hold only as many descriptors as its hard limit allows
# (ulimit -Hn), so the server runs COUNT worker processes and the load comes
# from LOADERS wmload processes in parallel, each with CLIENTS/LOADERS
# clients from a loopback source address of its own (127.0.0.11, .12, ...):
# one address has about 28,000 ephemeral ports. Every process started here
# is bounded by DURATION and stopped by its pid.
set -euo pipefail

CLIENTS=${CLIENTS:-100000}
COUNT=${COUNT:-8}             # worker processes of the server
LOADERS=${LOADERS:-7}         # wmload processes
DURATION=${DURATION:-40s}     # how long every client is held
LATE=${LATE:-250ms}           # a receipt later than this after its due time is late
DIAL_TIMEOUT=${DIAL_TIMEOUT:-30s} # one connect, on a machine busy with the clients already in
PORT=${PORT:-18520}
RESULTS=${RESULTS:-}          # keep the wmload reports (JSON lines) in this file

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

loader_pids=()
stop_loaders() {
	local p
	for p in "${loader_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
}
trap 'stop_loaders; cleanup' EXIT

# Resident memory (VmRSS, kB) summed over the server's processes.
rss_kb() {
	local p sum=0 kb
	for p in $(tree "$server_pid"); do
		kb=$(awk '/^VmRSS:/ { print $2 }' /proc/"$p"/status 2>/dev/null) || continue
		sum=$((sum + ${kb:-0}))
	done
	echo "$sum"
}

# Busy CPU seconds of the whole machine (user, nice, system, irq, softirq).
machine_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat
}

# CPU seconds of this shell's children that have been waited for.
children_cpu() {
	local stat
	stat=$(cat /proc/$$/stat)
	set -- ${stat##*) }
	awk -v t="$((${14} + ${15}))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# Open descriptors of each of the server's processes, one count a line.
fd_counts() {
	local p
	for p in $(tree "$server_pid"); do
		ls -f /proc/"$p"/fd 2>/dev/null | grep -vc '^\.'  || true
	done
}

log "building into $bin"
(cd "$here" && go build -o "$bin/" ./servers/workerman)
(cd "$here/.." && go build -o "$bin/wmload" ./cmd/wmload)

cd "$work"
log "== the seed with WM_STAMP=due, $COUNT processes; $CLIENTS clients from $LOADERS wmload processes for $DURATION"
start_server "$PORT" WM_STAMP=due GOMAXPROCS=1 WM_COUNT="$COUNT" WM_ADDR="127.0.0.1:$PORT" "$bin/workerman" start
# The port opens with the master; the memory before is read once every
# child is there too.
for i in $(seq 100); do
	[ "$(tree "$server_pid" | wc -l)" -gt "$COUNT" ] && break
	sleep 0.1
done
sleep 1
before_kb=$(rss_kb)
before_fds=$(fd_counts | awk '{ s += $1 } END { print s }')

started=$(date +%s.%N)
machine_before=$(machine_cpu) server_before=$(cpu_seconds) loaders_before=$(children_cpu)
for i in $(seq 0 $((LOADERS - 1))); do
	n=$((CLIENTS / LOADERS + (i < CLIENTS % LOADERS ? 1 : 0)))
	"$bin/wmload" sse -json -c "$n" -concurrency 128 -d "$DURATION" -every 2s -late "$LATE" -dial-timeout "$DIAL_TIMEOUT" \
		-src "127.0.0.$((11 + i))" "http://127.0.0.1:$PORT/" >"$work/load.$i.json" 2>"$work/load.$i.err" &
	loader_pids+=($!)
done

# Every client connected is one more descriptor in the server. The memory
# is read 2.5 s after the last, once every stream has had its first event,
# or, when they are not all in by 20 s before the end (a quarter of a
# short run), then; it is divided
# by the connections the server holds as it is read.
seconds=${DURATION%s}
connected_after=
while :; do
	now=$(date +%s.%N)
	fds=$(fd_counts | awk '{ s += $1 } END { print s }')
	if [ $((fds - before_fds)) -ge "$CLIENTS" ]; then
		connected_after=$(awk -v a="$started" -v b="$now" 'BEGIN { printf "%.1f", b - a }')
		sleep 2.5
		break
	fi
	awk -v a="$started" -v b="$(date +%s.%N)" -v d="$seconds" 'BEGIN { exit !(b - a > (d > 80 ? d - 20 : d * 0.75)) }' && break
	sleep 0.5
done
all_kb=$(rss_kb)
sampled_at=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
per_process=$(fd_counts | sort -n | tr '\n' ' ')
held=$(($(echo "$per_process" | tr ' ' '\n' | awk '{ s += $1 } END { print s }') - before_fds))

for p in "${loader_pids[@]}"; do wait "$p" || log "wmload $p failed: $(cat "$work"/load.*.err)"; done
loader_pids=()
server_cpu=$(awk -v a="$server_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.1f", b - a }')
loaders_cpu=$(awk -v a="$loaders_before" -v b="$(children_cpu)" 'BEGIN { printf "%.1f", b - a }')
machine=$(awk -v a="$machine_before" -v b="$(machine_cpu)" 'BEGIN { printf "%.1f", b - a }')
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
peak_kb=0
for p in $(tree "$server_pid"); do
	peak_kb=$((peak_kb + $(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status)))
done
stop_server
cat "$work"/load.*.json >>"$results"
# A worker process that died was replaced by the master, without its clients.
exits=$(grep -c 'exit with status' "$work/server.$PORT.log" || true)
grep 'exit with status\|panic\|fatal' "$work/server.$PORT.log" | head -20 >&2 || true

jq -rs --arg clients "$CLIENTS" --arg count "$COUNT" --arg loaders "$LOADERS" --arg late "$LATE" \
	--arg before "$before_kb" --arg all "$all_kb" --arg peak "$peak_kb" --arg fds "$per_process" --arg held "$held" --arg exits "$exits" --arg sampled "$sampled_at" \
	--arg server_cpu "$server_cpu" --arg loaders_cpu "$loaders_cpu" --arg machine "$machine" --arg elapsed "$elapsed" \
	--arg seen "${connected_after:-never}" --arg cpus "$(nproc)" --arg date "$(date -u +%Y-%m-%d)" '
	def r2: . * 100 | round / 100;
	(map(.connected) | add) as $conn |
	"## \($clients) SSE clients of the seed, \($count) worker processes, \($loaders) wmload processes, \($cpus) CPUs, \($date)",
	"",
	"| | |",
	"| --- | --- |",
	"| connected | \($conn) of \($clients) (failed \(map(.failed) | add)) |",
	"| all connected after | \(if all(.connect_all_s > 0) then (map(.connect_all_s) | max | r2 | tostring) + " s" else "not all" end) (the server held every descriptor \($seen) s in) |",
	"| every client had an event after | \(if all(.first_event_all_s > 0) then (map(.first_event_all_s) | max | r2 | tostring) + " s" else "not all" end) |",
	"| events due / received / late (> \($late)) / missed | \(map(.schedule.due) | add) / \(map(.events) | add) / \(map(.schedule.late) | add) / \(map(.schedule.missed) | add) |",
	"| due -> receipt p50 / p99 / max, ms (worst wmload) | \(map(.latency_ms.p50) | max | r2) / \(map(.latency_ms.p99) | max | r2) / \(map(.latency_ms.max) | max | r2) |",
	"| server RSS before / with every client / peak | \(($before | tonumber) / 1024 | floor) MB / \(($all | tonumber) / 1024 | floor) MB / \(($peak | tonumber) / 1024 | floor) MB |",
	"| RSS per connection | \(if ($held | tonumber) > 0 then ((($all | tonumber) - ($before | tonumber)) / ($held | tonumber) | r2 | tostring) + " KB, over the \($held) connections held as it was read, \($sampled) s in" else "–" end) |",
	"| descriptors per server process | \($fds)|",
	"| server processes that died (and were replaced) | \($exits) |",
	"| CPU seconds over \($elapsed) s: server / wmload / everything else on the machine | \($server_cpu) / \($loaders_cpu) / \((($machine | tonumber) - ($server_cpu | tonumber) - ($loaders_cpu | tonumber)) | r2) (of \(($elapsed | tonumber) * ($cpus | tonumber) | r2)) |",
	"| wmload errors | \(map(.errors | [.. | numbers] | add // 0) | add) (first: \(map(.errors.first // empty) | first // "none")) |"
	' "$work"/load.*.json
