"""Issue 23, row 5: one kids profile searching cost up to 24 upstream TMDB calls per search (five
list pages plus the details of every title we had no record of); 16 searches made 324 calls in
13 s and a bystander's cold pages got 7 of 20 x 503. And `?language=` took any `xx-YY` (~457k
values, each two upstream calls and a 7-day cache entry).

Now a restricted profile's listings filter from stored records and details the cache holds
(never one upstream call per result), the titles still missing are stored in the background,
and every upstream call a requester causes is charged to its own budget
(UPSTREAM_BUDGET_PER_REQUESTER per minute): past it, that requester gets 429, nobody else does.
`/api` takes only TMDB's translations. Against the fake TMDB over loopback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from netflix_clone.catalog.titles import wait_for_stored
from tests.conftest import SHORT_TIMEOUTS, Member
from tests.security.helpers import kid, profiles_url

BUDGET = 30
WORDS = [
    "the", "man", "love", "war", "star", "dark", "night", "king", "day", "life", "girl", "city",
    "last", "black", "world", "story",
]  # fmt: skip


def _upstream(tmdb: Any, since: int = 0) -> int:
    """Distinct upstream calls (a retry of one after a client timeout is the same call)."""
    return len({(r["path"], r["query"]) for r in tmdb.requests[since:]})


def test_a_kids_profile_can_not_spend_the_shared_tmdb_budget(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    # One window for the whole test (a loaded machine may take over a minute for it).
    app = catalog_app(
        upstream_budget_per_requester=BUDGET,
        upstream_budget_window_seconds=3600,
        tmdb_budget_per_second=35,
    )
    client = app.test_client()
    member = Member(client, "searcher@example.com")
    _, headers = kid(client, member, maturity_level="little_kids")
    before = len(tmdb.requests)
    statuses = []
    for word in WORDS:
        answer = client.get(f"/api/search?q={word}", headers=headers)
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.json and answer.json["type"].endswith("/catalog-budget")
        else:
            assert answer.status_code == 200, answer.json
    with app.app_context():
        assert wait_for_stored(30)  # the background title rows, charged when queued
    spent = _upstream(tmdb, before)
    assert spent <= BUDGET, f"{spent} upstream calls for one member (budget {BUDGET})"
    assert 429 in statuses  # the member was told, not the others
    # A bystander's cold pages are not touched by it.
    bystander = app.test_client()
    for path in ("/api/movies?list=top_rated", "/api/series?list=popular", "/api/movies/13"):
        assert bystander.get(path).status_code == 200, path


def test_a_listing_makes_no_upstream_call_per_result(
    catalog_app: Callable[..., Flask], tmdb: Any
) -> None:
    app = catalog_app(upstream_budget_per_requester=1000, **SHORT_TIMEOUTS)
    client = app.test_client()
    member = Member(client, "lister@example.com")
    _, headers = kid(client, member, maturity_level="older_kids")
    tmdb.add_fault(r"movie/\d+$", delay=30)  # a details call on the request path would hang
    answer = client.get("/api/movies?list=popular", headers=headers)
    assert answer.status_code == 200
    on_the_path = [r for r in tmdb.requests if r["path"].startswith("/3/movie/popular")]
    assert 1 <= len(on_the_path) <= 5  # the list's pages for the totals, nothing per title
    tmdb.clear_faults()


def test_only_tmdbs_languages(catalog_app: Callable[..., Flask]) -> None:
    app = catalog_app()
    client = app.test_client()
    for good in ("en-US", "fr-FR", "pt-BR"):
        assert client.get(f"/api/movies?language={good}").status_code == 200
    for bad in ("xx-YY", "en-XX", "qq-QQ", "en-us", "english"):
        answer = client.get(f"/api/movies?language={bad}")
        assert answer.status_code == 422, bad
        assert answer.json and answer.json["errors"][0]["field"] == "language"
    spec = client.get("/openapi.json").json or {}
    parameters = spec["paths"]["/api/movies"]["get"]["parameters"]
    language = next(p for p in parameters if p["name"] == "language")
    assert "fr-FR" in language["schema"]["enum"] and "xx-YY" not in language["schema"]["enum"]
    member = Member(client, "lang@example.com")
    made = client.post(
        profiles_url(member), headers=member.headers, json={"name": "X", "language": "zz-ZZ"}
    )
    assert made.status_code == 422
