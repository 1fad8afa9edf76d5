"""schemathesis against the running app's own /openapi.json, over a real socket, fixed seed.

Checks everything except `positive_data_acceptance`: some valid-by-schema inputs are refused by
rules a JSON schema cannot state (a common password, an unknown genre name), with a documented
4xx. Any 5xx or any response that breaks the spec fails the test.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from netflix_clone.app import create_app
from tests.conftest import Member, test_settings
from tests.integration.test_profiles import profile_headers, profiles

SCHEMATHESIS = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "schemathesis"


@pytest.fixture
def live_app(database_urls: dict[str, str], tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    # Generous limits: the fuzzer signs in far more often than a person would.
    app = create_app(
        test_settings(
            database_url=database_urls["postgres"],
            instance_path=tmp_path,
            login_limit_per_ip=100_000,
            login_limit_per_account=100_000,
            login_limit_per_account_per_day=100_000,
            signup_limit_per_ip=100_000,
        )
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    from tests.conftest import _wipe

    _wipe(app)


def test_the_api_honours_its_own_spec(live_app: tuple[Flask, str], tmp_path: Path) -> None:
    app, base = live_app
    client = app.test_client()
    member = Member(client, "fuzz@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    client.put("/api/profile/list/550", headers=headers)
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15")
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--exclude-checks",
            # ensure_resource_availability: a sign-up (POST /api/users) creates an account that
            # the fuzzer's fixed token, another member's, must not see: 404 by design.
            "positive_data_acceptance,ensure_resource_availability",
            "--seed",
            "20261126",
            "--max-examples",
            examples,
            "--header",
            f"Authorization: {headers['Authorization']}",
            "--request-timeout",
            "30",
            "--workers",
            "2",
            "--max-failures",
            "20",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-120:])
    print(tail)  # the run summary, shown with -s and in CI logs on failure
    assert result.returncode == 0, tail
    assert " passed" in result.stdout or "Test cases:" in result.stdout, tail
