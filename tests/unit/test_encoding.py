"""gzip for rendered answers: who accepts it, and the representation each client gets."""

from __future__ import annotations

import gzip

import pytest
from flask import Flask, Response
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from netflix_clone.web.encoding import (
    MIN_BYTES,
    accepts_gzip,
    cached_answer,
    compressed,
    gzip_etag,
    if_none_match_hits,
)


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),  # what browsers send
        ("GZIP", True),
        ("x-gzip", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("identity", False),
        ("", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),  # named refusal wins over the wildcard
        ("*, gzip;q=0", False),
        ("gzip;q=nonsense", False),
        ("deflate, br", False),
        (" gzip ; q=0.5 ", True),
    ],
)
def test_accept_encoding(header: str, accepted: bool) -> None:
    assert accepts_gzip(parse_accept_header(header, Accept)) is accepted


def test_small_answers_are_not_compressed_and_big_ones_are_deterministic() -> None:
    assert compressed(b"x" * (MIN_BYTES - 1)) is None
    data = b'{"rows": [' + b'{"title": "a card"},' * 500 + b"{}]}"
    once, again = compressed(data), compressed(data)
    assert once is not None and once == again  # mtime=0: same bytes in every process
    assert gzip.decompress(once) == data and len(once) < len(data) / 10


def test_if_none_match_names_either_representation() -> None:
    etag = '"abc123"'
    assert gzip_etag(etag) == '"abc123-gzip"'
    assert if_none_match_hits(etag, etag)
    assert if_none_match_hits(f'"other", W/{gzip_etag(etag)}', etag)
    assert if_none_match_hits("*", etag)
    assert not if_none_match_hits("", etag)
    assert not if_none_match_hits('"abc"', etag)


def test_the_answer_a_client_gets() -> None:
    data = b'{"items": [' + b'{"overview": "some text here"},' * 200 + b"{}]}"
    gzipped = compressed(data)
    etag = '"e1"'
    app = Flask(__name__)

    def answer(accept: str = "", inm: str = "", packed: bytes | None = gzipped) -> Response:
        sent = {"Accept-Encoding": accept, "If-None-Match": inm}
        with app.test_request_context(headers={k: v for k, v in sent.items() if v}):
            return cached_answer(data, packed, etag, {"Vary": "Authorization", "X-Cache": "hit"})

    plain = answer()
    assert plain.status_code == 200 and plain.get_data() == data
    assert plain.headers["ETag"] == etag and "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Authorization, Accept-Encoding"

    packed = answer("gzip, deflate, br")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == '"e1-gzip"'
    assert gzip.decompress(packed.get_data()) == data
    assert packed.headers["X-Cache"] == "hit"

    for inm in (etag, '"e1-gzip"'):  # either validator: 304, with this client's ETag
        again = answer("gzip", inm)
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == '"e1-gzip"'

    # Nothing to compress (a small answer): no gzip, and nothing to vary on.
    small = answer("gzip", packed=None)
    assert small.get_data() == data and "Content-Encoding" not in small.headers
    assert small.headers["Vary"] == "Authorization"
