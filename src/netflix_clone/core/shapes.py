"""Base shapes of the API's JSON (pydantic only): what request bodies and query strings are
parsed into, and the text rules they share. Feature schemas build on these."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


class RequestModel(BaseModel):
    """Base for request bodies: unknown fields and wrong JSON types are errors, not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


class QueryModel(BaseModel):
    """Base for query strings: values arrive as text, so they are parsed, not strictly typed."""

    model_config = ConfigDict(extra="ignore")


def _whole_number(value: Any) -> Any:
    # JSON Schema's integer is any number with a zero fraction, so 65536.0 is one; strict mode
    # would refuse the float, and a schema must not promise what the server refuses.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_whole_number)]
"""An integer in a request body: a JSON integer, or a number with a zero fraction."""

# Names and search text refuse control characters (C0, DEL and C1, tab and newline included:
# they render invisibly or break a client's layout) and must show something besides spaces.
# The pattern states in the OpenAPI document what `visible_text` enforces; SPACES are exactly
# the characters str.split() treats as spaces once control characters are excluded.
CONTROL = r"\x00-\x1f\x7f-\x9f"
SPACES = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
VISIBLE_TEXT = f"^[^{CONTROL}]*[^{CONTROL}{SPACES}][^{CONTROL}]*$"


def visible_text(value: str) -> str:
    """The rule behind VISIBLE_TEXT, with a message per failure; runs of spaces become one."""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise ValueError("must not contain control characters")
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value


Visible = Annotated[
    str, AfterValidator(visible_text), Field(json_schema_extra={"pattern": VISIBLE_TEXT})
]
"""Text a person reads (a name, search words): see VISIBLE_TEXT."""
