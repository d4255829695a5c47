#!/usr/bin/env bash
# The README's demo: run the example script cold, then warm, timing each
# call. Uses the luapf built by `make build` unless LUAPF is set.
set -euo pipefail
cd "$(dirname "$0")/.."
luapf=${LUAPF:-bin/luapf}
script=scripts/example/wordstats.lua

timed() {
	local label=$1 start end
	shift
	start=$(date +%s%N)
	"$@" >/dev/null
	end=$(date +%s%N)
	printf '  %-38s %6d ms\n' "$label" $(((end - start) / 1000000))
}

# Stops the script's server; exit status 1 says there was none, which is fine.
stop() { "$luapf" --kill "$script" 2>/dev/null || [ $? -eq 1 ]; }

stop
echo "wordstats.lua builds a 50,000-word dictionary, then looks words up:"
"$luapf" "$script" listen silent parrot || true
echo
echo "Time per call:"
timed "luapf --standalone (no server)" "$luapf" --standalone "$script" listen
stop
timed "first call (starts the server)" "$luapf" "$script" listen
# Spaced a little, as calls from people, hooks or cron come: each finds an
# executor already restored (the pool). Calls back to back, faster than an
# executor restores, wait for the restore instead; see bench/results.md.
for i in 1 2 3 4 5; do
	sleep 0.3
	timed "warm call $i" "$luapf" "$script" listen
done
if command -v lua5.4 >/dev/null; then
	timed "lua5.4 (plain Lua, cold)" env LUA_PATH='scripts/plainlua/?.lua;;' lua5.4 "$script" listen
else
	echo "  (lua5.4 is not installed, so there is no plain Lua timing to compare;"
	echo "   sh .ci/install-peers.sh installs it, as root)"
fi
stop
