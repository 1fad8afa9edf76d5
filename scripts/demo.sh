#!/usr/bin/env bash
# `make demo`: `make run` with a demo member who has already been watching. The embedded
# defaults, whatever the shell has set: SQLite under instance/ (INSTANCE_PATH), the in-process
# cache, the bundled demo catalog. First `netflix-clone demo-seed` (it creates or resets the
# demo account; the app migrates the SQLite file itself, under its lock, before seeding), then
# the server of `make run` in the foreground (Ctrl-C stops it), and once /healthz answers, the
# address and the sign-in. Seeding before serving: nothing races the workers' migrations.
set -euo pipefail

venv=${RUN_VENV:-.venv-run}
port=${PORT:-8000}
url="http://127.0.0.1:${port}/"
export APP_ENV=${APP_ENV:-local} CATALOG_SOURCE=demo
unset DATABASE_URL DATABASE_SECRET_ID DATABASE_IAM_USER REDIS_URL REDIS_IAM_CACHE_NAME \
  TMDB_API_KEY TMDB_SECRET_ID

# The port first: seeding, then failing to serve, would leave a newcomer guessing.
if ! "$venv/bin/python" - "$port" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
then
  echo "make demo: port $port is in use (make run already running?); stop it, or: PORT=8001 make demo" >&2
  exit 1
fi

summary=$("$venv/bin/netflix-clone" demo-seed --url "$url")

# One process polls /healthz and prints the summary once the server answers; it gives up when
# the server (this shell's pid, once it has exec'd into gunicorn) is gone.
DEMO_SUMMARY=$summary "$venv/bin/python" - "${url}healthz" "$$" <<'PY' &
import os, signal, sys, time, urllib.request

signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
url, server = sys.argv[1], int(sys.argv[2])
for _ in range(1200):
    try:
        os.kill(server, 0)
    except OSError:
        sys.exit(0)
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except OSError:
        time.sleep(0.1)
        continue
    print(f"\n{os.environ['DEMO_SUMMARY']}\nCtrl-C stops the server.\n", flush=True)
    break
PY

exec "$venv/bin/gunicorn" -c python:netflix_clone.web.gunicorn_conf --bind "127.0.0.1:${port}" \
  netflix_clone.wsgi:app
