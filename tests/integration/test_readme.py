"""What the README shows is what the code does, so its samples cannot go stale.

- The API examples of docs/api.md, then the gateway's of docs/gateway.md (every ```sh block after
  a `<!-- walkthrough -->` marker, in order) run as written, as one bash session against a live
  server (demo catalog, fresh database). They capture ids from the answers, so they must work for
  a fresh account on any server: here the account is not user 1 because another member signs up
  first.
- The README's command outputs are produced here and compared: the `check` sample (after
  `<!-- check -->`), each `curl ... # {json}` line, and each request after `<!-- answer -->` with
  the ```json block that follows it. The README shows no other output.
- The configuration table names only variables the code reads, with their real defaults; the make
  targets, the CLI's commands and the demo sign-in it names exist.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from netflix_clone.core.observability import serve_metrics
from netflix_clone.core.settings import Settings, check_secret_key
from netflix_clone.web.app import create_app
from tests.conftest import Member, migrate, test_settings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
WALKTHROUGHS = (ROOT / "docs" / "api.md", ROOT / "docs" / "gateway.md")
BLOCK = re.compile(r"<!-- walkthrough -->\n```sh\n(.*?)```", re.S)
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
CHECK = re.compile(r"<!-- check -->\n```sh\n(.*?)```", re.S)
ANSWER = re.compile(r"<!-- answer -->\n```sh\n(.*?)```\n\n```json\n(.*?)```", re.S)
# `curl -s localhost:8000/PATH   # {...}`: the comment starts with the answer's JSON
INLINE = re.compile(r"^(curl -s localhost:8000\S*)\s+# ([\[{].*)$", re.M)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path / 'readme.sqlite3'}"
    migrate(url, tmp_path / "instance")
    app = create_app(
        test_settings(database_url=url, instance_path=tmp_path / "instance", catalog_source="demo")
    )
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


def bash(script: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "sample.sh"
    # -x: each command is echoed, so a failure shows which example broke
    path.write_text("set -euo pipefail -x\n" + script)
    return subprocess.run(
        ["bash", str(path)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def on(api: str, command: str) -> str:
    """A README command as written for `make run`, sent to the test server instead."""
    return command.replace("localhost:8000", api.removeprefix("http://"))


def walkthrough() -> str:
    blocks = [block for doc in WALKTHROUGHS for block in BLOCK.findall(doc.read_text())]
    assert len(blocks) >= 7, "docs/api.md or docs/gateway.md lost its walkthrough markers"
    return "\n".join(blocks)


def test_the_api_walkthrough_runs_as_written(server: tuple[str, str], tmp_path: Path) -> None:
    result = bash(walkthrough(), tmp_path, API=server[0], METRICS=server[1])
    output = result.stdout
    assert result.returncode == 0, result.stderr[-4000:]
    assert "This session has ended (signed out or revoked); sign in again." in output
    assert "\n204\n" in output and "\n404\n" in output
    assert "Fight Club" in output  # the search and the gateway's search found it
    assert "Continue Watching" in output and "Because you liked" in output  # browse rows
    assert '"display_name": "Ada L."' in output or '"display_name":"Ada L."' in output
    # the answers the examples state in their comments (a `curl -s` answer has no newline)
    for shown in ("0.15", "TV-MA", "Winter Is Coming", "Game of Thrones"):
        assert re.search(rf"[\n}}]{re.escape(shown)}\n", output), (shown, output)


def test_the_examples_use_no_fixed_ids_and_the_api_field_names() -> None:
    for doc in (README, WALKTHROUGHS[0]):
        text = doc.read_text()
        assert not re.search(r"/api/users/\d+", text), "examples must not assume an account id"
        assert not re.search(r"/profiles/\d+", text), "examples must not assume a profile id"
    assert "cards" not in WALKTHROUGHS[0].read_text()


# --- the README's command outputs -------------------------------------------------------------


def test_the_readme_shows_only_outputs_this_module_checks() -> None:
    text = README.read_text()
    assert len(CHECK.findall(text)) == 1, "the `check` sample lost its <!-- check --> marker"
    answers = ANSWER.findall(text)
    assert answers, "the problem+json sample lost its <!-- answer --> marker"
    # every JSON block is an answer checked below; no other fence shows output
    assert [lang for lang, _ in FENCE.findall(text) if lang == "json"] == ["json"] * len(answers)
    assert not [lang for lang, _ in FENCE.findall(text) if lang not in ("sh", "json", "")]


def check_env(tmp_path: Path) -> dict[str, str]:
    """`make run`'s embedded defaults: nothing the settings read comes from the caller."""
    fields = set(Settings.model_fields)
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in fields and not k.startswith(("AWS_", "TEST_", "PROMETHEUS_"))
    }
    env["HOME"] = str(tmp_path)
    return env


def test_the_readme_check_sample_is_what_check_prints(tmp_path: Path) -> None:
    (sample,) = CHECK.findall(README.read_text())
    command, *shown = sample.strip().splitlines()
    assert command == ".venv-run/bin/netflix-clone check"
    cli = [sys.executable, "-m", "netflix_clone.cli"]
    env = check_env(tmp_path)
    # `make run` migrates the embedded SQLite file before it serves; so does this
    for args in (["migrate"], ["check"]):
        result = subprocess.run(
            [*cli, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    printed = result.stdout.replace(str(tmp_path.resolve()), "/...")

    def same(lines: list[str]) -> list[str]:
        return [re.sub(r"\(\d+ ms\)", "(N ms)", line.rstrip()) for line in lines]

    expected = same([line.removeprefix("# ") for line in shown])
    assert same(printed.splitlines()) == expected, "the README's `check` sample is stale:\n" + (
        "\n".join(f"# {line}" for line in printed.splitlines())
    )
    versions = ROOT / "src" / "netflix_clone" / "migrations" / "versions"
    head = max(p.stem for p in versions.glob("[0-9]*.py"))
    assert f"({head})" in sample, f"the sample's migration is not the head, {head}"


def test_the_readme_answers_are_the_servers(server: tuple[str, str], tmp_path: Path) -> None:
    text = README.read_text()
    lines = INLINE.findall(text)
    assert lines, "the quick start lost its `curl -s localhost:8000/healthz  # {...}` line"
    for command, comment in lines:
        shown, _ = json.JSONDecoder().raw_decode(comment)
        result = bash(on(server[0], command), tmp_path)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == shown, command
    for command, body in ANSWER.findall(text):
        shown = json.loads(body)
        result = bash(on(server[0], command), tmp_path)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        if "request_id" in shown:  # a new one each time: the README shows its first characters
            assert shown.pop("request_id").endswith("...")
            assert re.fullmatch(r"[0-9a-f]{32}", answer.pop("request_id"))
        assert answer == shown, f"README shows {body}; the server answers {result.stdout}"


def test_the_catalog_says_which_source_served_it(server: tuple[str, str]) -> None:
    import httpx

    answer = httpx.get(f"{server[0]}/api/movies?list=popular")
    assert answer.json()["source"] == "demo"
    assert answer.headers["X-Catalog-Source"] == "demo"


# --- configuration, targets, commands ---------------------------------------------------------


def config_rows() -> list[tuple[list[str], str, str]]:
    section = README.read_text().partition("## Configuration")[2].partition("\n## ")[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            names, meaning, default = (cell.strip() for cell in line.strip("|").split(" | "))
            rows.append((re.findall(r"`([A-Z0-9_]+)`", names), meaning, default))
    assert len(rows) >= 20, "the configuration table is gone"
    return rows


def gunicorn_default(name: str) -> str | None:
    """The default gunicorn_conf.py reads NAME with, or None when it does not read it."""
    source = (ROOT / "src/netflix_clone/web/gunicorn_conf.py").read_text()
    found = re.search(rf"_env_int\(\s*[\"']{name}[\"'],\s*(\d+)", source) or re.search(
        rf"environ\.get\(\s*[\"']{name}[\"'],\s*[\"']([^\"']*)[\"']", source
    )
    return found.group(1) if found else None


def field_default(name: str) -> object:
    field = Settings.model_fields[name.lower()]
    return field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]


def _tmdb_images() -> bool:
    def images(**values: typing.Any) -> str:
        return Settings(app_env="test", tmdb_image_base_url="", **values).tmdb_image_base_url

    return (
        images(catalog_source="demo") == "/images/t/p"
        and images(catalog_source="tmdb", tmdb_api_key="0" * 32) == "https://image.tmdb.org/t/p"
    )


def _dev_secret_key() -> bool:
    from netflix_clone.core.settings import DEV_SECRET_KEY

    with pytest.raises(ValueError, match="placeholder"):
        check_secret_key(DEV_SECRET_KEY, "prod")
    check_secret_key(DEV_SECRET_KEY, "local")
    return field_default("SECRET_KEY") is None


# Defaults the table states in words, each with the check that the words are true.
PROSE_DEFAULTS: dict[str, Callable[[], bool]] = {
    "DATABASE_URL": lambda: (
        field_default("DATABASE_URL") is None and field_default("INSTANCE_PATH") == Path("instance")
    ),
    "SECRET_KEY": _dev_secret_key,
    "GATEWAY_IMAGE_BASE_URL": lambda: field_default("GATEWAY_IMAGE_BASE_URL") is None,
    "TMDB_IMAGE_BASE_URL": _tmdb_images,
}


def test_the_configuration_table_is_what_the_code_reads() -> None:
    prose = set()
    for names, meaning, default in config_rows():
        shown = re.findall(r"`([^`]*)`", default)
        literal = bool(shown) and default == ", ".join(f"`{value}`" for value in shown)
        for i, name in enumerate(names):
            in_settings = name.lower() in Settings.model_fields
            assert in_settings or gunicorn_default(name) is not None, (
                f"the README names {name}, which neither settings.py nor gunicorn_conf.py reads"
            )
            real = field_default(name) if in_settings else gunicorn_default(name)
            if literal:
                assert str(real) == shown[min(i, len(shown) - 1)], (name, default, real)
            elif re.match(r"(unset|none)\b", default):
                assert real is None or real == [], (name, default, real)
            else:
                prose.add(name)
                assert name in PROSE_DEFAULTS, f"{name}: no check for the default {default!r}"
                assert PROSE_DEFAULTS[name](), (name, default)
            if in_settings:  # the choices of an enumerated setting
                choices = typing.get_args(Settings.model_fields[name.lower()].annotation)
                if choices and all(isinstance(choice, str) for choice in choices):
                    assert set(re.findall(r"`([^`]*)`", meaning)) == set(choices), name
    assert prose == set(PROSE_DEFAULTS)


def test_the_readme_names_make_targets_that_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z0-9][a-z0-9-]*):", makefile, re.M))
    named = set(re.findall(r"`make ([a-z0-9][a-z0-9-]*)", README.read_text()))
    assert {"run", "demo", "test", "deps"} <= named
    assert named <= targets, sorted(named - targets)


def test_the_readme_test_instruction_is_one_command() -> None:
    section = README.read_text().partition("## Test\n")[2].partition("\n## ")[0]
    first = FENCE.search(section)
    assert first and first.group(2) == "make test\n"
    recipe = re.search(r"^prereqs:.*\n\t(.*)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe and "--install" in recipe.group(1)


def test_the_commands_and_the_demo_sign_in_exist() -> None:
    from netflix_clone.cli import cli
    from netflix_clone.demo import DEMO_EMAIL, DEMO_PASSWORD

    text = README.read_text()
    assert f"`{DEMO_EMAIL}`, password `{DEMO_PASSWORD}`" in text
    development = (ROOT / "docs" / "development.md").read_text()
    table = set(re.findall(r"^\| `netflix-clone ([a-z][a-z-]*)", development, re.M))
    assert table == set(cli.commands), "docs/development.md's command table"
    for name in re.findall(r"`(check|migrate|create-admin|seed|demo-seed)`", text):
        assert name in cli.commands
