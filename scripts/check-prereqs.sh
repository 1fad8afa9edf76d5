#!/usr/bin/env bash
# What the test suite needs that `make install` cannot bring, checked before anything runs: one
# line per missing thing, naming the command that installs it. Installs nothing.
# Usage: scripts/check-prereqs.sh [app|all]
#   app  the Python suite (`make test-app`, `make schemathesis`)
#   all  plus the infrastructure checks and the fault suite (`make test`): terraform, its
#        provider mirror, kubectl, the shell linter, PostgreSQL's and Redis' server binaries
# Env: PYTHON, CHROMIUM (default /usr/bin/chromium), TF_PLUGIN_MIRROR (default /opt/tf-plugins),
#      PG_INITDB_GLOB (where Debian puts initdb),
#      TEST_POSTGRES_URL / TEST_REDIS_URL (when set, those servers are the suite's business)
set -uo pipefail

scope="${1:-all}"
PYTHON="${PYTHON:-python3}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
TF_MIN="1.10"
AWS_PROVIDER="5.100.0"
missing=0

need() { # what, how to install it
  printf 'missing: %s -> %s\n' "$1" "$2" >&2
  missing=$((missing + 1))
}
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
version_at_least() { # have, want (dotted)
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]
}

if ! command -v "$PYTHON" >/dev/null; then
  need "$PYTHON (Python 3.11 or newer)" "apt-get install -y python3 python3-venv"
elif ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  need "Python 3.11 or newer as '$PYTHON' (it is $("$PYTHON" -V 2>&1))" \
    "apt-get install -y python3 (Debian 12 has 3.11), or make PYTHON=python3.11"
elif ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
  need "the venv module of $PYTHON (for .tools/)" "apt-get install -y python3-venv"
fi

if [[ -z "${TEST_POSTGRES_URL:-}" ]]; then
  command -v pg_isready >/dev/null ||
    need "pg_isready (make services probes PostgreSQL with it)" "apt-get install -y postgresql-client"
  answers 5432 || command -v pg_ctlcluster >/dev/null ||
    need "PostgreSQL on 127.0.0.1:5432 (or set TEST_POSTGRES_URL)" "apt-get install -y postgresql"
fi
if [[ -z "${TEST_REDIS_URL:-}" ]]; then
  command -v redis-cli >/dev/null ||
    need "redis-cli (make services probes Redis with it)" "apt-get install -y redis-tools"
  answers 6379 || command -v redis-server >/dev/null ||
    need "Redis on 127.0.0.1:6379 (or set TEST_REDIS_URL)" "apt-get install -y redis-server"
fi
[[ -x "$CHROMIUM" ]] ||
  need "Chromium at $CHROMIUM (browser tests of /docs and the gateway)" "apt-get install -y chromium"
command -v wrk >/dev/null || need "wrk (the benchmark smoke test)" "apt-get install -y wrk"

if [[ "$scope" == all ]]; then
  # The fault suite (make faults) starts private servers: the binaries, not running services.
  compgen -G "${PG_INITDB_GLOB:-/usr/lib/postgresql/*/bin/initdb}" >/dev/null ||
    command -v initdb >/dev/null ||
    need "initdb (the fault suite starts a private PostgreSQL)" "apt-get install -y postgresql"
  command -v redis-server >/dev/null ||
    need "redis-server (the fault suite starts a private Redis)" "apt-get install -y redis-server"
  command -v shellcheck >/dev/null ||
    need "shellcheck (actionlint checks workflow scripts with it)" "apt-get install -y shellcheck"
  if ! command -v terraform >/dev/null; then
    need "terraform >= $TF_MIN" \
      "not in Debian: install a release from https://releases.hashicorp.com/terraform/ into PATH"
  else
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

if ((missing)); then
  echo "prerequisites: $missing missing; \`make deps\` installs the Debian packages" >&2
  exit 1
fi
echo "prerequisites: ok ($scope)"
