"""Representations of rendered JSON answers: their ETags, their gzip encoding, and the one path
that turns a request whose If-None-Match names the answer into a 304.

gzip for the big cached answers is compressed once, when the answer is rendered and cached, and
sent to every client that accepts it (browsers and the web app always do). A home screen is
~98 KB of JSON and ~33 KB gzipped; nothing in front of the pods compresses (an ALB does not), so
without this every member's first screen costs three times the bytes. Answers built per request
(personal catalog pages, the gateway) go out as they are: compressing them would cost CPU on
every request, not once.

The two encodings of one answer are two representations (RFC 9110 §8.8.3): each has its own
strong ETag (the gzip one ends in `-gzip`), and If-None-Match matches either, since both stand
for the same content.

ETags and If-None-Match are Werkzeug's: `Response.set_etag` writes the validator,
`request.if_none_match` parses the header (weak `W/` tags, lists, `*`) and its `contains_weak`
is the weak comparison RFC 9110 §13.1.2 asks for. Not `Response.make_conditional`: it also adds
a `Date` header, which gunicorn then sends twice (it always writes its own).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, request
from werkzeug.datastructures import Accept

from netflix_clone.core.payloads import gzip_etag


def accepts_gzip(accept: Accept) -> bool:
    """Whether a parsed Accept-Encoding (Werkzeug's: q-values, `*`, a named refusal winning
    over the wildcard) allows gzip; `x-gzip` counts as gzip when gzip itself is not named
    (RFC 9110 §8.4.1.3)."""
    named = {value.lower() for value, _ in accept}
    if "gzip" not in named and "x-gzip" in named:
        return accept["x-gzip"] > 0
    return accept["gzip"] > 0


def conditional(response: Response, *same_content: str) -> Response:
    """The one 304 path (rendered catalog answers and home screens, the gateway): `response`
    carries its ETag; when this GET or HEAD's If-None-Match names it, or one of `same_content`
    (the ETags of the same content's other encodings), it becomes a 304 with the same headers
    and no body. Werkzeug drops the entity headers (Content-Type, -Length, -Encoding) of a 304
    on the way out."""
    etag, _ = response.get_etag()
    if etag is None or request.method not in ("GET", "HEAD"):
        return response
    validators = request.if_none_match
    if any(validators.contains_weak(tag) for tag in (etag, *same_content)):
        response.status_code = 304
        response.set_data(b"")
    return response


def cached_answer(
    data: bytes,
    gzipped: bytes | None,
    etag: str,
    headers: Mapping[str, str],
    mimetype: str = "application/json",
) -> Response:
    """The request's 200 (or 304) for a rendered answer: gzip when there is a gzip encoding
    and the client accepts it. `etag` is `etag_for(data)`; `headers` carry no ETag: this sets
    the chosen representation's (and adds Accept-Encoding to Vary)."""
    use_gzip = gzipped is not None and accepts_gzip(request.accept_encodings)
    response = Response(gzipped if use_gzip else data, mimetype=mimetype, headers=headers)
    if gzipped is not None:
        response.vary.add("Accept-Encoding")
    if use_gzip:
        response.content_encoding = "gzip"
        response.set_etag(gzip_etag(etag))
        return conditional(response, etag)
    response.set_etag(etag)
    return conditional(response, gzip_etag(etag))
