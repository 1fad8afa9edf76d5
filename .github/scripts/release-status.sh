#!/usr/bin/env bash
# The release record every promotion checks: a commit status on the commit dev built the image
# from, context release/<env>, whose description names the digest that was released.
#
#   release-status.sh record  <env> <source sha> <digest>   after a release passed its smoke test
#   release-status.sh require <env> <source sha> <digest>   before promoting: <env> (the one
#                                                           before) must have released it
#
# Env: GITHUB_TOKEN (statuses: write to record, read to require), GITHUB_REPOSITORY,
#      GITHUB_API_URL (default https://api.github.com).
set -euo pipefail

die() { echo "release-status.sh: $*" >&2; exit 1; }
[[ $# -eq 4 ]] || die "usage: $0 record|require <env> <source sha> <digest>"
action=$1 env=$2 sha=$3 digest=$4
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $sha =~ ^[0-9a-f]{40}$ ]] || die "source sha must be 40 hex, got '$sha'"
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "digest must be sha256:<64 hex>, got '$digest'"
api="${GITHUB_API_URL:-https://api.github.com}/repos/${GITHUB_REPOSITORY:?}"
auth=(-H "Authorization: Bearer ${GITHUB_TOKEN:?}" -H "Accept: application/vnd.github+json")
context="release/$env"

case $action in
  record)
    body=$(jq -cn --arg c "$context" --arg d "$digest" \
      '{state: "success", context: $c, description: ("released " + $d)}')
    curl -fsS --max-time 20 "${auth[@]}" -X POST -d "$body" "$api/statuses/$sha" >/dev/null
    echo "recorded $context = $digest on $sha"
    ;;
  require)
    # Statuses come newest first; the latest one of the context is what counts.
    statuses=$(curl -fsS --max-time 20 "${auth[@]}" "$api/commits/$sha/statuses?per_page=100") ||
      die "cannot read the statuses of $sha"
    latest=$(jq -c --arg c "$context" '[.[] | select(.context == $c)][0] // empty' <<<"$statuses")
    [[ -n $latest ]] || die "$env never released the image built from $sha: promote it there first"
    state=$(jq -r .state <<<"$latest")
    description=$(jq -r .description <<<"$latest")
    [[ $state == success ]] || die "$env's latest release of $sha is '$state', not success"
    [[ $description == "released $digest" ]] ||
      die "$env released a different image of $sha ('$description'), not $digest"
    echo "$env released $digest from $sha: promotion allowed"
    ;;
  *) die "unknown action '$action'" ;;
esac
