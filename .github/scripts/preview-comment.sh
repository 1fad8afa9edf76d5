#!/usr/bin/env bash
# Tells a pull request about its preview. The preview's state is one comment per pull request
# (found by a marker and edited in place, so pushes do not pile up comments); a preview stopped
# by the limit or the idle expiry gets a new comment, so its author is notified.
#
#   preview-comment.sh <n> deployed <url> <commit sha>
#   preview-comment.sh <n> failed <run url>
#   preview-comment.sh <n> removed <closed|label>
#   preview-comment.sh <n> stopped <limit|idle|closed|orphaned> [<max previews or idle days>]
#
# Env: GITHUB_TOKEN (pull-requests: write), GITHUB_REPOSITORY, GITHUB_API_URL (default
# https://api.github.com).
set -euo pipefail

die() { echo "preview-comment.sh: $*" >&2; exit 1; }
[[ $# -ge 2 ]] || die "usage: $0 <n> deployed|failed|removed|stopped ..."
n="$1" kind="$2"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "pull request number expected, got '$n'"
api="${GITHUB_API_URL:-https://api.github.com}/repos/${GITHUB_REPOSITORY:?}"
auth=(-H "Authorization: Bearer ${GITHUB_TOKEN:?}" -H "Accept: application/vnd.github+json")
marker="<!-- netflix-clone-preview -->"

case "$kind" in
  deployed)
    [[ $# -eq 4 ]] || die "usage: $0 <n> deployed <url> <commit sha>"
    body="$marker
**Preview** of ${4:0:12}: $3

Runs this pull request's image on its embedded defaults (SQLite, demo catalog): sign up with any
address; accounts last until the next push. Updated on every push, removed when the pull request
closes (docs/previews.md)."
    ;;
  failed)
    [[ $# -eq 3 ]] || die "usage: $0 <n> failed <run url>"
    body="$marker
**Preview failed** to deploy: see $3 (the service's events and stopped tasks are in the log)."
    ;;
  removed)
    [[ $# -eq 3 ]] || die "usage: $0 <n> removed closed|label"
    case "$3" in
      closed) why="the pull request was closed" ;;
      label) why="the pull request has the label no-preview (remove it and push to get one again)" ;;
      *) die "unknown reason '$3'" ;;
    esac
    body="$marker
**Preview removed**: $why."
    ;;
  stopped)
    [[ $# -ge 3 ]] || die "usage: $0 <n> stopped <reason> [<number>]"
    case "$3" in
      limit) why="at most ${4:?max previews} previews run at once and this one was the least recently deployed" ;;
      idle) why="nothing was deployed to it for ${4:?idle days} days" ;;
      closed) why="the pull request is closed" ;;
      orphaned) why="its pieces were left over from an interrupted run" ;;
      *) die "unknown reason '$3'" ;;
    esac
    body="**Preview stopped**: $why. Push a commit (or re-run the preview workflow) to bring it back."
    ;;
  *) die "unknown kind '$kind'" ;;
esac

payload="$(jq -cn --arg b "$body" '{body: $b}')"
if [[ "$kind" == stopped ]]; then
  curl -fsS --max-time 20 "${auth[@]}" -X POST -d "$payload" "$api/issues/$n/comments" >/dev/null
  echo "commented on #$n"
  exit 0
fi
existing="$(curl -fsS --max-time 20 "${auth[@]}" "$api/issues/$n/comments?per_page=100" |
  jq -r --arg m "$marker" '[.[] | select(.body | startswith($m))][0].id // empty')"
if [[ -n "$existing" ]]; then
  curl -fsS --max-time 20 "${auth[@]}" -X PATCH -d "$payload" "$api/issues/comments/$existing" >/dev/null
  echo "updated the preview comment on #$n"
else
  curl -fsS --max-time 20 "${auth[@]}" -X POST -d "$payload" "$api/issues/$n/comments" >/dev/null
  echo "commented on #$n"
fi
