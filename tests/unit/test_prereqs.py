"""`make test` names what is missing before it starts: one line each, with the install command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check-prereqs.sh"
BASICS = ("bash", "sort", "head", "sed", "cut")
LINE = re.compile(r"^missing: (?P<what>.+) -> (?P<how>.+)$")


def bin_dir(tmp_path: Path, stubs: dict[str, str]) -> Path:
    """A PATH holding only the shell basics and the given stub commands (name -> stdout)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in BASICS:
        real = shutil.which(name)
        assert real, name
        (bindir / name).symlink_to(real)
    for name, output in stubs.items():
        stub = bindir / name
        stub.write_text(f"#!/bin/sh\necho '{output}'\n")
        stub.chmod(0o755)
    return bindir


def run(
    tmp_path: Path, stubs: dict[str, str], scope: str = "all", **env: str
) -> subprocess.CompletedProcess[str]:
    bindir = bin_dir(tmp_path, stubs)
    base = {
        "PATH": str(bindir),
        # The interpreter itself, not a shim that needs the PATH this test takes away.
        "PYTHON": str(Path(sys.base_prefix) / "bin" / "python3"),
        "CHROMIUM": str(tmp_path / "no-chromium"),
        "TF_PLUGIN_MIRROR": str(tmp_path / "no-mirror"),
        "PG_INITDB_GLOB": str(tmp_path / "no-postgresql" / "*" / "initdb"),
        "TEST_POSTGRES_URL": "postgresql+psycopg://elsewhere/test",
        "TEST_REDIS_URL": "redis://elsewhere/0",
        "HOME": str(tmp_path),
    }
    base.update(env)
    return subprocess.run(
        ["bash", str(SCRIPT), scope],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def missing(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("prerequisites: ") and "missing" in lines[-1], result.stderr
    found = {}
    for line in lines[:-1]:
        match = LINE.match(line)
        assert match, f"not one line per missing thing: {line!r}"
        found[match["what"].split(" ")[0]] = match["how"]
    return found


def everything(tmp_path: Path) -> dict[str, str]:
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    provider = (
        tmp_path
        / "mirror/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64"
        / "terraform-provider-aws_v5.100.0_x5"
    )
    provider.parent.mkdir(parents=True)
    provider.write_text("")
    return {"CHROMIUM": str(chromium), "TF_PLUGIN_MIRROR": str(tmp_path / "mirror")}


STUBS = {
    "terraform": "Terraform v1.11.4",
    "kubectl": "v1.33.0",
    "shellcheck": "0.9.0",
    "wrk": "wrk 4.1.0",
    "pg_isready": "ok",
    "redis-cli": "PONG",
    "initdb": "initdb (PostgreSQL) 15",
    "redis-server": "Redis server v=7",
}


def test_a_bare_machine_gets_one_line_per_missing_thing(tmp_path: Path) -> None:
    result = run(tmp_path, {}, TEST_POSTGRES_URL="", TEST_REDIS_URL="")
    assert result.returncode == 1
    found = missing(result)
    assert set(found) == {
        "pg_isready",
        "redis-cli",
        "Chromium",
        "wrk",
        "shellcheck",
        "terraform",
        "the",  # the hashicorp/aws provider in the mirror
        "kubectl",
        "initdb",
        "redis-server",
    } | ({"PostgreSQL"} if not _answers(5432) else set()) | (
        {"Redis"} if not _answers(6379) else set()
    )
    assert found["Chromium"] == "apt-get install -y chromium"
    assert found["shellcheck"] == "apt-get install -y shellcheck"
    assert found["pg_isready"] == "apt-get install -y postgresql-client"
    assert "releases.hashicorp.com/terraform" in found["terraform"]
    assert "terraform providers mirror" in found["the"]
    assert "make deps" in result.stderr.splitlines()[-1]


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_everything_present_passes(tmp_path: Path) -> None:
    result = run(tmp_path, STUBS, **everything(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "prerequisites: ok (all)"
    assert result.stderr == ""


def test_an_old_terraform_is_named_with_its_version(tmp_path: Path) -> None:
    result = run(tmp_path, {**STUBS, "terraform": "Terraform v1.9.8"}, **everything(tmp_path))
    assert result.returncode == 1
    assert list(missing(result)) == ["terraform"]
    assert "terraform >= 1.10 (found 1.9.8)" in result.stderr


@pytest.mark.parametrize("scope", ["app", "all"])
def test_the_app_scope_needs_no_infrastructure_tools(tmp_path: Path, scope: str) -> None:
    infra = ("terraform", "kubectl", "shellcheck", "initdb", "redis-server")
    stubs = {k: v for k, v in STUBS.items() if k not in infra}
    result = run(tmp_path, stubs, scope, CHROMIUM=everything(tmp_path)["CHROMIUM"])
    if scope == "app":
        assert result.returncode == 0, result.stderr
    else:
        assert set(missing(result)) == {
            "terraform",
            "kubectl",
            "shellcheck",
            "the",
            "initdb",
            "redis-server",
        }


def test_make_test_checks_prerequisites_before_anything_else() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    commands = [line for line in dry.stdout.splitlines() if line.strip()]
    assert "check-prereqs.sh all" in commands[0]
    assert any("-m faults tests/faults" in line for line in commands)
    assert any("--durations=15" in line for line in commands)
