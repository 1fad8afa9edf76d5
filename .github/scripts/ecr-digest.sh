#!/usr/bin/env bash
# Prints the digest of the image tagged TAG in ECR_REPOSITORY.
# Exit 0: found; 1: no image has that tag; 2: any other failure (access, network), which must not
# be mistaken for "not built yet".
set -euo pipefail

tag="${1:?usage: ecr-digest.sh TAG}"
repository="${ECR_REPOSITORY:?ECR_REPOSITORY must name the ECR repository}"
err="$(mktemp)"
trap 'rm -f "$err"' EXIT

if out="$(aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" \
    --query 'imageDetails[0].imageDigest' --output text 2>"$err")"; then
  if [[ "$out" =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "$out"
    exit 0
  fi
  echo "unexpected digest for $repository:$tag: $out" >&2
  exit 2
fi
if grep -q ImageNotFoundException "$err"; then
  exit 1
fi
cat "$err" >&2
exit 2
