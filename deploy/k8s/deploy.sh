#!/usr/bin/env bash
# Release one image to one environment, in the only safe order: run the database migration to
# completion with the new image (overlays/<env>/migrate), then roll the web pods
# (overlays/<env>). Old pods keep serving throughout, so migrations must be backward
# compatible (expand first, contract in a later release).
#
#   deploy/k8s/deploy.sh <dev|uat|prod> <registry>/netflix-clone@sha256:<64 hex>
#
# Needs kubectl 1.31+ with a context for the env's cluster. The image is set by a throwaway
# kustomization on top of each step (the committed overlays stay untouched), so the Job and
# the Deployment get the same digest. Nothing reaches the cluster while a REPLACE-ME or
# example.invalid placeholder is left in the rendered manifests. Rolling back is the caller's
# call (docs/deploy.md): the pipeline records the running revision before it calls this.
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 <dev|uat|prod> <registry>/netflix-clone@sha256:<digest>"
env=$1 image=$2
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $image =~ ^([a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+)@(sha256:[0-9a-f]{64})$ ]] ||
  die "image must be pinned by digest (registry/repo@sha256:<64 hex>), got '$image'"
repository=${BASH_REMATCH[1]} digest=${BASH_REMATCH[3]}

KUBECTL=${KUBECTL:-kubectl}
MIGRATION_TIMEOUT=${MIGRATION_TIMEOUT:-660}   # seconds; the Job's own deadline is 600
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-600s}
POLL_SECONDS=${POLL_SECONDS:-5}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ns=netflix-clone-$env
job=netflix-clone-migrate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

render() {  # <kustomization dir relative to deploy/k8s> <output file>
  local dir  # kustomize takes a base only by relative path
  dir=$(mktemp -d "$work/step.XXXXXX")
  cat >"$dir/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$dir" "$here/$1")
images:
  - name: netflix-clone
    newName: $repository
    digest: $digest
YAML
  "$KUBECTL" kustomize "$dir" >"$2"
  grep -qF "image: $image" "$2" || die "$1 renders no container with image $image"
  if grep -nE 'REPLACE-ME|example\.invalid|sha256:0{64}' "$2" >&2; then
    die "$1 still has placeholders (above): fill them in from the Terraform outputs first"
  fi
}

# Render and check both steps before touching the cluster.
render "overlays/$env/migrate" "$work/migrate.yaml"
render "overlays/$env" "$work/app.yaml"

echo "== step 1: migrate $ns to $image"
# A Job's pod template is immutable: the previous run must go before this one is created.
"$KUBECTL" delete job "$job" -n "$ns" --ignore-not-found --cascade=foreground --wait=true
"$KUBECTL" apply -f "$work/migrate.yaml"

# `kubectl wait --for=condition=complete` would sit out its whole timeout on a failed Job;
# polling both conditions fails the release as soon as the Job gives up.
deadline=$((SECONDS + MIGRATION_TIMEOUT))
failed=
while :; do
  conditions=$("$KUBECTL" get job "$job" -n "$ns" \
    -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
  case " $conditions " in
    *" Complete "*) echo "migration complete"; break ;;
    *" Failed "*) failed="the migration Job failed" ;;
    *) ((SECONDS < deadline)) || failed="the migration Job did not finish in ${MIGRATION_TIMEOUT}s" ;;
  esac
  if [[ -n $failed ]]; then
    "$KUBECTL" logs "job/$job" -n "$ns" --all-containers --tail=200 >&2 || true
    die "$failed; the running pods were not touched"
  fi
  sleep "$POLL_SECONDS"
done

echo "== step 2: roll out $ns"
"$KUBECTL" apply -f "$work/app.yaml"
"$KUBECTL" rollout status deployment/netflix-clone -n "$ns" --timeout="$ROLLOUT_TIMEOUT" ||
  die "rollout did not finish (old pods still serve: maxUnavailable is 0)"
echo "deployed $image to $env"
