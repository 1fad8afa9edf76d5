#!/usr/bin/env bash
# Renders the task definition of one preview from the template in modules/previews
# (task-definition.json) and the previews' configuration; prints the JSON that
# `aws ecs register-task-definition --cli-input-json` takes. Fails if any {{placeholder}} is
# left or unknown.
#
#   preview-task-definition.sh <pull request number> <commit sha> <image> <secret ARN>
#
# Env: as preview-lib.sh (PREVIEW_CONFIG_FILE or PREVIEW_CONFIG_PARAMETER).
set -euo pipefail
# shellcheck source=.github/scripts/preview-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/preview-lib.sh"

[[ $# -eq 4 ]] || die "usage: $0 <pull request number> <commit sha> <image> <secret ARN>"
n="$1" sha="$2" image="$3" secret_arn="$4"
preview_number "$n"
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || die "commit must be a full 40-hex SHA, got '$sha'"
[[ "$image" =~ ^[^[:space:]]+@sha256:[0-9a-f]{64}$ ]] || die "image must be pinned by digest (<repository>@sha256:...), got '$image'"
[[ "$secret_arn" =~ ^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+ ]] || die "not a Secrets Manager ARN: '$secret_arn'"
preview_config
preview_names "$n"

vars="$(jq -n \
  --arg family "$p_family" --arg image "$image" --arg preview "$p_tag" \
  --arg pull_request "$n" --arg commit "$sha" --arg secret_key_arn "$secret_arn" \
  --argjson config "$PREVIEW_CONFIG" \
  '{family: $family, image: $image, preview: $preview, pull_request: $pull_request,
    commit: $commit, secret_key_arn: $secret_key_arn,
    execution_role_arn: $config.execution_role_arn, task_role_arn: $config.task_role_arn,
    log_group: $config.log_group, region: $config.region}')"

jq --argjson vars "$vars" '
  def fill: gsub("\\{\\{(?<k>[a-z_]+)\\}\\}"; if $vars[.k] == null then error("unknown placeholder {{" + .k + "}}") else $vars[.k] end);
  walk(if type == "string" then fill else . end)
  | if ([.. | strings | select(test("\\{\\{|\\}\\}"))] | length) > 0 then error("placeholder left in the task definition") else . end
' "$PREVIEW_TEMPLATE"
