"""Fixtures the browser tests share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.browser import chromium


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where a test saves its screenshots: $SCREENSHOT_DIR, or the test's tmp_path (printed)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for a module's tests."""
    with chromium() as launched:
        yield launched
