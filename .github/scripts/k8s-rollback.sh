#!/usr/bin/env bash
# Called after a failed release: returns the Deployment to the revision it had before this run.
# Does nothing when this run did not create a new revision (re-deploying the same digest, or a
# failure before the app was applied), so a retry never rolls back past the running release.
#
# Env: DEPLOY_ENV, PREVIOUS_REVISION (from k8s-release.sh; empty or "none" = nothing to undo).
set -euo pipefail

namespace="netflix-clone-${DEPLOY_ENV:?}"
previous="${PREVIOUS_REVISION:-}"

if [[ -z "$previous" || "$previous" == "none" ]]; then
  echo "no earlier revision recorded by this run; nothing to roll back" >&2
  exit 0
fi
current="$(kubectl -n "$namespace" get deployment netflix-clone \
  -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
if [[ "$current" == "$previous" ]]; then
  echo "deployment is still at revision $previous; nothing to roll back" >&2
  exit 0
fi
echo "rolling back deployment/netflix-clone from revision $current to $previous" >&2
kubectl -n "$namespace" rollout undo deployment/netflix-clone --to-revision="$previous"
kubectl -n "$namespace" rollout status deployment/netflix-clone --timeout=300s
