#!/usr/bin/env bash
# On the dev machines the Terraform registry is out of reach and scripts/check-terraform.sh reads
# providers from the filesystem mirror named by TF_PLUGIN_MIRROR. Filling such a mirror in CI
# keeps GitHub on that same code path instead of a second, registry-only one.
# Usage: terraform-mirror.sh DIR   (mirrors every provider the roots and modules require)
set -euo pipefail

dir="${1:?usage: terraform-mirror.sh DIR}"
mkdir -p "$dir"
shopt -s nullglob
for root in infra/terraform/bootstrap infra/terraform/envs/*/ infra/terraform/modules/*/; do
  [[ -d "$root" ]] || continue
  terraform -chdir="$root" providers mirror -platform=linux_amd64 "$dir"
done
