#!/usr/bin/env bash
# Debian packages the suite and the checks need beyond the machine's base image: what
# scripts/check-prereqs.sh asks for, plus docker and debootstrap for `make container-test`.
# Idempotent; names what it installs; apt-get runs through sudo when not root (so `make deps`
# runs as you and .tools/ stays yours).
# Terraform and kubectl are not Debian packages: check-prereqs.sh says where to get them.
# Arguments: more Debian packages to install the same way (check-prereqs.sh --install passes the
# PostgreSQL and Redis servers when they are missing).
set -euo pipefail

need=("$@")
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v dockerd >/dev/null || need+=(docker.io)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v wrk >/dev/null || need+=(wrk)
command -v pg_isready >/dev/null || need+=(postgresql-client)
command -v redis-cli >/dev/null || need+=(redis-tools)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if ((${#need[@]})); then
  as_root=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null ||
      { echo "install-system-deps: as root, run: apt-get install -y ${need[*]}" >&2; exit 1; }
    as_root=(sudo DEBIAN_FRONTEND=noninteractive)
  fi
  echo "install-system-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-system-deps: ok"
