#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: ruff, then pytest (unit, features, API, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
