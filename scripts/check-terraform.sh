#!/usr/bin/env bash
# Offline checks of infra/terraform: static guards, fmt, init+validate of every module through
# the provider mirror, `terraform test` (mock provider) of modules/platform (the assertions every
# environment shares), bootstrap and each environment root (its own values), and checkov.
# Usage: scripts/check-terraform.sh          (from any directory; exits non-zero on any failure)
# Env:   TF_PLUGIN_MIRROR  provider mirror directory (default /opt/tf-plugins)
#        SKIP_CHECKOV=1    skip the checkov step (local iteration only; CI never sets it)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_ROOT="$REPO/infra/terraform"
MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
WORK="$REPO/.tools/terraform"
PROVIDER_VERSION="5.100.0"

start=$SECONDS
step() { printf '\n==> %s  (%ss)\n' "$*" "$((SECONDS - start))"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

command -v terraform >/dev/null || fail "terraform is not installed (need >= 1.10)"

# --- Provider mirror: refuse to run (and so to pass) without it -----------------------------
provider_bin="$MIRROR/registry.terraform.io/hashicorp/aws/$PROVIDER_VERSION/linux_amd64"
if ! compgen -G "$provider_bin/terraform-provider-aws_*" >/dev/null; then
  fail "no hashicorp/aws $PROVIDER_VERSION provider (linux_amd64) in the mirror '$MIRROR'.
      Expected $provider_bin/terraform-provider-aws_v${PROVIDER_VERSION}_x5.
      The registry is unreachable here, so nothing can be validated; set TF_PLUGIN_MIRROR to
      the mirror directory."
fi

mkdir -p "$WORK/plugin-cache" "$WORK/data"
# A CLI config cannot read environment variables, so the committed one is copied with the
# mirror path swapped in.
sed "s#\"/opt/tf-plugins\"#\"$MIRROR\"#" "$TF_ROOT/.terraformrc.offline" >"$WORK/terraformrc"
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
export TF_PLUGIN_CACHE_DIR="$WORK/plugin-cache"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE

cd "$TF_ROOT"
mapfile -t modules < <(find modules -mindepth 1 -maxdepth 1 -type d | sort)
mapfile -t envs < <(find envs -mindepth 1 -maxdepth 1 -type d | sort)
roots=(bootstrap "${envs[@]}")
# modules/platform/tests holds the assertions every environment shares; each root tests its own
# values (and, through `terraform test`, gets validated: see below).
# Other modules that carry their own tests/ (modules/previews) run them too.
mapfile -t module_tests < <(find modules -mindepth 2 -maxdepth 2 -type d -name tests ! -path modules/platform/tests -printf '%h\n' | sort)
tested=(modules/platform "${module_tests[@]}" "${roots[@]}")
for dir in "${tested[@]}"; do
  compgen -G "$dir/tests/*.tftest.hcl" >/dev/null || fail "$dir has no tests/*.tftest.hcl"
done

# --- Static guards ---------------------------------------------------------------------------
step "static guards"
# Secret values must never pass through Terraform (plan, state, CI logs).
if grep -rnE --include='*.tf' '(resource|data)[[:space:]]+"aws_secretsmanager_secret_version"' .; then
  fail "aws_secretsmanager_secret_version found: secret values are set out of band, never by Terraform"
fi
if grep -rnEi --include='*.tf' 'variable[[:space:]]+"[^"]*(password|passwd|secret_value|secret_string|api_key|apikey|token|private_key|secret_key|credential)[^"]*"' .; then
  fail "a variable is named like a secret value: secrets must not be Terraform inputs"
fi
echo "ok"

step "terraform fmt -check -recursive"
terraform fmt -check -recursive -diff . || fail "terraform fmt: run 'terraform fmt -recursive infra/terraform'"

init() { # dir, extra args...
  local dir="$1"; shift
  TF_DATA_DIR="$WORK/data/${dir//\//_}" terraform -chdir="$dir" init -backend=false -input=false -no-color "$@" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; fail "terraform init in $dir"; }
}

for dir in "${modules[@]}"; do
  step "init + validate $dir"
  init "$dir"
  TF_DATA_DIR="$WORK/data/${dir//\//_}" terraform -chdir="$dir" validate -no-color
done

# Roots carry a committed lock file; it must already match the mirror. `terraform test`
# validates the whole configuration (root and every module it calls) before its first run, so
# the roots need no separate validate.
for dir in "${roots[@]}"; do
  step "init $dir"
  init "$dir" -lockfile=readonly
done

for dir in "${tested[@]}"; do
  step "terraform test $dir"
  TF_DATA_DIR="$WORK/data/${dir//\//_}" terraform -chdir="$dir" test -no-color
done

if [[ "${SKIP_CHECKOV:-0}" == "1" ]]; then
  step "checkov SKIPPED (SKIP_CHECKOV=1)"
else
  step "checkov (terraform framework)"
  # shellcheck source=scripts/tools.sh
  source "$REPO/scripts/tools.sh"
  CHECKOV="$(tool checkov)"
  rm -f "$WORK/checkov.json" # a stale report must not stand in for this run
  # Offline: no guideline lookups (BC_SKIP_MAPPING), no policy downloads (skip-download).
  BC_SKIP_MAPPING=TRUE "$CHECKOV" --config-file "$TF_ROOT/.checkov.yaml" --directory "$TF_ROOT" \
    -o cli -o json --output-file-path "console,$WORK/checkov.json" >"$WORK/checkov.log" 2>&1 \
    && checkov_rc=0 || checkov_rc=$?
  grep -vE '^[0-9-]+ [0-9:,]+ \[' "$WORK/checkov.log" | grep -v '^$' || true
  [[ -s "$WORK/checkov.json" ]] || fail "checkov wrote no results (exit $checkov_rc); see $WORK/checkov.log"
  skipped_by_config=$(grep -cE '^[[:space:]]+- CKV' "$TF_ROOT/.checkov.yaml" || true)
  python3 - "$WORK/checkov.json" "$skipped_by_config" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
reports = data if isinstance(data, list) else [data]
s = {k: sum(r.get("summary", {}).get(k, 0) for r in reports) for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count")}
print("checkov summary: {passed} passed, {failed} failed, {skipped} skipped inline, "
      "{parsing_errors} parse errors, {resource_count} resources".format(**s)
      + f"; {sys.argv[2]} checks skipped by infra/terraform/.checkov.yaml (each justified there)")
if s["parsing_errors"]:
    sys.exit("checkov could not parse some files")
if s["resource_count"] == 0:
    sys.exit("checkov scanned no resources")
PY
  if [[ $checkov_rc -ne 0 ]]; then
    fail "checkov found failed checks (see above); fix them or add a justified skip to infra/terraform/.checkov.yaml"
  fi
fi

step "all Terraform checks passed"
