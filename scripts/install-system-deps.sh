#!/usr/bin/env bash
# Debian packages the suite and the checks need beyond the machine's base image: what
# scripts/check-prereqs.sh asks for, plus docker and debootstrap for `make container-test`.
# Idempotent; names what it installs; needs root (it is `make deps`'s first half).
# Terraform and kubectl are not Debian packages: check-prereqs.sh says where to get them.
set -euo pipefail

need=()
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v dockerd >/dev/null || need+=(docker.io)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v wrk >/dev/null || need+=(wrk)
command -v pg_isready >/dev/null || need+=(postgresql-client)
command -v redis-cli >/dev/null || need+=(redis-tools)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
if ((${#need[@]})); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "install-system-deps: run as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "install-system-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-system-deps: ok"
