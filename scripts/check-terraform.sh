#!/usr/bin/env bash
# Offline checks of infra/terraform: static guards, fmt, init through the provider mirror,
# `terraform test` (mock provider) of modules/platform (the assertions every environment shares),
# the other modules with tests of their own, bootstrap and each environment root (its own
# values), validate of any module no `terraform test` reaches, and checkov.
# Usage: scripts/check-terraform.sh          (from any directory; exits non-zero on any failure)
# Env:   TF_PLUGIN_MIRROR  provider mirror directory (default /opt/tf-plugins)
#        TF_TEST_JOBS      how many `terraform test` directories (and checkov) run at once
#                          (default 2; each is one busy core, the provider plugins ~1 GB in all)
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

data_dir() { printf '%s' "$WORK/data/${1//\//_}"; }

init() { # dir, extra args...
  local dir="$1"; shift
  # A manifest left by an earlier run must not list a module call that is gone (see below).
  rm -f "$(data_dir "$dir")/modules/modules.json"
  TF_DATA_DIR="$(data_dir "$dir")" terraform -chdir="$dir" init -backend=false -input=false -no-color "$@" >"$WORK/init.log" 2>&1 \
    || { cat "$WORK/init.log" >&2; fail "terraform init in $dir"; }
}

# Roots carry a committed lock file; it must already match the mirror.
for dir in "${tested[@]}"; do
  step "init $dir"
  if [[ " ${roots[*]} " == *" $dir "* ]]; then
    init "$dir" -lockfile=readonly
  else
    init "$dir"
  fi
done

# `terraform test` validates the whole configuration of each run (the directory and every module
# it calls, resources with count = 0 included) before planning it, so a module that some tested
# directory calls needs no validate of its own. Which ones those are is what `terraform init`
# installed (its modules.json manifests), not a list kept here; any module no test reaches is
# validated on its own. Adding a module therefore never goes unvalidated.
mapfile -t reached < <(
  for dir in "${tested[@]}"; do
    printf '%s\t%s\n' "$dir" "$(data_dir "$dir")/modules/modules.json"
  done | python3 -c '
import json, os, sys
for line in sys.stdin:
    dir, manifest = line.rstrip("\n").split("\t")
    print(dir)
    if os.path.exists(manifest):
        for module in json.load(open(manifest))["Modules"]:
            print(os.path.normpath(os.path.join(dir, module["Dir"])))
' | sort -u
)
alone=()
for dir in "${modules[@]}"; do
  [[ " ${reached[*]} " == *" $dir "* ]] || alone+=("$dir")
done
step "validate the modules no terraform test reaches: ${alone[*]:-none (all ${#modules[@]} are reached)}"
for dir in "${alone[@]}"; do
  init "$dir"
  TF_DATA_DIR="$(data_dir "$dir")" terraform -chdir="$dir" validate -no-color
done

run_checkov() {
  # shellcheck source=scripts/tools.sh
  source "$REPO/scripts/tools.sh"
  CHECKOV="$(tool checkov)" || return
  # Offline: no guideline lookups (BC_SKIP_MAPPING), no policy downloads (skip-download).
  BC_SKIP_MAPPING=TRUE "$CHECKOV" --config-file "$TF_ROOT/.checkov.yaml" --directory "$TF_ROOT" \
    -o cli -o json --output-file-path "console,$WORK/checkov.json" >"$WORK/checkov.log" 2>&1
}

# The `terraform test` directories and checkov share nothing, so up to TF_TEST_JOBS of them run
# at once, the directories with the most run blocks first and checkov (the shortest) last; each
# one's output is printed whole, in the usual order, when all are done, and any failure fails the
# check.
jobs_dir="$WORK/jobs"
rm -rf "$jobs_dir" && mkdir -p "$jobs_dir"
rm -f "$WORK/checkov.json" # a stale report must not stand in for this run
job() { # name, command...: runs the command, keeping its output, exit status and duration
  local name="${1//\//_}" began=$SECONDS rc=0; shift
  "$@" >"$jobs_dir/$name.log" 2>&1 || rc=$?
  printf '%s %s\n' "$rc" "$((SECONDS - began))" >"$jobs_dir/$name.rc"
}
mapfile -t queue < <(
  for dir in "${tested[@]}"; do
    printf '%s\t%s\n' "$(cat "$dir"/tests/*.tftest.hcl | grep -c '^run ')" "$dir"
  done | sort -t$'\t' -k1,1nr -k2,2 | cut -f2
)
what="terraform test of ${#tested[@]} directories"
[[ "${SKIP_CHECKOV:-0}" == "1" ]] || { queue+=(checkov); what+=" and checkov"; }
step "$what, ${TF_TEST_JOBS:-2} at a time: ${queue[*]}"
for name in "${queue[@]}"; do
  while (($(jobs -rp | wc -l) >= ${TF_TEST_JOBS:-2})); do
    wait -n || true
  done
  if [[ "$name" == checkov ]]; then
    job checkov run_checkov &
  else
    job "$name" env TF_DATA_DIR="$(data_dir "$name")" terraform -chdir="$name" test -no-color &
  fi
done
wait

failed=()
for dir in "${tested[@]}"; do
  read -r rc took <"$jobs_dir/${dir//\//_}.rc" || fail "no result for terraform test $dir"
  step "terraform test $dir (exit $rc, ${took}s)"
  cat "$jobs_dir/${dir//\//_}.log"
  ((rc == 0)) || failed+=("$dir")
done
((${#failed[@]} == 0)) || fail "terraform test failed in: ${failed[*]}"

if [[ "${SKIP_CHECKOV:-0}" == "1" ]]; then
  step "checkov SKIPPED (SKIP_CHECKOV=1)"
else
  read -r checkov_rc took <"$jobs_dir/checkov.rc" || fail "no result for checkov"
  step "checkov (terraform framework; exit $checkov_rc, ${took}s)"
  cat "$jobs_dir/checkov.log" # installing it, if it had to be
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
