from __future__ import annotations

from flask import Blueprint

from netflix_clone.accounts import profiles
from netflix_clone.accounts.models import Profile
from netflix_clone.accounts.schemas import (
    ProfileCreate,
    ProfileDelete,
    ProfileList,
    ProfileOut,
    ProfilePatch,
    ProfileTokenRequest,
    ProfileTokenResponse,
)
from netflix_clone.web.deps import db_session, services
from netflix_clone.web.operations import operation
from netflix_clone.web.sessions import current_principal

bp = Blueprint("profiles", __name__)
TAGS = ["profiles"]
BASE = "/api/users/<id:user_id>/profiles"
# The same operations on the signed-in member's own account, so a client needs no user id.
ME = "/api/users/me/profiles"
ME_DEFAULTS = {"user_id": None}


def account_id(user_id: int | None) -> int:
    return current_principal().user_id if user_id is None else user_id


def profile_out(profile: Profile) -> ProfileOut:
    return ProfileOut(
        id=profile.id,
        name=profile.name,
        avatar=profile.avatar,
        language=profile.language,
        kids=profile.kids,
        maturity_level=profile.maturity_level,
        locked=profile.pin_hash is not None,
        is_main=profile.is_main,
        created_at=profile.created_at,
    )


@bp.get(BASE)
@bp.get(ME, defaults=ME_DEFAULTS)
@operation(summary="An account's profiles", tags=TAGS, response=ProfileList, auth=True)
def list_profiles(user_id: int | None) -> ProfileList:
    items = profiles.list_profiles(db_session(), current_principal(), account_id(user_id))
    return ProfileList(items=[profile_out(p) for p in items])


@bp.post(BASE)
@bp.post(ME, defaults=ME_DEFAULTS)
@operation(
    summary="Add a profile (at most 5; account token)",
    tags=TAGS,
    body=ProfileCreate,
    response=ProfileOut,
    status=201,
    auth=True,
    errors=[403, 409, 429, 503],
)
def create_profile(user_id: int | None, body: ProfileCreate) -> tuple[ProfileOut, int]:
    fields = body.model_dump(exclude_unset=True)
    return profile_out(
        profiles.create_profile(
            db_session(), services(), current_principal(), account_id(user_id), fields
        )
    ), 201


@bp.get(f"{BASE}/<id:profile_id>")
@bp.get(f"{ME}/<id:profile_id>", defaults=ME_DEFAULTS)
@operation(summary="One profile", tags=TAGS, response=ProfileOut, auth=True)
def get_profile(user_id: int | None, profile_id: int) -> ProfileOut:
    return profile_out(
        profiles.get_profile(db_session(), current_principal(), account_id(user_id), profile_id)
    )


@bp.patch(f"{BASE}/<id:profile_id>")
@bp.patch(f"{ME}/<id:profile_id>", defaults=ME_DEFAULTS)
@operation(
    summary="Change a profile (account token; PIN and higher maturity need the password)",
    tags=TAGS,
    body=ProfilePatch,
    response=ProfileOut,
    auth=True,
    errors=[403, 409, 429, 503],
)
def patch_profile(user_id: int | None, profile_id: int, body: ProfilePatch) -> ProfileOut:
    fields = body.model_dump(exclude_unset=True)
    return profile_out(
        profiles.update_profile(
            db_session(), services(), current_principal(), account_id(user_id), profile_id, fields
        )
    )


@bp.delete(f"{BASE}/<id:profile_id>")
@bp.delete(f"{ME}/<id:profile_id>", defaults=ME_DEFAULTS)
@operation(
    summary="Delete a profile and all its data (not the main one; account token)",
    description="A PIN-locked profile needs its `pin` or the account `password` in the body.",
    tags=TAGS,
    body=ProfileDelete,
    body_optional=True,
    response=None,
    status=204,
    auth=True,
    errors=[403, 409, 429, 503],
)
def delete_profile(user_id: int | None, profile_id: int, body: ProfileDelete) -> None:
    profiles.delete_profile(
        db_session(),
        services(),
        current_principal(),
        account_id(user_id),
        profile_id,
        body.pin,
        body.password,
    )


@bp.post(f"{BASE}/<id:profile_id>/token")
@bp.post(f"{ME}/<id:profile_id>/token", defaults=ME_DEFAULTS)
@operation(
    summary="Choose a profile: a profile-scoped access token (PIN if locked)",
    tags=TAGS,
    body=ProfileTokenRequest,
    response=ProfileTokenResponse,
    auth=True,
    errors=[403, 429, 503],
)
def profile_token(
    user_id: int | None, profile_id: int, body: ProfileTokenRequest
) -> ProfileTokenResponse:
    principal = current_principal()
    token = profiles.profile_token(
        db_session(), services(), principal, account_id(user_id), profile_id, body.pin
    )
    profile = profiles.get_profile(db_session(), principal, account_id(user_id), profile_id)
    return ProfileTokenResponse(
        access_token=token, expires_in=services().tokens.ttl, profile=profile_out(profile)
    )
