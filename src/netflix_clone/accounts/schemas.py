from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import BaseModel, ConfigDict, Field

from netflix_clone.api import QueryModel, RequestModel, Visible

Role = Literal["member", "admin"]


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# JSON Schema's email format, plus what email-validator refuses beyond it: the special-use
# domains (RFC 6761: .test, .local, .invalid, ...), which no mail reaches. Patterns have no
# case-insensitive flag, hence the [tT][eE]... spelling.
EMAIL: dict[str, Any] = {
    "format": "email",
    "pattern": (
        r"^(?![^@]*@(?:[^@]*\.)?(?:"
        + "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
        + r")\.?$)"
    ),
}


class SignUp(RequestModel):
    email: str = Field(max_length=254, examples=["ada@example.com"], json_schema_extra=EMAIL)
    password: str = Field(min_length=10, max_length=128, examples=["correct horse battery"])
    display_name: Visible = Field(min_length=1, max_length=80, examples=["Ada"])


class Member(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    created_at: datetime


class MemberPage(BaseModel):
    items: list[Member]
    per_page: int
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class UserListQuery(QueryModel):
    email_prefix: str | None = Field(
        default=None, max_length=254, description="Only members whose email starts with this."
    )
    cursor: str | None = Field(default=None, max_length=64)
    per_page: int = Field(default=20, ge=1, le=100)


class UserPatch(RequestModel):
    display_name: Visible | None = Field(default=None, min_length=1, max_length=80)
    email: str | None = Field(default=None, max_length=254, json_schema_extra=EMAIL)
    password: str | None = Field(default=None, min_length=10, max_length=128)
    current_password: str | None = Field(
        default=None, max_length=128, description="Required to change your own email or password."
    )
    role: Role | None = Field(default=None, description="Admins only.")


class TokenRequest(RequestModel):
    email: str = Field(max_length=254, json_schema_extra=EMAIL)
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth 2 token type
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


MaturityLevel = Literal["little_kids", "older_kids", "teens", "adults"]
AVATAR = r"^[a-z0-9][a-z0-9-]{0,63}$"
LANGUAGE = r"^[a-z]{2}(-[A-Z]{2})?$"
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
    language: str | None = Field(default=None, pattern=LANGUAGE)
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
    language: str | None = Field(default=None, pattern=LANGUAGE)
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


class ProfileTokenRequest(RequestModel):
    pin: str | None = Field(default=None, pattern=PIN)


class ProfileTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth 2 token type
    expires_in: int
    profile: ProfileOut
