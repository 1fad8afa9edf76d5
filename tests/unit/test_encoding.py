"""Rendered answers: who accepts gzip, the representation each client gets, its ETag and 304."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from flask import Flask, Response
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

from netflix_clone.core.payloads import MIN_BYTES, compressed, etag_for, gzip_etag
from netflix_clone.web.encoding import accepts_gzip, cached_answer, conditional


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


def test_an_answers_etag_and_its_gzip_etag() -> None:
    data = b'{"items": []}'
    etag = etag_for(data)
    assert etag == etag_for(data) and len(etag) == 24 and '"' not in etag
    assert etag != etag_for(data + b" ")
    assert gzip_etag(etag) == f"{etag}-gzip"


@pytest.mark.parametrize(
    ("inm", "hit"),
    [
        ('"e1"', True),
        ('"e1-gzip"', True),  # the other representation: the same content
        ('"other", W/"e1-gzip"', True),  # weak comparison
        ('W/"e1"', True),
        ("*", True),
        ("", False),
        ('"e"', False),
        ('"e1-gzip-gzip"', False),
        ("e1", True),  # unquoted, as some clients send it: Werkzeug reads the tag anyway
    ],
)
def test_if_none_match_names_either_representation(inm: str, hit: bool) -> None:
    app = Flask(__name__)
    with app.test_request_context(headers={"If-None-Match": inm} if inm else {}):
        response = Response(b"{}")
        response.set_etag("e1")
        assert conditional(response, gzip_etag("e1")).status_code == (304 if hit else 200)


def test_only_reads_are_conditional() -> None:
    app = Flask(__name__)
    for method, status in (("GET", 304), ("HEAD", 304), ("POST", 200), ("PUT", 200)):
        with app.test_request_context(method=method, headers={"If-None-Match": '"e1"'}):
            response = Response(b"{}")
            response.set_etag("e1")
            assert conditional(response).status_code == status, method
    with app.test_request_context(headers={"If-None-Match": "*"}):
        assert conditional(Response(b"{}")).status_code == 200  # no ETag, nothing to match


def test_the_answer_a_client_gets() -> None:
    data = b'{"items": [' + b'{"overview": "some text here"},' * 200 + b"{}]}"
    gzipped = compressed(data)
    etag = "e1"
    app = Flask(__name__)
    packs = {"gzip": gzipped}

    @app.get("/<kind>")
    def answer(kind: str) -> Response:
        headers = {"Vary": "Authorization", "X-Cache": "hit"}
        return cached_answer(data, packs.get(kind), etag, headers)

    client = app.test_client()

    def get(accept: str = "", inm: str = "", kind: str = "gzip", method: str = "GET") -> Any:
        sent = {"Accept-Encoding": accept, "If-None-Match": inm}
        headers = {k: v for k, v in sent.items() if v}
        return client.open(f"/{kind}", method=method, headers=headers)

    plain = get()
    assert plain.status_code == 200 and plain.get_data() == data
    assert plain.headers["ETag"] == '"e1"' and "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Authorization, Accept-Encoding"
    assert plain.mimetype == "application/json"

    packed = get("gzip, deflate, br")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == '"e1-gzip"'
    assert gzip.decompress(packed.get_data()) == data
    assert packed.headers["X-Cache"] == "hit"
    assert packed.headers["Content-Length"] == str(len(gzipped or b""))

    for inm in ('"e1"', '"e1-gzip"'):  # either validator: 304, with this client's ETag
        again = get("gzip", inm)
        assert again.status_code == 304 and again.get_data() == b""
        assert again.headers["ETag"] == '"e1-gzip"'
        assert again.headers["Vary"] == "Authorization, Accept-Encoding"
        assert again.headers["X-Cache"] == "hit"
        assert "Content-Encoding" not in again.headers and "Content-Type" not in again.headers
    assert get("", '"e1-gzip"').headers["ETag"] == '"e1"'

    head = get("gzip", method="HEAD")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == '"e1-gzip"' and head.headers["Content-Encoding"] == "gzip"
    assert get("gzip", '"e1"', method="HEAD").status_code == 304

    # Nothing to compress (a small answer): no gzip, and nothing to vary on.
    small = get("gzip", kind="small")
    assert small.get_data() == data and "Content-Encoding" not in small.headers
    assert small.headers["Vary"] == "Authorization"
