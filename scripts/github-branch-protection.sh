#!/usr/bin/env bash
# Applies the repository settings docs/branching.md describes: one ruleset per long-lived branch
# (dev, uat, prod) and one GitHub Environment per branch. Idempotent: re-running updates in place.
# Needs `gh` logged in as a repository admin; never run by CI.
#
#   REPO=owner/name \
#   UAT_REVIEWERS=team:platform PROD_REVIEWERS=team:platform,user:alice \
#   scripts/github-branch-protection.sh
#
# DRY_RUN=1 prints every request (method, path, JSON body) instead of sending it, with 0 for the
# reviewer ids it would have looked up.
set -euo pipefail

repo="${REPO:?REPO=owner/name}"
dry_run="${DRY_RUN:-0}"
# GitHub Actions' app id: only checks reported by Actions satisfy the required status checks.
actions_app_id=15368
# The job names of .github/workflows/ci.yml (tests/infra/test_workflows.py keeps them in step).
ci_checks=(lint test schemathesis container k8s terraform workflows)

api() { # METHOD PATH [JSON]
  local method="$1" path="$2" body="${3:-}"
  if [[ "$dry_run" == 1 ]]; then
    printf '%s %s\n' "$method" "$path"
    [[ -n "$body" ]] && printf '%s\n' "$body"
    return 0
  fi
  if [[ -n "$body" ]]; then
    gh api --method "$method" "$path" --input - <<<"$body"
  else
    gh api --method "$method" "$path"
  fi
}

lookup() { # PATH JQ -> value, or 0 in a dry run
  if [[ "$dry_run" == 1 ]]; then echo 0; else gh api "$1" --jq "$2"; fi
}

checks_json() { # CONTEXT...
  local c out=""
  for c in "$@"; do
    out+="${out:+,}{\"context\":\"$c\",\"integration_id\":$actions_app_id}"
  done
  echo "[$out]"
}

ruleset() { # BRANCH MERGE_METHODS_JSON STRICT(true|false) CHECK...
  local branch="$1" methods="$2" strict="$3"
  shift 3
  local body id
  body="$(cat <<JSON
{
  "name": "$branch",
  "target": "branch",
  "enforcement": "active",
  "bypass_actors": [],
  "conditions": {"ref_name": {"include": ["refs/heads/$branch"], "exclude": []}},
  "rules": [
    {"type": "deletion"},
    {"type": "non_fast_forward"},
    {"type": "pull_request", "parameters": {
      "required_approving_review_count": 1,
      "dismiss_stale_reviews_on_push": true,
      "require_code_owner_review": false,
      "require_last_push_approval": true,
      "required_review_thread_resolution": true,
      "allowed_merge_methods": $methods
    }},
    {"type": "required_status_checks", "parameters": {
      "strict_required_status_checks_policy": $strict,
      "do_not_enforce_on_create": false,
      "required_status_checks": $(checks_json "$@")
    }}
  ]
}
JSON
)"
  id="$(lookup "repos/$repo/rulesets" ".[] | select(.name == \"$branch\" and .target == \"branch\") | .id")"
  if [[ -n "$id" && "$id" != 0 ]]; then
    api PUT "repos/$repo/rulesets/$id" "$body"
  else
    api POST "repos/$repo/rulesets" "$body"
  fi
}

reviewers_json() { # "team:slug,user:login" -> [{"type":"Team","id":N},...]
  local spec="$1" item kind name id out=""
  local -a items
  IFS=, read -r -a items <<<"$spec"
  for item in "${items[@]}"; do
    kind="${item%%:*}" name="${item#*:}"
    case "$kind" in
      team) id="$(lookup "orgs/${repo%%/*}/teams/$name" .id)"; out+="${out:+,}{\"type\":\"Team\",\"id\":$id}" ;;
      user) id="$(lookup "users/$name" .id)"; out+="${out:+,}{\"type\":\"User\",\"id\":$id}" ;;
      *) echo "reviewer '$item' must be team:<slug> or user:<login>" >&2; exit 1 ;;
    esac
  done
  echo "[$out]"
}

environment() { # NAME REVIEWERS_JSON
  local env_name="$1" reviewers="$2" policy_ids id
  api PUT "repos/$repo/environments/$env_name" "$(cat <<JSON
{
  "wait_timer": 0,
  "prevent_self_review": true,
  "reviewers": $reviewers,
  "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}
}
JSON
)"
  # Only the branch of the same name may deploy to this environment: drop any other policy.
  policy_ids="$(lookup "repos/$repo/environments/$env_name/deployment-branch-policies" \
    ".branch_policies[] | select(.name != \"$env_name\" or .type != \"branch\") | .id")"
  for id in $policy_ids; do
    [[ "$id" == 0 ]] && continue
    api DELETE "repos/$repo/environments/$env_name/deployment-branch-policies/$id"
  done
  if [[ "$dry_run" == 1 ]] || [[ -z "$(gh api "repos/$repo/environments/$env_name/deployment-branch-policies" \
      --jq ".branch_policies[] | select(.name == \"$env_name\" and .type == \"branch\") | .id")" ]]; then
    api POST "repos/$repo/environments/$env_name/deployment-branch-policies" \
      "{\"name\": \"$env_name\", \"type\": \"branch\"}"
  fi
}

uat_reviewers="${UAT_REVIEWERS:?UAT_REVIEWERS=team:<slug>[,user:<login>...] approve uat deploys}"
prod_reviewers="${PROD_REVIEWERS:?PROD_REVIEWERS=team:<slug>[,user:<login>...] approve prod deploys}"

# Merge commits must stay possible: uat and prod find dev's image through them.
api PATCH "repos/$repo" '{"allow_merge_commit": true, "allow_squash_merge": true, "allow_rebase_merge": false}'

# dev takes squashed feature branches; uat and prod only merge commits of an up-to-date branch,
# so the merge has exactly the tree dev built and tested.
ruleset dev '["merge", "squash"]' false "${ci_checks[@]}"
ruleset uat '["merge"]' true "${ci_checks[@]}" promotion
ruleset prod '["merge"]' true "${ci_checks[@]}" promotion

environment dev '[]'
environment uat "$(reviewers_json "$uat_reviewers")"
environment prod "$(reviewers_json "$prod_reviewers")"
