#!/bin/sh
# plainbill set-up: one script for a fresh Debian machine (as root) or an existing checkout.
#
#   ./setup.sh build   set up, then run `plainbill build` on the example book at the repository root
#   ./setup.sh test    set up, then run the test suite (this is what .ci/run runs)
#   ./setup.sh         set up only
#
# Idempotent and quick when already set up: system packages are installed only
# when missing, and pip runs only when pyproject.toml, requirements.lock or this
# script changed since the last run.
#
# Python packages come from requirements.lock: the exact versions (with hashes) that
# give byte-identical PDFs. pyproject.toml only states the ranges plainbill works
# with. Regenerate the lock after changing pyproject.toml:
#   pip-compile --generate-hashes --extra test --strip-extras --allow-unsafe \
#       --output-file requirements.lock pyproject.toml
set -eu
cd "$(dirname "$0")"

SYSTEM_PACKAGES="python3 python3-venv python3-dev git libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig poppler-utils ledger chromium"

missing=""
for p in $SYSTEM_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# A python3 of 3.11 or newer with venv already on PATH (pyenv, a CI image) is good enough.
if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -v -x -e python3 -e python3-venv -e python3-dev | tr '\n' ' ')
fi
if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
    echo "setup: installing system packages:$missing"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=""; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
stamp=.venv/.plainbill-setup
want=$(cat pyproject.toml requirements.lock setup.sh | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing Python packages into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
    echo "$want" > "$stamp"
fi

case "${1:-}" in
    build) shift; exec .venv/bin/plainbill build --book . "$@" ;;
    test)  shift; exec .venv/bin/python -m pytest -n 2 "$@" ;;
    "")    echo "setup: done (.venv/bin/plainbill is ready)" ;;
    *)     echo "usage: ./setup.sh [build|test] [extra arguments]" >&2; exit 2 ;;
esac
