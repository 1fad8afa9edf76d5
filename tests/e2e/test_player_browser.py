"""The web app's player in a real browser, at a phone's and a desktop's width.

There is no video: the player is a timeline over the title's dimmed backdrop that plays in real
time, so every test installs Playwright's clock and runs the player's seconds on demand (never
sleeping). Checked: a full-viewport stage without the site header, the keyboard (Space/k, ← →,
f, m, Esc), full screen, controls that hide while playing and come back on activity (but never
while a control has keyboard focus), the resume prompt, and a series' "Up next" countdown that
plays the next episode (across a season boundary) whose heartbeats reach the server.

Headless Chromium from Debian (`/usr/bin/chromium`), driven by Playwright for Python; never
`playwright install`. Screenshots go to $SCREENSHOT_DIR (or the test's tmp_path), printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.browser import CONTRAST, serving_migrated

pytestmark = pytest.mark.browser

PASSWORD = "analytical-engine-1843"
MOVIE = 11  # Star Wars: rated PG, 121 minutes, a backdrop in the demo catalog
HEIGHTS = {390: 844, 1440: 900}
WIDTHS = pytest.mark.parametrize("width", [390, 1440])

NO_SCROLL_X = "document.documentElement.scrollWidth <= window.innerWidth"
SECONDS = """() => { const [m, s] = document.querySelector('.player-elapsed').textContent
    .split(':').map(Number); return m * 60 + s; }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_migrated(tmp_path_factory.mktemp("player")) as base:
        yield base


class Member:
    """A signed-in member's page, with what the page said on its console."""

    def __init__(self, server: str, browser: Any, width: int, name: str) -> None:
        from playwright.sync_api import expect

        expect.set_options(timeout=15_000)
        email = f"{name.lower()}-{width}@example.com"
        answer = httpx.post(
            f"{server}/api/users",
            json={"email": email, "password": PASSWORD, "display_name": name},
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        self.server = server
        self.context = browser.new_context(viewport={"width": width, "height": HEIGHTS[width]})
        self.page = page = self.context.new_page()
        page.set_default_timeout(15_000)
        self.console: list[str] = []
        page.on(
            "console",
            lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.progress: list[tuple[dict[str, Any], int]] = []
        page.on("requestfinished", self._heartbeat)
        page.clock.install()  # real time flows; the player's minutes are run on demand
        page.goto(f"{server}/signin", wait_until="load")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name=name).click()
        expect(page).to_have_url(f"{server}/browse")

    def _heartbeat(self, request: Any) -> None:
        if request.method == "PUT" and "/api/profile/progress/" in request.url:
            response = request.response()
            self.progress.append((json.loads(request.post_data or "{}"), response.status))

    def open(self, path: str) -> None:
        """Load a page, then stop the page's clock: the player's time moves only when run."""
        self.page.goto(f"{self.server}{path}", wait_until="load")
        self.page.clock.pause_at(self.page.evaluate("Date.now()") / 1000 + 1)  # seconds

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        token = self.page.evaluate("JSON.parse(localStorage.getItem('nc.session')).profileToken")
        answer = httpx.request(
            method,
            f"{self.server}{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
            **kwargs,
        )
        answer.raise_for_status()
        return answer.json()

    def check_clean(self) -> None:
        """No console errors, no "null"/"undefined" shown, no horizontal scroll."""
        text = self.page.locator("body").inner_text()
        assert not re.search(r"\b(null|undefined|NaN)\b", text), text
        assert self.page.evaluate(NO_SCROLL_X)
        errors = [c for c in self.console if not c.startswith("Failed to load resource")]
        assert errors == [], errors
        assert self.page.evaluate(CONTRAST) == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def member(server: str, browser: Any) -> Iterator[Any]:
    made: list[Member] = []

    def make(width: int, name: str) -> Member:
        made.append(Member(server, browser, width, name))
        return made[-1]

    yield make
    for one in made:
        one.close()


@WIDTHS
def test_player_stage_keyboard_and_fullscreen(member: Any, shots: Path, width: int) -> None:
    from playwright.sync_api import expect

    ada = member(width, "Ada")
    page = ada.page
    ada.open(f"/watch/movie/{MOVIE}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Star Wars")
    player = page.locator("section.player")
    # A full-viewport stage: no site header or footer, the dimmed backdrop behind.
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    box = player.bounding_box()
    assert box is not None and (box["width"], box["height"]) == (width, HEIGHTS[width])
    expect(player.locator(".player-backdrop img")).to_have_attribute("src", re.compile("^/images/"))
    expect(page.get_by_role("link", name="← Back to Star Wars")).to_be_visible()
    for name in ("Play", "Back 10 seconds", "Forward 10 seconds", "Mute", "Full screen"):
        expect(player.get_by_role("button", name=name, exact=True)).to_be_visible()
    timeline = page.get_by_role("slider", name="Timeline")
    expect(timeline).to_have_value("0")
    expect(page.locator(".player-remaining")).to_have_text("\u22122:01:00")  # a minus sign
    ada.check_clean()
    page.screenshot(path=str(shots / f"player-paused-{width}.png"))

    # Space plays (the focus is on the heading, as on every new screen); time runs with the clock.
    expect(heading).to_be_focused()
    page.keyboard.press("Space")
    expect(player.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    page.clock.run_for(5_000)
    expect(page.locator(".player-elapsed")).to_have_text("0:05")

    # Idle for 3 s while playing: the controls fade out; a mouse move brings them back.
    expect(player).to_have_class(re.compile(r"\bis-idle\b"))
    expect(page.locator(".player-bar")).to_have_css("opacity", "0")
    page.mouse.move(width / 2, HEIGHTS[width] / 2)
    expect(player).not_to_have_class(re.compile(r"\bis-idle\b"))
    expect(page.locator(".player-bar")).to_have_css("opacity", "1")
    page.clock.run_for(4_000)
    expect(player).to_have_class(re.compile(r"\bis-idle\b"))
    expect(page.locator(".player-bar")).to_have_css("opacity", "0")
    page.screenshot(path=str(shots / f"player-idle-{width}.png"))

    # k pauses; a paused player keeps its controls and its time.
    page.keyboard.press("k")
    expect(player.get_by_role("button", name="Play", exact=True)).to_be_visible()
    expect(player).not_to_have_class(re.compile(r"\bis-idle\b"))
    stopped = page.evaluate(SECONDS)
    assert stopped == 9
    page.clock.run_for(5_000)
    expect(player).not_to_have_class(re.compile(r"\bis-idle\b"))
    assert page.evaluate(SECONDS) == stopped

    # → and ← move by 10 s, from the page and on the timeline itself (not 10 s plus its own
    # one-second step).
    page.keyboard.press("ArrowRight")
    expect(timeline).to_have_value(str(stopped + 10))
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(timeline).to_have_value(str(stopped + 10))
    page.keyboard.press("Tab")  # from the heading, the first control: the timeline
    expect(timeline).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(timeline).to_have_value(str(stopped + 20))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(timeline).to_have_value(str(stopped))
    page.keyboard.press("Tab")  # icon buttons: named, with a visible focus ring
    play = player.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_focused()
    ring = play.evaluate(
        "b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2, ring
    page.keyboard.press("Shift+Tab")
    expect(timeline).to_be_focused()

    # Keyboard focus on a control keeps the controls on screen while playing.
    page.keyboard.press("Space")  # on the timeline: play
    expect(player.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    page.clock.run_for(6_000)
    expect(player).not_to_have_class(re.compile(r"\bis-idle\b"))
    page.keyboard.press("k")
    expect(player.get_by_role("button", name="Play", exact=True)).to_be_visible()

    # m mutes (a toggle button).
    mute = player.get_by_role("button", name="Mute", exact=True)
    page.keyboard.press("m")
    expect(mute).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("m")
    expect(mute).to_have_attribute("aria-pressed", "false")

    # f: full screen; Esc leaves it; Esc again goes back to the title.
    full = player.get_by_role("button", name="Full screen", exact=True)
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    expect(full).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(NO_SCROLL_X)
    page.screenshot(path=str(shots / f"player-fullscreen-{width}.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("document.fullscreenElement === null")
    expect(full).to_have_attribute("aria-pressed", "false")
    expect(page).to_have_url(re.compile(rf"/watch/movie/{MOVIE}$"))
    ada.check_clean()
    page.clock.run_for(1_000)
    page.keyboard.press("Escape")
    expect(page).to_have_url(f"{ada.server}/title/movie/{MOVIE}")
    expect(page.get_by_role("heading", name="Star Wars", level=1)).to_be_visible()
    expect(page.locator(".site-header")).to_be_visible()
    ada.check_clean()
    # Every heartbeat was answered, in increasing order.
    sequences = [body["sequence"] for body, _ in ada.progress]
    assert ada.progress and sequences == sorted(set(sequences)), ada.progress
    assert {status for _, status in ada.progress} == {200}, ada.progress


@WIDTHS
def test_resume_prompt(member: Any, shots: Path, width: int) -> None:
    from playwright.sync_api import expect

    grace = member(width, "Grace")
    page = grace.page
    saved = 12 * 60 + 34
    grace.api(
        "PUT",
        f"/api/profile/progress/movie/{MOVIE}",
        json={"position_seconds": saved, "duration_seconds": 7260, "sequence": 1},
    )
    grace.open(f"/watch/movie/{MOVIE}")
    resume = page.get_by_role("button", name="Resume from 12:34")
    expect(resume).to_be_visible()
    expect(page.get_by_role("button", name="Start from the beginning")).to_be_visible()
    timeline = page.get_by_role("slider", name="Timeline")
    expect(timeline).to_have_value(str(saved))  # resuming is the default
    grace.check_clean()
    page.screenshot(path=str(shots / f"player-resume-{width}.png"))

    # The keyboard reaches the prompt first; resuming plays from the saved position.
    page.keyboard.press("Tab")
    expect(resume).to_be_focused()
    page.keyboard.press("Enter")
    play = page.locator("section.player").get_by_role("button", name="Pause", exact=True)
    expect(play).to_be_focused()
    expect(resume).to_have_count(0)
    page.clock.run_for(3_000)
    expect(timeline).to_have_value(str(saved + 3))
    page.keyboard.press("k")

    # Next time: starting over plays from 0.
    grace.open(f"/watch/movie/{MOVIE}")
    expect(page.get_by_role("button", name=re.compile(r"^Resume from 12:3\d$"))).to_be_visible()
    page.get_by_role("button", name="Start from the beginning").click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    expect(timeline).to_have_value("0")
    page.clock.run_for(2_000)
    expect(timeline).to_have_value("2")
    grace.check_clean()


def _series_with_a_second_season(server: str) -> tuple[dict[str, Any], int]:
    """A popular series whose first season is followed by an aired second one; and the number
    of the first season's last episode."""
    for series in httpx.get(f"{server}/api/series?list=popular", timeout=10).json()["results"]:
        details = httpx.get(f"{server}/api/series/{series['id']}", timeout=10).json()
        seasons = {s["season_number"]: s["episode_count"] for s in details["seasons"]}
        last = details.get("last_episode_to_air") or {}
        if seasons.get(1) and seasons.get(2) and last.get("season_number", 0) >= 2:
            return details, seasons[1]
    pytest.fail("no series in the demo catalog has two aired seasons")


@WIDTHS
def test_up_next_countdown_plays_the_next_episode(
    server: str, member: Any, shots: Path, width: int
) -> None:
    from playwright.sync_api import expect

    series, last_of_first = _series_with_a_second_season(server)
    hedy = member(width, "Hedy")
    page = hedy.page
    hedy.open(f"/watch/series/{series['id']}?season=1&episode={last_of_first}")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"S1:E{last_of_first}")
    expect(page.locator(".site-header")).to_be_hidden()
    up_next = page.get_by_role("region", name="Up next")
    expect(up_next).to_be_hidden()
    timeline = page.get_by_role("slider", name="Timeline")
    duration = int(timeline.get_attribute("max") or 0)
    expect(page.get_by_role("button", name="Next episode")).to_be_visible()

    # The season's episodes, this one marked; Esc closes the list (and stays on the player).
    episodes = page.get_by_role("button", name="Episodes")
    episodes.click()
    expect(episodes).to_have_attribute("aria-expanded", "true")
    listed = page.get_by_role("region", name="Season 1").get_by_role("link")
    expect(listed).to_have_count(last_of_first)
    current = listed.nth(last_of_first - 1)
    expect(current).to_have_attribute("aria-current", "true")
    expect(current).to_be_focused()
    assert page.evaluate(NO_SCROLL_X)
    page.screenshot(path=str(shots / f"player-episodes-{width}.png"))
    page.keyboard.press("Escape")
    expect(page.get_by_role("region", name="Season 1")).to_be_hidden()
    expect(episodes).to_be_focused()
    expect(page).to_have_url(re.compile(rf"season=1&episode={last_of_first}$"))

    # Near the end the card shows the next episode (the second season's first) and counts down.
    timeline.fill(str(duration - 40))
    page.keyboard.press("k")
    page.clock.run_for(11_000)
    expect(up_next).to_be_visible()
    expect(up_next).to_contain_text("S2:E1")
    expect(up_next.locator(".player-upnext-count")).to_have_text(
        re.compile(r"^Next episode in \d+$")
    )
    hedy.check_clean()
    page.screenshot(path=str(shots / f"player-up-next-{width}.png"))

    # Cancel stops it: the episode plays on to its end and stays.
    up_next.get_by_role("button", name="Cancel").click()
    expect(up_next).to_be_hidden()
    page.clock.run_for(15_000)
    expect(heading).to_contain_text(f"S1:E{last_of_first}")
    expect(page).to_have_url(re.compile(rf"season=1&episode={last_of_first}$"))

    # Back out of the last 30 s and on again: the card is back, and at 0 the next episode plays.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(up_next).to_be_hidden()
    page.clock.run_for(14_500)  # 44 s left, then 30: the card shows
    expect(up_next).to_be_visible()
    expect(up_next.locator(".player-upnext-count")).to_have_text("Next episode in 10")
    page.clock.run_for(5_000)
    expect(up_next.locator(".player-upnext-count")).to_have_text("Next episode in 5")
    page.clock.run_for(5_000)
    expect(page).to_have_url(re.compile(r"season=2&episode=1$"))
    expect(heading).to_contain_text("S2:E1")
    player = page.locator("section.player")
    expect(player.get_by_role("button", name="Pause", exact=True)).to_be_visible()  # it plays

    # Its heartbeats reach the server: three minutes in, Continue Watching is at S2:E1.
    page.clock.run_for(180_000)
    page.keyboard.press("k")
    expect(page.get_by_role("status").filter(has_text="Progress saved at 3:")).to_be_visible()
    sent = [(body, status) for body, status in hedy.progress if body.get("season_number") == 2]
    assert sent and all(status == 200 for _, status in sent), hedy.progress
    watching = hedy.api("GET", "/api/profile/continue-watching")["items"]
    item = next(i for i in watching if i["title"]["id"] == series["id"])
    assert item["episode"] == {"season_number": 2, "episode_number": 1}, item
    assert 175 <= item["position_seconds"] <= 185, item
    hedy.check_clean()

    # After the last aired episode there is nothing up next.
    last = series["last_episode_to_air"]
    later = [
        s["season_number"] for s in series["seasons"] if s["season_number"] > last["season_number"]
    ]
    asked = min(later) if later else last["season_number"]  # where the player looks for a next
    with page.expect_response(re.compile(rf"/api/series/{series['id']}/seasons/{asked}$")):
        hedy.open(
            f"/watch/series/{series['id']}"
            f"?season={last['season_number']}&episode={last['episode_number']}"
        )
    expect(heading).to_contain_text(f"S{last['season_number']}:E{last['episode_number']}")
    timeline.fill(str(int(timeline.get_attribute("max") or 0) - 10))
    page.keyboard.press("k")
    page.clock.run_for(12_000)
    expect(page.locator("section.player")).to_have_class(re.compile(r"\bis-ended\b"))
    expect(up_next).to_be_hidden()
    expect(page.get_by_role("button", name="Next episode")).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"episode={last['episode_number']}$"))
    hedy.check_clean()
