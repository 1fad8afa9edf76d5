#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests: every overlay and every migration step renders,
# every rendered object is valid for the clusters' Kubernetes version (read from
# infra/terraform/modules/platform; strict: unknown fields fail), and checkov's kubernetes checks
# pass with only the skips listed in deploy/k8s/.checkov.yaml.
# Needs kubectl (built-in kustomize) and python3; no cluster. Runs from any directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
k8s="$root/deploy/k8s"
# shellcheck source=scripts/tools.sh
source "$root/scripts/tools.sh"
KV=$(tool kubernetes-validate)
CHECKOV=$(tool checkov)

version=$(sed -nE 's/^  kubernetes_version = "(1\.[0-9]+)".*/\1/p' "$root/infra/terraform/modules/platform/main.tf")
[[ $version =~ ^1\.[0-9]+$ ]] || { echo "no kubernetes_version in infra/terraform/modules/platform/main.tf" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/rendered"

echo "== render"
for env in dev uat prod; do
  for step in "overlays/$env" "overlays/$env/migrate"; do
    out="$work/rendered/${step//\//-}.yaml"
    kubectl kustomize "$k8s/$step" >"$out"
    echo "$step: $(grep -c '^kind:' "$out") objects"
  done
done
objects=$(cat "$work"/rendered/*.yaml | grep -c '^kind:')

echo "== kubernetes-validate --strict ($version, the clusters' version)"
# Only built-in kinds are rendered (no custom resources), so the upstream schemas cover all.
"$KV" --strict --kubernetes-version "$version" --quiet "$work"/rendered/*.yaml
echo "all $objects objects valid"
# The cluster-level objects (deploy/k8s/cluster): their built-in kinds are validated here; the
# NodePools and NodeClasses (EKS Auto Mode CRDs, no upstream schema) are checked field by field
# in tests/infra/test_capacity.py and test_k8s_manifests.py.
sed 's/netflix-clone-ENV/netflix-clone-dev/' "$k8s/cluster/rbac.yaml" >"$work/cluster-rbac.yaml"
"$KV" --strict --kubernetes-version "$version" --quiet "$work/cluster-rbac.yaml" \
  "$k8s/cluster/network-policy-controller.yaml" "$k8s/cluster/ingressclass.yaml"
echo "cluster objects: RBAC and admission policy, network policy controller and IngressClass valid"
# The metrics collector (deploy/k8s/cluster/metrics-collector), rendered as an administrator
# applies it: validated and checkov'd below with the overlays (its inline skips say why).
kubectl kustomize "$k8s/cluster/metrics-collector" | sed 's/netflix-clone-ENV/netflix-clone-dev/g' \
  >"$work/rendered/cluster-metrics-collector.yaml"
"$KV" --strict --kubernetes-version "$version" --quiet "$work/rendered/cluster-metrics-collector.yaml"
objects=$((objects + $(grep -c '^kind:' "$work/rendered/cluster-metrics-collector.yaml")))
echo "metrics collector: $(grep -c '^kind:' "$work/rendered/cluster-metrics-collector.yaml") objects valid"

echo "== checkov (kubernetes)"
status=0
"$CHECKOV" --config-file "$k8s/.checkov.yaml" -d "$work/rendered" \
  -o cli -o json --output-file-path "console,$work/checkov.json" || status=$?
python3 - "$work/checkov.json" "$objects" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
reports = report if isinstance(report, list) else [report]
summary = {k: sum(r["summary"][k] for r in reports) for k in ("passed", "failed", "skipped", "parsing_errors", "resource_count")}
print("checkov: {passed} passed, {failed} failed, {skipped} skipped, {parsing_errors} parse errors, {resource_count} resources".format(**summary))
# checkov passes silently on files it cannot read: make sure it really saw every object.
if summary["parsing_errors"] or summary["resource_count"] < int(sys.argv[2]) or not summary["passed"]:
    sys.exit("checkov did not scan every rendered object")
if summary["failed"]:
    sys.exit(1)
PY
[[ $status -eq 0 ]] || { echo "checkov exited $status" >&2; exit "$status"; }
echo "k8s checks passed"
