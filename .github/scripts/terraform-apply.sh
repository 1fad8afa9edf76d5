#!/usr/bin/env bash
# Applies the plan a merged pull request was shown (infra.yml), never a fresh one:
#   - the merged code must be exactly the code that was planned (same git tree as the PR head
#     the plan was made from), or the plan is stale: refused;
#   - the saved plan must exist for that head (terraform-plan.sh stores it);
#   - Terraform itself refuses a saved plan whose state changed since ("Saved plan is stale").
# The plan is printed into the job summary before it is applied, and deleted afterwards so it
# can never be applied twice.
#
# Usage: terraform-apply.sh <env> <pr number> <pr head sha> <git tree of that head>
set -euo pipefail

die() { echo "terraform-apply.sh: $*" >&2; exit 1; }
[[ $# -eq 4 ]] || die "usage: $0 <dev|uat|prod> <pr number> <head sha> <planned tree>"
env=$1 pr=$2 head=$3 planned_tree=$4
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $pr =~ ^[0-9]+$ && $head =~ ^[0-9a-f]{40}$ && $planned_tree =~ ^[0-9a-f]{40}$ ]] ||
  die "bad pull request number, sha or tree"
dir="infra/terraform/envs/$env"
merged_tree="$(git rev-parse 'HEAD^{tree}')"
if [[ $merged_tree != "$planned_tree" ]]; then
  die "stale plan: the merged code (tree $merged_tree) is not the code planned in #$pr (tree $planned_tree).
The branch moved after the plan: update the pull request with $env and let it plan again."
fi
bucket="$(sed -nE 's/^bucket[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$dir/backend.hcl")"
[[ -n $bucket && $bucket != REPLACE_ME* ]] || die "$dir/backend.hcl names no state bucket"
key="netflix-clone/$env/plans/pr-$pr/$head.tfplan"
aws s3 cp "s3://$bucket/$key" "$dir/tfplan" ||
  die "no saved plan s3://$bucket/$key: the plan job must have run on the pull request's last commit"

terraform -chdir="$dir" init -input=false -backend-config=backend.hcl
{
  echo "### applying the plan of \`$env\` reviewed in #$pr"
  echo '```'
  terraform -chdir="$dir" show -no-color tfplan | tail -c 900000
  echo '```'
} >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
terraform -chdir="$dir" apply -input=false tfplan
aws s3 rm "s3://$bucket/$key"
