"""Cut `tests/data/tmdb-openapi-subset.json` from TMDB's official OpenAPI document.

The full document (3 MB, `../shared/tmdb/openapi.json` beside the repository) is not part of
the project; the tests need only the 200 response schemas of the paths we serve, which are the
routes of `netflix_clone.catalog.tmdb_rules.ROUTES`. Run after a route is added:

    .venv/bin/python -m tests.make_tmdb_openapi_subset [FULL_SPEC]

`tests/contract/test_gateway_spec.py` checks that the committed file is exactly what this script
makes from the full document (when that is present) and that it covers every route.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FULL_SPEC = REPO.parent / "shared" / "tmdb" / "openapi.json"
SUBSET = REPO / "tests" / "data" / "tmdb-openapi-subset.json"
NOTE = (
    "Subset of TMDB's official spec (paths the gateway serves: parameters without their "
    "descriptions, 200 response schemas), made from ../shared/tmdb/openapi.json by "
    "tests/make_tmdb_openapi_subset.py; used by tests when that file is absent."
)


def subset(full: dict[str, Any], templates: list[str]) -> dict[str, Any]:
    """The GET operations of `templates` (without `/3/`): their query parameters (name,
    required, schema type and enum) and their 200 JSON schemas."""
    paths: dict[str, Any] = {}
    for template in sorted(templates):
        key = f"/3/{template}"
        operation = full["paths"][key]["get"]
        content = operation["responses"]["200"]["content"]["application/json"]
        paths[key] = {
            "get": {
                "operationId": operation["operationId"],
                "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                "responses": {
                    "200": {"content": {"application/json": {"schema": content["schema"]}}}
                },
            }
        }
    if "$ref" in json.dumps(paths):
        raise ValueError("the spec now uses $ref: copy the referenced components as well")
    return {
        "components": {"securitySchemes": full["components"]["securitySchemes"]},
        "info": {
            "title": full["info"]["title"],
            "version": full["info"]["version"],
            "x-note": NOTE,
        },
        "openapi": full["openapi"],
        "paths": paths,
    }


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = {k: v for k, v in parameter.get("schema", {}).items() if k in ("type", "enum")}
    kept = {"name": parameter["name"], "in": parameter["in"], "schema": schema}
    if parameter.get("required"):
        kept["required"] = True
    return kept


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def served_templates() -> list[str]:
    from netflix_clone.catalog.tmdb_rules import ROUTES

    return [route.name for route in ROUTES]


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_FULL_SPEC
    with source.open(encoding="utf-8") as handle:
        full = json.load(handle)
    text = render(subset(full, served_templates()))
    SUBSET.write_text(text, encoding="utf-8")
    print(f"wrote {SUBSET.relative_to(REPO)} ({len(text)} bytes) from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
