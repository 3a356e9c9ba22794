#!/usr/bin/env bash
# Installs the real clients and servers that the socket tests drive: curl,
# headless Chromium, redis-server and the npm packages under .ci/node; and
# systemd-analyze, which checks the unit files of docs/deployment.md. Safe to run again: it only
# installs what is missing, and says nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm install only when package.json changed since the last install.
stamp=node/node_modules/.installed-from
if ! cmp -s node/package.json "$stamp" 2>/dev/null; then
	npm install --prefix node --no-audit --no-fund --loglevel=error >/dev/null
	cp node/package.json "$stamp"
fi
