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


def test_home_quick_run_reports_ratios_to_healthz_and_the_scaling_figure(tmp_path: Path) -> None:
    """Issue 15's benchmark on PostgreSQL + Redis: each scenario and each ratio is reported, and
    the scaling members hold exactly the titles asked for (real ones through the API, the rest
    synthetic rows), whatever the figures."""
    import os

    from sqlalchemy.engine import make_url

    from tests.conftest import TEST_POSTGRES_URL, TEST_REDIS_URL

    output = tmp_path / "home.json"
    redis_base = TEST_REDIS_URL.rpartition("/")[0]
    env = {
        **os.environ,
        "BENCH_POSTGRES_URL": make_url(TEST_POSTGRES_URL)
        .set(database="postgres")
        .render_as_string(hide_password=False),
        "BENCH_REDIS_URL": redis_base,
    }
    done = subprocess.run(
        [
            sys.executable,
            "bench/home.py",
            "--quick",
            "--max-requests=0",
            # 60 real titles through the API; the member with 120 gets 60 synthetic ones.
            "--sizes=5,120",
            "--real-titles=60",
            f"--output={output}",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    for text in (
        "GET /healthz",
        "GET /api/movies?list=popular (cache hit)",
        "GET /api/browse warm (issue member)",
        "PUT /api/profile/progress/movie/{id}",
        "ratio: browse / healthz req/s",
        "scaling: browse p50 120 / 5",
    ):
        assert text in done.stdout, text
    result = json.loads(output.read_text())
    assert result["ok"] is True
    loads = [row for row in result["results"] if "requests" in row]
    assert len(loads) == 6
    for row in loads:
        assert row["requests"] > 0, row
        assert row["non2xx"] == 0, row["statuses"]
    browse = next(r for r in loads if r["scenario"] == "GET /api/browse warm (issue member)")
    assert {"Continue Watching", "My List"} <= set(browse["browse_rows"])
    assert any(name.startswith("Because you liked") for name in browse["browse_rows"])
    sizes = {r["size"]: r for r in loads if "size" in r}
    assert (sizes[5]["my_list"], sizes[5]["history"]) == (5, 5)
    assert (sizes[5]["synthetic_list"], sizes[5]["synthetic_history"]) == (0, 0)
    assert (sizes[120]["my_list"], sizes[120]["history"]) == (120, 120)
    assert sizes[120]["synthetic_history"] == 120 - 60
    ratios = result["ratios"]
    for name in (
        "movies_vs_healthz_rps",
        "browse_vs_healthz_rps",
        "browse_vs_healthz_p99",
        "heartbeat_vs_healthz_rps",
        "browse_scaling_p50",
    ):
        assert ratios[name] > 0, name
        assert isinstance(ratios["met"][name], bool), name
    assert ratios["catalog_titles"]["movies"] > 100
