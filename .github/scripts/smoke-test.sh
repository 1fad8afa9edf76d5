#!/usr/bin/env bash
# Checks the public endpoint the way a client sees it: through DNS, the load balancer and TLS.
# Env: PUBLIC_URL (https://host, no trailing path). Retries cover load-balancer target warm-up.
set -euo pipefail

base="${PUBLIC_URL:?set the PUBLIC_URL variable of this GitHub Environment}"
base="${base%/}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

check() {
  local path="$1" want_json="$2"
  curl --fail --silent --show-error --location --max-time 10 \
    --retry 12 --retry-delay 5 --retry-all-errors \
    -H 'Accept: application/json' -o "$body" "$base$path"
  # The catalog must answer with our JSON, not with a load balancer's or proxy's HTML page.
  if [[ "$want_json" == json ]] && ! jq -e 'type == "object"' "$body" >/dev/null; then
    echo "$path did not answer a JSON object" >&2
    exit 1
  fi
  echo "ok $path"
}

check /readyz status
check '/api/movies?list=popular' json
