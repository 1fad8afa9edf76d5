"""gzip for the big cached JSON answers: compressed once, when the answer is rendered and
cached, and sent to every client that accepts it (browsers and the web app always do).

A home screen is ~98 KB of JSON and ~33 KB gzipped; nothing in front of the pods compresses
(an ALB does not), so without this every member's first screen costs three times the bytes.
Answers built per request (personal catalog pages, the gateway) go out as they are: compressing
them would cost CPU on every request, not once.

The two encodings of one answer are two representations (RFC 9110 §8.8.3): each has its own
strong ETag (the gzip one ends in `-gzip`), and If-None-Match matches either, since both stand
for the same content.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping

from flask import Response, request
from werkzeug.datastructures import Accept

from netflix_clone.web.etags import etag_matches

# Below about one packet compression saves nothing the client would notice.
MIN_BYTES = 1400
LEVEL = 6


def compressed(data: bytes) -> bytes | None:
    """The gzip encoding of `data`, or None when it is too small to be worth it. `mtime=0`:
    the same answer compresses to the same bytes in every process."""
    if len(data) < MIN_BYTES:
        return None
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def accepts_gzip(accept: Accept) -> bool:
    """Whether a parsed Accept-Encoding (Werkzeug's: q-values, `*`, a named refusal winning
    over the wildcard) allows gzip; `x-gzip` counts as gzip when gzip itself is not named
    (RFC 9110 §8.4.1.3)."""
    named = {value.lower() for value, _ in accept}
    if "gzip" not in named and "x-gzip" in named:
        return accept["x-gzip"] > 0
    return accept["gzip"] > 0


def gzip_etag(etag: str) -> str:
    """The gzip representation's ETag: the identity one with `-gzip` inside the quotes."""
    return etag[:-1] + '-gzip"'


def if_none_match_hits(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names this answer, in either encoding."""
    return etag_matches(if_none_match, etag) or etag_matches(if_none_match, gzip_etag(etag))


def cached_answer(
    data: bytes,
    gzipped: bytes | None,
    etag: str,
    headers: Mapping[str, str],
    mimetype: str = "application/json",
) -> Response:
    """The request's 200 (or 304) for a rendered answer: gzip when there is a gzip encoding
    and the client accepts it. `headers` carry no ETag: this adds it (and Accept-Encoding to
    Vary)."""
    body = gzipped if gzipped is not None and accepts_gzip(request.accept_encodings) else None
    out = dict(headers)
    out["ETag"] = gzip_etag(etag) if body is not None else etag
    vary = out.get("Vary", "")
    if gzipped is not None and "accept-encoding" not in vary.lower():
        out["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    if if_none_match_hits(request.headers.get("If-None-Match", ""), etag):
        return Response(status=304, headers=out)
    if body is not None:
        out["Content-Encoding"] = "gzip"
        return Response(body, status=200, mimetype=mimetype, headers=out)
    return Response(data, status=200, mimetype=mimetype, headers=out)
