"""`make run` as a newcomer types it: a runtime-only environment that serves the API.

The environment is built by the real Makefile target into a temporary folder (RUN_VENV), the
server is the real gunicorn command of `make run` on a free port, and the environment is then
inspected: none of the dev toolchain may be in it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.waiting import free_port

REPO = Path(__file__).resolve().parents[2]
DEV_ONLY = ("pytest", "mypy", "ruff", "playwright", "moto", "schemathesis", "xdist")
RUNTIME = ("flask", "gunicorn", "sqlalchemy", "psycopg", "redis", "httpx", "boto3", "click")


def test_make_run_serves_from_an_environment_without_dev_tools(tmp_path: Path) -> None:
    venv = tmp_path / "venv-run"
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))},
        "RUN_VENV": str(venv),
        "PORT": str(port),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WEB_CONCURRENCY": "1",
        "CATALOG_SOURCE": "auto",
    }
    env.pop("TMDB_API_KEY", None)
    env.pop("APP_ENV", None)
    log = (tmp_path / "make-run.log").open("w")
    server = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"RUN_VENV={venv}"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole below
    )
    try:
        deadline = time.monotonic() + 240
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = (r.status, r.read())
                    break
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "make-run.log").read_text()
        assert health == (200, b'{"status":"ok"}'), output[-3000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=5) as r:
            assert b"swagger-ui" in r.read()
        assert "--no-dev" in output  # the sync that `make run` performed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()

    probe = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.util, sys; "
            "print(' '.join(n for n in sys.argv[1:] if importlib.util.find_spec(n)))",
            *DEV_ONLY,
            *RUNTIME,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    present = set(probe.stdout.split())
    assert present & set(DEV_ONLY) == set(), present
    assert set(RUNTIME) <= present
    assert not (venv / "bin" / "pytest").exists() and not (venv / "bin" / "mypy").exists()
    assert (venv / "bin" / "netflix-clone").exists()
