"""Three real Netflix-clone frontends' journeys, replayed against the gateway in demo mode.

Each `real_frontends/<name>.json` is what one real build asked for while Chromium drove it
through home, details, search and its TV pages (`real_frontends/drive.py`; how to build and
record them is in `real_frontends/README.md`). Building them takes minutes and npm, so CI replays
the requests instead: every answer must have the recorded status (2xx, or TMDB's own 404 for a
title the catalog does not hold) and carry what those apps read from it: filled lists with
artwork, titles and overviews, a key for every trailer, a valid image for every picture.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from netflix_clone.web.app import create_app
from tests.conftest import test_settings

HERE = Path(__file__).parent / "real_frontends"
RECORDINGS = sorted(HERE.glob("*.json"))
NOT_FOUND = {
    "success": False,
    "status_code": 34,
    "status_message": "The resource you requested could not be found.",
}
# What a real build showed short of complete, and why (each checked below to still hold).
KNOWN_GAPS = {
    # devandres-tech/Netflix-Clone's hero is one hard-coded series, Narcos (tv/63351), which no
    # source of the catalog holds: TMDB's own 404, and an empty hero heading.
    ("devandres-tech/Netflix-Clone", "hero title (tv/63351)"): "/tmdb/3/tv/63351?api_key=unused",
}
# Its detail modal asks for `<base>/original/` + an empty path before a title is chosen: no
# file, which TMDB's image CDN does not answer with an image either.
EMPTY_IMAGE = re.compile(r"/images/t/p/\w+/")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    tmp = tmp_path_factory.mktemp("frontends")
    app: Flask = create_app(
        test_settings(
            database_url=f"sqlite:///{tmp / 'frontends.sqlite3'}",
            instance_path=tmp / "instance",
            catalog_source="demo",
            gateway_rate_limit_per_minute=100_000,
        )
    )
    return app.test_client()


def load(recording: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(recording.read_text(encoding="utf-8"))
    return loaded


def test_there_are_three_recorded_frontends() -> None:
    assert {load(r)["frontend"] for r in RECORDINGS} == {
        "N4si/DevSecOps-Project",
        "devandres-tech/Netflix-Clone",
        "akshaymarch7/netflix-gpt",
    }


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda r: r.stem)
def test_the_real_build_passed_every_check_but_the_known_gaps(recording: Path) -> None:
    record = load(recording)
    steps = {c["step"] for c in record["checks"]}
    assert {"home", "all"} <= steps and len(steps) >= 3  # home, details or search, ...
    for check in record["checks"]:
        gap = KNOWN_GAPS.get((record["frontend"], check["check"]))
        if gap is None:
            assert check["passed"], check
        else:
            assert not check["passed"] and gap in [r["path"] for r in record["requests"]]


@pytest.mark.parametrize("recording", RECORDINGS, ids=lambda r: r.stem)
def test_every_recorded_request_is_answered_as_the_frontend_needs(
    client: FlaskClient, recording: Path
) -> None:
    record = load(recording)
    gaps = {path for (frontend, _), path in KNOWN_GAPS.items() if frontend == record["frontend"]}
    gateway = [r for r in record["requests"] if r["path"].startswith("/tmdb/3/")]
    images = [r for r in record["requests"] if r["path"].startswith("/images/")]
    assert gateway and images
    for request in gateway:
        response = client.get(request["path"])
        body = json.loads(response.data)
        if request["path"] in gaps:
            assert (response.status_code, body) == (404, NOT_FOUND), request
            continue
        assert response.status_code == request["status"] == 200, (request, body)
        needs(request["path"], body)
    for request in images:
        response = client.get(request["path"])
        if EMPTY_IMAGE.fullmatch(request["path"]):
            assert response.status_code == request["status"] == 404, request
            continue
        assert response.status_code == request["status"] == 200, request
        assert response.mimetype == "image/svg+xml"
        size = re.match(r"/images/t/p/(\w+)/", request["path"])
        assert size is not None, request
        if size.group(1).startswith("w"):
            assert f'width="{size.group(1)[1:]}"'.encode() in response.data, request


def needs(path: str, body: Any) -> None:
    """What these apps read from an answer, by the kind of answer."""
    parts = urlsplit(path)
    route = parts.path.removeprefix("/tmdb/3/")
    query = dict(parse_qsl(parts.query))
    if route == "configuration":
        base = body["images"]["secure_base_url"]
        assert base.endswith("/images/t/p/") and body["images"]["base_url"] == base
        return
    if route.startswith("genre/"):
        assert len(body["genres"]) == 19
        return
    if "results" in body and "videos" not in route:
        results = body["results"]
        # TMDB has no title of the genre TV Movie (10770) in the catalog: N4si hides that row.
        if query.get("with_genres") == "10770":
            assert results == []
            return
        assert results, path
        shown = [r for r in results if r.get("media_type") != "person"]
        assert all(r.get("title") or r.get("name") for r in shown), path
        with_art = [r for r in shown if r.get("poster_path") and r.get("backdrop_path")]
        assert len(with_art) >= min(len(shown), 5) * 0.8, path
        return
    videos = (
        body.get("videos", body)
        if "videos" in route or "videos" in query.get("append_to_response", "")
        else None
    )
    if videos is not None:
        keys = [v.get("key") for v in videos["results"]]
        assert keys and all(keys), (path, "a trailer with a key")
    if re.fullmatch(r"(movie|tv)/\d+", route):
        assert body.get("title") or body.get("name"), path
        assert body["overview"] and body["backdrop_path"], path
