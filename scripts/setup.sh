#!/usr/bin/env bash
# Set up siemc in ./.venv: `scripts/setup.sh` for users (siemc + the verification engines),
# `scripts/setup.sh test` for the test suite too. Idempotent; needs python3 >= 3.11; node is optional
# (it lets `siemc check` schema-check KQL with Microsoft's Kusto.Language).
set -euo pipefail
cd "$(dirname "$0")/.."
extra="verify"
[ "${1:-}" = "test" ] && extra="test"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[$extra]"
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix engines/node --no-audit --no-fund --loglevel=error >/dev/null
else
  echo "setup: node/npm not found: KQL will be executed but not schema-checked (apt-get install nodejs npm)" >&2
fi
