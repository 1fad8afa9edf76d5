#!/usr/bin/env bash
# What the test suite needs that `make install` cannot bring: one line per missing thing, naming
# the command that installs it.
# Usage: scripts/check-prereqs.sh [app|all] [--install]
#   app  the Python suite (`make test-app`, `make schemathesis`)
#   all  plus the infrastructure checks and the fault suite (`make test`): terraform, its
#        provider mirror, kubectl, the shell linter, PostgreSQL's and Redis' server binaries
#   --install  (`make test`, `make deps`) first install what is missing, the way `make deps` does:
#        the Debian packages through scripts/install-system-deps.sh (apt-get, through sudo when
#        not root), then, through that installer too, those it leaves out (the PostgreSQL and Redis servers); with
#        `all`, the checkers under .tools/ (scripts/tools.sh). Each install says so; when nothing
#        is missing it installs nothing and prints one line. Then the check, as without it.
# Without --install it installs nothing. Either way what no package brings (terraform, kubectl,
# the provider mirror) is named and the exit status is 1.
# Env: PYTHON, CHROMIUM (default /usr/bin/chromium), TF_PLUGIN_MIRROR (default /opt/tf-plugins),
#      PG_INITDB_GLOB (where Debian puts initdb),
#      TEST_POSTGRES_URL / TEST_REDIS_URL (when set, those servers are the suite's business)
set -uo pipefail

scope=all install=0
for arg in "$@"; do
  case "$arg" in
    app | all) scope="$arg" ;;
    --install) install=1 ;;
    *)
      echo "usage: scripts/check-prereqs.sh [app|all] [--install]" >&2
      exit 2
      ;;
  esac
done
PYTHON="${PYTHON:-python3}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
TF_MIN="1.10"
AWS_PROVIDER="5.100.0"
here="${BASH_SOURCE[0]%/*}"
[[ "$here" == "${BASH_SOURCE[0]}" ]] && here=.
missing=0 report=1
packages=() # the Debian packages that would bring what is missing

need() { # what, how to install it
  if ((report)); then printf 'missing: %s -> %s\n' "$1" "$2" >&2; fi
  missing=$((missing + 1))
}
need_package() { # what, Debian package(s)
  need "$1" "apt-get install -y ${*:2}"
  packages+=("${@:2}")
}
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
version_at_least() { # have, want (dotted)
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]
}

check() {
  missing=0 packages=()
  if ! command -v "$PYTHON" >/dev/null; then
    need_package "$PYTHON (Python 3.11 or newer)" python3 python3-venv
  elif ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    need "Python 3.11 or newer as '$PYTHON' (it is $("$PYTHON" -V 2>&1))" \
      "apt-get install -y python3 (Debian 12 has 3.11), or make PYTHON=python3.11"
  elif ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    need_package "the venv module of $PYTHON (for .tools/)" python3-venv
  fi

  if [[ -z "${TEST_POSTGRES_URL:-}" ]]; then
    command -v pg_isready >/dev/null ||
      need_package "pg_isready (make services probes PostgreSQL with it)" postgresql-client
    answers 5432 || command -v pg_ctlcluster >/dev/null ||
      need_package "PostgreSQL on 127.0.0.1:5432 (or set TEST_POSTGRES_URL)" postgresql
  fi
  if [[ -z "${TEST_REDIS_URL:-}" ]]; then
    command -v redis-cli >/dev/null ||
      need_package "redis-cli (make services probes Redis with it)" redis-tools
    answers 6379 || command -v redis-server >/dev/null ||
      need_package "Redis on 127.0.0.1:6379 (or set TEST_REDIS_URL)" redis-server
  fi
  [[ -x "$CHROMIUM" ]] ||
    need_package "Chromium at $CHROMIUM (browser tests of /docs and the gateway)" chromium
  command -v wrk >/dev/null || need_package "wrk (the benchmark smoke test)" wrk

  if [[ "$scope" == all ]]; then
    # The fault suite (make faults) starts private servers: the binaries, not running services.
    compgen -G "${PG_INITDB_GLOB:-/usr/lib/postgresql/*/bin/initdb}" >/dev/null ||
      command -v initdb >/dev/null ||
      need_package "initdb (the fault suite starts a private PostgreSQL)" postgresql
    command -v redis-server >/dev/null ||
      need_package "redis-server (the fault suite starts a private Redis)" redis-server
    command -v shellcheck >/dev/null ||
      need_package "shellcheck (actionlint checks workflow scripts with it)" shellcheck
    if ! command -v terraform >/dev/null; then
      need "terraform >= $TF_MIN" \
        "not in Debian: install a release from https://releases.hashicorp.com/terraform/ into PATH"
    else
      local tf_version
      tf_version="$(terraform version 2>/dev/null | head -1 | sed -E 's/^Terraform v([0-9.]+).*/\1/')"
      version_at_least "$tf_version" "$TF_MIN" ||
        need "terraform >= $TF_MIN (found $tf_version)" \
          "install a newer release from https://releases.hashicorp.com/terraform/"
    fi
    compgen -G "$MIRROR/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER/linux_amd64/terraform-provider-aws_*" \
      >/dev/null ||
      need "the hashicorp/aws $AWS_PROVIDER provider in the mirror $MIRROR (the registry is offline here)" \
        "terraform providers mirror -platform=linux_amd64 $MIRROR (where the registry answers), or set TF_PLUGIN_MIRROR"
    command -v kubectl >/dev/null ||
      need "kubectl (renders the Kustomize overlays)" \
        "not in Debian: https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/"
  fi
}

if ((install)); then
  report=0
  check
  found=$missing
  if ((${#packages[@]})); then
    # The installer `make deps` runs; it installs only what is absent, and says what.
    "$here/install-system-deps.sh"
    check
    if ((${#packages[@]})); then
      mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
      "$here/install-system-deps.sh" "${packages[@]}"
    fi
  fi
  tools_failed=0
  if [[ "$scope" == all ]]; then
    # The checkers, pinned and hash-checked; silent unless one is installed now.
    # shellcheck source=scripts/tools.sh
    (source "$here/tools.sh" && TOOLS_QUIET=1 install_tools) || tools_failed=1
  fi
  report=1
  # Checked again only when something was missing: to install it, or to name it.
  if ((found)); then check; fi
  if ((tools_failed)); then
    need "the checkers under .tools/ (their install failed above)" "make tools"
  fi
else
  check
fi

if ((missing)); then
  if ((install)); then
    echo "prerequisites: $missing missing; each line above says where to get it" >&2
  else
    echo "prerequisites: $missing missing; \`make deps\` installs the Debian packages" >&2
  fi
  exit 1
fi
echo "prerequisites: ok ($scope)"
