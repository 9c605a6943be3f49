#!/usr/bin/env bash
# The floor under pipelined task.update on SQLite (Benchmarks/Floor): the host next to the same statements run
# through SQLite's C API on the same database, alternately, in one run. COUNT (default 20000) updates each.
#
#   Scripts/update-floor.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
Scripts/build-release.sh --product taskwire
binary_dir="$(Scripts/build-release.sh --show-bin-path)"
floor="$(mktemp -d)/update_floor"
trap 'rm -rf "$(dirname "$floor")"' EXIT
compiler="$(command -v cc || command -v clang)"
"$compiler" -O2 -o "$floor" Benchmarks/Floor/update_floor.c -lsqlite3
python3 Benchmarks/Floor/update_floor.py "$binary_dir/taskwire" "$floor" "${1:-20000}"
