#!/usr/bin/env bash
# Installs kubectl VERSION (linux/amd64) into DIR, refusing a binary whose SHA-256 differs from
# the one published next to it on dl.k8s.io and, when PINNED_SHA256 is set (the repository
# variable KUBECTL_SHA256), from that pinned value too. kubectl carries kustomize, which is all
# deploy/k8s/deploy.sh needs.
#
# Usage: install-kubectl.sh v1.35.4 DIR
set -euo pipefail

version="${1:?usage: install-kubectl.sh VERSION DIR}"
dir="${2:?usage: install-kubectl.sh VERSION DIR}"
[[ $version =~ ^v1\.[0-9]+\.[0-9]+$ ]] || { echo "kubectl version must look like v1.35.4" >&2; exit 1; }
base="https://dl.k8s.io/release/$version/bin/linux/amd64"
mkdir -p "$dir"
curl -fsSL --retry 3 -o "$dir/kubectl" "$base/kubectl"
published="$(curl -fsSL --retry 3 "$base/kubectl.sha256")"
actual="$(sha256sum "$dir/kubectl" | cut -d' ' -f1)"
if [[ "$actual" != "$published" ]]; then
  echo "kubectl $version: sha256 $actual differs from the published $published" >&2
  rm -f "$dir/kubectl"
  exit 1
fi
if [[ -n "${PINNED_SHA256:-}" && "$actual" != "$PINNED_SHA256" ]]; then
  echo "kubectl $version: sha256 $actual differs from the pinned KUBECTL_SHA256 $PINNED_SHA256" >&2
  rm -f "$dir/kubectl"
  exit 1
fi
chmod 0755 "$dir/kubectl"
"$dir/kubectl" version --client
