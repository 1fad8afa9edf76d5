"""Opaque keyset cursors: stable order and constant cost per page on large tables."""

from __future__ import annotations

import base64
import binascii

from netflix_clone.core.exceptions import Invalid


def _bad_cursor() -> Invalid:
    return Invalid.field("cursor", "invalid cursor", "The cursor is not one this service issued.")


def encode_cursor(*parts: int | str) -> str:
    raw = "|".join(str(p) for p in parts)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    parts = raw.split("|")
    if len(parts) != arity or not all(parts):
        raise _bad_cursor()
    return parts


def decode_int_cursor(cursor: str) -> int:
    value = decode_cursor(cursor, 1)[0]
    if not value.isdigit() or len(value) > 18:
        raise _bad_cursor()
    return int(value)
