"""schemathesis hooks for tests/contract/test_schemathesis.py (loaded via SCHEMATHESIS_HOOKS).

The built-in `positive_data_acceptance` runs on every operation. On the few operations listed in
LISTED_EXCEPTIONS, schemathesis.toml lets it accept a 422 as well, and the check below then
demands that such a 422 names only the listed rules: the ones JSON Schema cannot express. Any
other refusal of a schema-valid request fails the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import ensure_resource_availability

# Another member's account and its profiles are 404 by design: members never learn which ids
# exist. POST /api/users creates an account the fuzzing member may not see, so there "a
# resource just created answers 404" is the privacy rule, not a bug. The built-in check runs
# (as `resource_availability`) on every other operation.
PRIVATE_TO_THEIR_OWNER = "/api/users/{user_id}"

PASSWORD_POLICY = frozenset(
    {
        "must not be blank",
        "is too common; choose a less guessable password",
        "must not contain your email name or equal your display name",
        "needs more variety than a few repeated characters",
    }
)
UNKNOWN_GENRE = frozenset({"unknown genre"})
EXCEEDS = frozenset({"exceeds duration_seconds"})

# (method, path) -> {field: messages}: the only accepted refusals of schema-valid requests.
LISTED_EXCEPTIONS: dict[tuple[str, str], dict[str, frozenset[str]]] = {
    # A password policy (common passwords, the email's name, variety) is not a JSON Schema.
    ("POST", "/api/users"): {"password": PASSWORD_POLICY},
    ("PATCH", "/api/users/me"): {"password": PASSWORD_POLICY},
    ("PATCH", "/api/users/{user_id}"): {"password": PASSWORD_POLICY},
    # Genre names come from the catalog at run time, not from the schema.
    ("GET", "/api/movies"): {"genre": UNKNOWN_GENRE},
    ("GET", "/api/series"): {"genre": UNKNOWN_GENRE},
    # JSON Schema cannot compare two fields (position_seconds <= duration_seconds).
    ("PUT", "/api/profile/progress/{movie_id}"): {"position_seconds": EXCEEDS},
    ("PUT", "/api/profile/progress/movie/{movie_id}"): {"position_seconds": EXCEEDS},
    # ... nor know which seasons and episodes a series has (the catalog does, at run time).
    ("PUT", "/api/profile/progress/series/{series_id}"): {
        "position_seconds": EXCEEDS,
        "season_number": frozenset({"no such season"}),
        "episode_number": frozenset({"no such episode"}),
    },
}


@schemathesis.check
def refusals_are_listed_exceptions(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    allowed = LISTED_EXCEPTIONS.get((case.method.upper(), case.path))
    if allowed is None:
        return None  # positive_data_acceptance itself fails this one
    errors = [(e.get("field"), e.get("message")) for e in (response.json() or {}).get("errors", [])]
    unlisted = [(f, m) for f, m in errors if m not in allowed.get(str(f), frozenset())]
    if not errors or unlisted:
        raise AssertionError(
            f"A schema-valid request was refused for a reason that is not a listed exception: "
            f"{unlisted or response.text[:300]}"
        )
    return None


@schemathesis.check
def resource_availability(ctx: Any, response: Any, case: Any) -> bool | None:
    """`ensure_resource_availability`, except on other members' accounts (see above)."""
    if case.path.startswith(PRIVATE_TO_THEIR_OWNER):
        return None
    result: bool | None = ensure_resource_availability(ctx, response, case)
    return result
