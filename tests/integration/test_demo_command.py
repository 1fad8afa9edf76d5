"""`netflix-clone demo-seed`, the seeding of `make demo`: a real process on a fresh SQLite file
(APP_ENV=test: the same code as local, with cheap password hashes), then the HTTP API, as the web
app uses it, with the sign-in the command printed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from netflix_clone.catalog import maturity, normalise
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.core.settings import Settings
from netflix_clone.demo import DEMO_EMAIL, PLAN, local_database_problem
from netflix_clone.web.app import create_app
from tests.conftest import Member, bearer, migrate, test_settings
from tests.integration.test_cli import run_cli

SIGN_IN = re.compile(
    r"^Open (http://127\.0\.0\.1:\d+/) and sign in as (\S+) with the password (\S+)$"
)
KIDS_MAX_AGE = 12  # older_kids, a kids profile's default level
STRANGER_THINGS = 66732


def demo_seed(tmp_path: Path, **env_overrides: str) -> subprocess.CompletedProcess[str]:
    overrides = {"INSTANCE_PATH": str(tmp_path / "instance"), **env_overrides}
    url = overrides.pop("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    return run_cli(["demo-seed", "--url", "http://127.0.0.1:8123/"], url, tmp_path, **overrides)


def sign_in(client: FlaskClient, email: str, password: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return bearer(response.json or {})


def json_of(client: FlaskClient, path: str, headers: dict[str, str]) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.json)
    return response.json


def profile_headers(client: FlaskClient, account: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each profile's name -> the headers of its token."""
    profiles = json_of(client, "/api/users/me/profiles", account)["items"]
    chosen = {}
    for p in profiles:
        token = client.post(f"/api/users/me/profiles/{p['id']}/token", json={}, headers=account)
        assert token.status_code == 200, token.json
        chosen[p["name"]] = bearer(token.json or {})
    return chosen


def keys(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(i["title"]["kind"], i["title"]["id"]) for i in items]


def min_age(client: FlaskClient, key: tuple[str, int], headers: dict[str, str]) -> int | None:
    """What the details page says, for this profile."""
    path = f"/api/{'series' if key[0] == 'series' else 'movies'}/{key[1]}"
    age = json_of(client, path, headers)["min_age"]
    return int(age) if age is not None else None


def catalog_min_age(key: tuple[str, int]) -> int | None:
    """The same from the bundled catalog's own certifications (US, the account's country)."""
    demo = DemoTMDB.default()
    if key[0] == "series":
        _, body = demo.handle(f"tv/{key[1]}", {"append_to_response": "content_ratings"})
        return maturity.min_age(normalise.tv_certifications(body), "US", "tv")[0]
    _, body = demo.handle(f"movie/{key[1]}", {"append_to_response": "release_dates"})
    return maturity.min_age(normalise.all_certifications(body), "US", "movie")[0]


@pytest.fixture
def api(tmp_path: Path) -> FlaskClient:
    """The API on a fresh, migrated SQLite file (what the embedded default does at start-up)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    migrate(url, tmp_path / "api")
    app: Flask = create_app(test_settings(database_url=url, instance_path=tmp_path / "api"))
    return app.test_client()


def test_demo_seed_signs_in_with_history_and_resets_on_a_second_run(
    tmp_path: Path, api: FlaskClient
) -> None:
    first = demo_seed(tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"demo account {DEMO_EMAIL} created and seeded" in first.stdout
    printed = [m for line in first.stdout.splitlines() if (m := SIGN_IN.match(line))]
    assert len(printed) == 1, first.stdout
    url, email, password = printed[0].groups()
    assert url == "http://127.0.0.1:8123/"

    account = sign_in(api, email, password)
    names = [p["name"] for p in json_of(api, "/api/users/me/profiles", account)["items"]]
    assert names == ["Alex", "Sam", "Kids"]
    kids = next(p for p in json_of(api, "/api/users/me/profiles", account)["items"] if p["kids"])
    assert kids["name"] == "Kids" and kids["maturity_level"] == "older_kids"
    profiles = profile_headers(api, account)
    alex = profiles["Alex"]

    # Continue Watching: the series resumed at S2:E4 leads, then movies part-way through.
    watching = json_of(api, "/api/profile/continue-watching", alex)["items"]
    assert keys(watching) == [
        ("series", STRANGER_THINGS),
        ("movie", 27205),
        ("movie", 155),
        ("movie", 157336),
    ]
    series = watching[0]
    assert series["episode"] == {"season_number": 2, "episode_number": 4}
    assert series["status"] == "in_progress" and 0.3 < series["progress"] < 0.6
    assert all(0.05 < w["progress"] < 0.9 for w in watching)
    history = json_of(api, "/api/profile/history", alex)["items"]
    finished = [i for i in history if i["status"] == "finished"]
    assert keys(finished) == [("movie", 550)]  # watched to the end: history only

    listed = json_of(api, "/api/profile/list", alex)
    assert listed["total"] == 6
    assert ("series", 94605) in keys(listed["items"])
    rated = {
        (i["title"]["kind"], i["title"]["id"]): i["rating"]
        for i in json_of(api, "/api/profile/ratings", alex)["items"]
    }
    assert rated[("movie", 157336)] == "love" and rated[("movie", 209112)] == "dislike"
    assert len(rated) == 6
    sam = json_of(api, "/api/profile/continue-watching", profiles["Sam"])["items"]
    assert sam[0]["episode"] == {"season_number": 1, "episode_number": 7}

    # The kids profile: its own titles, every one allowed for it; an adults' title is refused.
    child = profiles["Kids"]
    kids_watching = json_of(api, "/api/profile/continue-watching", child)["items"]
    assert keys(kids_watching) == [("series", 65334), ("movie", 177572)]
    assert kids_watching[0]["episode"] == {"season_number": 1, "episode_number": 5}
    kids_titles = {
        *keys(kids_watching),
        *keys(json_of(api, "/api/profile/list", child)["items"]),
        *keys(json_of(api, "/api/profile/ratings", child)["items"]),
    }
    assert len(kids_titles) == 4
    home = json_of(api, "/api/browse", child)["rows"]
    assert home and home[0]["reason"]["kind"] == "continue_watching"
    shown = {(c["kind"], c["id"]) for row in home for c in row["items"]}
    assert ("series", STRANGER_THINGS) not in shown
    for key in sorted(kids_titles):
        age = min_age(api, key, child)
        assert age is not None and age <= KIDS_MAX_AGE, key
    for key in shown:
        age = catalog_min_age(key)
        assert age is not None and age <= KIDS_MAX_AGE, key
    refused = api.get(f"/api/series/{STRANGER_THINGS}", headers=child)
    assert refused.status_code == 403

    # Another member, then a second run: the demo account is reset, no duplicate, nothing
    # else touched; the old session has ended.
    other = Member(api, "someone@example.com")
    main = json_of(api, "/api/users/me/profiles", other.headers)["items"][0]["id"]
    other_profile = bearer(
        api.post(f"/api/users/me/profiles/{main}/token", json={}, headers=other.headers).json or {}
    )
    assert api.put("/api/profile/list/movie/550", headers=other_profile).status_code in (200, 201)
    assert api.delete("/api/profile/list/series/94605", headers=alex).status_code == 204

    second = demo_seed(tmp_path)
    assert second.returncode == 0, second.stderr
    assert f"demo account {DEMO_EMAIL} reset" in second.stdout
    assert api.get("/api/users/me/profiles", headers=account).status_code == 401
    again = sign_in(api, email, password)
    assert [p["name"] for p in json_of(api, "/api/users/me/profiles", again)["items"]] == names
    alex = profile_headers(api, again)["Alex"]
    assert json_of(api, "/api/profile/list", alex)["total"] == 6  # the seeded state again
    watching = json_of(api, "/api/profile/continue-watching", alex)["items"]
    assert watching[0]["episode"] == {"season_number": 2, "episode_number": 4}
    assert json_of(api, "/api/profile/list", other_profile)["total"] == 1


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"app_env": "prod", "secret_key": "k3Jq9vTz0pLw7Rn2Xs5Yb8Hc4Md6Fa1G"}, "APP_ENV=prod"),
        ({"app_env": "dev", "secret_key": "k3Jq9vTz0pLw7Rn2Xs5Yb8Hc4Md6Fa1G"}, "APP_ENV=dev"),
        ({"database_url": "postgresql+psycopg://app@db.internal.example/app"}, "db.internal"),
        ({"database_url": "postgresql+psycopg://app@10.0.0.5/app"}, "10.0.0.5"),
        ({"database_secret_id": "prod/db"}, "cloud database"),
    ],
)
def test_anything_but_a_local_database_is_refused(overrides: dict[str, Any], reason: str) -> None:
    problem = local_database_problem(Settings(**{"app_env": "local", **overrides}))
    assert problem is not None and reason in problem


@pytest.mark.parametrize(
    "database_url",
    [
        None,  # the embedded SQLite file
        "sqlite:////tmp/elsewhere.sqlite3",
        "postgresql+psycopg://postgres@127.0.0.1:5432/app",
        "postgresql+psycopg://postgres@localhost/app",
        "postgresql+psycopg://postgres@[::1]/app",
        "postgresql+psycopg:///app?host=/run/postgresql",
    ],
)
def test_local_databases_are_accepted(database_url: str | None) -> None:
    for app_env in ("local", "test"):
        assert local_database_problem(Settings(app_env=app_env, database_url=database_url)) is None


def test_the_command_refuses_a_remote_database_before_touching_it(tmp_path: Path) -> None:
    result = demo_seed(tmp_path, DATABASE_URL="postgresql+psycopg://app@db.internal.example/app")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: refused: the database is on db.internal")
    assert "Traceback" not in result.stderr


def test_the_command_refuses_a_deployed_environment(tmp_path: Path) -> None:
    result = demo_seed(
        tmp_path,
        APP_ENV="prod",
        SECRET_KEY="k3Jq9vTz0pLw7Rn2Xs5Yb8Hc4Md6Fa1G",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: refused: APP_ENV=prod"), result.stderr
    assert not (tmp_path / "prod.sqlite3").exists()  # not even opened


def test_the_plan_has_a_kids_profile_and_a_series_mid_season() -> None:
    assert sum(p.kids for p in PLAN) == 1 and 2 <= len(PLAN) <= 3
    episodes = [w.episode for p in PLAN for w in p.watching if w.episode]
    assert (2, 4) in episodes
