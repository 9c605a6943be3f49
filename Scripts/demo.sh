#!/usr/bin/env bash
# Builds Taskwire (release) and runs its demo: two hosts, two users, one live room.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
Scripts/build-release.sh --product taskwire
exec .build/release/taskwire demo "$@"
