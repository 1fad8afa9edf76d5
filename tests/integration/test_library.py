"""My List, ratings, progress, continue watching, history, browse and the maturity filter."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from netflix_clone.accounts.models import Profile
from netflix_clone.library.models import ListEntry, Rating, Viewing
from netflix_clone.web.deps import db_session
from tests.conftest import PASSWORD, Member
from tests.integration.test_profiles import add_profile, profile_headers, profiles

FIGHT_CLUB = 550  # rated R in the US recordings, min age 17
FORREST_GUMP = 13


@pytest.fixture
def viewer(client: FlaskClient) -> tuple[Member, dict[str, str]]:
    member = Member(client, "viewer@example.com")
    main = profiles(client, member)[0]
    return member, profile_headers(client, member, main["id"])


def popular_ids(client: FlaskClient) -> list[int]:
    body = client.get("/api/movies?list=popular").json or {}
    return [m["id"] for m in body["results"]]


# --- My List ---------------------------------------------------------------------------------


def test_my_list_add_remove_idempotent_and_ordered(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    first, second = popular_ids(client)[:2]
    assert client.put(f"/api/profile/list/{first}", headers=headers).status_code == 201
    assert client.put(f"/api/profile/list/{second}", headers=headers).status_code == 201
    again = client.put(f"/api/profile/list/{first}", headers=headers)
    assert again.status_code == 200
    assert again.json and again.json["in_list"] is True
    page = client.get("/api/profile/list?per_page=1", headers=headers).json or {}
    assert page["total"] == 2
    assert [i["title"]["id"] for i in page["items"]] == [second]
    assert page["items"][0]["title"]["title"]
    assert client.delete(f"/api/profile/list/{second}", headers=headers).status_code == 204
    assert client.delete(f"/api/profile/list/{second}", headers=headers).status_code == 204
    items = (client.get("/api/profile/list", headers=headers).json or {})["items"]
    assert [i["title"]["id"] for i in items] == [first]


def test_adding_an_unknown_movie_is_404(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    response = client.put("/api/profile/list/987654321", headers=headers)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_my_list_has_a_size_cap(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from netflix_clone.library import service

    monkeypatch.setattr(service, "MAX_LIST", 2)
    _, headers = viewer
    ids = popular_ids(client)
    client.put(f"/api/profile/list/{ids[0]}", headers=headers)
    client.put(f"/api/profile/list/{ids[1]}", headers=headers)
    full = client.put(f"/api/profile/list/{ids[2]}", headers=headers)
    assert full.status_code == 409
    assert full.json and "at most 2" in full.json["detail"]


def test_twenty_parallel_adds_leave_one_row(
    app: Flask, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    statuses: list[int] = []
    barrier = threading.Barrier(20)

    def add() -> None:
        c = app.test_client()
        barrier.wait()
        statuses.append(c.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers).status_code)

    threads = [threading.Thread(target=add) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s in (200, 201) for s in statuses), statuses
    with app.app_context():
        count = db_session().scalar(select(func.count()).select_from(ListEntry))
    assert count == 1


# --- ratings ---------------------------------------------------------------------------------


def test_ratings_put_list_delete(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    ok = client.put(
        f"/api/profile/ratings/{FORREST_GUMP}", headers=headers, json={"rating": "like"}
    )
    assert ok.status_code == 200
    client.put(f"/api/profile/ratings/{FORREST_GUMP}", headers=headers, json={"rating": "love"})
    items = (client.get("/api/profile/ratings", headers=headers).json or {})["items"]
    assert [(i["title"]["id"], i["rating"]) for i in items] == [(FORREST_GUMP, "love")]
    bad = client.put(
        f"/api/profile/ratings/{FORREST_GUMP}", headers=headers, json={"rating": "meh"}
    )
    assert bad.status_code == 422
    assert client.delete(f"/api/profile/ratings/{FORREST_GUMP}", headers=headers).status_code == 204
    assert (client.get("/api/profile/ratings", headers=headers).json or {})["items"] == []


def test_a_dislike_hides_the_title_from_rows_and_recommendations(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    browse = client.get("/api/browse", headers=headers).json or {}
    trending = next(r for r in browse["rows"] if r["id"] == "trending")
    first = trending["items"][0]
    victim = (first["kind"], first["id"])
    client.put(
        f"/api/profile/ratings/{victim[0]}/{victim[1]}", headers=headers, json={"rating": "dislike"}
    )
    after = client.get("/api/browse", headers=headers).json or {}
    assert victim not in {(i["kind"], i["id"]) for r in after["rows"] for i in r["items"]}
    # Recommendations of a title that recommends it.
    details = client.get(f"/api/movies/{FIGHT_CLUB}").json or {}
    rec = details["recommendations"][0]["id"]
    client.put(f"/api/profile/ratings/{rec}", headers=headers, json={"rating": "dislike"})
    mine = client.get(f"/api/movies/{FIGHT_CLUB}", headers=headers).json or {}
    assert rec not in [r["id"] for r in mine["recommendations"]]


# --- progress --------------------------------------------------------------------------------


def progress(
    client: FlaskClient,
    headers: dict[str, str],
    movie_id: int,
    position: int,
    duration: int = 6000,
    sequence: int = 1,
) -> dict[str, Any]:
    response = client.put(
        f"/api/profile/progress/{movie_id}",
        headers=headers,
        json={"position_seconds": position, "duration_seconds": duration, "sequence": sequence},
    )
    assert response.status_code == 200, response.json
    return dict(response.json or {})


def row_ids(client: FlaskClient, headers: dict[str, str]) -> list[int]:
    items = (client.get("/api/profile/continue-watching", headers=headers).json or {})["items"]
    return [i["title"]["id"] for i in items]


def test_out_of_order_progress_keeps_the_newest(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    assert progress(client, headers, FORREST_GUMP, 1200, sequence=5)["applied"] is True
    late = progress(client, headers, FORREST_GUMP, 700, sequence=3)
    assert late["applied"] is False
    assert late["position_seconds"] == 1200
    assert progress(client, headers, FORREST_GUMP, 1200, sequence=5)["applied"] is False
    assert progress(client, headers, FORREST_GUMP, 1500, sequence=6)["position_seconds"] == 1500


def test_concurrent_progress_updates_keep_the_highest_sequence(
    app: Flask, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    barrier = threading.Barrier(10)

    answers: list[tuple[int, dict[str, Any]]] = []

    def send(seq: int) -> None:
        c = app.test_client()
        barrier.wait()
        response = c.put(
            f"/api/profile/progress/{FORREST_GUMP}",
            headers=headers,
            json={"position_seconds": 600 + seq * 10, "duration_seconds": 6000, "sequence": seq},
        )
        answers.append((seq, dict(response.json or {})))

    threads = [threading.Thread(target=send, args=(s,)) for s in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        viewing = db_session().scalars(select(Viewing)).one()
        assert viewing.sequence == 9
        assert viewing.position_seconds == 690
    # An update is refused only because a newer one had already landed, and says which.
    for seq, answer in answers:
        assert answer["applied"] or answer["sequence"] > seq, (seq, answer)


def test_thresholds_first_minute_five_percent_and_ninety(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    assert progress(client, headers, FORREST_GUMP, 45, duration=600)["stored"] is False
    assert progress(client, headers, FORREST_GUMP, 200, duration=6000)["stored"] is False  # <5%
    assert row_ids(client, headers) == []
    assert progress(client, headers, FORREST_GUMP, 400, duration=6000, sequence=2)["stored"]
    assert row_ids(client, headers) == [FORREST_GUMP]
    done = progress(client, headers, FORREST_GUMP, 5500, duration=6000, sequence=3)
    assert done["finished"] is True
    assert row_ids(client, headers) == []
    history = (client.get("/api/profile/history", headers=headers).json or {})["items"]
    assert [(h["title"]["id"], h["status"]) for h in history] == [(FORREST_GUMP, "finished")]
    assert history[0]["finished_at"]
    assert (
        client.put(
            f"/api/profile/progress/{FORREST_GUMP}",
            headers=headers,
            json={"position_seconds": 7000, "duration_seconds": 6000, "sequence": 9},
        ).status_code
        == 422
    )


def test_continue_watching_order_hide_and_return(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    a, b = popular_ids(client)[:2]
    progress(client, headers, a, 900, sequence=1)
    progress(client, headers, b, 900, sequence=1)
    assert row_ids(client, headers) == [b, a]
    progress(client, headers, a, 950, sequence=2)
    assert row_ids(client, headers) == [a, b]
    assert client.delete(f"/api/profile/continue-watching/{a}", headers=headers).status_code == 204
    assert row_ids(client, headers) == [b]
    # The position is kept, and the next play brings it back.
    back = progress(client, headers, a, 1000, sequence=3)
    assert back["position_seconds"] == 1000
    assert row_ids(client, headers) == [a, b]
    assert (
        client.delete("/api/profile/continue-watching/424242", headers=headers).status_code == 404
    )


def test_history_hide_removes_from_rows_and_recommendations(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    details = client.get(f"/api/movies/{FIGHT_CLUB}").json or {}
    rec = details["recommendations"][0]["id"]
    progress(client, headers, rec, 900)
    history = (client.get("/api/profile/history", headers=headers).json or {})["items"]
    assert history[0]["status"] == "in_progress"
    assert client.delete(f"/api/profile/history/{rec}", headers=headers).status_code == 204
    assert (client.get("/api/profile/history", headers=headers).json or {})["items"] == []
    assert row_ids(client, headers) == []
    mine = client.get(f"/api/movies/{FIGHT_CLUB}", headers=headers).json or {}
    assert rec not in [r["id"] for r in mine["recommendations"]]
    browse = client.get("/api/browse", headers=headers).json or {}
    assert rec not in {i["id"] for r in browse["rows"] for i in r["items"]}


# --- browse ----------------------------------------------------------------------------------


def test_my_list_stays_whole_when_its_titles_are_being_watched(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    # The web app's My List row vanished when every title in it was also in Continue Watching.
    _, headers = viewer
    client.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers)
    progress(client, headers, FORREST_GUMP, 900)
    rows = {r["id"]: r for r in (client.get("/api/browse", headers=headers).json or {})["rows"]}
    assert [i["id"] for i in rows["continue-watching"]["items"]] == [FORREST_GUMP]
    assert [i["id"] for i in rows["my-list"]["items"]] == [FORREST_GUMP]
    others = [
        i["id"]
        for r in rows.values()
        if r["reason"]["kind"] not in {"continue_watching", "my_list"}
        for i in r["items"]
    ]
    assert FORREST_GUMP not in others


def test_browse_rows_order_reasons_and_no_duplicates(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]]
) -> None:
    _, headers = viewer
    client.put(f"/api/profile/ratings/{FIGHT_CLUB}", headers=headers, json={"rating": "love"})
    client.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers)
    progress(client, headers, popular_ids(client)[0], 900)
    body = client.get("/api/browse", headers=headers).json or {}
    ids = [r["id"] for r in body["rows"]]
    assert ids[:6] == [
        "continue-watching",
        "my-list",
        "trending",
        "popular-series",
        "top-rated",
        "new-releases",
    ]
    because = next(r for r in body["rows"] if r["id"] == f"because-{FIGHT_CLUB}")
    assert because["reason"] == {
        "kind": "because_you_liked",
        "title_kind": "movie",
        "title_id": FIGHT_CLUB,
        "title_name": "Fight Club",
        "movie_id": FIGHT_CLUB,
        "movie_title": "Fight Club",
        "genre_id": None,
    }
    assert any(r["reason"]["kind"] == "genre" for r in body["rows"])
    # No title twice on a page, but for My List, which stays whole (test above).
    cards = [(i["kind"], i["id"]) for r in body["rows"] if r["id"] != "my-list" for i in r["items"]]
    assert len(cards) == len(set(cards)), "a title appeared twice on one page"
    # Each row pages on its own.
    page2 = client.get("/api/browse/rows/trending?page=2&per_row=5", headers=headers)
    assert page2.status_code == 200
    assert page2.json and page2.json["page"] == 2 and len(page2.json["items"]) <= 5
    assert client.get("/api/browse/rows/nope", headers=headers).status_code == 404


def test_browse_cards_need_no_upstream_call_per_card(catalog_app: Any, tmdb: Any) -> None:
    app = catalog_app()
    client = app.test_client()
    member = Member(client, "calls@example.com")
    headers = profile_headers(client, member, profiles(client, member)[0]["id"])
    assert client.get("/api/browse", headers=headers).status_code == 200
    first = tmdb.stats()["total"]
    assert first <= 12, tmdb.stats()  # one call per row source, not one per card
    assert client.get("/api/browse", headers=headers).status_code == 200
    assert tmdb.stats()["total"] == first  # warm: everything from the cache


# --- maturity --------------------------------------------------------------------------------


@pytest.fixture
def kid(client: FlaskClient) -> dict[str, str]:
    member = Member(client, "parent@example.com")
    kid_profile = add_profile(client, member, name="Kid", kids=True, maturity_level="older_kids")
    return profile_headers(client, member, kid_profile["id"])


def test_kids_are_blocked_from_over_limit_details_with_a_reason(
    client: FlaskClient, kid: dict[str, str]
) -> None:
    response = client.get(f"/api/movies/{FIGHT_CLUB}", headers=kid)
    assert response.status_code == 403
    assert response.json and "17+" in response.json["detail"]
    assert response.json["type"].endswith("/maturity-restricted")
    assert client.put(f"/api/profile/list/{FIGHT_CLUB}", headers=kid).status_code == 403
    assert (
        client.put(
            f"/api/profile/progress/{FIGHT_CLUB}",
            headers=kid,
            json={"position_seconds": 600, "duration_seconds": 6000, "sequence": 1},
        ).status_code
        == 403
    )


def _family_safe(card: dict[str, Any]) -> bool:
    ids = {g["id"] for g in card["genres"]}
    return bool(ids & {16, 10751}) and not ids & {27, 53, 80, 10752}


def test_kids_lists_search_rows_hide_unrated_unless_family_safe(
    client: FlaskClient, kid: dict[str, str]
) -> None:
    # Demo titles carry their recorded US certification (107 movies have none): a kid sees
    # titles rated for their level (older_kids: 12), and unrated ones only when family-safe.
    lists = [
        client.get(f"/api/movies?list={name}", headers=kid).json or {}
        for name in ("popular", "top_rated", "trending")
    ]
    search = client.get("/api/movies/search?q=the", headers=kid).json or {}
    browse = client.get("/api/browse", headers=kid).json or {}
    cards = [c for page in [*lists, search] for c in page["results"]]
    cards += [c for r in browse["rows"] for c in r["items"]]
    assert cards, "kids should still see family titles"
    assert FIGHT_CLUB not in {c["id"] for c in cards}
    kinds = {"movie": "movies", "series": "series"}
    for card in {(c.get("kind", "movie"), c["id"]): c for c in cards}.values():
        path = f"/api/{kinds[card.get('kind', 'movie')]}/{card['id']}"
        details = client.get(path, headers=kid)
        assert details.status_code == 200, (card["title"], details.json)
        min_age = (details.json or {})["min_age"]
        assert (min_age is not None and min_age <= 12) or (
            min_age is None and _family_safe(card)
        ), (card["title"], min_age)
    assert any(not _family_safe(c) for c in cards), "rated titles beyond family fare show too"
    anonymous = client.get("/api/movies?list=popular").json or {}
    assert len(anonymous["results"]) > len(lists[0]["results"])
    personal = client.get("/api/movies?list=popular", headers=kid)
    assert personal.headers["Cache-Control"].startswith("private")


def test_certifications_from_another_country_and_missing_ones(catalog_app: Any, tmdb: Any) -> None:
    app = catalog_app()
    client = app.test_client()
    member = Member(client, "countries@example.com")
    url = f"/api/users/{member.id}/profiles"

    def kid_for(language: str, name: str) -> dict[str, str]:
        # Ratings follow the account's country (its password changes it), not the language.
        country = language.partition("-")[2]
        changed = client.patch(
            f"/api/users/{member.id}",
            headers=member.headers,
            json={"country": country, "current_password": PASSWORD},
        )
        assert changed.status_code == 200, changed.json
        p = (
            client.post(
                url, headers=member.headers, json={"name": name, "kids": True, "language": language}
            ).json
            or {}
        )
        return profile_headers(client, member, p["id"])

    # Only a German rating (FSK 12): a US kid gets the strictest known (12 <= older_kids 12).
    tmdb.add_fault(
        "movie/13",
        patch={
            "release_dates": {
                "results": [
                    {
                        "iso_3166_1": "DE",
                        "release_dates": [
                            {
                                "certification": "12",
                                "type": 3,
                                "release_date": "1994-10-13T00:00:00.000Z",
                                "iso_639_1": "",
                                "note": "",
                                "descriptors": [],
                            }
                        ],
                    }
                ]
            }
        },
    )
    assert client.get("/api/movies/13", headers=kid_for("en-US", "US kid")).status_code == 200
    # Empty certification strings count as unknown: Drama is not family-safe, so blocked.
    tmdb.add_fault(
        "movie/680",
        patch={
            "release_dates": {
                "results": [
                    {
                        "iso_3166_1": "US",
                        "release_dates": [
                            {
                                "certification": "",
                                "type": 3,
                                "release_date": "1994-09-10T00:00:00.000Z",
                                "iso_639_1": "",
                                "note": "",
                                "descriptors": [],
                            }
                        ],
                    }
                ]
            },
            "genres": [{"id": 18, "name": "Drama"}],
        },
    )
    assert client.get("/api/movies/680", headers=kid_for("en-GB", "GB kid")).status_code == 403
    # The viewer's own country wins over a stricter rating elsewhere.
    tmdb.add_fault(
        "movie/278",
        patch={
            "release_dates": {
                "results": [
                    {
                        "iso_3166_1": "GB",
                        "release_dates": [
                            {
                                "certification": "PG",
                                "type": 3,
                                "release_date": "1994-09-10T00:00:00.000Z",
                                "iso_639_1": "",
                                "note": "",
                                "descriptors": [],
                            }
                        ],
                    },
                    {
                        "iso_3166_1": "US",
                        "release_dates": [
                            {
                                "certification": "R",
                                "type": 3,
                                "release_date": "1994-09-10T00:00:00.000Z",
                                "iso_639_1": "",
                                "note": "",
                                "descriptors": [],
                            }
                        ],
                    },
                ]
            }
        },
    )
    assert client.get("/api/movies/278", headers=kid_for("en-GB", "GB kid 2")).status_code == 200
    assert client.get("/api/movies/278", headers=kid_for("en-US", "US kid 2")).status_code == 403


# --- deletion cascades -----------------------------------------------------------------------


def test_deleting_an_account_removes_every_profile_and_member_row(
    client: FlaskClient, app: Flask
) -> None:
    member = Member(client, "cascade@example.com")
    other = add_profile(client, member, name="Other")
    for p in profiles(client, member):
        headers = profile_headers(client, member, p["id"])
        client.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers)
        client.put(f"/api/profile/ratings/{FORREST_GUMP}", headers=headers, json={"rating": "like"})
        progress(client, headers, FORREST_GUMP, 900)
    survivor = Member(client, "survivor@example.com")
    s_headers = profile_headers(client, survivor, profiles(client, survivor)[0]["id"])
    client.put(f"/api/profile/list/{FORREST_GUMP}", headers=s_headers)
    assert other["id"]
    deleted = client.delete(
        f"/api/users/{member.id}", headers=member.headers, json={"password": PASSWORD}
    )
    assert deleted.status_code == 204
    with app.app_context():
        for model in (Profile, ListEntry, Rating, Viewing):
            rows = db_session().scalar(select(func.count()).select_from(model))
            expected = 1 if model in (Profile, ListEntry) else 0
            assert rows == expected, model.__name__


def test_deleting_a_profile_removes_its_data(client: FlaskClient, app: Flask) -> None:
    member = Member(client, "pdel@example.com")
    extra = add_profile(client, member, name="Extra")
    headers = profile_headers(client, member, extra["id"])
    client.put(f"/api/profile/list/{FORREST_GUMP}", headers=headers)
    progress(client, headers, FORREST_GUMP, 900)
    client.delete(f"/api/users/{member.id}/profiles/{extra['id']}", headers=member.headers)
    with app.app_context():
        assert db_session().scalar(select(func.count()).select_from(ListEntry)) == 0
        assert db_session().scalar(select(func.count()).select_from(Viewing)) == 0


def test_one_members_profile_token_never_reaches_another_members_data(client: FlaskClient) -> None:
    alice = Member(client, "alice-l@example.com")
    bob = Member(client, "bob-l@example.com")
    a_headers = profile_headers(client, alice, profiles(client, alice)[0]["id"])
    b_headers = profile_headers(client, bob, profiles(client, bob)[0]["id"])
    client.put(f"/api/profile/list/{FORREST_GUMP}", headers=b_headers)
    assert (client.get("/api/profile/list", headers=a_headers).json or {})["total"] == 0
    assert (client.get("/api/profile/list", headers=b_headers).json or {})["total"] == 1
    # Alice's profile token cannot mint a token for Bob's profile.
    bob_profile = profiles(client, bob)[0]["id"]
    assert (
        client.post(
            f"/api/users/{bob.id}/profiles/{bob_profile}/token", headers=a_headers, json={}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"position_seconds": 900.0, "duration_seconds": 6000.0, "sequence": 65536.0}, 200),
        ({"position_seconds": 900.5, "duration_seconds": 6000, "sequence": 1}, 422),
        ({"position_seconds": "900", "duration_seconds": 6000, "sequence": 1}, 422),
        ({"position_seconds": True, "duration_seconds": 6000, "sequence": 1}, 422),
    ],
)
def test_progress_takes_json_schema_integers(
    client: FlaskClient, viewer: tuple[Member, dict[str, str]], body: dict[str, Any], status: int
) -> None:
    _, headers = viewer
    response = client.put(f"/api/profile/progress/{FORREST_GUMP}", headers=headers, json=body)
    assert response.status_code == status, response.json
    if status == 200:
        assert (response.json or {})["sequence"] == 65536
        assert (response.json or {})["position_seconds"] == 900
    else:
        assert response.content_type == "application/problem+json"
