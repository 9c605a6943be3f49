#!/usr/bin/env bash
# Fuzzes line framing, JSON parsing, envelopes and params with libFuzzer under AddressSanitizer.
#   Scripts/fuzz.sh                 # 50,000 inputs (what the test command runs)
#   Scripts/fuzz.sh 20000000        # a long run; or pass libFuzzer flags: Scripts/fuzz.sh 0 -max_total_time=3600
# The seed corpus is Fixtures/fuzz-corpus; new inputs libFuzzer finds go to a temporary copy, and crashing
# inputs are written to .build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50000}
shift || true
swift build --scratch-path .build-fuzz --product taskwire-fuzz --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING \
    2>&1 | grep -v "Cannot export local symbol" || true
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp Fixtures/fuzz-corpus/* "$corpus"/
mkdir -p .build-fuzz/findings
flags=(-max_len=16384 -timeout=10 -artifact_prefix=.build-fuzz/findings/ -print_final_stats=1)
[ "$runs" != "0" ] && flags+=(-runs="$runs")
status=0
.build-fuzz/debug/taskwire-fuzz "${flags[@]}" "$@" "$corpus" > .build-fuzz/fuzz.log 2>&1 || status=$?
grep -E "^stat::number_of_executed_units|^Done|ERROR|invariant|SUMMARY" .build-fuzz/fuzz.log || true
if [ "$status" -ne 0 ]; then
    tail -40 .build-fuzz/fuzz.log >&2
    echo "fuzzing found a failure; the input is in .build-fuzz/findings/" >&2
fi
exit "$status"
