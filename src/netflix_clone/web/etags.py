"""Strong ETags for JSON answers and If-None-Match matching (catalog answers, home screens)."""

from __future__ import annotations

import hashlib


def etag_for(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in candidates
