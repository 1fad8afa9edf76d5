# Production image of the netflix-clone API (gunicorn + Flask). See docs/container.md.
#
# Build (BuildKit):  docker build -t netflix-clone .
# Where TLS to PyPI goes through a proxy with its own CA, hand the CA bundle in as a build
# secret; it is mounted only for the RUN steps that download and never lands in a layer:
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t netflix-clone .
#
# Base: the official python:3.11-slim-bookworm, pinned to its multi-arch index digest (Python
# 3.11.16). Source of the digest: public Dockerfiles and notes that pin it, one of them recording
# Docker Hub's tags API answering this digest for library/python:3.11-slim-bookworm on
# 2026-09-21, another cross-checking it against docker-library/repo-info. Bump it deliberately.
# Offline test builds pass --build-arg BASE_IMAGE=<a local Debian bookworm image with python3>
# (scripts/container-test.sh); everything below works with /usr/local/bin/python3 (official)
# and /usr/bin/python3 (Debian) alike.
ARG BASE_IMAGE=python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b

# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS builder

# Same pin as scripts/tools.sh.
ARG UV_VERSION=0.13.9

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3 \
    UV_PROJECT_ENVIRONMENT=/opt/venv

WORKDIR /build

# uv lives in its own throw-away venv: a build tool, never part of the runtime image.
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --no-cache-dir "uv==${UV_VERSION}"

# Dependencies first (exactly as locked), so code changes reuse this layer.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
    && /opt/uv/bin/uv sync --frozen --no-dev --no-install-project

# Then the project itself, as a regular (non-editable) install: the image needs no source tree.
COPY src ./src
RUN --mount=type=secret,id=ca,required=false \
    if [ -s /run/secrets/ca ]; then export SSL_CERT_FILE=/run/secrets/ca; fi \
    && /opt/uv/bin/uv sync --frozen --no-dev --no-editable \
    && /opt/venv/bin/python -c "import netflix_clone.web.gunicorn_conf" \
    && chmod -R a-w /opt/venv

# ---------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime

ARG VCS_REF=unknown
ARG BUILD_DATE=unknown
ARG VCS_URL=unknown

LABEL org.opencontainers.image.title="netflix-clone" \
      org.opencontainers.image.description="Netflix-style JSON API: accounts, profiles, My List, ratings and a TMDB-backed movie catalog" \
      org.opencontainers.image.source="${VCS_URL}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.revision="${VCS_REF}" \
      org.opencontainers.image.created="${BUILD_DATE}"

# APP_ENV=prod: safe by default. The app then refuses to start without SECRET_KEY or
# SECRET_KEY_SECRET_ID (and a real DATABASE_URL); compose sets APP_ENV=local for development.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=prod \
    PORT=8000

# Owned by root and not writable (chmod'ed in the builder; COPY keeps the modes): the app user
# cannot change its own code. The root file system may be mounted read-only: gunicorn and the
# Prometheus multiprocess files only need /tmp (a tmpfs / emptyDir) and /dev/shm.
COPY --from=builder /opt/venv /opt/venv

WORKDIR /app

# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd entry.
USER 10001:10001

# 8000: the API (public, behind the load balancer); 9100: Prometheus metrics for the in-cluster
# scraper only (METRICS_PORT).
EXPOSE 8000 9100

# Liveness only (no I/O behind /healthz); python instead of curl: nothing extra in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# gunicorn is PID 1: SIGTERM (docker stop, Kubernetes) starts its graceful shutdown.
# Migrations are a separate run of the same image: `docker run IMAGE netflix-clone migrate`.
CMD ["gunicorn", "-c", "python:netflix_clone.web.gunicorn_conf", "netflix_clone.wsgi:app"]
