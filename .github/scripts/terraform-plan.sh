#!/usr/bin/env bash
# Pull-request plan of one environment (infra.yml): read-only (-lock=false, the plan role
# cannot write the lock), shown in the job summary, and saved next to the state as
#   s3://<state bucket>/netflix-clone/<env>/plans/pr-<number>/<head sha>.tfplan
# with the git tree it was made from, for terraform-apply.sh to apply after the merge.
#
# Usage: terraform-plan.sh <env> <pr number> <head sha>     (from the repository root)
set -euo pipefail

die() { echo "terraform-plan.sh: $*" >&2; exit 1; }
[[ $# -eq 3 ]] || die "usage: $0 <dev|uat|prod> <pr number> <head sha>"
env=$1 pr=$2 head=$3
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $pr =~ ^[0-9]+$ && $head =~ ^[0-9a-f]{40}$ ]] || die "bad pull request number or sha"
dir="infra/terraform/envs/$env"
bucket="$(sed -nE 's/^bucket[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$dir/backend.hcl")"
[[ -n $bucket && $bucket != REPLACE_ME* ]] || die "$dir/backend.hcl names no state bucket yet (docs/infrastructure.md, step 2)"
key="netflix-clone/$env/plans/pr-$pr/$head.tfplan"

terraform -chdir="$dir" init -input=false -backend-config=backend.hcl
terraform -chdir="$dir" plan -input=false -lock=false -out=tfplan
{
  echo "### terraform plan of \`$env\` for #$pr at \`$head\`"
  echo
  echo "Applied as is when this pull request is merged (after approval for uat and prod)."
  echo
  echo '```'
  terraform -chdir="$dir" show -no-color tfplan | tail -c 900000
  echo '```'
} >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
aws s3 cp "$dir/tfplan" "s3://$bucket/$key" --sse aws:kms \
  --metadata "tree=$(git rev-parse 'HEAD^{tree}'),head=$head"
echo "saved the plan as s3://$bucket/$key"
