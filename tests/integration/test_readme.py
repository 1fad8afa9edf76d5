"""The README's examples run as written: every ```sh block after a `<!-- walkthrough -->`
marker, in order, as one bash session against a live server (demo catalog, fresh database).

They capture ids from the answers, so they must work for a fresh account on any server: here
the account is not user 1 because another member signs up first."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from netflix_clone.core.observability import serve_metrics
from netflix_clone.web.app import create_app
from tests.conftest import Member, test_settings

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"<!-- walkthrough -->\n```sh\n(.*?)```", re.S)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from flask_migrate import upgrade

    from netflix_clone.web.app import MIGRATIONS_DIR

    app = create_app(
        test_settings(
            database_url=f"sqlite:///{tmp_path / 'readme.sqlite3'}",
            instance_path=tmp_path / "instance",
            catalog_source="demo",
        )
    )
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
    Member(app.test_client(), "someone-else@example.com")  # the README's member is not id 1
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    metrics = serve_metrics("127.0.0.1", 0)  # as gunicorn's master serves them
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", f"http://127.0.0.1:{metrics.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        metrics.shutdown()
        metrics.server_close()


def walkthrough() -> str:
    blocks = BLOCK.findall(README.read_text())
    assert len(blocks) >= 6, "the README lost its walkthrough markers"
    return "\n".join(blocks)


def test_the_readme_walkthrough_runs_as_written(server: tuple[str, str], tmp_path: Path) -> None:
    script = tmp_path / "walkthrough.sh"
    # -x: each command is echoed, so a failure shows which example broke
    script.write_text("set -euo pipefail -x\n" + walkthrough())
    result = subprocess.run(
        ["bash", str(script)],
        env={
            "API": server[0],
            "METRICS": server[1],
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout
    assert result.returncode == 0, result.stderr[-4000:]
    assert "This session has ended (signed out or revoked); sign in again." in output
    assert "\n204\n" in output and "\n404\n" in output
    assert "Fight Club" in output  # the search and the gateway's search found it
    assert "Continue Watching" in output and "Because you liked" in output  # browse rows
    assert '"display_name": "Ada L."' in output or '"display_name":"Ada L."' in output


def test_the_readme_uses_no_fixed_ids_and_the_api_field_names() -> None:
    text = README.read_text()
    assert not re.search(r"/api/users/\d+", text), "examples must not assume an account id"
    assert not re.search(r"/profiles/\d+", text), "examples must not assume a profile id"
    assert "cards" not in text.split("## API overview")[1].split("## Deploying")[0]
