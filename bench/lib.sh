# What the benchmark scripts share: starting a server, finding its processes,
# measuring its CPU, recording a wmload report, and stopping it by its pid.
# The sourcing script sets here (its directory) and RESULTS (where to keep
# the raw results, or empty) first; lib.sh makes the work directory.
# shellcheck shell=bash
work=$(mktemp -d)
bin=$work/bin
results=${RESULTS:-$work/results.jsonl}
: >"$results"
server_pid=  # the server measured; every one started is in server_pids
server_pids=()
load_cpu=    # when set, the load generators run on this CPU only

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

# stop_server stops every server started, with its worker processes.
stop_server() {
	[ ${#server_pids[@]} -gt 0 ] || return 0
	local pids= p i
	for p in "${server_pids[@]}"; do pids+=" $(tree "$p")"; done
	kill -TERM "${server_pids[@]}" 2>/dev/null || true
	for i in $(seq 100); do
		alive=
		for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	wait "${server_pids[@]}" 2>/dev/null || true
	server_pid= server_pids=()
}

cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# start_server PORT ENV... COMMAND...: runs the server in the background and
# waits (at most 10 s) until it accepts connections; it runs beside those
# started before until stop_server.
start_server() {
	local port=$1 i
	shift
	if port_open "$port"; then
		log "port $port is already in use: set PORT to a free range"
		exit 1
	fi
	env "$@" >"$work/server.$port.log" 2>&1 &
	server_pid=$!
	server_pids+=("$server_pid")
	for i in $(seq 200); do
		port_open "$port" && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			log "server exited before listening:"; cat "$work/server.$port.log" >&2; exit 1
		fi
		sleep 0.05
	done
	log "server did not listen on port $port within 10 s:"; cat "$work/server.$port.log" >&2
	exit 1
}

# load COMMAND...: runs a load generator, on load_cpu if it is set.
load() {
	if [ -n "$load_cpu" ]; then
		taskset -c "$load_cpu" "$@"
	else
		"$@"
	fi
}

# record NAME WMLOAD-ARGS...: runs wmload against the running server and
# appends its report, labelled, to the results.
record() {
	local name=$1 before report
	shift
	before=$(cpu_seconds)
	report=$(load "$bin/wmload" "${@:1:1}" -json "${@:2}")
	printf '{"server":"%s","cpu_s":%s,"report":%s}\n' "$name" \
		"$(awk -v a="$before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.3f", b - a }')" "$report" >>"$results"
}

# build SERVER: builds servers/SERVER and wmload into $bin and, when BASE names
# a git revision, that revision's library under today's servers/SERVER as
# $bin/SERVER-base (the library is what is compared, and an older revision may
# not have the server at all). It sets variants to what to measure.
build() {
	local server=$1
	log "building into $bin"
	(cd "$here" && go build -o "$bin/$server" "./servers/$server")
	(cd "$here/.." && go build -o "$bin/wmload" ./cmd/wmload)
	variants=current
	if [ -n "${BASE:-}" ]; then
		mkdir -p "$work/base"
		git -C "$here/.." archive "$BASE" | tar -x -C "$work/base"
		mkdir -p "$work/base/bench/servers/$server"
		cp "$here/servers/$server/main.go" "$work/base/bench/servers/$server/"
		(cd "$work/base/bench" && go build -o "$bin/$server-base" "./servers/$server")
		variants="base current"
	fi
}

# record_wrk NAME THREADS CONNS DEPTH DURATION URL: runs wrk once with
# wrk.lua and appends its report in wmload's shape, as one round (mode "wrk";
# wmload table merges the rounds of a server).
record_wrk() {
	local name=$1 threads=$2 conns=$3 depth=$4 duration=$5 url=$6 before line
	before=$(cpu_seconds)
	line=$(load wrk -t"$threads" -c"$conns" -d"$duration" -s "$here/wrk.lua" "$url" -- "$depth" | grep '^{') || {
		log "wrk reported nothing against $url"
		exit 1
	}
	awk -v name="$name" -v cpu="$(awk -v a="$before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.3f", b - a }')" \
		-v conns="$conns" -v depth="$depth" -v url="$url" '
		function f(key,   rest) {
			rest = substr($0, index($0, "\"" key "\":") + length(key) + 3)
			return substr(rest, 1, match(rest, /[,}]/) - 1) + 0
		}
		{
			rps = f("responses") / f("seconds")
			printf "{\"server\":\"%s\",\"cpu_s\":%s,\"report\":{\"mode\":\"wrk\",\"target\":\"%s\",\"connections\":%d,\"depth\":%d,", name, cpu, url, conns, depth
			printf "\"rounds\":[{\"responses\":%d,\"seconds\":%s,\"rps\":%.1f,\"errors\":%d}],", f("responses"), f("seconds"), rps, f("connect") + f("read") + f("write")
			printf "\"rps\":%.1f,\"rps_min\":%.1f,\"rps_max\":%.1f,\"responses\":%d,\"non2xx\":%d,", rps, rps, rps, f("responses"), f("non2xx")
			printf "\"latency_ms\":{\"p50\":%s,\"p99\":%s,\"max\":%s},\"errors\":{\"connect\":%d,\"read\":%d,\"write\":%d}}}\n",
				f("p50"), f("p99"), f("max"), f("connect"), f("read"), f("write")
		}' <<<"$line" >>"$results"
}
