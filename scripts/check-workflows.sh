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
# Installing it is `make deps`'s job (scripts/install-system-deps.sh), never a side effect here.
if ! command -v shellcheck >/dev/null; then
  echo "missing: shellcheck -> apt-get install -y shellcheck (or: make deps)" >&2
  exit 1
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
