#!/usr/bin/env bash
# Pull-request plan of one environment (infra.yml): read-only (-lock=false, the plan role may
# write nothing), shown in the job summary. What the reviewers saw is kept as the plan's digest
# (.github/scripts/terraform-plan-digest.sh) with the pull request, head commit and git tree it
# was made from, in <out dir>, which the workflow uploads as an artifact of this run: nothing is
# written where another pull request could replace it. After the merge, terraform-apply.sh
# plans again inside the Environment and applies only if that plan has the same digest.
#
# Usage: terraform-plan.sh <env> <pr number> <head sha> <out dir>     (from the repository root)
set -euo pipefail

die() { echo "terraform-plan.sh: $*" >&2; exit 1; }
[[ $# -eq 4 ]] || die "usage: $0 <dev|uat|prod> <pr number> <head sha> <out dir>"
env=$1 pr=$2 head=$3 out=$4
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $pr =~ ^[0-9]+$ && $head =~ ^[0-9a-f]{40}$ ]] || die "bad pull request number or sha"
dir="infra/terraform/envs/$env"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bucket="$(sed -nE 's/^bucket[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$dir/backend.hcl")"
[[ -n $bucket && $bucket != REPLACE_ME* ]] || die "$dir/backend.hcl names no state bucket yet (docs/infrastructure.md, step 3)"

terraform -chdir="$dir" init -input=false -backend-config=backend.hcl
terraform -chdir="$dir" plan -input=false -lock=false -out=tfplan
digest="$("$here/terraform-plan-digest.sh" "$dir" tfplan)"
mkdir -p "$out"
{
  echo "environment=$env"
  echo "pr=$pr"
  echo "head=$head"
  echo "tree=$(git rev-parse 'HEAD^{tree}')"
  echo "digest=$digest"
} >"$out/reviewed-plan"
{
  echo "### terraform plan of \`$env\` for #$pr at \`$head\`"
  echo
  echo "On merge, the apply plans again and applies only a plan with this digest: \`$digest\`."
  echo
  echo '```'
  terraform -chdir="$dir" show -no-color tfplan | tail -c 900000
  echo '```'
} >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
echo "reviewed plan of $env: digest $digest"
