"""The session check of a request, in one place: who the token says this is, and whether its
session still stands.

`authenticate` verifies the token. By default it also asks the revocation set (Redis, then
the database) whether the session has ended. A route that reads the database anyway may defer
that: `authenticate(defer_session_check=True)` checks only this process's own revocations, and
the request then owes the rest. The route settles it from its own statement
(`settle_session(ended)`, with accounts.models.session_ended/session_stands in its SQL), or asks
the database once (`live_session()`); the operation wrapper confirms whatever is still owed
(`confirm_session`, the revocation set) before the unit of work commits or an answer leaves.
"""

from __future__ import annotations

from flask import g, request

from netflix_clone.accounts.service import session_ended_in_database
from netflix_clone.core.security import SESSION_ENDED, Principal, unauthorized
from netflix_clone.web.deps import db_session, services


def current_principal() -> Principal:
    principal: Principal | None = g.get("principal")
    if principal is None:
        raise unauthorized("Sign in first.")
    return principal


def authenticate(*, defer_session_check: bool = False) -> Principal:
    """Resolve `Authorization: Bearer` into g.principal; 401 when it is missing, invalid, or its
    session has been revoked.

    With `defer_session_check`, only this process's own revocations are checked here; the
    request then owes the rest of the check, and its route settles it: in its one database
    statement (`settle_session`), or by `confirm_session()`. The operation wrapper confirms
    whatever is still owed before the unit of work commits or an answer leaves."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Send an access token as 'Authorization: Bearer <token>'.")
    svc = services()
    signer = svc.tokens
    principal = signer.verify(token.strip())
    if defer_session_check:
        if svc.revocations.revoked_here(principal.session_id):
            raise unauthorized(SESSION_ENDED)
        g.session_check_owed = True
    elif svc.revocations.is_revoked(principal.session_id):
        raise unauthorized(SESSION_ENDED)
    g.principal = principal
    g.user_id = principal.user_id
    return principal


def session_check_owed() -> bool:
    return bool(g.get("session_check_owed", False))


def confirm_session() -> None:
    """The deferred session check, if still owed: the revocation set (Redis)."""
    if g.pop("session_check_owed", False):
        principal = current_principal()
        if services().revocations.is_revoked(principal.session_id):
            raise unauthorized(SESSION_ENDED)


def settle_session(ended: bool) -> None:
    """The deferred session check, answered by the database (accounts.models.session_ended)."""
    g.pop("session_check_owed", None)
    if ended:
        raise unauthorized(SESSION_ENDED)


def live_session() -> None:
    """A deferred session check that the request's own statement did not settle: one query."""
    if session_check_owed():
        ended = session_ended_in_database(db_session(), current_principal().session_id)
        settle_session(ended)
