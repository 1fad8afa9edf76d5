#!/usr/bin/env bash
# Checks the release the way a client sees it, through the load balancer and TLS, without
# waiting for the public name to resolve: the first release of an environment creates the ALB,
# and public_host's DNS record can only point at it afterwards (Terraform's alias record from
# the next apply, or a CNAME by hand), while negative answers for the name may still be cached.
# So the request goes to the ALB's own DNS name (from the Ingress's status) with public_host as
# TLS server name, certificate name and Host header (curl --connect-to): the same listener,
# certificate, rules and targets a client reaches.
#
# Usage: smoke-test.sh <namespace>
# Env:   PUBLIC_URL   the Environment's https://<host>; must name the Ingress's host when set
#        LB_TIMEOUT   seconds to wait for the Ingress to get its load balancer (default 600)
#        POLL_SECONDS (default 10)
set -euo pipefail

die() { echo "smoke-test.sh: $*" >&2; exit 1; }
ns="${1:?usage: smoke-test.sh <namespace>}"
lb_timeout="${LB_TIMEOUT:-600}"
poll="${POLL_SECONDS:-10}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT

host="$(kubectl -n "$ns" get ingress netflix-clone -o jsonpath='{.spec.rules[0].host}')"
[[ $host =~ ^[a-z0-9.-]+$ ]] || die "the Ingress names no host ('$host')"
if [[ -n ${PUBLIC_URL:-} ]]; then
  want="${PUBLIC_URL#https://}"
  want="${want%%/*}"
  [[ $want == "$host" ]] || die "PUBLIC_URL ($PUBLIC_URL) is not the host the Ingress serves ($host): fix the Environment variable"
fi

deadline=$((SECONDS + lb_timeout))
while :; do
  alb="$(kubectl -n "$ns" get ingress netflix-clone -o jsonpath='{.status.loadBalancer.ingress[0].hostname}')"
  [[ -n $alb ]] && break
  ((SECONDS < deadline)) ||
    die "the Ingress got no load balancer in ${lb_timeout}s (kubectl -n $ns describe ingress netflix-clone: certificate issued? subnets tagged?)"
  sleep "$poll"
done
[[ $alb =~ ^[a-z0-9.-]+$ ]] || die "unexpected load balancer name '$alb'"
echo "load balancer: $alb (point $host at it: Terraform's alias record with a Route 53 zone, else a CNAME)"
if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
  echo "\`$host\` is served by the load balancer \`$alb\`" >>"$GITHUB_STEP_SUMMARY"
fi

check() {
  local path="$1" want_json="$2"
  # A new ALB's name takes a minute or two to resolve and its targets to turn healthy: retry.
  curl --fail --silent --show-error --max-time 10 \
    --retry 30 --retry-delay 10 --retry-all-errors \
    --connect-to "$host:443:$alb:443" \
    -H 'Accept: application/json' -o "$body" "https://$host$path"
  # The catalog must answer with our JSON, not with a load balancer's or proxy's HTML page.
  if [[ "$want_json" == json ]] && ! jq -e 'type == "object"' "$body" >/dev/null; then
    die "$path did not answer a JSON object"
  fi
  echo "ok $path"
}

check /readyz status
check '/api/movies?list=popular' json
