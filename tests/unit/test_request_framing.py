"""The worker's test for "a whole request is in memory" (gunicorn_worker.request_framing)."""

from __future__ import annotations

import pytest

from netflix_clone.web.gunicorn_worker import BODY_BUFFER, Framing, request_framing

LINE, HEADERS = 4094, 8190 * 100


def framing(data: bytes) -> Framing:
    return request_framing(data, LINE, HEADERS)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", Framing.INCOMPLETE),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", Framing.INCOMPLETE),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Framing.COMPLETE),
        (b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", Framing.COMPLETE),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc", Framing.INCOMPLETE),
        (b"POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\nabcde", Framing.COMPLETE),
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcdeGET", Framing.COMPLETE),
        (b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", Framing.HAND_OFF),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", Framing.HAND_OFF),
        (b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (BODY_BUFFER + 1), Framing.HAND_OFF),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", Framing.INCOMPLETE),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab", Framing.INCOMPLETE),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", Framing.INCOMPLETE),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            Framing.COMPLETE,
        ),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n",
            Framing.COMPLETE,
        ),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", Framing.HAND_OFF),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", Framing.HAND_OFF),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            Framing.HAND_OFF,
        ),
        (b"GET / HTTP/1.1\nHost: x\n\n", Framing.HAND_OFF),  # bare LF: gunicorn decides
        (b"GET / HTTP/1.1\r\nBad header\r\n\r\n", Framing.HAND_OFF),
        (b"GET /" + b"a" * 5000, Framing.HAND_OFF),  # no line end within the limit: 414
        (b"GET /" + b"a" * 4000, Framing.INCOMPLETE),
    ],
)
def test_framing(data: bytes, expected: Framing) -> None:
    assert framing(data) is expected


def test_headers_past_the_limit_are_handed_to_gunicorn() -> None:
    data = b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * HEADERS
    assert framing(data) is Framing.HAND_OFF
