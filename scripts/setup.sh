#!/usr/bin/env bash
# Create .venv with Python 3.11 (durable-rules does not import on 3.13) and install huiqi.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 13), "需要 Python 3.11 或 3.12 / needs Python 3.11 or 3.12"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[${HUIQI_EXTRAS:-web,test}]"
