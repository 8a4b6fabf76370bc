#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: ruff, then pytest (unit, features, API, browser).
# Installs what the browser tests need first (Debian's Chromium and a CJK font; idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! bash scripts/install-browser.sh; then
  echo "无法安装 Chromium：浏览器测试将跳过并说明原因 / could not install Chromium: the browser tests will skip" >&2
fi
if ! bash scripts/install-deploy-tools.sh; then
  echo "无法安装 nginx：deploy/ 的 nginx -t 检查将跳过并说明原因 / could not install nginx: that check will skip" >&2
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
