"""The OpenAPI document, byte for byte, against the one committed beside this test.

A refactoring must not change the API: this fails on any difference, and shows it. When a
change to the API is meant, regenerate the snapshot and review its diff with the change:
`UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/contract/test_openapi_snapshot.py`.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from tests.conftest import AppFactory

SNAPSHOT = Path(__file__).with_name("openapi.json")


def _pretty(data: bytes) -> list[str]:
    return json.dumps(json.loads(data), indent=1, sort_keys=True).splitlines()


@pytest.mark.parametrize("backend", ["sqlite"])  # the document does not depend on the database
def test_openapi_document_is_byte_identical_to_the_snapshot(make_app: AppFactory) -> None:
    served = make_app().test_client().get("/openapi.json").data
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_bytes(served)
    expected = SNAPSHOT.read_bytes()
    if served != expected:
        diff = "\n".join(
            difflib.unified_diff(
                _pretty(expected), _pretty(served), "snapshot", "served", lineterm="", n=2
            )
        )
        raise AssertionError(
            "/openapi.json differs from tests/contract/openapi.json "
            f"({len(expected)} -> {len(served)} bytes):\n{diff[:6000]}"
        )
