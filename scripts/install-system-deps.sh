#!/usr/bin/env bash
# Debian packages the checks need beyond the machine's base image (idempotent, quiet when present).
set -euo pipefail

need=()
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v dockerd >/dev/null || need+=(docker.io)
command -v chromium >/dev/null || need+=(chromium)
command -v wrk >/dev/null || need+=(wrk)
if ((${#need[@]})); then
  echo "install-system-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-system-deps: ok"
