#!/usr/bin/env bash
# Applies the repository settings docs/branching.md describes: one ruleset per long-lived branch
# (dev, uat, prod), one GitHub Environment per branch, GITHUB_TOKEN read-only by default and
# unable to open or approve pull requests, and, when given, the repository variable the infra
# plans read (AWS_ACCOUNT_IDS) and the GitHub App that opens the back-merge pull requests.
# Idempotent: re-running updates in place. Needs `gh` logged in as a repository admin; never
# run by CI.
#
#   REPO=owner/name \
#   UAT_REVIEWERS=team:platform PROD_REVIEWERS=team:platform,user:alice \
#   AWS_ACCOUNT_IDS='{"dev":"111111111111","uat":"222222222222","prod":"333333333333"}' \
#   BACK_MERGE_APP_CLIENT_ID=Iv23li... BACK_MERGE_APP_KEY_FILE=back-merge.private-key.pem \
#   scripts/github-branch-protection.sh
#
# The back-merge App (pull requests GITHUB_TOKEN opens trigger no workflow, so their required
# checks would never report): create it once under Settings > Developer settings > GitHub Apps
# (or the organisation's), with no webhook, repository permissions Contents: Read and Pull
# requests: Read and write, "Only on this account"; install it on this repository only;
# generate a private key (a .pem file) and note the App's Client ID. This script stores the
# Client ID as the variable BACK_MERGE_APP_CLIENT_ID and the key as the secret
# BACK_MERGE_APP_PRIVATE_KEY of the Environment back-merge, which only the prod branch may
# deploy to (so no other branch's workflow can read the key); delete the .pem afterwards.
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

environment() { # NAME REVIEWERS_JSON [BRANCH, default NAME]
  local env_name="$1" reviewers="$2" branch="${3:-$1}" policy_ids id
  api PUT "repos/$repo/environments/$env_name" "$(cat <<JSON
{
  "wait_timer": 0,
  "prevent_self_review": true,
  "reviewers": $reviewers,
  "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}
}
JSON
)"
  # Only its branch (the one of the same name) may deploy to this environment: drop any other.
  policy_ids="$(lookup "repos/$repo/environments/$env_name/deployment-branch-policies" \
    ".branch_policies[] | select(.name != \"$branch\" or .type != \"branch\") | .id")"
  for id in $policy_ids; do
    [[ "$id" == 0 ]] && continue
    api DELETE "repos/$repo/environments/$env_name/deployment-branch-policies/$id"
  done
  if [[ "$dry_run" == 1 ]] || [[ -z "$(gh api "repos/$repo/environments/$env_name/deployment-branch-policies" \
      --jq ".branch_policies[] | select(.name == \"$branch\" and .type == \"branch\") | .id")" ]]; then
    api POST "repos/$repo/environments/$env_name/deployment-branch-policies" \
      "{\"name\": \"$branch\", \"type\": \"branch\"}"
  fi
}

variable() { # NAME VALUE [ENVIRONMENT]: a repository (or Environment) variable, created or updated
  local body base="repos/$repo/actions/variables"
  [[ -n "${3:-}" ]] && base="repos/$repo/environments/$3/variables"
  body="$(jq -cn --arg n "$1" --arg v "$2" '{name: $n, value: $v}')"
  if [[ "$dry_run" != 1 ]] && gh api "$base/$1" >/dev/null 2>&1; then
    api PATCH "$base/$1" "$body"
  else
    api POST "$base" "$body"
  fi
}

secret_from_file() { # NAME FILE ENVIRONMENT: gh encrypts it; the value never leaves stdin
  [[ -r "$2" ]] || { echo "cannot read $2" >&2; exit 1; }
  if [[ "$dry_run" == 1 ]]; then
    printf 'PUT repos/%s/environments/%s/secrets/%s\n{"value_from_file": "%s"}\n' "$repo" "$3" "$1" "$2"
  else
    gh secret set "$1" --repo "$repo" --env "$3" <"$2"
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
# Holds the back-merge App's key; deploy.yml's back-merge job runs after prod's release, on prod.
environment back-merge '[]' prod

# Workflows state the permissions they need; GITHUB_TOKEN grants nothing more by default and
# never opens or approves pull requests (the back-merges use the App below).
api PUT "repos/$repo/actions/permissions/workflow" \
  '{"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false}'

# infra.yml's plan job has no Environment, so it reads the accounts from this one variable.
if [[ -n "${AWS_ACCOUNT_IDS:-}" ]]; then
  jq -e 'type == "object" and (keys - ["dev", "uat", "prod"] | length == 0)
    and all(.[]; type == "string" and test("^[0-9]{12}$"))' <<<"$AWS_ACCOUNT_IDS" >/dev/null ||
    { echo 'AWS_ACCOUNT_IDS must look like {"dev":"111111111111","uat":"...","prod":"..."}' >&2; exit 1; }
  variable AWS_ACCOUNT_IDS "$(jq -c . <<<"$AWS_ACCOUNT_IDS")"
else
  echo "AWS_ACCOUNT_IDS not given: infra.yml cannot plan until the repository variable is set" >&2
fi

if [[ -n "${BACK_MERGE_APP_CLIENT_ID:-}" ]]; then
  [[ -n "${BACK_MERGE_APP_KEY_FILE:-}" ]] || { echo "BACK_MERGE_APP_KEY_FILE=<the App's .pem> is needed with its client id" >&2; exit 1; }
  variable BACK_MERGE_APP_CLIENT_ID "$BACK_MERGE_APP_CLIENT_ID" back-merge
  secret_from_file BACK_MERGE_APP_PRIVATE_KEY "$BACK_MERGE_APP_KEY_FILE" back-merge
else
  echo "BACK_MERGE_APP_CLIENT_ID not given: the back-merge job fails until the App is set up (see the top of this script)" >&2
fi
