"""Fixtures of the fault suite: private servers, and a table of what each scenario measured.

`make faults` runs this suite alone and prints the table; docs/reliability.md keeps a copy.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.faults.servers import PrivatePostgres, PrivateRedis

ROWS: list[Row] = []
RESULTS_FILE = os.environ.get("FAULTS_RESULTS", "")


@dataclass
class Row:
    fault: str
    requests: int
    statuses: str
    p99_ms: float | None
    lost_writes: int | str
    target: str
    met: bool


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def record() -> Any:
    def add(row: Row) -> None:
        ROWS.append(row)

    return add


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="nc-faults-") as raw:
        path = Path(raw)
        path.chmod(0o755)  # the postgres OS user works beneath it
        yield path


@pytest.fixture(scope="session")
def postgres(workdir: Path) -> Iterator[PrivatePostgres]:
    home = workdir / "pg"
    home.mkdir()
    cluster = PrivatePostgres(home)
    cluster.init()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _table(rows: list[Row]) -> list[str]:
    head = ["fault (10 s under load)", "requests", "statuses", "p99 ms", "lost writes", "target"]
    body = [
        [
            r.fault,
            str(r.requests),
            r.statuses,
            "n/a" if r.p99_ms is None else f"{r.p99_ms:,.0f}",
            str(r.lost_writes),
            ("met: " if r.met else "MISSED: ") + r.target,
        ]
        for r in rows
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return lines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not ROWS:
        return
    terminalreporter.section("fault scenarios")
    for line in _table(ROWS):
        terminalreporter.write_line(line)
    if RESULTS_FILE:
        Path(RESULTS_FILE).write_text(json.dumps([asdict(r) for r in ROWS], indent=2) + "\n")
