"""The details page in a real browser at a phone's (390x844) and a desktop's (1440x900) size.

A series the member stopped in (S2:E4 at 40 %, set through the API as the player's heartbeat
does) opens on Season 2 with E4 highlighted, its bar as wide as its progress, "Resume S2:E4" as
the primary button, no bar on the episodes not started and every bar in line with the stills; a
profile that finished S2:E3 (the resume point moves to S2:E4 at 0) sees "Play S2:E4" and no
empty bar. A movie shows its runtime, certification, genres, cast with photos, director and
"More like this". On every page the overview and Play are above the fold, nothing scrolls
sideways, no "null"/"undefined" shows, there is one h1 and the console stays clean.

Demo catalog over real HTTP on loopback, Debian's Chromium driven by Playwright for Python.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.browser import CONTRAST, serving_migrated

pytestmark = pytest.mark.browser

PASSWORD = "analytical-engine-1843"
EMAIL = "katherine@example.com"
MOVIE = 550  # Fight Club: 2h 19m, rated R, directed by David Fincher
WATCHED = 0.4  # how far into S2:E4 the member stopped
SIZES = {"phone": (390, 844), "desktop": (1440, 900)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_migrated(tmp_path_factory.mktemp("details")) as base:
        yield base


@pytest.fixture(scope="module")
def world(server: str) -> dict[str, Any]:
    """A member whose main profile stopped 40 % into S2:E4 of a popular series, and a second
    profile that finished S2:E3 (so its resume point is S2:E4 at 0)."""
    api = httpx.Client(base_url=server, timeout=20)
    series = None
    for card in api.get("/api/series", params={"list": "popular"}).json()["results"]:
        details = api.get(f"/api/series/{card['id']}").json()
        if any(s["season_number"] == 2 for s in details["seasons"]):
            season = api.get(f"/api/series/{card['id']}/seasons/2").json()
            if len(season["episodes"]) >= 5:
                series = {"id": card["id"], "title": details["title"], "season2": season}
                break
    assert series, "no popular series in the demo catalog has a second season of 5 episodes"
    answer = api.post(
        "/api/users", json={"email": EMAIL, "password": PASSWORD, "display_name": "Katherine"}
    )
    assert answer.status_code == 201, answer.text
    tokens = api.post("/api/auth/token", json={"email": EMAIL, "password": PASSWORD}).json()
    account = {"Authorization": f"Bearer {tokens['access_token']}"}
    main_id = api.get("/api/users/me/profiles", headers=account).json()["items"][0]["id"]
    answer = api.post("/api/users/me/profiles", headers=account, json={"name": "Dorothy"})
    assert answer.status_code == 201, answer.text
    second_id = answer.json()["id"]

    def heartbeat(profile_id: int, episode: int, fraction: float) -> dict[str, Any]:
        token = api.post(f"/api/users/me/profiles/{profile_id}/token", headers=account, json={})
        runtime = series["season2"]["episodes"][episode - 1]["runtime"] or 45
        duration = runtime * 60
        answer = api.put(
            f"/api/profile/progress/series/{series['id']}",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            json={
                "position_seconds": round(duration * fraction),
                "duration_seconds": duration,
                "sequence": 1,
                "season_number": 2,
                "episode_number": episode,
            },
        )
        assert answer.status_code == 200, answer.text
        stored: dict[str, Any] = answer.json()
        return stored

    stopped = heartbeat(main_id, 4, WATCHED)
    assert (stopped["season_number"], stopped["episode_number"]) == (2, 4)
    moved = heartbeat(second_id, 3, 0.95)  # past 90 %: the resume point is the next episode
    assert (moved["season_number"], moved["episode_number"], moved["position_seconds"]) == (2, 4, 0)
    return {"series": series, "progress": stopped["position_seconds"] / stopped["duration_seconds"]}


def open_page(
    browser: Any, server: str, size: str, path: str, profile: str = "Katherine"
) -> tuple[Any, list[str]]:
    """A fresh page at `size`, signed in through the forms, on `path` as `profile`; and the
    console errors it will collect."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(f"{server}{path}", wait_until="load")  # -> sign in -> profiles -> back to path
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=profile, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    return page, errors


def box(locator: Any) -> dict[str, float]:
    found: dict[str, float] | None = locator.bounding_box()
    assert found is not None, locator
    return found


def check_page(page: Any, errors: list[str], title: str) -> None:
    """What every details page owes at any size."""
    from playwright.sync_api import expect

    height = page.viewport_size["height"]
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_count(1)
    expect(h1).to_have_text(title)
    # The overview and the actions are in the first viewport (the page is at its top).
    assert page.evaluate("scrollY") == 0
    for what in (
        page.locator(".details .overview"),
        page.locator(".details-actions .play"),
        page.get_by_role("button", name="My List"),
        page.get_by_role("group", name="Rate this title"),
    ):
        expect(what).to_be_visible()
        assert box(what)["y"] + box(what)["height"] <= height, what
    # The backdrop is limited in height: it doesn't push the content down.
    art = page.locator(".details-art")
    if art.count():
        assert box(art)["height"] <= 0.6 * height
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    text = page.locator("body").inner_text()
    assert not re.search(r"\b(null|undefined|NaN)\b", text), text
    levels = page.locator("main :is(h1, h2, h3, h4, h5, h6)").evaluate_all(
        "hs => hs.map(h => Number(h.tagName[1]))"
    )
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    # Decorative images only: every image in the page has alt="".
    assert page.locator("main img:not([alt=''])").count() == 0
    assert page.evaluate(CONTRAST) == []
    assert errors == []


@pytest.mark.parametrize("size", SIZES)
def test_series_opens_on_the_resumed_episode(
    browser: Any, server: str, world: dict[str, Any], shots: Path, size: str
) -> None:
    from playwright.sync_api import expect

    series = world["series"]
    page, errors = open_page(browser, server, size, f"/title/series/{series['id']}")
    picker = page.get_by_role("combobox", name="Season")
    expect(picker).to_have_value("2")
    episodes = page.get_by_role("region", name="Episodes")
    rows = episodes.locator("li.episode")
    expect(rows).to_have_count(len(series["season2"]["episodes"]))
    expect(rows.first.get_by_role("heading", level=3)).to_contain_text("1.")

    # S2:E4 is the highlighted row, with a bar as wide as the progress; the primary button says so.
    fourth = rows.nth(3)
    expect(fourth).to_have_attribute("aria-current", "true")
    expect(fourth).to_have_class(re.compile(r"\bcurrent\b"))
    expect(episodes.locator("li.episode[aria-current]")).to_have_count(1)
    bar = fourth.get_by_role("progressbar")
    percent = round(world["progress"] * 100)
    expect(bar).to_have_attribute("aria-valuenow", str(percent))
    filled = box(bar.locator(".progress-fill"))["width"] / box(bar)["width"]
    assert abs(filled - world["progress"]) < 0.02, filled
    resume = page.locator(".details-actions").get_by_role("link", name="▶ Resume S2:E4")
    expect(resume).to_have_attribute("href", f"/watch/series/{series['id']}?season=2&episode=4")
    expect(fourth.get_by_role("link", name=re.compile(r"^▶ Resume"))).to_be_visible()

    # E5 (and every other episode) has no bar at all; bars line up with the stills.
    expect(rows.nth(4).get_by_role("progressbar")).to_have_count(0)
    expect(episodes.get_by_role("progressbar")).to_have_count(1)
    stills = [box(s) for s in rows.locator(".episode-still").all()]
    assert len({(round(s["x"]), round(s["width"])) for s in stills}) == 1, stills
    bars = [box(b) for b in episodes.get_by_role("progressbar").all()]
    for b in bars:
        assert (round(b["x"]), round(b["width"])) == (
            round(stills[0]["x"]),
            round(stills[0]["width"]),
        )
    page.screenshot(path=str(shots / f"series-resume-{size}.png"))
    check_page(page, errors, series["title"])

    # A clamped overview opens with its "More" button (the phone's is clamped).
    more = page.get_by_role("button", name="More", exact=True)
    if size == "phone":
        expect(more).to_have_attribute("aria-expanded", "false")
        clamped = box(page.locator(".details .overview"))["height"]
        more.click()
        expect(page.get_by_role("button", name="Less", exact=True)).to_have_attribute(
            "aria-expanded", "true"
        )
        assert box(page.locator(".details .overview"))["height"] > clamped

    # The keyboard switches seasons; episodes not started there have no bars.
    picker.focus()
    page.keyboard.press("ArrowUp")  # Season 1
    expect(picker).to_have_value("1")
    expect(rows.first.get_by_role("heading", level=3)).to_contain_text("1.")
    expect(
        page.get_by_role("status").filter(has_text=re.compile(r"^Season 1: \d+ episodes?$"))
    ).to_be_attached()
    expect(episodes.get_by_role("progressbar")).to_have_count(0)
    expect(episodes.locator("li.episode[aria-current]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(shots / f"series-season1-{size}.png"), full_page=True)
    assert errors == []
    page.close()


def test_next_episode_has_no_empty_bar(
    browser: Any, server: str, world: dict[str, Any], shots: Path
) -> None:
    from playwright.sync_api import expect

    series = world["series"]
    page, errors = open_page(browser, server, "desktop", f"/title/series/{series['id']}", "Dorothy")
    expect(page.get_by_role("combobox", name="Season")).to_have_value("2")
    rows = page.get_by_role("region", name="Episodes").locator("li.episode")
    expect(rows.nth(3)).to_have_attribute("aria-current", "true")
    expect(rows.nth(3)).to_contain_text("Up next")
    play = page.locator(".details-actions").get_by_role("link", name="▶ Play S2:E4")
    expect(play).to_have_attribute("href", f"/watch/series/{series['id']}?season=2&episode=4")
    expect(page.get_by_role("progressbar")).to_have_count(0)  # nothing started: no 0 % bar
    page.screenshot(path=str(shots / "series-up-next-desktop.png"))
    check_page(page, errors, series["title"])
    page.close()


@pytest.mark.parametrize("size", SIZES)
def test_movie_details(
    browser: Any, server: str, world: dict[str, Any], shots: Path, size: str
) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, server, size, f"/title/movie/{MOVIE}")
    facts = page.get_by_role("list", name="Facts")
    expect(facts).to_contain_text("1999")
    expect(facts).to_contain_text("2h 19m")
    expect(facts).to_contain_text("Drama")
    expect(facts.get_by_label("Rated R")).to_be_visible()
    expect(page.locator(".about")).to_contain_text("David Fincher")
    expect(page.locator(".details-actions").get_by_role("link", name="▶ Play")).to_have_attribute(
        "href", f"/watch/movie/{MOVIE}"
    )
    cast = page.get_by_role("region", name="Cast")
    norton = cast.get_by_role("listitem").filter(has_text="Edward Norton")
    expect(norton).to_contain_text("Narrator")
    photo = norton.locator("img")
    expect(photo).to_have_attribute("src", re.compile(r"^/images/t/p/w185/"))
    photo.scroll_into_view_if_needed()
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("img => img.naturalWidth > 0")
    more = page.get_by_role("region", name="More like this")
    expect(more.locator("a.card").first).to_be_visible()
    expect(more.locator("a.card").first).to_have_attribute(
        "href", re.compile(r"^/title/(movie|series)/\d+$")
    )
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.evaluate("scrollTo(0, 0)")
    # From the title (focused on arrival) the keyboard reaches Play (after the overview's "More"
    # when it is clamped), then My List.
    page.get_by_role("heading", level=1).focus()
    more = page.get_by_role("button", name="More", exact=True)
    if more.is_visible():
        page.keyboard.press("Tab")
        expect(more).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".details-actions .play")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="My List")).to_be_focused()
    page.screenshot(path=str(shots / f"movie-{size}.png"))
    check_page(page, errors, "Fight Club")
    page.close()
