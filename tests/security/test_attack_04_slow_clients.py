"""Issue 23, row 4: 40 connections that send headers and part of a body, then stall, held every
worker thread: `/healthz` went unanswered (0 of 4 probes) and the liveness probe would have
restarted the pods. Now the worker's event loop reads each request whole before a thread gets
it; a request that doesn't arrive within REQUEST_READ_TIMEOUT of its first byte gets a 408
problem document and its connection is closed."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx

from tests.security.gunicorn import Responses, served, status_and_type
from tests.waiting import wait_until

STALLERS = 40
READ_TIMEOUT = 3  # seconds: the production default is 10; the behaviour is the same


def _stall(app_url: str, partial: bytes) -> socket.socket:
    host, port = app_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(partial)
    return sock


def test_stalled_requests_hold_no_thread_and_get_408(tmp_path: Path) -> None:
    body = json.dumps({"email": "slow@example.com", "password": "x" * 20}).encode()
    head = (
        b"POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    kinds = [
        head + body[:10],  # part of a body
        head[:40],  # part of the headers
        b"POST /api/auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"GET /healthz HTT",  # part of a request line
    ]
    with served(tmp_path, REQUEST_READ_TIMEOUT=str(READ_TIMEOUT)) as app:
        stalled = [_stall(app.base_url, kinds[i % len(kinds)]) for i in range(STALLERS)]
        try:
            # Every probe is answered while all 40 hold their half requests (two workers of
            # eight threads each: before, 16 stalled connections were enough to starve them).
            with httpx.Client(timeout=5) as client:
                probes = [client.get(app.url("/healthz")).status_code for _ in range(4)]
            assert probes == [200] * 4
            # A whole request on a fresh connection still works alongside them.
            with httpx.Client(timeout=5) as client:
                answer = client.post(
                    app.url("/api/auth/token"),
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
            assert answer.status_code == 401
            # Each stalled request gets its 408 and the connection closes.
            for sock in stalled:
                response = Responses(sock).next()
                assert status_and_type(response) == (408, "application/problem+json"), response
                assert (
                    b'"request-timeout"' not in response or b"problems/request-timeout" in response
                )
                assert sock.recv(1) == b""  # closed
        finally:
            for sock in stalled:
                sock.close()
        assert wait_until(lambda: "not received within" in app.log(), timeout=10)


def test_a_silent_connection_is_closed_without_a_thread(tmp_path: Path) -> None:
    """A connection that never sends a byte is closed after the keep-alive timeout; until then
    it costs no thread either (stock gthread kept it registered for good)."""
    with served(tmp_path, GUNICORN_THREADS="2", WEB_CONCURRENCY="1") as app:
        host, port = app.base_url.removeprefix("http://").split(":")
        silent = [socket.create_connection((host, int(port)), timeout=120) for _ in range(10)]
        try:
            with httpx.Client(timeout=5) as client:
                assert client.get(app.url("/healthz")).status_code == 200
        finally:
            for sock in silent:
                sock.close()


def test_a_slow_but_steady_request_within_the_deadline_is_served(tmp_path: Path) -> None:
    body = json.dumps({"email": "steady@example.com", "password": "y" * 20}).encode()
    request = (
        b"POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    )
    with served(tmp_path, REQUEST_READ_TIMEOUT="30", WEB_CONCURRENCY="1") as app:
        host, port = app.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            for start in range(0, len(request), 7):  # a byte stream in small pieces
                sock.sendall(request[start : start + 7])
            assert status_and_type(Responses(sock).next())[0] == 401
