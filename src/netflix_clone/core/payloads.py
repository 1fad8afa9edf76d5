"""A rendered answer's bytes: its validator (a hash) and its gzip encoding, made once where the
answer is rendered and cached (home screens, catalog pages); the web layer (web/encoding.py)
sends them and answers If-None-Match."""

from __future__ import annotations

import gzip
import hashlib

# Below about one packet compression saves nothing the client would notice.
MIN_BYTES = 1400
LEVEL = 6


def etag_for(data: bytes) -> str:
    """The strong ETag of a rendered answer, unquoted (as `Response.set_etag` and
    `request.if_none_match` take it): 96 bits of BLAKE2b, shorter than Werkzeug's
    `generate_etag` (SHA-1) and the same tags as ever, so clients' validators stay valid."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def gzip_etag(etag: str) -> str:
    """The gzip representation's ETag: the identity one with `-gzip` appended."""
    return f"{etag}-gzip"


def compressed(data: bytes) -> bytes | None:
    """The gzip encoding of `data`, or None when it is too small to be worth it. `mtime=0`:
    the same answer compresses to the same bytes in every process."""
    if len(data) < MIN_BYTES:
        return None
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)
