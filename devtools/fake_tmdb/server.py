"""A fake TMDB v3 HTTP server for tests and offline development.

Content comes from :class:`netflix_clone.catalog.demo_tmdb.DemoTMDB`; this module adds what a
real network peer does around it: authentication (v3 ``api_key`` query parameter or
``Authorization: Bearer <v4 read token>``), latency, injected faults, request counting, and a
JSON control plane under ``/__control/``. TMDB's error bodies and route table come from
:mod:`netflix_clone.catalog.tmdb_rules`: each recorded request names the route it matched
(``route``, e.g. ``tv/{series_id}``) and ``/__control/stats`` counts them (``by_route``).

Fault rules (``POST /__control/faults`` with a list, or :meth:`FakeTMDB.add_fault`)::

    {"match": "movie/popular",     # regex tried with re.match against the TMDB path without
                                   # "/3/" ("movie/550") and against path?query with the query
                                   # sorted and api_key left out ("search/movie?page=2&query=x");
                                   # a plain path is a prefix match; null = every /3 request.
     "status": 503,                # answer with this status (TMDB-shaped error body), or null
     "times": 2,                   # how many requests it hits; null = forever
     "delay": 0.5,                 # seconds to wait before answering (also with status null)
     "retry_after": 3,             # adds "Retry-After: 3"; null = no header
     "body": "malformed",          # "malformed" (truncated JSON) | "empty" (no bytes) | null
     "drop_connection": false,     # close the socket without any response
     "patch": {"poster_path": null},          # merge patch on the real body (null SETS null;
                                              # "__delete__" removes a field), see apply_patch
     "patch_results": {"poster_path": null}}  # the same patch on every item of body["results"]

Rules are tried in the order added; the first live one that matches applies and uses up one of
its ``times``. Faults are applied before authentication, like a CDN or gateway in front of TMDB.
A request is authorised when it presents at least one credential and every credential it
presents is currently accepted (so a stale ``api_key`` is caught even next to a good token).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from netflix_clone.catalog import tmdb_rules
from netflix_clone.catalog.demo_tmdb import DemoTMDB
from netflix_clone.catalog.tmdb_rules import (
    FAILED,
    INVALID_KEY,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    UPSTREAM_FAILURES,
    over_rate_limit_observed,
)

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
API_PREFIX = "/3/"
CONTROL_PREFIX = "/__control/"
MALFORMED_BODY = b'{"page": 1, "results": [{"adult": false, "id": 550, "title": "Fight'

# TMDB's bodies (tmdb_rules) under the names this module always had.
FAULT_BODIES: Mapping[int, dict[str, Any]] = UPSTREAM_FAILURES
GENERIC_FAULT_BODY: dict[str, Any] = FAILED
__all__ = [
    "FAULT_BODIES",
    "GENERIC_FAULT_BODY",
    "INVALID_KEY",
    "METHOD_NOT_ALLOWED",
    "NOT_FOUND",
    "FakeState",
    "FakeTMDB",
    "FakeTMDBServer",
    "FaultRule",
    "apply_patch",
    "new_api_key",
    "new_read_token",
]

_V3_KEY = re.compile(r"[0-9a-f]{32}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
BodyKind = Literal["malformed", "empty"]


def new_api_key() -> str:
    """A random v3 API key: 32 lowercase hex characters."""
    return secrets.token_hex(16)


def new_read_token(api_key: str | None = None) -> str:
    """A random token shaped like TMDB's v4 read access token (an HS256 JWT)."""

    def segment(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")

    header = json.dumps({"alg": "HS256"}, separators=(",", ":")).encode()
    claims = {
        "aud": api_key or new_api_key(),
        "jti": secrets.token_hex(8),
        "scopes": ["api_read"],
        "sub": "fake-tmdb",
        "version": 1,
    }
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return ".".join((segment(header), segment(payload), segment(secrets.token_bytes(32))))


def check_api_key(value: str) -> str:
    if not _V3_KEY.fullmatch(value):
        raise ValueError("a v3 API key is 32 lowercase hex characters")
    return value


def check_read_token(value: str) -> str:
    if not _JWT.fullmatch(value):
        raise ValueError("a v4 read access token looks like a JWT (eyJ....)")
    return value


def apply_patch(target: Any, patch: Mapping[str, Any]) -> Any:
    """JSON merge patch (RFC 7386) with one change: ``null`` *sets* a field to null.

    A fake TMDB needs "poster_path is null", which RFC 7386 cannot express (there null
    deletes); deleting a field is written as the string ``"__delete__"`` instead.
    """
    if not isinstance(target, dict):
        return target
    result = dict(target)
    for key, value in patch.items():
        if value == "__delete__":
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = apply_patch(result[key], value)
        else:
            result[key] = value
    return result


@dataclass
class FaultRule:
    """One injected fault; see the module docstring for the JSON form."""

    match: str | None = None
    status: int | None = None
    times: int | None = None
    delay: float = 0.0
    retry_after: float | None = None
    body: BodyKind | None = None
    drop_connection: bool = False
    patch: dict[str, Any] | None = None
    patch_results: dict[str, Any] | None = None
    hits: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.match is not None:
            text = self.match.removeprefix("/").removeprefix("3/")
            self._pattern = re.compile(text)
        if self.status is not None and not 100 <= int(self.status) <= 599:
            raise ValueError("status must be an HTTP status code")
        if self.times is not None and int(self.times) < 0:
            raise ValueError("times must be >= 0 or null")
        if float(self.delay) < 0:
            raise ValueError("delay must be >= 0")
        if self.body not in (None, "malformed", "empty"):
            raise ValueError('body must be "malformed", "empty" or null')
        for name in ("patch", "patch_results"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), dict):
                raise ValueError(f"{name} must be a JSON object")

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FaultRule:
        allowed = {
            "match",
            "status",
            "times",
            "delay",
            "retry_after",
            "body",
            "drop_connection",
            "patch",
            "patch_results",
        }
        unknown = set(raw) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(
            match=raw.get("match"),
            status=None if raw.get("status") is None else int(raw["status"]),
            times=None if raw.get("times") is None else int(raw["times"]),
            delay=float(raw.get("delay") or 0.0),
            retry_after=None if raw.get("retry_after") is None else float(raw["retry_after"]),
            body=raw.get("body"),
            drop_connection=bool(raw.get("drop_connection", False)),
            patch=raw.get("patch"),
            patch_results=raw.get("patch_results"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "status": self.status,
            "times": self.times,
            "delay": self.delay,
            "retry_after": self.retry_after,
            "body": self.body,
            "drop_connection": self.drop_connection,
            "patch": self.patch,
            "patch_results": self.patch_results,
            "hits": self.hits,
        }

    def matches(self, path: str, path_and_query: str) -> bool:
        if self._pattern is None:
            return True
        return any(self._pattern.match(target) for target in (path, path_and_query))

    @property
    def live(self) -> bool:
        return self.times is None or self.hits < self.times


class FakeState:
    """Everything the server remembers; every method is safe to call from any thread."""

    def __init__(
        self,
        api_keys: Iterable[str],
        read_tokens: Iterable[str],
        latency: float = 0.0,
    ) -> None:
        self._lock = threading.Lock()
        self._initial_keys = (
            frozenset(check_api_key(k) for k in api_keys),
            frozenset(check_read_token(t) for t in read_tokens),
        )
        self._initial_latency = latency
        self.api_keys, self.read_tokens = self._initial_keys
        self.latency = latency
        self._rules: list[FaultRule] = []
        self._by_path: Counter[str] = Counter()
        self._by_route: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._total = 0
        self._faults_applied = 0
        self._requests: list[dict[str, Any]] = []
        # A slow request can outlive a reset; its late record must not leak into the next test.
        self._generation = 0

    def reset(self) -> None:
        """Forget counts, requests and faults; restore the start-up keys and latency."""
        with self._lock:
            self.api_keys, self.read_tokens = self._initial_keys
            self.latency = self._initial_latency
            self._rules.clear()
            self._by_path.clear()
            self._by_route.clear()
            self._by_status.clear()
            self._total = 0
            self._faults_applied = 0
            self._requests.clear()
            self._generation += 1

    def set_keys(
        self, api_keys: Iterable[str] | None = None, read_tokens: Iterable[str] | None = None
    ) -> None:
        new_keys = None if api_keys is None else frozenset(check_api_key(k) for k in api_keys)
        new_tokens = (
            None if read_tokens is None else frozenset(check_read_token(t) for t in read_tokens)
        )
        with self._lock:
            if new_keys is not None:
                self.api_keys = new_keys
            if new_tokens is not None:
                self.read_tokens = new_tokens

    def authorised(self, api_key: str | None, authorization: str | None) -> bool:
        presented: list[bool] = []
        with self._lock:
            if api_key is not None:
                presented.append(api_key in self.api_keys)
            if authorization is not None:
                scheme, _, token = authorization.partition(" ")
                presented.append(scheme.lower() == "bearer" and token.strip() in self.read_tokens)
        return bool(presented) and all(presented)

    def add_faults(self, rules: Iterable[FaultRule], replace: bool = False) -> None:
        with self._lock:
            if replace:
                self._rules.clear()
            self._rules.extend(rules)

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def take_fault(self, path: str, path_and_query: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.live and rule.matches(path, path_and_query):
                    rule.hits += 1
                    self._faults_applied += 1
                    return rule
        return None

    def count(self, key: str, route: str | None = None) -> tuple[int, int]:
        """Count a request; returns its number and the generation to pass to :meth:`record`."""
        with self._lock:
            self._total += 1
            self._by_path[key] += 1
            self._by_route[route or "(none)"] += 1
            return self._total, self._generation

    def record(self, entry: dict[str, Any], generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self._requests.append(entry)
            status = entry["status"]
            self._by_status["dropped" if status is None else str(status)] += 1

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "by_path": dict(sorted(self._by_path.items())),
                "by_route": dict(sorted(self._by_route.items())),
                "by_status": dict(sorted(self._by_status.items())),
                "faults_applied": self._faults_applied,
            }

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return json.loads(json.dumps(self._requests))  # type: ignore[no-any-return]


class FakeTMDBServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        state: FakeState,
        demo: DemoTMDB | None = None,
        quiet: bool = True,
    ) -> None:
        self.state = state
        self.demo = demo or DemoTMDB.default()
        self.quiet = quiet
        super().__init__(address, FakeTMDBHandler)


class FakeTMDBHandler(BaseHTTPRequestHandler):
    server: FakeTMDBServer
    protocol_version = "HTTP/1.1"
    _pending: dict[str, Any] | None = None
    _generation = 0
    server_version = "fake-tmdb/1"

    # ------------------------------------------------------------------ plumbing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if not self.server.quiet:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        payload: bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str = JSON_CONTENT_TYPE,
    ) -> None:
        self._settle(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), headers)

    def _settle(self, status: int | None) -> None:
        """Log the pending TMDB request before any byte reaches the client, so a test that
        reacts to the answer always finds the request already recorded."""
        entry, self._pending = self._pending, None
        if entry is not None:
            entry["status"] = status
            self.server.state.record(entry, self._generation)

    def _drop(self) -> None:
        self._settle(None)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw) if raw.strip() else None

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    # ------------------------------------------------------------------ verbs

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path.removeprefix(CONTROL_PREFIX).strip("/"))
        elif url.path.startswith(API_PREFIX):
            self._tmdb(url.path.removeprefix(API_PREFIX), url.query)
        else:
            self._send_json(404, NOT_FOUND)

    # ------------------------------------------------------------------ TMDB surface

    def _tmdb(self, path: str, query: str) -> None:
        state = self.server.state
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        counted = sorted((k, v) for k, v in pairs if k != "api_key")
        key = API_PREFIX + path + (f"?{urlencode(counted)}" if counted else "")
        matched = tmdb_rules.match(path)
        route = matched.route.name if matched is not None else None
        request_number, self._generation = state.count(key, route)
        entry: dict[str, Any] = {
            "method": self.command,
            "path": API_PREFIX + path,
            "route": route,
            "query": query,
            "params": params,
            "headers": {
                name.lower(): value
                for name, value in self.headers.items()
                if name.lower() != "authorization"
            },
            "authorization": "Authorization" in self.headers,
            "status": None,
        }
        self._pending = entry
        try:
            self._answer(path, key.removeprefix(API_PREFIX), params, request_number)
        finally:
            self._settle(None)  # only when no answer went out (an exception): log as dropped

    def _answer(
        self, path: str, path_and_query: str, params: Mapping[str, str], request_number: int
    ) -> int | None:
        state = self.server.state
        if state.latency > 0:
            time.sleep(state.latency)
        rule = state.take_fault(path, path_and_query)
        headers: dict[str, str] = {}
        if rule is not None:
            if rule.delay > 0:
                time.sleep(rule.delay)
            if rule.drop_connection:
                self._drop()
                return None
            if rule.retry_after is not None:
                seconds = rule.retry_after
                headers["Retry-After"] = str(int(seconds)) if seconds.is_integer() else str(seconds)
            if rule.body is not None or rule.status is not None:
                return self._fault_answer(rule, headers, request_number)
        if self.command not in ("GET", "HEAD"):
            self._send_json(405, METHOD_NOT_ALLOWED, headers)
            return 405
        if not state.authorised(params.get("api_key"), self.headers.get("Authorization")):
            self._send_json(401, INVALID_KEY, headers)
            return 401
        demo_params = {k: v for k, v in params.items() if k != "api_key"}
        status, body = self.server.demo.handle(path, demo_params)
        if rule is not None and rule.patch is not None:
            body = apply_patch(body, rule.patch)
        if rule is not None and rule.patch_results is not None:
            results = body.get("results")
            if isinstance(results, list):
                body["results"] = [apply_patch(item, rule.patch_results) for item in results]
        self._send_json(status, body, headers)
        return status

    def _fault_answer(self, rule: FaultRule, headers: dict[str, str], request_number: int) -> int:
        status = rule.status if rule.status is not None else 200
        if rule.body == "malformed":
            self._send(status, MALFORMED_BODY, headers)
        elif rule.body == "empty":
            self._send(status, b"", headers)
        elif status == 429:
            self._send_json(status, over_rate_limit_observed(request_number), headers)
        else:
            self._send_json(status, FAULT_BODIES.get(status, GENERIC_FAULT_BODY), headers)
        return status

    # ------------------------------------------------------------------ control plane

    def _control(self, action: str) -> None:
        state = self.server.state
        try:
            payload = self._read_json() if self.command in ("POST", "PUT") else None
            answer = self._control_action(state, action, payload)
        except (ValueError, TypeError, re.error) as error:
            self._send_json(400, {"error": str(error)})
            return
        if answer is None:
            self._send_json(404, {"error": f"unknown control call {self.command} {action}"})
        else:
            self._send_json(200, answer)

    def _control_action(self, state: FakeState, action: str, payload: Any) -> Any:
        verb = self.command
        if (verb, action) == ("GET", "stats"):
            return state.stats()
        if (verb, action) == ("GET", "requests"):
            return {"requests": state.requests()}
        if (verb, action) == ("POST", "reset"):
            state.reset()
            return {"ok": True}
        if (verb, action) == ("GET", "faults"):
            return {"faults": state.faults()}
        if (verb, action) == ("DELETE", "faults"):
            state.clear_faults()
            return {"faults": []}
        if (verb, action) == ("POST", "faults"):
            replace = False
            if isinstance(payload, dict):
                replace = bool(payload.get("replace", False))
                payload = payload.get("rules", [payload] if "rules" not in payload else [])
            if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
                raise ValueError("send a list of fault rules or {'rules': [...]}")
            state.add_faults([FaultRule.from_json(raw) for raw in payload], replace=replace)
            return {"faults": state.faults()}
        if (verb, action) == ("POST", "key"):
            if not isinstance(payload, dict):
                raise ValueError('send {"api_keys": [...], "read_tokens": [...]}')
            state.set_keys(_keys(payload, "api_key"), _keys(payload, "read_token"))
            return {"api_keys": len(state.api_keys), "read_tokens": len(state.read_tokens)}
        if (verb, action) == ("POST", "latency"):
            if not isinstance(payload, dict) or float(payload.get("seconds", -1)) < 0:
                raise ValueError('send {"seconds": <non-negative number>}')
            state.latency = float(payload["seconds"])
            return {"seconds": state.latency}
        return None


def _keys(payload: Mapping[str, Any], name: str) -> list[str] | None:
    """``{"api_keys": [...]}`` or ``{"api_key": "..."}``; absent = leave unchanged."""
    if f"{name}s" in payload:
        values = payload[f"{name}s"]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{name}s must be a list of strings")
        return list(values)
    if name in payload:
        value = payload[name]
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return [value]
    return None


class FakeTMDB:
    """Run the fake TMDB on 127.0.0.1 (free port) in a background thread.

    Example::

        with FakeTMDB() as tmdb:
            httpx.get(f"{tmdb.base_url}/movie/popular", params={"api_key": tmdb.api_key})
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        read_token: str | None = None,
        latency: float = 0.0,
        demo: DemoTMDB | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = check_api_key(api_key) if api_key else new_api_key()
        self.read_token = (
            check_read_token(read_token) if read_token else new_read_token(self.api_key)
        )
        self.state = FakeState([self.api_key], [self.read_token], latency)
        self._demo = demo
        self._address = (host, port)
        self._server: FakeTMDBServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is None:
            self._server = FakeTMDBServer(self._address, self.state, self._demo)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-tmdb",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTMDB is not running; use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """The TMDB API root, like ``https://api.themoviedb.org/3``."""
        return f"{self.root_url}/3"

    @property
    def control_url(self) -> str:
        return f"{self.root_url}/__control"

    # ------------------------------------------------------------------ test helpers

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def reset(self) -> None:
        self.state.reset()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Received TMDB requests (control calls excluded): ``method``, ``path``, ``route``
        (the TMDB route table's template it matched, or None), ``query``
        (raw), ``params``, ``headers`` (without ``authorization``), ``authorization``
        (bool: was the header present) and ``status`` (None when the connection was dropped)."""
        return self.state.requests()

    def add_fault(self, match: str | None = None, **fields: Any) -> FaultRule:
        rule = FaultRule.from_json({"match": match, **fields})
        self.state.add_faults([rule])
        return rule

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def set_keys(
        self,
        api_keys: str | Iterable[str] | None = None,
        read_tokens: str | Iterable[str] | None = None,
    ) -> None:
        """Replace the accepted v3 keys and/or v4 tokens (None leaves that kind unchanged)."""
        self.state.set_keys(
            [api_keys] if isinstance(api_keys, str) else api_keys,
            [read_tokens] if isinstance(read_tokens, str) else read_tokens,
        )

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        self.state.latency = seconds
