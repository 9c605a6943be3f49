#!/usr/bin/env bash
# Instructions per operation from valgrind's callgrind (Benchmarks/Instructions/instructions.py): repeatable on a
# noisy machine where timings are not. Builds the release binary first; N (default 2000) operations per figure.
#
#   Scripts/instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh valgrind
Scripts/build-release.sh --product taskwire
binary_dir="$(Scripts/build-release.sh --show-bin-path)"
exec python3 Benchmarks/Instructions/instructions.py "$binary_dir/taskwire" "${1:-2000}"
