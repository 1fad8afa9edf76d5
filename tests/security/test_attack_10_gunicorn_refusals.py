"""Issue 23, row 10: requests that gunicorn refuses itself (a request line over 4,094 bytes,
headers over its limits, malformed HTTP) are problem+json like every other error, whether they
come first on a connection, after a keep-alive request or pipelined behind one; the OpenAPI
document lists them for every operation."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.faults.servers import App
from tests.security.gunicorn import Responses, served, status_and_type

LONG_LINES = [4095, 4096, 5000, 8190, 8191, 16_384, 65_536]


def _line(length: int) -> bytes:
    path = "/api/movies?q="
    return f"GET {path}{'a' * (length - len(path) - 13)} HTTP/1.1".encode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with served(tmp_path_factory.mktemp("refusals")) as app:
        yield app


def _connect(app: App) -> socket.socket:
    host, port = app.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


@pytest.mark.parametrize("length", LONG_LINES)
def test_a_long_request_line_is_414_problem_json_first_after_keep_alive_and_pipelined(
    server: App, length: int
) -> None:
    long_request = _line(length) + b"\r\nHost: x\r\n\r\n"
    healthz = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(server) as sock:  # first on its connection
        sock.sendall(long_request)
        _assert_problem(Responses(sock).next(), 414)
    with _connect(server) as sock:  # after a keep-alive request
        answers = Responses(sock)
        sock.sendall(healthz)
        assert status_and_type(answers.next())[0] == 200
        sock.sendall(long_request)
        _assert_problem(answers.next(), 414)
    with _connect(server) as sock:  # pipelined behind one
        answers = Responses(sock)
        sock.sendall(healthz + long_request)
        assert status_and_type(answers.next())[0] == 200
        _assert_problem(answers.next(), 414)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
        (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400),
        (
            b"POST /api/auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Content-Length: 6\r\n\r\nhello!",
            400,
        ),
    ],
)
def test_gunicorns_other_refusals_are_problem_json(
    server: App, request_bytes: bytes, status: int
) -> None:
    with _connect(server) as sock:
        sock.sendall(request_bytes)
        _assert_problem(Responses(sock).next(), status)


def _assert_problem(response: bytes, status: int) -> None:
    got, content_type = status_and_type(response)
    assert (got, content_type) == (status, "application/problem+json"), response[:300]
    body = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert body["status"] == status and body["type"].startswith("https://")


def test_the_spec_lists_the_servers_own_refusals_for_every_operation(app: Flask) -> None:
    spec = app.test_client().get("/openapi.json").json or {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"400", "414", "431"} <= codes, (method, path, codes)
            assert operation["responses"]["414"]["content"].keys() == {"application/problem+json"}
