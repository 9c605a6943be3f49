#!/usr/bin/env bash
# Installs the system packages Taskwire builds and tests against, when they are missing (Debian/Ubuntu), and any
# named as arguments (valgrind, for the scripts that profile).
set -euo pipefail
packages=(libsqlite3-dev sqlite3 libhiredis-dev redis-server libssl-dev libpq-dev postgresql tmux "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
