#!/usr/bin/env bash
# The daily cleanup: removes previews idle for idle_days (no deploy since), previews of pull
# requests that are closed (a missed or cancelled close event), pieces of previews whose service
# is gone (a run cancelled half-way), and the least recently deployed ones beyond max_previews.
# Prints "<pull request number><TAB><reason>" for each preview it removed, reason being idle,
# closed, orphaned or limit.
#
# Env: as preview-lib.sh; GITHUB_TOKEN (pull-requests: read), GITHUB_REPOSITORY,
#      GITHUB_API_URL (default https://api.github.com); PREVIEW_NOW (epoch seconds, default now).
set -euo pipefail
# shellcheck source=.github/scripts/preview-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/preview-lib.sh"

preview_config
api="${GITHUB_API_URL:-https://api.github.com}/repos/${GITHUB_REPOSITORY:?}"
auth=(-H "Authorization: Bearer ${GITHUB_TOKEN:?}" -H "Accept: application/vnd.github+json")
now="${PREVIEW_NOW:-$(date +%s)}"
cutoff=$((now - cfg_idle_days * 86400))

removed() { preview_teardown "$1"; printf '%s\t%s\n' "$1" "$2"; }

pr_state() {
  curl -fsS --max-time 20 "${auth[@]}" "$api/pulls/$1" | jq -r .state
}

list="$(preview_list)" || die "cannot list the running previews"
kept=()
while IFS=$'\t' read -r n deployed; do
  [[ -n "$n" ]] || continue
  if ((deployed < cutoff)); then
    removed "$n" idle
    continue
  fi
  # An unanswered question is not a closed pull request: stop rather than remove a live preview.
  state="$(pr_state "$n")" || die "cannot read the state of pull request #$n"
  if [[ "$state" == closed ]]; then
    removed "$n" closed
  else
    kept+=("$n")
  fi
done <<<"$list"

# Pieces without a running service: target groups, secrets and task definition families that
# carry a preview's name.
target_groups="$(aws elbv2 describe-target-groups --query 'TargetGroups[].TargetGroupName' --output json)"
secrets="$(aws secretsmanager list-secrets --filters Key=name,Values="$cfg_secret_prefix/pr-" \
  --query 'SecretList[].Name' --output json)"
families="$(aws ecs list-task-definitions --family-prefix "$cfg_name-pr-" --status ACTIVE \
  --query 'taskDefinitionArns' --output json)"
orphans="$(jq -rn --arg name "$cfg_name-pr-" --arg secret "$cfg_secret_prefix/pr-" \
  --argjson tgs "$target_groups" --argjson secrets "$secrets" --argjson tds "$families" '
  [ ($tgs[] | select(startswith($name)) | ltrimstr($name)),
    ($secrets[] | select(startswith($secret)) | ltrimstr($secret) | split("/")[0]),
    ($tds[] | capture(":task-definition/" + $name + "(?<n>[0-9]+):[0-9]+$").n) ]
  | map(select(test("^[0-9]+$")) | tonumber) | unique | .[]')"
for n in $orphans; do
  running=0
  for k in "${kept[@]}"; do [[ "$k" == "$n" ]] && running=1; done
  ((running)) || removed "$n" orphaned
done

# kept is oldest deploy first.
while ((${#kept[@]} > cfg_max)); do
  removed "${kept[0]}" limit
  kept=("${kept[@]:1}")
done
