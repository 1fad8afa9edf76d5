#!/usr/bin/env bash
# Finds the image that dev built for exactly the code being promoted (uat and prod never build).
#
# Rule: walk HEAD's history, newest first, and take the first commit that (1) has the same git
# tree as HEAD and (2) has an image in ECR tagged with its SHA. A promotion PR merged with a merge
# commit has the tree of the dev commit it brings in, so this finds the dev build through any
# number of merge commits (dev -> uat -> prod), and a revert back to an earlier state finds that
# state's build. If the branch carries a change dev never built (a squash merge, a commit made
# on uat), no commit matches and the deploy stops: merge it through dev first.
#
# Env: ECR_REPOSITORY (required), MAX_COMMITS (default 500).
# Prints two lines: digest=sha256:<64 hex> and source_sha=<the dev commit it was built from>.
set -euo pipefail

repository="${ECR_REPOSITORY:?ECR_REPOSITORY must name the ECR repository}"
export ECR_REPOSITORY
max_commits="${MAX_COMMITS:-500}"
head_tree="$(git rev-parse 'HEAD^{tree}')"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

checked=0
while read -r commit tree; do
  [[ "$tree" == "$head_tree" ]] || continue
  checked=$((checked + 1))
  rc=0
  digest="$("$here/ecr-digest.sh" "$commit")" || rc=$?
  case "$rc" in
    0)
      echo "image for $(git rev-parse HEAD) is $repository:$commit @ $digest" >&2
      printf 'digest=%s\nsource_sha=%s\n' "$digest" "$commit"
      exit 0
      ;;
    1) ;;
    *) echo "ECR lookup failed for tag $commit" >&2; exit 1 ;;
  esac
done < <(git log --format='%H %T' --max-count="$max_commits" HEAD)

cat >&2 <<MSG
no image in ECR repository '$repository' was built from the code at $(git rev-parse HEAD):
$checked commit(s) in the last $max_commits share its tree and none has an image tagged with its SHA.
Promote only by a merge-commit PR from the branch before (feature -> dev -> uat -> prod), and let
the dev deploy finish first; a squash or rebase merge, or a commit made directly on this branch,
is code that dev never built. See docs/branching.md.
MSG
exit 1
