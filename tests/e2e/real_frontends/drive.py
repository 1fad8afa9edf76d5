"""Drive a real Netflix-clone frontend, built elsewhere, through our gateway; record its requests.

Not a test (building the three frontends takes minutes and needs npm): run it by hand after
building one of them with its TMDB base URL pointed at `/tmdb/3` (see README.md beside this
file), and commit the request list it writes. `tests/e2e/test_real_frontends.py` replays those
lists against the gateway on every run.

    .venv/bin/python -m tests.e2e.real_frontends.drive n4si /tmp/fe/DevSecOps-Project/dist \\
        --shots /tmp/fe/shots

The app under test is ours (demo catalog, SPA_DIR = the build) under a real WSGI server on
loopback, and Debian's Chromium driven by Playwright. Nothing leaves the machine: requests to
other hosts are aborted (YouTube, fonts) or, for the two third-party services netflix-gpt needs
before it shows anything (Firebase sign-in, OpenAI's chat completion), answered by stubs here.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.e2e.browser import chromium, serving

HERE = Path(__file__).parent
SOURCES = {
    "n4si": ("N4si/DevSecOps-Project", "a874f9a"),
    "devandres": ("devandres-tech/Netflix-Clone", "0741312"),
    "netflix-gpt": ("akshaymarch7/netflix-gpt", "6357fde"),
}
GPT_ANSWER = "The Lion King, Spirited Away, Inception, Parasite, Interstellar"


@dataclass
class Journey:
    name: str
    base: str
    shots: Path
    page: Any
    responses: list[dict[str, Any]] = field(default_factory=list)
    bodies: dict[str, Any] = field(default_factory=dict)  # gateway path -> JSON answer
    external: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    step: str = "start"

    def check(self, what: str, passed: bool, detail: Any = None) -> None:
        self.checks.append({"step": self.step, "check": what, "passed": passed, "detail": detail})
        print(f"  [{'ok' if passed else 'FAIL'}] {self.step}: {what} {detail if detail else ''}")

    def shot(self, label: str) -> None:
        path = self.shots / f"{self.name}-{label}.png"
        self.page.screenshot(path=str(path), full_page=False)
        print(f"  screenshot {path}")

    def trailers(self) -> list[tuple[str, str | None]]:
        """(path, first video key) of every answer with videos the page received."""
        found = []
        for path, body in self.bodies.items():
            if "videos" not in path or not isinstance(body, dict):
                continue
            videos = body.get("videos", body)
            results = videos.get("results") if isinstance(videos, dict) else None
            if isinstance(results, list):
                found.append((path, (results or [{}])[0].get("key")))
        return found

    def settle(self, seconds: float = 1.5) -> None:
        """Wait until no request of ours has been pending for `seconds`."""
        self.page.wait_for_load_state("networkidle", timeout=30_000)
        self.page.wait_for_timeout(int(seconds * 1000))


def _fake_jwt(email: str) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://securetoken.google.com/stub",
        "aud": "stub",
        "auth_time": now,
        "user_id": "demo-user",
        "sub": "demo-user",
        "iat": now,
        "exp": now + 3600,
        "email": email,
        "firebase": {"sign_in_provider": "password"},
    }

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


def _stub_third_parties(route: Any) -> bool:
    """Firebase Auth's REST sign-in and OpenAI's chat completion, as netflix-gpt needs them."""
    url = route.request.url
    email = "member@example.com"
    if "identitytoolkit.googleapis.com" in url and "signInWithPassword" in url:
        body = {
            "kind": "identitytoolkit#VerifyPasswordResponse",
            "localId": "demo-user",
            "email": email,
            "displayName": "Member",
            "idToken": _fake_jwt(email),
            "registered": True,
            "refreshToken": "stub-refresh",
            "expiresIn": "3600",
        }
    elif "identitytoolkit.googleapis.com" in url and "accounts:lookup" in url:
        body = {
            "kind": "identitytoolkit#GetAccountInfoResponse",
            "users": [
                {
                    "localId": "demo-user",
                    "email": email,
                    "displayName": "Member",
                    "emailVerified": False,
                    "providerUserInfo": [],
                    "validSince": "0",
                    "lastLoginAt": "0",
                    "createdAt": "0",
                }
            ],
        }
    elif "api.openai.com" in url and route.request.method == "OPTIONS":
        route.fulfill(status=204, headers=_cors())
        return True
    elif "api.openai.com" in url and "chat/completions" in url:
        body = {
            "id": "stub",
            "object": "chat.completion",
            "created": 0,
            "model": "stub",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": GPT_ANSWER},
                }
            ],
        }
    else:
        return False
    route.fulfill(
        status=200, content_type="application/json", headers=_cors(), body=json.dumps(body)
    )
    return True


def _cors() -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    }


# ---------------------------------------------------------------------------- the journeys


def _texts(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def _images(page: Any, selector: str = "img") -> tuple[int, int]:
    """(images of ours in the page, of them loaded with a size): broken ones are not loaded."""
    _wait_images(page)
    found: tuple[int, int] = page.evaluate(
        """(selector) => {
            const mine = [...document.querySelectorAll(selector)]
                .filter(i => i.src.startsWith(location.origin + '/images/'));
            return [mine.length, mine.filter(i => i.complete && i.naturalWidth > 0).length];
        }""",
        selector,
    )
    return tuple(found)  # type: ignore[return-value]


def _wait_images(page: Any) -> None:
    """Until every image of ours in the page has finished loading (or 30 s have passed)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('img')]
            .filter(i => i.src.startsWith(location.origin + '/images/'))
            .every(i => i.complete)""",
        timeout=30_000,
    )


def _scroll_through(page: Any) -> None:
    height = page.evaluate("document.body.scrollHeight")
    for y in range(0, int(height) + 800, 500):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(150)
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_timeout(500)


def n4si(j: Journey) -> None:
    page = j.page
    j.step = "home"
    page.goto(f"{j.base}/", wait_until="load")
    page.wait_for_url("**/browse")
    page.wait_for_selector("h2", timeout=30_000)
    j.settle()
    hero = page.locator("h2").first.inner_text().strip()
    j.check("hero title", bool(hero), hero)
    j.shot("home")
    _scroll_through(page)
    j.settle()
    rows = page.evaluate(
        """() => [...document.querySelectorAll('.slick-slider')].map(s => {
            const row = s.parentElement.parentElement;
            const title = row.querySelector('a, h5, h6, p');
            return [title ? title.innerText.trim() : '?', s.querySelectorAll('img').length];
        })"""
    )
    j.check("rows", len(rows) >= 20 and all(n > 0 for _, n in rows), rows)
    total, loaded = _images(page)
    j.check("images load", total > 100 and loaded == total, (total, loaded))
    j.shot("rows")
    j.step = "details"
    page.evaluate("window.scrollTo(0, 0)")
    page.get_by_role("button", name=re.compile("More Info", re.I)).first.click()
    page.wait_for_selector("#detail_dialog", timeout=15_000)
    j.settle()
    dialog = page.locator("#detail_dialog")
    title = dialog.locator("h4").first.inner_text().strip()
    j.check("details title", bool(title), title)
    similar = dialog.locator("img").count()
    j.check("more like this", similar > 0, similar)
    keys = j.trailers()
    j.check("trailers with a key", bool(keys) and all(k for _, k in keys), keys)
    j.shot("details")
    page.keyboard.press("Escape")
    j.step = "genre page"
    page.goto(f"{j.base}/genre/99", wait_until="load")
    page.wait_for_selector("img", timeout=30_000)
    j.settle()
    _scroll_through(page)
    j.settle()
    total, loaded = _images(page)
    j.check("documentaries grid", total >= 20 and loaded == total, (total, loaded))
    j.shot("genre-99")
    page.goto(f"{j.base}/genre/top_rated", wait_until="load")
    page.wait_for_selector("img", timeout=30_000)
    j.settle()
    total, loaded = _images(page)
    j.check("top rated grid", total >= 20 and loaded == total, (total, loaded))


def devandres(j: Journey) -> None:
    page = j.page
    j.step = "home"
    page.goto(f"{j.base}/", wait_until="load")
    page.wait_for_selector(".movieShowcase__heading", timeout=30_000)
    j.settle()
    headings = _texts(page, ".movieShowcase__heading")
    counts = page.evaluate(
        """() => [...document.querySelectorAll('.movieShowcase__container')]
            .map(c => c.querySelectorAll('img').length)"""
    )
    j.check(
        "rows",
        len(headings) == 8 and all(n > 0 for n in counts),
        list(zip(headings, counts, strict=False)),
    )
    hero = page.locator(".header__container-heading").inner_text().strip()
    j.check("hero title (tv/63351)", bool(hero), hero or "(empty: tv/63351 is not in the data)")
    total, loaded = _images(page)
    j.check("images load", total > 50 and loaded == total, (total, loaded))
    j.shot("home")
    _scroll_through(page)
    j.shot("rows")
    j.step = "details"
    page.locator(".movieShowcase__container--movie").nth(2).click(force=True)
    page.wait_for_selector(".modal__title", timeout=15_000)
    title = page.locator(".modal__title").inner_text().strip()
    j.check("details modal", bool(title), title)
    j.shot("details")
    page.goto(f"{j.base}/", wait_until="load")
    j.step = "search"
    box = page.locator(".navigation__container--left__input")
    box.click()
    box.press_sequentially("stranger things", delay=60)
    page.wait_for_url(re.compile(r"/search\?q="))
    page.wait_for_selector(".search-container img", timeout=30_000)
    j.settle()
    found = page.locator(".search-container img").count()
    j.check("search results (as typed)", found > 0, found)
    j.shot("search")
    j.step = "tv details"
    page.locator(".search-container .movie__column-poster").first.click()
    page.wait_for_selector(".modal__title", timeout=15_000)
    j.settle()
    title = page.locator(".modal__title").inner_text().strip()
    episodes = page.locator(".modal__episode").inner_text().strip()
    j.check("series details", bool(title) and "Seasons" in episodes, (title, episodes))
    j.shot("tv-details")
    for query in ("the lion king", "infinity", "how to train your dragon", "13"):
        page.goto(f"{j.base}/search?q={query}", wait_until="load")
        j.settle(1.0)
        shown = page.locator(".search-container img").count()
        j.check(f"search {query!r}", shown > 0, shown)


def netflix_gpt(j: Journey) -> None:
    page = j.page
    j.step = "sign in"
    page.goto(f"{j.base}/", wait_until="load")
    page.get_by_placeholder("Email Address").fill("member@example.com")
    page.get_by_placeholder("Password").fill("Secret-pass1")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/browse", timeout=30_000)
    j.step = "home"
    page.wait_for_selector("iframe", timeout=30_000)
    j.settle()
    iframe = page.locator("iframe").first.get_attribute("src") or ""
    key = iframe.split("/embed/")[1].split("?")[0] if "/embed/" in iframe else ""
    j.check("hero trailer key", bool(key) and key != "undefined", iframe)
    hero = page.locator("h1").first.inner_text().strip()
    j.check("hero title", bool(hero), hero)
    rows = page.evaluate(
        """() => [...document.querySelectorAll('h1')].slice(1).map(h => [h.innerText,
            h.parentElement.querySelectorAll('img').length])"""
    )
    j.check("rows", len(rows) == 5 and all(n > 0 for _, n in rows), rows)
    total, loaded = _images(page)
    j.check("images load", total > 50 and loaded == total, (total, loaded))
    j.shot("home")
    _scroll_through(page)
    j.shot("rows")
    j.step = "gpt search"
    page.get_by_role("button", name="GPT Search").click()
    page.locator("input[type=text]").fill("five films everyone should see")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function("() => document.querySelectorAll('h1').length >= 5", timeout=30_000)
    j.settle()
    found = page.evaluate(
        """() => [...document.querySelectorAll('h1')].map(h => [h.innerText.trim(),
            h.parentElement.querySelectorAll('img').length])"""
    )
    j.check("search rows", len(found) == 5 and all(n > 0 for _, n in found), found)
    total, loaded = _images(page)
    j.check("images load", loaded == total, (total, loaded))
    j.shot("search")


JOURNEYS: dict[str, Callable[[Journey], None]] = {
    "n4si": n4si,
    "devandres": devandres,
    "netflix-gpt": netflix_gpt,
}


def drive(name: str, dist: Path, shots: Path, out: Path | None) -> bool:
    shots.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(Path(tmp), spa_dir=dist, log_level="WARNING") as base,
    ):
        origin = urlsplit(base).netloc
        with chromium() as browser:
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            journey = Journey(name, base, shots, page)

            def route(r: Any) -> None:
                if urlsplit(r.request.url).netloc == origin:
                    r.continue_()
                elif not _stub_third_parties(r):
                    journey.external.append(r.request.url.split("?")[0])
                    r.abort()

            context.route("**/*", route)
            page.on("response", lambda r: _record(journey, origin, r))
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
            JOURNEYS[name](journey)
            context.close()
    ours = [r for r in journey.responses if r["path"].startswith(("/tmdb/", "/images/"))]
    honest = [r for r in ours if _honest_404(journey, r)]
    bad = [r for r in ours if not 200 <= r["status"] < 300 and r not in honest]
    journey.step = "all"
    journey.check("non-2xx answers of the gateway and images", not bad, bad)
    journey.check("TMDB's own 404s", True, sorted({r["path"] for r in honest}))
    passed = all(c["passed"] for c in journey.checks)
    print(
        f"{name}: {len(ours)} requests to the gateway and images, {len(bad)} not 2xx; "
        f"{'all checks passed' if passed else 'SOME CHECKS FAILED'}"
    )
    if out is not None:
        repository, commit = SOURCES[name]
        record = {
            "frontend": repository,
            "commit": commit,
            "recorded": time.strftime("%Y-%m-%d"),
            "note": "Recorded by tests/e2e/real_frontends/drive.py; replayed by "
            "tests/e2e/test_real_frontends.py.",
            "requests": [
                {"path": r["path"], "status": r["status"], "type": r["type"]} for r in _unique(ours)
            ],
            "checks": journey.checks,
            "external_hosts_aborted": sorted({urlsplit(u).netloc for u in journey.external}),
        }
        out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    if console:
        print("console (first 15):", *console[:15], sep="\n  ")
    return passed


def _honest_404(journey: Journey, response: dict[str, Any]) -> bool:
    """A 404 TMDB itself would answer: a title the catalog does not hold (TMDB's error body),
    or an image URL without a file name (what an app asks for before it has a path)."""
    if response["status"] != 404:
        return False
    if response["path"].startswith("/tmdb/3/"):
        body = journey.bodies.get(response["path"]) or {}
        return body.get("status_code") == 34
    return bool(re.fullmatch(r"/images/t/p/\w+/", response["path"]))


def _record(journey: Journey, origin: str, response: Any) -> None:
    parts = urlsplit(response.url)
    if parts.netloc != origin:
        return
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    journey.responses.append(
        {"path": path, "status": response.status, "type": response.request.resource_type}
    )
    if parts.path.startswith("/tmdb/3/"):
        try:
            journey.bodies[path] = response.json()
        except Exception:  # the page did not wait for this body
            journey.bodies[path] = None


def _unique(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for r in responses:
        seen.setdefault(r["path"], r)
    return list(seen.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("frontend", choices=sorted(JOURNEYS))
    parser.add_argument("dist", type=Path, help="the built app (folder holding index.html)")
    parser.add_argument("--shots", type=Path, default=Path(tempfile.gettempdir()) / "shots")
    parser.add_argument("--out", type=Path, help="write the request list here")
    args = parser.parse_args(argv)
    return 0 if drive(args.frontend, args.dist, args.shots, args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
