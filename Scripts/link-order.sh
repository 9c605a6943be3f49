#!/usr/bin/env bash
# Regenerates Scripts/taskwire.order, the order in which the release link places functions (Scripts/link-order.py):
# run it after changes to what a host runs from start to idle, and compare the idle RSS (Scripts/bench.sh) before
# and after. Needs valgrind (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh valgrind
Scripts/build-release.sh --product taskwire
binary_dir="$(Scripts/build-release.sh --show-bin-path)"
exec python3 Scripts/link-order.py "$binary_dir/taskwire" Scripts/taskwire.order
