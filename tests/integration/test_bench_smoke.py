"""The benchmark harness works end to end: gunicorn starts, wrk loads it, figures come out.

Speed is not asserted (design §7); only that a short run measured real, successful requests
and stopped its server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_api_basics_quick_run_prints_and_saves_figures(tmp_path: Path) -> None:
    output = tmp_path / "api_basics.json"
    done = subprocess.run(
        [
            sys.executable,
            "bench/api_basics.py",
            "--quick",
            "--db",
            "sqlite",
            # Recycling a worker mid-run (max_requests) can leave a 2 s window with no answers;
            # the smoke run proves the harness, so it keeps its workers.
            "--max-requests=0",
            f"--output={output}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "req/s" in done.stdout
    assert "GET /healthz [sqlite]" in done.stdout
    assert "GET /api/users/me [sqlite]" in done.stdout
    result = json.loads(output.read_text())
    assert result["ok"] is True
    assert result["host"]["note"].startswith(f"{result['host']['cpus']} CPU cores shared")
    rows = {row["scenario"]: row for row in result["results"]}
    assert set(rows) == {"GET /healthz [sqlite]", "GET /api/users/me [sqlite]"}
    for row in rows.values():
        assert row["requests"] > 0
        assert row["rps"] > 0
        assert row["non2xx"] == 0, row["statuses"]
        assert 0 < row["p50_ms"] <= row["p99_ms"]
