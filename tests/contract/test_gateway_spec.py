"""Contract: every TV path of the gateway answers in the shape TMDB's OpenAPI document gives.

Each answer comes through `/tmdb/3` twice: from live TMDB (the fake TMDB server over loopback,
reached by the pooled TMDB client) and from the bundled demo catalog, and is validated against
the 200 response schema of its route in TMDB's official spec (tests/tmdb_spec.py; the schemas
are committed in tests/data/tmdb-openapi-subset.json, cut by
tests/make_tmdb_openapi_subset.py). Together with the movie paths of
tests/integration/test_gateway.py, every route of tmdb_rules.ROUTES is covered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.gateway import allowlist
from tests import make_tmdb_openapi_subset as script
from tests.integration.test_gateway import CONTRACT as MOVIE_CONTRACT
from tests.tmdb_spec import validate_tmdb_response

DATA = Path(__file__).resolve().parents[1] / "data"
FULL_SPEC = Path(__file__).resolve().parents[3] / "shared" / "tmdb" / "openapi.json"
CLIENT_KEY = "anything-the-app-shipped-0123456789"
GOT = 1399  # Game of Thrones: recorded details, season 1 and episode 1 in the demo catalog
NETFLIX = 213

TV_CONTRACT = [
    ("genre/tv/list?language=en-US", "genre/tv/list"),
    ("tv/popular?language=en-US&page=1", "tv/popular"),
    ("tv/top_rated?page=1", "tv/top_rated"),
    ("tv/on_the_air?language=en-US", "tv/on_the_air"),
    ("tv/airing_today?timezone=America/New_York", "tv/airing_today"),
    ("trending/all/week?language=en-US", "trending/all/{time_window}"),
    ("trending/all/day", "trending/all/{time_window}"),
    ("trending/tv/week", "trending/tv/{time_window}"),
    ("trending/tv/day?page=1", "trending/tv/{time_window}"),
    (f"discover/tv?with_networks={NETFLIX}&language=en-US&page=1", "discover/tv"),
    ("discover/tv?with_genres=18&sort_by=vote_average.desc&vote_count.gte=10", "discover/tv"),
    ("discover/tv?sort_by=first_air_date.desc&first_air_date.gte=2010-01-01", "discover/tv"),
    ("search/tv?query=game%20of%20thrones", "search/tv"),
    ("search/multi?query=the&include_adult=false", "search/multi"),
    ("search/person?query=tom%20hanks&include_adult=false", "search/person"),
    (
        f"tv/{GOT}?append_to_response=videos,credits,content_ratings,similar,recommendations,"
        "images",
        "tv/{series_id}",
    ),
    (f"tv/{GOT}-game-of-thrones?language=en-US", "tv/{series_id}"),
    (f"tv/{GOT}/season/1", "tv/{series_id}/season/{season_number}"),
    (f"tv/{GOT}/season/2?language=en-US", "tv/{series_id}/season/{season_number}"),
    (
        f"tv/{GOT}/season/1/episode/1",
        "tv/{series_id}/season/{season_number}/episode/{episode_number}",
    ),
    (
        f"tv/{GOT}/season/1/episode/2",
        "tv/{series_id}/season/{season_number}/episode/{episode_number}",
    ),
    (f"tv/{GOT}/videos", "tv/{series_id}/videos"),
    (f"tv/{GOT}/credits?language=en-US", "tv/{series_id}/credits"),
    (f"tv/{GOT}/content_ratings", "tv/{series_id}/content_ratings"),
    (f"tv/{GOT}/images?include_image_language=en,null", "tv/{series_id}/images"),
    (f"tv/{GOT}/similar", "tv/{series_id}/similar"),
    (f"tv/{GOT}/recommendations?page=1", "tv/{series_id}/recommendations"),
]
# Answers that may be empty lists in the bundled data (not a gateway matter).
MAY_BE_EMPTY = {"tv/{series_id}/images"}


def test_the_contract_lists_cover_every_route() -> None:
    covered = {template for _, template in MOVIE_CONTRACT + TV_CONTRACT}
    assert covered == {route.name for route in tmdb_rules.ROUTES}


@pytest.mark.parametrize("source", ["tmdb", "demo"])
@pytest.mark.parametrize(("url", "template"), TV_CONTRACT)
def test_every_tv_path_answers_in_tmdbs_documented_shape(
    catalog_app: Callable[..., Flask], tmdb: Any, source: str, url: str, template: str
) -> None:
    overrides: dict[str, Any] = {"tmdb_read_timeout": 30.0, "tmdb_deadline": 60.0}
    if source == "demo":
        overrides["tmdb_api_key"] = None
    app = catalog_app(catalog_source=source, **overrides)
    separator = "&" if "?" in url else "?"
    response = app.test_client().get(f"/tmdb/3/{url}{separator}api_key={CLIENT_KEY}")
    assert response.status_code == 200, (url, response.data)
    assert response.content_type == "application/json;charset=utf-8"
    assert response.headers["X-Catalog-Source"] == source
    body = json.loads(response.data)
    validate_tmdb_response(template, body)
    if "results" in body and template not in MAY_BE_EMPTY:
        assert body["results"], url
    if "append_to_response" in url:
        assert set(tmdb_rules.TV_APPENDABLE) <= set(body)
        assert "id" not in body["videos"]  # appended objects drop their id, as TMDB's do
    # The same JSON as TMDB's own answer to the canonical request (the fake serves DemoTMDB).
    wanted = allowlist.resolve(url.partition("?")[0], dict(parse_qsl(url.partition("?")[2])))
    assert wanted.template == template
    status, expected = DemoTMDB.default().handle(wanted.path, wanted.params)
    assert (status, body) == (200, expected)
    asked = [r for r in tmdb.requests if r["path"].startswith("/3/")]
    if source == "tmdb":
        assert [(r["path"], r["route"]) for r in asked] == [(f"/3/{wanted.path}", template)]
    else:
        assert asked == []


def test_the_committed_spec_subset_is_what_the_script_cuts_from_tmdbs_document() -> None:
    if not FULL_SPEC.is_file():
        pytest.skip(f"{FULL_SPEC} is not beside this checkout")
    with FULL_SPEC.open(encoding="utf-8") as handle:
        full = json.load(handle)
    expected = script.render(script.subset(full, script.served_templates()))
    assert (DATA / "tmdb-openapi-subset.json").read_text(encoding="utf-8") == expected
