"""The catalog owns titles; member data depends on the catalog, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "netflix_clone"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_catalog_never_imports_member_data() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imports(path) if m.startswith("netflix_clone.library")
        )
        for path in (PACKAGE / "catalog").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert _imports(PACKAGE / "library" / "service.py") & {
        "netflix_clone.catalog.titles",
        "netflix_clone.catalog.models",
    }
