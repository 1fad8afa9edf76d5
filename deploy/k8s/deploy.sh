#!/usr/bin/env bash
# Release one image to one environment, in the only safe order: run the database migration to
# completion with the new image, then roll the web pods. Old pods keep serving throughout, so
# migrations must be backward compatible (expand first, contract in a later release).
#
#   deploy/k8s/deploy.sh <dev|uat|prod> <account>.dkr.ecr.<region>.amazonaws.com/netflix-clone@sha256:<64 hex>
#
# Needs kubectl (1.31+) with a context for the env's cluster. The image reference replaces the
# placeholder the overlays carry, in the rendered manifests only: the working tree is not
# edited and the same digest reaches the Job and the Deployment. The script refuses to apply
# while a REPLACE-ME / example.invalid placeholder is left in the rendered manifests.
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 <dev|uat|prod> <registry>/netflix-clone@sha256:<digest>"
env=$1 image=$2
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $image =~ ^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$ ]] ||
  die "image must be pinned by digest (registry/repo@sha256:<64 hex>), got '$image'"

KUBECTL=${KUBECTL:-kubectl}
MIGRATION_TIMEOUT=${MIGRATION_TIMEOUT:-660}   # seconds; the Job's own deadline is 600
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-600s}
POLL_SECONDS=${POLL_SECONDS:-5}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ns=netflix-clone-$env
job=netflix-clone-migrate
placeholder="111122223333.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone@sha256:$(printf '0%.0s' {1..64})"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

render() {  # <kustomization dir> <output file>
  "$KUBECTL" kustomize "$here/$1" >"$work/raw.yaml"
  grep -qF "$placeholder" "$work/raw.yaml" || die "$1 does not carry the placeholder image"
  sed "s#${placeholder}#${image}#g" "$work/raw.yaml" >"$2"
  if grep -nE 'REPLACE-ME|example\.invalid|sha256:0{64}' "$2" >&2; then
    die "$1 still has placeholders (above); fill them in from the Terraform outputs first"
  fi
}

# Render and check both steps before touching the cluster.
render "migrate/$env" "$work/migrate.yaml"
render "overlays/$env" "$work/app.yaml"

echo "== step 1: migrate ($ns, $image)"
# A Job's pod template is immutable: the previous run must go before this one is created.
"$KUBECTL" delete job "$job" -n "$ns" --ignore-not-found --cascade=foreground --wait=true
"$KUBECTL" apply -f "$work/migrate.yaml"

# `kubectl wait --for=condition=complete` would sit out its whole timeout on a failed Job;
# polling both conditions fails the release as soon as the Job gives up.
deadline=$((SECONDS + MIGRATION_TIMEOUT))
while :; do
  conditions=$("$KUBECTL" get job "$job" -n "$ns" \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $conditions " in
    *" Complete "*) echo "migration complete"; break ;;
    *" Failed "*) failed="the migration Job failed" ;;
    *) ((SECONDS < deadline)) || failed="the migration Job did not finish in ${MIGRATION_TIMEOUT}s" ;;
  esac
  if [[ -n ${failed:-} ]]; then
    "$KUBECTL" logs "job/$job" -n "$ns" --all-containers --tail=200 >&2 || true
    die "$failed; the running pods were not touched"
  fi
  sleep "$POLL_SECONDS"
done

echo "== step 2: roll out ($ns)"
"$KUBECTL" apply -f "$work/app.yaml"
if ! "$KUBECTL" rollout status deployment/netflix-clone -n "$ns" --timeout="$ROLLOUT_TIMEOUT"; then
  # maxUnavailable 0: the old pods are still serving. Roll back by hand (docs/deploy.md).
  die "rollout did not finish; see 'kubectl -n $ns rollout undo deployment/netflix-clone'"
fi
echo "deployed $image to $env"
