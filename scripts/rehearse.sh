#!/usr/bin/env bash
# Rehearses the first real applies offline: `terraform apply` of infra/terraform/bootstrap, then
# of envs/dev, against a local moto server (the AWS emulator the tests already use), and
# reports what was created, what the emulator cannot do (named gaps, listed below) and any
# configuration error. mock_provider tests evaluate expressions; this sends every create call
# to something that checks its arguments, ARNs and references.
#
# The real roots are never touched: they are copied to a temporary directory and a test-only
# provider override (endpoints + skip_* flags, local backend) is written next to the copies.
#
# Usage: scripts/rehearse.sh        exit 0: no configuration error and no unexpected failure
# Env:   TF_PLUGIN_MIRROR           provider mirror directory (default /opt/tf-plugins)
#        REHEARSE_KEEP=1            keep the temporary directory (logs, states) for a look
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
MOTO="$REPO/.venv/bin/moto_server"
started=$SECONDS

fail() { printf 'rehearse: %s\n' "$*" >&2; exit 1; }
[[ -x "$MOTO" ]] || fail "no $MOTO: run 'make install' first"
command -v terraform >/dev/null || fail "terraform is not installed"
compgen -G "$MIRROR/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_*" >/dev/null ||
  fail "no hashicorp/aws 5.100.0 in the provider mirror '$MIRROR' (set TF_PLUGIN_MIRROR)"

work="$(mktemp -d "${TMPDIR:-/tmp}/nc-rehearse.XXXXXX")"
moto_pid=""
cleanup() {
  if [[ -n "$moto_pid" ]]; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [[ "${REHEARSE_KEEP:-0}" == "1" ]]; then
    echo "rehearse: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- the emulator, on a free loopback port ----------------------------------------------------
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# All of AWS's managed policies (ReadOnlyAccess, the EKS Auto Mode ones), not moto's short list.
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$MOTO" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
endpoint="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null && break
  kill -0 "$moto_pid" 2>/dev/null || fail "moto_server exited: $(tail -5 "$work/moto.log")"
  sleep 0.1
done
curl -fsS -o /dev/null "$endpoint/moto-api/" || fail "moto_server did not answer on $endpoint"

# --- copies of the roots with a test-only provider override -----------------------------------
mkdir -p "$work/tf" "$work/plugin-cache"
(cd "$REPO/infra/terraform" && tar --exclude=.terraform --exclude='*.tfstate*' -cf - .) | tar -xf - -C "$work/tf"
sed "s#\"/opt/tf-plugins\"#\"$MIRROR\"#" "$REPO/infra/terraform/.terraformrc.offline" >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_PLUGIN_CACHE_DIR="$work/plugin-cache"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1
unset AWS_PROFILE TF_WORKSPACE

services=(acm cloudwatch codebuild ec2 ecr ecs eks elasticache elbv2 iam kms logs rds route53 s3 secretsmanager sns ssm sts)
# Services moto lacks go to a closed port, so their calls fail at once (the provider would
# retry moto's answer for minutes); with few retries a gap costs seconds.
absent_services=(codeconnections codestarconnections)
closed="http://127.0.0.1:9"
override() { # root dir
  {
    echo '# Written by scripts/rehearse.sh into a temporary copy; never part of the real roots.'
    echo 'terraform {'
    echo '  backend "local" {}'
    echo '}'
    echo 'provider "aws" {'
    echo '  skip_credentials_validation = true'
    echo '  skip_requesting_account_id  = false'
    echo '  skip_metadata_api_check     = true'
    echo '  max_retries                 = 2'
    echo '  s3_use_path_style           = true'
    echo '  endpoints {'
    for s in "${services[@]}"; do printf '    %s = "%s"\n' "$s" "$endpoint"; done
    for s in "${absent_services[@]}"; do printf '    %s = "%s"\n' "$s" "$closed"; done
    echo '  }'
    echo '}'
  } >"$1/rehearse_override.tf"
  # The bootstrap root has no backend block to override.
  if ! grep -q 'backend "s3"' "$1"/*.tf; then
    sed -i '/^terraform {/,/^}/d' "$1/rehearse_override.tf"
  fi
  # moto has neither of EKS's catalog calls the environment reads at plan time
  # (DescribeClusterVersions, DescribeAddonVersions): without them no plan could start. The
  # version check is switched off and metrics-server pinned to a build EKS publishes for the
  # cluster's version, both named in the report as stand-ins.
  if grep -q '^module "platform"' "$1/main.tf"; then
    {
      echo 'module "platform" {'
      echo '  verify_version_support = false'
      printf '  metrics_server_version = "%s"\n' "$metrics_server_stand_in"
      echo '}'
    } >>"$1/rehearse_override.tf"
    echo "$(basename "$1"): stand-in: EKS DescribeClusterVersions (moto lacks it): the plan-time version check is off" >>"$report"
    echo "$(basename "$1"): stand-in: EKS DescribeAddonVersions (moto lacks it): metrics-server pinned to $metrics_server_stand_in" >>"$report"
  fi
}
# Any well-formed add-on version: moto creates no add-on (its own gap) and checks none.
metrics_server_stand_in="v0.8.0-eksbuild.1"

# Emulator gaps (what moto lacks) are an allow-list in scripts/rehearse_classify.py; every other
# failure is a configuration error.
report="$work/report.txt"
: >"$report"
config_errors=0
unexpected=0
total_created=0
total_planned=0

rehearse_root() { # name dir extra-apply-args...
  local name="$1" dir="$2"; shift 2
  local log="$work/$name.log" data="$work/data-$name"
  override "$dir"
  printf '\n== %s: init\n' "$name"
  TF_DATA_DIR="$data" terraform -chdir="$dir" init -input=false -no-color -lockfile=readonly >"$log" 2>&1 ||
    { cat "$log" >&2; fail "terraform init of $name"; }
  printf '== %s: plan\n' "$name"
  if ! TF_DATA_DIR="$data" terraform -chdir="$dir" plan -input=false -no-color -out="$work/$name.tfplan" "$@" >>"$log" 2>&1; then
    sed -n '/Error:/,$p' "$log" >&2
    echo "$name: plan failed: configuration error" >>"$report"
    config_errors=$((config_errors + 1))
    return
  fi
  local planned
  planned="$(TF_DATA_DIR="$data" terraform -chdir="$dir" show -json "$work/$name.tfplan" |
    python3 -c 'import json,sys; p=json.load(sys.stdin); print(sum(1 for r in p.get("resource_changes",[]) if r["mode"]=="managed" and "create" in r["change"]["actions"]))')"
  printf '== %s: apply (%s resources planned)\n' "$name" "$planned"
  local rc=0
  TF_DATA_DIR="$data" terraform -chdir="$dir" apply -input=false -no-color -parallelism=8 "$work/$name.tfplan" >>"$log" 2>&1 || rc=$?
  local created
  created="$(TF_DATA_DIR="$data" terraform -chdir="$dir" state list 2>/dev/null | grep -cv '^data\.\|\.data\.' || true)"
  total_created=$((total_created + created))
  total_planned=$((total_planned + planned))
  echo "$name: $created of $planned resources created" >>"$report"
  local kind address what
  python3 "$REPO/scripts/rehearse_classify.py" "$log" >"$work/$name.errors"
  while IFS=$'\t' read -r kind address what; do
    if [[ "$kind" == gap ]]; then
      echo "$name: emulator gap: $address ($what)" >>"$report"
    else
      echo "$name: CONFIGURATION ERROR: $address: $what" >>"$report"
      unexpected=$((unexpected + 1))
    fi
  done <"$work/$name.errors"
  if [[ $rc -ne 0 && ! -s "$work/$name.errors" ]]; then
    tail -30 "$log" >&2
    echo "$name: apply failed without a named resource: configuration error" >>"$report"
    config_errors=$((config_errors + 1))
  fi
}

rehearse_root bootstrap "$work/tf/bootstrap" -var github_repository=example-org/netflix-clone

# The connection is an emulator gap, so its ARN never reached SSM; give the environment root the
# stand-in a real account has after bootstrap (the parameter is only read, never checked).
"$REPO/.venv/bin/python" - "$endpoint" <<'PY'
import sys
import boto3
ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="eu-west-1")
name = "/netflix-clone/bootstrap/github-connection-arn"
try:
    ssm.get_parameter(Name=name)
except ssm.exceptions.ParameterNotFound:
    ssm.put_parameter(Name=name, Type="String", Value="arn:aws:codeconnections:eu-west-1:123456789012:connection/00000000-0000-0000-0000-000000000000")
    print("seeded the stand-in /netflix-clone/bootstrap/github-connection-arn (CodeConnections is an emulator gap)")
PY

rehearse_root dev "$work/tf/envs/dev"

config_errors=$((config_errors + unexpected))
gaps="$(grep -c 'emulator gap' "$report" || true)"
printf '\n== rehearsal report (moto %s, %ss)\n' "$("$REPO/.venv/bin/python" -c 'import moto; print(moto.__version__)')" "$((SECONDS - started))"
cat "$report"
printf '\nresources created: %s of %s planned; emulator gaps: %s; configuration errors: %s\n' \
  "$total_created" "$total_planned" "$gaps" "$config_errors"
[[ $config_errors -eq 0 ]] || exit 1
