"""The documentation stands alone in a clone and agrees with the code it describes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "bench").glob("*.md")],
)
# [text](target) with a relative target (no scheme, no pure #anchor)
LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_cite_nothing_outside_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert "../shared" not in text, f"{doc.name} cites ../shared, which a clone does not have"
    for target in LINK.findall(text):
        path = (doc.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"{doc.name} links outside the repository: {target}"
        assert path.exists(), f"{doc.name} links to a missing file: {target}"


def test_container_doc_states_the_configured_worker_recycling() -> None:
    from netflix_clone.web import gunicorn_conf

    text = (ROOT / "docs" / "container.md").read_text()
    assert (
        f"`max_requests` {gunicorn_conf.max_requests} with a jitter of up to "
        f"{gunicorn_conf.max_requests_jitter}"
    ) in text


def test_the_declared_licence_is_in_the_repository() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in licence
