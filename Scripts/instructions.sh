#!/usr/bin/env bash
# Instructions per operation from valgrind's callgrind (Benchmarks/Instructions/instructions.py): repeatable on a
# noisy machine where timings are not. Builds the release binary first; N (default 2000) operations per figure.
#
#   Scripts/instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
if ! command -v valgrind > /dev/null; then
    echo "Installing valgrind" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind > /dev/null
fi
swift build -c release --static-swift-stdlib --product taskwire
binary_dir="$(swift build -c release --static-swift-stdlib --show-bin-path)"
exec python3 Benchmarks/Instructions/instructions.py "$binary_dir/taskwire" "${1:-2000}"
