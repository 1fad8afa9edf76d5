#!/usr/bin/env bash
# Release one image to one environment, in the only safe order:
#   0. the cluster bundle (deploy/k8s/cluster: NodePool, NodeClass, IngressClass): diffed against
#      the cluster, any drift printed, the repository's version applied, and the pool Ready;
#   1. the database: the db-admin Job makes sure the IAM-authenticated database users exist with
#      their grants (as the master user), then the migration Job runs with the new image as the
#      schema owner (overlays/<env>/migrate), each to completion;
#   2. the web pods (overlays/<env>), rolled out.
# Old pods keep serving throughout, so migrations must be backward compatible (expand first,
# contract in a later release).
#
#   deploy/k8s/deploy.sh <dev|uat|prod> <registry>/netflix-clone@sha256:<64 hex>
#
# Needs kubectl 1.31+ with a context for the env's cluster, and the aws CLI with read access
# to the SSM path /netflix-clone/<env>/ where Terraform publishes the environment's values
# (database and cache hosts, database users, secret ARN, VPC CIDR, cluster DNS address, public
# host, certificate ARN). A throwaway kustomization on top of each step sets those values and
# the image (the committed overlays stay untouched and hold no per-environment infrastructure
# value), so the Jobs and the Deployment get the same digest and config. Nothing reaches the
# cluster while a placeholder (REPLACE-ME, example.invalid, 192.0.2.0/24, the zero digest) is
# left in the rendered manifests. Rolling back is the caller's call (docs/deploy.md): the
# pipeline records the running revision before it calls this.
#
# Env: VALUES_FILE  name=value lines instead of reading SSM (tests, or a copy saved earlier)
#      RENDER_ONLY  a directory: write the rendered bundle and both steps there and stop (no cluster)
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 <dev|uat|prod> <registry>/netflix-clone@sha256:<digest>"
env=$1 image=$2
case $env in dev | uat | prod) ;; *) die "unknown environment '$env'" ;; esac
[[ $image =~ ^([a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+)@(sha256:[0-9a-f]{64})$ ]] ||
  die "image must be pinned by digest (registry/repo@sha256:<64 hex>), got '$image'"
repository=${BASH_REMATCH[1]} digest=${BASH_REMATCH[3]}

KUBECTL=${KUBECTL:-kubectl}
MIGRATION_TIMEOUT=${MIGRATION_TIMEOUT:-660}   # seconds; the migration Job's own deadline is 600
DB_ADMIN_TIMEOUT=${DB_ADMIN_TIMEOUT:-360}     # seconds; the db-admin Job's own deadline is 300
BUNDLE_TIMEOUT=${BUNDLE_TIMEOUT:-180s}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-600s}
POLL_SECONDS=${POLL_SECONDS:-5}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ns=netflix-clone-$env
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
ipv4='[0-9]{1,3}(\.[0-9]{1,3}){3}'
need region '[a-z]{2}(-[a-z]+)+-[0-9]'
need vpc-cidr "$ipv4/[0-9]{1,2}"
need alb-subnets-cidr "$ipv4/[0-9]{1,2}"
need cluster-dns-ip "$ipv4"
need database-host '[a-z0-9.-]+'
need database-port '[0-9]{2,5}'
need database-name '[a-z_][a-z0-9_]*'
need database-app-user '[a-z_][a-z0-9_]*'
need database-owner-user '[a-z_][a-z0-9_]*'
need database-secret-arn 'arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+'
need redis-host '[a-z0-9.-]+'
need redis-user '[a-z0-9-]+'
need redis-cache-name '[a-z][a-z0-9-]*'
need public-host '[a-z0-9.-]+'
need certificate-arn 'arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[a-f0-9-]+'
need alb-log-bucket '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]'

placeholders='REPLACE-ME|example\.invalid|192\.0\.2\.|sha256:0{64}'

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
      - DATABASE_IAM_USER=${value[database-app-user]}
      - REDIS_URL=rediss://${value[redis-user]}@${value[redis-host]}:6379/0
      - REDIS_IAM_CACHE_NAME=${value[redis-cache-name]}
      - FORWARDED_ALLOW_IPS=*
patches:
  - target: {kind: NetworkPolicy, name: netflix-clone-web-ingress}
    patch: '[{"op": "replace", "path": "/spec/ingress/0/from/0/ipBlock/cidr", "value": "${value[alb-subnets-cidr]}"}]'
  - target: {kind: NetworkPolicy, name: netflix-clone-egress}
    patch: '[{"op": "replace", "path": "/spec/egress/0/to/0/ipBlock/cidr", "value": "${value[cluster-dns-ip]}/32"}, {"op": "replace", "path": "/spec/egress/3/to/0/ipBlock/cidr", "value": "${value[vpc-cidr]}"}]'
YAML
  if [[ $1 == */migrate ]]; then
    cat >>"$dir/kustomization.yaml" <<YAML
  - target: {kind: Job, name: netflix-clone-migrate}
    patch: '[{"op": "test", "path": "/spec/template/spec/containers/0/env/0/name", "value": "DATABASE_IAM_USER"}, {"op": "replace", "path": "/spec/template/spec/containers/0/env/0/value", "value": "${value[database-owner-user]}"}]'
  - target: {kind: Job, name: netflix-clone-db-admin}
    patch: '[{"op": "test", "path": "/spec/template/spec/containers/0/env/0/name", "value": "DATABASE_SECRET_ID"}, {"op": "replace", "path": "/spec/template/spec/containers/0/env/0/value", "value": "${value[database-secret-arn]}"}, {"op": "test", "path": "/spec/template/spec/containers/0/env/1/name", "value": "DATABASE_OWNER_USER"}, {"op": "replace", "path": "/spec/template/spec/containers/0/env/1/value", "value": "${value[database-owner-user]}"}, {"op": "test", "path": "/spec/template/spec/containers/0/env/2/name", "value": "DATABASE_APP_USER"}, {"op": "replace", "path": "/spec/template/spec/containers/0/env/2/value", "value": "${value[database-app-user]}"}]'
YAML
  else
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
  if grep -nE "$placeholders" "$2" >&2; then
    die "$1 still has placeholders (above): the published values did not cover them"
  fi
}

# The environment's cluster bundle: the same files every release, one document stream.
bundle=("$here/cluster/ingressclass.yaml" "$here/cluster/nodeclass-$env.yaml" "$here/cluster/nodepool-$env.yaml")
for file in "${bundle[@]}"; do
  [[ -f $file ]] || die "no $file in the cluster bundle"
  printf -- '---\n' && cat "$file"
done >"$work/cluster.yaml"
! grep -nE "$placeholders" "$work/cluster.yaml" >&2 || die "the cluster bundle has placeholders (above)"

# Render and check everything before touching the cluster.
render "overlays/$env/migrate" "$work/migrate.yaml"
render "overlays/$env" "$work/app.yaml"
if [[ -n ${RENDER_ONLY:-} ]]; then
  cp "$work/cluster.yaml" "$work/migrate.yaml" "$work/app.yaml" "$RENDER_ONLY/"
  echo "rendered $env into $RENDER_ONLY"
  exit 0
fi

echo "== step 0: cluster bundle of $env (NodePool, NodeClass, IngressClass)"
# What an administrator applies once (deploy/k8s/cluster/rbac.yaml and the network policy
# switch) must be there; without it the release can't apply the bundle, or its NetworkPolicies
# would be accepted and never enforced.
[[ $("$KUBECTL" auth can-i patch nodepools.karpenter.sh/netflix-clone 2>/dev/null) == yes ]] ||
  die "this role may not manage the cluster bundle: an administrator applies deploy/k8s/cluster/rbac.yaml once per cluster (docs/infrastructure.md, step 6)"
switch=$("$KUBECTL" get configmap amazon-vpc-cni -n kube-system \
  -o jsonpath='{.data.enable-network-policy-controller}' 2>/dev/null || true)
[[ $switch == true ]] ||
  die "EKS Auto Mode's network policy controller is off (kube-system/amazon-vpc-cni): an administrator applies deploy/k8s/cluster/network-policy-controller.yaml once per cluster"
drift=0
"$KUBECTL" diff -f "$work/cluster.yaml" >"$work/cluster.diff" 2>&1 || drift=$?
case $drift in
  0) echo "cluster bundle: no drift" ;;
  1)
    echo "cluster bundle: the cluster differs from the repository (below); applying the repository's"
    cat "$work/cluster.diff"
    ;;
  *) cat "$work/cluster.diff" >&2; die "kubectl diff of the cluster bundle failed" ;;
esac
"$KUBECTL" apply -f "$work/cluster.yaml"
"$KUBECTL" wait --for=condition=Ready --timeout="$BUNDLE_TIMEOUT" \
  nodeclass.eks.amazonaws.com/netflix-clone nodepool.karpenter.sh/netflix-clone ||
  die "the NodeClass or NodePool netflix-clone is not Ready (kubectl describe nodeclass,nodepool netflix-clone): the app's pods would have no nodes"

# `kubectl wait --for=condition=complete` would sit out its whole timeout on a failed Job;
# polling both conditions fails the release as soon as the Job gives up.
run_job() {  # <job> <timeout seconds> <what it does>
  local job=$1 timeout=$2 what=$3 deadline=$((SECONDS + $2)) conditions failed=
  while :; do
    conditions=$("$KUBECTL" get job "$job" -n "$ns" \
      -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
    case " $conditions " in
      *" Complete "*) echo "$what: complete"; return 0 ;;
      *" Failed "*) failed="the $what Job ($job) failed" ;;
      *) ((SECONDS < deadline)) || failed="the $what Job ($job) did not finish in ${timeout}s" ;;
    esac
    if [[ -n $failed ]]; then
      "$KUBECTL" logs "job/$job" -n "$ns" --all-containers --tail=200 >&2 || true
      die "$failed; the running pods were not touched"
    fi
    sleep "$POLL_SECONDS"
  done
}

echo "== step 1: database users, then migrate $ns to $image"
# A Job's pod template is immutable: the previous runs must go before these are created.
"$KUBECTL" delete job netflix-clone-db-admin netflix-clone-migrate -n "$ns" \
  --ignore-not-found --cascade=foreground --wait=true
# The migration Job arrives suspended and starts only once the users it logs in as exist.
"$KUBECTL" apply -f "$work/migrate.yaml"
run_job netflix-clone-db-admin "$DB_ADMIN_TIMEOUT" "database users"
"$KUBECTL" patch job netflix-clone-migrate -n "$ns" --type=merge -p '{"spec":{"suspend":false}}'
run_job netflix-clone-migrate "$MIGRATION_TIMEOUT" "migration"

echo "== step 2: roll out $ns"
"$KUBECTL" apply -f "$work/app.yaml"
"$KUBECTL" rollout status deployment/netflix-clone -n "$ns" --timeout="$ROLLOUT_TIMEOUT" ||
  die "rollout did not finish (old pods still serve: maxUnavailable is 0)"
echo "deployed $image to $env"
