#!/usr/bin/env bash
# Release one image to one environment, in the only safe order: run the database migration to
# completion with the new image (overlays/<env>/migrate), then roll the web pods
# (overlays/<env>). Old pods keep serving throughout, so migrations must be backward
# compatible (expand first, contract in a later release).
#
#   deploy/k8s/deploy.sh <dev|uat|prod> <registry>/netflix-clone@sha256:<64 hex>
#
# Needs kubectl 1.31+ with a context for the env's cluster, and the aws CLI with read access
# to the SSM path /netflix-clone/<env>/ where Terraform publishes the environment's values
# (database and cache hosts, secret ARN, VPC CIDR, public host, certificate ARN). A throwaway
# kustomization on top of each step sets those values and the image (the committed overlays
# stay untouched and hold no per-environment infrastructure value), so the Job and the
# Deployment get the same digest and config. Nothing reaches the cluster while a placeholder
# (REPLACE-ME, example.invalid, 192.0.2.0/24, the zero digest) is left in the rendered
# manifests. Rolling back is the caller's call (docs/deploy.md): the pipeline records the
# running revision before it calls this.
#
# Env: VALUES_FILE  name=value lines instead of reading SSM (tests, or a copy saved earlier)
#      RENDER_ONLY  a directory: write the two rendered steps there and stop (no cluster)
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

# --- the environment's values, as Terraform published them -----------------------------------
if [[ -n ${VALUES_FILE:-} ]]; then
  cp "$VALUES_FILE" "$work/values"
else
  aws ssm get-parameters-by-path --path "/netflix-clone/$env/" \
    --query 'Parameters[].[Name,Value]' --output text >"$work/ssm" ||
    die "cannot read the SSM parameters under /netflix-clone/$env/ (terraform apply of envs/$env publishes them)"
  sed -E "s#^/netflix-clone/$env/##; s#\t#=#" "$work/ssm" >"$work/values"
fi
declare -A value=()
while IFS='=' read -r key rest; do
  [[ -n $key ]] && value[$key]=$rest
done <"$work/values"
need() {  # <name> <regex the value must match: no quoting or YAML surprises get through>
  [[ -n ${value[$1]:-} ]] || die "no value '$1' under /netflix-clone/$env/"
  [[ ${value[$1]} =~ ^$2$ ]] || die "value '$1' looks wrong: '${value[$1]}'"
}
need region '[a-z]{2}(-[a-z]+)+-[0-9]'
need vpc-cidr '[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}'
need alb-subnets-cidr '[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}'
need database-host '[a-z0-9.-]+'
need database-port '[0-9]{2,5}'
need database-name '[a-z_][a-z0-9_]*'
need database-secret-arn 'arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+'
need redis-host '[a-z0-9.-]+'
need redis-user '[a-z0-9-]+'
need redis-cache-name '[a-z][a-z0-9-]*'
need public-host '[a-z0-9.-]+'
need certificate-arn 'arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[a-f0-9-]+'
need alb-log-bucket '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]'

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
configMapGenerator:
  - name: netflix-clone
    namespace: $ns
    behavior: merge
    literals:
      - AWS_REGION=${value[region]}
      - DATABASE_URL=postgresql+psycopg://${value[database-host]}:${value[database-port]}/${value[database-name]}?sslmode=require
      - DATABASE_SECRET_ID=${value[database-secret-arn]}
      - REDIS_URL=rediss://${value[redis-user]}@${value[redis-host]}:6379/0
      - REDIS_IAM_CACHE_NAME=${value[redis-cache-name]}
      - FORWARDED_ALLOW_IPS=*
patches:
  - target: {kind: NetworkPolicy, name: netflix-clone-web-ingress}
    patch: '[{"op": "replace", "path": "/spec/ingress/0/from/0/ipBlock/cidr", "value": "${value[alb-subnets-cidr]}"}]'
  - target: {kind: NetworkPolicy, name: netflix-clone-egress}
    patch: '[{"op": "replace", "path": "/spec/egress/3/to/0/ipBlock/cidr", "value": "${value[vpc-cidr]}"}]'
YAML
  if [[ $1 != */migrate ]]; then
    cat >>"$dir/kustomization.yaml" <<YAML
  - target: {kind: Ingress, name: netflix-clone}
    patch: '[{"op": "replace", "path": "/spec/rules/0/host", "value": "${value[public-host]}"}, {"op": "replace", "path": "/metadata/annotations/alb.ingress.kubernetes.io~1certificate-arn", "value": "${value[certificate-arn]}"}]'
YAML
  fi
  "$KUBECTL" kustomize "$dir" >"$2"
  # The access-log bucket sits inside the Ingress's one load-balancer-attributes value, which a
  # patch could only replace whole; the name is checked above, so it is a plain substitution.
  sed -i "s/REPLACE-ME-alb-log-bucket/${value[alb-log-bucket]}/g" "$2"
  grep -qF "image: $image" "$2" || die "$1 renders no container with image $image"
  if grep -nE 'REPLACE-ME|example\.invalid|192\.0\.2\.|sha256:0{64}' "$2" >&2; then
    die "$1 still has placeholders (above): the published values did not cover them"
  fi
}

# Render and check both steps before touching the cluster.
render "overlays/$env/migrate" "$work/migrate.yaml"
render "overlays/$env" "$work/app.yaml"
if [[ -n ${RENDER_ONLY:-} ]]; then
  cp "$work/migrate.yaml" "$work/app.yaml" "$RENDER_ONLY/"
  echo "rendered $env into $RENDER_ONLY"
  exit 0
fi

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
