#!/usr/bin/env bash
# Applies what a merged pull request's reviewers saw, never something else (infra.yml):
#   - the merged code must be exactly the code that was planned (same git tree as the PR head
#     the reviewed plan was made from), or it is refused;
#   - inside the environment-gated job, with the deploy role and the state lock, it plans again
#     and applies that plan only if its digest equals the reviewed one
#     (.github/scripts/terraform-plan-digest.sh): a state that moved since the review, or a
#     reviewed plan that is not this environment's, makes a different plan and is refused.
# The reviewed plan comes from the artifact of the pull request's own plan run, which the plan
# role (read-only, assumable by any pull request) has no way to write anywhere else.
#
# Usage: terraform-apply.sh <env> <pr number> <pr head sha> <git tree of that head> <reviewed-plan file>
set -euo pipefail

die() { echo "terraform-apply.sh: $*" >&2; exit 1; }
[[ $# -eq 5 ]] || die "usage: $0 <dev|uat|prod> <pr number> <head sha> <planned tree> <reviewed-plan file>"
env=$1 pr=$2 head=$3 planned_tree=$4 reviewed=$5
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $pr =~ ^[0-9]+$ && $head =~ ^[0-9a-f]{40}$ && $planned_tree =~ ^[0-9a-f]{40}$ ]] ||
  die "bad pull request number, sha or tree"
dir="infra/terraform/envs/$env"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
merged_tree="$(git rev-parse 'HEAD^{tree}')"
if [[ $merged_tree != "$planned_tree" ]]; then
  die "stale plan: the merged code (tree $merged_tree) is not the code planned in #$pr (tree $planned_tree).
The branch moved after the plan: open a pull request with the current $env so its plan is reviewed."
fi
[[ -f $reviewed ]] || die "no reviewed plan for #$pr: the plan job must have run on the pull request's last commit"
declare -A seen=()
while IFS='=' read -r key val; do seen[$key]=$val; done <"$reviewed"
[[ ${seen[environment]:-} == "$env" && ${seen[pr]:-} == "$pr" && ${seen[head]:-} == "$head" && ${seen[tree]:-} == "$planned_tree" ]] ||
  die "the reviewed plan is not the one of $env at #$pr $head (it says: ${seen[environment]:-?} #${seen[pr]:-?} ${seen[head]:-?})"
[[ ${seen[digest]:-} =~ ^[0-9a-f]{64}$ ]] || die "the reviewed plan has no digest"

terraform -chdir="$dir" init -input=false -backend-config=backend.hcl
terraform -chdir="$dir" plan -input=false -out=tfplan
digest="$("$here/terraform-plan-digest.sh" "$dir" tfplan)"
if [[ $digest != "${seen[digest]}" ]]; then
  terraform -chdir="$dir" show -no-color tfplan >&2 || true
  die "this plan (above, digest $digest) is not the one reviewed in #$pr (digest ${seen[digest]}): the state moved since.
Nothing was applied. Re-run the plan job of #$pr, review its summary, then re-run this job."
fi
{
  echo "### applying the plan of \`$env\` reviewed in #$pr (digest \`$digest\`)"
  echo '```'
  terraform -chdir="$dir" show -no-color tfplan | tail -c 900000
  echo '```'
} >>"${GITHUB_STEP_SUMMARY:-/dev/stdout}"
terraform -chdir="$dir" apply -input=false tfplan
