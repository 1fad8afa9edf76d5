"""Private servers for the fault suite: a PostgreSQL cluster, a Redis and the app under gunicorn,
each on a free loopback port, each ours to stop, freeze and restart.

The machine's shared PostgreSQL and Redis are never touched: the cluster is made with `initdb`
from the PostgreSQL packages (as the `postgres` OS user when we are root), Redis is a
`redis-server` child process.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

from tests.waiting import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


class SetupError(Exception):
    """A fault test can't start its own servers; the message says what is missing."""


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise SetupError("initdb not found: install PostgreSQL's server package (postgresql)")


def _pids(root: int) -> list[int]:
    """`root` and all its descendants (the postmaster and its backends)."""
    pids = [root]
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        with contextlib.suppress(OSError):
            pids.extend(int(p) for p in children.read_text().split())
    return pids


class PrivateRedis:
    def __init__(self, workdir: Path) -> None:
        if not shutil.which("redis-server"):
            raise SetupError("redis-server not found: apt-get install redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._workdir = workdir
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self._workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_until(self._answers, timeout=15):
            raise SetupError(f"redis-server did not start on port {self.port}")

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        assert self._proc is not None
        self._proc.kill()
        self._proc.wait(timeout=10)

    def freeze(self) -> None:
        assert self._proc is not None
        os.kill(self._proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._proc is not None
        os.kill(self._proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._proc.pid, signal.SIGCONT)
            self._proc.kill()
            self._proc.wait(timeout=10)


class PrivatePostgres:
    """A throwaway cluster: trust auth, fsync off (it is thrown away), its own port."""

    def __init__(self, workdir: Path) -> None:
        self._bin = _pg_bin()
        self.port = free_port()
        self.datadir = workdir / "pgdata"
        self._log = workdir / "postgres.log"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise SetupError(
                    "running as root needs the 'postgres' OS user for initdb"
                ) from None
            runuser = shutil.which("runuser")
            if not runuser:
                raise SetupError("runuser not found (util-linux)")
            self._as_postgres = [runuser, "-u", "postgres", "--"]
            shutil.chown(workdir, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as_postgres, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise SetupError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def init(self) -> None:
        self._run(
            str(self._bin / "initdb"),
            "-D",
            str(self.datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")

    def dsn(self, database: str = "faults") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir.parent} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            str(self._bin / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-o",
            options,
            "-l",
            str(self._log),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self.thaw()
        self._run(str(self._bin / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop")

    def _postmaster(self) -> int:
        return int((self.datadir / "postmaster.pid").read_text().split()[0])

    def freeze(self) -> None:
        for pid in _pids(self._postmaster()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            for pid in _pids(self._postmaster()):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def destroy(self) -> None:
        with contextlib.suppress(SetupError):
            self.stop("immediate")


@dataclass
class App:
    base_url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    metrics_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_app(env: Mapping[str, str], workdir: Path) -> Iterator[App]:
    """The app under gunicorn with the production config, on a free port; migrated first."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("TMDB_", "DATABASE_"))}
    prometheus = Path(tempfile.mkdtemp(prefix="prom-", dir=workdir))
    full.update(
        {
            "APP_ENV": "test",
            "INSTANCE_PATH": str(workdir / "instance"),
            "PROMETHEUS_MULTIPROC_DIR": str(prometheus),
            "PYTHONUNBUFFERED": "1",
            # The load comes from one address and one account: the limits are not what is tested.
            "LOGIN_LIMIT_PER_IP": "1000000",
            "LOGIN_LIMIT_PER_ACCOUNT": "1000000",
            "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "1000000",
            "CHECKS_LIMIT_PER_SESSION": "1000000",
            "REFRESH_LIMIT_PER_FAMILY": "1000000",
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "1000000",
            "METRICS_PORT": str(free_port()),
        }
    )
    full.update(env)
    log_path = workdir / f"app-{free_port()}.log"
    with log_path.open("ab") as log:
        migrate = subprocess.run(
            [str(VENV_BIN / "netflix-clone"), "migrate"],
            env=full,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
        if migrate.returncode != 0:
            raise SetupError(f"migration failed:\n{log_path.read_text()[-2000:]}")
        port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            "python:netflix_clone.web.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "netflix_clone.wsgi:app",
        ]
        proc = subprocess.Popen(
            command,
            env=full,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        metrics = f"http://127.0.0.1:{full['METRICS_PORT']}/metrics"
        app = App(f"http://127.0.0.1:{port}", proc, log_path, metrics)
        try:
            if not wait_until(lambda: _ready(app), timeout=60):
                raise SetupError(f"the app did not become ready:\n{app.log()[-3000:]}")
            yield app
        finally:
            stop_app(app)


def _ready(app: App) -> bool:
    if app.proc.poll() is not None:
        raise SetupError(f"gunicorn exited with {app.proc.returncode}:\n{app.log()[-3000:]}")
    try:
        return httpx.get(app.url("/readyz"), timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def stop_app(app: App) -> None:
    if app.proc.poll() is not None:
        return
    app.proc.send_signal(signal.SIGTERM)
    try:
        app.proc.wait(timeout=45)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(app.proc.pid, signal.SIGKILL)
        app.proc.wait(timeout=10)
