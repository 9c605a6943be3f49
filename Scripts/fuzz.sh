#!/usr/bin/env bash
# Fuzzes with libFuzzer under AddressSanitizer, one target at a time:
#   framing  line framing, JSON parsing, envelopes and params (corpus Fixtures/fuzz-corpus/framing)
#   relay    the relay message decoder and verifier (corpus Fixtures/fuzz-corpus/relay)
#
#   Scripts/fuzz.sh framing 200000     # a fixed number of inputs (what the test command runs, for each target)
#   Scripts/fuzz.sh relay 0 -max_total_time=3600    # a long run; extra arguments go to libFuzzer
# New inputs libFuzzer finds go to a temporary copy of the corpus; crashing inputs go to .build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-framing}
runs=${2:-50000}
shift 2 || shift $#
case "$target" in
    framing) product=taskwire-fuzz ;;
    relay) product=taskwire-fuzz-relay ;;
    *) echo "unknown fuzz target $target (framing or relay)" >&2; exit 2 ;;
esac
swift build --scratch-path .build-fuzz --product "$product" --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING \
    2>&1 | grep -v "Cannot export local symbol" || true
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "Fixtures/fuzz-corpus/$target"/* "$corpus"/
mkdir -p .build-fuzz/findings
flags=(-max_len=16384 -timeout=10 -artifact_prefix=.build-fuzz/findings/ -print_final_stats=1)
[ "$runs" != "0" ] && flags+=(-runs="$runs")
status=0
log=".build-fuzz/fuzz-$target.log"
".build-fuzz/debug/$product" "${flags[@]}" "$@" "$corpus" > "$log" 2>&1 || status=$?
echo "fuzz target $target:"
grep -E "^stat::number_of_executed_units|^Done|ERROR|invariant|SUMMARY" "$log" || true
if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzzing found a failure; the input is in .build-fuzz/findings/" >&2
fi
exit "$status"
