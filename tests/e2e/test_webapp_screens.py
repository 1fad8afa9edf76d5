"""The web app as a member meets it, at a desktop and a phone width: errors in words, no
sideways scrolling on any screen, My List and Viewing activity reachable from the navigation,
Continue Watching with remove, profiles as tiles, rows with one tab stop and arrow keys, and an
accessibility audit (axe-core) of the main screens."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD
from tests.e2e.browser import serious_violations, serving_migrated

pytestmark = pytest.mark.browser

FIGHT_CLUB = 550
FORREST_GUMP = 13
STAR_WARS = 11
WIDTHS = [(1440, 900), (390, 844)]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with serving_migrated(tmp_path) as base:
        yield base


PageMaker = Callable[..., Any]


@pytest.fixture
def open_page(browser: Any) -> Iterator[PageMaker]:
    """Pages of the module's Chromium, each in a context of its own (closed after the test)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
    contexts: list[Any] = []

    def make(width: int, height: int, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _member(server: str, email: str, name: str) -> dict[str, str]:
    """A member made through the API, with a history: the profile token's headers."""
    assert (
        httpx.post(
            f"{server}/api/users",
            json={"email": email, "password": PASSWORD, "display_name": name},
            timeout=10,
        ).status_code
        == 201
    )
    token = httpx.post(
        f"{server}/api/auth/token", json={"email": email, "password": PASSWORD}, timeout=10
    ).json()["access_token"]
    account = {"Authorization": f"Bearer {token}"}
    profiles = httpx.get(f"{server}/api/users/me/profiles", headers=account, timeout=10).json()
    main = profiles["items"][0]["id"]
    chosen = httpx.post(
        f"{server}/api/users/me/profiles/{main}/token", headers=account, json={}, timeout=10
    ).json()
    headers = {"Authorization": f"Bearer {chosen['access_token']}"}
    for title in (FORREST_GUMP, STAR_WARS):
        assert httpx.put(f"{server}/api/profile/list/{title}", headers=headers).status_code < 300
    for seq, title in enumerate((FORREST_GUMP, FIGHT_CLUB), start=1):
        answer = httpx.put(
            f"{server}/api/profile/progress/{title}",
            headers=headers,
            json={"position_seconds": 1800, "duration_seconds": 7200, "sequence": seq},
        )
        assert answer.status_code < 300, answer.text
    return headers


def _sign_in(page: Any, server: str, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}/signin", wait_until="load")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Who's watching?")).to_be_visible()


def _no_sideways_scroll(page: Any, where: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where}: the page is {width[0]} px wide in {width[1]}"


def _no_null_text(page: Any, where: str) -> None:
    text = page.locator("body").inner_text()
    assert not re.search(r"\b(null|undefined|NaN)\b", text), f"{where}: {text[:400]}"


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["1440", "390"])
def test_errors_read_as_words(server: str, open_page: PageMaker, width: int, height: int) -> None:
    from playwright.sync_api import expect

    page = open_page(width, height)
    page.goto(f"{server}/signup", wait_until="load")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Check the highlighted fields.")
    form = page.locator("form")
    expect(form.locator(".field[data-name=password] .field-error")).to_have_text(
        "Password needs at least 10 characters."
    )
    expect(form.locator(".field[data-name=display_name] .field-error")).to_have_text(
        "Enter your name."
    )
    expect(page.get_by_label("Your name")).to_be_focused()
    body = page.locator("body").inner_text()
    for jargon in ("Unprocessable", "String should", "null", "undefined"):
        assert jargon not in body, (jargon, body)
    _no_sideways_scroll(page, "sign-up")

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong-password-here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong.")
    _no_null_text(page, "sign-in")


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["1440", "390"])
def test_every_screen_fits_and_my_list_and_activity_are_in_reach(
    server: str, open_page: PageMaker, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    email = f"lin-{width}@example.com"
    headers = _member(server, email, "Lin")
    page = open_page(width, height)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    _sign_in(page, server, email)
    # Who's watching? offers a tile to add a profile.
    expect(page.get_by_role("link", name="Add profile")).to_be_visible()
    _no_sideways_scroll(page, "profiles")
    page.get_by_role("button", name="Lin").click()
    expect(page).to_have_url(f"{server}/browse")

    # A title being watched stays in My List too.
    watching = page.get_by_role("region", name="Continue Watching")
    listed = page.get_by_role("region", name="My List")
    expect(watching.locator(f'a.card[data-id="{FORREST_GUMP}"]')).to_be_visible()
    expect(listed.locator(f'a.card[data-id="{FORREST_GUMP}"]')).to_be_attached()
    _no_sideways_scroll(page, "home")

    nav = page.get_by_role("navigation", name="Main")
    for name, path in [
        ("Series", "/series"),
        ("Movies", "/movies"),
        ("New & Popular", "/latest"),
        ("My List", "/my-list"),
    ]:
        nav.get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(f"{server}{path}")
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        if path != "/my-list":
            expect(page.locator("section.row a.card").first).to_be_visible()
        _no_sideways_scroll(page, path)
        _no_null_text(page, path)

    # My List: both titles; one removed here is gone from the list on the server too.
    grid = page.locator("main .grid")
    expect(grid.locator("a.card")).to_have_count(2)
    # A refused removal leaves the title and a usable button, and says why.
    refusal = json.dumps(
        {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "Try that again."}
    )
    page.route(
        re.compile(rf"/api/profile/list/{STAR_WARS}$"),
        lambda route: route.fulfill(
            status=409, headers={"Content-Type": "application/problem+json"}, body=refusal
        ),
        times=1,
    )
    remove = page.get_by_role("button", name=re.compile("^Remove Star Wars from My List"))
    remove.click()
    expect(page.get_by_text("Star Wars could not be removed. Try that again.")).to_be_visible()
    expect(remove).to_be_enabled()
    expect(grid.locator("a.card")).to_have_count(2)
    remove.click()
    expect(grid.locator("a.card")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="1 title")).to_be_visible()
    mine = httpx.get(f"{server}/api/profile/list", headers=headers, timeout=10).json()
    assert [i["title"]["id"] for i in mine["items"]] == [FORREST_GUMP]

    # Continue Watching: remove a title from the row, on the home screen.
    nav.get_by_role("link", name="Home", exact=True).click()
    card = watching.locator(f'a.card[data-id="{FIGHT_CLUB}"]')
    expect(card).to_be_visible()
    bar = card.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "25")
    watching.get_by_role("button", name="Remove Fight Club from Continue Watching").click()
    expect(card).to_have_count(0)
    expect(page.get_by_text("Removed Fight Club from Continue Watching.")).to_be_visible()
    still = httpx.get(f"{server}/api/profile/continue-watching", headers=headers, timeout=10).json()
    assert FIGHT_CLUB not in [i["title"]["id"] for i in still["items"]]

    # Viewing activity (the account menu) lists both; hiding one takes it off.
    page.get_by_role("button", name=re.compile("^Account menu")).click()
    page.get_by_role("link", name="Viewing activity").click()
    expect(page.get_by_role("heading", name="Viewing activity", level=1)).to_be_visible()
    activity = page.locator(".activity-item")
    expect(activity).to_have_count(2)
    expect(activity.first).to_contain_text("25% watched")
    page.get_by_role("button", name="Hide Forrest Gump from viewing activity").click()
    expect(activity).to_have_count(1)
    _no_sideways_scroll(page, "activity")

    for path in ("/search?q=star", f"/title/movie/{FIGHT_CLUB}", "/profiles/manage"):
        page.goto(f"{server}{path}", wait_until="load")
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        _no_sideways_scroll(page, path)
        _no_null_text(page, path)
    # The one refusal above, as the browser itself reports it; nothing else.
    assert console == [
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ], console


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["1440", "390"])
def test_rows_take_one_tab_stop_and_arrow_keys(
    server: str, open_page: PageMaker, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    email = f"kb-{width}@example.com"
    _member(server, email, "Kay")
    page = open_page(width, height)
    _sign_in(page, server, email)
    page.get_by_role("button", name="Kay").click()
    trending = page.get_by_role("region", name="Trending Now")
    cards = trending.locator("a.card")
    expect(cards.first).to_be_visible()
    # One tab stop in the row: every card but one is out of the tab order.
    stops = trending.locator(".row-items [tabindex='0']")
    expect(stops).to_have_count(1)
    # Its scroll arrows show where there is a pointer to use them (the row overflows; a
    # phone swipes), and are never tab stops.
    arrows = trending.locator(".scroll-button")
    if width > 640:
        expect(arrows.first).to_be_visible()
    else:
        expect(arrows.first).to_be_hidden()
    assert arrows.evaluate_all("bs => bs.every(b => b.tabIndex === -1)")
    # The artwork carries the title: nothing is printed under a poster a second time.
    printed = cards.first.evaluate(
        """card => [...card.querySelectorAll("*")].filter(el =>
            !el.closest(".visually-hidden") && el.children.length === 0
            && el.textContent.trim() && el.getClientRects().length).length"""
    )
    assert printed == 0, printed
    expect(cards.first).to_have_accessible_name(re.compile(r"\S"))
    # A short row (My List: 2 titles) shows no arrows.
    expect(
        page.get_by_role("region", name="My List").locator(".scroll-button").first
    ).to_be_hidden()

    cards.first.focus()
    page.keyboard.press("ArrowRight")
    expect(cards.nth(1)).to_be_focused()
    expect(cards.nth(1)).to_have_attribute("tabindex", "0")
    expect(cards.first).to_have_attribute("tabindex", "-1")
    page.keyboard.press("End")
    last = trending.locator(".row-items a.card, .row-items .more-card").last
    expect(last).to_be_focused()
    page.keyboard.press("Home")
    expect(cards.first).to_be_focused()
    # Down: the same row position below; Tab: out of the row in one press.
    page.keyboard.press("ArrowDown")
    below = page.locator("section.row").nth(
        page.locator("section.row").evaluate_all(
            "rows => rows.findIndex(r => r.dataset.row === 'trending')"
        )
        + 1
    )
    assert below.evaluate("row => row.contains(document.activeElement)")
    page.keyboard.press("ArrowUp")
    expect(cards.first).to_be_focused()
    page.keyboard.press("Tab")
    assert not trending.evaluate("row => row.contains(document.activeElement)")
    # Tabbing through the whole page (it wraps round) stops at one card per row.
    page.locator("main").focus()
    tab_stops: dict[str, set[str]] = {}
    for _ in range(60):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => {
                const el = document.activeElement, row = el.closest("section.row");
                return row && el.matches("a.card") ? [row.dataset.row, el.dataset.id] : null;
            }"""
        )
        if where:
            tab_stops.setdefault(where[0], set()).add(where[1])
    rows = page.locator("section.row").count()
    assert len(tab_stops) == rows, (sorted(tab_stops), rows)
    assert all(len(cards) == 1 for cards in tab_stops.values()), tab_stops


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["1440", "390"])
def test_profiles_are_tiles_edited_one_at_a_time(
    server: str, open_page: PageMaker, width: int, height: int
) -> None:
    from playwright.sync_api import expect

    email = f"pat-{width}@example.com"
    _member(server, email, "Pat")
    page = open_page(width, height)
    _sign_in(page, server, email)
    page.get_by_role("link", name="Add profile").click()
    form = page.get_by_role("form", name="Add a profile")
    form.get_by_label("Name").fill("Sam")
    form.get_by_label("Green").check()  # avatars are pictures, named for screen readers
    form.get_by_role("button", name="Add profile").click()
    expect(page.get_by_role("link", name="Edit Sam")).to_be_visible()
    # Tiles, no open forms; the avatar is an image.
    assert page.locator("form").count() == 0
    sam = page.get_by_role("link", name="Edit Sam").locator("img")
    expect(sam).to_have_attribute("src", "/webapp/avatars/green.svg")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=sam.element_handle())
    page.get_by_role("link", name="Edit Pat").click()
    expect(page.locator("form")).to_have_count(1)
    expect(page.get_by_role("form", name="Edit Pat")).to_be_visible()
    _no_sideways_scroll(page, "edit profile")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Edit Pat")).to_be_visible()
    _no_sideways_scroll(page, "manage profiles")


def test_main_screens_pass_an_accessibility_audit(server: str, open_page: PageMaker) -> None:
    """axe-core (WCAG 2.1 A and AA rules): no serious or critical finding on sign-in, profiles,
    home, details or the player."""
    from playwright.sync_api import expect

    email = "axe@example.com"
    _member(server, email, "Alex")
    # The audit script is injected: the app's CSP (rightly) refuses inline scripts.
    page = open_page(1440, 900, bypass_csp=True)
    findings: dict[str, list[dict[str, Any]]] = {}
    page.goto(f"{server}/signin", wait_until="load")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    findings["sign-in"] = serious_violations(page)
    _sign_in(page, server, email)
    findings["profiles"] = serious_violations(page)
    page.get_by_role("button", name="Alex").click()
    expect(page.get_by_role("region", name="Trending Now").locator("a.card").first).to_be_visible()
    findings["home"] = serious_violations(page)
    page.goto(f"{server}/title/movie/{FIGHT_CLUB}", wait_until="load")
    expect(page.get_by_role("heading", name="Fight Club", level=1)).to_be_visible()
    findings["details"] = serious_violations(page)
    page.goto(f"{server}/watch/movie/{FIGHT_CLUB}", wait_until="load")
    expect(page.get_by_role("slider").first).to_be_visible()
    findings["player"] = serious_violations(page)
    page.goto(f"{server}/profiles/manage?edit=1", wait_until="load")
    expect(page.locator("main h1")).to_be_visible()
    findings["manage profiles"] = serious_violations(page)
    assert {k: v for k, v in findings.items() if v} == {}
