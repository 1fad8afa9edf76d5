from __future__ import annotations

from flask import Blueprint, request

from netflix_clone.accounts import service
from netflix_clone.accounts.models import User
from netflix_clone.accounts.schemas import (
    AccountDelete,
    Member,
    MemberPage,
    RefreshRequest,
    SignUp,
    TokenRequest,
    TokenResponse,
    UserListQuery,
    UserPatch,
)
from netflix_clone.web.deps import db_session, services
from netflix_clone.web.operations import operation
from netflix_clone.web.sessions import current_principal

bp = Blueprint("accounts", __name__)
TAGS = ["users"]
AUTH_TAGS = ["auth"]


def member(user: User) -> Member:
    return Member(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        country=user.country,
        created_at=user.created_at,
    )


def tokens(pair: service.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


@bp.post("/api/users")
@operation(
    summary="Sign up (rate limited per client address)",
    tags=TAGS,
    body=SignUp,
    response=Member,
    status=201,
    errors=[409, 429, 503],
)
def sign_up(body: SignUp) -> tuple[Member, int, dict[str, str]]:
    user = service.sign_up(
        db_session(),
        services(),
        body.email,
        body.password,
        body.display_name,
        country=body.country or "US",
        client_ip=request.remote_addr or "unknown",
    )
    return member(user), 201, {"Location": f"/api/users/{user.id}"}


@bp.get("/api/users")
@operation(
    summary="List members (admins only)",
    tags=TAGS,
    query=UserListQuery,
    response=MemberPage,
    auth=True,
    errors=[403],
)
def list_users(query: UserListQuery) -> MemberPage:
    rows, next_cursor = service.list_users(
        db_session(), current_principal(), query.email_prefix, query.cursor, query.per_page
    )
    return MemberPage(
        items=[member(u) for u in rows], per_page=query.per_page, next_cursor=next_cursor
    )


@bp.get("/api/users/me")
@operation(summary="The signed-in member", tags=TAGS, response=Member, auth=True)
def me() -> Member:
    return member(service.acting_user(db_session(), current_principal()))


@bp.get("/api/users/<id:user_id>")
@operation(
    summary="Read a member (yourself, or anyone as admin)", tags=TAGS, response=Member, auth=True
)
def get_user(user_id: int) -> Member:
    _, user = service.visible_user(db_session(), current_principal(), user_id)
    return member(user)


@bp.patch("/api/users/<id:user_id>")
@bp.patch("/api/users/me", defaults={"user_id": None})
@operation(
    summary="Change a member (account token; email, password and country need the password)",
    tags=TAGS,
    body=UserPatch,
    response=Member,
    auth=True,
    errors=[403, 409, 429, 503],
)
def patch_user(user_id: int | None, body: UserPatch) -> Member:
    principal = current_principal()
    user = service.update_user(
        db_session(),
        services(),
        principal,
        principal.user_id if user_id is None else user_id,
        display_name=body.display_name,
        email=body.email,
        password=body.password,
        current_password=body.current_password,
        role=body.role,
        country=body.country,
    )
    return member(user)


@bp.delete("/api/users/<id:user_id>")
@bp.delete("/api/users/me", defaults={"user_id": None})
@operation(
    summary="Delete a member and everything they own (account token and password)",
    tags=TAGS,
    body=AccountDelete,
    body_optional=True,
    response=None,
    status=204,
    auth=True,
    errors=[403, 429, 503],
)
def delete_user(user_id: int | None, body: AccountDelete) -> None:
    principal = current_principal()
    user = principal.user_id if user_id is None else user_id
    service.delete_user(db_session(), services(), principal, user, body.password)


@bp.post("/api/auth/token")
@operation(
    summary="Sign in: email and password for an access and a refresh token",
    tags=AUTH_TAGS,
    body=TokenRequest,
    response=TokenResponse,
    errors=[401, 429, 503],
    response_headers={"Cache-Control": "no-store"},
)
def token(body: TokenRequest) -> TokenResponse:
    pair, device_token = service.login(
        db_session(),
        services(),
        body.email,
        body.password,
        request.remote_addr or "unknown",
        body.device_token,
    )
    answer = tokens(pair)
    answer.device_token = device_token
    return answer


@bp.post("/api/auth/refresh")
@operation(
    summary="Rotate a refresh token for a new pair",
    tags=AUTH_TAGS,
    body=RefreshRequest,
    response=TokenResponse,
    errors=[401, 429],
    description=(
        "The same refresh token sent again within 10 seconds of its rotation (two tabs, a "
        "retry) answers the same new pair; later reuse revokes the whole session."
    ),
    response_headers={"Cache-Control": "no-store"},
)
def refresh(body: RefreshRequest) -> TokenResponse:
    return tokens(service.refresh(db_session(), services(), body.refresh_token))


@bp.post("/api/auth/logout")
@operation(
    summary="Revoke a refresh token and its whole session",
    tags=AUTH_TAGS,
    body=RefreshRequest,
    response=None,
    status=204,
)
def logout(body: RefreshRequest) -> None:
    service.logout(db_session(), services(), body.refresh_token)
