from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import BaseModel, ConfigDict, Field, field_validator

from netflix_clone.accounts.countries import ISO_3166_1_ALPHA_2
from netflix_clone.accounts.maturity import MaturityLevel
from netflix_clone.catalog.schemas import Language
from netflix_clone.core.shapes import QueryModel, RequestModel, Visible

Role = Literal["member", "admin"]


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# JSON Schema's email format, plus what email-validator refuses beyond it: the special-use
# domains (RFC 6761: .test, .local, .invalid, ...), which no mail reaches. Patterns have no
# case-insensitive flag, hence the [tT][eE]... spelling.
EMAIL: dict[str, Any] = {
    "format": "email",
    "pattern": (
        # No control characters (the server refuses them), and not a special-use domain.
        r"^(?![\s\S]*[\x00-\x1f\x7f-\x9f])(?![^@]*@(?:[^@]*\.)?(?:"
        + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
        + r")\.?$)"
    ),
}


def _no_control(value: str | None) -> str | None:
    # A NUL byte or another control character can't be stored (PostgreSQL refuses NUL in text)
    # and belongs in no email: refuse it here rather than fail in the database.
    if value is not None and any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError("must not contain control characters")
    return value


def _country(value: str | None) -> str | None:
    if value is not None and value not in ISO_3166_1_ALPHA_2:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as US or GB")
    return value


# The schema states the exact set the server takes (as JSON Schema can: an enum).
COUNTRY: dict[str, Any] = {"enum": [*sorted(ISO_3166_1_ALPHA_2), None]}
NO_CONTROL: dict[str, Any] = {"pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"}
COUNTRY_HELP = (
    "ISO 3166-1 alpha-2 code of the country whose age ratings apply to every profile "
    "of the account (US by default)."
)


class SignUp(RequestModel):
    email: str = Field(max_length=254, examples=["ada@example.com"], json_schema_extra=EMAIL)
    password: str = Field(min_length=10, max_length=128, examples=["correct horse battery"])
    display_name: Visible = Field(min_length=1, max_length=80, examples=["Ada"])
    country: str | None = Field(default=None, json_schema_extra=COUNTRY, description=COUNTRY_HELP)

    _email = field_validator("email")(_no_control)
    _country = field_validator("country")(_country)


class Member(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    country: str = Field(description=COUNTRY_HELP)
    created_at: datetime


class MemberPage(BaseModel):
    items: list[Member]
    per_page: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class UserListQuery(QueryModel):
    email_prefix: str | None = Field(
        default=None,
        max_length=254,
        description="Only members whose email starts with this.",
        json_schema_extra=NO_CONTROL,
    )
    cursor: str | None = Field(default=None, max_length=64)
    per_page: int = Field(default=20, ge=1, le=100)

    _prefix = field_validator("email_prefix")(_no_control)


class UserPatch(RequestModel):
    display_name: Visible | None = Field(default=None, min_length=1, max_length=80)
    email: str | None = Field(default=None, max_length=254, json_schema_extra=EMAIL)
    password: str | None = Field(default=None, min_length=10, max_length=128)
    current_password: str | None = Field(
        default=None, max_length=128, description="Required to change your own email or password."
    )
    role: Role | None = Field(default=None, description="Admins only.")
    country: str | None = Field(
        default=None,
        json_schema_extra=COUNTRY,
        description=COUNTRY_HELP + " Changing your own needs `current_password`.",
    )

    _email = field_validator("email")(_no_control)
    _country = field_validator("country")(_country)


class AccountDelete(RequestModel):
    password: str | None = Field(
        default=None,
        max_length=128,
        description="Required: the caller's password (the member's own, or the admin's).",
    )


DEVICE_TOKEN = r"^[0-9a-f]{16}\.[A-Za-z0-9_-]{32}$"  # noqa: S105 - a pattern


class TokenRequest(RequestModel):
    email: str = Field(max_length=254, json_schema_extra=EMAIL)
    password: str = Field(min_length=1, max_length=128)
    device_token: str | None = Field(
        default=None,
        max_length=64,
        pattern=DEVICE_TOKEN,
        description="The `device_token` an earlier sign-in on this device answered: failed "
        "sign-ins elsewhere then never lock this device out.",
    )

    _email = field_validator("email")(_no_control)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth 2 token type
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    device_token: str | None = Field(
        default=None,
        description="Sign-in only: keep it on this device and send it with later sign-ins.",
    )


AVATAR = r"^[a-z0-9][a-z0-9-]{0,63}$"
PIN = r"^[0-9]{4}$"


class ProfileOut(BaseModel):
    id: int
    name: str
    avatar: str
    language: str
    kids: bool
    maturity_level: MaturityLevel
    locked: bool = Field(description="True when choosing this profile needs its PIN.")
    is_main: bool
    created_at: datetime


class ProfileList(BaseModel):
    items: list[ProfileOut]


# What the body alone must satisfy (stated for JSON Schema too): a kids profile has a kids level.
KIDS_HAVE_KIDS_LEVELS: dict[str, Any] = {
    "if": {"properties": {"kids": {"const": True}}, "required": ["kids"]},
    "then": {"properties": {"maturity_level": {"enum": ["little_kids", "older_kids", None]}}},
}


class ProfileCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra=KIDS_HAVE_KIDS_LEVELS)

    name: Visible = Field(min_length=1, max_length=40)
    avatar: str | None = Field(default=None, pattern=AVATAR)
    language: Language | None = Field(
        default=None,
        description="Display language only; age ratings follow the account's `country`.",
    )
    kids: bool = False
    maturity_level: MaturityLevel | None = None
    pin: str | None = Field(default=None, pattern=PIN, description="Four digits.")
    password: str | None = Field(
        default=None, max_length=128, description="The account password; needed to set a PIN."
    )


class ProfilePatch(RequestModel):
    model_config = ConfigDict(json_schema_extra=KIDS_HAVE_KIDS_LEVELS)

    name: Visible | None = Field(default=None, min_length=1, max_length=40)
    avatar: str | None = Field(default=None, pattern=AVATAR)
    language: Language | None = Field(
        default=None,
        description="Display language only; age ratings follow the account's `country`.",
    )
    kids: bool | None = None
    maturity_level: MaturityLevel | None = None
    pin: str | None = Field(
        default=None, pattern=PIN, description="Four digits; null removes the PIN."
    )
    password: str | None = Field(
        default=None,
        max_length=128,
        description="The account password; needed to change the PIN or raise the maturity level.",
    )


class ProfileDelete(RequestModel):
    pin: str | None = Field(default=None, pattern=PIN, description="The profile's PIN.")
    password: str | None = Field(
        default=None, max_length=128, description="Or the account password."
    )


class ProfileTokenRequest(RequestModel):
    pin: str | None = Field(default=None, pattern=PIN)


class ProfileTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth 2 token type
    expires_in: int
    profile: ProfileOut
