#!/usr/bin/env bash
# The variables set here are read by the scripts that source this file.
# shellcheck disable=SC2034
# Shared by the preview-*.sh scripts (sourced, never run): the previews' configuration, the names
# of one preview's pieces, listing the running previews, and tearing one down.
#
# Every per-preview piece is named for the pull request and tagged preview=pr-<n>, which is all
# the workflow's role may create or delete (infra/terraform/bootstrap/previews.tf):
#   service pr-<n> in the previews cluster, task definitions <name>-pr-<n>:*, target group
#   <name>-pr-<n>, the HTTPS listener's rule at priority <n> for host pr-<n>.<domain>, and the
#   secret <secret_prefix>/pr-<n>/secret-key.
#
# Env: PREVIEW_CONFIG_FILE (the configuration JSON; tests) or PREVIEW_CONFIG_PARAMETER (the SSM
# parameter modules/previews publishes, default /netflix-clone/dev/previews/config); the AWS CLI's
# usual variables (AWS_REGION, AWS_ENDPOINT_URL in tests).

PREVIEW_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PREVIEW_TEMPLATE="$PREVIEW_REPO_ROOT/infra/terraform/modules/previews/task-definition.json"

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# Loads the configuration into PREVIEW_CONFIG (JSON) and the cfg_* variables.
preview_config() {
  if [[ -n "${PREVIEW_CONFIG_FILE:-}" ]]; then
    PREVIEW_CONFIG="$(cat "$PREVIEW_CONFIG_FILE")"
  else
    PREVIEW_CONFIG="$(aws ssm get-parameter --name "${PREVIEW_CONFIG_PARAMETER:-/netflix-clone/dev/previews/config}" \
      --query Parameter.Value --output text)" || die "cannot read the previews configuration from SSM"
  fi
  jq -e 'type == "object" and (.cluster | type == "string")' <<<"$PREVIEW_CONFIG" >/dev/null ||
    die "the previews configuration is not the JSON modules/previews publishes"
  cfg() { jq -r --arg k "$1" '.[$k] | if type == "array" then join(",") else tostring end' <<<"$PREVIEW_CONFIG"; }
  cfg_name="$(cfg name)"
  cfg_cluster="$(cfg cluster)"
  cfg_domain="$(cfg domain)"
  cfg_listener="$(cfg listener_arn)"
  cfg_vpc="$(cfg vpc_id)"
  cfg_secret_prefix="$(cfg secret_prefix)"
  cfg_capacity="$(cfg capacity_provider)"
  cfg_max="$(cfg max_previews)"
  cfg_idle_days="$(cfg idle_days)"
  cfg_port="$(cfg container_port)"
  cfg_repository_url="$(cfg repository_url)"
}

# A pull request number as the previews use it: 1..50000 (it is the listener rule's priority).
preview_number() {
  [[ "$1" =~ ^[1-9][0-9]{0,4}$ && "$1" -le 50000 ]] || die "pull request number must be 1..50000, got '$1'"
}

# Names of preview $1's pieces (after preview_config).
preview_names() {
  p_tag="pr-$1"
  p_service="pr-$1"
  p_family="$cfg_name-pr-$1"
  p_target_group="$cfg_name-pr-$1"
  p_host="pr-$1.$cfg_domain"
  p_secret="$cfg_secret_prefix/pr-$1/secret-key"
}

# Prints "<number>\t<last-deployed epoch>" for every ACTIVE preview service, oldest deploy first.
# Fails (rather than print a short list) when AWS does not answer: callers remove what is not
# listed.
preview_list() {
  local arns chunk page out=""
  arns="$(aws ecs list-services --cluster "$cfg_cluster" --query 'serviceArns' --output json)" || return 1
  # DescribeServices takes at most 10 services at a time.
  for chunk in $(jq -c '[_nwise(10)][] | select(length > 0)' <<<"$arns"); do
    # shellcheck disable=SC2046 # one argument per ARN
    page="$(aws ecs describe-services --cluster "$cfg_cluster" --include TAGS \
      --services $(jq -r '.[]' <<<"$chunk") --output json)" || return 1
    out+="$(jq -r '.services[] | select(.status == "ACTIVE")
      | (.tags // []) as $t
      | ([$t[] | select(.key == "preview") | .value][0] // "") as $p
      | select($p | test("^pr-[0-9]+$"))
      | [($p | ltrimstr("pr-")), ([$t[] | select(.key == "last-deployed") | .value][0] // "0")] | @tsv' <<<"$page")"$'\n'
  done
  printf '%s' "$out" | sed '/^$/d' | sort -t$'\t' -k2,2n -k1,1n
}

# The listener rule of preview $1 (priority = pull request number), checked to be that preview's.
preview_rule_arn() {
  local arn tag
  arn="$(aws elbv2 describe-rules --listener-arn "$cfg_listener" \
    --query "Rules[?Priority=='$1'].RuleArn | [0]" --output text)"
  [[ -n "$arn" && "$arn" != None ]] || return 0
  tag="$(aws elbv2 describe-tags --resource-arns "$arn" \
    --query "TagDescriptions[0].Tags[?Key=='preview'].Value | [0]" --output text)"
  [[ "$tag" == "pr-$1" ]] || die "the listener rule at priority $1 is not preview pr-$1's (tag preview=$tag): refusing to touch it"
  echo "$arn"
}

# Removes every piece of preview $1; idempotent (a piece already gone is skipped).
preview_teardown() {
  local n="$1" arn status revisions chunk
  preview_names "$n"

  # Traffic first, so nobody reaches a half-removed preview.
  arn="$(preview_rule_arn "$n")"
  if [[ -n "$arn" ]]; then
    aws elbv2 delete-rule --rule-arn "$arn"
    note "pr-$n: listener rule deleted"
  fi

  status="$(aws ecs describe-services --cluster "$cfg_cluster" --services "$p_service" \
    --query 'services[0].status' --output text)"
  if [[ "$status" == ACTIVE ]]; then
    aws ecs delete-service --cluster "$cfg_cluster" --service "$p_service" --force >/dev/null
    note "pr-$n: service deleted"
  fi

  local err
  err="$(mktemp)"
  if arn="$(aws elbv2 describe-target-groups --names "$p_target_group" \
    --query 'TargetGroups[0].TargetGroupArn' --output text 2>"$err")"; then
    rm -f "$err"
    # The rule that used it is gone; ELB may still count it in use for a moment.
    local try
    for try in 1 2 3 4 5 6; do
      aws elbv2 delete-target-group --target-group-arn "$arn" 2>/dev/null && break
      [[ $try -lt 6 ]] || die "pr-$n: target group $arn could not be deleted"
      sleep 5
    done
    note "pr-$n: target group deleted"
  else
    grep -q TargetGroupNotFound "$err" || { cat "$err" >&2; rm -f "$err"; die "pr-$n: cannot look up the target group"; }
    rm -f "$err"
  fi

  # --family-prefix pr-1 also lists pr-10..pr-19: keep this family's revisions only.
  revisions="$(aws ecs list-task-definitions --family-prefix "$p_family" --status ACTIVE \
    --query 'taskDefinitionArns' --output json |
    jq -r --arg f "$p_family" '.[] | select(test(":task-definition/" + $f + ":[0-9]+$"))')"
  for arn in $revisions; do
    aws ecs deregister-task-definition --task-definition "$arn" >/dev/null
  done
  revisions="$(aws ecs list-task-definitions --family-prefix "$p_family" --status INACTIVE \
    --query 'taskDefinitionArns' --output json |
    jq -c --arg f "$p_family" '[.[] | select(test(":task-definition/" + $f + ":[0-9]+$"))] | [_nwise(10)][] | select(length > 0)')"
  while IFS= read -r chunk; do
    [[ -n "$chunk" ]] || continue
    # shellcheck disable=SC2046 # one argument per ARN
    aws ecs delete-task-definitions --task-definitions $(jq -r '.[]' <<<"$chunk") >/dev/null
  done <<<"$revisions"
  [[ -z "$revisions" ]] || note "pr-$n: task definitions deleted"

  if aws secretsmanager describe-secret --secret-id "$p_secret" >/dev/null 2>&1; then
    # The value only signs the tokens of a preview that no longer exists.
    aws secretsmanager delete-secret --secret-id "$p_secret" --force-delete-without-recovery >/dev/null
    note "pr-$n: secret deleted"
  fi
}
