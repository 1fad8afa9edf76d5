#!/usr/bin/env bash
# Offline static checks of the container definition: hadolint (.hadolint.yaml) and checkov's
# dockerfile checks (.checkov.dockerfile.yaml) on Dockerfile, and compose.yaml validated by
# `docker compose config` (or Debian's docker-compose 1.29 where the v2 plugin is missing).
# Every finding fails; the only ignores are the commented ones in those two config files.
# Runs from any directory; needs no Docker engine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=scripts/tools.sh
source "$root/scripts/tools.sh"
HADOLINT=$(tool hadolint)
CHECKOV=$(tool checkov)
status=0

echo "== hadolint $("$HADOLINT" --version | awk '{print $NF}')"
if "$HADOLINT" --config .hadolint.yaml Dockerfile; then echo "Dockerfile: no findings"; else status=1; fi

echo "== checkov (dockerfile)"
# BC_SKIP_MAPPING: no attempt to fetch guideline links from the vendor's API (no network here).
BC_SKIP_MAPPING=TRUE "$CHECKOV" --config-file .checkov.dockerfile.yaml || status=1

echo "== compose.yaml"
compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing Debian's docker-compose to validate compose.yaml"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose; } >/dev/null
  fi
  command -v docker-compose >/dev/null && compose=(docker-compose)
fi
if ((${#compose[@]})); then
  # The offline profile too; SECRET_KEY etc. fall back to the file's dev-only defaults.
  if "${compose[@]}" -f compose.yaml --profile offline config -q; then
    echo "compose.yaml valid (${compose[*]})"
  else
    status=1
  fi
else
  echo "compose.yaml NOT validated: neither 'docker compose' nor docker-compose is available" >&2
  status=1
fi

if ((status)); then echo "check-container: findings above" >&2; else echo "check-container: clean"; fi
exit "$status"
