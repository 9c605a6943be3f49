#!/usr/bin/env bash
# The whole test suite: build without warnings, every test (unit, end-to-end with real hosts and a real
# redis-server, every transcript in Fixtures/), and the style check.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build --build-tests 2>&1 | tee /tmp/taskwire-build.log
if grep -E "warning:" /tmp/taskwire-build.log | grep -v "^warning: 'main'" ; then
    echo "the build has warnings" >&2
    exit 1
fi
swift test --skip-build --parallel --num-workers 2
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks
echo "style: swift format lint --strict passed"
