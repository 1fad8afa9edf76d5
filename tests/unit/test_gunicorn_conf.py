"""The gunicorn config takes its settings from the environment and prepares Prometheus' files."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

TUNING_VARS = (
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_ACCESS_LOG",
    "FORWARDED_ALLOW_IPS",
    "LOG_LEVEL",
    "PROMETHEUS_MULTIPROC_DIR",
)


def load_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    for name in TUNING_VARS:
        # setenv first so that monkeypatch restores the variable even if it was unset (the
        # config's on_starting sets PROMETHEUS_MULTIPROC_DIR itself).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    # on_starting may switch prometheus_client to multiprocess values: undo that after the test.
    from prometheus_client import values

    monkeypatch.setattr(values, "ValueClass", values.ValueClass)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import netflix_clone.web.gunicorn_conf as conf

    return importlib.reload(conf)


def test_defaults_suit_a_small_container(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_conf(monkeypatch)

    assert conf.bind == "0.0.0.0:8000"
    assert conf.workers == 2
    assert conf.worker_class == "netflix_clone.web.gunicorn_worker.DrainingThreadWorker"
    assert conf.threads == 8
    assert (conf.timeout, conf.graceful_timeout) == (30, 30)
    assert conf.keepalive > 60  # the ALB's idle timeout
    assert (conf.max_requests, conf.max_requests_jitter) == (5000, 1000)
    assert conf.accesslog is None
    assert conf.errorlog == "-"
    assert conf.forwarded_allow_ips == "127.0.0.1"
    assert conf.preload_app is False
    assert conf.worker_tmp_dir in {"/dev/shm", "/tmp"}


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_conf(
        monkeypatch,
        PORT="18080",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="8",
        GUNICORN_ACCESS_LOG="1",
        FORWARDED_ALLOW_IPS="10.0.96.10,10.0.97.10",
        LOG_LEVEL="WARNING",
    )

    assert conf.bind == "0.0.0.0:18080"
    assert conf.workers == 3
    assert conf.threads == 8
    assert conf.accesslog == "-"
    assert conf.forwarded_allow_ips == "10.0.96.10,10.0.97.10"
    assert conf.loglevel == "warning"


@pytest.mark.parametrize(
    ("name", "value"), [("WEB_CONCURRENCY", "two"), ("GUNICORN_THREADS", "0"), ("PORT", "-1")]
)
def test_rejects_nonsense_with_the_variable_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    with pytest.raises(ValueError, match=name):
        load_conf(monkeypatch, **{name: value})


def test_every_setting_is_one_gunicorn_knows(monkeypatch: pytest.MonkeyPatch) -> None:
    """gunicorn ignores unknown names silently: a typo would never take effect."""
    conf = load_conf(monkeypatch)
    # Imported by name: gunicorn ships no type information.
    gunicorn_config = importlib.import_module("gunicorn.config")
    known = {setting.name for setting in gunicorn_config.KNOWN_SETTINGS}
    settings = {
        name
        for name, value in vars(conf).items()
        if not name.startswith("_")
        and name.islower()
        and name != "annotations"  # from __future__
        and not isinstance(value, ModuleType)
        and not isinstance(value, type)
    }

    assert settings - known == set()
    assert ("control_socket_disable" in settings) == ("control_socket_disable" in known)


def test_json_access_log_format_renders_valid_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    conf = load_conf(monkeypatch, GUNICORN_ACCESS_LOG="1")
    atoms = {
        "t": "[26/Nov/2026:09:00:00 +0000]",
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/api/movies",
        "q": "list=popular",
        "s": "200",
        "B": "123",
        "D": "4567",
        "{x-request-id}o": "abc",
        "a": "curl/8",
    }

    assert json.loads(conf.access_log_format % atoms)["status"] == 200


def test_on_starting_sets_and_empties_the_prometheus_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stale = tmp_path / "counter_123.db"
    stale.write_bytes(b"old")
    conf = load_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))

    conf.on_starting(server=None)

    assert list(tmp_path.iterdir()) == []


def test_on_starting_makes_a_fresh_dir_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = load_conf(monkeypatch)

    conf.on_starting(server=None)

    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        assert made.is_dir()
        assert list(made.iterdir()) == []
    finally:
        made.rmdir()


def test_child_exit_drops_the_dead_workers_live_gauges(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dead, alive = tmp_path / "gauge_livesum_4242.db", tmp_path / "gauge_livesum_4343.db"
    dead.write_bytes(b"")
    alive.write_bytes(b"")
    conf = load_conf(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))

    conf.child_exit(server=None, worker=SimpleNamespace(pid=4242))

    assert not dead.exists()
    assert alive.exists()


def test_a_network_in_forwarded_allow_ips_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # gunicorn itself takes addresses only: a CIDR used to crash-loop the pods with a bare error.
    with pytest.raises(ValueError, match="not a network"):
        load_conf(monkeypatch, FORWARDED_ALLOW_IPS="10.30.0.0/16")
    assert load_conf(monkeypatch, FORWARDED_ALLOW_IPS="*").forwarded_allow_ips == "*"


def test_a_worker_freezes_what_the_app_built_at_boot(tmp_path: Path) -> None:
    # In a child process: freezing this one would keep every later test's garbage.
    script = f"""
import gc, json
from netflix_clone.web import gunicorn_conf
from netflix_clone.web.app import create_app
from tests.conftest import test_settings
create_app(test_settings(
    database_url="sqlite:///{tmp_path}/app.sqlite3", instance_path="{tmp_path}/instance",
    catalog_source="demo",
))
before = len(gc.get_objects())
gunicorn_conf.post_worker_init(None)
print(json.dumps({{"before": before, "after": len(gc.get_objects()),
                   "frozen": gc.get_freeze_count()}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    # The demo catalog alone is over 100,000 objects; a full collection no longer walks them.
    assert counts["frozen"] > 100_000
    assert counts["after"] < counts["before"] / 4
