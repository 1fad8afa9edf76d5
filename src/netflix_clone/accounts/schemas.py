from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from netflix_clone.api import QueryModel, RequestModel

Role = Literal["member", "admin"]


def _clean_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError("must not contain control characters")
    return value


class SignUp(RequestModel):
    email: str = Field(max_length=254, examples=["ada@example.com"])
    password: str = Field(min_length=10, max_length=128, examples=["correct horse battery"])
    display_name: str = Field(min_length=1, max_length=80, examples=["Ada"])

    _name = field_validator("display_name")(_clean_name)


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
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    email: str | None = Field(default=None, max_length=254)
    password: str | None = Field(default=None, min_length=10, max_length=128)
    current_password: str | None = Field(
        default=None, max_length=128, description="Required to change your own email or password."
    )
    role: Role | None = Field(default=None, description="Admins only.")

    _name = field_validator("display_name")(lambda v: None if v is None else _clean_name(v))


class TokenRequest(RequestModel):
    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=128)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth 2 token type
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
