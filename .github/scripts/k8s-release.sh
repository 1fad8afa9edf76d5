#!/usr/bin/env bash
# Releases one image digest to one environment: the migration Job runs to completion first, then
# the app is applied and the rollout awaited. The overlays stay as committed; the digest is added
# by a throwaway kustomization on top, and the rendered output is checked to carry it before
# anything reaches the cluster.
#
# Env: DEPLOY_ENV (dev|uat|prod), IMAGE_REPOSITORY (<registry>/netflix-clone),
#      IMAGE_DIGEST (sha256:...), IMAGE_NAME (name used in the manifests, default netflix-clone),
#      MIGRATE_TIMEOUT / ROLLOUT_TIMEOUT (seconds, default 300), GITHUB_OUTPUT (optional).
# Writes previous_revision=<n|none> to GITHUB_OUTPUT before the app changes, for rollback.
set -euo pipefail

env_name="${DEPLOY_ENV:?}"
repository="${IMAGE_REPOSITORY:?}"
digest="${IMAGE_DIGEST:?}"
image_name="${IMAGE_NAME:-netflix-clone}"
migrate_timeout="${MIGRATE_TIMEOUT:-300}"
rollout_timeout="${ROLLOUT_TIMEOUT:-300}"
namespace="netflix-clone-${env_name}"
overlay="deploy/k8s/overlays/${env_name}"
output="${GITHUB_OUTPUT:-/dev/null}"

[[ "$env_name" =~ ^(dev|uat|prod)$ ]] || { echo "unknown environment: $env_name" >&2; exit 1; }
[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "not an image digest: $digest" >&2; exit 1; }

work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/release.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Renders <overlay dir> with the digest pinned into <out file>; fails if the digest did not land.
render() {
  local source="$1" out="$2" dir
  dir="$(mktemp -d "$work/kustomize.XXXXXX")"
  # kustomize accepts only relative paths to a base.
  cat >"$dir/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$dir" "$source")
images:
  - name: ${image_name}
    newName: ${repository}
    digest: ${digest}
YAML
  kubectl kustomize "$dir" >"$out"
  if ! grep -qF "image: ${repository}@${digest}" "$out"; then
    echo "no container image named '${image_name}' in ${source}: the digest would not be deployed" >&2
    exit 1
  fi
}

render "$overlay/migrate" "$work/migrate.yaml"
render "$overlay" "$work/app.yaml"

# A Job's pod template is immutable, so each release replaces the previous run.
kubectl -n "$namespace" delete job netflix-clone-migrate --ignore-not-found --wait=true
kubectl apply -f "$work/migrate.yaml"

# `kubectl wait` takes one condition only; polling sees Failed at once instead of timing out.
deadline=$((SECONDS + migrate_timeout))
while :; do
  succeeded="$(kubectl -n "$namespace" get job netflix-clone-migrate -o jsonpath='{.status.succeeded}')"
  failed="$(kubectl -n "$namespace" get job netflix-clone-migrate \
    -o jsonpath='{.status.conditions[?(@.type=="Failed")].status}')"
  if [[ "${succeeded:-0}" -ge 1 ]]; then
    echo "migration complete"
    break
  fi
  if [[ "$failed" == "True" || $SECONDS -ge $deadline ]]; then
    echo "migration did not complete (failed=${failed:-no}); the app was not changed" >&2
    kubectl -n "$namespace" logs job/netflix-clone-migrate --all-containers --tail=200 >&2 || true
    exit 1
  fi
  sleep 5
done

revision="$(kubectl -n "$namespace" get deployment netflix-clone --ignore-not-found \
  -o jsonpath='{.metadata.annotations.deployment\.kubernetes\.io/revision}')"
echo "previous_revision=${revision:-none}" >>"$output"

kubectl apply -f "$work/app.yaml"
kubectl -n "$namespace" rollout status deployment/netflix-clone --timeout="${rollout_timeout}s"
