#!/usr/bin/env bash
# Creates or updates the preview of one pull request and waits until it serves: its secret
# (SECRET_KEY, made once and never read back), target group, listener rule for
# pr-<n>.<domain>, a new task definition revision with the image, and the ECS service. Prints
# the preview's URL on stdout (everything else goes to stderr).
#
#   preview-deploy.sh <pull request number> <commit sha> <image@sha256:digest>
#
# Env: as preview-lib.sh; PREVIEW_WAIT_SECONDS (900): how long to wait for the deployment.
set -euo pipefail
# shellcheck source=.github/scripts/preview-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/preview-lib.sh"

[[ $# -eq 3 ]] || die "usage: $0 <pull request number> <commit sha> <image@sha256:digest>"
n="$1" sha="$2" image="$3"
preview_number "$n"
preview_config
preview_names "$n"
now="$(date +%s)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2054 # Key=...,Value=... is one CLI argument each
elb_tags=(Key=preview,Value="$p_tag" Key=pull-request,Value="$n")

# --- the secret: a fresh random SECRET_KEY per preview, written once --------------------------
secret_arn="$(aws secretsmanager describe-secret --secret-id "$p_secret" --query ARN --output text 2>"$work/err")" || {
  grep -q ResourceNotFoundException "$work/err" || { cat "$work/err" >&2; die "cannot look up the secret $p_secret"; }
  # Never on a command line or in a log: generated into a private file the CLI reads.
  (umask 077 && openssl rand -hex 32 | tr -d '\n' >"$work/secret")
  for try in 1 2 3 4 5 6; do
    # A secret force-deleted by a teardown moments ago keeps its name for a little while.
    if secret_arn="$(aws secretsmanager create-secret --name "$p_secret" \
      --description "SECRET_KEY of the pull-request preview $p_tag" \
      --secret-string "file://$work/secret" --tags "${elb_tags[@]}" \
      --query ARN --output text 2>"$work/err")"; then
      break
    fi
    if [[ $try -ge 6 ]] || ! grep -q 'scheduled for deletion' "$work/err"; then
      cat "$work/err" >&2
      die "cannot create the secret $p_secret"
    fi
    sleep 10
  done
  rm -f "$work/secret"
  note "$p_tag: secret created"
}

# --- target group and listener rule -------------------------------------------------------------
tg_arn="$(aws elbv2 describe-target-groups --names "$p_target_group" \
  --query 'TargetGroups[0].TargetGroupArn' --output text 2>"$work/err")" || {
  grep -q TargetGroupNotFound "$work/err" || { cat "$work/err" >&2; die "cannot look up the target group"; }
  tg_arn="$(aws elbv2 create-target-group --name "$p_target_group" --protocol HTTP --port "$cfg_port" \
    --vpc-id "$cfg_vpc" --target-type ip --health-check-protocol HTTP --health-check-path /readyz \
    --health-check-interval-seconds 10 --health-check-timeout-seconds 5 \
    --healthy-threshold-count 2 --unhealthy-threshold-count 3 --matcher HttpCode=200 \
    --tags "${elb_tags[@]}" --query 'TargetGroups[0].TargetGroupArn' --output text)"
  # A preview has one task: no need to wait ELB's default 300 s for it to drain on a redeploy.
  aws elbv2 modify-target-group-attributes --target-group-arn "$tg_arn" \
    --attributes Key=deregistration_delay.timeout_seconds,Value=15 >/dev/null
  note "$p_tag: target group created"
}

conditions="$(jq -cn --arg h "$p_host" '[{Field: "host-header", HostHeaderConfig: {Values: [$h]}}]')"
actions="$(jq -cn --arg t "$tg_arn" '[{Type: "forward", TargetGroupArn: $t}]')"
rule_arn="$(preview_rule_arn "$n")"
if [[ -z "$rule_arn" ]]; then
  aws elbv2 create-rule --listener-arn "$cfg_listener" --priority "$n" \
    --conditions "$conditions" --actions "$actions" --tags "${elb_tags[@]}" >/dev/null
  note "$p_tag: listener rule for $p_host created"
else
  aws elbv2 modify-rule --rule-arn "$rule_arn" --conditions "$conditions" --actions "$actions" >/dev/null
fi

# --- task definition and service ----------------------------------------------------------------
"$(dirname "${BASH_SOURCE[0]}")/preview-task-definition.sh" "$n" "$sha" "$image" "$secret_arn" >"$work/task-definition.json"
td_arn="$(aws ecs register-task-definition --cli-input-json "file://$work/task-definition.json" \
  --query taskDefinition.taskDefinitionArn --output text)"
note "$p_tag: registered $td_arn"

# shellcheck disable=SC2054 # key=...,value=... is one CLI argument each
service_tags=(key=preview,value="$p_tag" key=pull-request,value="$n" key=commit,value="$sha" key=last-deployed,value="$now")
read -r status service_arn < <(aws ecs describe-services --cluster "$cfg_cluster" --services "$p_service" \
  --query 'services[0].[status, serviceArn]' --output text)
if [[ "$status" == DRAINING ]]; then
  note "$p_tag: waiting for the previous service to finish draining"
  aws ecs wait services-inactive --cluster "$cfg_cluster" --services "$p_service"
fi
if [[ "$status" == ACTIVE ]]; then
  deployment="$(aws ecs update-service --cluster "$cfg_cluster" --service "$p_service" --task-definition "$td_arn" \
    --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text)"
  # The idle expiry counts from the last deploy.
  aws ecs tag-resource --resource-arn "$service_arn" --tags "${service_tags[@]}"
  note "$p_tag: service updated"
else
  network="$(jq -c '{awsvpcConfiguration: {subnets: .subnets, securityGroups: .security_groups, assignPublicIp: "DISABLED"}}' <<<"$PREVIEW_CONFIG")"
  balancers="$(jq -cn --arg t "$tg_arn" --argjson p "$cfg_port" '[{targetGroupArn: $t, containerName: "web", containerPort: $p}]')"
  deployment="$(aws ecs create-service --cluster "$cfg_cluster" --service-name "$p_service" \
    --task-definition "$td_arn" --desired-count 1 \
    --capacity-provider-strategy capacityProvider="$cfg_capacity",weight=1 \
    --network-configuration "$network" --load-balancers "$balancers" \
    --health-check-grace-period-seconds 60 \
    --deployment-configuration '{"deploymentCircuitBreaker":{"enable":true,"rollback":true},"maximumPercent":200,"minimumHealthyPercent":100}' \
    --propagate-tags SERVICE --enable-ecs-managed-tags --tags "${service_tags[@]}" \
    --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text)"
  note "$p_tag: service created"
fi

# --- wait: the deployment this run started completed (ECS counts the target group's health
# checks), or the circuit breaker failed it ------------------------------------------------------
[[ -n "$deployment" && "$deployment" != None ]] || die "$p_tag: ECS reported no deployment"
deadline=$((SECONDS + ${PREVIEW_WAIT_SECONDS:-900}))
while :; do
  state="$(aws ecs describe-services --cluster "$cfg_cluster" --services "$p_service" --output json |
    jq -r --arg id "$deployment" '[.services[0].deployments[] | select(.id == $id)][0]
      | if . == null then "REPLACED" else (.rolloutState // "IN_PROGRESS") end')"
  case "$state" in
    COMPLETED) break ;;
    REPLACED) die "$p_tag: a newer deployment replaced this one" ;;
    FAILED)
      note "$p_tag: the deployment failed; the service's latest events and stopped tasks:"
      aws ecs describe-services --cluster "$cfg_cluster" --services "$p_service" \
        --query 'services[0].events[:8].message' --output text >&2 || true
      stopped="$(aws ecs list-tasks --cluster "$cfg_cluster" --service-name "$p_service" --desired-status STOPPED \
        --query 'taskArns[:3]' --output text || true)"
      if [[ -n "$stopped" && "$stopped" != None ]]; then
        # shellcheck disable=SC2086 # one argument per task ARN
        aws ecs describe-tasks --cluster "$cfg_cluster" --tasks $stopped \
          --query 'tasks[].[stoppedReason, containers[].[name, exitCode, reason]]' --output text >&2 || true
      fi
      # The containers' last words (the app logs JSON lines; secrets are redacted there).
      aws logs filter-log-events --log-group-name "$(jq -r .log_group <<<"$PREVIEW_CONFIG")" \
        --log-stream-name-prefix "$p_tag/" --limit 40 --query 'events[].message' --output text >&2 || true
      exit 1
      ;;
  esac
  ((SECONDS < deadline)) || die "$p_tag: not serving after ${PREVIEW_WAIT_SECONDS:-900} s (deployment state $state)"
  sleep 15
done
# Older revisions are never run again (kept until now: a failed deployment rolls back to them).
for old in $(aws ecs list-task-definitions --family-prefix "$p_family" --status ACTIVE \
  --query 'taskDefinitionArns' --output json |
  jq -r --arg f "$p_family" --arg keep "$td_arn" '.[] | select(test(":task-definition/" + $f + ":[0-9]+$") and . != $keep)'); do
  aws ecs deregister-task-definition --task-definition "$old" >/dev/null
done
note "$p_tag: serving $td_arn"
echo "https://$p_host"
