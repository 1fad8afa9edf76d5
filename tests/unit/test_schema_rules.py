"""The OpenAPI document states what the server enforces: the pattern for names and search text
agrees with the validator on every character, and integers are JSON Schema integers."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, Field, ValidationError

from netflix_clone.core.shapes import VISIBLE_TEXT, JsonInt, RequestModel, Visible, visible_text

PATTERN = re.compile(VISIBLE_TEXT)
# Every control and space character and their neighbours, plus a sample of the rest of the BMP.
CHARACTERS = [chr(c) for c in (*range(0x00, 0x250), *range(0x1600, 0x1700), *range(0x2000, 0x2100))]
CHARACTERS += [chr(c) for c in range(0x2100, 0x10000, 97)] + ["\u3000", "\ufeff", "\U0001f600"]


def accepted(text: str) -> bool:
    try:
        visible_text(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("context", ["{}", "a{}", "{}a", " {} ", "a {} b"])
def test_the_pattern_and_the_validator_agree_on_every_character(context: str) -> None:
    disagree = [
        (hex(ord(c)), accepted(context.format(c)))
        for c in CHARACTERS
        if (PATTERN.fullmatch(context.format(c)) is not None) != accepted(context.format(c))
    ]
    assert disagree == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Ada", True),
        ("  Ada   Lovelace ", True),
        ("Zoë", True),
        ("\u00a0", False),
        ("   ", False),
        ("a\tb", False),
        ("line\nbreak", False),
        ("bell\u0007", False),
        ("c1\u0085", False),
        ("del\u007f", False),
    ],
)
def test_names_refuse_control_characters_and_blanks(text: str, ok: bool) -> None:
    assert accepted(text) is ok
    assert (PATTERN.fullmatch(text) is not None) is ok


class Name(RequestModel):
    name: Visible = Field(min_length=1, max_length=10)


class Count(RequestModel):
    n: JsonInt = Field(ge=0)


def test_a_visible_field_documents_its_pattern_and_explains_refusals() -> None:
    schema = Name.model_json_schema()["properties"]["name"]
    assert schema["pattern"] == VISIBLE_TEXT
    assert Name.model_validate_json('{"name": " Ada  L "}').name == "Ada L"
    with pytest.raises(ValidationError, match="must not contain control characters"):
        Name.model_validate_json('{"name": "a\\tb"}')


@pytest.mark.parametrize(
    ("raw", "value"),
    [("65536", 65536), ("65536.0", 65536), ("1e3", 1000), ("0.0", 0), ("-0.0", 0)],
)
def test_json_schema_integers_are_accepted(raw: str, value: int) -> None:
    parsed = Count.model_validate_json(f'{{"n": {raw}}}')
    assert parsed.n == value and type(parsed.n) is int


@pytest.mark.parametrize("raw", ["65536.5", '"65536"', "true", "null", "1e400"])
def test_anything_else_is_not_an_integer(raw: str) -> None:
    with pytest.raises(ValidationError):
        Count.model_validate_json(f'{{"n": {raw}}}')


def test_json_int_keeps_the_integer_schema() -> None:
    assert Count.model_json_schema()["properties"]["n"] == {
        "minimum": 0,
        "title": "N",
        "type": "integer",
    }


class Plain(BaseModel):
    n: JsonInt


def test_json_int_outside_strict_models_is_still_an_int() -> None:
    assert Plain.model_validate({"n": 7.0}).n == 7


@pytest.mark.parametrize(
    "address",
    [
        "ada@example.com",
        "yw^@e.test",
        "a@b.TEST",
        "a@x.local",
        "a@host.localhost",
        "a@b.onion",
        "a@in-addr.arpa",
        "a@b.invalid",
        "a@testing.com",
        "a@contest.io",
        "a@local.dev",
    ],
)
def test_the_email_pattern_states_the_domains_the_server_refuses(address: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    from netflix_clone.accounts.schemas import EMAIL

    try:
        validate_email(address, check_deliverability=False)
        server_accepts = True
    except EmailNotValidError:
        server_accepts = False
    assert (re.search(EMAIL["pattern"], address) is not None) is server_accepts
