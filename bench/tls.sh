#!/usr/bin/env bash
# Measures the https servers side by side in one run: Workerman-Go (the seed,
# servers/workerman over its ssl transport, with 1 and 2 worker processes:
# workerman-N), fasthttp and net/http, each over
# crypto/tls with the same self-signed P-256 certificate (made here with
# openssl). For each: the server's RSS per idle TLS connection (tlsidle: one
# request each, then idle; for the seed also event streams), then wrk over
# https, keep-alive and pipelined. Then new connections as fast as they go
# (wmload handshake: HS_CLIENTS clients, each connecting, doing a full
# handshake, one GET and closing, again and again), with TLS 1.3 and 1.2,
# over the P-256 certificate and over an RSA 2048 one, each server on its
# own, and one table of them with ratios against fasthttp.
#
#   ./tls.sh                     # 2000 idle connections, 5 s per wrk run, 5 rounds of 2 s per handshake run
#   CLIENTS=5000 DURATION=10s ./tls.sh
#   PARTS=handshake HS_CLIENTS="4 64" ./tls.sh   # handshakes alone, with 4 and 64 clients
#
# Every server is started here and stopped by its pid, with its workers.
set -euo pipefail

CLIENTS=${CLIENTS:-2000}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-100}
DEPTH=${DEPTH:-16}
PORT=${PORT:-18600}
RESULTS=${RESULTS:-}
PARTS=${PARTS:-"memory handshake"} # memory: RSS and wrk; handshake: wmload handshake
SERVERS=${SERVERS:-"workerman-1 workerman-2 fasthttp nethttp"}
HS_CLIENTS=${HS_CLIENTS:-64}
HS_DURATION=${HS_DURATION:-2s}
HS_ROUNDS=${HS_ROUNDS:-5}
HS_KEYS=${HS_KEYS:-"ec rsa"}

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ulimit -n "$(ulimit -Hn)"
[[ $PARTS != *memory* ]] || command -v wrk >/dev/null || { log "wrk is not installed (Debian: apt-get install wrk)"; exit 1; }
command -v openssl >/dev/null || { log "openssl is not installed"; exit 1; }

build workerman
(cd "$here" && go build -o "$bin/fasthttp" ./servers/fasthttp && go build -o "$bin/nethttp" ./servers/nethttp &&
	go build -o "$bin/tlsidle" ./tlsidle)
for key in ec rsa; do
	case $key in
	ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
	rsa) newkey=(-newkey rsa:2048) ;;
	esac
	openssl req -x509 "${newkey[@]}" -nodes -days 1 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$work/$key.key.pem" -out "$work/$key.cert.pem" 2>/dev/null
done

cd "$work"
echo "## $(nproc) CPUs, GOMAXPROCS 2, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
[[ $PARTS != *memory* ]] || { echo "$CLIENTS idle TLS connections; wrk $CONNS connections, $DURATION per run"; echo; }
p=$PORT
serve() { # serve NAME [KEY]: starts one server on port $p, with the P-256 (ec) or RSA certificate
	local cert=$work/${2:-ec}.cert.pem key=$work/${2:-ec}.key.pem
	local seed=$bin/workerman
	case $1 in
	base-*) seed=$bin/workerman-base ;& # the BASE revision's build
	workerman-*) start_server "$p" GOMAXPROCS=2 WM_COUNT="${1#*-}" WM_ADDR="127.0.0.1:$p" \
		TLS_CERT="$cert" TLS_KEY="$key" "$seed" start ;;
	*) start_server "$p" GOMAXPROCS=2 "$bin/$1" -addr "127.0.0.1:$p" -cert "$cert" -key "$key" ;;
	esac
}
for s in $SERVERS; do
	[[ $PARTS == *memory* ]] || continue
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

# The handshake runs: for each certificate, every server at once on ports of
# their own, measured round by round in turn, so that a burst of other work
# on the machine falls on every server alike.
if [[ $PARTS == *handshake* ]]; then
	echo "### New connections: wmload handshake, $HS_ROUNDS rounds of $HS_DURATION"
	echo
	for key in $HS_KEYS; do
		names=() ports=() pids=()
		for s in $SERVERS; do
			serve "$s" "$key"
			names+=("$s") ports+=("$p") pids+=("$server_pid")
			p=$((p + 1))
		done
		for r in $(seq "$HS_ROUNDS"); do
			for v in 1.3 1.2; do
				for c in $HS_CLIENTS; do
					for i in "${!names[@]}"; do
						server_pid=${pids[$i]}
						record "${names[$i]}" handshake -c "$c" -tls "$v" -d "$HS_DURATION" "https://127.0.0.1:${ports[$i]}/"
					done
				done
			done
		done
		stop_server
	done
	"$bin/wmload" table -ref fasthttp "$results"
	echo
	echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
