#!/usr/bin/env bash
# Runs every Tests/ThirdPartyClients/test_*.py: the real binary driven by client libraries from PyPI, installed at
# the versions pinned in Tests/ThirdPartyClients/requirements.txt into a virtual environment.
#
#   TASKWIRE_BIN            the binary under test (default .build/debug/taskwire)
#   TASKWIRE_CLIENTS_VENV   the virtual environment (default .build/clients-venv; made when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${TASKWIRE_CLIENTS_VENV:-.build/clients-venv}
export TASKWIRE_BIN=${TASKWIRE_BIN:-.build/debug/taskwire}
if [ ! -x "$TASKWIRE_BIN" ]; then
    echo "no taskwire binary at $TASKWIRE_BIN: build it (swift build --product taskwire) or set TASKWIRE_BIN" >&2
    exit 1
fi

install_venv_support() {
    echo "Installing python3-venv" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv >/dev/null
}

if [ ! -x "$venv/bin/python" ]; then
    command -v python3 >/dev/null || install_venv_support
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        install_venv_support
        python3 -m venv "$venv"
    fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r Tests/ThirdPartyClients/requirements.txt

passed=0
failed=0
for test in Tests/ThirdPartyClients/test_*.py; do
    echo "# $test"
    if timeout --kill-after=10 300 "$venv/bin/python" "$test"; then
        passed=$((passed + 1))
    else
        echo "# $test FAILED" >&2
        failed=$((failed + 1))
    fi
done
echo "clients: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
