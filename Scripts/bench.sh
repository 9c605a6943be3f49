#!/usr/bin/env bash
# The performance suite (Benchmarks/README.md): builds in release mode (and the floors of Benchmarks/Floor with cc),
# starts its own redis-server, spawns hosts on a temporary database and prints the table; the JSON goes to
# Benchmarks/results/<timestamp>.json.
#
#   Scripts/bench.sh            the full run (about 5 minutes on a 2-core machine, 7 with --peers)
#   Scripts/bench.sh --quick    reduced counts: a smoke run of every figure
#   Scripts/bench.sh --only S   one section: requests, fan-out, listing, search (SQLite), postgres-requests,
#                               postgres-fan-out, or postgres (both)
#   Scripts/bench.sh --peers    also runs the reference tools of ../shared/peers side by side and prints ratios
#                               (PEERS_SOURCE overrides where they are; they are copied to PEERS_DIR, /tmp by default)
set -euo pipefail
cd "$(dirname "$0")/.."

arguments=()
peers=0
for argument in "$@"; do
    if [ "$argument" = "--peers" ]; then peers=1; else arguments+=("$argument"); fi
done

# Also installs the sqlite3 command, with which the listing benchmark seeds its 100,000 tasks.
Scripts/install-dependencies.sh

# One product per invocation: swift build keeps only the last --product it is given.
Scripts/build-release.sh --product taskwire
Scripts/build-release.sh --product taskwire-bench
binary_dir="$(Scripts/build-release.sh --show-bin-path)"
# The fan-out's floor (Benchmarks/Floor/chain_floor.c): the same chain of processes with nothing of the host in them.
chain_floor="$binary_dir/chain_floor"
"$(command -v cc || command -v clang)" -O2 -o "$chain_floor" Benchmarks/Floor/chain_floor.c -lsqlite3 -lhiredis -lcrypto
arguments+=(--chain-floor "$chain_floor")
# The pipelined task.update's floor: the same statements through SQLite's C API, in the same run.
update_floor="$binary_dir/update_floor"
"$(command -v cc || command -v clang)" -O2 -o "$update_floor" Benchmarks/Floor/update_floor.c -lsqlite3
arguments+=(--update-floor "$update_floor")

if [ "$peers" -eq 1 ]; then
    source_dir="${PEERS_SOURCE:-$(cd .. && pwd)/shared/peers}"
    peers_dir="${PEERS_DIR:-/tmp/taskwire-peers}"
    [ -d "$source_dir" ] || { echo "no peers folder at $source_dir (set PEERS_SOURCE)" >&2; exit 1; }
    # The peers' README: run a writable copy, never the shared folder itself.
    mkdir -p "$peers_dir"
    cp -r "$source_dir"/. "$peers_dir"/
    if ! "$peers_dir/.venv/bin/python" -c "import socketio, aiohttp, redis, hiredis, mcp, aiosqlite" 2>/dev/null; then
        echo "Setting up the peers' Python environment in $peers_dir/.venv" >&2
        python3 -m venv "$peers_dir/.venv"
        "$peers_dir/.venv/bin/pip" install -q python-socketio aiohttp redis hiredis mcp aiosqlite
    fi
    arguments+=(--peers "$peers_dir")
fi

exec "$binary_dir/taskwire-bench" --binary "$binary_dir/taskwire" --results Benchmarks/results ${arguments[@]+"${arguments[@]}"}
