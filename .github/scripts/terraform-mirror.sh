#!/usr/bin/env bash
# On the dev machines the Terraform registry is out of reach and scripts/check-terraform.sh reads
# providers from an unpacked filesystem mirror named by TF_PLUGIN_MIRROR. Building the same kind
# of mirror in CI keeps GitHub on that code path instead of a second, registry-only one.
#
# Usage: terraform-mirror.sh DIR
# Mirrors exactly the provider versions in the committed lock files (modules have none and take
# theirs from the roots), then unpacks them into DIR/<host>/<namespace>/<type>/<version>/<os_arch>/.
set -euo pipefail

dir="${1:?usage: terraform-mirror.sh DIR}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
packed="$(mktemp -d)"
trap 'rm -rf "$packed"' EXIT

shopt -s nullglob
locks=("$repo"/infra/terraform/bootstrap/.terraform.lock.hcl "$repo"/infra/terraform/envs/*/.terraform.lock.hcl)
if [[ ${#locks[@]} -eq 0 ]]; then
  echo "no Terraform lock files under infra/terraform: nothing to mirror" >&2
  exit 1
fi
for lock in "${locks[@]}"; do
  terraform -chdir="$(dirname "$lock")" providers mirror -platform=linux_amd64 "$packed"
done

# `providers mirror` writes the packed layout: <host>/<ns>/<type>/terraform-provider-<type>_<version>_<os>_<arch>.zip
count=0
while IFS= read -r -d '' zip; do
  rel="${zip#"$packed"/}"
  provider_dir="$(dirname "$rel")"
  file="$(basename "$zip" .zip)"
  IFS=_ read -r _ version os arch <<<"$file"
  target="$dir/$provider_dir/$version/${os}_${arch}"
  mkdir -p "$target"
  unzip -q -o "$zip" -d "$target"
  count=$((count + 1))
done < <(find "$packed" -name 'terraform-provider-*.zip' -print0)
[[ "$count" -gt 0 ]] || { echo "terraform providers mirror produced no provider" >&2; exit 1; }
echo "unpacked $count provider package(s) into $dir" >&2
