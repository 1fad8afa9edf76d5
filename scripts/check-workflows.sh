#!/usr/bin/env bash
# Lints the GitHub Actions setup offline: actionlint (with shellcheck on every `run:` block),
# zizmor's security audits on the workflows and Dependabot config, and shellcheck on the scripts
# the workflows call. Exit status is non-zero when any of them finds something.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/tools.sh
source "$root/scripts/tools.sh"

# actionlint skips shell checks silently without shellcheck, so a missing one must not pass.
if ! command -v shellcheck >/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "shellcheck missing: installing the Debian package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null; }
  else
    echo "shellcheck is required (apt-get install shellcheck)" >&2
    exit 1
  fi
fi

actionlint="$(tool actionlint)"
zizmor="$(tool zizmor)"
status=0

echo "== actionlint" >&2
"$actionlint" -no-color -config-file .github/actionlint.yaml || status=1

echo "== zizmor --offline" >&2
# The workflows need no ignores today; any future one goes in .github/zizmor.yml with its reason.
zizmor_config=()
[[ -f .github/zizmor.yml ]] && zizmor_config=(--config .github/zizmor.yml)
"$zizmor" --offline --quiet --no-progress "${zizmor_config[@]}" \
  .github/workflows .github/dependabot.yml || status=1

echo "== shellcheck (scripts the workflows run)" >&2
shopt -s nullglob
shellcheck -x .github/scripts/*.sh scripts/check-workflows.sh scripts/github-branch-protection.sh scripts/rehearse.sh ||
  status=1

if [[ "$status" == 0 ]]; then
  echo "workflows: ok" >&2
fi
exit "$status"
