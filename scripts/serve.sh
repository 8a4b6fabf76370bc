#!/usr/bin/env bash
# Set up (if needed) and start huiqi: the self-check web form and the JSON API, on embedded SQLite.
# Usage: bash scripts/serve.sh [--host 127.0.0.1] [--port 8000] [--db sqlite:///var/huiqi.sqlite3]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p -m 700 var  # the default database (password hashes, the signing secret) lives here
exec .venv/bin/huiqi serve "$@"
