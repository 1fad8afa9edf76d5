#!/usr/bin/env bash
# pass() always succeeds, so `test && pass ... || fail ...` is an if/else in this file.
# shellcheck disable=SC2015
# Build the production image for real and run it the way the cluster does: read-only root file
# system, an arbitrary non-root UID, no capabilities; against the local PostgreSQL and Redis.
#
# Checks: migrations run as a separate command of the image; /readyz answers; sign-up and the
# movie catalog work; SIGTERM stops the server cleanly within the grace period; the image holds
# no tests, .git, .env or secrets; the processes run as the UID we gave. Prints image size, the
# seconds from `docker run` to ready and the stop time, and ends with "N passed, N failed".
#
# Self-contained on a fresh machine of this kind: installs Debian's docker.io and debootstrap
# when missing, starts dockerd when none answers (and stops it again at exit), and builds the
# base image from Debian packages (no registry is reachable here; the base is cached across
# runs as netflix-clone-base:local). Everything else it starts it removes at exit.
#
# Environment: CONTAINER_TEST_IMAGE (test this already-built image: no base, no build, and it is
# left in place; CI hands in the image it scanned), CONTAINER_TEST_PORT (18080),
# CONTAINER_TEST_REDIS_DB (13), CONTAINER_TEST_REBUILD_BASE=1 (rebuild the cached base image),
# TEST_POSTGRES_URL / TEST_REDIS_URL (servers to use, as the test suite reads them; default
# 127.0.0.1:5432 as postgres without a password, 127.0.0.1:6379). Root is needed only to install
# packages or start dockerd (sudo is used when available).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BASE_IMAGE="netflix-clone-base:local"
# Bump when the base recipe below changes: a cached base with another recipe is rebuilt.
BASE_RECIPE="bookworm-minbase+python3,python3-venv,ca-certificates/v1"
IMAGE="${CONTAINER_TEST_IMAGE:-netflix-clone:container-test}"
BUILD_IMAGE=$([[ -n "${CONTAINER_TEST_IMAGE:-}" ]] || echo 1)
NAME_PREFIX="nc-container-test"
WEB="$NAME_PREFIX-web"
PORT="${CONTAINER_TEST_PORT:-18080}"
REDIS_DB="${CONTAINER_TEST_REDIS_DB:-13}"
TEST_DB="nc_container_test"
# PostgreSQL and Redis: user, password, host and port from the URLs the test suite uses.
read -r PG_USER PG_PASSWORD PG_HOST PG_PORT REDIS_HOST REDIS_PORT < <(python3 - <<'PY'
import os
from urllib.parse import urlsplit
pg = urlsplit(os.environ.get("TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test")
rd = urlsplit(os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0")
print(pg.username or "postgres", pg.password or "-", pg.hostname or "127.0.0.1", pg.port or 5432,
      rd.hostname or "127.0.0.1", rd.port or 6379)
PY
)
[[ "$PG_PASSWORD" == - ]] && PG_PASSWORD=""
export PGPASSWORD="$PG_PASSWORD" PGOPTIONS="-c client_min_messages=warning"
PG_ADMIN=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres)
REDIS=(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT")
DOCKER_DATA_ROOT="/var/lib/docker"
HOST_CA="/etc/ssl/certs/ca-certificates.crt"
# Long enough for a cold build; the build itself prints its progress.
READY_TIMEOUT=60
STOP_GRACE=30 # gunicorn's graceful_timeout

STARTED_AT=$(date +%s.%N)
WORK="$(mktemp -d /var/tmp/nc-container-test.XXXXXX)"
DOCKERD_PID=""
CREATED_DB=""
PASSED=0
FAILED=0

log() { printf '\n== %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
die() { printf 'container-test: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

cleanup() {
  local rc=$?
  set +e
  if docker info >/dev/null 2>&1; then
    docker ps -aq --filter "name=^$NAME_PREFIX" | xargs -r docker rm -f >/dev/null
    [[ -n "${PREVIEW_TMP:-}" ]] && rm -rf "$PREVIEW_TMP"
    [[ -n "$BUILD_IMAGE" ]] && docker image inspect "$IMAGE" >/dev/null 2>&1 &&
      docker rmi -f "$IMAGE" >/dev/null
  fi
  if [[ -n "$CREATED_DB" ]]; then
    "${PG_ADMIN[@]}" -c "DROP DATABASE IF EXISTS $TEST_DB WITH (FORCE)" >/dev/null
    "${REDIS[@]}" -n "$REDIS_DB" FLUSHDB >/dev/null
  fi
  if [[ -n "$DOCKERD_PID" ]]; then
    as_root kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif sudo -n true 2>/dev/null; then sudo "$@"
  else die "need root (or sudo) for: $*"; fi
}

apt_install() {
  log "installing Debian packages: $*"
  {
    if [[ -z "${APT_UPDATED:-}" ]]; then as_root apt-get update -q && APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  } >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log" >&2; die "apt-get install $* failed"; }
}

ensure_commands() {
  local missing=()
  if ! docker info >/dev/null 2>&1; then command -v dockerd >/dev/null || missing+=(docker.io); fi
  if [[ -n "$BUILD_IMAGE" ]]; then command -v debootstrap >/dev/null || missing+=(debootstrap); fi
  command -v curl >/dev/null || missing+=(curl)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
  # docker.io pulls iptables etc. as dependencies; with --no-install-recommends it still has
  # what dockerd needs (containerd, runc, tini).
}

start_dockerd() {
  docker info >/dev/null 2>&1 && return 0
  local driver log_file="$WORK/dockerd.log"
  for driver in "" vfs; do
    log "starting dockerd (data root $DOCKER_DATA_ROOT${driver:+, storage driver $driver})"
    [[ $(id -u) -eq 0 ]] || die "no Docker engine answers, and starting dockerd needs root"
    mkdir -p "$DOCKER_DATA_ROOT"
    dockerd --data-root "$DOCKER_DATA_ROOT" ${driver:+--storage-driver "$driver"} \
      >"$log_file" 2>&1 &
    DOCKERD_PID=$!
    for _ in $(seq 1 120); do
      docker info >/dev/null 2>&1 && return 0
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill "$DOCKERD_PID" 2>/dev/null; wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
    tail -5 "$log_file" >&2
  done
  die "dockerd did not start"
}

# The Debian mirror apt uses on this machine (deb822 .sources or one-line .list), for bookworm.
debian_mirror() {
  local uri
  uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
    /(^|\n)Suites:[^\n]*[[:space:]]bookworm([[:space:]]|$)/ {
      for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, f, /[[:space:]]+/); print f[2]; exit }
    }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
  if [[ -z "$uri" ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i < NF; i++) if ($i ~ /^[a-z]+:\/\// && $(i + 1) == "bookworm") { print $i; exit } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Stand-in for python:3.11-slim-bookworm: Debian bookworm's own Python 3.11 (at /usr/bin/python3).
ensure_base_image() {
  if [[ -z "${CONTAINER_TEST_REBUILD_BASE:-}" ]] &&
    [[ "$(docker image inspect -f '{{index .Config.Labels "netflix-clone.base-recipe"}}' "$BASE_IMAGE" 2>/dev/null)" == "$BASE_RECIPE" ]]; then
    echo "base image $BASE_IMAGE is cached"
    return 0
  fi
  local mirror rootfs="$WORK/rootfs" t0
  mirror=$(debian_mirror)
  t0=$(now)
  log "building $BASE_IMAGE with debootstrap from $mirror (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  # Trim it like the official slim image: no apt lists or caches, docs, man pages or locales.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$rootfs" -c . | docker import \
    -c "LABEL netflix-clone.base-recipe=$BASE_RECIPE" -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  echo "base image built in $(elapsed "$t0" "$(now)") s"
}

# `docker build` with BuildKit (needed for the secret mount). A current docker CLI delegates that
# to the buildx plugin; Debian's docker.io 20.10 CLI has BuildKit built in.
docker_build() {
  if docker buildx version >/dev/null 2>&1; then
    docker buildx build --load "$@"
  elif [[ -x /usr/bin/docker ]]; then
    DOCKER_BUILDKIT=1 /usr/bin/docker build "$@"
  else
    DOCKER_BUILDKIT=1 docker build "$@"
  fi
}

build_image() {
  local t0 args=(--network host --build-arg "BASE_IMAGE=$BASE_IMAGE"
    --build-arg "VCS_REF=$(git rev-parse HEAD 2>/dev/null || echo unknown)"
    --build-arg "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t "$IMAGE" -f Dockerfile .)
  # pip and uv in the build reach PyPI through this machine's TLS proxy: hand them its CA bundle
  # as a BuildKit secret (mounted for the download steps only, never stored in a layer).
  [[ -s "$HOST_CA" ]] && args=(--secret "id=ca,src=$HOST_CA" "${args[@]}")
  t0=$(now)
  log "building $IMAGE from Dockerfile"
  docker_build "${args[@]}" >"$WORK/build.log" 2>&1 ||
    { tail -40 "$WORK/build.log" >&2; die "docker build failed"; }
  echo "image built in $(elapsed "$t0" "$(now)") s"
}

prepare_services() {
  if [[ -x scripts/ensure-services.sh ]]; then scripts/ensure-services.sh >/dev/null; fi
  pg_isready -h "$PG_HOST" -p "$PG_PORT" -q || die "PostgreSQL does not answer on $PG_HOST:$PG_PORT"
  [[ "$("${REDIS[@]}" ping)" == PONG ]] || die "Redis does not answer on $REDIS_HOST:$REDIS_PORT"
  "${PG_ADMIN[@]}" -c "DROP DATABASE IF EXISTS $TEST_DB WITH (FORCE)" -c "CREATE DATABASE $TEST_DB"
  CREATED_DB=1
  "${REDIS[@]}" -n "$REDIS_DB" FLUSHDB >/dev/null
}

# How the cluster runs it: read-only root, /tmp as tmpfs, arbitrary non-root UID, no capabilities.
# APP_ENV stays the image's default (prod), so this also proves production settings start.
run_args() {
  printf '%s\n' --read-only --tmpfs /tmp --user 12345:12345 --cap-drop ALL \
    --security-opt no-new-privileges --network host \
    -e SECRET_KEY -e DATABASE_URL -e "PORT=$PORT" -e CATALOG_SOURCE=demo -e LOG_LEVEL=INFO \
    -e "REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB"
}

# http METHOD PATH [JSON] -> prints the status code; the body goes to $WORK/body
http() {
  local method=$1 path=$2 data=${3:-}
  curl -sS -o "$WORK/body" -w '%{http_code}' -X "$method" --max-time 10 \
    ${data:+-H 'Content-Type: application/json' --data "$data"} "http://127.0.0.1:$PORT$path" ||
    echo 000
}

main() {
  ensure_commands
  start_dockerd
  if [[ -n "$BUILD_IMAGE" ]]; then
    ensure_base_image
  else
    docker image inspect "$IMAGE" >/dev/null 2>&1 || die "CONTAINER_TEST_IMAGE=$IMAGE is not a local image"
    echo "testing the given image $IMAGE (no build)"
  fi
  # Idempotent: remove what an interrupted earlier run may have left behind.
  docker ps -aq --filter "name=^$NAME_PREFIX" | xargs -r docker rm -f >/dev/null
  if [[ -n "$BUILD_IMAGE" ]]; then build_image; fi
  prepare_services

  SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
  # Passed by name (-e NAME): the values stay out of docker's command line.
  DATABASE_URL="postgresql+psycopg://$PG_USER${PG_PASSWORD:+:$PG_PASSWORD}@$PG_HOST:$PG_PORT/$TEST_DB"
  export SECRET_KEY DATABASE_URL
  mapfile -t RUN < <(run_args)

  log "safe by default: without SECRET_KEY the production image refuses to start"
  local out rc=0
  out=$(timeout 60 docker run --rm --name "$NAME_PREFIX-nosecret" --read-only --tmpfs /tmp \
    --network host -e "PORT=$PORT" "$IMAGE" 2>&1) || rc=$?
  if [[ $rc -ne 0 && "$out" == *SECRET_KEY* ]]; then
    pass "no SECRET_KEY: exit $rc, says: $(grep -m1 SECRET_KEY <<<"$out")"
  else
    fail "no SECRET_KEY: exit $rc; output: ${out:0:400}"
  fi

  log "migrations: netflix-clone migrate (same image, read-only, UID 12345)"
  local i
  for i in 1 2; do
    rc=0
    out=$(docker run --rm --name "$NAME_PREFIX-migrate" "${RUN[@]}" "$IMAGE" netflix-clone migrate 2>&1) || rc=$?
    if [[ $rc -eq 0 ]]; then pass "migrate run $i (exit 0): $(tail -1 <<<"$out")"
    else fail "migrate run $i exit $rc: ${out:0:600}"; fi
  done
  local tables
  tables=$(psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$TEST_DB" \
    -c "select count(*) from information_schema.tables where table_schema = 'public'")
  if ((tables > 1)); then pass "database has $tables tables after migrating"
  else fail "database has $tables tables after migrating"; fi

  log "web: gunicorn from the image's CMD"
  local t_run t_ready code ready=""
  t_run=$(now)
  docker run -d --name "$WEB" --stop-timeout 40 "${RUN[@]}" "$IMAGE" >/dev/null
  for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/readyz" || true)
    if [[ "$code" == 200 ]]; then ready=1; break; fi
    [[ "$(docker inspect -f '{{.State.Running}}' "$WEB")" == true ]] || break
    sleep 0.1
  done
  t_ready=$(now)
  READY_SECONDS=$(elapsed "$t_run" "$t_ready")
  if [[ -n "$ready" ]]; then
    pass "/readyz 200, ${READY_SECONDS} s after docker run"
  else
    fail "/readyz not 200 within ${READY_TIMEOUT} s (last: ${code:-none})"
    docker logs --tail 40 "$WEB" 2>&1 | sed 's/^/    /'
    return
  fi

  code=$(http GET /healthz)
  [[ "$code" == 200 ]] && pass "/healthz 200" || fail "/healthz $code"

  local email="container-test-$RANDOM@example.com"
  code=$(http POST /api/users "{\"email\":\"$email\",\"password\":\"Container-test-pass-42\",\"display_name\":\"Container Test\"}")
  if [[ "$code" == 201 ]] && grep -q "$email" "$WORK/body" && ! grep -qi 'password' "$WORK/body"; then
    pass "POST /api/users 201 (no password in the answer)"
  else
    fail "POST /api/users $code: $(head -c 400 "$WORK/body")"
  fi

  code=$(http GET '/api/movies?list=popular')
  if [[ "$code" == 200 ]] && python3 -c '
import json, sys
def titles(node):
    if isinstance(node, dict):
        yield from ([node["title"]] if isinstance(node.get("title"), str) else [])
        for value in node.values(): yield from titles(value)
    elif isinstance(node, list):
        for value in node: yield from titles(value)
sys.exit(0 if any(titles(json.load(open(sys.argv[1])))) else 1)' "$WORK/body"; then
    pass "GET /api/movies?list=popular 200 with titles (demo catalog)"
  elif [[ "$code" == 404 ]]; then
    # The route has landed; a 404 now means it went missing from the image.
    fail "GET /api/movies?list=popular: NOT AVAILABLE (404: the route is not in this build)"
  else
    fail "GET /api/movies?list=popular $code: $(head -c 400 "$WORK/body")"
  fi

  # The image's own HEALTHCHECK command, run now rather than after its 30 s interval.
  local healthcheck
  mapfile -t healthcheck < <(docker image inspect -f '{{range .Config.Healthcheck.Test}}{{println .}}{{end}}' "$IMAGE")
  if [[ "${healthcheck[0]:-}" == CMD ]] && docker exec "$WEB" "${healthcheck[@]:1}"; then
    pass "the image's HEALTHCHECK command succeeds (${healthcheck[1]})"
  else
    fail "the image's HEALTHCHECK command fails: ${healthcheck[*]}"
  fi

  # Metrics are for the scraper only: the gunicorn master serves them on METRICS_PORT (9100),
  # which the Service exposes and the Ingress never routes; the public port answers 404.
  code=$(http GET /metrics)
  [[ "$code" == 404 ]] && pass "public /metrics 404" || fail "public /metrics $code (must be 404)"
  if docker exec "$WEB" python3 -c '
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:9100/metrics", timeout=5) as answer:
    sys.exit(0 if answer.status == 200 and b"http_requests_total" in answer.read() else 1)'; then
    pass "metrics on port 9100 inside the pod (http_requests_total)"
  else
    fail "no metrics on port 9100 inside the container"
  fi

  log "runtime identity and file system"
  local uids
  uids=$(docker exec "$WEB" python3 -c '
import os
uids = set()
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        continue
    for line in status.splitlines():
        if line.startswith(("Uid:", "Gid:")):
            uids.update(line.split()[1:])
print(" ".join(sorted(uids)))')
  [[ "$uids" == "12345" ]] && pass "every process runs as UID/GID 12345" ||
    fail "process UIDs/GIDs in the container: $uids"
  local nprocs
  nprocs=$(docker exec "$WEB" sh -c 'ls -d /proc/[0-9]* | wc -l')
  echo "processes in the container: $nprocs (master + workers + this probe)"
  [[ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$WEB")" == true ]] &&
    pass "root file system is read-only" || fail "root file system is writable"
  if docker exec "$WEB" sh -c 'touch /opt/venv/probe || touch /app/probe' 2>/dev/null; then
    fail "could write into /opt/venv or /app"
  else
    pass "/opt/venv and /app are not writable"
  fi

  log "SIGTERM: docker stop"
  local t_stop exit_code
  t_stop=$(now)
  docker stop -t 40 "$WEB" >/dev/null
  STOP_SECONDS=$(elapsed "$t_stop" "$(now)")
  exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$WEB")
  if [[ "$exit_code" == 0 ]] && awk -v s="$STOP_SECONDS" -v g="$STOP_GRACE" 'BEGIN { exit !(s < g) }'; then
    pass "stopped on SIGTERM in ${STOP_SECONDS} s with exit code 0"
  else
    fail "stop took ${STOP_SECONDS} s, exit code $exit_code"
    docker logs --tail 20 "$WEB" 2>&1 | sed 's/^/    /'
  fi
  if docker logs "$WEB" 2>&1 | grep -q 'Traceback'; then
    fail "the server logged a traceback"; docker logs "$WEB" 2>&1 | grep -m1 -A12 Traceback | sed 's/^/    /'
  else
    pass "no traceback in the server's log"
  fi

  preview_task_case
  check_image_contents
}

check_image_contents() {
  log "image contents"
  local cid listing="$WORK/files.txt" hits
  cid=$(docker create --name "$NAME_PREFIX-export" "$IMAGE")
  docker export "$cid" | tar -t >"$listing"
  docker rm "$cid" >/dev/null
  echo "files in the image: $(wc -l <"$listing")"

  hits=$(grep -E '(^|/)\.git/|(^|/)\.env$|(^|/)tests/(unit|integration|e2e|infra)/|test_gunicorn_conf|^(build|opt/uv|root/\.cache|app/src|app/tests)/|(^|/)uv\.lock$|(^|/)run/secrets/|(^|/)id_(rsa|ed25519)' "$listing" || true)
  [[ -z "$hits" ]] && pass "no .git, .env, project tests, sources, build dirs, uv or caches" ||
    fail "unexpected files: $(head -5 <<<"$hits" | tr '\n' ' ')"
  hits=$(grep -E '(^|/)(gcc|cc|g\+\+|make)$|/(pip|uv)$' "$listing" | grep -vE '^usr/local/lib/python' || true)
  [[ -z "$hits" ]] && pass "no compilers, make, pip or uv executables" || fail "build tools: $(tr '\n' ' ' <<<"$hits")"

  # The build-time CA bundle must not have been baked in: the image's bundle is the base's own.
  local base_ca image_ca
  if [[ -n "$BUILD_IMAGE" ]]; then
    base_ca=$(docker run --rm --entrypoint sha256sum "$BASE_IMAGE" /etc/ssl/certs/ca-certificates.crt | cut -d' ' -f1)
    image_ca=$(docker run --rm --entrypoint sha256sum "$IMAGE" /etc/ssl/certs/ca-certificates.crt | cut -d' ' -f1)
    [[ "$base_ca" == "$image_ca" ]] && pass "CA bundle is the base image's (build secret not stored)" ||
      fail "the image's CA bundle differs from the base image's"
  else
    echo "(CA bundle not compared: the base of a given image is not at hand)"
  fi

  local env_and_history
  env_and_history="$(docker image inspect -f '{{json .Config.Env}} {{json .Config.Labels}}' "$IMAGE") $(docker history --no-trunc --format '{{.CreatedBy}}' "$IMAGE")"
  if grep -qiE 'SECRET_KEY=|TMDB_API_KEY=|PASSWORD=|BEGIN [A-Z ]*PRIVATE KEY' <<<"$env_and_history" ||
    grep -qF "$SECRET_KEY" <<<"$env_and_history"; then
    fail "a secret-looking value in the image's env, labels or history"
  else
    pass "no secrets in the image's env, labels or history"
  fi
  [[ "$(docker image inspect -f '{{.Config.User}}' "$IMAGE")" == "10001:10001" ]] &&
    pass "image user is 10001:10001 (numeric)" || fail "image user is not 10001:10001"

  local size venv_kb
  size=$(docker image inspect -f '{{.Size}}' "$IMAGE")
  venv_kb=$(docker run --rm --entrypoint du "$IMAGE" -sk /opt/venv | cut -f1)
  IMAGE_MB=$((size / 1000000))
  VENV_MB=$((venv_kb / 1000))
  echo "image size: $IMAGE_MB MB ($size bytes)${BUILD_IMAGE:+ on the Debian debootstrap base}; /opt/venv: $VENV_MB MB"
  if [[ -n "$BUILD_IMAGE" ]]; then
    echo "estimate on python:3.11-slim-bookworm (~125 MB uncompressed, ~45 MB compressed):" \
      "~$((125 + VENV_MB)) MB uncompressed"
  fi
}

# The pull-request preview's task (infra/terraform/modules/previews/task-definition.json, rendered
# by the script the preview workflow uses): the migrate container, then the web container, each
# with the task's environment, user and read-only root, sharing /tmp (on Fargate the task's
# volume; here a directory on the host's /dev/shm tmpfs, which outlives the migrate container as
# the task's volume does) where the SQLite file lives. Only PORT differs, to stay off 8000.
preview_task_case() {
  log "preview task: the rendered ECS task definition's containers, read-only, /tmp on a tmpfs"
  local td="$WORK/preview-task.json" port=$((PORT + 1))
  printf '%s' '{"name":"netflix-clone-dev","region":"eu-west-1","cluster":"c","domain":"previews.example.com","listener_arn":"l","vpc_id":"v","subnets":["s"],"security_groups":["g"],"execution_role_arn":"arn:aws:iam::123456789012:role/e","task_role_arn":"arn:aws:iam::123456789012:role/t","log_group":"/aws/ecs/p","repository_name":"r","repository_url":"r","secret_prefix":"netflix-clone/dev/previews","capacity_provider":"FARGATE","max_previews":5,"idle_days":3,"container_port":8000}' >"$WORK/preview-config.json"
  PREVIEW_CONFIG_FILE="$WORK/preview-config.json" .github/scripts/preview-task-definition.sh 1 \
    "$(printf '0%.0s' {1..40})" "netflix-clone@sha256:$(printf '0%.0s' {1..64})" \
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:netflix-clone/dev/previews/pr-1/secret-key" >"$td" ||
    { fail "could not render the preview task definition"; return; }
  local user uid gid
  user=$(jq -r '.containerDefinitions[1].user' "$td")
  uid=${user%%:*} gid=${user##*:}
  PREVIEW_TMP=$(mktemp -d /dev/shm/nc-preview-tmp.XXXXXX)
  chown "$uid:$gid" "$PREVIEW_TMP" && chmod 0700 "$PREVIEW_TMP"
  # args CONTAINER_INDEX: docker run options as the task definition sets them (the secret, which
  # ECS injects as an environment variable, passed by name).
  args() {
    jq -r --argjson i "$1" --arg port "$port" '.containerDefinitions[$i]
      | (if .readonlyRootFilesystem then "--read-only" else empty end),
        "--user", .user, "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--network", "host",
        (.environment[] | "-e", (.name + "=" + (if .name == "PORT" then $port else .value end))),
        (.secrets[] | "-e", .name),
        (.mountPoints[] | "--mount", "type=bind,source=" + $tmp + ",target=" + .containerPath)' \
      --arg tmp "$PREVIEW_TMP" "$td"
  }
  local -a migrate web command
  local out rc=0 code ready=""
  mapfile -t migrate < <(args 0)
  mapfile -t web < <(args 1)
  mapfile -t command < <(jq -r '.containerDefinitions[0].command[]' "$td")
  out=$(docker run --rm --name "$NAME_PREFIX-preview-migrate" "${migrate[@]}" "$IMAGE" "${command[@]}" 2>&1) || rc=$?
  [[ $rc -eq 0 ]] && pass "preview migrate container: $(tail -1 <<<"$out")" ||
    { fail "preview migrate container exit $rc: ${out:0:400}"; return; }
  docker run -d --name "$NAME_PREFIX-preview-web" "${web[@]}" "$IMAGE" >/dev/null
  for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/healthz" || true)
    if [[ "$code" == 200 ]]; then ready=1; break; fi
    [[ "$(docker inspect -f '{{.State.Running}}' "$NAME_PREFIX-preview-web")" == true ]] || break
    sleep 0.1
  done
  if [[ -n "$ready" ]]; then
    pass "preview web container: /healthz 200 (APP_ENV=$(jq -r '.containerDefinitions[1].environment[] | select(.name == "APP_ENV") | .value' "$td"), user $user, read-only root)"
  else
    fail "preview web container: /healthz not 200 (last: ${code:-none})"
    docker logs --tail 30 "$NAME_PREFIX-preview-web" 2>&1 | sed 's/^/    /'
    return
  fi
  code=$(curl -s -o "$WORK/body" -w '%{http_code}' --max-time 10 -X POST -H 'Content-Type: application/json' \
    --data '{"email":"reviewer@example.com","password":"Container-test-pass-42","display_name":"Reviewer"}' \
    "http://127.0.0.1:$port/api/users" || echo 000)
  [[ "$code" == 201 ]] && pass "preview web container: sign-up 201 (SQLite on the shared /tmp)" ||
    fail "preview web container: sign-up $code: $(head -c 300 "$WORK/body")"
  docker rm -f "$NAME_PREFIX-preview-web" >/dev/null
}

PREVIEW_TMP=""
READY_SECONDS="-"
STOP_SECONDS="-"
IMAGE_MB="-"
main
log "summary"
echo "image $IMAGE_MB MB | ready ${READY_SECONDS} s after docker run | SIGTERM stop ${STOP_SECONDS} s | total $(elapsed "$STARTED_AT" "$(now)") s"
echo "container-test: $PASSED passed, $FAILED failed"
((FAILED == 0))
