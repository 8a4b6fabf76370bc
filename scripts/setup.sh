#!/usr/bin/env bash
# Create .venv with Python 3.11 (durable-rules does not import on 3.13) and install huiqi.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
"$PYTHON" -c 'import sys; assert (3, 11) <= sys.version_info[:2] < (3, 13), "需要 Python 3.11 或 3.12 / needs Python 3.11 or 3.12"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# durable-rules has no wheel: current setuptools compiles its C core (build_clib) with no optimisation at all,
# and the Rete then costs about 40% more instructions. Build it once with CPython's own flags (-O3 -fwrapv), uncached,
# before huiqi (which then finds it installed); the marker says this venv's copy was built so.
DURABLE_PIN=$(grep -o 'durable-rules==[0-9.]*' pyproject.toml)
if [ "$(cat .venv/.durable-rules-optimised 2>/dev/null)" != "$DURABLE_PIN" ]; then
  CPPFLAGS="-O3 -fwrapv" .venv/bin/python -m pip install -q --no-cache-dir --no-binary durable-rules --force-reinstall --no-deps "$DURABLE_PIN"
  echo "$DURABLE_PIN" > .venv/.durable-rules-optimised
fi
.venv/bin/python -m pip install -q -e ".[${HUIQI_EXTRAS:-web,test}]"
