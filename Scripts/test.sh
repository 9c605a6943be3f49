#!/usr/bin/env bash
# The whole test suite: build without warnings, every test (unit, end-to-end with real hosts and a real
# redis-server, every transcript in Fixtures/), third-party clients, fuzzing, and the style check.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-dependencies.sh
swift build --build-tests 2>&1 | tee /tmp/taskwire-build.log
if grep -E "warning:" /tmp/taskwire-build.log | grep -v "^warning: 'main'" ; then
    echo "the build has warnings" >&2
    exit 1
fi
swift test --skip-build
# Clients from outside this project, installed from PyPI into a virtual environment: the official MCP Python SDK
# and an LSP-framing JSON-RPC library, each driving the real binary.
Scripts/test-clients.sh
# The fuzz corpus through the plain build, then libFuzzer under AddressSanitizer for a fixed number of inputs.
.build/debug/taskwire-fuzz Fixtures/fuzz-corpus/framing
.build/debug/taskwire-fuzz-relay Fixtures/fuzz-corpus/relay
Scripts/fuzz.sh framing 200000
Scripts/fuzz.sh relay 200000
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks Fuzz
echo "style: swift format lint --strict passed"
